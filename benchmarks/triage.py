"""Emergency triage figures: recall, false alarms and crisis handling.

    python -m benchmarks.triage                 # bank (held out by writer), regression, fresh sets
    python -m benchmarks.triage --set FILE.yml  # one labelled set only

Sets:
- the training bank (knowledge_base/safety/triage_bank/), held out one writer at a time: each
  writer's messages judged by a classifier trained on the other writers only. These are
  TUNING figures: the rules and thresholds were written and chosen on the bank.
- the regression set (tests/data/danger_signs_regression.yml): also tuning figures.
- fresh sets (benchmarks/data/triage_fresh/*.yml): written apart from the rules and the bank,
  measured once after freezing. Only these say how Tuoyu does on words nobody here wrote.

Outcomes: emergency recall counts only emergency-first answers (120/110 before anything
else); "caught or asked" also counts the one quick question. A false alarm is a safe message
answered as an emergency or crisis. Crisis counts the crisis answer (12356 and 120/110);
"12356 first" (12356 in the first reply) also counts the crisis question, which itself gives
12356 and warmth before it asks, and a child's emergency answered with 12356 after its steps
because the writer is in crisis too; "or asked" also counts the child's question, which does
not.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from benchmarks.common import percentile, results_dir, save
from bot.settings import Settings
from knowledge_base.danger_signs import PARENT_CRISIS
from knowledge_base.embedding import SentenceTransformerEmbedder
from knowledge_base.triage.bank import for_training, is_learnt, load_bank
from knowledge_base.triage.classifier import TriageClassifier
from knowledge_base.triage.decision import CHECK, CRISIS, EMERGENCY, TriageDecider, TriageOutcome

ROOT = Path(__file__).resolve().parents[1]
REGRESSION = ROOT / "tests" / "data" / "danger_signs_regression.yml"
FRESH_DIR = ROOT / "benchmarks" / "data" / "triage_fresh"


@dataclass(frozen=True)
class Case:
    text: str
    expected: str  # emergency | crisis | safe


def load_set(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if "must_trigger" in data:
        return [Case(c["text"], "emergency") for c in data["must_trigger"]] + [
            Case(c["text"], "safe") for c in data.get("must_not_trigger") or []
        ]
    return [Case(str(i["text"]), str(i.get("expected") or i.get("label"))) for i in data["items"]]


class VectorCache:
    """Embeds each text once across runs (the e5 "query:" side, as the Rasa featurizer)."""

    def __init__(self, embedder: SentenceTransformerEmbedder) -> None:
        self._embedder = embedder
        self._path = results_dir() / "triage-vectors.npz"
        self._vectors: dict[str, Any] = {}
        if self._path.is_file():
            with np.load(self._path) as data:
                self._vectors = {k: data[k] for k in data.files}

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def vectors(self, texts: Sequence[str]) -> Any:
        missing = sorted({t for t in texts if self._key(t) not in self._vectors})
        if missing:
            for text, vector in zip(missing, self._embedder.embed_queries(missing), strict=True):
                self._vectors[self._key(text)] = vector
            np.savez(self._path, **self._vectors)
        return np.stack([self._vectors[self._key(t)] for t in texts])


# The crisis question is told apart from the child's: it gives 12356 before it asks.
CRISIS_CHECK = "crisis check"
# A child's emergency whose writer is in crisis too: 120/110 and the steps, then 12356.
EMERGENCY_AND_CRISIS = "emergency+12356"


def label(outcome: TriageOutcome) -> str:
    if outcome.outcome == CHECK and outcome.category == PARENT_CRISIS:
        return CRISIS_CHECK
    if outcome.outcome == EMERGENCY and outcome.parent_in_crisis:
        return EMERGENCY_AND_CRISIS
    return outcome.outcome


def score(cases: Sequence[Case], outcomes: Sequence[str]) -> dict[str, Any]:
    def share(expected: str, accepted: tuple[str, ...]) -> dict[str, Any]:
        picked = [o for c, o in zip(cases, outcomes, strict=True) if c.expected == expected]
        hits = sum(o in accepted for o in picked)
        return {
            "n": len(picked),
            "hits": hits,
            "rate": round(hits / len(picked), 4) if picked else None,
        }

    alarms = (EMERGENCY, EMERGENCY_AND_CRISIS)
    return {
        "emergency_recall": share("emergency", alarms),
        "emergency_caught_or_asked": share("emergency", (*alarms, CHECK, CRISIS_CHECK, CRISIS)),
        "false_alarm": share("safe", (*alarms, CRISIS)),
        "safe_asked": share("safe", (CHECK, CRISIS_CHECK)),
        "crisis_answered": share("crisis", (CRISIS,)),
        "crisis_12356_first": share("crisis", (CRISIS, CRISIS_CHECK, EMERGENCY_AND_CRISIS)),
        "crisis_answered_or_asked": share(
            "crisis", (CRISIS, CHECK, CRISIS_CHECK, EMERGENCY_AND_CRISIS)
        ),
    }


def misses(cases: Sequence[Case], outcomes: Sequence[str]) -> list[dict[str, str]]:
    wrong = []
    for case, outcome in zip(cases, outcomes, strict=True):
        right = {
            "emergency": (EMERGENCY, EMERGENCY_AND_CRISIS),
            "crisis": (CRISIS,),
            "safe": ("normal", CHECK, CRISIS_CHECK),
        }
        if outcome not in right.get(case.expected, ()):
            wrong.append({"expected": case.expected, "got": outcome, "text": case.text})
    return wrong


def evaluate(
    decider: TriageDecider, classifier: TriageClassifier | None, cases: Sequence[Case], vectors: Any
) -> tuple[list[str], list[float]]:
    outcomes, seconds = [], []
    for case, vector in zip(cases, vectors, strict=True):
        started = time.perf_counter()
        prediction = classifier.predict(case.text, vector) if classifier is not None else None
        outcomes.append(label(decider.decide(case.text, prediction)))
        seconds.append(time.perf_counter() - started)
    return outcomes, seconds


def held_out_by_writer(decider: TriageDecider, cache: VectorCache) -> dict[str, Any]:
    """Each writer's messages judged by a classifier trained on the other writers."""
    bank = load_bank()
    vectors = cache.vectors([m.text for m in bank])
    outcomes: list[str] = [""] * len(bank)
    for writer in sorted({m.writer for m in bank}):
        train = [i for i, m in enumerate(bank) if m.writer != writer and is_learnt(m)]
        classifier = TriageClassifier.train(
            [bank[i].text for i in train],
            vectors[train],
            [bank[i].label for i in train],
            [bank[i].category for i in train],
        )
        for i, message in enumerate(bank):
            if message.writer == writer:
                prediction = classifier.predict(message.text, vectors[i])
                outcomes[i] = label(decider.decide(message.text, prediction))
    cases = [Case(m.text, m.label) for m in bank]
    by_writer = {
        writer: score(
            [c for c, m in zip(cases, bank, strict=True) if m.writer == writer],
            [o for o, m in zip(outcomes, bank, strict=True) if m.writer == writer],
        )
        for writer in sorted({m.writer for m in bank})
    }
    return {
        "n": len(bank),
        "scores": score(cases, outcomes),
        "by_writer": by_writer,
        "misses": misses(cases, outcomes),
    }


