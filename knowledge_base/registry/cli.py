"""`tuoyu registry import FILE [--replace] [--skip-invalid]`."""

from __future__ import annotations

import sys
from pathlib import Path

from knowledge_base.registry.importer import import_registry_file
from knowledge_base.registry.reader import RegistryFileError
from knowledge_base.registry.store import FacilityRegistry

MAX_PROBLEMS_SHOWN = 200


def run_import(database_url: str, path: Path, *, replace: bool, skip_invalid: bool) -> int:
    from tqdm import tqdm

    registry = FacilityRegistry.open(database_url)
    try:
        with tqdm(desc=f"Checking {path.name}", unit=" rows", file=sys.stderr) as progress:
            report = import_registry_file(
                path, registry, replace=replace, skip_invalid=skip_invalid, progress=progress
            )
    except RegistryFileError as error:
        print(f"{path}: {error}. Nothing was imported.", file=sys.stderr)
        return 2
    finally:
        registry.close()
    for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
        print(problem)
    if len(report.problems) > MAX_PROBLEMS_SHOWN:
        print(f"... and {len(report.problems) - MAX_PROBLEMS_SHOWN} more problems")
    rows = report.parsed.rows_read
    if not report.imported:
        print(
            f"{len(report.problems)} problems in {rows} rows: nothing was imported. Fix the rows "
            "above, or use --skip-invalid to import the good rows.",
            file=sys.stderr,
        )
        return 1
    print(f"Imported {path.name}: {report.summary}.")
    if report.rejects_file is not None:
        print(f"Rejected rows with their problems: {report.rejects_file}")
    return 0


def run_sample(database_url: str, out: Path, *, import_it: bool) -> int:
    from knowledge_base.registry.places import default_gazetteer
    from knowledge_base.registry.sample import write_sample_csv

    path = write_sample_csv(out, default_gazetteer())
    print(f"Wrote the SAMPLE registry (every name marked 示例) to {path}")
    if not import_it:
        return 0
    return run_import(database_url, path, replace=False, skip_invalid=False)


def ensure_registry(database_url: str, sample_path: Path) -> bool:
    """Imports the sample registry when the registry is empty; True when it did."""
    registry = FacilityRegistry.open(database_url)
    try:
        if registry.count() or registry.all(include_deregistered=True):
            return False
    finally:
        registry.close()
    return run_sample(database_url, sample_path, import_it=True) == 0
