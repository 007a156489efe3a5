"""Tuoyu's domain library: content, embeddings, search, registry and calculators.

A plain library: no Rasa, aiohttp or Telegram imports, and no work at import time.
"""
