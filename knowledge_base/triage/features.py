"""What the triage classifier reads: the e5 sentence vector and the message's own words.

e5 carries meaning across paraphrases and languages, but blurs the small words that decide
triage ("没事了", "lol", "我自己", "last year"). Hashed character 1–3-grams and Latin words of
the normalised text keep them. In a one-off comparison during development (the bank's first
three writers, each held out in turn), e5 alone separated emergencies from safe messages with
AUC 0.88–0.94, n-grams alone 0.84–0.94, both together 0.90–0.97.
"""

from __future__ import annotations

import math
import re
import zlib
from typing import Any

import numpy as np

from knowledge_base.text import normalise

NGRAM_DIM = 2**13
_WORDS = re.compile(r"[a-z']+")


def ngram_vector(text: str) -> Any:
    """L2-normalised log counts of hashed character 1–3-grams and words (crc32: stable
    across processes and Python versions, unlike hash())."""
    counts: dict[int, int] = {}
    norm = normalise(text).lower()
    for n in (1, 2, 3):
        for i in range(len(norm) - n + 1):
            gram = norm[i : i + n]
            if gram.strip():
                key = zlib.crc32(gram.encode()) % NGRAM_DIM
                counts[key] = counts.get(key, 0) + 1
    for word in _WORDS.findall(norm):
        key = zlib.crc32(("w:" + word).encode()) % NGRAM_DIM
        counts[key] = counts.get(key, 0) + 1
    vector = np.zeros(NGRAM_DIM, dtype=np.float32)
    for key, count in counts.items():
        vector[key] = math.log1p(count)
    length = float(np.linalg.norm(vector))
    return vector / length if length else vector


def features(text: str, sentence_vector: Any) -> Any:
    """The classifier's input: the e5 vector, then the n-gram vector."""
    e5 = np.asarray(sentence_vector, dtype=np.float32).reshape(-1)
    return np.concatenate([e5, ngram_vector(text)])
