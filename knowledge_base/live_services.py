"""The guidance a running process answers with, swapped for a new one when content changes.

One LiveGuidance lives in the action server (actions/composition.py: parents' answers) and
one in the gateway (the staff console: publishing, "try a question"). Each looks at most
every `check_every_s` seconds at two cheap signs: the entry files' names, sizes and
modification times, and the index manifest's. When either changed (a publish in the console,
a `git pull`, `tuoyu kb build` elsewhere), a background thread loads the entries, brings the
index up to date (ensure_index: one process builds, under a file lock, re-embedding only the
passages that changed; the others wait and load it) and then swaps in the new services in
one assignment. Until then the old services keep answering, so no question waits for a
rebuild and no process needs a restart. The action server also watches in a thread of its
own (start_watching), so the swap does not wait for the next question to notice the change.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.content import Entry, Problem, load_entries
from knowledge_base.embedding import Embedder, Vectors
from knowledge_base.guidance import (
    DEFAULT_CONFIDENCE_THRESHOLD,
    DEFAULT_MAYBE_THRESHOLD,
    GuidanceService,
)
from knowledge_base.index import (
    BuildProgress,
    Manifest,
    PassageIndex,
    chunks_for,
    content_hash,
    ensure_index,
    read_manifest,
)
from knowledge_base.review_queue import ReviewQueue
from knowledge_base.search import GuidanceSearch

logger = logging.getLogger(__name__)

# (entry file name, size, modification time) for every entry; the manifest's (size, time).
ContentSignature = tuple[tuple[str, int, int], ...]
ManifestSignature = tuple[int, int] | None


def _quiet(stage: str, done: int = 0, total: int = 0) -> None:
    return None


@dataclass(frozen=True)
class GuidanceSnapshot:
    """Everything one answer needs, from one state of the content: swapped as a whole."""

    guidance: GuidanceService
    search: GuidanceSearch
    index: PassageIndex
    entries: Mapping[str, Entry]  # published entries
    problems: tuple[Problem, ...]  # entries skipped because they are broken
    content: ContentSignature
    manifest_signature: ManifestSignature
    rebuilt: bool  # whether building this snapshot rebuilt the index
    loaded_at: float  # time.time()

    @property
    def manifest(self) -> Manifest:
        return self.index.manifest


class SerialEmbedder:
    """One embedding at a time: a parent's question and a rebuild's batch share one model,
    and the fast tokenizer under sentence-transformers is not safe across threads."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._lock = threading.Lock()

    @property
    def identity(self) -> str:
        return self._embedder.identity

    @property
    def dim(self) -> int:
        return self._embedder.dim

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        with self._lock:
            return self._embedder.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str], *, show_progress: bool = False) -> Vectors:
        with self._lock:
            return self._embedder.embed_passages(texts, show_progress=show_progress)


