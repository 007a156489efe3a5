"""How review-queue grouping behaves at several thresholds (knowledge_base/review_groups.py).

    .venv/bin/python -m benchmarks.review_grouping

Two views, with the real multilingual-e5-small:
- pairs of the retrieval dev set's parent questions (data/dev_questions/*.yml) in one
  language: how many at or above each threshold ask about the same entry and how many about
  different ones (a strict measure: neighbouring entries count as different), and the
  groups the leader rule forms there (how many mix entries);
- hand-picked pairs: paraphrases that should share a group and same-pattern questions about
  different things that should not, with their similarity.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np

from benchmarks.common import save
from benchmarks.retrieval import load_dev_set
from bot.settings import Settings
from knowledge_base.embedding import SentenceTransformerEmbedder
from knowledge_base.language import detect_language
from knowledge_base.review_groups import GROUPING_THRESHOLD, group_questions
from knowledge_base.review_queue import QueueRow

THRESHOLDS = (0.92, 0.93, 0.94, 0.95, 0.96, 0.97)
SAME_NEED = [
    ("宝宝几个月能吃盐", "什么时候可以给孩子加盐"),
    ("宝宝几个月能吃盐", "宝宝多大可以吃盐"),
    ("宝宝几个月能吃盐", "婴儿辅食可以放盐吗"),
    ("怎么给宝宝剪指甲", "婴儿指甲怎么剪"),
    ("宝宝可以坐飞机吗", "婴儿几个月可以坐飞机"),
    ("托育补贴怎么申请", "育儿补贴在哪里领"),
    ("家里的猫会不会传染宝宝弓形虫", "养猫对婴儿有影响吗"),
    ("宝宝发烧怎么办", "孩子发烧38度5怎么处理"),
    ("my baby won't sleep at night", "baby keeps waking up at night"),
    ("宝宝几个月能吃盐", "when can my baby have salt"),
]
DIFFERENT_NEED = [
    ("宝宝几个月能吃盐", "宝宝几个月能吃蜂蜜"),
    ("宝宝几个月能吃盐", "宝宝几个月会翻身"),
    ("宝宝可以坐飞机吗", "宝宝可以坐高铁吗"),
    ("宝宝发烧怎么办", "宝宝咳嗽怎么办"),
    ("托育补贴怎么申请", "个税专项附加扣除怎么填"),
    ("今天天气怎么样", "宝宝发烧怎么办"),
]


def _rows(questions: list[str]) -> list[QueueRow]:
    return [
        QueueRow(i, "2026-12-01T00:00:00+00:00", detect_language(q) or "zh", q, None, None, 1, None)
        for i, q in enumerate(questions, 1)
    ]


def main() -> None:
    settings = Settings.from_env()
    embedder = SentenceTransformerEmbedder(settings.embedding_model_dir)
    gold: dict[str, str] = load_dev_set(settings.project_dir / "benchmarks" / "data")["answered"]
    questions = list(gold)
    vectors = dict(zip(questions, embedder.embed_queries(questions), strict=True))
    languages = {q: detect_language(q) or "zh" for q in questions}
    pairs = [
        (float(vectors[a] @ vectors[b]), gold[a] == gold[b])
        for a, b in itertools.combinations(questions, 2)
        if languages[a] == languages[b]
    ]
    result: dict[str, object] = {"questions": len(questions), "same_language_pairs": len(pairs)}
    by_threshold = {}
    for threshold in THRESHOLDS:
        same = sum(1 for s, g in pairs if s >= threshold and g)
        different = sum(1 for s, g in pairs if s >= threshold and not g)
        groups = group_questions(_rows(questions), vectors, threshold)
        mixed = [g for g in groups if len({gold[t.question] for t in g.texts}) > 1]
        by_threshold[f"{threshold:.2f}"] = {
            "pairs_same_entry": same,
            "pairs_different_entries": different,
            "groups": len(groups),
            "groups_of_several": sum(1 for g in groups if len(g.texts) > 1),
            "groups_mixing_entries": len(mixed),
        }
        print(
            f"{threshold:.2f}: pairs at or above: {same} same entry, {different} different; "
            f"{len(groups)} groups, {by_threshold[f'{threshold:.2f}']['groups_of_several']} "
            f"with several questions, {len(mixed)} mixing entries"
        )
    result["by_threshold"] = by_threshold
    hand = sorted({t for pair in SAME_NEED + DIFFERENT_NEED for t in pair})
    hand_vectors = dict(zip(hand, embedder.embed_queries(hand), strict=True))
    scored: Counter[str] = Counter()
    hand_pairs = []
    for label, chosen in (("same need", SAME_NEED), ("different need", DIFFERENT_NEED)):
        for a, b in chosen:
            similarity = float(np.dot(hand_vectors[a], hand_vectors[b]))
            grouped = similarity >= GROUPING_THRESHOLD
            scored[f"{label}, grouped" if grouped else f"{label}, apart"] += 1
            hand_pairs.append({"a": a, "b": b, "need": label, "similarity": round(similarity, 3)})
            print(f"{similarity:.3f}  {label:14}  {a} | {b}")
    result["hand_pairs"] = hand_pairs
    result["hand_pairs_at_threshold"] = dict(scored)
    print(dict(scored), "at", GROUPING_THRESHOLD)
    print(f"written to {save('review_grouping', result)}")


if __name__ == "__main__":
    main()
