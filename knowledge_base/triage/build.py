"""Trains the triage classifier from the bank, only when the bank or the model changed."""

from __future__ import annotations

import logging
from pathlib import Path

from knowledge_base.embedding import Embedder
from knowledge_base.triage.bank import BANK_DIR, bank_fingerprint, for_training, load_bank
from knowledge_base.triage.classifier import TriageClassifier, read_manifest

logger = logging.getLogger(__name__)

FORMAT = 3  # 3: rules-only categories are left out of training


def classifier_is_current(directory: Path, model_identity: str, bank: Path = BANK_DIR) -> bool:
    manifest = read_manifest(directory)
    return manifest == _manifest(model_identity, bank)


def _manifest(model_identity: str, bank: Path) -> dict[str, object]:
    return {"format": FORMAT, "model": model_identity, "bank": bank_fingerprint(bank)}


def build_classifier(directory: Path, embedder: Embedder, bank: Path = BANK_DIR) -> int:
    """Embeds every bank message as the Rasa featurizer does (e5 "query:" side), trains and
    saves; returns how many messages it learnt from."""
    messages = for_training(load_bank(bank))
    vectors = embedder.embed_queries([m.text for m in messages])
    texts = [m.text for m in messages]
    classifier = TriageClassifier.train(
        texts, vectors, [m.label for m in messages], [m.category for m in messages]
    )
    classifier.save(directory, _manifest(embedder.identity, bank))
    logger.info("Triage classifier trained on %d bank messages", len(messages))
    return len(messages)
