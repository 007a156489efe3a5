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


@pytest.mark.parametrize(
    ("part", "signum"),
    [
        ("actions", signal.SIGKILL),
        ("rasa", signal.SIGKILL),
        ("actions", signal.SIGSTOP),  # hung, not dead
        ("rasa", signal.SIGSTOP),
    ],
    ids=["kill-9-actions", "kill-9-rasa", "sigstop-actions", "sigstop-rasa"],
)
def test_a_fault_gets_a_quick_reply_and_recovers_by_itself(
    supervised: LocalStack, part: str, signum: int
) -> None:
    supervised.signal(part, signum)
    # The emergency answer does not wait for the broken part.
    seconds, status, body = supervised.timed_chat(f"fault-{part}-{signum}", "宝宝抽搐了，叫不醒")
    assert seconds < QUICK_S
    assert "120" in str(body["replies"])
    seconds, status, body = supervised.timed_chat(f"fault-{part}-{signum}-q", NORMAL_QUESTION)
    assert seconds < QUICK_S
    assert_friendly(status, body)
    recovered = supervised.seconds_until_normal()
    assert recovered is not None
    assert recovered < RECOVERED_S
    assert supervised.healthz()[0] == 200