def one_set(
    name: str, path: Path, decider: TriageDecider, classifier: TriageClassifier, cache: VectorCache
) -> dict[str, Any]:
    cases = load_set(path)
    vectors = cache.vectors([c.text for c in cases])
    outcomes, seconds = evaluate(decider, classifier, cases, vectors)
    rules_only, _ = evaluate(decider, None, cases, vectors)
    return {
        "set": name,
        "n": len(cases),
        "scores": score(cases, outcomes),
        "rules_only": score(cases, rules_only),
        "decision_ms_p95": round(percentile([s * 1000 for s in seconds], 95), 3),
        "misses": misses(cases, outcomes),
    }


def print_scores(title: str, scores: dict[str, Any]) -> None:
    parts = [
        f"{key} {value['hits']}/{value['n']} ({value['rate']:.1%})"
        for key, value in scores.items()
        if value["n"]
    ]
    print(f"{title}:\n  " + "\n  ".join(parts))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, action="append", help="a labelled set to measure")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    embedder = SentenceTransformerEmbedder(settings.embedding_model_dir)
    cache = VectorCache(embedder)
    decider = TriageDecider.from_files()
    bank = for_training(load_bank())
    texts = [m.text for m in bank]
    classifier = TriageClassifier.train(
        texts, cache.vectors(texts), [m.label for m in bank], [m.category for m in bank]
    )
    result: dict[str, Any] = {"bank_messages": len(bank), "sets": []}
    sets = (
        [(p.stem, p) for p in args.set]
        if args.set
        else [
            ("regression (tuning)", REGRESSION),
            *[(f"fresh: {p.stem}", p) for p in sorted(FRESH_DIR.glob("*.yml"))],
        ]
    )
    if not args.set:
        result["bank_held_out_by_writer"] = held_out_by_writer(decider, cache)
        print_scores(
            f"training bank, held out by writer (tuning figures, {len(bank)} messages)",
            result["bank_held_out_by_writer"]["scores"],
        )
        for writer, scores in result["bank_held_out_by_writer"]["by_writer"].items():
            print_scores(f"  writer {writer}", scores)
        if args.show_misses:
            for miss in result["bank_held_out_by_writer"]["misses"]:
                print(f"    {miss['expected']:>9} → {miss['got']:<9} {miss['text'][:100]}")
    for name, path in sets:
        measured = one_set(name, path, decider, classifier, cache)
        result["sets"].append(measured)
        print_scores(f"{name} ({measured['n']} messages)", measured["scores"])
        print_scores("  rules alone", measured["rules_only"])
        print(f"  decision p95 {measured['decision_ms_p95']} ms (after the embedding)")
        if args.show_misses:
            for miss in measured["misses"]:
                print(f"    {miss['expected']:>9} → {miss['got']:<9} {miss['text'][:100]}")
    print(f"saved {save('triage', result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
