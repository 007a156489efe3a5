"""Danger signs in a parent's message, found deterministically before any search.

The signs, exceptions and immediate steps live in knowledge_base/safety/danger_signs.yml so
staff can maintain them. This module runs in both Python environments: the Rasa server uses
it (rasa_addons/danger_sign_detector.py) to turn such a message into the `emergency` intent,
the action server to say the steps, and the gateway to still give the emergency numbers when
a backend is down. Keep it compatible with Python 3.10.

These rules are one of the two signals knowledge_base/triage combines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from re import Pattern
from typing import Any

import yaml

from knowledge_base.text import age_in_months, normalise

DEFAULT_DATA = Path(__file__).parent / "safety" / "danger_signs.yml"
YOUNG_INFANT = "high_fever_young_infant"
PARENT_CRISIS = "parent_crisis"

# A temperature counts only when it is the child's: after a word about body temperature or
# fever, never a bath, bottle or room temperature.
_BODY_TEMPERATURE = re.compile(
    r"(?:体温|额温|耳温|腋温|肛温|量了?一?下?|测了?一?下?|烧到|发烧|发热|高烧|低烧|烧了|"
    r"体温计|温度计|fever(?: of)?|thermometer(?: says| reads| shows)?|"
    r"temp(?:erature)?(?: (?:is|of|was|at))?)\D{0,8}?(\d{2,3}(?:\.\d+)?)\s*(°\s*f\b|f\b|华氏)?",
    re.IGNORECASE,
)
_NOT_BODY = re.compile(r"水温|洗澡水|奶温|冲奶|室温|房间|\bbath|\bwater\b|formula|\broom\b", re.I)
# Words that put a sign on the child even when an adult is mentioned just before it.
_CHILD = re.compile(
    r"宝宝|宝贝|孩子|娃|儿子|女儿|闺女|婴儿|小孩|孩儿|新生儿|\bbab(y|ies)\b|\bson\b|"
    r"\bdaughter\b|\btoddler\b|\binfant\b|\bkid\b|\bchild\b|\blo\b|\bnewborn\b",
    re.I,
)
_CHILD_OBJECT = re.compile(r"他|她|它|\b(him|her|them)\b", re.I)


def body_temperature_celsius(text: str) -> float | None:
    """The child's temperature if the message gives one, in °C."""
    text = normalise(text)
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
class Source:
    issuer: str
    document: str
    date: str

    @classmethod
    def from_data(cls, data: Any) -> Source:
        data = data or {}
        return cls(
            str(data.get("issuer", "")), str(data.get("document", "")), str(data.get("date", ""))
        )

    @property
    def line(self) -> str:
        return f"{self.issuer}《{self.document}》（{self.date}）"


@dataclass(frozen=True)
class DangerCategory:
    key: str
    number: str
    signs: tuple[Pattern[str], ...]
    not_current: tuple[Pattern[str], ...]
    steps: dict[str, tuple[str, ...]]
    check_signs: tuple[Pattern[str], ...] = ()
    check: dict[str, str] = field(default_factory=dict)
    source: Source | None = None


@dataclass(frozen=True)
class DangerSign:
    """A danger sign found in a message: which category, and what matched."""

    category: str
    number: str
    matched: str


