"""The supervisor's building blocks with real (tiny) processes: group kill, ports, restarts."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path

import psutil
import pytest

from bot import supervisor as sup
from bot.processes import ProcessSpec


def spec(tmp_path: Path, script: str, *, port: int | None = None) -> ProcessSpec:
    return ProcessSpec(
        name="drill",
        argv=[sys.executable, "-c", script],
        env=dict(os.environ),
        cwd=tmp_path,
        ready_url="http://127.0.0.1:9/never",
        ready_timeout_s=5.0,
        port=port,
    )


# A leader that forks a child holding on after the leader dies (as Sanic's worker did).
FORKING = "import os, time\nif os.fork() == 0:\n    time.sleep(60)\nelse:\n    time.sleep(60)\n"


def test_kill_group_also_kills_a_child_that_outlived_its_leader(tmp_path: Path) -> None:
    process = sup.ManagedProcess(spec(tmp_path, FORKING), echo=False)
    process.start()
    assert process.pid is not None
    leader = psutil.Process(process.pid)
    deadline = time.monotonic() + 5
    while not leader.children() and time.monotonic() < deadline:
        time.sleep(0.05)
    child = leader.children()[0]
    os.kill(process.pid, signal.SIGKILL)
    time.sleep(0.2)
    assert child.is_running()
    process.kill_group()
    child.wait(timeout=5)
    assert not child.is_running()


def test_a_port_is_free_only_when_nothing_listens() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert sup.port_in_use(port)
        assert not sup.wait_port_free(port, timeout_s=0.3)
    assert sup.wait_port_free(port, timeout_s=2)


def test_a_part_that_dies_is_restarted_with_backoff_and_never_given_up(tmp_path: Path) -> None:
    process = sup.ManagedProcess(spec(tmp_path, "import sys; sys.exit(3)"), echo=False)
    process.start()
    time.sleep(0.5)
    watched = sup._Watched(process)
    now = time.monotonic()
    restarts = 0
    for _ in range(8):
        watched.step(now)  # exited: schedule
        assert watched.restart_at is not None
        now = watched.restart_at
        watched.step(now)  # restart
        restarts += 1
        time.sleep(0.3)
    process.kill_group()
    assert restarts == 8
    assert watched.backoff == sup.BACKOFF_MAX_S


def test_a_hung_part_is_restarted_after_failed_health_checks(tmp_path: Path) -> None:
    process = sup.ManagedProcess(spec(tmp_path, "import time; time.sleep(60)"), echo=False)
    process.start()
    first_pid = process.pid
    watched = sup._Watched(process)
    now = time.monotonic()
    for _ in range(sup.UNHEALTHY_AFTER):
        now += sup.HEALTH_EVERY_S
        watched.step(now)
    assert watched.restart_at is not None
    assert process.returncode is not None  # killed
    watched.step(watched.restart_at)
    assert process.running
    assert process.pid != first_pid
    process.kill_group()


def test_a_part_writes_private_files_and_a_private_dated_log(tmp_path: Path) -> None:
    script = "open('made-by-the-part.db', 'w').write('x'); print('hello from the part')"
    part = sup.ManagedProcess(
        ProcessSpec(
            name="drill",
            argv=[sys.executable, "-c", script],
            env=dict(os.environ),
            cwd=tmp_path,
            ready_url="http://127.0.0.1:9/never",
            log_file=tmp_path / "log" / "drill.log",
        ),
        echo=False,
    )
    part.start()
    deadline = time.monotonic() + 10
    while part.running and time.monotonic() < deadline:
        time.sleep(0.05)
    part.stop()
    assert (tmp_path / "made-by-the-part.db").stat().st_mode & 0o777 == 0o600
    log = tmp_path / "log" / "drill.log"
    assert log.stat().st_mode & 0o777 == 0o600
    [line] = log.read_text().splitlines()
    assert line.endswith("hello from the part")
    assert line[:4].isdigit()
    assert line[4] == "-"


def test_a_log_rotates_by_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sup, "LOG_MAX_BYTES", 100)
    log = sup._RotatingLog(tmp_path / "part.log")
    for n in range(30):
        log.write(f"2026-12-01 12:00:00 line {n:02d}")
    log.close()
    assert (tmp_path / "part.log.1").exists()
    assert (tmp_path / "part.log.1").stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / f"part.log.{sup.LOG_BACKUPS + 1}").exists()
