"""Danger signs in a parent's message, found deterministically before any search.

The signs, exceptions and immediate steps live in knowledge_base/safety/danger_signs.yml so
staff can maintain them. This module runs in both Python environments: the Rasa server uses
it (rasa_addons/danger_sign_detector.py) to turn such a message into the `emergency` intent,
the action server to say the steps, and the gateway to still give the emergency numbers when
a backend is down. Keep it compatible with Python 3.10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from re import Pattern
from typing import Any

import yaml

DEFAULT_DATA = Path(__file__).parent / "safety" / "danger_signs.yml"
YOUNG_INFANT = "high_fever_young_infant"

_CN_NUMBERS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "半": 0.5,
}
_NUM = r"(\d+(?:\.\d+)?|[一二两三四五六七八九十]+)"
_AGE_MONTHS = re.compile(_NUM + r"\s*(个半|个)?\s*(?:多)?\s*月(?:大|龄)?(?!前|以前|之前|后)")
_AGE_DAYS = re.compile(_NUM + r"\s*天(?:大|了)?(?!前|以前|之前|后)|出生(?:才)?" + _NUM + r"\s*天")
_AGE_WEEKS = re.compile(_NUM + r"\s*(?:周|星期)(?:大|的)?")
_AGE_EN = re.compile(
    r"(\d+(?:\.\d+)?)\s*[- ]?(day|week|wk|month|mo)s?[- ]?old"
    r"|(\d+)\s*(day|week|wk|month|mo)s?\b(?! ago)",
    re.IGNORECASE,
)
_AGE_YEARS = re.compile(_NUM + r"\s*(?:岁|周岁)|(\d+)\s*[- ]?(?:years?|yrs?|yo)\b", re.IGNORECASE)
_NEWBORN = re.compile(r"新生儿|初生|刚出生|满月|月子里|出月子|newborn|neonat", re.IGNORECASE)
# A temperature counts only when it is the child's: after a word about body temperature or
# fever, never a bath, bottle or room temperature.
_BODY_TEMPERATURE = re.compile(
    r"(?:体温|额温|耳温|腋温|肛温|量了?一?下?|测了?一?下?|烧到|发烧|发热|高烧|低烧|烧了|"
    r"体温计|温度计|fever(?: of)?|thermometer(?: says| reads| shows)?|"
    r"temp(?:erature)?(?: (?:is|of|was|at))?)\D{0,8}?(\d{2,3}(?:\.\d+)?)\s*(°\s*f\b|f\b|华氏)?",
    re.IGNORECASE,
)
_NOT_BODY = re.compile(r"水温|洗澡水|奶温|冲奶|室温|房间|\bbath|\bwater\b|formula|\broom\b", re.I)


# Traditional characters that parents in Hong Kong, Taiwan or abroad type in these messages;
# mapped to simplified so one set of patterns covers both.
_TRADITIONAL = str.maketrans(
    "寶貝兒嬰發燒燙傷誤從來頭麼辦熱醫過沒應癲癇驚藥嗆臉觸電難緊嘔氣嚨潔劑鐵鈕釦腦後樓陽臺車"
    "罵關鎖檢識軟無動溫體兩個週歲滿開湯鍋灑潑濺擊煙還會嗎為們這裡說請該時間點現剛纔幫"
    "診護師園託機構長爺媽樣聽見覺讓給對學問題臟腸嚴親鄰單獨變區號碼報總飯雞魚堅顆粒塊瀉鬧"
    "側墊邊緣滾劃針釘幣紐喚醒暈厲癢膚淚嚥吞噹處隱紅腫疼瘀傢俱櫃窩摟虛弱喪嚇"
    "預儲課訓練習險議裝電視遊戲圖畫動漫費價錢帳",
    "宝贝儿婴发烧烫伤误从来头么办热医过没应癫痫惊药呛脸触电难紧呕气咙洁剂铁钮扣脑后楼阳台车"
    "骂关锁检识软无动温体两个周岁满开汤锅洒泼溅击烟还会吗为们这里说请该时间点现刚才帮"
    "诊护师园托机构长爷妈样听见觉让给对学问题脏肠严亲邻单独变区号码报总饭鸡鱼坚颗粒块泻闹"
    "侧垫边缘滚划针钉币纽唤醒晕厉痒肤泪咽吞当处隐红肿疼瘀家具柜窝搂虚弱丧吓"
    "预储课训练习险议装电视游戏图画动漫费价钱账",
)


def normalise(text: str) -> str:
    """Simplified characters and plain spacing, so patterns match however it was typed."""
    return re.sub(r"\s+", " ", text.translate(_TRADITIONAL)).strip()


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        total = 0.0
        if text.startswith("十"):
            text = "一" + text
        if "十" in text:
            tens, _, ones = text.partition("十")
            total = _CN_NUMBERS.get(tens, 1) * 10 + (_CN_NUMBERS.get(ones, 0) if ones else 0)
            return total
        return float(_CN_NUMBERS.get(text, 0))


def age_in_months(text: str) -> float | None:
    """The child's age if the message states it (months), else None."""
    if _NEWBORN.search(text):
        return 0.5
    match = _AGE_MONTHS.search(text)
    if match:
        return _number(match.group(1)) + (0.5 if match.group(2) == "个半" else 0.0)
    match = _AGE_DAYS.search(text)
    if match:
        return _number(match.group(1) or match.group(2)) / 30.4
    match = _AGE_WEEKS.search(text)
    if match:
        return _number(match.group(1)) / 4.35
    match = _AGE_EN.search(text)
    if match:
        value = float(match.group(1) or match.group(3))
        unit = (match.group(2) or match.group(4)).lower()
        return value / 30.4 if unit == "day" else value / 4.35 if unit in ("week", "wk") else value
    match = _AGE_YEARS.search(text)
    if match:
        return _number(match.group(1) or match.group(2)) * 12
    return None