@dataclass(frozen=True)
class RuleFinding:
    """What the maintained rules see in a message, before anything is decided.

    current: happening now (no past, resolved, hypothetical or prevention marker wins);
    childs: the child's, not an adult's own symptom; check_only: a sign that deserves one
    quick question rather than an alarm (a barking cough).
    """

    category: str
    number: str
    matched: str
    current: bool = True
    childs: bool = True
    check_only: bool = False

    @property
    def alarm(self) -> bool:
        return self.current and self.childs and not self.check_only


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
    resolved: tuple[Pattern[str], ...] = ()
    hypothetical: tuple[Pattern[str], ...] = ()
    adult_subject: tuple[Pattern[str], ...] = ()

    @classmethod
    def from_file(cls, path: Path = DEFAULT_DATA) -> DangerSignDetector:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> DangerSignDetector:
        categories = []
        for key, item in (data.get("categories") or {}).items():
            steps = item.get("steps") or {}
            check = item.get("check") or {}
            categories.append(
                DangerCategory(
                    key=key,
                    number=str(item.get("number", "120")),
                    signs=_compile(item.get("signs")),
                    not_current=_compile(item.get("not_current")),
                    steps={lang: tuple(steps.get(lang) or ()) for lang in ("zh", "en")},
                    check_signs=_compile(item.get("check_signs")),
                    check={lang: str(check[lang]) for lang in ("zh", "en") if check.get(lang)},
                    source=Source.from_data(item["source"]) if item.get("source") else None,
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
            resolved=_compile(data.get("resolved")),
            hypothetical=_compile(data.get("hypothetical")),
            adult_subject=_compile(data.get("adult_subject")),
        )

    def category(self, key: str) -> DangerCategory | None:
        return next((c for c in self.categories if c.key == key), None)

    def source_of(self, key: str | None) -> Source:
        category = self.category(key) if key else None
        if category is not None and category.source is not None:
            return category.source
        return Source.from_data(self.source)

    def _is_current(self, text: str, figurative: tuple[Pattern[str], ...] = ()) -> bool:
        # A category's own exceptions are other meanings of its words ("烧脑", "叫名字没反应"):
        # no urgency makes them a danger sign. Resolved beats urgent ("刚才噎了一下，咳出来了").
        if any(p.search(text) for p in figurative):
            return False
        if any(p.search(text) for p in self.resolved):
            return False
        if any(p.search(text) for p in self.urgent):
            return True
        return not any(p.search(text) for p in (*self.not_current, *self.hypothetical))

    def _is_figurative(self, text: str, figurative: tuple[Pattern[str], ...]) -> bool:
        return any(p.search(text) for p in figurative)

    def _is_adults(self, text: str, match: re.Match[str]) -> bool:
        """The sign belongs to an adult named just before it, and the child is not its subject."""
        # "我叫不醒她", "I can't wake him": the adult acts, the child is the one in danger.
        after = match.group(0) + text[match.end() : match.end() + 8]
        if _CHILD.search(after) or _CHILD_OBJECT.search(after):
            return False
        before = text[max(0, match.start() - 24) : match.start()]
        if not any(p.search(before) for p in self.adult_subject):
            return any(p.search(match.group(0)) for p in self.adult_subject)
        # "我自己发烧还要带娃" is still the adult's; "我发现宝宝发烧" puts it on the child.
        near = text[max(0, match.start() - 8) : match.start()]
        return not _CHILD.search(near)

    def _young_infant_fever(self, text: str) -> str | None:
        age = age_in_months(text)
        if age is None or age >= self.young_infant_months:
            return None
        temperature = body_temperature_celsius(text)
        if temperature is not None:
            return f"{temperature:.1f}°C" if temperature >= self.fever_from_celsius else None
        fever = next((m for p in self.fever if (m := p.search(text))), None)
        return fever.group(0) if fever else None

    def findings(self, text: str) -> list[RuleFinding]:
        """Every category whose signs appear, in the data's order, with whose and when."""
        text = normalise(text or "")
        if not text:
            return []
        found: list[RuleFinding] = []
        for category in self.categories:
            if category.key == YOUNG_INFANT:
                matched = self._young_infant_fever(text)
                if matched:
                    found.append(
                        RuleFinding(category.key, category.number, matched, self._is_current(text))
                    )
                continue
            finding = self._category_finding(text, category)
            if finding is not None:
                found.append(finding)
        return found

    def _category_finding(self, text: str, category: DangerCategory) -> RuleFinding | None:
        if self._is_figurative(text, category.not_current):
            return None
        matches = [m for p in category.signs for m in p.finditer(text)]
        check_only = False
        if not matches:
            matches = [m for p in category.check_signs for m in p.finditer(text)]
            check_only = True
        if not matches:
            return None
        childs = [m for m in matches if not self._is_adults(text, m)]
        chosen = (childs or matches)[0]
        return RuleFinding(
            category=category.key,
            number=category.number,
            matched=chosen.group(0),
            current=self._is_current(text),
            childs=bool(childs) or category.key == PARENT_CRISIS,
            check_only=check_only,
        )

    def detect(self, text: str) -> DangerSign | None:
        """The first danger sign that calls for an alarm by the rules alone."""
        for finding in self.findings(text):
            if finding.alarm:
                return DangerSign(finding.category, finding.number, finding.matched)
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


def reply_for_category(
    detector: DangerSignDetector, category_key: str | None, language: str
) -> EmergencyReply:
    """The number, steps and source for a category (generic ones when it has none)."""
    language = "en" if language == "en" else "zh"
    category = detector.category(category_key) if category_key else None
    source_line = detector.source_of(category.key if category else None).line
    if category is None or not category.steps.get(language):
        return EmergencyReply(None, "120", _GENERIC_STEPS[language], source_line)
    return EmergencyReply(category.key, category.number, category.steps[language], source_line)


def emergency_reply(detector: DangerSignDetector, text: str, language: str) -> EmergencyReply:
    """The number and steps for the danger sign in text (generic ones if none is found)."""
    sign = detector.detect(text)
    return reply_for_category(detector, sign.category if sign else None, language)
