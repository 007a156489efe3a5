"""`make run` warm start: from the command to /healthz 200, with everything already built.

    .venv/bin/python -m benchmarks.warm_start

Runs `make run` on free ports (TUOYU_PORT and friends), times it to the first healthy
/healthz and to the ready line (after the warm-up messages), then sends Ctrl-C (SIGINT to the
process group, as a terminal does) and checks that all three ports are closed. Target <= 60 s.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

from benchmarks.common import save
from bot.local_stack import free_port
from bot.settings import Settings
from bot.supervisor import url_answers


def port_open(port: int) -> bool:
    return url_answers(f"http://127.0.0.1:{port}/", 0.5) or _connects(port)


def _connects(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def main() -> None:
    project = Settings.from_env().project_dir
    ports = {
        "TUOYU_PORT": free_port(),
        "TUOYU_RASA_PORT": free_port(),
        "TUOYU_ACTIONS_PORT": free_port(),
    }
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}}
    health = f"http://127.0.0.1:{ports['TUOYU_PORT']}/healthz"
    started = time.monotonic()
    process = subprocess.Popen(
        ["make", "run"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
    )
    healthy_s = ready_s = None
    assert process.stdout is not None
    for line in process.stdout:
        if healthy_s is None and url_answers(health, 1):
            healthy_s = time.monotonic() - started
        if "Tuoyu is ready" in line:
            ready_s = time.monotonic() - started
            if healthy_s is None:
                healthy_s = ready_s
            break
        if time.monotonic() - started > 600:
            break
    stop_started = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    stop_s = time.monotonic() - stop_started
    still_open = [name for name, port in ports.items() if _connects(port)]
    result = {
        "to_healthz_200_s": round(healthy_s, 1) if healthy_s else None,
        "to_ready_line_after_warm_up_s": round(ready_s, 1) if ready_s else None,
        "ctrl_c_stop_s": round(stop_s, 1),
        "ports_still_open_after_stop": still_open,
        "exit_code": process.returncode,
        "target_s": 60,
    }
    print(result)
    print(f"-> {save('warm_start', result)}")


if __name__ == "__main__":
    main()
