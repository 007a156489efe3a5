"""`rasa run` with its API token from the environment, never on the command line.

`python -m rasa_addons.serve run --model ...` adds `--auth-token $TUOYU_RASA_TOKEN` to the
arguments inside the process, where `ps` and /proc/<pid>/cmdline do not show it.
"""

from __future__ import annotations

import os
import sys

from rasa.__main__ import main

if __name__ == "__main__":
    token = os.environ.get("TUOYU_RASA_TOKEN", "")
    if token:
        sys.argv += ["--auth-token", token]
    main()
