"""Signing in and out, the home page, staff accounts and the audit log."""

from __future__ import annotations

import asyncio
import math

from aiohttp import web
from aiohttp_session import get_session

from bot.console.accounts import ROLE_NAMES, ROLES, AccountError
from bot.console.guard import (
    add_flash,
    after_login,
    current_user,
    public,
    render,
    requires,
    signed_in_user,
    start_session,
)
from bot.console.keys import ACCOUNTS
from bot.console.passwords import WeakPassword
from bot.gateway.client_address import client_address

LOCKED_MESSAGE = (
    "Too many failed sign-ins for this account or from this address: "
    "signing in is blocked for 15 minutes."
)
FAILED_MESSAGE = "Wrong username or password."
AUDIT_PER_PAGE = 50


@public
async def login_page(request: web.Request) -> web.StreamResponse:
    if current_user(request) is not None:
        raise web.HTTPFound(after_login(request.query.get("next")))
    return await render("login.html", request, {"next": request.query.get("next", "")})


@public
async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username", ""))[:200]
    password = str(form.get("password", ""))[:2048]
    target = str(form.get("next", ""))
    address = client_address(request) or "unknown"
    result = await asyncio.to_thread(
        request.app[ACCOUNTS].authenticate, username, password, address
    )
    if result.user is None:
        return await render(
            "login.html",
            request,
            {
                "next": target,
                "username": username,
                "error": LOCKED_MESSAGE if result.locked else FAILED_MESSAGE,
            },
            status=429 if result.locked else 401,
        )
    await start_session(request, result.user)
    raise web.HTTPFound(after_login(target))


@requires()
async def logout(request: web.Request) -> web.StreamResponse:
    session = await get_session(request)
    session.invalidate()
    raise web.HTTPFound("/admin/login")


@requires()
async def home(request: web.Request) -> web.StreamResponse:
    return await render("home.html", request, {})


@requires("admin")
async def users_page(request: web.Request) -> web.StreamResponse:
    return await _users(request)


async def _users(
    request: web.Request, error: str | None = None, status: int = 200
) -> web.StreamResponse:
    users = await asyncio.to_thread(request.app[ACCOUNTS].users)
    return await render(
        "users.html",
        request,
        {"users": users, "roles": ROLES, "role_names": ROLE_NAMES, "error": error},
        status=status,
    )


@requires("admin")
async def create_user(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    actor = signed_in_user(request).username
    try:
        user = await asyncio.to_thread(
            request.app[ACCOUNTS].create_user,
            str(form.get("username", "")),
            str(form.get("role", "")),
            str(form.get("password", "")),
            actor=actor,
        )
    except (AccountError, WeakPassword) as error:
        return await _users(request, f"Not created: {error}.", status=400)
    await add_flash(request, f"Created {user.username} ({ROLE_NAMES[user.role]}).")
    raise web.HTTPFound("/admin/users")


@requires("admin")
async def set_disabled(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    name = request.match_info["username"]
    actor = signed_in_user(request).username
    disabled = form.get("disabled") == "1"
    if disabled and name == actor:
        return await _users(request, "You cannot disable your own account.", status=400)
    try:
        await asyncio.to_thread(request.app[ACCOUNTS].set_disabled, name, disabled, actor=actor)
    except AccountError as error:
        return await _users(request, f"Not changed: {error}.", status=400)
    await add_flash(request, f"{name} is {'disabled' if disabled else 'enabled'}.")
    raise web.HTTPFound("/admin/users")


@requires("admin")
async def reset_password(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    name = request.match_info["username"]
    actor = signed_in_user(request).username
    try:
        await asyncio.to_thread(
            request.app[ACCOUNTS].set_password,
            name,
            str(form.get("password", "")),
            actor=actor,
        )
    except (AccountError, WeakPassword) as error:
        return await _users(request, f"Password not changed: {error}.", status=400)
    await add_flash(request, f"New password set for {name}; their sessions have ended.")
    raise web.HTTPFound("/admin/users")


@requires("admin")
async def audit_page(request: web.Request) -> web.StreamResponse:
    try:
        page = max(1, min(int(request.query.get("page", "1")), 1_000_000))
    except ValueError:
        page = 1
    entries, total = await asyncio.to_thread(request.app[ACCOUNTS].audit_page, page, AUDIT_PER_PAGE)
    pages = max(1, math.ceil(total / AUDIT_PER_PAGE))
    return await render(
        "audit.html",
        request,
        {"entries": entries, "page": page, "pages": pages, "total": total},
    )
