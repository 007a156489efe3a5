"""Fault drills against a supervised stack, as `tuoyu run` runs it: a part killed or hung.

In each case the parent gets a quick friendly reply (or the emergency answer), and normal
answers return within 60 s with nobody touching anything. The drills run in order on one
stack of their own; each waits for full recovery before it ends.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator

import psutil
import pytest

from bot.local_stack import NORMAL_QUESTION, LocalStack, StackFailed, local_stack

pytestmark = pytest.mark.integration

QUICK_S = 6.0
RECOVERED_S = 60.0


@pytest.fixture(scope="module")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    try:
        with local_stack(tmp_path_factory.mktemp("var-faults"), supervised=True) as stack:
            yield stack
    except StackFailed as failure:
        pytest.fail(str(failure))


def assert_friendly(status: int, body: dict[str, object]) -> None:
    assert status in (200, 503)
    replies = body["replies"]
    assert isinstance(replies, list)
    assert replies
    assert replies[0]["text"]


def test_the_action_server_is_one_process_with_no_worker_to_orphan(
    supervised: LocalStack,
) -> None:
    pid = supervised.processes["actions"].pid
    assert pid is not None
    assert psutil.Process(pid).children(recursive=True) == []


def test_kill_9_of_the_action_server(supervised: LocalStack) -> None:
    supervised.signal("actions", signal.SIGKILL)
    seconds, status, body = supervised.timed_chat("fault-a", NORMAL_QUESTION)
    assert seconds < QUICK_S
    assert_friendly(status, body)
    recovered = supervised.seconds_until_normal()
    assert recovered is not None
    assert recovered < RECOVERED_S


def test_kill_9_of_rasa(supervised: LocalStack) -> None:
    supervised.signal("rasa", signal.SIGKILL)
    seconds, status, body = supervised.timed_chat("fault-r", "宝宝抽搐了，叫不醒")
    assert seconds < QUICK_S
    assert_friendly(status, body)
    assert "120" in str(body["replies"])
    recovered = supervised.seconds_until_normal()
    assert recovered is not None
    assert recovered < RECOVERED_S


def test_a_hung_action_server_sigstop(supervised: LocalStack) -> None:
    supervised.signal("actions", signal.SIGSTOP)
    # The emergency answer does not wait for the hung part.
    seconds, status, body = supervised.timed_chat("fault-h", "宝宝抽搐了，叫不醒")
    assert seconds < QUICK_S
    assert "120" in str(body["replies"])
    seconds, status, body = supervised.timed_chat("fault-h2", NORMAL_QUESTION)
    assert seconds < QUICK_S
    assert_friendly(status, body)
    recovered = supervised.seconds_until_normal()
    assert recovered is not None
    assert recovered < RECOVERED_S
    assert supervised.healthz()[0] == 200


def test_a_hung_rasa_sigstop(supervised: LocalStack) -> None:
    supervised.signal("rasa", signal.SIGSTOP)
    seconds, status, body = supervised.timed_chat("fault-hr", "宝宝抽搐了，叫不醒")
    assert seconds < QUICK_S
    assert "120" in str(body["replies"])
    seconds, status, body = supervised.timed_chat("fault-hr2", NORMAL_QUESTION)
    assert seconds < QUICK_S
    assert_friendly(status, body)
    recovered = supervised.seconds_until_normal()
    assert recovered is not None
    assert recovered < RECOVERED_S
