from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.settings import Settings
from knowledge_base.content import load_entries
from knowledge_base.guidance import GuidanceService
from knowledge_base.index import ensure_index
from knowledge_base.review_queue import ReviewQueue
from knowledge_base.search import GuidanceSearch
from tests.unit.fakes import CharacterGramEmbedder, FakeRasa, gateway_app

ENTRY_TEMPLATE = """---
id: {id}
title:
  zh: {title_zh}
  en: {title_en}
summary:
  zh: {title_zh}的简要回答。
  en: A short answer about {title_en}.
topics: [test]
age_months: [0, 36]
source:
  issuer: 国家卫生健康委员会
  document: 测试文件
  date: 2022-01-01
reviewed_on: 2026-11-30
review_due: 2027-11-30
status: {status}
needs_review: false
questions:
  zh: [{title_zh}]
  en: [{title_en}]
---
{body}
{english}"""


def write_entry(
    directory: Path,
    entry_id: str,
    title_zh: str,
    title_en: str,
    body: str = "正文内容。",
    status: str = "published",
    body_en: str | None = "The body text.",
) -> Path:
    """An entry file; body_en=None leaves the English body out, as in an untranslated entry."""
    path = directory / f"{entry_id}.md"
    path.write_text(
        ENTRY_TEMPLATE.format(
            id=entry_id,
            title_zh=title_zh,
            title_en=title_en,
            body=body,
            english="" if body_en is None else f"\n<!-- en -->\n{body_en}\n",
            status=status,
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "content"
    directory.mkdir()
    write_entry(
        directory, "solids", "宝宝几个月加辅食", "When to start solid food", "满6月龄添加辅食。"
    )
    write_entry(
        directory, "sleep", "宝宝安全睡眠", "Safe sleep for babies", "仰卧睡在自己的小床上。"
    )
    write_entry(directory, "tax", "个税专项附加扣除", "Income tax deduction", "每孩每月2000元。")
    write_entry(directory, "draft-entry", "草稿条目", "A draft", status="draft")
    return directory


@pytest.fixture
def guidance_service(content_dir: Path, tmp_path: Path) -> GuidanceService:
    """Guidance over the test content, searched with the tiny deterministic embedder."""
    loaded = load_entries(content_dir)
    entries = {e.id: e for e in loaded.published()}
    embedder = CharacterGramEmbedder()
    index, _ = ensure_index(tmp_path / "index", loaded.published(), embedder)
    search = GuidanceSearch(index, entries, embedder)
    return GuidanceService(search, entries, ReviewQueue(tmp_path / "q.sqlite3"), threshold=0.5)


# The gateway over a fake Rasa (a module may define its own `fake` or `client` instead).
@pytest.fixture
def fake() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
async def client(aiohttp_client: Any, fake: FakeRasa, tmp_path: Path) -> TestClient[Any, Any]:
    settings = Settings.from_env({"TUOYU_VAR_DIR": str(tmp_path), "TUOYU_RASA_TOKEN": "t"})
    result: TestClient[Any, Any] = await aiohttp_client(gateway_app(settings, fake))
    return result
