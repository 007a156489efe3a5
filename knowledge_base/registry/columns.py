"""The registry file format: columns under English or Chinese headers, and row validation.

Every problem is reported as `row N, column C: problem`, with N the spreadsheet row number
(the header is row 1) so staff can find it in the file they imported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from knowledge_base.registry.model import (
    CARE_MODES,
    DISTRICTS,
    PROVIDER_TYPES,
    Institution,
)

# (field, English header, Chinese header, required)
COLUMNS: tuple[tuple[str, str, str, bool], ...] = (
    ("registration_no", "registration_no", "备案编号", True),
    ("name", "name", "机构名称", True),
    ("district", "district", "所属区", True),
    ("subdistrict", "subdistrict", "街道乡镇", True),
    ("address", "address", "地址", True),
    ("longitude", "longitude", "经度", True),
    ("latitude", "latitude", "纬度", True),
    ("provider_type", "provider_type", "机构类型", True),
    ("inclusive", "inclusive", "是否普惠", True),
    ("care_modes", "care_modes", "托育类型", True),
    ("min_age_months", "min_age_months", "最小月龄", True),
    ("max_age_months", "max_age_months", "最大月龄", True),
    ("capacity", "capacity", "托位数", True),
    ("vacancies", "vacancies", "空余托位", False),
    ("monthly_fee_yuan", "monthly_fee_yuan", "月收费(元)", False),
    ("phone", "phone", "联系电话", False),
    ("filed_on", "filed_on", "备案日期", True),
)
_HEADER_TO_FIELD = {
    _normal: field
    for field, en, zh, _ in COLUMNS
    for _normal in (en.lower(), zh, zh.replace("(", "（").replace(")", "）"))
}
_TRUE = {"是", "true", "1", "yes", "y", "普惠"}
_FALSE = {"否", "false", "0", "no", "n", "非普惠"}
_CARE_MODE_SPLIT = re.compile(r"[;；、,，/\s]+")
# Beijing and its surroundings, generously: a point outside is a typo (swapped or missing digit).
_LONGITUDE = (115.3, 117.6)
_LATITUDE = (39.3, 41.1)
MAX_TEXT = 300
# Narrower columns in the registry table (tables.py); PostgreSQL enforces the widths.
_MAX_LENGTH = {"registration_no": 64, "subdistrict": 64, "phone": 64}


class HeaderError(ValueError):
    """The header row lacks required columns or names one twice."""


# Other names the same columns go by in files staff receive (exports from other systems).
_HEADER_ALIASES = {
    "备案号": "registration_no", "备案编码": "registration_no", "机构名": "name",
    "托育机构名称": "name", "所在区": "district", "行政区": "district", "区": "district",
    "所属区县": "district", "街道": "subdistrict", "街乡": "subdistrict",
    "街道(乡镇)": "subdistrict", "所属街道": "subdistrict", "机构地址": "address",
    "详细地址": "address", "经度(wgs84)": "longitude", "纬度(wgs84)": "latitude",
    "机构性质": "provider_type", "普惠": "inclusive", "是否普惠性": "inclusive",
    "是否普惠托育": "inclusive", "服务类型": "care_modes", "托育服务类型": "care_modes",
    "托位数(个)": "capacity", "核定托位数": "capacity", "空余托位数": "vacancies",
    "剩余托位": "vacancies", "月收费": "monthly_fee_yuan", "收费标准(元/月)": "monthly_fee_yuan",
    "月收费标准(元)": "monthly_fee_yuan", "联系方式": "phone", "电话": "phone",
    "备案时间": "filed_on", "备案日": "filed_on",
}  # fmt: skip


def field_for_header(header: str) -> str | None:
    text = str(header or "").strip().lstrip("\ufeff")
    # Full-width brackets, stray spaces and line breaks inside a header cell change nothing.
    plain = re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")
    return (
        _HEADER_TO_FIELD.get(text.lower())
        or _HEADER_TO_FIELD.get(text)
        or _HEADER_TO_FIELD.get(plain)
        or _HEADER_TO_FIELD.get(plain.lower())
        or _HEADER_ALIASES.get(plain.lower())
    )


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
# Spreadsheet day numbers (days since 1899-12-30) that reach a CSV as plain numbers.
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(text: str) -> dt.date | None:
    """2024-05-01, 2024/5/1, 2024.05.01, 2024年5月1日, 20240501 or a spreadsheet day number."""
    text = text.strip()
    match = _DATE.match(text)
    try:
        if match:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if re.fullmatch(r"\d{8}", text):
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if re.fullmatch(r"\d{5}", text) and 30_000 <= int(text) <= 60_000:
            return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    except ValueError:
        return None
    return None


def map_headers(headers: list[str]) -> dict[int, str]:
    """Column index -> field; raises HeaderError naming what is missing or doubled."""
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, header in enumerate(headers):
        field = field_for_header(header)
        if field is None:
            continue
        if field in seen:
            raise HeaderError(f"columns '{seen[field]}' and '{header}' both give {field}")
        seen[field] = str(header)
        mapping[index] = field
    missing = [
        f"{en} ({zh})" for field, en, zh, required in COLUMNS if required and field not in seen
    ]
    if missing:
        raise HeaderError("missing required columns: " + ", ".join(missing))
    return mapping


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.problem}"


class _Row:
    def __init__(self, number: int, values: Mapping[str, object]) -> None:
        self.number = number
        self.values = values
        self.problems: list[RowProblem] = []

    def bad(self, field: str, problem: str) -> None:
        header = next(f"{en}/{zh}" for f, en, zh, _ in COLUMNS if f == field)
        self.problems.append(RowProblem(self.number, header, problem))

    def raw(self, field: str) -> str:
        value = self.values.get(field)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value).strip()

    def text(self, field: str, required: bool = True) -> str | None:
        value = self.raw(field)
        if not value:
            if required:
                self.bad(field, "is empty")
            return None
        limit = _MAX_LENGTH.get(field, MAX_TEXT)
        if len(value) > limit:
            self.bad(field, f"is longer than {limit} characters")
            return None
        if re.search(r"[<>]", value):
            self.bad(field, "contains < or >, which no registry value needs")
            return None
        return value

    def number_in(self, field: str, low: float, high: float, required: bool = True) -> float | None:
        value = self.raw(field)
        if not value:
            if required:
                self.bad(field, "is empty")
            return None
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            self.bad(field, f"'{value}' is not a number")
            return None
        if not low <= number <= high:
            self.bad(field, f"{value} is outside {low:g} to {high:g}")
            return None
        return number

    def whole(self, field: str, low: int, high: int, required: bool = True) -> int | None:
        number = self.number_in(field, low, high, required)
        if number is None:
            return None
        if not float(number).is_integer():
            self.bad(field, f"{number:g} is not a whole number")
            return None
        return int(number)


def parse_row(number: int, values: Mapping[str, object]) -> Institution | list[RowProblem]:
    """One data row as an Institution, or every problem found in it."""
    row = _Row(number, values)
    registration_no = row.text("registration_no")
    name = row.text("name")
    district = row.text("district")
    if district is not None:
        district = DISTRICTS.get(district.removesuffix("区"), DISTRICTS.get(district))
        if district is None:
            row.bad("district", "is not one of Beijing's 16 districts or 北京经济技术开发区")
    subdistrict = row.text("subdistrict")
    address = row.text("address")
    longitude = row.number_in("longitude", *_LONGITUDE)
    latitude = row.number_in("latitude", *_LATITUDE)
    provider_type = row.text("provider_type")
    if provider_type is not None and provider_type not in PROVIDER_TYPES:
        row.bad("provider_type", "must be one of " + "、".join(PROVIDER_TYPES))
        provider_type = None
    inclusive_raw = row.raw("inclusive").lower()
    inclusive: bool | None = None
    if inclusive_raw in _TRUE:
        inclusive = True
    elif inclusive_raw in _FALSE:
        inclusive = False
    else:
        row.bad("inclusive", "must be 是/否 (or true/false, 1/0)")
    modes_raw = row.raw("care_modes")
    modes = tuple(dict.fromkeys(m for m in _CARE_MODE_SPLIT.split(modes_raw) if m))
    if not modes:
        row.bad("care_modes", "is empty")
    unknown = [m for m in modes if m not in CARE_MODES]
    if unknown:
        row.bad("care_modes", f"unknown {'、'.join(unknown)}; use {'、'.join(CARE_MODES)}")
    min_age = row.whole("min_age_months", 0, 72)
    max_age = row.whole("max_age_months", 0, 72)
    if min_age is not None and max_age is not None and min_age > max_age:
        row.bad("max_age_months", f"{max_age} is below the minimum age {min_age}")
    capacity = row.whole("capacity", 1, 10_000)
    vacancies = row.whole("vacancies", 0, 10_000, required=False)
    if vacancies is not None and capacity is not None and vacancies > capacity:
        row.bad("vacancies", f"{vacancies} is more than the capacity {capacity}")
    fee = row.number_in("monthly_fee_yuan", 0, 100_000, required=False)
    phone = row.text("phone", required=False)
    filed_raw = row.raw("filed_on")
    filed_on = parse_date(filed_raw)
    if filed_on is None:
        row.bad("filed_on", f"'{filed_raw}' is not a date YYYY-MM-DD" if filed_raw else "is empty")
    elif filed_on > dt.date.today():
        row.bad("filed_on", f"{filed_on.isoformat()} is in the future")
        filed_on = None
    required = (registration_no, name, district, subdistrict, address, longitude, latitude,
                provider_type, inclusive, min_age, max_age, capacity, filed_on)  # fmt: skip
    if row.problems or any(value is None for value in required):
        return row.problems
    return Institution(
        registration_no=cast(str, registration_no),
        name=cast(str, name),
        district=cast(str, district),
        subdistrict=cast(str, subdistrict),
        address=cast(str, address),
        longitude=cast(float, longitude),
        latitude=cast(float, latitude),
        provider_type=cast(str, provider_type),
        inclusive=cast(bool, inclusive),
        care_modes=modes,
        min_age_months=cast(int, min_age),
        max_age_months=cast(int, max_age),
        capacity=cast(int, capacity),
        vacancies=vacancies,
        monthly_fee_yuan=fee,
        phone=phone,
        filed_on=cast(dt.date, filed_on),
    )
