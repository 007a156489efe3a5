from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError


def test_defaults_run_on_loopback_under_var(tmp_path: Path) -> None:
    settings = Settings.from_env({"TUOYU_VAR_DIR": str(tmp_path)})
    assert (settings.host, settings.port, settings.rasa_port, settings.actions_port) == (
        "127.0.0.1",
        8080,
        5005,
        5055,
    )
    assert settings.tracker_db_path.parent == tmp_path


@pytest.mark.parametrize(
    ("name", "value"), [("TUOYU_PORT", "eighty"), ("TUOYU_PORT", "70000"), ("TUOYU_RASA_PORT", "0")]
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_generated_rasa_token_is_kept_private_and_stable(tmp_path: Path) -> None:
    settings = Settings.from_env({"TUOYU_VAR_DIR": str(tmp_path)})
    token = settings.rasa_token()
    assert len(token) >= 32
    assert settings.rasa_token() == token
    mode = (tmp_path / "secrets" / "rasa-token").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_explicit_token_wins(tmp_path: Path) -> None:
    settings = Settings.from_env({"TUOYU_VAR_DIR": str(tmp_path), "TUOYU_RASA_TOKEN": "s3cret"})
    assert settings.rasa_token() == "s3cret"
