"""rasa_addons.serve, run in the Rasa environment (rasa only imports there): Rasa's own
command-line parser reads the API token exactly, whatever character it starts with."""

from __future__ import annotations

from tests.unit.rasa_env import run_in_rasa_env

# Tokens as settings.rasa_token() generates them (url-safe base64) and as an operator may set them.
TOKENS = ["-Ab3_x9", "--x", "plain-token_1", "a=b"]

SCRIPT = """
import json, sys
from rasa.__main__ import create_argument_parser
from rasa_addons.serve import with_auth_token

parser = create_argument_parser()
read = []
for token in json.loads(sys.argv[1]):
    args = parser.parse_args(with_auth_token(["run", "--model", "models/m.tar.gz"], token))
    read.append([args.auth_token, args.model])
untouched = with_auth_token(["run"], "")
print(json.dumps({"read": read, "untouched": untouched}))
"""


def test_rasa_reads_every_token_including_one_that_starts_with_a_dash() -> None:
    found = run_in_rasa_env(SCRIPT, TOKENS)
    assert found["read"] == [[token, "models/m.tar.gz"] for token in TOKENS]
    assert found["untouched"] == ["run"]