def body_temperature_celsius(text: str) -> float | None:
    """The child's temperature if the message gives one, in °C."""
    if _NOT_BODY.search(text):
        return None
    match = _BODY_TEMPERATURE.search(text)
    if not match:
        return None
    value = float(match.group(1))
    if match.group(2) or value > 50:
        value = (value - 32) * 5 / 9
    return value if 34 <= value <= 44 else None


@dataclass(frozen=True)
class DangerCategory:
    key: str
    number: str
    signs: tuple[Pattern[str], ...]
    not_current: tuple[Pattern[str], ...]
    steps: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class DangerSign:
    """A danger sign found in a message: which category, and what matched."""

    category: str
    number: str
    matched: str


def _compile(patterns: Any) -> tuple[Pattern[str], ...]:
    if isinstance(patterns, str):
        patterns = [patterns]
    return tuple(re.compile(p, re.IGNORECASE) for p in (patterns or []))


@dataclass
class DangerSignDetector:
    categories: list[DangerCategory]
    not_current: tuple[Pattern[str], ...]
    urgent: tuple[Pattern[str], ...]
    fever: tuple[Pattern[str], ...]
    fever_from_celsius: float
    young_infant_months: float
    source: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path = DEFAULT_DATA) -> DangerSignDetector:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> DangerSignDetector:
        categories = []
        for key, item in (data.get("categories") or {}).items():
            steps = item.get("steps") or {}
            categories.append(
                DangerCategory(
                    key=key,
                    number=str(item.get("number", "120")),
                    signs=_compile(item.get("signs")),
                    not_current=_compile(item.get("not_current")),
                    steps={lang: tuple(steps.get(lang) or ()) for lang in ("zh", "en")},
                )
            )
        fever = data.get("fever") or {}
        return cls(
            categories=categories,
            not_current=_compile(data.get("not_current")),
            urgent=_compile(data.get("urgent")),
            fever=_compile(fever.get("signs")),
            fever_from_celsius=float(fever.get("fever_from_celsius", 38.0)),
            young_infant_months=float(fever.get("max_age_months", 3)),
            source={k: str(v) for k, v in (data.get("source") or {}).items()},
        )

    def category(self, key: str) -> DangerCategory | None:
        return next((c for c in self.categories if c.key == key), None)

    def _is_current(self, text: str, figurative: tuple[Pattern[str], ...] = ()) -> bool:
        # A category's own exceptions are other meanings of its words ("烧脑", "叫名字没反应"):
        # no urgency makes them a danger sign.
        if any(p.search(text) for p in figurative):
            return False
        if any(p.search(text) for p in self.urgent):
            return True
        return not any(p.search(text) for p in self.not_current)

    def _young_infant_fever(self, text: str) -> str | None:
        age = age_in_months(text)
        if age is None or age >= self.young_infant_months:
            return None
        temperature = body_temperature_celsius(text)
        if temperature is not None:
            return f"{temperature:.1f}°C" if temperature >= self.fever_from_celsius else None
        fever = next((m for p in self.fever if (m := p.search(text))), None)
        return fever.group(0) if fever else None

    def detect(self, text: str) -> DangerSign | None:
        """The first danger sign in the message, in the order the data lists categories."""
        text = normalise(text or "")
        if not text:
            return None
        for category in self.categories:
            if category.key == YOUNG_INFANT:
                matched = self._young_infant_fever(text)
                if matched and self._is_current(text):
                    return DangerSign(category.key, category.number, matched)
                continue
            for pattern in category.signs:
                match = pattern.search(text)
                if match and self._is_current(text, category.not_current):
                    return DangerSign(category.key, category.number, match.group(0))
        return None


@dataclass(frozen=True)
class EmergencyReply:
    category: str | None
    number: str
    steps: tuple[str, ...]
    source_line: str

    @property
    def steps_text(self) -> str:
        return "\n".join(f"{i}. {step}" for i, step in enumerate(self.steps, start=1))


_GENERIC_STEPS = {
    "zh": ("如果孩子有生命危险，立即拨打 120；孩子正受到伤害，拨打 110。",),
    "en": (
        "If your child's life may be in danger, call 120 now; "
        "if someone is hurting them, call 110.",
    ),
}


def emergency_reply(detector: DangerSignDetector, text: str, language: str) -> EmergencyReply:
    """The number and steps for the danger sign in text (generic ones if none is found)."""
    language = "en" if language == "en" else "zh"
    source = detector.source
    source_line = (
        f"{source.get('issuer', '')}《{source.get('document', '')}》（{source.get('date', '')}）"
    )
    sign = detector.detect(text)
    category = detector.category(sign.category) if sign else None
    if category is None or not category.steps.get(language):
        return EmergencyReply(None, "120", _GENERIC_STEPS[language], source_line)
    return EmergencyReply(category.key, category.number, category.steps[language], source_line)
