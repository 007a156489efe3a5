"""Readable one-line logs for every Tuoyu process."""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        # The date too: log files are kept for days and rotate (bot/supervisor.py).
        datefmt="%Y-%m-%d %H:%M:%S",
    )
