"""Shared helpers for the staff console tests: the app with accounts, signing in, forms."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.console.accounts import ConsoleAccounts
from bot.settings import Settings
from tests.unit.fakes import gateway_app
from tests.unit.test_registry import ZH_HEADERS

PASSWORDS = {
    "admin": "Quiet-harbor-71",
    "editor": "Amber+lantern-82",
    "registry": "Copper/meadow-93",
    "caseworker": "Silver&orchid-04",
}
ROLES = tuple(PASSWORDS)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def registry_csv(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ZH_HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def console_settings(var_dir: Path, env: dict[str, str] | None = None) -> Settings:
    """env: more TUOYU_* settings (a content folder of the test's own)."""
    return Settings.from_env(
        {"TUOYU_VAR_DIR": str(var_dir), "TUOYU_RASA_TOKEN": "t", **(env or {})}
    )


def console_app(var_dir: Path, env: dict[str, str] | None = None) -> web.Application:
    """The gateway app (console mounted) over a fake Rasa, with one account per role."""
    settings = console_settings(var_dir, env)
    accounts = ConsoleAccounts(settings.console_db_path)
    for role, password in PASSWORDS.items():
        accounts.create_user(f"{role}1", role, password, actor="test")
    return gateway_app(settings)


def csrf_from(page: str) -> str:
    match = _CSRF.search(page)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def csrf(client: TestClient[Any, Any], path: str = "/admin/login") -> str:
    response = await client.get(path)
    return csrf_from(await response.text())


async def sign_in(
    client: TestClient[Any, Any], role: str, *, password: str | None = None
) -> aiohttp.ClientResponse:
    token = await csrf(client)
    return await client.post(
        "/admin/login",
        data={
            "csrf_token": token,
            "username": f"{role}1",
            "password": PASSWORDS[role] if password is None else password,
        },
        allow_redirects=False,
    )


async def post_form(
    client: TestClient[Any, Any], page: str, action: str, data: dict[str, str]
) -> aiohttp.ClientResponse:
    """Posts a form the way a browser does: with the CSRF token from the page it is on."""
    token = await csrf(client, page)
    return await client.post(action, data={"csrf_token": token, **data}, allow_redirects=False)
