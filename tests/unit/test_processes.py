from __future__ import annotations

from pathlib import Path

import pytest

from bot import processes
from bot.settings import Settings


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"TUOYU_VAR_DIR": str(tmp_path), "TUOYU_RASA_TOKEN": "tok", **env})


def test_rasa_side_effects_stay_under_var_and_telemetry_is_off(tmp_path: Path) -> None:
    env = processes.rasa_env(settings(tmp_path), base={"HOME": "/root", "PATH": "/bin"})
    assert env["HOME"] == str(tmp_path / "rasa-home")
    assert env["TMPDIR"] == str(tmp_path / "tmp")
    assert env["RASA_TELEMETRY_ENABLED"] == "false"
    assert (tmp_path / "rasa-home").is_dir()
    assert env["TUOYU_TRACKER_DIALECT"] == "sqlite"
    assert env["TUOYU_TRACKER_DB"] == str(tmp_path / "tracker.sqlite3")


def test_postgres_tracker_store_from_url(tmp_path: Path) -> None:
    url = "postgresql://tuoyu:pw@127.0.0.1:5432/tuoyu"
    env = processes.rasa_env(settings(tmp_path, TUOYU_TRACKER_STORE_URL=url), base={})
    assert env["TUOYU_TRACKER_DIALECT"] == "postgresql"
    assert env["TUOYU_TRACKER_HOST"] == url


def test_rasa_listens_on_loopback_with_the_api_token_from_its_environment(
    tmp_path: Path,
) -> None:
    spec = processes.rasa_server(settings(tmp_path), tmp_path / "model.tar.gz")
    argv = spec.argv
    assert argv[argv.index("--interface") + 1] == "127.0.0.1"
    assert "--enable-api" in argv
    # The token never appears on the command line (ps shows it); rasa_addons.serve reads it.
    assert argv[1:3] == ["-m", "rasa_addons.serve"]
    assert "tok" not in argv
    assert "--auth-token" not in argv
    assert spec.env["TUOYU_RASA_TOKEN"] == "tok"


def test_action_server_binds_loopback_and_children_see_the_same_settings(
    tmp_path: Path,
) -> None:
    s = settings(tmp_path).with_ports(port=9001, rasa_port=9002, actions_port=9003)
    spec = processes.action_server(s)
    assert spec.env["SANIC_HOST"] == "127.0.0.1"
    assert spec.argv[-1] == "9003"
    child = Settings.from_env(spec.env)
    assert (child.port, child.rasa_port, child.actions_port) == (9001, 9002, 9003)
    assert child.rasa_token() == "tok"


def test_both_model_servers_let_idle_openmp_threads_sleep_unless_the_operator_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    rasa = processes.rasa_server(settings(tmp_path), tmp_path / "model.tar.gz")
    actions = processes.action_server(settings(tmp_path))
    assert rasa.env["OMP_WAIT_POLICY"] == actions.env["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    assert processes.action_server(settings(tmp_path)).env["OMP_WAIT_POLICY"] == "ACTIVE"
