"""`rasa run` with its API token from the environment, never on the command line.

`python -m rasa_addons.serve run --model ...` adds the token from `$TUOYU_RASA_TOKEN` to the
arguments inside the process, where `ps` and /proc/<pid>/cmdline do not show it. It also
checks action-server replies with a schema compiled once (rasa_addons.action_result_validation).
"""

from __future__ import annotations

import os
import sys

from rasa.__main__ import main

from rasa_addons import action_result_validation


def with_auth_token(argv: list[str], token: str) -> list[str]:
    """`argv` with `token` as Rasa's API token, if there is one.

    One `--auth-token=VALUE` argument, not two: a generated url-safe token starts with `-`
    one time in 64, and argparse reads a separate `-abc…` as an option and stops Rasa with
    "expected one argument".
    """
    return [*argv, f"--auth-token={token}"] if token else list(argv)


if __name__ == "__main__":
    action_result_validation.install()
    sys.argv = with_auth_token(sys.argv, os.environ.get("TUOYU_RASA_TOKEN", ""))
    main()
