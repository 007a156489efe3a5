"""The embeddable web widget: GET /widget.js, and CORS so other sites' pages can chat.

A community centre pastes one <script src=".../widget.js"> tag into its own site; the script
then calls /api/chat, /api/forget and /api/feedback on this gateway from the centre's origin.
Those calls send JSON, so the browser asks first (an OPTIONS preflight) and then only lets the
page read the answer if it carries Access-Control-Allow-Origin.

Allowing "*" is safe here because the chat API uses no cookies or other credentials: the
sender id in the body is the only thing tying requests together, and a page that has it
already holds the conversation. Credentials are never allowed, so a browser will not attach
any, and a list of origins (TUOYU_WIDGET_ORIGINS) narrows which sites may embed the widget.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from bot.gateway.keys import SETTINGS

WIDGET_SCRIPT = Path(__file__).parent / "static" / "widget.js"
# The paths a page on another origin may call, and the script itself (a page may load it
# with crossorigin="anonymous" to see its errors).
CORS_PATHS = frozenset({"/api/chat", "/api/forget", "/api/feedback", "/widget.js"})
PREFLIGHT_PATHS = ("/api/chat", "/api/forget", "/api/feedback")
# Browsers cap how long they keep a preflight answer (Chromium 2 h, Firefox 24 h); 2 h
# spares a parent's browser one OPTIONS round trip per message without pinning the rules.
PREFLIGHT_MAX_AGE_S = 7200
# The tag centres paste has no version in its URL, so the script is cached briefly and then
# revalidated with its ETag: a fixed widget reaches every site within the hour.
SCRIPT_CACHE_CONTROL = "public, max-age=3600, stale-while-revalidate=86400"
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(origin: str) -> str:
    """An origin as browsers send it: lower-case scheme and host, no default port, no slash."""
    parts = urlsplit(origin.strip().rstrip("/"))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literals keep their brackets in an origin
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        return origin.strip().lower()
    if port is None or DEFAULT_PORTS.get(scheme) == port:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


@dataclass(frozen=True)
class CorsPolicy:
    """Which origins' pages may read the chat API's answers."""

    origins: frozenset[str]
    any_origin: bool

    @classmethod
    def from_origins(cls, origins: tuple[str, ...]) -> CorsPolicy:
        listed = frozenset(normalise_origin(o) for o in origins if o != "*")
        return cls(origins=listed, any_origin="*" in origins)

    def allowed_origin(self, origin: str | None) -> str | None:
        """The Access-Control-Allow-Origin value for a request from origin, or None."""
        if self.any_origin:
            return "*"
        if origin and normalise_origin(origin) in self.origins:
            return origin
        return None

    async def add_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        """on_response_prepare: every answer on the widget's paths, errors included (a 400,
        429 or 503 body says what went wrong, and a page that cannot read it can't tell)."""
        if request.path not in CORS_PATHS:
            return
        if not self.any_origin:
            # The answer differs by Origin, so a shared cache must not hand one site's
            # answer to another.
            _add_vary(response, "Origin")
        allowed = self.allowed_origin(request.headers.get("Origin"))
        if allowed is None:
            return
        response.headers["Access-Control-Allow-Origin"] = allowed
        # 429 and 503 say when to try again; a cross-origin page may only read the headers
        # the server exposes.
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"

    async def preflight(self, request: web.Request) -> web.Response:
        """OPTIONS before a cross-origin POST with a JSON body."""
        if self.allowed_origin(request.headers.get("Origin")) is None:
            body = {
                "error": {
                    "code": "origin_not_allowed",
                    "message": "This site may not embed the Tuoyu widget (TUOYU_WIDGET_ORIGINS).",
                }
            }
            return web.json_response(body, status=403)
        return web.Response(
            status=204,
            headers={
                "Allow": "POST, OPTIONS",
                "Access-Control-Allow-Methods": "POST",
                "Access-Control-Allow-Headers": "Content-Type",
                "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_S),
            },
        )


def _add_vary(response: web.StreamResponse, field: str) -> None:
    present = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    if field.lower() not in (v.lower() for v in present):
        response.headers["Vary"] = ", ".join([*present, field])


def _accepts_gzip(header: str) -> bool:
    for coding in header.split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=").strip()
            return quality not in ("0", "0.0", "0.00", "0.000")
    return False


@dataclass(frozen=True)
class WidgetScript:
    """widget.js, read and compressed once when the app is built (it is about 30 KB)."""

    body: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def load(cls, path: Path = WIDGET_SCRIPT) -> WidgetScript:
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:20]
        return cls(body=body, gzipped=gzip.compress(body, 9, mtime=0), etag=f'"{digest}"')

    async def handle(self, request: web.Request) -> web.Response:
        headers = {
            "Cache-Control": SCRIPT_CACHE_CONTROL,
            "ETag": self.etag,
            "Vary": "Accept-Encoding",
            # Lets sites that isolate themselves (Cross-Origin-Embedder-Policy) load it.
            "Cross-Origin-Resource-Policy": "cross-origin",
        }
        if self.etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers=headers)
        body = self.body
        if _accepts_gzip(request.headers.get("Accept-Encoding", "")):
            body = self.gzipped
            headers["Content-Encoding"] = "gzip"
        return web.Response(
            body=body, headers=headers, content_type="text/javascript", charset="utf-8"
        )


def setup_widget(app: web.Application) -> None:
    """Serves /widget.js and opens /api/chat, /api/forget and /api/feedback to the embedding
    sites."""
    policy = CorsPolicy.from_origins(app[SETTINGS].widget_origins)
    app.router.add_get("/widget.js", WidgetScript.load().handle)
    for path in PREFLIGHT_PATHS:
        app.router.add_route("OPTIONS", path, policy.preflight)
    app.on_response_prepare.append(policy.add_headers)
