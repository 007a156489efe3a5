"""Telegram channel: python-telegram-bot inside the gateway process, over the chat service."""

import os

# PTB 22.2+ warns on every RetryAfter unless durations are timedeltas, which the next major
# version makes the default; opting in now keeps 429 handling free of deprecation warnings.
os.environ.setdefault("PTB_TIMEDELTA", "1")
