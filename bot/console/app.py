"""The console sub-app: routes, templates, sessions and the headers of its pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import setup as setup_sessions
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from bot.console import kb_pages, kb_try, pages, registry_pages, review_pages, settings_page
from bot.console.accounts import ConsoleAccounts
from bot.console.dashboard_pages import dashboard_page
from bot.console.guard import guard
from bot.console.kb_setup import kb_context, model_embedder
from bot.console.keys import (
    ACCOUNTS,
    CONSOLE_APP,
    ENTRY_CATALOG,
    KB,
    KB_EMBEDDER,
    REVIEW_MODEL,
    UPLOADS,
)
from bot.console.review_model import EntryCatalog, ReviewModel
from bot.console.uploads import UploadStore
from bot.gateway.keys import SETTINGS
from bot.settings import Settings

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


async def console_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Set, not defaulted: the gateway's own defaults are looser than the console needs."""
    response.headers["Content-Security-Policy"] = CONSOLE_CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"


def build_console(settings: Settings) -> web.Application:
    console = web.Application()
    storage = EncryptedCookieStorage(
        settings.console_secret(),
        cookie_name="tuoyu_console",
        path="/admin/",
        httponly=True,
        samesite="Strict",
        secure=settings.public_url.startswith("https"),
        # The absolute timeout (12 h) is checked in the session data; this lets the browser
        # drop the cookie by then too.
        max_age=12 * 3600,
    )
    setup_sessions(console, storage)
    console.middlewares.append(guard)
    aiohttp_jinja2.setup(
        console,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    console.on_response_prepare.append(console_headers)

    async def stores(app: web.Application) -> AsyncIterator[None]:
        app[ACCOUNTS] = ConsoleAccounts(settings.console_db_path)
        app[UPLOADS] = UploadStore(settings.console_uploads_dir)
        yield

    console.cleanup_ctx.append(stores)
    console[KB_EMBEDDER] = model_embedder(settings)
    console.cleanup_ctx.append(kb_context(settings))
    # The review queue borrows the desk's model and live guidance (one model per process).
    console[REVIEW_MODEL] = ReviewModel(
        embedder=lambda: console[KB].live.embedder(),
        guidance=lambda: console[KB].live.reload().guidance,
    )
    console[ENTRY_CATALOG] = EntryCatalog(settings.content_dir)
    add = console.router
    add.add_get("/", pages.home, name="home")
    add.add_get("/login", pages.login_page, name="login")
    add.add_post("/login", pages.login)
    add.add_post("/logout", pages.logout, name="logout")
    add.add_get("/users", pages.users_page, name="users")
    add.add_post("/users", pages.create_user)
    add.add_post("/users/{username}/disabled", pages.set_disabled)
    add.add_post("/users/{username}/password", pages.reset_password)
    add.add_get("/audit", pages.audit_page, name="audit")
    add.add_get("/settings", settings_page.settings_page, name="settings")
    add.add_get("/registry", registry_pages.registry_list, name="registry")
    add.add_get("/registry/upload", registry_pages.upload_page, name="registry_upload")
    add.add_post("/registry/upload", registry_pages.upload)
    add.add_get("/registry/upload/{upload_id}", registry_pages.preview)
    add.add_post("/registry/upload/{upload_id}", registry_pages.confirm_import)
    add.add_get("/registry/institution/{registration_no}", registry_pages.edit_page)
    add.add_post("/registry/institution/{registration_no}", registry_pages.edit)
    add.add_get("/review", review_pages.review_page, name="review")
    add.add_post("/review/dismiss", review_pages.dismiss)
    add.add_post("/review/link", review_pages.link)
    add.add_post("/review/reopen", review_pages.reopen)
    add.add_post("/review/export", review_pages.export)
    # Knowledge base: the fixed paths before /kb/{entry_id}, which would match them too.
    add.add_get("/kb", kb_pages.kb_list, name="kb")
    add.add_get("/kb/new", kb_pages.new_page, name="kb_new")
    add.add_post("/kb/new", kb_pages.create)
    add.add_get("/kb/try", kb_try.try_page, name="kb_try")
    add.add_get("/kb/publishing/{job_id}", kb_pages.publishing_page)
    add.add_get("/kb/{entry_id}", kb_pages.entry_page)
    add.add_post("/kb/{entry_id}", kb_pages.save)
    add.add_get("/kb/{entry_id}/history", kb_pages.history)
    add.add_post("/kb/{entry_id}/submit", kb_pages.submit)
    add.add_post("/kb/{entry_id}/return", kb_pages.return_to_draft)
    add.add_post("/kb/{entry_id}/publish", kb_pages.publish)
    add.add_post("/kb/{entry_id}/discard", kb_pages.discard)
    add.add_post("/kb/{entry_id}/restore", kb_pages.restore)
    add.add_post("/kb/{entry_id}/examples", kb_pages.add_examples)
    add.add_get("/dashboard", dashboard_page, name="dashboard")
    add.add_static("/static/", STATIC, name="static")
    return console


def setup_console(app: web.Application) -> None:
    """Mounts the console at /admin/ on the gateway app."""
    console = build_console(app[SETTINGS])
    app[CONSOLE_APP] = console
    app.add_subapp("/admin/", console)
