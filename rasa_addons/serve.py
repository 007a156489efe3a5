"""`rasa run` with its API token from the environment, never on the command line.

`python -m rasa_addons.serve run --model ...` adds `--auth-token $TUOYU_RASA_TOKEN` to the
arguments inside the process, where `ps` and /proc/<pid>/cmdline do not show it. It also
checks action-server replies with a schema compiled once (rasa_addons.action_result_validation).
"""

from __future__ import annotations

import os
import sys

from rasa.__main__ import main

from rasa_addons import action_result_validation

if __name__ == "__main__":
    action_result_validation.install()
    token = os.environ.get("TUOYU_RASA_TOKEN", "")
    if token:
        sys.argv += ["--auth-token", token]
    main()
