"""Trains the Rasa model when its inputs changed, and only then."""

from __future__ import annotations

import hashlib
import logging
import subprocess
from pathlib import Path

from bot.processes import rasa_env, rasa_executable
from bot.settings import Settings

logger = logging.getLogger(__name__)

# Everything that changes what `rasa train` produces.
_INPUTS = (
    "config.yml",
    "domain.yml",
    "training_data/**/*.yml",
    "rasa_addons/**/*.py",
    "constraints/rasa-*.txt",
    # Read by rasa_addons components when training. The triage component's rules and
    # classifier (knowledge_base/danger_signs.py, text/, triage/, safety/) are read when the
    # server starts, not baked into the model, so changing them needs no retraining.
    "knowledge_base/language.py",
    "knowledge_base/registry/finder_signals.py",
    "knowledge_base/registry/address.py",
    "knowledge_base/registry/places.py",
    "knowledge_base/registry/model.py",
    "knowledge_base/registry/data/gazetteer.yml",
)
# Used by the running server only, never by training: changing them needs no new model.
_RUNTIME_ONLY = frozenset(
    {
        "rasa_addons/serve.py",
        "rasa_addons/secure_rest.py",
        "rasa_addons/forget.py",
        "rasa_addons/action_result_validation.py",
    }
)
MODEL_PREFIX = "tuoyu-"
KEEP_OLD_MODELS = 2


def training_inputs(project_dir: Path) -> list[Path]:
    files: set[Path] = set()
    for pattern in _INPUTS:
        files.update(p for p in project_dir.glob(pattern) if p.is_file())
    return sorted(f for f in files if f.relative_to(project_dir).as_posix() not in _RUNTIME_ONLY)


def training_fingerprint(project_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in training_inputs(project_dir):
        digest.update(path.relative_to(project_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(settings: Settings, config: Path | None = None) -> Path:
    fingerprint = training_fingerprint(settings.project_dir)
    if config is not None:
        fingerprint = hashlib.sha256((fingerprint + config.read_text("utf-8")).encode()).hexdigest()
        return settings.rasa_models_dir / f"{MODEL_PREFIX}{config.stem}-{fingerprint[:16]}.tar.gz"
    return settings.rasa_models_dir / f"{MODEL_PREFIX}{fingerprint}.tar.gz"


class TrainingFailed(RuntimeError):
    pass


def train_if_needed(
    settings: Settings, *, force: bool = False, config: Path | None = None
) -> tuple[Path, bool]:
    """Returns the model for the current inputs, training it first if it does not exist.

    `config` trains with another pipeline (e.g. the benchmark's sparse-only config).
    """
    target = model_path(settings, config)
    if target.is_file() and not force:
        return target, False
    settings.rasa_models_dir.mkdir(parents=True, exist_ok=True)
    project = settings.project_dir
    argv = [
        str(rasa_executable(settings)),
        "train",
        "--config",
        str(config or project / "config.yml"),
        "--domain",
        str(project / "domain.yml"),
        "--data",
        str(project / "training_data"),
        "--out",
        str(settings.rasa_models_dir),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
    ]
    logger.info("Training the Rasa model (inputs changed) -> %s", target.name)
    result = subprocess.run(argv, cwd=project, env=rasa_env(settings), check=False)
    if result.returncode != 0 or not target.is_file():
        raise TrainingFailed(f"rasa train failed with exit code {result.returncode}")
    if config is None:
        _remove_old_models(settings, keep=target)
    return target, True


def _remove_old_models(settings: Settings, keep: Path) -> None:
    pattern = f"{MODEL_PREFIX}" + "?" * 16 + ".tar.gz"
    old = [p for p in settings.rasa_models_dir.glob(pattern) if p != keep]
    old.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for path in old[KEEP_OLD_MODELS:]:
        path.unlink(missing_ok=True)
