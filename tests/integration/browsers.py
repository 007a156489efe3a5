"""Debian's Chromium driven by Playwright, as every browser test here launches it, and the
gateway alone for pages that need no Rasa."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from bot import processes
from bot.local_stack import free_port
from bot.settings import Settings
from bot.supervisor import ManagedProcess, wait_until
from knowledge_base.registry.cli import ensure_registry


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is needed for browser tests: scripts/ensure_chromium.sh installs it")
    return path


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed afterwards (no sandbox: CI runs as root in a container)."""
    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def gateway_alone(var: Path, ready_path: str) -> Iterator[str]:
    """The gateway by itself over the sample registry (pages that need no Rasa), its URL."""
    settings = Settings.from_env({"TUOYU_VAR_DIR": str(var)}).with_ports(
        port=free_port(), rasa_port=free_port(), actions_port=free_port()
    )
    assert ensure_registry(settings.database_url, var / "sample.csv")
    gateway = ManagedProcess(processes.gateway(settings), echo=False)
    gateway.start()
    url = f"http://127.0.0.1:{settings.port}"
    try:
        assert wait_until(f"{url}{ready_path}", 60, gateway)
        yield url
    finally:
        gateway.stop()
