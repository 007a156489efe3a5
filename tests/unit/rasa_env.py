"""Run a short script in the Rasa environment (rasa only imports there) and read its answer."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from bot import processes
from bot.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]


def run_in_rasa_env(script: str, argument: Any) -> Any:
    """What `script` printed last, as JSON; it gets `argument` as JSON in sys.argv[1]."""
    python = processes.rasa_executable(Settings.from_env()).with_name("python")
    result = subprocess.run(
        [str(python), "-c", script, json.dumps(argument)],
        cwd=PROJECT,
        env={"PYTHONPATH": str(PROJECT), "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
