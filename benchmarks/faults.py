"""Fault drills: how fast a parent hears back, and how fast normal answers return.

    .venv/bin/python -m benchmarks.faults

Starts a supervised stack (as `tuoyu run`), then for each fault: the time to the first
friendly reply (or the emergency answer), the time until a guidance question gets a sourced
answer again, and how many of the messages sent meanwhile (one a second) got no reply at all
(lost). Faults: kill -9 of the action server, kill -9 of Rasa, SIGSTOP of the action server
(hung, not dead), SIGSTOP of Rasa.
"""

from __future__ import annotations

import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.common import save
from bot.local_stack import NORMAL_QUESTION, LocalStack, local_stack

FAULTS = [
    ("kill -9 actions", "actions", signal.SIGKILL),
    ("kill -9 rasa", "rasa", signal.SIGKILL),
    ("SIGSTOP actions", "actions", signal.SIGSTOP),
    ("SIGSTOP rasa", "rasa", signal.SIGSTOP),
]


def drill(stack: LocalStack, part: str, signum: int) -> dict[str, Any]:
    sent = lost = 0
    stop = threading.Event()

    def background() -> None:
        nonlocal sent, lost
        while not stop.is_set():
            _, body = stack.chat(f"bg-{part}-{sent}", NORMAL_QUESTION)
            sent += 1
            if not body.get("replies"):
                lost += 1
            time.sleep(1.0)

    stack.signal(part, signum)
    first_reply_s, status, _ = stack.timed_chat(f"fault-{part}", NORMAL_QUESTION)
    emergency_s, _, body = stack.timed_chat(f"fault-{part}-e", "宝宝抽搐了，叫不醒")
    emergency_first = "120" in str((body.get("replies") or [{}])[0])
    worker = threading.Thread(target=background, daemon=True)
    worker.start()
    normal_s = stack.seconds_until_normal()
    stop.set()
    worker.join(timeout=30)
    return {
        "first_reply_s": round(first_reply_s, 2),
        "first_reply_status": status,
        "emergency_answer_s": round(emergency_s, 2),
        "emergency_first": emergency_first,
        "normal_again_s": round(normal_s, 1) if normal_s is not None else None,
        "messages_meanwhile": sent,
        "lost": lost,
    }


def main() -> None:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as var, local_stack(Path(var), supervised=True) as stack:
        for name, part, signum in FAULTS:
            results[name] = drill(stack, part, signum)
            print(f"{name:16} {results[name]}")
    print(f"-> {save('faults', results)}")


if __name__ == "__main__":
    main()
