"""Starts the three processes, prefixes their logs, restarts one that dies or stops answering,
stops all cleanly.

Recovery, not giving up: a part that exits, or fails its health check several times in a row
(hung, e.g. SIGSTOP), has its whole process group killed, its port waited free, and is started
again after a backoff that grows to at most a minute. The other parts keep running meanwhile;
the gateway answers parents and reports on /healthz what is down.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

from bot.processes import ProcessSpec
from knowledge_base.privacy import mask_personal_numbers

logger = logging.getLogger(__name__)

_STOP_GRACE_S = 10.0
# Files the parts create (databases, logs, secrets) are readable by their owner only.
PRIVATE_UMASK = 0o077
# A part's log file is rotated at this size, keeping this many old ones (name.log.1 ...).
LOG_MAX_BYTES = 10 * 1024 * 1024
LOG_BACKUPS = 5
# Liveness: a check every few seconds; this many failures in a row (about 12 s) is a hang.
HEALTH_EVERY_S = 3.0
HEALTH_TIMEOUT_S = 3.0
UNHEALTHY_AFTER = 4
# Restarts back off 1, 2, 4... seconds up to this, and start again from 1 after a minute up.
BACKOFF_MAX_S = 60.0
_STABLE_AFTER_S = 60.0
# How long a restart waits for the old process's port to be released.
PORT_FREE_TIMEOUT_S = 30.0


def url_answers(url: str, timeout_s: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True while something still accepts connections on the port."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def wait_port_free(port: int, timeout_s: float = PORT_FREE_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    delay = 0.1
    while port_in_use(port):
        if time.monotonic() >= deadline:
            return False
        time.sleep(delay)
        delay = min(delay * 2, 2.0)
    return True


def wait_until(url: str, timeout_s: float, alive: ManagedProcess | None = None) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if url_answers(url):
            return True
        if alive is not None and not alive.running:
            return False
        time.sleep(0.5)
    return False


def post_json(url: str, body: dict[str, object], timeout_s: float = 60.0) -> tuple[int, object]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return int(response.status), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class _RotatingLog:
    """A part's log file: 0600, the date on every line, rotated by size."""

    def __init__(self, path: Path) -> None:
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._file = self._open()

    def _open(self) -> IO[bytes]:
        fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(self._path, 0o600)
        return os.fdopen(fd, "ab")

    def write(self, line: str) -> None:
        # Our own processes log "2026-12-01 12:00:00 ..."; Rasa's lines carry the date too,
        # but a line without one (a library's print) gets it here.
        if not line[:4].isdigit():
            line = f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}"
        self._file.write((line + "\n").encode())
        self._file.flush()
        if self._file.tell() >= LOG_MAX_BYTES:
            self._rotate()

    def _rotate(self) -> None:
        self._file.close()
        for n in range(LOG_BACKUPS - 1, 0, -1):
            older = self._path.with_name(f"{self._path.name}.{n}")
            if older.exists():
                older.replace(self._path.with_name(f"{self._path.name}.{n + 1}"))
        self._path.replace(self._path.with_name(f"{self._path.name}.1"))
        self._file = self._open()

    def close(self) -> None:
        self._file.close()


class ManagedProcess:
    """One child process whose output goes, line by line and prefixed, to us and its log."""

    def __init__(self, spec: ProcessSpec, *, echo: bool = True) -> None:
        self.spec = spec
        self._echo = echo
        self._process: subprocess.Popen[bytes] | None = None
        self._pump: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def returncode(self) -> int | None:
        return self._process.poll() if self._process else None

    def start(self) -> None:
        log: _RotatingLog | None = None
        if self.spec.log_file is not None:
            log = _RotatingLog(self.spec.log_file)
        # A session of its own: Ctrl-C reaches only the supervisor, which stops the children
        # in order instead of all of them dying at once mid-request.
        self._process = subprocess.Popen(
            self.spec.argv,
            cwd=self.spec.cwd,
            env=self.spec.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            umask=PRIVATE_UMASK,
        )
        self._pump = threading.Thread(
            target=self._copy_output, args=(self._process.stdout, log), daemon=True
        )
        self._pump.start()

    def _copy_output(self, stream: IO[bytes] | None, log: _RotatingLog | None) -> None:
        if stream is None:
            return
        prefix = f"[{self.spec.name:<7}] "
        try:
            for raw in iter(stream.readline, b""):
                line = mask_personal_numbers(raw.decode("utf-8", "replace").rstrip())
                if log is not None:
                    log.write(line)
                if self._echo:
                    print(prefix + line, flush=True)
        finally:
            stream.close()
            if log is not None:
                log.close()

    def kill_group(self) -> None:
        """SIGKILL to the whole process group, the leader and any child it forked, even when
        the leader is already dead (a child can outlive it and keep the port)."""
        process = self._process
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)

    def stop(self, grace_s: float = _STOP_GRACE_S) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        if self._pump is not None:
            self._pump.join(timeout=2)
        if process.stdout is not None:
            process.stdout.close()


