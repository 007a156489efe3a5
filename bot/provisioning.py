"""Builds what the services need and skips what is already current.

Order: embedding model folder, guidance index, triage classifier, Rasa model. Each step checks
cheaply first, so
a warm `tuoyu setup` takes seconds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.settings import Settings
from bot.training import train_if_needed
from knowledge_base.content import load_entries
from knowledge_base.embedding import model_identity
from knowledge_base.index import chunks_for, index_is_current
from knowledge_base.model_builder import build_e5_model, model_is_current

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    rasa_model: Path
    built: tuple[str, ...]


def ensure_embedding_model(settings: Settings, *, force: bool = False) -> bool:
    if not force and model_is_current(settings.embedding_model_dir):
        return False
    logger.info("Building the embedding model in %s", settings.embedding_model_dir)
    build_e5_model(settings.embedding_model_dir, force=force)
    return True


def ensure_guidance_index(
    settings: Settings, *, force: bool = False, show_progress: bool = True
) -> bool:
    loaded = load_entries(settings.content_dir)
    for problem in loaded.problems:
        logger.warning("Knowledge base: %s", problem)
    published = loaded.published()
    identity = model_identity(settings.embedding_model_dir)
    if not force and index_is_current(settings.index_dir, identity, chunks_for(published)):
        return False
    # Imported here: loading torch costs seconds that a warm setup should not pay.
    from knowledge_base.embedding import SentenceTransformerEmbedder
    from knowledge_base.index import ensure_index

    embedder = SentenceTransformerEmbedder(settings.embedding_model_dir)
    ensure_index(settings.index_dir, published, embedder, force=True, show_progress=show_progress)
    return True


def ensure_triage_classifier(settings: Settings, *, force: bool = False) -> bool:
    from knowledge_base.triage.build import build_classifier, classifier_is_current

    identity = model_identity(settings.embedding_model_dir)
    if not force and classifier_is_current(settings.triage_dir, identity):
        return False
    from knowledge_base.embedding import SentenceTransformerEmbedder

    build_classifier(settings.triage_dir, SentenceTransformerEmbedder(settings.embedding_model_dir))
    return True


def ensure_registry(settings: Settings) -> bool:
    """An empty registry gets the SAMPLE one, so the finder works before real data arrives."""
    from knowledge_base.registry.cli import ensure_registry as import_sample_if_empty

    return import_sample_if_empty(settings.database_url, settings.var_dir / "sample-registry.csv")


def prepare(settings: Settings, *, force_train: bool = False) -> Prepared:
    built: list[str] = []
    if ensure_registry(settings):
        built.append("sample registry")
    if ensure_embedding_model(settings):
        built.append("embedding model")
    if ensure_guidance_index(settings):
        built.append("guidance index")
    if ensure_triage_classifier(settings):
        built.append("triage classifier")
    rasa_model, trained = train_if_needed(settings, force=force_train)
    if trained:
        built.append("rasa model")
    return Prepared(rasa_model=rasa_model, built=tuple(built))
