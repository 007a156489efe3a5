"""One settings object, built from the environment at composition roots only.

Every variable is optional; the defaults run everything on one machine under `var/`.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

from knowledge_base.guidance import DEFAULT_CONFIDENCE_THRESHOLD, DEFAULT_MAYBE_THRESHOLD

PROJECT_DIR = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A variable has a value that cannot be used; the message names it."""


def _int(env: Mapping[str, str], name: str, default: int, low: int = 1, high: int = 65535) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    raw = env.get(name, "").strip()
    return Path(raw).expanduser().resolve() if raw else default


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return allowed[0]
    if raw not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}, not {raw!r}")
    return raw


def _origins(raw: str) -> tuple[str, ...]:
    """TUOYU_WIDGET_ORIGINS: "*" or comma-separated origins such as https://centre.example."""
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise SettingsError(
                f"TUOYU_WIDGET_ORIGINS: {origin!r} is not an origin like https://example.org"
            )
    return origins


def _networks(raw: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """TUOYU_TRUSTED_PROXIES: comma-separated addresses or networks (10.0.0.0/8, ::1)."""
    networks = []
    for item in (i.strip() for i in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError:
            raise SettingsError(
                f"TUOYU_TRUSTED_PROXIES: {item!r} is not an address or network like 10.0.0.0/8"
            ) from None
    return tuple(networks)


@dataclass(frozen=True)
class Settings:
    project_dir: Path
    var_dir: Path
    host: str
    port: int
    rasa_port: int
    actions_port: int
    rasa_token_value: str | None
    payload_secret_value: str | None
    tracker_store_url: str | None
    log_level: str
    request_timeout_s: float
    confidence_threshold: float
    rate_per_sender: float  # messages a minute, after a burst of 10
    rate_per_address: float  # messages a minute from one IP address, after a burst of 60
    maybe_threshold: float
    content_dir: Path
    embedding_model_dir: Path
    index_dir: Path
    triage_dir: Path
    database_url: str
    map_tile_url: str
    map_tile_attribution: str
    # Where parents reach the gateway, for links the bot sends (the e-map); empty: host:port.
    public_url_setting: str
    # Origins whose pages may embed the web widget (CORS on the chat API); ("*",): any site.
    widget_origins: tuple[str, ...] = ("*",)
    # Telegram (bot/telegram/): off unless a token is set.
    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_mode: str = "polling"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    # The staff console's session-cookie key (TUOYU_CONSOLE_SECRET); None: kept in var/.
    console_secret_value: str | None = None
    # Reverse proxies whose X-Forwarded-For is believed (bot/gateway/client_address.py);
    # empty: the connecting address is the client's.
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        project = _path(env, "TUOYU_PROJECT_DIR", PROJECT_DIR)
        var = _path(env, "TUOYU_VAR_DIR", project / "var")
        host = env.get("TUOYU_HOST", "127.0.0.1").strip() or "127.0.0.1"
        port = _int(env, "TUOYU_PORT", 8080)
        return cls(
            project_dir=project,
            var_dir=var,
            host=host,
            port=port,
            rasa_port=_int(env, "TUOYU_RASA_PORT", 5005),
            actions_port=_int(env, "TUOYU_ACTIONS_PORT", 5055),
            rasa_token_value=env.get("TUOYU_RASA_TOKEN", "").strip() or None,
            payload_secret_value=env.get("TUOYU_PAYLOAD_SECRET", "").strip() or None,
            tracker_store_url=env.get("TUOYU_TRACKER_STORE_URL", "").strip() or None,
            log_level=env.get("TUOYU_LOG_LEVEL", "INFO").strip().upper() or "INFO",
            request_timeout_s=_float(env, "TUOYU_REQUEST_TIMEOUT", 20.0),
            # One community centre: a few dozen parents at once, behind one address.
            rate_per_sender=_float(env, "TUOYU_RATE_PER_SENDER", 30.0),
            rate_per_address=_float(env, "TUOYU_RATE_PER_ADDRESS", 300.0),
            confidence_threshold=_float(
                env, "TUOYU_CONFIDENCE_THRESHOLD", DEFAULT_CONFIDENCE_THRESHOLD
            ),
            maybe_threshold=_float(env, "TUOYU_MAYBE_THRESHOLD", DEFAULT_MAYBE_THRESHOLD),
            content_dir=_path(env, "TUOYU_CONTENT_DIR", project / "knowledge_base" / "content"),
            embedding_model_dir=_path(
                env, "TUOYU_EMBEDDING_MODEL_DIR", var / "models" / "multilingual-e5-small"
            ),
            index_dir=_path(env, "TUOYU_INDEX_DIR", var / "index" / "guidance"),
            triage_dir=_path(env, "TUOYU_TRIAGE_DIR", var / "triage"),
            database_url=env.get("TUOYU_DATABASE_URL", "").strip()
            or f"sqlite:///{var / 'registry.sqlite3'}",
            # Empty: no base tiles, the map still shows markers (works offline).
            map_tile_url=env.get("TUOYU_MAP_TILE_URL", "").strip(),
            map_tile_attribution=env.get("TUOYU_MAP_TILE_ATTRIBUTION", "").strip(),
            public_url_setting=env.get("TUOYU_PUBLIC_URL", "").strip().rstrip("/"),
            widget_origins=_origins(env.get("TUOYU_WIDGET_ORIGINS", "*")),
            telegram_token=env.get("TUOYU_TELEGRAM_TOKEN", "").strip() or None,
            telegram_api_url=env.get("TUOYU_TELEGRAM_API_URL", "").strip()
            or "https://api.telegram.org/bot",
            telegram_mode=_choice(env, "TUOYU_TELEGRAM_MODE", ("polling", "webhook")),
            telegram_webhook_url=env.get("TUOYU_TELEGRAM_WEBHOOK_URL", "").strip() or None,
            telegram_webhook_secret=env.get("TUOYU_TELEGRAM_WEBHOOK_SECRET", "").strip() or None,
            console_secret_value=env.get("TUOYU_CONSOLE_SECRET", "").strip() or None,
            trusted_proxies=_networks(env.get("TUOYU_TRUSTED_PROXIES", "")),
        )

    def with_ports(self, *, port: int, rasa_port: int, actions_port: int) -> Settings:
        return replace(self, port=port, rasa_port=rasa_port, actions_port=actions_port)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def public_url(self) -> str:
        return self.public_url_setting or f"http://{self.host}:{self.port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def rasa_models_dir(self) -> Path:
        return self.var_dir / "rasa-models"

    @property
    def review_queue_path(self) -> Path:
        return self.var_dir / "review-queue.sqlite3"

    @property
    def console_db_path(self) -> Path:
        """Staff console accounts, login failures and the audit log (bot/console/)."""
        return self.var_dir / "console.sqlite3"

    @property
    def console_uploads_dir(self) -> Path:
        """Registry files uploaded in the console, kept between preview and confirm."""
        return self.var_dir / "console-uploads"

    @property
    def tracker_db_path(self) -> Path:
        return self.var_dir / "tracker.sqlite3"

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"

    def rasa_token(self) -> str:
        """The token that guards Rasa's HTTP API: from TUOYU_RASA_TOKEN, else kept in var/.

        Generated once and kept so that a gateway restarted on its own still talks to a
        running Rasa server.
        """
        return self._secret("rasa-token", self.rasa_token_value)

    def payload_secret(self) -> str:
        """The key that signs button payloads (bot/gateway/payloads.py): from
        TUOYU_PAYLOAD_SECRET, else generated once and kept in var/ so that buttons already
        shown still work after a restart."""
        return self._secret("payload-secret", self.payload_secret_value)

    def console_secret(self) -> str:
        """The Fernet key (32 bytes, url-safe base64) that encrypts console session cookies:
        from TUOYU_CONSOLE_SECRET, else generated once and kept in var/ so that a restart
        does not sign every member of staff out."""
        return self._secret(
            "console-secret",
            self.console_secret_value,
            generate=lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        )

    def _secret(
        self,
        name: str,
        configured: str | None,
        generate: Callable[[], str] = lambda: secrets.token_urlsafe(32),
    ) -> str:
        if configured:
            return configured
        path = self.var_dir / "secrets" / name
        if path.is_file():
            token = path.read_text("utf-8").strip()
            if token:
                return token
        path.parent.mkdir(parents=True, exist_ok=True)
        token = generate()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token)
        return token
