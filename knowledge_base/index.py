"""The faiss index of content passages, persisted beside a manifest.

The manifest records which embedding model and which content the index was built from, so the
index is rebuilt exactly when one of them changed and loaded otherwise. A rebuild embeds only
the passages whose text is new, and one process at a time builds (a file lock beside it).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np

from knowledge_base.chunking import Chunk, entry_chunks
from knowledge_base.content import Entry
from knowledge_base.embedding import Embedder, Vectors

logger = logging.getLogger(__name__)

INDEX_FORMAT = 3
_INDEX_FILE = "passages.faiss"
_CHUNKS_FILE = "chunks.json"
_MANIFEST_FILE = "manifest.json"
QUERY_LIKE_KINDS = frozenset({"question", "title"})


@dataclass(frozen=True)
class Manifest:
    format: int
    model: str
    content_hash: str
    chunk_count: int
    dim: int
    built_at: str
    build_seconds: float


def content_hash(chunks: Sequence[Chunk]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(f"{chunk.entry_id}\x1f{chunk.kind}\x1f{chunk.text}\x1e".encode())
    return digest.hexdigest()


def chunks_for(entries: Sequence[Entry]) -> list[Chunk]:
    return [chunk for entry in sorted(entries, key=lambda e: e.id) for chunk in entry_chunks(entry)]


class PassageIndex:
    """Exact inner-product search over normalised passage vectors.

    Exact search (IndexFlatIP) answers in 16.5 ms p95 over 100,000 passages on 2 cores, within
    the 20 ms budget, while HNSW, twenty times faster, found only 63% of the true top 10 on
    the same corpus (python -m benchmarks.index_scale). The starter content has ~2,000.
    """

    def __init__(self, index: Any, chunks: list[Chunk], manifest: Manifest) -> None:
        self._index = index
        self.chunks = chunks
        self.manifest = manifest

    @classmethod
    def build(cls, chunks: list[Chunk], vectors: Vectors, manifest: Manifest) -> PassageIndex:
        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(chunks):
            index.add(vectors)
        return cls(index, chunks, manifest)

    def search(self, query: Vectors, k: int) -> list[tuple[Chunk, float]]:
        """Nearest passages to one query vector, best first."""
        if not self.chunks:
            return []
        k = min(k, len(self.chunks))
        scores, ids = self._index.search(query.reshape(1, -1).astype(np.float32), k)
        return [
            (self.chunks[i], float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0
        ]

    def vectors(self) -> Vectors:
        """Every passage vector in chunk order (an exact index keeps them as given)."""
        if not self.chunks:
            return np.zeros((0, self.manifest.dim), dtype=np.float32)
        vectors: Vectors = self._index.reconstruct_n(0, len(self.chunks))
        return vectors

    def save(self, directory: Path) -> None:
        """Writes the index atomically: a crash leaves the old index in place."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
        try:
            faiss.write_index(self._index, str(staging / _INDEX_FILE))
            (staging / _CHUNKS_FILE).write_text(
                json.dumps([asdict(c) for c in self.chunks], ensure_ascii=False), "utf-8"
            )
            (staging / _MANIFEST_FILE).write_text(
                json.dumps(asdict(self.manifest), indent=2), "utf-8"
            )
            old = directory.with_name(f".{directory.name}-old")
            if directory.exists():
                shutil.rmtree(old, ignore_errors=True)
                os.replace(directory, old)
            os.replace(staging, directory)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    @classmethod
    def load(cls, directory: Path) -> PassageIndex:
        manifest = read_manifest(directory)
        if manifest is None:
            raise FileNotFoundError(f"no index manifest in {directory}")
        index = faiss.read_index(str(directory / _INDEX_FILE))
        raw = json.loads((directory / _CHUNKS_FILE).read_text("utf-8"))
        chunks = [Chunk(**item) for item in raw]
        if index.ntotal != len(chunks):
            raise ValueError(f"index in {directory} holds {index.ntotal} vectors for {len(chunks)}")
        return cls(index, chunks, manifest)


def read_manifest(directory: Path) -> Manifest | None:
    try:
        data = json.loads((directory / _MANIFEST_FILE).read_text("utf-8"))
        return Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None


def index_is_current(directory: Path, embedder_identity: str, chunks: Sequence[Chunk]) -> bool:
    manifest = read_manifest(directory)
    return (
        manifest is not None
        and manifest.format == INDEX_FORMAT
        and manifest.model == embedder_identity
        and manifest.content_hash == content_hash(chunks)
        and (directory / _INDEX_FILE).is_file()
    )


# Texts embedded per call while building: often enough for the progress shown while staff
# publish, and short enough that a parent's question, embedded by the same model in a running
# process, waits for at most one batch (a second or so on 2 cores), never a whole build.
EMBED_BATCH = 64
# A passage vector depends only on its text and on which side of e5 embeds it.
VectorKey = tuple[bool, str]


class BuildProgress(Protocol):
    """Told what an index build is doing: a stage, and passages done out of total."""

    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None: ...


