"""Telegram throughput with Rasa in the loop, and how late a reply arrives after a 429.

    .venv/bin/python -m benchmarks.telegram [--chats 20] [--messages 5]

Starts its own stack (bot.local_stack) whose gateway runs the python-telegram-bot connector
against the fake Bot API (tests/fake_bot_api.py) on 127.0.0.1. CHATS parents each send
MESSAGES questions at once (a mix of greetings, guidance questions and finder requests); the
figures are parent messages answered, and bot messages sent, per second, from the first
update offered to the last reply received. Then one reply is refused with 429
(retry_after 1 s) and its delay is compared with an unhindered reply.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import save
from bot.local_stack import local_stack
from tests.fake_bot_api import TOKEN, FakeBotApiThread

MESSAGES = [
    "你好",
    "宝宝几个月可以加辅食？",
    "3岁以下个税能扣多少",
    "when can my baby start solid food?",
    "育儿补贴怎么领",
    "望京附近有普惠托育吗",
    "宝宝发烧38度5要去医院吗",
    "谢谢",
]


def _reply_delay(fake: FakeBotApiThread, chat: int, text: str) -> float:
    started = time.monotonic()
    fake.call(fake.api.send_text, chat, text)
    fake.wait_for_messages(chat, 1, 60)
    return time.monotonic() - started


def run(chats: int, messages: int) -> dict[str, Any]:
    fake = FakeBotApiThread().start()
    try:
        with tempfile.TemporaryDirectory() as var:
            overrides = {
                "TUOYU_TELEGRAM_TOKEN": TOKEN,
                "TUOYU_TELEGRAM_API_URL": fake.base_url,
                "TUOYU_LOG_LEVEL": "WARNING",
            }
            with local_stack(Path(var), overrides=overrides):
                deadline = time.monotonic() + 60
                # The connector deletes any webhook just before it starts polling.
                while not fake.api.called("deleteWebhook"):
                    if time.monotonic() > deadline:
                        raise RuntimeError("the connector never polled")
                    time.sleep(0.2)
                started = time.monotonic()
                for n in range(messages):
                    for chat in range(1, chats + 1):
                        text = MESSAGES[(chat + n) % len(MESSAGES)]
                        fake.call(fake.api.send_text, chat, text)
                for chat in range(1, chats + 1):
                    # Each message gets at least one reply; wait for as many as were sent,
                    # then until nothing more arrives for 3 s.
                    fake.wait_for_messages(chat, messages, 300)
                while time.monotonic() - fake.api.called("sendMessage")[-1].at < 3:
                    time.sleep(0.5)
                elapsed = fake.api.called("sendMessage")[-1].at - started
                replied = sum(len(fake.api.sent(c)) for c in range(1, chats + 1))
                plain = _reply_delay(fake, 90_001, "你好")
                fake.api.retry_after_s = 1
                fake.api.faults = [429]
                after_429 = _reply_delay(fake, 90_002, "你好")
    finally:
        fake.stop()
    return {
        "chats": chats,
        "messages_per_chat": messages,
        "parent_messages": chats * messages,
        "bot_messages_sent": replied,
        "seconds": round(elapsed, 2),
        "parent_messages_answered_per_s": round(chats * messages / elapsed, 2),
        "bot_messages_per_s": round(replied / elapsed, 2),
        "reply_s_unhindered": round(plain, 2),
        "reply_s_after_429_retry_after_1s": round(after_429, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--messages", type=int, default=5)
    args = parser.parse_args(argv)
    result = run(args.chats, args.messages)
    for key, value in result.items():
        print(f"  {key}: {value}")
    print(f"saved {save('telegram', result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
