"""Text embedders: the interface search depends on, and the sentence-transformers one."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

# Written by model_builder; its content identifies exactly which weights a folder holds.
MODEL_MARKER = "tuoyu-build.json"


def model_identity(model_dir: Path) -> str:
    """Names the exact weights in a model folder, without loading them."""
    marker = model_dir / MODEL_MARKER
    fingerprint = marker.read_bytes() if marker.is_file() else str(model_dir).encode()
    return f"{model_dir.name}:{hashlib.sha256(fingerprint).hexdigest()[:16]}"


class Embedder(Protocol):
    """Maps texts to L2-normalised vectors; inner product is cosine similarity."""

    @property
    def identity(self) -> str:
        """Changes whenever the vectors would change (model or weights)."""
        ...

    @property
    def dim(self) -> int: ...

    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...

    def embed_passages(self, texts: Sequence[str], *, show_progress: bool = False) -> Vectors: ...


class SentenceTransformerEmbedder:
    """multilingual-e5-small (or any sentence-transformers folder with query/passage prompts)."""

    def __init__(self, model_dir: Path, *, batch_size: int = 32) -> None:
        # Checked before the import, which takes seconds (torch): a missing model fails fast.
        if not (model_dir / "modules.json").is_file():
            raise FileNotFoundError(
                f"No sentence-transformers model in {model_dir}; run `tuoyu setup` to build it."
            )
        from sentence_transformers import SentenceTransformer

        self._model: Any = SentenceTransformer(str(model_dir), device="cpu")
        self._batch_size = batch_size
        self._identity = model_identity(model_dir)
        dim = self._model.get_embedding_dimension()
        self._dim = int(dim) if dim else 384

    @property
    def identity(self) -> str:
        return self._identity

    @property
    def dim(self) -> int:
        return self._dim

    def _encode(self, texts: Sequence[str], prompt_name: str, show_progress: bool) -> Vectors:
        vectors = self._model.encode(
            list(texts),
            prompt_name=prompt_name,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, "query", False)

    def embed_passages(self, texts: Sequence[str], *, show_progress: bool = False) -> Vectors:
        return self._encode(texts, "passage", show_progress)
