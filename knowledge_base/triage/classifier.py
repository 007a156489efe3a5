"""A small, inspectable classifier over e5 sentence vectors and the message's own words.

Softmax regression (safe / emergency / crisis) over `features.features` gives the
probabilities; the nearest bank emergencies (by e5 vector) give the category, so a message
the rules miss still gets the right steps. The weights, the bank vectors, labels and texts
are one .npz file; `Prediction.neighbours` names the bank messages behind a decision.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge_base.triage.bank import LABELS
from knowledge_base.triage.features import features

MODEL_FILE = "triage-classifier.npz"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class Prediction:
    probabilities: dict[str, float]
    category: str | None
    neighbours: tuple[tuple[float, int], ...]

    @property
    def emergency(self) -> float:
        return self.probabilities.get("emergency", 0.0)

    @property
    def crisis(self) -> float:
        return self.probabilities.get("crisis", 0.0)


def _softmax(logits: Any) -> Any:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def train_softmax(
    vectors: Any, labels: Sequence[int], *, l2: float = 1e-4, steps: int = 1500, rate: float = 8.0
) -> tuple[Any, Any]:
    """Full-batch gradient descent on the L2-regularised cross entropy; returns (W, b).

    Classes are weighted by inverse frequency so the few crisis messages count as much as the
    many safe ones.
    """
    x = np.asarray(vectors, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    n, dim = x.shape
    classes = len(LABELS)
    onehot = np.eye(classes)[y]
    counts = np.bincount(y, minlength=classes).astype(np.float64)
    weights = (n / (classes * np.maximum(counts, 1)))[y][:, None]
    w = np.zeros((dim, classes))
    b = np.zeros(classes)
    for _ in range(steps):
        p = _softmax(x @ w + b)
        grad = (p - onehot) * weights / n
        w -= rate * (x.T @ grad + l2 * w)
        b -= rate * grad.sum(axis=0)
    return w.astype(np.float32), b.astype(np.float32)


class TriageClassifier:
    def __init__(
        self,
        weights: Any,
        bias: Any,
        bank_vectors: Any,
        bank_labels: Any,
        bank_categories: Sequence[str],
        *,
        neighbours: int = 7,
    ) -> None:
        self._w = np.asarray(weights, dtype=np.float32)
        self._b = np.asarray(bias, dtype=np.float32)
        self._bank = np.asarray(bank_vectors, dtype=np.float32)
        self._labels = np.asarray(bank_labels, dtype=np.int64)
        self._categories = list(bank_categories)
        self._k = neighbours

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        vectors: Any,
        labels: Sequence[str],
        categories: Sequence[str | None],
    ) -> TriageClassifier:
        """vectors: the e5 "query:" vectors of texts, as the Rasa featurizer makes them."""
        y = [LABELS.index(label) for label in labels]
        x = np.stack([features(t, v) for t, v in zip(texts, vectors, strict=True)])
        w, b = train_softmax(x, y)
        return cls(w, b, vectors, y, [c or "" for c in categories])

    def predict(self, text: str, vector: Any) -> Prediction:
        v = np.asarray(vector, dtype=np.float32).reshape(-1)
        x = features(text, v).reshape(1, -1)
        probabilities = _softmax((x @ self._w + self._b).astype(np.float64))[0]
        similarities = (self._bank @ v).astype(np.float64)
        order = np.argsort(-similarities)[: self._k]
        return Prediction(
            probabilities={label: float(p) for label, p in zip(LABELS, probabilities, strict=True)},
            category=self._category(similarities),
            neighbours=tuple((float(similarities[i]), int(i)) for i in order),
        )

    def _category(self, similarities: Any) -> str | None:
        """The category most of the nearest bank emergencies share, weighted by similarity."""
        emergency = LABELS.index("emergency")
        candidates = np.flatnonzero(self._labels == emergency)
        if candidates.size == 0:
            return None
        nearest = candidates[np.argsort(-similarities[candidates])[: self._k]]
        votes: dict[str, float] = {}
        for i in nearest:
            if self._categories[i]:
                key = self._categories[i]
                votes[key] = votes.get(key, 0.0) + float(similarities[i])
        return max(votes, key=votes.__getitem__) if votes else None

    def save(self, directory: Path, manifest: dict[str, Any]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / (MODEL_FILE + ".partial.npz")
        np.savez(
            partial,
            weights=self._w,
            bias=self._b,
            bank_vectors=self._bank,
            bank_labels=self._labels,
            bank_categories=np.asarray(self._categories),
        )
        partial.replace(directory / MODEL_FILE)
        (directory / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> TriageClassifier:
        with np.load(directory / MODEL_FILE, allow_pickle=False) as data:
            return cls(
                data["weights"],
                data["bias"],
                data["bank_vectors"],
                data["bank_labels"],
                [str(c) for c in data["bank_categories"]],
            )


def read_manifest(directory: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and (directory / MODEL_FILE).is_file() else None