class LiveGuidance:
    """The current GuidanceSnapshot of a content folder and index folder."""

    def __init__(
        self,
        content_dir: Path,
        index_dir: Path,
        embedder: Callable[[], Embedder],
        *,
        review_queue: ReviewQueue | None = None,
        threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
        maybe_threshold: float = DEFAULT_MAYBE_THRESHOLD,
        check_every_s: float = 2.0,
    ) -> None:
        self.content_dir = content_dir
        self.index_dir = index_dir
        self._make_embedder = embedder
        self._embedder: SerialEmbedder | None = None
        self._review_queue = review_queue
        self._threshold = threshold
        self._maybe_threshold = maybe_threshold
        self._check_every_s = check_every_s
        self._snapshot: GuidanceSnapshot | None = None
        self._reload_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._checked_at = 0.0
        self._background: threading.Thread | None = None
        self._failed: tuple[ContentSignature, ManifestSignature] | None = None
        self._watching = threading.Event()

    def embedder(self) -> Embedder:
        """The process's one embedding model, loaded on first use."""
        with self._state_lock:
            if self._embedder is None:
                self._embedder = SerialEmbedder(self._make_embedder())
            return self._embedder

    def current(self) -> GuidanceSnapshot:
        """The services to answer with now: built on the first call; afterwards a change seen
        on disk starts a rebuild in the background and this keeps returning the old ones
        until the new ones are ready."""
        snapshot = self._snapshot
        if snapshot is None:
            return self.reload()
        self._check(snapshot)
        return self._snapshot or snapshot

    @property
    def snapshot(self) -> GuidanceSnapshot | None:
        """The services now, without looking for changes (None before the first build)."""
        return self._snapshot

    def reload(self, progress: BuildProgress = _quiet) -> GuidanceSnapshot:
        """Loads the content and index as they are now and swaps them in (blocking)."""
        with self._reload_lock:
            old = self._snapshot
            started = time.perf_counter()
            snapshot = self._build(old, progress)
            self._snapshot = snapshot
            self._failed = None
        logger.info(
            "Knowledge base %s: %d entries, %d passages%s in %.1f s",
            "ready" if old is None else "reloaded",
            len(snapshot.entries),
            snapshot.manifest.chunk_count,
            " (index rebuilt)" if snapshot.rebuilt else "",
            time.perf_counter() - started,
        )
        progress("ready")
        return snapshot

    def start_watching(self) -> None:
        """Looks for changes every check_every_s in a thread of its own, so that a process
        swaps in published content before its next question rather than on it."""
        if self._watching.is_set():
            return
        self._watching.set()
        threading.Thread(target=self._watch, name="kb-watch", daemon=True).start()

    def stop_watching(self) -> None:
        self._watching.clear()

    def _watch(self) -> None:
        while self._watching.is_set():
            snapshot = self._snapshot
            if snapshot is not None:
                try:
                    self._check(snapshot)
                except OSError:
                    logger.exception("Could not look for knowledge-base changes")
            time.sleep(max(self._check_every_s, 0.1))

    @property
    def reloading(self) -> bool:
        background = self._background
        return background is not None and background.is_alive()

    def wait_for_reload(self, timeout_s: float) -> bool:
        """Waits for a background reload to finish; False if one still runs."""
        background = self._background
        if background is not None:
            background.join(timeout_s)
        return not self.reloading

    def _check(self, snapshot: GuidanceSnapshot) -> None:
        now = time.monotonic()
        if now - self._checked_at < self._check_every_s:
            return
        with self._state_lock:
            if now - self._checked_at < self._check_every_s or self.reloading:
                return
            self._checked_at = now
            seen = (self._content_signature(), self._manifest_signature())
            if seen == (snapshot.content, snapshot.manifest_signature) or seen == self._failed:
                return
            self._background = threading.Thread(
                target=self._reload_in_background, args=(seen,), name="kb-reload", daemon=True
            )
            self._background.start()

    def _reload_in_background(self, seen: tuple[ContentSignature, ManifestSignature]) -> None:
        try:
            self.reload()
        except Exception:
            # The old services keep answering; the same state on disk is not retried until
            # something changes again.
            self._failed = seen
            logger.exception("Knowledge base reload failed; still answering from the old one")

    def _build(self, old: GuidanceSnapshot | None, progress: BuildProgress) -> GuidanceSnapshot:
        # Read before loading: a file changed while loading makes the next check differ.
        content = self._content_signature()
        progress("loading entries")
        loaded = load_entries(self.content_dir)
        published = loaded.published()
        embedder = self.embedder()
        if old is not None and self._still_current(old.index, published, embedder):
            index, rebuilt = old.index, False
        else:
            index, rebuilt = ensure_index(
                self.index_dir,
                published,
                embedder,
                reuse=old.index if old else None,
                progress=progress,
            )
        entries = {e.id: e for e in published}
        search = GuidanceSearch(index, entries, embedder)
        guidance = GuidanceService(
            search,
            entries,
            self._review_queue,
            threshold=self._threshold,
            maybe_threshold=self._maybe_threshold,
        )
        return GuidanceSnapshot(
            guidance=guidance,
            search=search,
            index=index,
            entries=entries,
            problems=tuple(loaded.problems),
            content=content,
            manifest_signature=self._manifest_signature(),
            rebuilt=rebuilt,
            loaded_at=time.time(),
        )

    def _still_current(
        self, index: PassageIndex, published: Sequence[Entry], embedder: Embedder
    ) -> bool:
        """The index in memory is the one on disk and fits these entries: nothing to load."""
        return (
            index.manifest == read_manifest(self.index_dir)
            and index.manifest.model == embedder.identity
            and index.manifest.content_hash == content_hash(chunks_for(published))
        )

    def _content_signature(self) -> ContentSignature:
        found = []
        try:
            with os.scandir(self.content_dir) as listing:
                for item in listing:
                    if item.name.endswith(".md") and item.is_file():
                        stat = item.stat()
                        found.append((item.name, stat.st_size, stat.st_mtime_ns))
        except FileNotFoundError:
            return ()
        return tuple(sorted(found))

    def _manifest_signature(self) -> ManifestSignature:
        try:
            stat = (self.index_dir / "manifest.json").stat()
        except FileNotFoundError:
            return None
        return (stat.st_size, stat.st_mtime_ns)