class Supervisor:
    """Keeps a set of processes running until asked to stop."""

    def __init__(self, specs: Sequence[ProcessSpec], *, echo: bool = True) -> None:
        self.processes = [ManagedProcess(spec, echo=echo) for spec in specs]
        self._stopping = threading.Event()

    @classmethod
    def over(cls, processes: Sequence[ManagedProcess]) -> Supervisor:
        """A supervisor for processes started elsewhere (the integration tests' stack)."""
        supervisor = cls([])
        supervisor.processes = list(processes)
        return supervisor

    def by_name(self, name: str) -> ManagedProcess:
        return next(p for p in self.processes if p.spec.name == name)

    def start(self, names: Iterable[str] | None = None) -> None:
        wanted = set(names) if names is not None else None
        for process in self.processes:
            if wanted is None or process.spec.name in wanted:
                logger.info("Starting %s", process.spec.name)
                process.start()

    def wait_ready(self) -> list[str]:
        """Waits for every process's ready URL; returns the names that never became ready."""
        failed = []
        for process in self.processes:
            if not wait_until(process.spec.ready_url, process.spec.ready_timeout_s, process):
                failed.append(process.spec.name)
        return failed

    def stop(self) -> None:
        self._stopping.set()
        # The gateway first so no new request reaches a half-stopped backend.
        for process in reversed(self.processes):
            if process.running:
                logger.info("Stopping %s", process.spec.name)
            process.stop()

    def watch(self, poll_s: float = 0.5) -> None:
        """Until stop(): restarts a part that exits or stops answering; never gives up."""
        parts = [_Watched(p) for p in self.processes]
        while not self._stopping.wait(poll_s):
            for part in parts:
                if self._stopping.is_set():
                    return
                part.step(time.monotonic())


class _Watched:
    """One part's life: up (checked every few seconds), or down and waiting to restart."""

    def __init__(self, process: ManagedProcess) -> None:
        self.process = process
        self.started_at = time.monotonic()
        self.ready = True  # the supervisor starts watching once everything is ready
        self.failures = 0
        self.next_check = 0.0
        self.backoff = 1.0
        self.restart_at: float | None = None

    def step(self, now: float) -> None:
        process, name = self.process, self.process.spec.name
        if self.restart_at is not None:
            if now >= self.restart_at:
                self._restart(now)
            return
        if not process.running:
            logger.warning("%s exited (code %s)", name, process.returncode)
            self._schedule_restart(now)
            return
        if now < self.next_check:
            return
        self.next_check = now + HEALTH_EVERY_S
        if url_answers(process.spec.ready_url, HEALTH_TIMEOUT_S):
            self.failures = 0
            if not self.ready:
                logger.info("%s is back", name)
            self.ready = True
            if now - self.started_at > _STABLE_AFTER_S:
                self.backoff = 1.0
            return
        if not self.ready:
            # Still starting (Rasa loads its model for up to minutes): only its own limit.
            if now - self.started_at > process.spec.ready_timeout_s:
                logger.error("%s did not become ready in time", name)
                self._schedule_restart(now)
            return
        self.failures += 1
        if self.failures >= UNHEALTHY_AFTER:
            logger.error("%s stopped answering its health check", name)
            self._schedule_restart(now)

    def _schedule_restart(self, now: float) -> None:
        # Kill first, whatever state it is in (dead leader, live child; or stopped).
        self.process.kill_group()
        self.restart_at = now + self.backoff
        logger.warning("%s restarts in %.0f s", self.process.spec.name, self.backoff)
        self.backoff = min(self.backoff * 2, BACKOFF_MAX_S)

    def _restart(self, now: float) -> None:
        spec = self.process.spec
        if spec.port is not None and not wait_port_free(spec.port, timeout_s=1.0):
            logger.warning("%s: port %s still in use; waiting", spec.name, spec.port)
            self.restart_at = now + 1.0
            return
        logger.warning("Restarting %s", spec.name)
        self.process.start()
        self.restart_at = None
        self.started_at = now
        self.ready = False
        self.failures = 0
        self.next_check = now + 1.0


def install_signal_handlers(supervisor: Supervisor) -> None:
    def handle(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:])
    except OSError:
        return ""
