"""The three processes on free loopback ports with a var/ folder of their own.

Used by the integration tests and the benchmarks: the same process specs as `tuoyu run`,
sharing only the built embedding model and a trained Rasa model with the project.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import processes, provisioning
from bot.settings import Settings
from bot.supervisor import ManagedProcess, Supervisor, post_json, tail, wait_until

# A question the knowledge base answers with a sourced entry: the sign of a working stack.
NORMAL_QUESTION = "宝宝几个月可以加辅食？"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class StackFailed(RuntimeError):
    pass


@dataclass
class LocalStack:
    settings: Settings
    rasa_model: Path
    processes: dict[str, ManagedProcess]

    @property
    def base_url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.port}"

    def chat(self, sender_id: str, message: str) -> tuple[int, dict[str, Any]]:
        return self.post_chat({"sender_id": sender_id, "message": message})

    def post_chat(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        status, body = post_json(f"{self.base_url}/api/chat", request)
        return status, body if isinstance(body, dict) else {}

    def forget(self, sender_id: str) -> tuple[int, dict[str, Any]]:
        status, body = post_json(f"{self.base_url}/api/forget", {"sender_id": sender_id})
        return status, body if isinstance(body, dict) else {}

    def healthz(self) -> tuple[int, dict[str, Any]]:
        try:
            with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=5) as response:
                return int(response.status), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def tracker(self, sender_id: str) -> dict[str, Any]:
        url = (
            f"{self.settings.rasa_url}/conversations/{sender_id}/tracker"
            f"?token={self.settings.rasa_token()}"
        )
        with urllib.request.urlopen(url, timeout=10) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result

    def start(self, name: str) -> None:
        process = self.processes[name]
        process.start()
        if not wait_until(process.spec.ready_url, process.spec.ready_timeout_s, process):
            raise StackFailed(f"{name} did not start:\n{self.log_tail(name)}")

    def stop(self, name: str) -> None:
        self.processes[name].stop()

    def signal(self, name: str, signum: int) -> None:
        """Sends a signal to one part's main process (a fault drill: SIGKILL, SIGSTOP)."""
        pid = self.processes[name].pid
        if pid is None:
            raise StackFailed(f"{name} is not running")
        os.kill(pid, signum)

    def timed_chat(self, sender_id: str, message: str) -> tuple[float, int, dict[str, Any]]:
        started = time.monotonic()
        status, body = self.chat(sender_id, message)
        return time.monotonic() - started, status, body

    def seconds_until_normal(self, timeout_s: float = 180.0) -> float | None:
        """Seconds until a guidance question gets a sourced answer again; None if never."""
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            status, body = self.chat("fault-probe", NORMAL_QUESTION)
            replies = body.get("replies") or []
            if status == 200 and replies and "来源" in str(replies[0].get("text")):
                return time.monotonic() - started
            time.sleep(1.0)
        return None

    def log_tail(self, name: str, lines: int = 40) -> str:
        log = self.processes[name].spec.log_file
        return tail(log, lines) if log else ""

    def pids(self) -> dict[str, int]:
        return {name: p.pid for name, p in self.processes.items() if p.pid is not None}


@contextmanager
def local_stack(
    var_dir: Path,
    *,
    warm_up: bool = True,
    supervised: bool = False,
    overrides: dict[str, str] | None = None,
) -> Iterator[LocalStack]:
    """Starts Rasa, the action server and the gateway; stops all three on exit.

    supervised: also run the supervisor's watch over them, as `tuoyu run` does (restarts on
    death or a failed health check), for the fault tests. overrides: more TUOYU_* settings
    (a load benchmark lifts the per-address rate limit: all its parents share 127.0.0.1).

    Conversations, the review queue and logs go to var_dir; the embedding model, guidance
    index and Rasa model are the project's own.
    """
    from bot.training import model_path

    project = Settings.from_env()
    rasa_model = model_path(project)
    if not rasa_model.is_file() or not (project.embedding_model_dir / "modules.json").is_file():
        raise StackFailed("Nothing to run yet: run `tuoyu setup` (or `make setup`) first.")
    settings = Settings.from_env(
        {
            "TUOYU_VAR_DIR": str(var_dir),
            "TUOYU_EMBEDDING_MODEL_DIR": str(project.embedding_model_dir),
            # Kept current by `tuoyu setup`; building it here would load the CPU for a minute.
            "TUOYU_INDEX_DIR": str(project.index_dir),
            "TUOYU_TRIAGE_DIR": str(project.triage_dir),
            "TUOYU_LOG_LEVEL": "INFO",
            **(overrides or {}),
        }
    ).with_ports(port=free_port(), rasa_port=free_port(), actions_port=free_port())
    # Like `make run`: the SAMPLE registry until a real one is imported into this var/.
    provisioning.ensure_registry(settings)
    specs = [
        processes.action_server(settings),
        processes.rasa_server(settings, rasa_model),
        processes.gateway(settings),
    ]
    supervisor: Supervisor | None = None
    stack = LocalStack(settings, rasa_model, {s.name: ManagedProcess(s, echo=False) for s in specs})
    try:
        for process in stack.processes.values():
            process.start()
        for name, process in stack.processes.items():
            if not wait_until(process.spec.ready_url, process.spec.ready_timeout_s, process):
                raise StackFailed(f"{name} did not start:\n{stack.log_tail(name)}")
        if not wait_until(f"{stack.base_url}/healthz", 60):
            raise StackFailed(f"never healthy: {stack.healthz()}")
        if warm_up:
            # Loads jieba in Rasa and the embedding model in the action server.
            stack.chat("warm-up", "你好")
            stack.chat("warm-up", "宝宝几个月可以加辅食？")
        if supervised:
            supervisor = Supervisor.over(list(stack.processes.values()))
            threading.Thread(target=supervisor.watch, daemon=True).start()
        yield stack
    finally:
        if supervisor is not None:
            supervisor.stop()
        for process in reversed(list(stack.processes.values())):
            process.stop()
