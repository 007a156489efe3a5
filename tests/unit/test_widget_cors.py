"""The widget's script and the CORS rules that let other sites' pages use the chat API."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.gateway.widget import WIDGET_SCRIPT, CorsPolicy, normalise_origin
from bot.settings import Settings
from tests.unit.fakes import gateway_app

CENTRE = "https://centre.example.org"
OTHER = "https://evil.example.com"
PREFLIGHT = {"Origin": CENTRE, "Access-Control-Request-Method": "POST"}


def gateway(aiohttp_client: Any, tmp_path: Path, origins: str | None) -> Any:
    env = {"TUOYU_VAR_DIR": str(tmp_path), "TUOYU_RASA_TOKEN": "t"}
    if origins is not None:
        env["TUOYU_WIDGET_ORIGINS"] = origins
    return aiohttp_client(gateway_app(Settings.from_env(env)))


@pytest.fixture
async def any_site(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    """The default: TUOYU_WIDGET_ORIGINS unset, so any site may embed the widget."""
    client: TestClient[Any, Any] = await gateway(aiohttp_client, tmp_path, None)
    return client


@pytest.fixture
async def listed(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    """Only the listed centre (written with a default port and a slash, as people paste it)."""
    origins = f"{CENTRE}:443/, http://127.0.0.1:8090"
    client: TestClient[Any, Any] = await gateway(aiohttp_client, tmp_path, origins)
    return client


@pytest.mark.parametrize("path", ["/api/chat", "/api/forget"])
async def test_a_preflight_from_any_site_is_answered(
    any_site: TestClient[Any, Any], path: str
) -> None:
    response = await any_site.options(
        path, headers={**PREFLIGHT, "Access-Control-Request-Headers": "content-type"}
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "POST"
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in response.headers


async def test_any_site_may_read_answers_and_errors(any_site: TestClient[Any, Any]) -> None:
    ok = await any_site.post(
        "/api/chat", json={"sender_id": "w1", "message": "你好"}, headers={"Origin": OTHER}
    )
    bad = await any_site.post("/api/chat", json={"sender_id": "w1"}, headers={"Origin": OTHER})
    forget = await any_site.post("/api/forget", json={"sender_id": "w1"}, headers={"Origin": OTHER})
    assert (ok.status, bad.status, forget.status) == (200, 400, 200)
    for response in (ok, bad, forget):
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Access-Control-Expose-Headers"] == "Retry-After"
        assert "Access-Control-Allow-Credentials" not in response.headers
        # One answer for every site: nothing for a cache to keep apart.
        assert "Origin" not in response.headers.get("Vary", "")


async def test_a_rate_limited_answer_is_readable_with_its_retry_after(
    any_site: TestClient[Any, Any],
) -> None:
    statuses = []
    for _ in range(15):  # past the burst of 10 for one sender
        response = await any_site.post(
            "/api/chat", json={"sender_id": "w2", "message": "你好"}, headers={"Origin": OTHER}
        )
        statuses.append(response.status)
    assert 429 in statuses
    assert response.status == 429
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in response.headers
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]
    assert (await response.json())["replies"]


async def test_a_listed_site_gets_its_own_origin_back(listed: TestClient[Any, Any]) -> None:
    preflight = await listed.options("/api/chat", headers=PREFLIGHT)
    post = await listed.post(
        "/api/chat", json={"sender_id": "w3", "message": "你好"}, headers={"Origin": CENTRE}
    )
    for response in (preflight, post):
        assert response.headers["Access-Control-Allow-Origin"] == CENTRE
        assert "Origin" in response.headers["Vary"]
        assert "Access-Control-Allow-Credentials" not in response.headers
    assert preflight.status == 204
    assert post.status == 200


async def test_a_site_not_listed_is_refused(listed: TestClient[Any, Any]) -> None:
    preflight = await listed.options("/api/chat", headers={**PREFLIGHT, "Origin": OTHER})
    assert preflight.status == 403
    assert (await preflight.json())["error"]["code"] == "origin_not_allowed"
    # A simple request still reaches the server (CORS only protects what the page can
    # read), but its page may not read the answer.
    post = await listed.post(
        "/api/chat", json={"sender_id": "w4", "message": "你好"}, headers={"Origin": OTHER}
    )
    for response in (preflight, post):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Origin" in response.headers["Vary"]


async def test_the_gateways_own_pages_are_unaffected(listed: TestClient[Any, Any]) -> None:
    page = await listed.get("/", headers={"Origin": CENTRE})
    facilities = await listed.get("/api/openapi.json", headers={"Origin": CENTRE})
    for response in (page, facilities):
        assert "Access-Control-Allow-Origin" not in response.headers
    # The default CSP and frame rules still apply to every other route.
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


async def test_other_methods_are_not_opened(any_site: TestClient[Any, Any]) -> None:
    response = await any_site.options("/api/facilities/nearby", headers=PREFLIGHT)
    assert response.status == 405
    assert "Access-Control-Allow-Origin" not in response.headers


async def test_the_script_is_served_compressed_and_cacheable(
    any_site: TestClient[Any, Any],
) -> None:
    response = await any_site.get(
        "/widget.js", headers={"Accept-Encoding": "gzip"}, auto_decompress=False
    )
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "max-age=" in response.headers["Cache-Control"]
    assert "Accept-Encoding" in response.headers["Vary"]
    body = gzip.decompress(await response.read())
    assert body == WIDGET_SCRIPT.read_bytes()
    # Revalidation: the same ETag gets 304 and no body.
    again = await any_site.get("/widget.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status == 304
    assert await again.read() == b""


async def test_the_script_is_plain_for_a_client_without_gzip(
    any_site: TestClient[Any, Any],
) -> None:
    response = await any_site.get(
        "/widget.js", headers={"Accept-Encoding": "identity"}, auto_decompress=False
    )
    assert "Content-Encoding" not in response.headers
    assert await response.read() == WIDGET_SCRIPT.read_bytes()
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("written", "origin"),
    [
        ("https://Centre.Example.org/", "https://centre.example.org"),
        ("https://centre.example.org:443", "https://centre.example.org"),
        ("http://centre.example.org:80", "http://centre.example.org"),
        ("http://127.0.0.1:8090", "http://127.0.0.1:8090"),
        ("https://[::1]:8443", "https://[::1]:8443"),
    ],
)
def test_origins_are_compared_as_browsers_send_them(written: str, origin: str) -> None:
    assert normalise_origin(written) == origin
    assert CorsPolicy.from_origins((written,)).allowed_origin(origin) == origin


def test_a_lookalike_origin_is_not_allowed() -> None:
    policy = CorsPolicy.from_origins(("https://centre.example.org",))
    for origin in (
        "https://centre.example.org.evil.com",
        "http://centre.example.org",
        "https://centre.example.org:8443",
        "null",
        None,
        "",
    ):
        assert policy.allowed_origin(origin) is None


def test_a_star_anywhere_in_the_list_allows_every_site() -> None:
    assert CorsPolicy.from_origins(("*",)).allowed_origin(None) == "*"
    assert CorsPolicy.from_origins(("https://a.example", "*")).allowed_origin(OTHER) == "*"
    assert CorsPolicy.from_origins(()).allowed_origin(OTHER) is None
