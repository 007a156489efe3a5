"""A filed (备案) childcare institution, and the fixed vocabularies of the registry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Canonical district names, keyed by the short forms people also write.
DISTRICTS: dict[str, str] = {
    name.removesuffix("区"): name
    for name in (
        "东城区",
        "西城区",
        "朝阳区",
        "海淀区",
        "丰台区",
        "石景山区",
        "门头沟区",
        "房山区",
        "通州区",
        "顺义区",
        "昌平区",
        "大兴区",
        "怀柔区",
        "平谷区",
        "密云区",
        "延庆区",
    )
}
DISTRICTS.update(
    {
        "北京经济技术开发区": "北京经济技术开发区",
        "经开区": "北京经济技术开发区",
        "亦庄开发区": "北京经济技术开发区",
    }
)
PROVIDER_TYPES = ("托育机构", "幼儿园托班", "社区托育点", "单位托育点", "区托育综合服务中心")
CARE_MODES = ("全日托", "半日托", "计时托", "临时托")


@dataclass(frozen=True)
class Institution:
    registration_no: str
    name: str
    district: str
    subdistrict: str
    address: str
    longitude: float
    latitude: float
    provider_type: str
    inclusive: bool
    care_modes: tuple[str, ...]
    min_age_months: int
    max_age_months: int
    capacity: int
    vacancies: int | None
    monthly_fee_yuan: float | None
    phone: str | None
    filed_on: dt.date
    deregistered: bool = False

    def serves_age(self, months: float) -> bool:
        return self.min_age_months <= months <= self.max_age_months
