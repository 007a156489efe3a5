from __future__ import annotations

import shutil
from pathlib import Path

from bot.settings import Settings
from bot.training import model_path, training_fingerprint

PROJECT = Path(__file__).resolve().parents[2]


def copy_project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    target.mkdir()
    for name in ("config.yml", "domain.yml"):
        shutil.copy(PROJECT / name, target / name)
    shutil.copytree(PROJECT / "training_data", target / "training_data")
    shutil.copytree(
        PROJECT / "rasa_addons",
        target / "rasa_addons",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return target


def test_fingerprint_is_stable_and_follows_every_training_input(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    first = training_fingerprint(project)
    assert training_fingerprint(project) == first
    nlu = project / "training_data" / "nlu" / "chitchat.yml"
    nlu.write_text(nlu.read_text("utf-8") + "\n", "utf-8")
    second = training_fingerprint(project)
    assert second != first
    (project / "rasa_addons" / "e5_sentence_featurizer.py").write_text("# changed\n", "utf-8")
    assert training_fingerprint(project) != second


def test_unrelated_files_do_not_trigger_training(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    first = training_fingerprint(project)
    (project / "README.md").write_text("docs", "utf-8")
    (project / "training_data" / "notes.txt").write_text("x", "utf-8")
    assert training_fingerprint(project) == first


def test_model_path_names_the_fingerprint(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    settings = Settings.from_env({"TUOYU_PROJECT_DIR": str(project)})
    assert model_path(settings).name == f"tuoyu-{training_fingerprint(project)}.tar.gz"
