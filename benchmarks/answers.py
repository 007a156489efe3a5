"""What parents get for their questions: an answer, the middle tier, or "not sure".

    .venv/bin/python -m benchmarks.answers

Runs every question through GuidanceService.answer (long posts reduced, age read, tiers
decided), with nothing written to the review queue, on two sets:

- tuning: benchmarks/data/dev_questions/*.yml and unanswerable.yml, used while choosing the
  thresholds (figures from it are not fresh);
- independent_N: benchmarks/data/dev_independent_N.yml, each written apart from the project by
  someone who saw only entry ids and titles (long forum posts and short questions, zh and en,
  plus questions no entry answers). Reported by kind (long/short) and language. A set used
  to tune anything is fresh only for its first measurement: benchmarks/data/README.md says
  which sets have been tuned against.

For a question with an entry: R@1 and R@3 of the searched ranking, and the outcome: answered
with the right entry, answered with a wrong one, middle tier offering the right entry among its
three, middle tier without it, or "not sure". "Useful" is the right answer or a middle tier
that offers it. For a question with no entry: wrongly answered, middle tier, or "not sure".
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

from actions.composition import build_services
from benchmarks.common import save, summary_ms
from benchmarks.retrieval import load_dev_set
from bot.settings import Settings
from knowledge_base.guidance import GuidanceAnswer, GuidanceService
from knowledge_base.language import Language, detect_language

NO_ENTRY = "none"


def outcome(answer: GuidanceAnswer, gold: str) -> str:
    if gold == NO_ENTRY:
        return {"answer": "wrongly_answered", "maybe": "maybe", "none": "not_sure"}[answer.tier]
    if answer.entry is not None:
        return "right" if answer.entry.id == gold else "wrong"
    if answer.tier == "maybe":
        offered = [e.id for e in answer.closest]
        return "maybe_with_right" if gold in offered else "maybe_without_right"
    return "not_sure"


def score(guidance: GuidanceService, questions: list[dict[str, str]]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    latencies = []
    for q in questions:
        language: Language = detect_language(q["text"]) or "zh"
        started = time.perf_counter()
        answer = guidance.answer(q["text"], language, record_misses=False)
        latencies.append(time.perf_counter() - started)
        ranked = [h.entry.id for h in answer.hits]
        row = {
            "text": q["text"],
            "language": language,
            "lead": round(answer.hits[0].score - answer.hits[1].score, 4)
            if len(answer.hits) > 1
            else None,
            "gold": q["entry"],
            "rank": ranked.index(q["entry"]) + 1 if q["entry"] in ranked else None,
            "outcome": outcome(answer, q["entry"]),
            "got": ranked[0] if ranked else None,
            "score": round(answer.score, 3),
        }
        kind = "no_entry" if q["entry"] == NO_ENTRY else q.get("kind", "all")
        groups[f"{kind}/{language}"].append(row)
        groups[kind].append(row)
    summary: dict[str, Any] = {}
    for name, rows in sorted(groups.items()):
        outcomes = Counter(r["outcome"] for r in rows)
        entry: dict[str, Any] = {"n": len(rows), "outcomes": dict(outcomes)}
        if not name.startswith("no_entry"):
            entry["recall_at_1"] = round(sum(r["rank"] == 1 for r in rows) / len(rows), 3)
            entry["recall_at_3"] = round(
                sum(r["rank"] is not None and r["rank"] <= 3 for r in rows) / len(rows), 3
            )
            useful = outcomes["right"] + outcomes["maybe_with_right"]
            entry["useful"] = round(useful / len(rows), 3)
        summary[name] = entry
    rows = [r for name, rows in groups.items() if "/" not in name for r in rows]
    return {"summary": summary, "latency": summary_ms(latencies), "questions": rows}


def main() -> None:
    settings = Settings.from_env()
    data_dir = settings.project_dir / "benchmarks" / "data"
    guidance = build_services(settings).guidance
    tuning = load_dev_set(data_dir)
    tuning_questions = [
        {"text": t, "entry": e, "kind": "tuning"} for t, e in tuning["answered"].items()
    ]
    tuning_questions += [{"text": t, "entry": NO_ENTRY} for t in tuning["unanswered"]]
    sets = {"tuning": score(guidance, tuning_questions)}
    for path in sorted(data_dir.glob("dev_independent_*.yml")):
        written = yaml.safe_load(Path(path).read_text("utf-8"))
        sets[path.stem.removeprefix("dev_")] = score(guidance, written["questions"])
    for set_name, scored in sets.items():
        print(f"== {set_name} (guidance answer p95 {scored['latency']['p95_ms']} ms)")
        for name, entry in scored["summary"].items():
            print(f"  {name:14} {entry}")
    result = {"threshold": guidance.threshold, "maybe_threshold": guidance.maybe_threshold}
    print(f"-> {save('answers', result | sets)}")


if __name__ == "__main__":
    main()
