"""The staff console's doors: sign-in, sessions, roles on every route, CSRF, lockout."""

from __future__ import annotations

import io
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.console import guard
from bot.console.accounts import ConsoleAccounts
from bot.console.cli import run_admin_command
from bot.console.guard import access_of
from bot.console.keys import CONSOLE_APP
from bot.console.passwords import WeakPassword, check_strength
from tests.unit.console_support import (
    PASSWORDS,
    ROLES,
    console_app,
    console_settings,
    csrf,
    post_form,
    sign_in,
)


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    result: TestClient[Any, Any] = await aiohttp_client(console_app(tmp_path))
    return result


def console_routes(app: web.Application) -> list[tuple[str, str, frozenset[str] | None]]:
    """(method, path with sample values, roles) for every console route, from its router."""
    routes = []
    for route in app[CONSOLE_APP].router.routes():
        if isinstance(route.resource, web.StaticResource) or route.method == "HEAD":
            continue
        assert route.resource is not None
        path = re.sub(r"\{[^}]+\}", "sample-value", route.resource.canonical)
        routes.append((route.method, path, access_of(route.handler)))
    return routes


async def test_routes_are_listed_from_the_router(client: TestClient[Any, Any]) -> None:
    routes = console_routes(client.app)
    assert len(routes) >= 15
    assert ("GET", "/admin/registry", frozenset({"registry"})) in routes
    # Only the login form is open; nothing else was forgotten.
    assert {path for _, path, roles in routes if roles is None} == {"/admin/login"}


async def test_every_route_sends_anonymous_visitors_to_sign_in(
    client: TestClient[Any, Any],
) -> None:
    for method, path, roles in console_routes(client.app):
        if roles is None:
            continue
        token = await csrf(client)
        response = await client.request(
            method, path, data={"csrf_token": token}, allow_redirects=False
        )
        assert response.status == 302, (method, path)
        assert response.headers["Location"].startswith("/admin/login?next="), (method, path)


@pytest.mark.parametrize("role", ROLES)
async def test_every_route_refuses_the_wrong_role(client: TestClient[Any, Any], role: str) -> None:
    assert (await sign_in(client, role)).status == 302
    for method, path, roles in console_routes(client.app):
        if roles is None or not roles or role == "admin" or role in roles:
            continue
        token = await csrf(client, "/admin/")
        response = await client.request(
            method, path, data={"csrf_token": token}, allow_redirects=False
        )
        assert response.status == 403, (role, method, path)
        assert "Not allowed" in await response.text()


async def test_admin_may_open_every_page(client: TestClient[Any, Any]) -> None:
    await sign_in(client, "admin")
    for method, path, _ in console_routes(client.app):
        if method == "GET" and "sample-value" not in path and path != "/admin/login":
            response = await client.get(path, allow_redirects=False)
            assert response.status == 200, path


async def test_an_unmarked_handler_is_for_admins_only() -> None:
    async def forgot_to_say(request: web.Request) -> web.Response:
        return web.Response()

    assert access_of(forgot_to_say) == frozenset({"admin"})


async def test_sign_in_then_out(client: TestClient[Any, Any]) -> None:
    response = await sign_in(client, "registry")
    assert response.status == 302
    assert response.headers["Location"] == "/admin/"
    home = await client.get("/admin/")
    page = await home.text()
    assert "registry1" in page
    assert 'href="/admin/registry"' in page
    assert 'href="/admin/users"' not in page
    response = await post_form(client, "/admin/", "/admin/logout", {})
    assert response.status == 302
    after = await client.get("/admin/", allow_redirects=False)
    assert after.status == 302
    assert after.headers["Location"].startswith("/admin/login")


async def test_the_session_cookie_is_httponly_and_strict(client: TestClient[Any, Any]) -> None:
    response = await sign_in(client, "admin")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Path=/admin/" in cookie
    assert "Secure" not in cookie  # TUOYU_PUBLIC_URL is http here


