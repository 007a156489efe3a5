"""Debian's Chromium driven by Playwright, as every browser test here launches it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, sync_playwright


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
