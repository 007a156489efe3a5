"""Entries as staff change them: drafts that leave published text alone, the workflow, four
eyes, history with restore, changes from git, atomic files, and the file format itself."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge_base.content import check_entry_text, load_entries
from knowledge_base.content_store import (
    OUTSIDE,
    ChangeRefused,
    ContentStore,
    EntryFilter,
    add_example_questions,
    write_atomically,
)
from knowledge_base.entry_draft import EntryDraft
from tests.unit.kb_support import FEVER, PLAY, TAX, entry, write_entries

PROJECT_CONTENT = Path(__file__).resolve().parents[2] / "knowledge_base" / "content"


class AuditRecorder:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, Any, Any]] = []

    def __call__(self, actor: str, action: str, target: str, before: Any, after: Any) -> None:
        self.rows.append((actor, action, target, before, after))

    def actions(self) -> list[str]:
        return [row[1] for row in self.rows]


@pytest.fixture
def audit() -> AuditRecorder:
    return AuditRecorder()


@pytest.fixture
def store(tmp_path: Path, audit: AuditRecorder) -> ContentStore:
    return ContentStore(
        write_entries(tmp_path / "content"), tmp_path / "console.sqlite3", audit=audit
    )


def published_text(store: ContentStore, entry_id: str) -> str:
    return store.path(entry_id).read_text(encoding="utf-8")


def change(
    store: ContentStore, entry_id: str, actor: str, *, submit: bool = False, **fields: Any
) -> None:
    working = store.working(entry_id)
    assert working is not None
    draft = dataclasses.replace(working.draft, **fields)
    store.save(entry_id, draft, actor, base_revision=working.latest_revision, submit=submit)


# -- the file format -----------------------------------------------------------------------


def test_every_project_entry_reads_back_identically_after_the_console_rewrites_it() -> None:
    """The console may rewrite any entry: what the bot reads from it must not change."""
    files = sorted(PROJECT_CONTENT.glob("*.md"))
    assert len(files) > 100
    for path in files:
        text = path.read_text(encoding="utf-8")
        original, problems = check_entry_text(path, text)
        rewritten, problems_after = check_entry_text(path, EntryDraft.from_text(text).to_text())
        assert original is not None, path
        assert rewritten is not None, path
        assert dataclasses.replace(rewritten, path=None) == dataclasses.replace(original, path=None)
        assert [p.message for p in problems_after] == [p.message for p in problems], path


_texts = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r"), max_size=40).map(
    str.strip
)
_items = st.lists(_texts.filter(bool), max_size=4, unique=True).map(tuple)


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    title=_texts,
    summary=_texts,
    issuer=_texts,
    questions=_items,
    topics=st.lists(st.from_regex(r"[a-z][a-z-]{0,8}[a-z]", fullmatch=True), max_size=3),
    body=_texts,
)
def test_any_texts_are_written_so_that_they_read_back_as_typed(
    title: str, summary: str, issuer: str, questions: tuple[str, ...], topics: list[str], body: str
) -> None:
    draft = entry(
        "any-entry",
        title or "标题",
        title or "Title",
        summary_en=summary,
        source_issuer=issuer,
        questions_zh=questions,
        topics=tuple(dict.fromkeys(topics)),
        body_zh="<!-- en -->" if "<!-- en -->" in body else body,
    )
    read_back = EntryDraft.from_text(draft.to_text())
    if "<!-- en -->" in draft.body_zh:
        assert read_back != draft  # the store refuses this one (tested below)
    else:
        assert read_back == draft


def test_a_body_holding_the_english_marker_is_refused(store: ContentStore) -> None:
    with pytest.raises(ChangeRefused, match="cannot contain the line '<!-- en -->'"):
        change(store, PLAY.id, "wang", body_zh="中文\n<!-- en -->\n混进来的英文")


# -- drafts and publishing -----------------------------------------------------------------


def test_a_change_to_a_published_entry_leaves_its_file_alone_until_published(
    store: ContentStore, audit: AuditRecorder
) -> None:
    before = published_text(store, PLAY.id)
    change(store, PLAY.id, "wang", body_zh="新的正文。", submit=True)
    assert published_text(store, PLAY.id) == before
    served = {e.id: e for e in load_entries(store.content_dir).published()}
    assert served[PLAY.id].body.startswith("宝宝每天户外活动多久：正文第一段")
    working = store.working(PLAY.id)
    assert working is not None
    assert working.state == "in_review"
    assert working.draft.body_zh == "新的正文。"
    assert working.published_text == before

    store.publish(PLAY.id, "wang")  # not medical or policy: its editor may publish it
    served = {e.id: e for e in load_entries(store.content_dir).published()}
    assert served[PLAY.id].body == "新的正文。"
    after = store.working(PLAY.id)
    assert after is not None
    assert after.pending is None
    assert after.state == "published"
    assert audit.actions()[-2:] == ["kb.saved", "kb.publish"]
    _, _, target, was, now = audit.rows[-1]
    assert target == PLAY.id
    assert "新的正文。" in str(now)
    assert "正文第一段" in str(was)


def test_a_new_entry_is_a_draft_file_the_bot_never_serves(store: ContentStore) -> None:
    draft = entry("new-topic", "新的问题", "A new question", status="published")
    store.create(draft, "wang")
    text = published_text(store, "new-topic")
    assert "status: draft" in text
    loaded = load_entries(store.content_dir)
    assert loaded.problems == []  # the content folder still passes `kb check`
    assert "new-topic" not in {e.id for e in loaded.published()}
    store.submit("new-topic", "wang")
    assert "status: in_review" in published_text(store, "new-topic")
    store.publish("new-topic", "wang")
    assert "new-topic" in {e.id for e in load_entries(store.content_dir).published()}


def test_creating_needs_a_new_usable_id(store: ContentStore) -> None:
    for bad_id, message in (
        (PLAY.id, "already exists"),
        ("Not An Id", "lowercase words"),
        ("new", "the console uses that address"),
    ):
        with pytest.raises(ChangeRefused, match=message):
            store.create(entry(bad_id, "题", "Question"), "wang")


def test_kb_check_rules_refuse_a_change_with_their_messages(store: ContentStore) -> None:
    with pytest.raises(ChangeRefused) as refused:
        change(
            store,
            FEVER.id,
            "wang",
            source_issuer="",
            body_zh="呼吸困难请立即拨打120。",
            body_en="Keep calm.",
            related=("no-such-entry",),
        )
    problems = refused.value.problems
    assert "'source.issuer' is missing" in problems
    assert "the English body never mentions 120, which the Chinese body names" in problems
    assert "related entry 'no-such-entry' does not exist" in problems
    working = store.working(FEVER.id)
    assert working is not None
    assert working.pending is None  # nothing was saved


def test_a_bad_age_range_is_a_problem_not_silently_dropped(store: ContentStore) -> None:
    with pytest.raises(ChangeRefused, match="'age_months' must be"):
        change(store, PLAY.id, "wang", age_min="50", age_max="3")


# -- four eyes -----------------------------------------------------------------------------


@pytest.mark.parametrize("entry_id", [FEVER.id, TAX.id])
def test_medical_and_policy_entries_need_a_second_person(
    store: ContentStore, entry_id: str
) -> None:
    change(store, entry_id, "wang", summary_zh="改过的摘要。", submit=True)
    with pytest.raises(ChangeRefused, match="someone other than wang"):
        store.publish(entry_id, "wang")
    store.publish(entry_id, "li")
    assert "改过的摘要" in published_text(store, entry_id)


def test_moving_a_change_on_does_not_make_you_its_editor(store: ContentStore) -> None:
    change(store, FEVER.id, "wang", summary_zh="改过的摘要。")
    store.submit(FEVER.id, "li")
    with pytest.raises(ChangeRefused, match="someone other than wang"):
        store.publish(FEVER.id, "wang")
    # The reviewer fixes a word: now they wrote it, and the first editor may publish.
    change(store, FEVER.id, "li", summary_zh="改好的摘要。", submit=True)
    with pytest.raises(ChangeRefused, match="someone other than li"):
        store.publish(FEVER.id, "li")
    store.publish(FEVER.id, "wang")


def test_dropping_the_medical_topic_does_not_lift_four_eyes(store: ContentStore) -> None:
    change(store, FEVER.id, "wang", topics=("play",), submit=True)
    with pytest.raises(ChangeRefused, match="medical entry"):
        store.publish(FEVER.id, "wang")


def test_a_body_that_says_see_a_doctor_is_medical_whatever_its_topics(
    store: ContentStore,
) -> None:
    change(
        store,
        PLAY.id,
        "wang",
        body_zh="跌倒后呕吐要去医院。",
        body_en="Vomiting after a fall: go to hospital.",
        submit=True,
    )
    with pytest.raises(ChangeRefused, match="see a doctor"):
        store.publish(PLAY.id, "wang")


def test_only_an_entry_in_review_is_published(store: ContentStore) -> None:
    change(store, PLAY.id, "wang", summary_zh="新摘要。")
    with pytest.raises(ChangeRefused, match="only an entry in review"):
        store.publish(PLAY.id, "li")
    store.submit(PLAY.id, "wang")
    store.return_to_draft(PLAY.id, "li", "请补充来源")
    with pytest.raises(ChangeRefused, match="only an entry in review"):
        store.publish(PLAY.id, "li")
    history = store.history(PLAY.id)
    assert [r.action for r in history[:3]] == ["returned", "submitted", "saved"]
    assert history[0].note == "请补充来源"


# -- history, restore, discard -------------------------------------------------------------


def test_history_keeps_every_text_and_restore_makes_it_a_draft_change(
    store: ContentStore,
) -> None:
    original = published_text(store, PLAY.id)
    change(store, PLAY.id, "wang", summary_zh="第二版。", submit=True)
    store.publish(PLAY.id, "wang")
    history = store.history(PLAY.id)
    assert [r.action for r in history] == ["published", "saved", "file"]
    first = history[-1]
    assert first.author == OUTSIDE
    assert first.text == original
    working = store.working(PLAY.id)
    assert working is not None
    store.restore(PLAY.id, first.id, "li", base_revision=working.latest_revision)
    # Restoring never reaches parents directly: it is a draft of the published entry.
    assert "第二版" in published_text(store, PLAY.id)
    restored = store.working(PLAY.id)
    assert restored is not None
    assert restored.state == "draft"
    assert restored.draft.summary_zh == PLAY.summary_zh
    assert store.history(PLAY.id)[0].note == f"restored revision {first.id}"


def test_discarding_keeps_the_published_text_or_deletes_a_new_entry(store: ContentStore) -> None:
    before = published_text(store, PLAY.id)
    change(store, PLAY.id, "wang", summary_zh="不要了。")
    store.discard(PLAY.id, "wang")
    working = store.working(PLAY.id)
    assert working is not None
    assert working.pending is None
    assert published_text(store, PLAY.id) == before

    store.create(entry("scratch", "草稿", "Scratch"), "wang")
    store.discard("scratch", "wang")
    assert not store.path("scratch").exists()
    assert store.working("scratch") is None
    deleted = store.history("scratch")
    store.restore("scratch", deleted[-1].id, "wang", base_revision=0)
    assert "status: draft" in published_text(store, "scratch")


# -- changes from outside the console ------------------------------------------------------


def test_a_git_pull_under_a_pending_change_blocks_publishing_until_saved_again(
    store: ContentStore,
) -> None:
    change(store, PLAY.id, "wang", summary_zh="控制台的修改。", submit=True)
    pulled = dataclasses.replace(PLAY, summary_en="Changed in git.").to_text()
    store.path(PLAY.id).write_text(pulled, encoding="utf-8")
    working = store.working(PLAY.id)
    assert working is not None
    assert working.file_changed_outside
    assert store.history(PLAY.id)[0].author == OUTSIDE
    with pytest.raises(ChangeRefused, match="changed outside the console"):
        store.publish(PLAY.id, "li")
    assert published_text(store, PLAY.id) == pulled  # nothing overwritten
    # Saved again, having seen the difference: the change now builds on the pulled file.
    change(store, PLAY.id, "wang", summary_en="Changed in git.", submit=True)
    store.publish(PLAY.id, "li")
    text = published_text(store, PLAY.id)
    assert "控制台的修改" in text
    assert "Changed in git." in text


def test_a_form_opened_before_someone_elses_save_cannot_overwrite_it(store: ContentStore) -> None:
    working = store.working(PLAY.id)
    assert working is not None
    stale = working.latest_revision
    change(store, PLAY.id, "li", summary_zh="李的修改。")
    with pytest.raises(ChangeRefused, match="changed since you opened it"):
        store.save(
            PLAY.id,
            dataclasses.replace(working.draft, summary_zh="王的修改。"),
            "wang",
            base_revision=stale,
        )
    current = store.working(PLAY.id)
    assert current is not None
    assert current.draft.summary_zh == "李的修改。"


# -- example questions from the review queue -----------------------------------------------


def test_example_questions_become_a_pending_change(
    store: ContentStore, audit: AuditRecorder
) -> None:
    before = published_text(store, FEVER.id)
    revision = add_example_questions(
        store, FEVER.id, ["宝宝发烧39度怎么办", "", FEVER.title_zh, "  发烧要捂汗吗 "], "zh", "wang"
    )
    assert revision is not None
    assert revision.action == "examples"
    working = store.working(FEVER.id)
    assert working is not None
    assert working.draft.questions_zh == (FEVER.title_zh, "宝宝发烧39度怎么办", "发烧要捂汗吗")
    assert working.state == "draft"
    assert published_text(store, FEVER.id) == before
    assert audit.actions()[-1] == "kb.examples"
    assert add_example_questions(store, FEVER.id, ["发烧要捂汗吗"], "zh", "wang") is None
    with pytest.raises(ChangeRefused, match="there is no entry"):
        add_example_questions(store, "missing", ["问题"], "zh", "wang")


# -- the list ------------------------------------------------------------------------------


def test_filters_find_overdue_untranslated_and_pending_entries(store: ContentStore) -> None:
    write_entries(
        store.content_dir,
        entry("old-advice", "旧建议", "Old advice", review_due="2026-10", needs_review=True),
        entry("chinese-only", "只有中文", "Chinese only", body_en="", questions_en=()),
    )
    change(store, TAX.id, "wang", summary_zh="待发布。")
    today = dt.date(2026, 12, 1)

    def ids(wanted: EntryFilter) -> set[str]:
        return {row.id for row in store.rows(today, wanted)}

    assert ids(EntryFilter(overdue=True)) == {"old-advice"}
    assert ids(EntryFilter(needs_review=True)) == {"old-advice"}
    assert "chinese-only" in ids(EntryFilter(missing_language=True))
    assert "play-outdoors" not in ids(EntryFilter(missing_language=True))
    assert ids(EntryFilter(state="pending")) == {TAX.id}
    assert ids(EntryFilter(topic="fever")) == {FEVER.id}
    assert ids(EntryFilter(text="个税")) == {TAX.id}
    row = next(r for r in store.rows(today) if r.id == "chinese-only")
    assert "English body" in row.missing_language
    assert row.problems  # kb check fails an entry with no English body


# -- writing files -------------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "entry.md"
    path.write_text("old", encoding="utf-8")

    def crash(source: Any, target: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, "new")
    assert path.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["entry.md"]
    monkeypatch.undo()
    write_atomically(path, "new")
    assert path.read_text(encoding="utf-8") == "new"
    assert os.listdir(tmp_path) == ["entry.md"]
