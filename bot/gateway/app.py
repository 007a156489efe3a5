"""The gateway's app factory."""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler

from bot.console import setup_console
from bot.gateway.answer_feedback import AnswerFeedback, FeedbackTokens
from bot.gateway.backends import BackendWatch, watching
from bot.gateway.chat import handle_chat, handle_forget
from bot.gateway.coverage import handle_coverage, handle_coverage_map
from bot.gateway.facilities import handle_check, handle_map_search, handle_nearby
from bot.gateway.feedback import handle_feedback
from bot.gateway.health import handle_healthz
from bot.gateway.keys import (
    BACKENDS,
    CHAT,
    LANGUAGES,
    LIMITS,
    LIVE_REGISTRY,
    PAYLOADS,
    RASA,
    SETTINGS,
    TRIAGE,
)
from bot.gateway.languages import ConversationLanguages
from bot.gateway.limits import ChatLimits
from bot.gateway.openapi import handle_openapi
from bot.gateway.payloads import PayloadSigner
from bot.gateway.service import ChatService
from bot.gateway.widget import setup_widget
from bot.rasa_client import RasaClient
from bot.settings import Settings
from bot.telegram.gateway import setup_telegram
from knowledge_base.registry.live import LiveRegistry
from knowledge_base.registry.store import FacilityRegistry
from knowledge_base.triage.decision import TriageDecider

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"
MAX_REQUEST_BYTES = 64 * 1024

RasaClientFactory = Callable[[aiohttp.ClientSession, Settings], RasaClient]


def default_rasa_client(session: aiohttp.ClientSession, settings: Settings) -> RasaClient:
    return RasaClient(
        session,
        settings.rasa_url,
        settings.actions_url,
        settings.rasa_token(),
        timeout_s=settings.request_timeout_s,
    )


async def handle_index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html")


async def handle_coverage_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "coverage.html")


async def handle_map(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    page = (STATIC_DIR / "map.html").read_text("utf-8")
    page = page.replace("{{TILE_URL}}", html.escape(settings.map_tile_url, quote=True))
    page = page.replace(
        "{{TILE_ATTRIBUTION}}", html.escape(settings.map_tile_attribution, quote=True)
    )
    response = web.Response(text=page, content_type="text/html")
    tiles = urlsplit(settings.map_tile_url.replace("{s}", "a"))
    if tiles.scheme in ("http", "https") and tiles.netloc:
        # The configured tile server (and its a/b/c subdomains) may serve images here.
        host = (
            tiles.netloc.replace("a.", "*.", 1) if "{s}" in settings.map_tile_url else tiles.netloc
        )
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; img-src 'self' data: {tiles.scheme}://{host}; "
            "style-src 'self'; script-src 'self'; frame-ancestors 'none'"
        )
    return response


DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'"
)


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """On every response, error pages and static files included (on_response_prepare)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
    # Tuoyu's own pages are never framed (the embeddable widget will say otherwise for itself).
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers["Server"] = "Tuoyu"


@web.middleware
async def errors_without_traces(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A client can never cause a 500 with a stack trace: a static path the file system
    rejects (too long, a NUL byte) is a 404, anything else unexpected a plain JSON 500."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except (OSError, ValueError):
        if request.path.startswith("/static/"):
            raise web.HTTPNotFound() from None
        logger.exception("Unexpected error on %s", request.path[:200])
    except Exception:
        logger.exception("Unexpected error on %s", request.path[:200])
    body = {"error": {"code": "internal_error", "message": "Something went wrong; try again."}}
    return web.json_response(body, status=500)


def create_app(
    settings: Settings, *, rasa_client_factory: RasaClientFactory = default_rasa_client
) -> web.Application:
    app = web.Application(client_max_size=MAX_REQUEST_BYTES, middlewares=[errors_without_traces])
    app.on_response_prepare.append(security_headers)
    app[SETTINGS] = settings
    app[LANGUAGES] = ConversationLanguages()
    # Read at start-up: if Rasa or the action server is down, a parent describing a danger
    # sign still gets the emergency number and steps from the gateway itself.
    app[TRIAGE] = TriageDecider.from_files()
    app[PAYLOADS] = PayloadSigner(settings.payload_secret())
    app[LIMITS] = ChatLimits.per_minute(settings.rate_per_sender, settings.rate_per_address)

    async def rasa_session(app: web.Application) -> AsyncIterator[None]:
        connector = aiohttp.TCPConnector(limit=100, keepalive_timeout=30)
        async with aiohttp.ClientSession(connector=connector) as session:
            app[RASA] = rasa_client_factory(session, settings)
            app[BACKENDS] = BackendWatch(app[RASA])
            app[CHAT] = ChatService(
                rasa=app[RASA],
                backends=app[BACKENDS],
                triage=app[TRIAGE],
                signer=app[PAYLOADS],
                limits=app[LIMITS],
                languages=app[LANGUAGES],
                review_queue_path=settings.review_queue_path,
                feedback=AnswerFeedback(
                    FeedbackTokens(settings.payload_secret()), settings.review_queue_path
                ),
            )
            async with watching(app[BACKENDS]):
                yield

    async def registry(app: web.Application) -> AsyncIterator[None]:
        store = FacilityRegistry.open(settings.database_url)
        app[LIVE_REGISTRY] = LiveRegistry(store)
        yield
        store.close()

    app.cleanup_ctx.append(rasa_session)
    app.cleanup_ctx.append(registry)
    setup_telegram(app)
    app.router.add_get("/", handle_index)
    app.router.add_get("/healthz", handle_healthz)
    app.router.add_get("/map", handle_map)
    app.router.add_get("/coverage", handle_coverage_page)
    app.router.add_get("/api/map/search", handle_map_search)
    app.router.add_post("/api/chat", handle_chat)
    app.router.add_post("/api/forget", handle_forget)
    app.router.add_post("/api/feedback", handle_feedback)
    app.router.add_get("/api/facilities/nearby", handle_nearby)
    app.router.add_get("/api/facilities/check", handle_check)
    app.router.add_get("/api/coverage", handle_coverage)
    app.router.add_get("/api/coverage/map", handle_coverage_map)
    app.router.add_get("/api/openapi.json", handle_openapi)
    app.router.add_static("/static/", STATIC_DIR, name="static")
    setup_widget(app)
    setup_console(app)
    return app
