"""Running processes answer from the newest published content without a restart, the old
content answering until the new index is ready; rebuilds embed only what changed."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from knowledge_base.content import Entry, load_entries
from knowledge_base.embedding import Vectors
from knowledge_base.index import PassageIndex, ensure_index, read_manifest
from knowledge_base.live_services import LiveGuidance
from tests.unit.fakes import CharacterGramEmbedder
from tests.unit.kb_support import PLAY, TAX, write_entries

NEW_SENTENCE = "每天至少两小时户外活动，新版本的正文。"


class CountingEmbedder(CharacterGramEmbedder):
    """Remembers every passage text it embedded."""

    def __init__(self) -> None:
        super().__init__()
        self.passages: list[str] = []

    def embed_passages(self, texts: Sequence[str], *, show_progress: bool = False) -> Vectors:
        self.passages.extend(texts)
        return super().embed_passages(texts, show_progress=show_progress)


def live(
    tmp_path: Path, embedder: CharacterGramEmbedder, check_every_s: float = 0.0
) -> LiveGuidance:
    return LiveGuidance(
        tmp_path / "content",
        tmp_path / "index",
        lambda: embedder,
        threshold=0.5,
        maybe_threshold=0.3,
        check_every_s=check_every_s,
    )


def answer_text(guidance: LiveGuidance) -> str:
    return guidance.current().guidance.answer(PLAY.title_zh, "zh", record_misses=False).text


def published(tmp_path: Path) -> list[Entry]:
    return load_entries(tmp_path / "content").published()


def publish_play_change(tmp_path: Path) -> None:
    changed = dataclasses.replace(PLAY, body_zh=NEW_SENTENCE)
    (tmp_path / "content" / f"{PLAY.id}.md").write_text(changed.to_text(), encoding="utf-8")


def test_the_old_content_answers_until_the_new_index_is_swapped_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_entries(tmp_path / "content")
    guidance = live(tmp_path, CharacterGramEmbedder())
    assert "正文第一段" in answer_text(guidance)
    building, hold = threading.Event(), threading.Event()

    def slow_build(*args: Any, **kwargs: Any) -> tuple[PassageIndex, bool]:
        building.set()
        assert hold.wait(10), "the test never let the build go on"
        return ensure_index(*args, **kwargs)

    monkeypatch.setattr("knowledge_base.live_services.ensure_index", slow_build)
    publish_play_change(tmp_path)
    started = guidance.current()  # sees the change, starts rebuilding in the background
    assert building.wait(5)
    # Mid-build: questions are still answered at once, from the old content.
    for _ in range(3):
        assert "正文第一段" in answer_text(guidance)
    assert guidance.reloading
    hold.set()
    assert guidance.wait_for_reload(10)
    assert guidance.current() is not started
    assert NEW_SENTENCE in answer_text(guidance)


def test_a_rebuild_embeds_only_the_passages_that_changed(tmp_path: Path) -> None:
    write_entries(tmp_path / "content")
    embedder = CountingEmbedder()
    guidance = live(tmp_path, embedder)
    first = guidance.current()
    everything = len(embedder.passages)
    assert everything > 10
    embedder.passages.clear()
    publish_play_change(tmp_path)
    guidance.reload()
    assert embedder.passages == [NEW_SENTENCE]
    new = guidance.current()
    assert new.manifest.chunk_count == first.manifest.chunk_count
    assert new.manifest.content_hash != first.manifest.content_hash


def test_kb_build_reuses_the_vectors_on_disk_unless_forced(tmp_path: Path) -> None:
    """`tuoyu kb build` (ensure_index with nothing in memory) after one entry changed."""
    write_entries(tmp_path / "content")
    ensure_index(tmp_path / "index", published(tmp_path), CountingEmbedder())
    publish_play_change(tmp_path)
    embedder = CountingEmbedder()
    _, rebuilt = ensure_index(tmp_path / "index", published(tmp_path), embedder)
    assert rebuilt
    assert embedder.passages == [NEW_SENTENCE]
    forced = CountingEmbedder()
    ensure_index(tmp_path / "index", published(tmp_path), forced, force=True)
    assert NEW_SENTENCE in forced.passages
    assert len(forced.passages) > 10


def test_another_process_loads_the_index_one_process_built(tmp_path: Path) -> None:
    """The console (gateway) builds; the action server, seeing the change, only loads."""
    write_entries(tmp_path / "content")
    console, actions = CountingEmbedder(), CountingEmbedder()
    in_gateway, in_action_server = live(tmp_path, console), live(tmp_path, actions)
    in_gateway.current()
    in_action_server.current()
    assert actions.passages == []  # the index on disk was current: loaded, not built
    publish_play_change(tmp_path)
    in_gateway.reload()
    in_action_server.current()
    assert in_action_server.wait_for_reload(10)
    assert NEW_SENTENCE in answer_text(in_action_server)
    assert actions.passages == []


def test_a_git_pull_is_picked_up_within_the_check_interval(tmp_path: Path) -> None:
    write_entries(tmp_path / "content")
    guidance = live(tmp_path, CharacterGramEmbedder(), check_every_s=0.2)
    assert "正文第一段" in answer_text(guidance)
    publish_play_change(tmp_path)  # as `git pull` would change the file
    deadline = time.monotonic() + 10
    while NEW_SENTENCE not in answer_text(guidance):
        assert time.monotonic() < deadline, "the change was never picked up"
        time.sleep(0.05)
    manifest = read_manifest(tmp_path / "index")
    assert manifest is not None
    assert manifest.content_hash == guidance.current().manifest.content_hash


def test_a_watching_process_swaps_before_its_next_question(tmp_path: Path) -> None:
    write_entries(tmp_path / "content")
    guidance = live(tmp_path, CharacterGramEmbedder(), check_every_s=0.05)
    first = guidance.current()
    guidance.start_watching()
    try:
        publish_play_change(tmp_path)
        deadline = time.monotonic() + 10
        while guidance.snapshot is first:  # nobody asks anything meanwhile
            assert time.monotonic() < deadline, "the watcher never saw the change"
            time.sleep(0.02)
    finally:
        guidance.stop_watching()
    assert guidance.wait_for_reload(10)
    assert NEW_SENTENCE in answer_text(guidance)


def test_an_unpublished_file_changes_the_entries_but_not_the_index(tmp_path: Path) -> None:
    write_entries(tmp_path / "content")
    embedder = CountingEmbedder()
    guidance = live(tmp_path, embedder)
    before = guidance.current()
    embedder.passages.clear()
    write_entries(tmp_path / "content", dataclasses.replace(TAX, id="tax-draft", status="draft"))
    after = guidance.reload()
    assert after.index is before.index
    assert embedder.passages == []
    assert "tax-draft" not in after.entries


def test_a_failed_reload_keeps_the_old_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    write_entries(tmp_path / "content")
    guidance = live(tmp_path, CharacterGramEmbedder())
    old = guidance.current()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("faiss exploded")

    monkeypatch.setattr("knowledge_base.live_services.ensure_index", broken)
    publish_play_change(tmp_path)
    guidance.current()
    assert guidance.wait_for_reload(10)
    assert guidance.current() is old
    assert "still answering from the old one" in caplog.text
