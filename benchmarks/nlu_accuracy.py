"""Intent accuracy on held-out paraphrases, with and without the dense e5 features.

    .venv/bin/python -m benchmarks.nlu_accuracy

The held-out sets (benchmarks/data/nlu_heldout_{zh,en}.yml) share no example with the
training data. The sparse-only model is trained from benchmarks/config-sparse.yml on the same
data (once; kept under var/rasa-models).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from benchmarks.common import results_dir, save
from bot.processes import rasa_env, rasa_executable
from bot.settings import Settings
from bot.training import model_path, train_if_needed

HELD_OUT = {"zh": "nlu_heldout_zh.yml", "en": "nlu_heldout_en.yml"}


def rasa_test_nlu(
    settings: Settings, model: Path, data: Path, out: Path
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """`rasa test nlu` of model on data: Rasa's intent report, and the errors as
    {text, gold, predicted}."""
    argv = [str(rasa_executable(settings)), "test", "nlu", "--model", str(model)]
    argv += ["--nlu", str(data), "--out", str(out), "--no-plot"]
    subprocess.run(
        argv,
        cwd=settings.project_dir,
        env=rasa_env(settings),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    report = json.loads((out / "intent_report.json").read_text("utf-8"))
    errors_file = out / "intent_errors.json"
    errors = json.loads(errors_file.read_text("utf-8")) if errors_file.is_file() else []
    return report, [
        {"text": e["text"], "gold": e["intent"], "predicted": e["intent_prediction"]["name"]}
        for e in errors
    ]


def evaluate(settings: Settings, model: Path, data: Path, out: Path) -> dict[str, Any]:
    report, errors = rasa_test_nlu(settings, model, data, out)
    return {
        "accuracy": round(float(report["accuracy"]), 3),
        "examples": int(report["weighted avg"]["support"]),
        "errors": errors,
    }


def main() -> None:
    settings = Settings.from_env()
    models = {
        "with_dense_e5": model_path(settings),
        "sparse_only": train_if_needed(
            settings, config=settings.project_dir / "benchmarks" / "config-sparse.yml"
        )[0],
    }
    if not models["with_dense_e5"].is_file():
        raise SystemExit("Train the main model first: `tuoyu setup`.")
    data_dir = settings.project_dir / "benchmarks" / "data"
    result: dict[str, Any] = {}
    for variant, model in models.items():
        for language, name in HELD_OUT.items():
            out = results_dir() / "nlu" / variant / language
            result.setdefault(variant, {})[language] = evaluate(
                settings, model, data_dir / name, out
            )
            scored = result[variant][language]
            print(
                f"{variant:14} {language}: accuracy {scored['accuracy']:.3f} "
                f"on {scored['examples']} examples"
            )
    print(f"-> {save('nlu_accuracy', result)}")


if __name__ == "__main__":
    main()
