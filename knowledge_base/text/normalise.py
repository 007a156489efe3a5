"""Messages in one canonical form, however they were typed."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from knowledge_base.text.numerals import arabic_numerals

_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=1)
def _converters() -> tuple[Any, ...]:
    # Imported on first use: OpenCC loads its dictionaries (a few MB) when a converter is
    # built, which import-time work should not do.
    import opencc

    # Hong Kong variants first (衞 → 卫), then Taiwan phrasing (著急 → 着急); plain "t2s"
    # leaves both as they are.
    return opencc.OpenCC("hk2s"), opencc.OpenCC("tw2s")


@functools.lru_cache(maxsize=4096)
def well_formed(text: str) -> str:
    """text with lone surrogates (valid in JSON as "\\ud800", not in UTF-8) replaced by "?":
    OpenCC, SQLite and log files all need real UTF-8."""
    return text.encode("utf-8", "replace").decode("utf-8")


def simplified(text: str) -> str:
    """Traditional characters to simplified; everything else untouched."""
    text = well_formed(text)
    for converter in _converters():
        text = str(converter.convert(text))
    return text


def normalise(text: str, *, numerals: bool = True) -> str:
    """Half-width forms, simplified characters, digits for Chinese numerals, single spaces.

    NFKC turns full-width letters, digits and punctuation (１５８, ？, ℃) into their plain
    forms, so one pattern matches however a phone keyboard typed them. Place names keep
    their numerals (numerals=False): 万年花城 is not "10000年".
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = simplified(text)
    if numerals:
        text = arabic_numerals(text)
    return _SPACES.sub(" ", text).strip()