def _quiet(stage: str, done: int = 0, total: int = 0) -> None:
    return None


def vector_key(chunk: Chunk) -> VectorKey:
    return (chunk.kind in QUERY_LIKE_KINDS, chunk.text)


def embed_chunks(
    chunks: Sequence[Chunk],
    embedder: Embedder,
    *,
    show_progress: bool = False,
    known: Mapping[VectorKey, Vectors] | None = None,
    progress: BuildProgress = _quiet,
) -> Vectors:
    """Questions and titles are embedded like queries, everything else like passages.

    A parent's question is closest to a stored question when both sides use e5's symmetric
    "query: " form; on the starter content this widened the score gap between questions the
    knowledge base answers and those it does not (benchmarks/README.md).

    known: vectors already computed by the same model (from the previous index), so that
    publishing one entry embeds only the passages that changed, not all of them.
    """
    known = known or {}
    vectors = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    missing: list[int] = []
    for i, chunk in enumerate(chunks):
        vector = known.get(vector_key(chunk))
        if vector is None:
            missing.append(i)
        else:
            vectors[i] = vector
    query_like = [i for i in missing if chunks[i].kind in QUERY_LIKE_KINDS]
    passages = [i for i in missing if chunks[i].kind not in QUERY_LIKE_KINDS]
    done = 0
    progress("embedding", done, len(missing))
    for group, as_query in ((query_like, True), (passages, False)):
        # `tuoyu kb build` shows sentence-transformers' own progress bar: one call, one bar.
        size = max(len(group), 1) if show_progress else EMBED_BATCH
        for start in range(0, len(group), size):
            batch = group[start : start + size]
            texts = [chunks[i].text for i in batch]
            if as_query:
                vectors[batch] = embedder.embed_queries(texts)
            else:
                vectors[batch] = embedder.embed_passages(texts, show_progress=show_progress)
            done += len(batch)
            progress("embedding", done, len(missing))
    return vectors


def build_index(
    entries: Sequence[Entry],
    embedder: Embedder,
    *,
    show_progress: bool = False,
    known: Mapping[VectorKey, Vectors] | None = None,
    progress: BuildProgress = _quiet,
) -> PassageIndex:
    chunks = chunks_for(entries)
    started = time.perf_counter()
    vectors = embed_chunks(
        chunks, embedder, show_progress=show_progress, known=known, progress=progress
    )
    manifest = Manifest(
        format=INDEX_FORMAT,
        model=embedder.identity,
        content_hash=content_hash(chunks),
        chunk_count=len(chunks),
        dim=embedder.dim,
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        build_seconds=round(time.perf_counter() - started, 3),
    )
    return PassageIndex.build(chunks, vectors, manifest)


def known_vectors(index: PassageIndex | None, model: str) -> dict[VectorKey, Vectors]:
    """The vectors of an index built by this model, by passage text; none from another."""
    if index is None or index.manifest.model != model or index.manifest.format != INDEX_FORMAT:
        return {}
    return {vector_key(c): v for c, v in zip(index.chunks, index.vectors(), strict=True)}


@contextmanager
def index_lock(directory: Path, progress: BuildProgress = _quiet) -> Iterator[None]:
    """One builder at a time for an index folder, across processes (the action server, the
    console in the gateway and `tuoyu kb build` may all notice the same change)."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    with (directory.parent / f".{directory.name}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress("waiting for another build of the index")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _previous_index(directory: Path, reuse: PassageIndex | None) -> PassageIndex | None:
    if reuse is not None:
        return reuse
    try:
        return PassageIndex.load(directory)
    except (OSError, ValueError, RuntimeError):
        return None


def ensure_index(
    directory: Path,
    entries: Sequence[Entry],
    embedder: Embedder,
    *,
    force: bool = False,
    show_progress: bool = False,
    reuse: PassageIndex | None = None,
    progress: BuildProgress = _quiet,
) -> tuple[PassageIndex, bool]:
    """Loads the index if it matches model and content, else builds and saves it.

    A build re-embeds only passages whose text is new: the others keep their vectors from
    `reuse` (the index in memory) or from the index on disk, unless `force`. Returns the index
    and whether it was (re)built.
    """
    chunks = chunks_for(entries)
    with index_lock(directory, progress):
        if not force and index_is_current(directory, embedder.identity, chunks):
            try:
                progress("loading the index")
                return PassageIndex.load(directory), False
            except (OSError, ValueError, RuntimeError) as error:
                logger.warning("Index in %s is unreadable (%s); rebuilding", directory, error)
        known = {} if force else known_vectors(_previous_index(directory, reuse), embedder.identity)
        index = build_index(
            entries, embedder, show_progress=show_progress, known=known, progress=progress
        )
        progress("saving the index")
        index.save(directory)
    logger.info(
        "Built index of %d passages in %.1f s (%d passages embedded)",
        index.manifest.chunk_count,
        index.manifest.build_seconds,
        sum(vector_key(c) not in known for c in index.chunks),
    )
    return index, True
