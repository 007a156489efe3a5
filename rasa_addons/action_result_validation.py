"""Rasa's check of each action-server reply, with its JSON schema compiled once per process.

Rasa 3.6 checks every reply from the action server with `jsonschema.validate(result, spec)`.
That call first checks the *schema* against the draft 2020-12 metaschema, every time: 26–30 ms
on a 2-core machine (timed in the Rasa venv on a typical reply), more than the action's own
search (about 18 ms for a short question), on every turn that runs an action. Here the schema is
checked once and its validator kept; a reply is still checked in full, with the same error (the
best match, as jsonschema.validate picks it) and the same explanation Rasa appends.

`install()` is called by rasa_addons.serve before Rasa starts. rasa==3.6.21 is pinned
(constraints/), so the method replaced here cannot move under us unnoticed; the test checks
it still exists.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def reply_validator() -> Validator:
    """The validator for Rasa's action reply schema, its schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, without re-checking the schema on each call."""
    error = best_match(reply_validator().iter_errors(result))
    if error is None:
        return True
    # Rasa's own wording (rasa/core/actions/action.py), so logs read as before.
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    if not hasattr(RemoteAction, "_validate_action_result"):
        raise RuntimeError("rasa.core.actions.action.RemoteAction changed: see this module")
    RemoteAction._validate_action_result = validate_action_result
