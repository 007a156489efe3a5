from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.content import load_entries, parse_entry
from tests.unit.conftest import write_entry

CONTENT_DIR = Path(__file__).resolve().parents[2] / "knowledge_base" / "content"


def test_loads_entries_and_keeps_drafts_out_of_published(content_dir: Path) -> None:
    loaded = load_entries(content_dir)
    assert loaded.problems == []
    assert {e.id for e in loaded.entries} == {"solids", "sleep", "tax", "draft-entry"}
    assert {e.id for e in loaded.published()} == {"solids", "sleep", "tax"}


def test_entry_fields_are_read(content_dir: Path) -> None:
    entry = next(e for e in load_entries(content_dir).entries if e.id == "tax")
    assert entry.title["en"] == "Income tax deduction"
    assert entry.source.issuer == "国家卫生健康委员会"
    assert entry.source.date == "2022-01-01"
    assert entry.age_months == (0, 36)
    assert entry.applies_to_age(20)
    assert not entry.applies_to_age(40)
    assert "2022-01-01" in entry.source.line()


def test_a_broken_entry_is_reported_with_file_and_line_and_others_still_load(
    content_dir: Path,
) -> None:
    broken = content_dir / "broken.md"
    broken.write_text(
        "---\nid: broken\ntitle:\n  zh: 标题\nsummary: not bilingual\nstatus: live\n---\n正文\n",
        encoding="utf-8",
    )
    loaded = load_entries(content_dir)
    messages = [str(p) for p in loaded.problems]
    assert any(m.startswith(f"{broken}:3: ") and "title.en" in m for m in messages)
    assert any(m.startswith(f"{broken}:5: ") and "summary" in m for m in messages)
    assert any(m.startswith(f"{broken}:6: ") and "status" in m for m in messages)
    assert any("source" in m for m in messages)
    assert {e.id for e in loaded.published()} == {"solids", "sleep", "tax"}


def test_invalid_yaml_and_missing_front_matter_are_problems(content_dir: Path) -> None:
    (content_dir / "no-front.md").write_text("只有正文\n", encoding="utf-8")
    (content_dir / "bad-yaml.md").write_text("---\nid: [unclosed\n---\nbody\n", encoding="utf-8")
    (content_dir / "binary.md").write_bytes(b"\xff\xfe\x00garbage")
    problems = [str(p) for p in load_entries(content_dir).problems]
    assert any("no-front.md:1: no front matter" in p for p in problems)
    assert any("bad-yaml.md" in p and "not valid YAML" in p for p in problems)
    assert any("binary.md:1:" in p for p in problems)


def test_id_must_match_file_name_and_related_must_exist(content_dir: Path) -> None:
    path = write_entry(content_dir, "other-name", "题", "Title")
    path.rename(content_dir / "renamed.md")
    text = (content_dir / "sleep.md").read_text("utf-8")
    (content_dir / "sleep.md").write_text(
        text.replace("needs_review: false", "needs_review: false\nrelated: [nowhere]"), "utf-8"
    )
    problems = [str(p) for p in load_entries(content_dir).problems]
    assert any("must equal the file name" in p for p in problems)
    assert any("related entry 'nowhere' does not exist" in p for p in problems)


def test_shipped_content_has_no_problems_and_every_entry_names_its_source() -> None:
    loaded = load_entries(CONTENT_DIR)
    assert [str(p) for p in loaded.problems] == []
    assert len(loaded.published()) >= 10
    for entry in loaded.published():
        assert entry.source.issuer
        assert entry.source.document
        assert entry.source.date
        assert entry.summary["en"]
        assert entry.title["en"]


def test_the_english_body_follows_the_marker_and_is_kept_apart(content_dir: Path) -> None:
    write_entry(
        content_dir,
        "fever",
        "发烧",
        "Fever",
        body="发烧。\n\n- 抽搐：打120。",
        body_en="Fever.\n\n- A seizure: call 120.",
    )
    entry = next(e for e in load_entries(content_dir).entries if e.id == "fever")
    assert entry.body == "发烧。\n\n- 抽搐：打120。"
    assert entry.body_en == "Fever.\n\n- A seizure: call 120."
    assert entry.body_in("en") == entry.body_en
    assert entry.body_in("zh") == entry.body


def test_an_entry_without_english_body_fails_the_check_but_still_loads(
    content_dir: Path,
) -> None:
    path = write_entry(content_dir, "fever", "发烧", "Fever", body_en=None)
    loaded = load_entries(content_dir)
    assert [str(p) for p in loaded.problems] == [
        f"{path}:23: no English body: add it after a line '<!-- en -->'"
    ]
    assert "fever" in {e.id for e in loaded.published()}
    with pytest.raises(ValueError, match="no English body"):
        parse_entry(path, path.read_text("utf-8"))


@pytest.mark.parametrize(
    ("body", "body_en", "message"),
    [
        ("抽搐请立刻打120。", "If there is a seizure, act quickly.", "never mentions 120"),
        ("心情低落请打12356。", "Call 120 if life is in danger.", "never mentions 12356"),
        ("超过3天请就医。", "It usually passes in 3 days.", "when to see a doctor"),
    ],
)
def test_an_english_body_that_drops_a_safety_line_fails_the_check(
    content_dir: Path, body: str, body_en: str, message: str
) -> None:
    write_entry(content_dir, "fever", "发烧", "Fever", body=body, body_en=body_en)
    problems = [str(p) for p in load_entries(content_dir).problems]
    assert len(problems) == 1
    assert message in problems[0]


def test_an_english_body_that_keeps_the_safety_lines_passes(content_dir: Path) -> None:
    write_entry(
        content_dir,
        "fever",
        "发烧",
        "Fever",
        body="抽搐请打120；超过3天请就医；心情低落打12356。",
        body_en="A seizure: call 120. See a doctor after 3 days. Feeling low: call 12356.",
    )
    assert load_entries(content_dir).problems == []
