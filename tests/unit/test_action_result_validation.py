"""rasa_addons.action_result_validation, run in the Rasa environment (rasa only imports there):
every reply Rasa's own check accepts or rejects is accepted or rejected the same way, with the
same message."""

from __future__ import annotations

from tests.unit.rasa_env import run_in_rasa_env

REPLIES = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "last_entry_id", "value": "feeding-solids"}],
        "responses": [{"text": "答案", "buttons": [{"title": "t", "payload": "/x"}]}],
    },
    {},
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot"}]},
    {"responses": ["a string, not an object"]},
]

# Rasa's check before and after install(), each reply's outcome as [accepted, message, path].
SCRIPT = """
import json, sys
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa_addons import action_result_validation

def outcomes():
    action = RemoteAction.__new__(RemoteAction)
    rows = []
    for reply in json.loads(sys.argv[1]):
        try:
            rows.append([action._validate_action_result(reply), "", []])
        except ValidationError as error:
            rows.append([False, error.message, list(error.absolute_path)])
    return rows

before = outcomes()
action_result_validation.install()
after = outcomes()
print(json.dumps({"before": before, "after": after,
                  "installed": RemoteAction._validate_action_result
                  is action_result_validation.validate_action_result,
                  "compiled_once": action_result_validation.reply_validator()
                  is action_result_validation.reply_validator()}))
"""


def test_replies_are_accepted_and_rejected_as_rasa_does_with_the_same_message() -> None:
    found = run_in_rasa_env(SCRIPT, REPLIES)
    assert found["after"] == found["before"]
    accepted = [row[0] for row in found["after"]]
    assert accepted == [True, True, True, False, False, False, False]
    assert all("Failed to validate Action server response" in row[1] for row in found["after"][3:])
    assert found["installed"]
    assert found["compiled_once"]
