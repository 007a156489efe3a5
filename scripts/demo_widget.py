"""The widget on a fake community-centre page: `make demo-widget` (docs/widget.md).

    .venv/bin/python scripts/demo_widget.py [--start-stack] [--port 8090]
        [--gateway http://127.0.0.1:8080] [--lang zh|en] [--district 朝阳区] [--open]

Serves "朝阳区某社区服务中心" (its own hostile CSS, bot/widget_demo.py) on 127.0.0.1:PORT,
embedding GATEWAY/widget.js: a different origin, as on a real centre's site. With
--start-stack it first starts `tuoyu run --no-setup` (gateway on 8080) and stops it again on
Ctrl-C; without it, run `make run` in another terminal.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bot.supervisor import url_answers  # noqa: E402
from bot.widget_demo import host_page, serving  # noqa: E402

STACK_READY_TIMEOUT_S = 300


def start_stack() -> subprocess.Popen[bytes]:
    tuoyu = PROJECT / ".venv" / "bin" / "tuoyu"
    # Its own process group: Ctrl-C in the terminal reaches it once, through us, so the
    # stack is stopped in order (its own SIGTERM handler stops all three processes).
    return subprocess.Popen([str(tuoyu), "run", "--no-setup"], cwd=PROJECT, start_new_session=True)


def stop_stack(stack: subprocess.Popen[bytes]) -> None:
    if stack.poll() is None:
        print("Stopping Tuoyu...", flush=True)
        stack.send_signal(signal.SIGTERM)
        try:
            stack.wait(timeout=60)
        except subprocess.TimeoutExpired:
            stack.kill()
            stack.wait()


def wait_for_gateway(gateway: str, stack: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + STACK_READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if stack.poll() is not None:
            return False
        if url_answers(f"{gateway}/healthz", 2):
            return True
        time.sleep(1)
    return False


def interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8090, help="demo page port (8090)")
    parser.add_argument("--gateway", default="http://127.0.0.1:8080", help="Tuoyu's address")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--district", default="朝阳区", help="data-district ('' for none)")
    parser.add_argument("--open", action="store_true", help="data-open=true")
    parser.add_argument(
        "--start-stack", action="store_true", help="also run `tuoyu run --no-setup`"
    )
    args = parser.parse_args()
    gateway = args.gateway.rstrip("/")
    attributes = {"lang": args.lang, "open": "true" if args.open else "false"}
    if args.district:
        attributes["district"] = args.district

    # Ctrl-C and `kill` both stop the page and then the stack (set explicitly: a shell that
    # started us in the background would have left SIGINT ignored).
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    stack = start_stack() if args.start_stack else None
    try:
        if stack is not None:
            print("Starting Tuoyu (Rasa, the action server and the gateway)...", flush=True)
            if not wait_for_gateway(gateway, stack):
                print("Tuoyu did not start; see the lines above.", file=sys.stderr)
                return 1
        elif not url_answers(f"{gateway}/healthz", 2):
            print(f"Note: {gateway} does not answer yet; start it with `make run`.", flush=True)
        page = host_page(f"{gateway}/widget.js", attributes)
        with serving({"/": page}, port=args.port) as site:
            print(f"\nDemo community-centre page: {site.base_url}/  (Ctrl-C stops)\n", flush=True)
            while True:
                time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        if stack is not None:
            stop_stack(stack)
    return 0


if __name__ == "__main__":
    sys.exit(main())
