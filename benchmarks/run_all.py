"""Runs every benchmark in turn (`make bench`); each writes var/bench/<name>.json."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = [
    "triage",
    "retrieval",
    "answers",
    "index_scale",
    "nearby",
    "widget",
    "latency",
    "nlu_accuracy",
    "nlu_heldout",
    "faults",
    "warm_start",
]


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        if subprocess.call([sys.executable, "-m", f"benchmarks.{name}"]) != 0:
            failed.append(name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
