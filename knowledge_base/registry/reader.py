"""Reads registry files (CSV in UTF-8 with or without BOM, or XLSX) into validated rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from knowledge_base.registry.columns import RowProblem, map_headers, parse_row
from knowledge_base.registry.model import Institution

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_000_000


class RegistryFileError(ValueError):
    """The file as a whole cannot be read: wrong type, encoding, size or header."""


@dataclass
class ParsedFile:
    institutions: list[Institution] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rejected_rows: list[tuple[int, list[str]]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows_read: int = 0


def _decoded(raw: bytes) -> str:
    """UTF-8 (with or without a BOM), UTF-16 with a BOM, or GB18030, which covers the GBK
    files Chinese Excel writes when asked for "CSV"."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RegistryFileError(
        "the CSV file is neither UTF-8 nor GBK/GB18030; save it as 'CSV UTF-8' and import it again"
    )


def _csv_rows(path: Path) -> Iterator[list[str]]:
    text = _decoded(path.read_bytes())
    if "\x00" in text:
        raise RegistryFileError("the file contains binary data; it is not a CSV file")
    yield from csv.reader(io.StringIO(text, newline=""))


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken file
        raise RegistryFileError(f"cannot read the XLSX file: {error}") from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield ["" if v is None else v for v in values]
    finally:
        workbook.close()


def read_rows(path: Path) -> Iterator[list[str]]:
    if not path.is_file():
        raise RegistryFileError(f"{path} does not exist")
    size = path.stat().st_size
    if size == 0:
        raise RegistryFileError("the file is empty")
    if size > MAX_FILE_BYTES:
        raise RegistryFileError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    raise RegistryFileError(f"'{suffix or path.name}' files are not supported; use .csv or .xlsx")


def parse_file(path: Path, progress: object | None = None) -> ParsedFile:
    """Every row validated; rows with problems are collected, never silently dropped."""
    rows = read_rows(path)
    try:
        headers = [str(h) for h in next(rows)]
    except StopIteration:
        raise RegistryFileError("the file has no header row") from None
    try:
        mapping = map_headers(headers)
    except ValueError as error:
        raise RegistryFileError(f"row 1 (header): {error}") from None
    parsed = ParsedFile(headers=headers)
    seen: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):
        if not any(str(v).strip() for v in values):
            continue
        parsed.rows_read += 1
        if parsed.rows_read > MAX_ROWS:
            raise RegistryFileError(f"the file has more than {MAX_ROWS} rows")
        record = {f: values[i] for i, f in mapping.items() if i < len(values)}
        result = parse_row(number, record)
        if isinstance(result, Institution) and result.registration_no in seen:
            first = seen[result.registration_no]
            result = [
                RowProblem(
                    number,
                    "registration_no/备案编号",
                    f"{result.registration_no} already appears in row {first}",
                )
            ]
        if isinstance(result, Institution):
            seen[result.registration_no] = number
            parsed.institutions.append(result)
        else:
            parsed.problems.extend(result)
            parsed.rejected_rows.append((number, [str(v) for v in values]))
        if progress is not None:
            progress.update(1)  # type: ignore[attr-defined]
    return parsed
