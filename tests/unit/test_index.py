from __future__ import annotations

from pathlib import Path

from knowledge_base.content import load_entries
from knowledge_base.index import PassageIndex, ensure_index, read_manifest
from tests.unit.conftest import write_entry
from tests.unit.fakes import CharacterGramEmbedder


def test_index_is_built_once_and_loaded_while_nothing_changes(
    content_dir: Path, tmp_path: Path
) -> None:
    entries = load_entries(content_dir).published()
    embedder = CharacterGramEmbedder()
    index_dir = tmp_path / "index"
    first, rebuilt = ensure_index(index_dir, entries, embedder)
    assert rebuilt
    calls = embedder.calls
    second, rebuilt_again = ensure_index(index_dir, entries, embedder)
    assert not rebuilt_again
    assert embedder.calls == calls
    assert second.manifest == first.manifest
    assert len(second.chunks) == first.manifest.chunk_count > 0


def test_content_change_rebuilds(content_dir: Path, tmp_path: Path) -> None:
    embedder = CharacterGramEmbedder()
    index_dir = tmp_path / "index"
    ensure_index(index_dir, load_entries(content_dir).published(), embedder)
    write_entry(content_dir, "teeth", "宝宝长牙", "Teething")
    index, rebuilt = ensure_index(index_dir, load_entries(content_dir).published(), embedder)
    assert rebuilt
    assert any(c.entry_id == "teeth" for c in index.chunks)


def test_model_change_rebuilds(content_dir: Path, tmp_path: Path) -> None:
    entries = load_entries(content_dir).published()
    index_dir = tmp_path / "index"
    ensure_index(index_dir, entries, CharacterGramEmbedder(identity="a"))
    _, rebuilt = ensure_index(index_dir, entries, CharacterGramEmbedder(identity="b"))
    assert rebuilt
    manifest = read_manifest(index_dir)
    assert manifest is not None
    assert manifest.model == "b"


def test_a_corrupt_index_is_rebuilt_not_fatal(content_dir: Path, tmp_path: Path) -> None:
    entries = load_entries(content_dir).published()
    embedder = CharacterGramEmbedder()
    index_dir = tmp_path / "index"
    ensure_index(index_dir, entries, embedder)
    (index_dir / "passages.faiss").write_bytes(b"not an index")
    index, rebuilt = ensure_index(index_dir, entries, embedder)
    assert rebuilt
    assert PassageIndex.load(index_dir).manifest.chunk_count == index.manifest.chunk_count


def test_search_returns_the_nearest_passage_first(content_dir: Path, tmp_path: Path) -> None:
    embedder = CharacterGramEmbedder()
    index, _ = ensure_index(tmp_path / "i", load_entries(content_dir).published(), embedder)
    results = index.search(embedder.embed_queries(["宝宝安全睡眠"])[0], 3)
    assert results[0][0].entry_id == "sleep"
    assert results[0][1] >= results[1][1]
