"""Starts the real Rasa server, action server and gateway once per test session.

They run on free ports with a var/ folder of their own (tracker store, review queue, index),
sharing only the built embedding model and the trained Rasa model with the project.
"""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot import processes
from bot.settings import Settings
from bot.supervisor import ManagedProcess, post_json, tail, url_answers, wait_until
from bot.training import model_path

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Stack:
    settings: Settings
    rasa_model: Path
    processes: dict[str, ManagedProcess]

    @property
    def base_url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.port}"

    def chat(self, sender_id: str, message: str) -> tuple[int, dict[str, Any]]:
        status, body = post_json(
            f"{self.base_url}/api/chat", {"sender_id": sender_id, "message": message}
        )
        assert isinstance(body, dict)
        return status, body

    def texts(self, sender_id: str, message: str) -> list[str]:
        status, body = self.chat(sender_id, message)
        assert status == 200, body
        return [reply["text"] for reply in body["replies"]]

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
        assert wait_until(process.spec.ready_url, process.spec.ready_timeout_s, process), tail(
            process.spec.log_file or Path("/dev/null")
        )

    def stop(self, name: str) -> None:
        self.processes[name].stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    project = Settings.from_env()
    rasa_model = model_path(project)
    if not rasa_model.is_file() or not (project.embedding_model_dir / "modules.json").is_file():
        pytest.fail("Integration tests need `tuoyu setup` first (run them with `make test`).")
    var = tmp_path_factory.mktemp("var")
    settings = Settings.from_env(
        {
            "TUOYU_VAR_DIR": str(var),
            "TUOYU_EMBEDDING_MODEL_DIR": str(project.embedding_model_dir),
            "TUOYU_LOG_LEVEL": "INFO",
        }
    ).with_ports(port=free_port(), rasa_port=free_port(), actions_port=free_port())
    specs = [
        processes.action_server(settings),
        processes.rasa_server(settings, rasa_model),
        processes.gateway(settings),
    ]
    started = {spec.name: ManagedProcess(spec, echo=False) for spec in specs}
    result = Stack(settings, rasa_model, started)
    try:
        for process in started.values():
            process.start()
        for process in started.values():
            ready = wait_until(process.spec.ready_url, process.spec.ready_timeout_s, process)
            assert ready, f"{process.spec.name} did not start:\n" + tail(
                process.spec.log_file or Path("/dev/null"), 40
            )
        assert wait_until(f"{result.base_url}/healthz", 60), "stack never became healthy"
        # The first guidance question loads the embedding model in the action server.
        result.chat("warm-up", "宝宝几个月可以加辅食？")
        yield result
    finally:
        for process in reversed(list(started.values())):
            process.stop()
        for process in started.values():
            assert not process.running
        assert not url_answers(f"{result.base_url}/healthz", 1)
