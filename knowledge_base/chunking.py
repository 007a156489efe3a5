"""Splits entries into the short passages that are embedded and searched."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge_base.content import Entry

# e5-small reads 512 tokens, but short focused passages match questions better.
MAX_CHUNK_CHARS = 220
_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


@dataclass(frozen=True)
class Chunk:
    entry_id: str
    kind: str  # title, question, summary or body
    text: str


def _split_long(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        if current and len(current) + len(sentence) > limit:
            pieces.append(current)
            current = ""
        current += sentence
        while len(current) > limit:
            pieces.append(current[:limit])
            current = current[limit:]
    if current.strip():
        pieces.append(current)
    return pieces


def body_chunks(body: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """Paragraphs of the body, merged while short and split at sentence ends while long."""
    chunks: list[str] = []
    current = ""
    for paragraph in (p.strip() for p in _PARAGRAPH.split(body)):
        if not paragraph:
            continue
        for piece in _split_long(paragraph, limit):
            if current and len(current) + len(piece) + 1 > limit:
                chunks.append(current)
                current = piece
            else:
                current = f"{current}\n{piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks


def entry_chunks(entry: Entry) -> list[Chunk]:
    """Every searchable passage of an entry, in both languages where it has them."""
    chunks = [Chunk(entry.id, "title", entry.title[lang]) for lang in ("zh", "en")]
    for lang in ("zh", "en"):
        chunks.extend(Chunk(entry.id, "question", q) for q in entry.questions.get(lang, ()))
    chunks.extend(Chunk(entry.id, "summary", entry.summary[lang]) for lang in ("zh", "en"))
    chunks.extend(Chunk(entry.id, "body", text) for text in body_chunks(entry.body))
    return chunks
