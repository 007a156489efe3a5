"""Who may see what: sessions with idle and absolute timeouts, roles per route, CSRF tokens.

Every handler says who may call it with @requires(...) or @public. The guard middleware reads
that from the matched route, so a handler that says nothing is for admins only: a new route
is never open by accident.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp_session import Session, get_session, new_session

from bot.console.accounts import ROLE_NAMES, User
from bot.console.keys import ACCOUNTS

IDLE_TIMEOUT_S = 30 * 60
ABSOLUTE_TIMEOUT_S = 12 * 3600
CSRF_FIELD = "csrf_token"
ACCESS = "console_access"
CHECKS_CSRF_ITSELF = "console_checks_csrf_itself"
_USER = web.RequestKey("console_user", User)
_CSRF = web.RequestKey("console_csrf", str)

H = TypeVar("H", bound=Callable[..., Awaitable[web.StreamResponse]])


def requires(*roles: str) -> Callable[[H], H]:
    """Signed-in staff with one of these roles (or admin); no roles: any signed-in staff."""

    def mark(handler: H) -> H:
        setattr(handler, ACCESS, frozenset(roles))
        return handler

    return mark


def public(handler: H) -> H:
    """Anyone, signed in or not (the login page)."""
    setattr(handler, ACCESS, None)
    return handler


def checks_csrf_itself(handler: H) -> H:
    """A multipart form: the handler reads the token from the body with read_csrf_part."""
    setattr(handler, CHECKS_CSRF_ITSELF, True)
    return handler


def access_of(handler: object) -> frozenset[str] | None:
    """The roles a route handler allows; None when anyone may call it. Unmarked: admin."""
    if not hasattr(handler, ACCESS):
        return frozenset({"admin"})
    value: frozenset[str] | None = getattr(handler, ACCESS)
    return value


def current_user(request: web.Request) -> User | None:
    return request.get(_USER)


def signed_in_user(request: web.Request) -> User:
    user = current_user(request)
    if user is None:  # the guard let an anonymous request through to a guarded handler
        raise web.HTTPForbidden()
    return user


def csrf_token(request: web.Request) -> str:
    return request[_CSRF]


def csrf_matches(request: web.Request, sent: object) -> bool:
    return isinstance(sent, str) and hmac.compare_digest(
        sent.encode(), csrf_token(request).encode()
    )


async def render(
    template: str, request: web.Request, context: dict[str, Any], status: int = 200
) -> web.Response:
    """A page, with what every page needs: the user, the CSRF field, messages, role checks."""
    user = current_user(request)
    page = {
        "user": user,
        "role_names": ROLE_NAMES,
        "csrf_field": CSRF_FIELD,
        "csrf_token": request.get(_CSRF, ""),
        "flashes": await take_flashes(request),
        "may": (lambda *roles: user is not None and user.may(frozenset(roles))),
        "pager_query": (lambda page: urlencode({**request.query, "page": str(page)})),
    }
    return aiohttp_jinja2.render_template(template, request, {**page, **context}, status=status)


async def forbidden(request: web.Request, reason: str) -> web.Response:
    return await render("forbidden.html", request, {"reason": reason}, status=403)


def _safe_next(target: str) -> str:
    """Only a path inside the console: never another site (an open redirect)."""
    if target.startswith("/admin/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/admin/"


def login_redirect(request: web.Request) -> web.HTTPFound:
    target = request.path_qs if request.method == "GET" else "/admin/"
    return web.HTTPFound(f"/admin/login?next={quote(_safe_next(target), safe='/')}")


def after_login(target: str | None) -> str:
    return _safe_next(target or "/admin/")


def _now() -> float:
    return time.time()


async def start_session(request: web.Request, user: User) -> None:
    """A fresh session (a new cookie and CSRF token) for a user who just signed in."""
    session = await new_session(request)
    now = _now()
    session.update(
        {
            "user": user.username,
            "epoch": user.session_epoch,
            "login_at": now,
            "seen_at": now,
            "csrf": secrets.token_urlsafe(32),
        }
    )
    request[_CSRF] = session["csrf"]
    request[_USER] = user


def flash(session: Session, message: str) -> None:
    session["flash"] = [*session.get("flash", []), message][-5:]


async def add_flash(request: web.Request, message: str) -> None:
    flash(await get_session(request), message)


async def take_flashes(request: web.Request) -> list[str]:
    session = await get_session(request)
    messages: list[str] = session.pop("flash", [])
    return messages


async def _signed_in(request: web.Request, session: Session) -> User | None:
    name = session.get("user")
    if not isinstance(name, str):
        return None
    now = _now()
    login_at = float(session.get("login_at", 0))
    seen_at = float(session.get("seen_at", 0))
    ended = None
    if now - login_at > ABSOLUTE_TIMEOUT_S:
        ended = "You were signed out after 12 hours. Sign in again."
    elif now - seen_at > IDLE_TIMEOUT_S:
        ended = "You were signed out after 30 minutes without activity. Sign in again."
    user = None if ended else await _account(request, name)
    if user is None or user.disabled or user.session_epoch != session.get("epoch"):
        session.clear()
        session["csrf"] = secrets.token_urlsafe(32)
        flash(session, ended or "Your session has ended. Sign in again.")
        return None
    session["seen_at"] = now
    return user


async def _account(request: web.Request, name: str) -> User | None:
    import asyncio

    return await asyncio.to_thread(request.app[ACCOUNTS].get, name)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    route_handler: Any = request.match_info.handler
    static = isinstance(request.match_info.route.resource, web.StaticResource)
    access = None if static else access_of(route_handler)
    if static:
        return await handler(request)
    session = await get_session(request)
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    request[_CSRF] = session["csrf"]
    user = await _signed_in(request, session)
    if user is not None:
        request[_USER] = user
    if access is not None:
        if user is None:
            raise login_redirect(request)
        if access and not user.may(access):
            return await forbidden(request, "Your role does not include this page.")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if getattr(route_handler, CHECKS_CSRF_ITSELF, False):
            if request.content_type != "multipart/form-data":
                return await forbidden(request, "The form was not sent as a file upload.")
        else:
            form = await request.post() if request.content_type in _FORM_TYPES else {}
            if not csrf_matches(request, form.get(CSRF_FIELD)):
                return await forbidden(
                    request, "The form had expired or did not come from this console. Try again."
                )
    return await handler(request)


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