async def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(
    client: TestClient[Any, Any],
) -> None:
    token = await csrf(client)
    form = {"csrf_token": token, "username": "admin1", "password": PASSWORDS["admin"]}
    response = await client.post(
        "/admin/login", data={**form, "next": "/admin/audit"}, allow_redirects=False
    )
    assert response.headers["Location"] == "/admin/audit"
    client.session.cookie_jar.clear()
    token = await csrf(client)
    response = await client.post(
        "/admin/login",
        data={**form, "csrf_token": token, "next": "//evil.example/"},
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/admin/"


async def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(
    client: TestClient[Any, Any],
) -> None:
    wrong = await sign_in(client, "admin", password="Not-the-right-one-1")
    token = await csrf(client)
    unknown = await client.post(
        "/admin/login",
        data={"csrf_token": token, "username": "nobody", "password": "Whatever-it-is-2"},
    )
    assert wrong.status == unknown.status == 401
    assert "Wrong username or password." in await wrong.text()
    assert "Wrong username or password." in await unknown.text()


async def test_a_post_without_a_valid_csrf_token_is_refused(client: TestClient[Any, Any]) -> None:
    form = {"username": "admin1", "password": PASSWORDS["admin"]}
    assert (await client.post("/admin/login", data=form)).status == 403
    assert (await client.post("/admin/login", data={**form, "csrf_token": "x"})).status == 403
    await sign_in(client, "admin")
    for action, data in (
        ("/admin/users", {"username": "mallory", "role": "admin", "password": "Evil-pass-9876"}),
        ("/admin/logout", {}),
        ("/admin/users/editor1/disabled", {"disabled": "1"}),
    ):
        assert (await client.post(action, data=data)).status == 403, action
        assert (await client.post(action, data={**data, "csrf_token": "forged"})).status == 403
    users = await (await client.get("/admin/users")).text()
    assert "mallory" not in users
    assert (await client.get("/admin/", allow_redirects=False)).status == 200  # still signed in


async def test_an_upload_without_the_csrf_token_is_refused(client: TestClient[Any, Any]) -> None:
    await sign_in(client, "registry")
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(b"a,b\n"), filename="r.csv", content_type="text/csv")
    assert (await client.post("/admin/registry/upload", data=form)).status == 403


