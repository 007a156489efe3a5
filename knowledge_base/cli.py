"""`tuoyu kb ...`: check entries and build the guidance index."""

from __future__ import annotations

import sys
from pathlib import Path

from knowledge_base.content import load_entries


def check(content_dir: Path) -> int:
    """Prints every problem as `file:line: message`; exit code 1 when there is any."""
    loaded = load_entries(content_dir)
    for problem in loaded.problems:
        print(problem)
    published = len(loaded.published())
    drafts = len(loaded.entries) - published
    review = sum(1 for e in loaded.entries if e.needs_review)
    summary = (
        f"{len(loaded.entries)} entries loaded ({published} published, {drafts} drafts, "
        f"{review} need review); {len(loaded.problems)} problems"
    )
    print(summary, file=sys.stderr)
    return 1 if loaded.problems else 0


def build(content_dir: Path, index_dir: Path, model_dir: Path, *, force: bool) -> int:
    from knowledge_base.embedding import SentenceTransformerEmbedder
    from knowledge_base.index import ensure_index

    loaded = load_entries(content_dir)
    for problem in loaded.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    embedder = SentenceTransformerEmbedder(model_dir)
    index, rebuilt = ensure_index(
        index_dir, loaded.published(), embedder, force=force, show_progress=True
    )
    manifest = index.manifest
    state = f"built in {manifest.build_seconds:.1f} s" if rebuilt else "already current"
    print(f"Guidance index {state}: {manifest.chunk_count} passages -> {index_dir}")
    return 0


def run_kb_command(
    command: str, *, content_dir: Path, index_dir: Path, model_dir: Path, force: bool = False
) -> int:
    if command == "check":
        return check(content_dir)
    if command == "build":
        return build(content_dir, index_dir, model_dir, force=force)
    raise ValueError(f"unknown kb command {command!r}")
