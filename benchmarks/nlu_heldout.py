"""Intent F1 on an independent held-out set, per intent, over three DIET training seeds.

    .venv/bin/python -m benchmarks.nlu_heldout

The set (benchmarks/data/nlu_independent.yml) was written by someone who never saw the
training data (its README says how). Each seed trains a full model from config.yml with only
DIET's random_seed changed (the main model's seed is one of them); every model is scored with
`rasa test nlu`, so the guards after DIET (dialogue acts, finder, fallback, triage) count too.
Reports per-intent F1 as mean, min and max over the seeds, and macro F1 per seed.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import yaml

from benchmarks.common import results_dir, save
from benchmarks.nlu_accuracy import rasa_test_nlu
from bot.settings import Settings
from bot.training import train_if_needed

SEEDS = (2025, 7, 42)
HELD_OUT = "nlu_independent.yml"
# Not intents: what `rasa test nlu` adds to its report.
_REPORT_TOTALS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def rasa_nlu_file(examples: list[dict[str, str]], path: Path) -> Path:
    """The writer's {text, intent} list as Rasa NLU training-data YAML."""
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        by_intent.setdefault(example["intent"], []).append(example["text"])
    nlu = [
        {
            "intent": intent,
            # Raw lines in Rasa's format: quotes would become part of the text.
            "examples": "".join(f"- {' '.join(t.split())}\n" for t in texts),
        }
        for intent, texts in sorted(by_intent.items())
    ]
    path.write_text(
        yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True, sort_keys=False),
        "utf-8",
    )
    return path


def seed_config(settings: Settings, seed: int, directory: Path) -> Path | None:
    """config.yml with DIET's seed changed; None for the main model's own seed."""
    config = yaml.safe_load((settings.project_dir / "config.yml").read_text("utf-8"))
    diet = next(c for c in config["pipeline"] if c["name"] == "DIETClassifier")
    if diet.get("random_seed") == seed:
        return None
    diet["random_seed"] = seed
    path = directory / f"config-seed-{seed}.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def evaluate(settings: Settings, model: Path, data: Path, out: Path) -> dict[str, Any]:
    report, errors = rasa_test_nlu(settings, model, data, out)
    return {
        "f1": {k: v["f1-score"] for k, v in report.items() if k not in _REPORT_TOTALS},
        "support": {k: v["support"] for k, v in report.items() if k not in _REPORT_TOTALS},
        "accuracy": report["accuracy"],
        "macro_f1": report["macro avg"]["f1-score"],
        "errors": errors,
    }


def main() -> None:
    settings = Settings.from_env()
    work = results_dir() / "nlu_heldout"
    work.mkdir(parents=True, exist_ok=True)
    source = yaml.safe_load(
        (settings.project_dir / "benchmarks" / "data" / HELD_OUT).read_text("utf-8")
    )
    data = rasa_nlu_file(source["examples"], work / "heldout-rasa.yml")
    runs: dict[int, dict[str, Any]] = {}
    for seed in SEEDS:
        config = seed_config(settings, seed, work)
        model, _ = train_if_needed(settings, config=config)
        runs[seed] = evaluate(settings, model, data, work / f"seed-{seed}")
        scored = runs[seed]
        print(f"seed {seed}: accuracy {scored['accuracy']:.3f}, macro F1 {scored['macro_f1']:.3f}")
    # Intents the set holds, and any a model predicted that it does not (support 0).
    intents = sorted({intent for run in runs.values() for intent in run["f1"]})
    per_intent = {}
    for intent in intents:
        scores = [runs[s]["f1"].get(intent, 0.0) for s in SEEDS]
        per_intent[intent] = {
            "support": max(runs[s]["support"].get(intent, 0) for s in SEEDS),
            "f1_mean": round(statistics.fmean(scores), 3),
            "f1_min": round(min(scores), 3),
            "f1_max": round(max(scores), 3),
        }
        row = per_intent[intent]
        print(
            f"  {intent:20} n={row['support']:4}  F1 {row['f1_mean']:.3f} "
            f"(min {row['f1_min']:.3f}, max {row['f1_max']:.3f})"
        )
    macro = [runs[s]["macro_f1"] for s in SEEDS]
    result = {
        "set": HELD_OUT,
        "examples": len(source["examples"]),
        "seeds": list(SEEDS),
        "per_intent": per_intent,
        "macro_f1": {
            "mean": round(statistics.fmean(macro), 3),
            "min": round(min(macro), 3),
            "max": round(max(macro), 3),
        },
        "runs": {str(s): runs[s] for s in SEEDS},
    }
    print(f"macro F1 {result['macro_f1']}")
    print(f"-> {save('nlu_heldout', result)}")


if __name__ == "__main__":
    main()
