from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from knowledge_base.chunking import MAX_CHUNK_CHARS, body_chunks, entry_chunks
from knowledge_base.content import load_entries


def test_short_paragraphs_are_merged_and_long_ones_split_at_sentence_ends() -> None:
    body = "第一段。\n\n第二段。\n\n" + "这是一个很长的句子，用来测试切分。" * 30
    chunks = body_chunks(body)
    assert chunks[0].startswith("第一段。\n第二段。")
    assert all(len(c) <= MAX_CHUNK_CHARS for c in chunks)
    assert "".join(c.replace("\n", "") for c in chunks) == body.replace("\n", "")
    assert all(c.endswith("。") for c in chunks[1:])


def test_an_unbroken_long_text_is_still_cut() -> None:
    chunks = body_chunks("字" * 1000)
    assert len(chunks) == 5
    assert all(len(c) <= MAX_CHUNK_CHARS for c in chunks)


def test_entry_chunks_cover_titles_questions_summaries_and_body(content_dir: Path) -> None:
    entry = next(e for e in load_entries(content_dir).entries if e.id == "solids")
    kinds = [c.kind for c in entry_chunks(entry)]
    assert kinds.count("title") == 2
    assert kinds.count("question") == 2
    assert kinds.count("summary") == 2
    # The Chinese body and the English body.
    assert [c.text for c in entry_chunks(entry) if c.kind == "body"] == [
        "满6月龄添加辅食。",
        "The body text.",
    ]


def test_multi_sentence_summaries_also_yield_each_sentence(content_dir: Path) -> None:
    entry = next(e for e in load_entries(content_dir).entries if e.id == "solids")
    multi = replace(
        entry,
        summary={
            "zh": "满6月龄添加辅食。先从富含铁的食物开始。",
            "en": "Start at 6 months. Begin with iron.",
        },
    )
    parts = [c.text for c in entry_chunks(multi) if c.kind == "summary_part"]
    assert parts == [
        "满6月龄添加辅食。",
        "先从富含铁的食物开始。",
        "Start at 6 months.",
        "Begin with iron.",
    ]
