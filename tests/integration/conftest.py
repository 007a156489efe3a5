"""Starts the real Rasa server, action server and gateway once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from bot.local_stack import LocalStack, StackFailed, local_stack
from bot.supervisor import url_answers
from tests.fake_bot_api import TOKEN, FakeBotApiThread
from tests.integration.postgres import (
    PostgresFailed,
    PostgresMissing,
    PostgresServer,
    server_programs,
    throwaway_postgres,
)


@pytest.fixture(scope="session")
def bot_api() -> Iterator[FakeBotApiThread]:
    """A fake Telegram Bot API the stack's gateway connects to (tests/fake_bot_api.py)."""
    fake = FakeBotApiThread().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory, bot_api: FakeBotApiThread
) -> Iterator[LocalStack]:
    var = tmp_path_factory.mktemp("var")
    try:
        overrides = {
            # The whole suite talks from 127.0.0.1, faster than any one centre's parents;
            # the limits themselves are tested in tests/unit (test_limits.py, test_gateway.py).
            "TUOYU_RATE_PER_ADDRESS": "1000000",
            "TUOYU_TELEGRAM_TOKEN": TOKEN,
            "TUOYU_TELEGRAM_API_URL": bot_api.base_url,
        }
        with local_stack(var, overrides=overrides) as started:
            yield started
            base_url = started.base_url
            processes = list(started.processes.values())
    except StackFailed as failure:
        pytest.fail(str(failure))
    assert all(not p.running for p in processes), "a process outlived the test session"
    assert not url_answers(f"{base_url}/healthz", 1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the session; each test makes its own database."""
    try:
        server_programs()
    except PostgresMissing as missing:
        if os.environ.get("TUOYU_SKIP_POSTGRES") == "1":
            pytest.skip(f"{missing} (skipped: TUOYU_SKIP_POSTGRES=1)")
        pytest.fail(f"{missing}, or set TUOYU_SKIP_POSTGRES=1 to skip the PostgreSQL tests")
    try:
        with throwaway_postgres() as server:
            yield server
    except PostgresFailed as failure:
        pytest.fail(str(failure))
