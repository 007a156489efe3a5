"""How the childcare finder words its results, in Chinese and English."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Sequence
from typing import Any

from knowledge_base.language import Language
from knowledge_base.registry.nearby import NearbyResult
from knowledge_base.registry.sample import SAMPLE_PREFIX
from knowledge_base.registry.search_request import SearchFilters

UNKNOWN_AGE = "unknown"


def finder_payload(**entities: Any) -> str:
    """A button payload that reaches the finder whatever NLU would make of its title."""
    return "/find_childcare" + json.dumps(entities, ensure_ascii=False)


def command_payload(command: str, **entities: Any) -> str:
    return finder_payload(finder_command=command, **entities)


def place_payload(label: str) -> str:
    return finder_payload(finder_place=label)


def age_payload(value: int | str) -> str:
    return finder_payload(finder_age=value)


def age_text(age: Any, language: Language) -> str:
    if isinstance(age, int | float) and not isinstance(age, bool):
        months = int(age)
        return f"{months} months old" if language == "en" else f"{months}个月"
    return "any age" if language == "en" else "月龄不限"


def filters_text(filters: SearchFilters, language: Language) -> list[str]:
    parts = []
    en = language == "en"
    if filters.inclusive_only:
        parts.append("inclusive (普惠) only" if en else "只看普惠")
    if filters.has_vacancy:
        parts.append("with vacancies" if en else "有空余托位")
    if filters.max_fee_yuan is not None:
        fee = f"{filters.max_fee_yuan:,.0f}"
        parts.append(f"up to ¥{fee}/month" if en else f"月收费不超过{fee}元")
    if filters.care_mode:
        parts.append(filters.care_mode)
    if filters.provider_type:
        parts.append(filters.provider_type)
    return parts


def result_lines(number: int, result: NearbyResult, language: Language) -> str:
    i = result.institution
    en = language == "en"
    distance = f"{result.distance_km:.1f} km"
    fee = (
        ("fee not published" if en else "收费未公布")
        if i.monthly_fee_yuan is None
        else (f"¥{i.monthly_fee_yuan:,.0f}/month" if en else f"月收费{i.monthly_fee_yuan:,.0f}元")
    )
    ages = (
        f"ages {i.min_age_months}–{i.max_age_months} months"
        if en
        else f"收{i.min_age_months}–{i.max_age_months}个月"
    )
    if i.vacancies is None:
        vacancies = "vacancies unknown" if en else "空位未知"
    elif i.vacancies > 0:
        plural = "" if i.vacancies == 1 else "s"
        vacancies = f"{i.vacancies} free place{plural}" if en else f"空余托位{i.vacancies}个"
    else:
        vacancies = "full" if en else "暂无空位"
    inclusive = (" [inclusive 普惠]" if en else "【普惠】") if i.inclusive else ""
    contact = f" · ☎ {i.phone}" if i.phone else ""
    number_label = "Filing no." if en else "备案编号"
    return (
        f"{number}. {i.name}{inclusive}\n"
        f"   {distance} · {fee} · {ages} · {vacancies}\n"
        f"   {i.provider_type} · {'、'.join(i.care_modes)}\n"
        f"   {i.district}{i.subdistrict} · {i.address}{contact}\n"
        f"   {number_label} {i.registration_no}"
    )


def data_source_line(results: Sequence[NearbyResult], language: Language) -> str:
    sample = any(r.institution.registration_no.startswith(SAMPLE_PREFIX) for r in results)
    if language == "en":
        if sample:
            return (
                "📄 Source: SAMPLE registry data (示例), not real institutions; staff replace it "
                "by importing the official list of filed institutions."
            )
        return "📄 Source: the registry of filed (备案) childcare institutions imported by staff."
    if sample:
        return "📄 来源：示例数据（不是真实机构），工作人员导入正式备案名单后替换。"
    return "📄 来源：工作人员导入的托育机构备案名单。"


def map_url(
    base_url: str,
    location: dict[str, Any],
    age: Any,
    filters: SearchFilters,
) -> str:
    query: dict[str, str] = {
        "lat": f"{float(location['lat']):.5f}",
        "lon": f"{float(location['lon']):.5f}",
        "label": str(location.get("label", "")),
    }
    if isinstance(age, int | float) and not isinstance(age, bool):
        query["age_months"] = str(int(age))
    if filters.inclusive_only:
        query["inclusive"] = "true"
    if filters.has_vacancy:
        query["has_vacancy"] = "true"
    if filters.max_fee_yuan is not None:
        query["max_fee"] = f"{filters.max_fee_yuan:.0f}"
    if filters.care_mode:
        query["care_mode"] = filters.care_mode
    if filters.provider_type:
        query["provider_type"] = filters.provider_type
    return f"{base_url}/map?{urllib.parse.urlencode(query)}"