async def test_idle_and_absolute_timeouts(
    client: TestClient[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    await sign_in(client, "admin")
    started = time.time()
    monkeypatch.setattr(guard, "_now", lambda: started + 29 * 60)
    assert (await client.get("/admin/", allow_redirects=False)).status == 200
    # Activity moved the idle clock: 29 more minutes are fine too.
    monkeypatch.setattr(guard, "_now", lambda: started + 58 * 60)
    assert (await client.get("/admin/", allow_redirects=False)).status == 200
    monkeypatch.setattr(guard, "_now", lambda: started + 89 * 60)
    response = await client.get("/admin/", allow_redirects=False)
    assert response.status == 302
    login = await (await client.get(response.headers["Location"])).text()
    assert "30 minutes without activity" in login

    signed_in = started + 3600 * 2
    monkeypatch.setattr(guard, "_now", lambda: signed_in)
    await sign_in(client, "admin")
    for minutes in range(20, 12 * 60, 20):  # active all day
        monkeypatch.setattr(guard, "_now", lambda m=minutes: signed_in + m * 60)
        assert (await client.get("/admin/", allow_redirects=False)).status == 200, minutes
    monkeypatch.setattr(guard, "_now", lambda: signed_in + 12 * 3600 + 60)
    assert (await client.get("/admin/", allow_redirects=False)).status == 302


async def test_a_disabled_account_is_signed_out_at_once(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    await sign_in(client, "editor")
    ConsoleAccounts(console_settings(tmp_path).console_db_path).set_disabled(
        "editor1", True, actor="test"
    )
    assert (await client.get("/admin/", allow_redirects=False)).status == 302
    assert (await sign_in(client, "editor")).status == 401


async def test_five_failures_lock_the_account(client: TestClient[Any, Any]) -> None:
    for _ in range(4):
        assert (await sign_in(client, "editor", password="Wrong-password-1")).status == 401
    locked = await sign_in(client, "editor", password="Wrong-password-1")
    assert locked.status == 429
    assert "blocked for 15 minutes" in await locked.text()
    # Even the right password is refused while locked; other accounts still sign in.
    assert (await sign_in(client, "editor")).status == 429
    assert (await sign_in(client, "registry")).status == 302


async def test_twenty_failures_from_one_address_lock_the_address(
    client: TestClient[Any, Any],
) -> None:
    for number in range(19):
        token = await csrf(client)
        response = await client.post(
            "/admin/login",
            data={"csrf_token": token, "username": f"guess{number}", "password": "Nope-nope-123"},
        )
        assert response.status == 401
    token = await csrf(client)
    response = await client.post(
        "/admin/login",
        data={"csrf_token": token, "username": "guess99", "password": "Nope-nope-123"},
    )
    assert response.status == 429
    assert (await sign_in(client, "admin")).status == 429


async def test_behind_a_trusted_proxy_the_lock_is_on_the_forwarded_address(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    # The test client connects from 127.0.0.1, here the centre's reverse proxy.
    app = console_app(tmp_path, {"TUOYU_TRUSTED_PROXIES": "127.0.0.1"})
    client: TestClient[Any, Any] = await aiohttp_client(app)
    guesser = {"X-Forwarded-For": "198.51.100.7"}
    for number in range(20):
        token = await csrf(client)
        await client.post(
            "/admin/login",
            data={"csrf_token": token, "username": f"guess{number}", "password": "Nope-nope-1"},
            headers=guesser,
        )
    token = await csrf(client)
    blocked = await client.post(
        "/admin/login",
        data={"csrf_token": token, "username": "admin1", "password": PASSWORDS["admin"]},
        headers=guesser,
    )
    assert blocked.status == 429
    # Staff elsewhere behind the same proxy still sign in.
    assert (await sign_in(client, "admin")).status == 302


def test_a_lock_ends_after_15_minutes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from bot.console import accounts as module

    accounts = ConsoleAccounts(tmp_path / "c.sqlite3")
    accounts.create_user("carer", "editor", "Plum-Tree-4821", actor="test")
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(module, "_now", lambda: start)
    for _ in range(5):
        accounts.authenticate("carer", "wrong", "10.0.0.1")
    assert accounts.authenticate("carer", "Plum-Tree-4821", "10.0.0.2").locked
    monkeypatch.setattr(module, "_now", lambda: start + dt.timedelta(minutes=16))
    assert accounts.authenticate("carer", "Plum-Tree-4821", "10.0.0.2").user is not None


@pytest.mark.parametrize(
    ("username", "password", "why"),
    [
        ("ann", "Short-1", "at least 12"),
        ("ann", "alllowercaseletters", "two kinds"),
        ("ann", "123456789012345", "two kinds"),
        ("annabel", "Annabel-2026-xyz", "username"),
        ("ann", "Password1234", "too common"),
        ("ann", "aaaaaaaaaaaaA1", "too few"),
    ],
)
def test_weak_passwords_are_refused(username: str, password: str, why: str) -> None:
    with pytest.raises(WeakPassword, match=why):
        check_strength(username, password)


def test_the_cli_refuses_a_weak_password_and_stores_only_argon2id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts = ConsoleAccounts(tmp_path / "c.sqlite3")
    weak = run_admin_command(
        "create-user", accounts, "ann", role="admin", stdin=io.StringIO("password1234\n")
    )
    assert weak == 1
    assert "Refused" in capsys.readouterr().err
    assert accounts.get("ann") is None
    good = "Lantern-Quay-5920"
    assert (
        run_admin_command(
            "create-user", accounts, "Ann", role="admin", stdin=io.StringIO(good + "\n")
        )
        == 0
    )
    with sqlite3.connect(tmp_path / "c.sqlite3") as db:
        (stored,) = db.execute("SELECT password_hash FROM users WHERE username='ann'").fetchone()
        everything = "\n".join(str(r) for r in db.execute("SELECT * FROM users, audit_log"))
    assert stored.startswith("$argon2id$")
    assert good not in everything
    assert accounts.authenticate("ann", good, "x").user is not None
    new = "Harbour-Kite-3318"
    assert run_admin_command("set-password", accounts, "ann", stdin=io.StringIO(new)) == 0
    assert accounts.authenticate("ann", new, "x").user is not None
    assert run_admin_command("disable", accounts, "ann") == 0
    assert accounts.authenticate("ann", new, "x").user is None
    assert run_admin_command("disable", accounts, "nobody") == 1


async def test_console_pages_carry_strict_headers(client: TestClient[Any, Any]) -> None:
    for path in ("/admin/login", "/admin/static/console.css"):
        response = await client.get(path)
        assert response.status == 200
        csp = response.headers["Content-Security-Policy"]
        for rule in (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ):
            assert rule in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Cache-Control"] == "no-store"
    await sign_in(client, "registry")
    forbidden = await client.get("/admin/users")
    assert forbidden.status == 403
    assert "form-action 'self'" in forbidden.headers["Content-Security-Policy"]


async def test_users_are_managed_and_audited(client: TestClient[Any, Any]) -> None:
    await sign_in(client, "admin")
    weak = await post_form(
        client,
        "/admin/users",
        "/admin/users",
        {"username": "zoe", "role": "editor", "password": "zoezoezoezoe1"},
    )
    assert weak.status == 400
    assert "must not contain the username" in await weak.text()
    made = await post_form(
        client,
        "/admin/users",
        "/admin/users",
        {"username": "zoe", "role": "editor", "password": "Pebble-Garden-77"},
    )
    assert made.status == 302
    await post_form(client, "/admin/users", "/admin/users/zoe/disabled", {"disabled": "1"})
    await post_form(
        client, "/admin/users", "/admin/users/zoe/password", {"password": "Fresh-Maple-4410"}
    )
    self_disable = await post_form(
        client, "/admin/users", "/admin/users/admin1/disabled", {"disabled": "1"}
    )
    assert self_disable.status == 400
    audit = await (await client.get("/admin/audit")).text()
    for action in ("user.create", "user.disable", "user.set_password"):
        assert action in audit
    assert "Fresh-Maple-4410" not in audit
    assert "Pebble-Garden-77" not in audit


async def test_admin_without_its_slash_leads_to_the_console(
    client: TestClient[Any, Any],
) -> None:
    response = await client.get("/admin", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"].startswith("/admin/login")


async def test_the_settings_page_names_each_variable_and_never_shows_a_secret(
    client: TestClient[Any, Any],
) -> None:
    await sign_in(client, "admin")
    page = await client.get("/admin/settings")
    text = await page.text()
    assert page.status == 200
    assert "TUOYU_CONFIDENCE_THRESHOLD" in text
    assert "TUOYU_TRUSTED_PROXIES" in text
    # The fixture's Rasa token is "t": shown as set, never as itself.
    assert "<td>set</td>" in text
    assert ">t<" not in text
