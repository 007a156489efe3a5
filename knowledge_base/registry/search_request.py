"""What a parent's message changes about a childcare search: filters, paging, starting over.

"附近有普惠的吗", "要有空位的", "不超过3000" refine the last search rather than start a new
one, so a message is read as changes to the search state, never as a whole new query.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from knowledge_base.text import chinese_number, normalise

_INCLUSIVE = re.compile(r"普惠|公办|政府补贴的|inclusive|affordable|subsidi[sz]ed|public", re.I)
_NOT_INCLUSIVE = re.compile(
    r"(?:不要求|不一定|不用|不必|不限|不管是不是|不只|非)普惠|普惠(?:不普惠)?都(?:行|可以)|"
    r"(?:not?|any|don'?t care|doesn'?t (?:have|need) to be|not necessarily)\b.{0,12}inclusive",
    re.I,
)
_VACANCY = re.compile(
    r"空位|空余|名额|有位置?|能入托|可以入托|马上.{0,4}入|立即入|现在就能|能马上去|还收人|收人吗|"
    r"vacanc|free (?:place|spot|space)s?|(?:place|spot|space|opening)s? (?:available|free|left)|"
    r"can start (?:now|soon|right away)|available now",
    re.I,
)
_FEE_NUMBER = r"(\d+(?:\.\d+)?)\s*(k|千|万|w)?\s*(?:元|块|rmb|yuan|¥)?"
_CN_FEE = r"([一二两三四五六七八九])千(?:([一二三四五六七八九])百?)?"
_FEE_LIMIT = re.compile(
    r"(?:不超过|不高于|不要超过|别超过|低于|少于|小于|最多|最高|封顶|预算|控制在|上限|"
    r"under|below|less than|at most|max(?:imum)?|up to|within|budget(?: of| is)?|no more than|<=?)"
    r"\s*(?:每月|每个月|一个月|月|a month|per month|monthly)?\s*(?:¥|rmb|cny)?\s*"
    + f"(?:{_FEE_NUMBER}|{_CN_FEE})"
    + r"|"
    + f"(?:{_FEE_NUMBER}|{_CN_FEE})"
    + r"\s*(?:元|块)?\s*(?:以内|以下|之内|内|左右以内|or less|or under|max|and under|tops)",
    re.I,
)
_FEE_AROUND = re.compile(
    r"(\d{3,5})\s*(?:元|块)?\s*(?:左右|上下|or so|ish)|(?:around|about|roughly)\s*¥?\s*(\d{3,5})",
    re.I,
)
_NO_FEE_LIMIT = re.compile(
    r"(?:价格|费用|多少钱|贵不贵)?\s*(?:不限|无所谓|都行)|any price|no budget", re.I
)
_CARE_MODES = (
    ("全日托", re.compile(r"全日托|全托|全天|整天|full[- ]?day|full[- ]?time", re.I)),
    ("半日托", re.compile(r"半日托|半日|半天|half[- ]?day|part[- ]?time|mornings? only", re.I)),
    ("计时托", re.compile(r"计时托|计时|按小时|小时托|hourly|by the hour", re.I)),
    ("临时托", re.compile(r"临时托|临时|偶尔|occasional|drop[- ]?in|emergency care|ad hoc", re.I)),
)
_PROVIDER_TYPES = (
    ("区托育综合服务中心", re.compile(r"综合服务中心|district (?:childcare )?centre|hub", re.I)),
    ("社区托育点", re.compile(r"社区(?:托育|办的|里的|的)|community", re.I)),
    ("单位托育点", re.compile(r"单位|职工|公司办的|employer|workplace|company", re.I)),
    ("幼儿园托班", re.compile(r"幼儿园(?:的|里的|办的)?托班|幼儿园|kindergarten", re.I)),
)
_MORE = re.compile(
    r"更多|再看|再来|还有(?:别的|其他|吗|没有)|其他的|别的呢|下一页|换一批|后面的|"
    r"\bmore\b|\bnext\b|\bothers?\b|anything else nearby",
    re.I,
)
_CLEAR = re.compile(
    r"清除(?:条件|筛选)?|重置|不限条件|去掉(?:条件|筛选)|取消筛选|全部都看|所有的都|"
    r"clear (?:the )?filters?|reset|remove (?:the )?filters?|show all",
    re.I,
)
_NEW_PLACE = re.compile(
    r"换(?:个|一个)?(?:地方|地点|位置|区域)|别的(?:地方|区)|其他(?:地方|区)|"
    r"(?:different|another|other) (?:area|place|location|district)|"
    r"change (?:the )?(?:area|location)",
    re.I,
)
_NEW_AGE = re.compile(
    r"换(?:个|一个)?(?:月龄|年龄)|另一个孩子|老二|老大|other child|another child", re.I
)
_CHEAPER = re.compile(r"便宜|实惠|省钱|cheap|less expensive|lower (?:fee|price)", re.I)


@dataclass(frozen=True)
class SearchFilters:
    """The filters a conversation has asked for so far, kept across refinements."""

    inclusive_only: bool = False
    has_vacancy: bool = False
    max_fee_yuan: float | None = None
    care_mode: str | None = None
    provider_type: str | None = None

    def to_slot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_slot(cls, value: Any) -> SearchFilters:
        if not isinstance(value, dict):
            return cls()
        fee = value.get("max_fee_yuan")
        return cls(
            inclusive_only=bool(value.get("inclusive_only")),
            has_vacancy=bool(value.get("has_vacancy")),
            max_fee_yuan=float(fee) if isinstance(fee, int | float) and fee > 0 else None,
            care_mode=_text_or_none(value.get("care_mode")),
            provider_type=_text_or_none(value.get("provider_type")),
        )

    @property
    def any(self) -> bool:
        return self != SearchFilters()


@dataclass(frozen=True)
class SearchChanges:
    """What one message asks to change; fields left None are not mentioned."""

    inclusive_only: bool | None = None
    has_vacancy: bool | None = None
    max_fee_yuan: float | None = None
    no_fee_limit: bool = False
    care_mode: str | None = None
    provider_type: str | None = None
    more: bool = False
    clear: bool = False
    new_place: bool = False
    new_age: bool = False
    cheaper: bool = False
    changed: tuple[str, ...] = field(default=())

    def apply(self, filters: SearchFilters) -> SearchFilters:
        if self.clear:
            filters = SearchFilters()
        updates: dict[str, Any] = {}
        if self.inclusive_only is not None:
            updates["inclusive_only"] = self.inclusive_only
        if self.has_vacancy is not None:
            updates["has_vacancy"] = self.has_vacancy
        if self.max_fee_yuan is not None:
            updates["max_fee_yuan"] = self.max_fee_yuan
        elif self.no_fee_limit:
            updates["max_fee_yuan"] = None
        if self.care_mode is not None:
            updates["care_mode"] = self.care_mode
        if self.provider_type is not None:
            updates["provider_type"] = self.provider_type
        return replace(filters, **updates)

    @property
    def refines(self) -> bool:
        """Whether the message changes the filters (and so starts from the closest again)."""
        return bool(self.changed) or self.clear


def parse_search_changes(text: str) -> SearchChanges:
    text = normalise(text)
    changed: list[str] = []
    inclusive: bool | None = None
    if _NOT_INCLUSIVE.search(text):
        inclusive = False
    elif _INCLUSIVE.search(text):
        inclusive = True
    if inclusive is not None:
        changed.append("inclusive_only")
    vacancy = True if _VACANCY.search(text) else None
    if vacancy:
        changed.append("has_vacancy")
    fee = fee_limit(text)
    no_fee_limit = fee is None and bool(_NO_FEE_LIMIT.search(text)) and "普惠" not in text
    if fee is not None or no_fee_limit:
        changed.append("max_fee_yuan")
    care_mode = next((mode for mode, pattern in _CARE_MODES if pattern.search(text)), None)
    if care_mode:
        changed.append("care_mode")
    provider = next((kind for kind, pattern in _PROVIDER_TYPES if pattern.search(text)), None)
    if provider:
        changed.append("provider_type")
    return SearchChanges(
        inclusive_only=inclusive,
        has_vacancy=vacancy,
        max_fee_yuan=fee,
        no_fee_limit=no_fee_limit,
        care_mode=care_mode,
        provider_type=provider,
        more=bool(_MORE.search(text)),
        clear=bool(_CLEAR.search(text)),
        new_place=bool(_NEW_PLACE.search(text)),
        new_age=bool(_NEW_AGE.search(text)),
        cheaper=bool(_CHEAPER.search(text)) and fee is None,
        changed=tuple(changed),
    )


def fee_limit(text: str) -> float | None:
    """A monthly fee ceiling ("不超过3000", "3k以内", "under 2500"), in yuan."""
    text = normalise(text)
    match = _FEE_LIMIT.search(text)
    if not match:
        around = _FEE_AROUND.search(text)
        # "2000左右": about that much, so a little above it still suits.
        return round(float(around.group(1) or around.group(2)) * 1.1, -2) if around else None
    groups = match.groups()
    for start in (0, 4):
        number, unit = groups[start], groups[start + 1]
        if number:
            value = float(number) * {"k": 1000, "千": 1000, "万": 10000, "w": 10000}.get(
                (unit or "").lower(), 1
            )
            return value if 100 <= value <= 100_000 else None
        thousands, hundreds = groups[start + 2], groups[start + 3]
        if thousands:
            return (chinese_number(thousands) or 0) * 1000 + (
                (chinese_number(hundreds) or 0) * 100 if hundreds else 0
            )
    return None


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
