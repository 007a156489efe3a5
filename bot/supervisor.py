"""Starts the three processes, prefixes their logs, restarts one that dies, stops all cleanly."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
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
_MAX_RESTARTS = 5
_RESTART_WINDOW_S = 300.0


def url_answers(url: str, timeout_s: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


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
        log: IO[bytes] | None = None
        if self.spec.log_file is not None:
            self.spec.log_file.parent.mkdir(parents=True, exist_ok=True)
            log = self.spec.log_file.open("ab")
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
        )
        self._pump = threading.Thread(
            target=self._copy_output, args=(self._process.stdout, log), daemon=True
        )
        self._pump.start()

    def _copy_output(self, stream: IO[bytes] | None, log: IO[bytes] | None) -> None:
        if stream is None:
            return
        prefix = f"[{self.spec.name:<7}] "
        try:
            for raw in iter(stream.readline, b""):
                line = mask_personal_numbers(raw.decode("utf-8", "replace").rstrip())
                if log is not None:
                    log.write((line + "\n").encode())
                    log.flush()
                if self._echo:
                    print(prefix + line, flush=True)
        finally:
            stream.close()
            if log is not None:
                log.close()

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
        self._restarts: dict[str, list[float]] = {}

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

    def watch(self, poll_s: float = 1.0) -> None:
        """Restarts a process that exits on its own, unless it keeps dying."""
        while not self._stopping.wait(poll_s):
            for process in self.processes:
                if process.running or self._stopping.is_set():
                    continue
                name = process.spec.name
                now = time.monotonic()
                recent = [t for t in self._restarts.get(name, []) if now - t < _RESTART_WINDOW_S]
                if len(recent) >= _MAX_RESTARTS:
                    logger.error(
                        "%s exited (code %s) %d times in %.0f s; giving up",
                        name,
                        process.returncode,
                        len(recent),
                        _RESTART_WINDOW_S,
                    )
                    raise SystemExit(1)
                logger.warning("%s exited (code %s); restarting", name, process.returncode)
                self._restarts[name] = [*recent, now]
                process.start()


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
