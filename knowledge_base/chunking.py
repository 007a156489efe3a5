"""Splits entries into the short passages that are embedded and searched."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge_base.content import Entry

# e5-small reads 512 tokens, but short focused passages match questions better.
MAX_CHUNK_CHARS = 220
_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
# Summary sentences: Chinese ends, or an English full stop followed by a space.
_SUMMARY_SENTENCE = re.compile(r"(?<=[。！？!?])\s*|(?<=\.)\s+")
_MIN_SENTENCE_CHARS = 8


@dataclass(frozen=True)
class Chunk:
    entry_id: str
    kind: str  # title, question, summary, summary_part or body
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
    # Each sentence of a summary on its own as well: an English question usually matches one
    # sentence of the English summary, the only English prose an entry has (dev set R@1
    # 0.798 -> 0.814 in a one-off comparison during development).
    for summary in entry.summary.values():
        sentences = [
            part.strip()
            for part in _SUMMARY_SENTENCE.split(summary)
            if len(part.strip()) >= _MIN_SENTENCE_CHARS
        ]
        if len(sentences) > 1:
            chunks.extend(Chunk(entry.id, "summary_part", text) for text in sentences)
    for body in (entry.body, entry.body_en):
        chunks.extend(Chunk(entry.id, "body", text) for text in body_chunks(body))
    return chunks
