"""Shared helpers for the knowledge-base editing tests: entries to start from, written as
files, and the console app over them with the tiny deterministic embedder."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.console.keys import CONSOLE_APP, KB_EMBEDDER
from knowledge_base.entry_draft import EntryDraft
from tests.unit.console_support import console_app
from tests.unit.fakes import CharacterGramEmbedder

PAYLOAD = '<script>alert("kb")</script><img src=x onerror=alert(1)>'


def entry(entry_id: str, title_zh: str, title_en: str, **changes: Any) -> EntryDraft:
    """A valid published entry; keyword arguments replace any field."""
    base = EntryDraft(
        id=entry_id,
        title_zh=title_zh,
        title_en=title_en,
        summary_zh=f"{title_zh}的简要回答。",
        summary_en=f"A short answer about {title_en.lower()}.",
        topics=("play",),
        age_min="0",
        age_max="36",
        source_issuer="国家卫生健康委员会",
        source_document="测试文件",
        source_date="2022-01-01",
        reviewed_on="2026-11-30",
        review_due="2027-11-30",
        status="published",
        questions_zh=(title_zh,),
        questions_en=(title_en,),
        body_zh=f"{title_zh}：正文第一段。\n\n- 要点一\n- 要点二",
        body_en=f"{title_en}: the first paragraph.\n\n- point one\n- point two",
    )
    return dataclasses.replace(base, **changes)


PLAY = entry("play-outdoors", "宝宝每天户外活动多久", "How long should my baby play outdoors")
FEVER = entry(
    "fever-care",
    "宝宝发烧怎么护理",
    "How do I care for a baby with a fever",
    topics=("health", "fever"),
    body_zh="多喝水，注意休息。三个月以下发烧请立即就医。",
    body_en="Give plenty of fluids and rest. A baby under 3 months with a fever must see a "
    "doctor at once.",
)
TAX = entry(
    "tax-deduction",
    "三岁以下婴幼儿照护个税扣除",
    "Income tax deduction for children under 3",
    topics=("money", "tax"),
)


def write_entries(content_dir: Path, *entries: EntryDraft) -> Path:
    content_dir.mkdir(parents=True, exist_ok=True)
    for draft in entries or (PLAY, FEVER, TAX):
        (content_dir / f"{draft.id}.md").write_text(draft.to_text(), encoding="utf-8")
    return content_dir


def kb_env(tmp_path: Path) -> dict[str, str]:
    return {
        "TUOYU_CONTENT_DIR": str(tmp_path / "content"),
        "TUOYU_INDEX_DIR": str(tmp_path / "index"),
        "TUOYU_TRIAGE_DIR": str(tmp_path / "no-triage-classifier"),
    }


def kb_console_app(tmp_path: Path) -> web.Application:
    """The gateway app with its console over tmp_path/content, searching with the small
    deterministic embedder instead of the real model."""
    write_entries(tmp_path / "content")
    app = console_app(tmp_path / "var", kb_env(tmp_path))
    app[CONSOLE_APP][KB_EMBEDDER] = CharacterGramEmbedder
    return app
