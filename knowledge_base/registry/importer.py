"""Imports a registry file the way staff do it: checked row by row, atomic by default."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from knowledge_base.registry.columns import RowProblem, field_for_header
from knowledge_base.registry.model import Institution
from knowledge_base.registry.reader import ParsedFile, parse_file
from knowledge_base.registry.store import FacilityRegistry, ImportSummary


@dataclass
class ImportReport:
    parsed: ParsedFile
    summary: ImportSummary | None = None
    rejects_file: Path | None = None
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return self.summary is not None


def write_rejects(path: Path, parsed: ParsedFile) -> Path:
    target = path.with_name(f"{path.stem}.rejects.csv")
    by_row: dict[int, list[str]] = {}
    for problem in parsed.problems:
        by_row.setdefault(problem.row, []).append(f"{problem.column}: {problem.problem}")
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "problems", *parsed.headers])
        for number, values in parsed.rejected_rows:
            writer.writerow([number, "; ".join(by_row.get(number, [])), *values])
    return target


def import_registry_file(
    path: Path,
    registry: FacilityRegistry,
    *,
    replace: bool = False,
    skip_invalid: bool = False,
    progress: object | None = None,
) -> ImportReport:
    """Without skip_invalid nothing is imported when any row is bad; with it, the good rows
    are imported and the bad ones written to `<file>.rejects.csv` beside the file."""
    parsed = parse_file(path, progress)
    report = ImportReport(parsed=parsed, problems=parsed.problems)
    if parsed.problems and not skip_invalid:
        return report
    if parsed.problems:
        report.rejects_file = write_rejects(path, parsed)
    report.summary = registry.import_institutions(
        _items(parsed, registry, replace), replace=replace
    )
    return report


def preview_registry_file(
    path: Path, registry: FacilityRegistry, *, replace: bool = False
) -> tuple[ParsedFile, ImportSummary]:
    """The file's problems, and what importing its good rows would change (as with
    skip_invalid), without writing anything: the staff console's preview."""
    parsed = parse_file(path)
    return parsed, registry.plan_import(_items(parsed, registry, replace), replace=replace)


def _items(parsed: ParsedFile, registry: FacilityRegistry, replace: bool) -> list[Institution]:
    if replace and parsed.problems:
        # Rejected rows are not "missing from the registry": keep what is there for them.
        current = registry.all()
        keep = {i.registration_no for i in current} & _rejected_numbers(parsed)
        return parsed.institutions + [i for i in current if i.registration_no in keep]
    return parsed.institutions


def _rejected_numbers(parsed: ParsedFile) -> set[str]:
    numbers: set[str] = set()
    index = next(
        (
            i
            for i, h in enumerate(parsed.headers)
            if field_for_header(h.strip().lstrip("\ufeff")) == "registration_no"
        ),
        None,
    )
    if index is None:
        return numbers
    for _, values in parsed.rejected_rows:
        if index < len(values) and values[index].strip():
            numbers.add(values[index].strip())
    return numbers
