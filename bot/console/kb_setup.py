"""Opens the knowledge-base desk with the console, and closes it with the console."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from aiohttp import web

from bot.console.kb_desk import KnowledgeBaseDesk
from bot.console.kb_publishing import IndexRebuilds
from bot.console.keys import ACCOUNTS, KB, KB_EMBEDDER
from bot.settings import Settings
from knowledge_base.content_store import ContentStore
from knowledge_base.embedding import Embedder, SentenceTransformerEmbedder
from knowledge_base.live_services import LiveGuidance


def model_embedder(settings: Settings) -> Callable[[], Embedder]:
    """The real embedding model, loaded only when the console first needs it."""

    def load() -> Embedder:
        return SentenceTransformerEmbedder(settings.embedding_model_dir)

    return load


def kb_context(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup_ctx for the console: opens the desk after the accounts (it audits to them)."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        live = LiveGuidance(
            settings.content_dir,
            settings.index_dir,
            app[KB_EMBEDDER],
            threshold=settings.confidence_threshold,
            maybe_threshold=settings.maybe_threshold,
        )
        # A git pull is picked up before the next "try a question" (once the console has
        # loaded the guidance at all: watching alone never loads the model).
        live.start_watching()
        rebuilds = IndexRebuilds(live)
        app[KB] = KnowledgeBaseDesk(
            store=ContentStore(
                settings.content_dir, settings.console_db_path, audit=app[ACCOUNTS].audit
            ),
            live=live,
            rebuilds=rebuilds,
            triage_dir=settings.triage_dir,
        )
        yield
        live.stop_watching()
        await rebuilds.close()

    return context
