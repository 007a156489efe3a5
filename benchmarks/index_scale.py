"""Index build and search at scale: the starter content and a synthetic 100,000-passage corpus.

    .venv/bin/python -m benchmarks.index_scale [--passages 100000]

Starter content: real embeddings (`tuoyu kb build --force` path), build time and peak RSS.
Synthetic corpus: clustered random unit vectors of e5's size (384), which is what search time
depends on; embedding 100,000 real passages would take about 45 minutes on 2 cores. Compares
exact IndexFlatIP with HNSW on search latency without the query embedding (target p95
<= 20 ms, 60 candidates as GuidanceSearch asks) and HNSW's recall@10 against exact search.
"""

from __future__ import annotations

import argparse
import resource
import time
from typing import Any

import faiss
import numpy as np
import psutil

from benchmarks.common import save, summary_ms
from bot.settings import Settings

DIM = 384
CANDIDATES = 60


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mb() -> float:
    return round(psutil.Process().memory_info().rss / 2**20, 1)


def synthetic(n: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(n // 50, 1), DIM)).astype(np.float32)
    vectors = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.standard_normal(
        (n, DIM)
    ).astype(np.float32)
    faiss.normalize_L2(vectors)
    return vectors


def time_search(index: Any, queries: np.ndarray) -> list[float]:
    samples = []
    for query in queries:
        started = time.perf_counter()
        index.search(query.reshape(1, -1), CANDIDATES)
        samples.append(time.perf_counter() - started)
    return samples


def starter_content(settings: Settings) -> dict[str, Any]:
    from knowledge_base.content import load_entries
    from knowledge_base.embedding import SentenceTransformerEmbedder
    from knowledge_base.index import build_index

    entries = load_entries(settings.content_dir).published()
    embedder = SentenceTransformerEmbedder(settings.embedding_model_dir)
    started = time.perf_counter()
    index = build_index(entries, embedder)
    return {
        "entries": len(entries),
        "passages": index.manifest.chunk_count,
        "build_s": round(time.perf_counter() - started, 1),
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", type=int, default=100_000)
    args = parser.parse_args()
    result: dict[str, Any] = {"starter_content": starter_content(Settings.from_env())}
    vectors = synthetic(args.passages)
    queries = synthetic(300, seed=11)
    rss_before = rss_mb()
    variants: dict[str, Any] = {}
    exact = faiss.IndexFlatIP(DIM)
    started = time.perf_counter()
    exact.add(vectors)
    variants["flat"] = {"build_s": round(time.perf_counter() - started, 2)}
    hnsw = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = 80
    started = time.perf_counter()
    hnsw.add(vectors)
    variants["hnsw32"] = {"build_s": round(time.perf_counter() - started, 2)}
    hnsw.hnsw.efSearch = 96
    for name, index in (("flat", exact), ("hnsw32", hnsw)):
        variants[name]["search_without_embedding"] = summary_ms(time_search(index, queries))
    _, truth = exact.search(queries, 10)
    _, approx = hnsw.search(queries, 10)
    recall = np.mean([len(set(t) & set(a)) / 10 for t, a in zip(truth, approx, strict=True)])
    variants["hnsw32"]["recall_at_10_vs_exact"] = round(float(recall), 3)
    result["synthetic"] = {
        "passages": args.passages,
        "rss_mb_with_vectors_before_indexes": rss_before,
        "rss_mb_after_flat_and_hnsw": rss_mb(),
        "indexes": variants,
        "target_search_p95_ms": 20,
    }
    print(result)
    print(f"-> {save('index_scale', result)}")


if __name__ == "__main__":
    main()
