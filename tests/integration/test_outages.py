"""What parents see when a backend is down, and that the gateway recovers by itself.

It stops processes of the session's stack and starts them again before it ends, so the tests
after it (pytest orders files by name) find every part running.
"""

from __future__ import annotations

import pytest

from bot.local_stack import LocalStack as Stack
from bot.supervisor import wait_until

pytestmark = pytest.mark.integration


def test_action_server_down_gives_503_then_recovers(stack: Stack) -> None:
    stack.stop("actions")
    try:
        status, body = stack.chat("outage-1", "宝宝几个月可以加辅食？")
        assert status == 503
        assert body["error"]["part"] == "actions"
        assert "稍后再试" in body["replies"][0]["text"]
        health, parts = stack.healthz()
        assert health == 503
        assert parts["parts"]["actions"]["ok"] is False
        assert parts["parts"]["rasa"]["ok"] is True
    finally:
        stack.start("actions")
        assert wait_until(f"{stack.base_url}/healthz", 60)
    status, body = stack.chat("outage-1", "宝宝几个月可以加辅食？")
    assert status == 200
    assert "来源" in body["replies"][0]["text"]


def test_rasa_down_gives_503_in_the_parents_language(stack: Stack) -> None:
    stack.stop("rasa")
    try:
        status, body = stack.chat("outage-2", "is anyone there?")
        assert status == 503
        assert body["error"]["part"] == "rasa"
        assert "try again" in body["replies"][0]["text"]
        health, parts = stack.healthz()
        assert health == 503
        assert parts["parts"]["rasa"]["ok"] is False
        assert parts["parts"]["gateway"]["ok"] is True
    finally:
        stack.start("rasa")
        assert wait_until(f"{stack.base_url}/healthz", 120)
