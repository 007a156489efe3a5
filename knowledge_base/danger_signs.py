"""Danger signs in a parent's message, found deterministically before any search.

The signs, exceptions and immediate steps live in knowledge_base/safety/danger_signs.yml so
staff can maintain them. This module runs in both Python environments: the Rasa server uses
it (rasa_addons/triage_intent.py) to turn such a message into the `emergency` intent,
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
from knowledge_base.text.pinyin import mentions_fever, pinyin_age_in_months, pinyin_form

DEFAULT_DATA = Path(__file__).parent / "safety" / "danger_signs.yml"
YOUNG_INFANT = "high_fever_young_infant"
PARENT_CRISIS = "parent_crisis"
# An older child threatening to end their life now: the child's emergency, not the parent's crisis.
CHILD_SELF_HARM = "child_self_harm"

# A temperature counts only when it is the child's: after a word about body temperature or
# fever, never a bath, bottle or room temperature.
_BODY_TEMPERATURE = re.compile(
    r"(?:体温|额温|耳温|腋温|肛温|量了?一?下?|测了?一?下?|烧到|发烧|发热|高烧|低烧|烧了|"
    r"体温计|温度计|fever(?: of)?|thermometer(?: says| reads| shows)?|"
    r"temp(?:erature)?(?: (?:is|of|was|at))?)\D{0,8}?(\d{2,3}(?:\.\d+)?)\s*(°\s*f\b|f\b|华氏)?",
    re.IGNORECASE,
)
# A bare reading is a temperature too: "38.4", "39度", "102F" (never a bath: _NOT_BODY).
_BARE_TEMPERATURE = re.compile(
    r"(?<![\d.])(3[5-9]\.\d|4[0-2]\.\d|3[5-9]|4[0-2])\s*(?:°\s*c?|度|℃|c\b)|(?<![\d.])(3[5-9]\.\d)(?!\d)"
    r"|(?<![\d.])(9[5-9](?:\.\d)?|10[0-7](?:\.\d)?)\s*°?\s*f\b",
    re.I,
)
_BODY_WORD = re.compile(r"体温|额温|耳温|腋温|肛温|temp", re.I)
# "38度6" is how 38.6 is said.
_SPOKEN_TEMPERATURE = re.compile(r"(?<![\d.])(3[5-9]|4[0-2])\s*度\s*([1-9])(?![\d个月天岁])")
_NO_FEVER = re.compile(
    r"(?<!从来)(不|没|没有|无|冇)(发烧|发热|烧)(?!过)|\bno (fever|temp)|\bnot (feverish|hot)", re.I
)
_NOT_BODY = re.compile(
    r"水温|洗澡水|奶温|冲奶|室温|房间|暖奶器|洗澡盆|澡盆|水烧到|(奶|水)的温度|的奶[,，]|\bbath|\bwater\b|formula|\broom\b",
    re.I,
)
# Words that put a sign on the child even when an adult is mentioned just before it.
_CHILD = re.compile(
    r"宝宝|宝贝|孩子|娃|儿子|女儿|闺女|婴儿|小孩|孩儿|新生儿|\bbab(y|ies)\b|\bson\b|"
    r"\bdaughter\b|\btoddler\b|\binfant\b|\bkid\b|\bchild\b|\blo\b|\bnewborn\b|"
    # An older sibling or a grandparent writing ("im 11 my little brother fell").
    r"孙子|孙女|外孙|弟弟|妹妹|\b(grandson|granddaughter|grandchild|grandkid)s?\b|"
    r"\b(little|baby|younger|twin) (brother|sister)\b",
    re.I,
)
# In the words between an adult and a sign, these put the sign on the child ("I saw he had").
_CHILD_PRONOUN = re.compile(r"\b(he|she|him|her|his|they|them)\b|他|她", re.I)
_CLAUSE_END = re.compile(r"[\s，。,.!?！？;；]")
_CHILD_OBJECT = re.compile(r"他|她|它|\b(him|her|them)\b", re.I)


def body_temperature_celsius(text: str) -> float | None:
    """The child's temperature if the message gives one, in °C."""
    text = _SPOKEN_TEMPERATURE.sub(r"\1.\2度", normalise(text))
    about_water = bool(_NOT_BODY.search(text))
    match = _BODY_TEMPERATURE.search(text)
    # Next to a bath or a bottle, only a reading named as the body's counts ("腋温36.9").
    if match and (not about_water or _BODY_WORD.search(match.group(0))):
        value = float(match.group(1))
        if match.group(2) or value > 50:
            value = (value - 32) * 5 / 9
        return value if 34 <= value <= 44 else None
    if about_water:
        return None
    bare = _BARE_TEMPERATURE.search(text)
    if not bare:
        return None
    fahrenheit = bare.group(3)
    value = float(fahrenheit or bare.group(1) or bare.group(2))
    return (value - 32) * 5 / 9 if fahrenheit else value


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
    pinyin_signs: tuple[Pattern[str], ...] = ()
    check: dict[str, str] = field(default_factory=dict)
    source: Source | None = None
    # "Seems fine now" does not end it (a swallowed battery, a shaken baby, a near-drowning).
    even_if_fine: bool = False
    # Questions and what-ifs do not set it aside (a parent in crisis often asks).
    even_if_asked: bool = False
    # False where the sign cannot be an adult's own ("我看见保姆摇晃宝宝" is about the baby).
    adult_can_have: bool = True
    # parent_crisis only: the line added after a child's emergency steps when the writer is
    # in crisis too (12356 after 120/110, never before).
    after_emergency: dict[str, str] = field(default_factory=dict)


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


# Where a clause ends, for who-did-what within one clause (spaces separate English words).
_CLAUSE_BREAK = re.compile(r"[，。,.!?！？;；\n]")
# How far after a `near` or `urge` word its act may come, and the child after the act
# ("捂住他", "shook the baby"): "我小时候差点淹死过，所以怕带孩子游泳" is not about the child.
_ACT_WITHIN = 30
_CHILD_AFTER_ACT = {"zh": 6, "en": 12}
# Who the held-back act is done to: the child, or a pronoun for them.
_HELD_BACK_CHILD = re.compile(
    rf"{_CHILD.pattern}|他|她|\b(him|her|his|them)\b|\bbb\b|囡囡|崽", re.IGNORECASE
)


@dataclass(frozen=True)
class HeldBack:
    """The writer nearly harmed the child, or has the urge or fears they will: the writer's
    crisis, not the child's emergency (see `held_back` in danger_signs.yml)."""

    near: tuple[Pattern[str], ...] = ()
    urge: tuple[Pattern[str], ...] = ()
    acts: tuple[Pattern[str], ...] = ()
    near_acts: tuple[Pattern[str], ...] = ()
    someone_else: tuple[Pattern[str], ...] = ()
    writer: tuple[Pattern[str], ...] = ()

    @classmethod
    def from_data(cls, data: Any) -> HeldBack:
        data = data or {}
        return cls(**{key: _compile(data.get(key)) for key in cls.__dataclass_fields__})

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the message tells of the writer holding back from harming the child: from
        the `near`/`urge` word to the end of the act."""
        found = []
        for marks, acts in ((self.near, (*self.acts, *self.near_acts)), (self.urge, self.acts)):
            for mark in (m for p in marks for m in p.finditer(text)):
                end = self._act_end(text, mark.end(), acts)
                if end is not None and self._by_the_writer(text, mark.start()):
                    found.append((mark.start(), end))
        return found

    def _act_end(self, text: str, start: int, acts: tuple[Pattern[str], ...]) -> int | None:
        clause = _CLAUSE_BREAK.split(text[start : start + _ACT_WITHIN])[0]
        for act in (m for p in acts for m in p.finditer(clause)):
            after = _CHILD_AFTER_ACT["en" if act.group(0).isascii() else "zh"]
            near_child = clause[: act.end()] + text[start + act.end() :][:after]
            near_child = _CLAUSE_BREAK.split(near_child)[0]
            if _HELD_BACK_CHILD.search(near_child):
                return start + act.end()
        return None

    def _by_the_writer(self, text: str, start: int) -> bool:
        """No one but the writer is named as the doer in the clause before the mark."""
        clause = _CLAUSE_BREAK.split(text[:start])[-1]
        other = _last_start(self.someone_else, clause)
        if other is None:
            return True
        writer = _last_start(self.writer, clause)
        return writer is not None and writer > other


def _last_start(patterns: tuple[Pattern[str], ...], text: str) -> int | None:
    """Where the last match of any pattern starts, or None."""
    starts = [m.start() for p in patterns for m in p.finditer(text)]
    return max(starts) if starts else None


def _last_end(patterns: tuple[Pattern[str], ...], text: str) -> int | None:
    """Where the last match of any pattern ends, or None."""
    ends = [m.end() for p in patterns for m in p.finditer(text)]
    return max(ends) if ends else None


_SENTENCE_END = re.compile(r"[。.!?！？\n]")


def _sentence_end(text: str, start: int) -> int:
    """Where the sentence running at start ends (the end of the text if it does not)."""
    end = _SENTENCE_END.search(text, start)
    return end.start() if end else len(text)


def _inside(match: re.Match[str], spans: list[tuple[int, int]]) -> bool:
    """Whether a sign lies within (or ends inside) one of the spans."""
    return any(start <= match.start() < end or start < match.end() <= end for start, end in spans)


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
    pinyin_not_current: tuple[Pattern[str], ...] = ()
    light_hearted: tuple[Pattern[str], ...] = ()
    adult_after: tuple[Pattern[str], ...] = ()
    did_not_happen: tuple[Pattern[str], ...] = ()
    held_back: HeldBack = field(default_factory=HeldBack)
    reassured_by: tuple[Pattern[str], ...] = ()
    doubt: tuple[Pattern[str], ...] = ()

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
                    pinyin_signs=_compile(item.get("pinyin_signs")),
                    check={lang: str(check[lang]) for lang in ("zh", "en") if check.get(lang)},
                    source=Source.from_data(item["source"]) if item.get("source") else None,
                    even_if_fine=bool(item.get("even_if_fine")),
                    adult_can_have=bool(item.get("adult_can_have", True)),
                    even_if_asked=bool(item.get("even_if_asked")),
                    after_emergency={
                        lang: str(text)
                        for lang, text in (item.get("after_emergency") or {}).items()
                        if lang in ("zh", "en") and text
                    },
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
            pinyin_not_current=_compile(data.get("pinyin_not_current")),
            adult_after=_compile(data.get("adult_after")),
            light_hearted=_compile(data.get("light_hearted")),
            did_not_happen=_compile(data.get("did_not_happen")),
            held_back=HeldBack.from_data(data.get("held_back")),
            reassured_by=_compile((data.get("doubted_reassurance") or {}).get("by")),
            doubt=_compile((data.get("doubted_reassurance") or {}).get("doubt")),
        )

    def is_light_hearted(self, text: str) -> bool:
        """A joking message ("I could die lol"): never an alarm on the classifier's word alone."""
        text = normalise(text or "")
        return any(p.search(text) for p in self.light_hearted)

    def sounds_urgent(self, text: str) -> bool:
        """Whether the message says the danger is happening now, in so many words ("right
        now", "还在抽", "for 6 minutes now"), with nothing after it saying it is over."""
        text = normalise(text or "")
        urgent = _last_end(self.urgent, text)
        resolved = self._resolved_end(text)
        if urgent is None or (resolved is not None and resolved >= urgent):
            return False
        # "If it happens again", a news story, a dream: urgent words, but not about now.
        return not any(p.search(text) for p in (*self.hypothetical, *self.did_not_happen))

    def set_aside_as_figurative(self, key: str, text: str) -> bool:
        """Whether the category's own exceptions explain the message ("笑死", "我要跳楼" in a
        child's game)."""
        category = self.category(key)
        return category is not None and self._is_figurative(
            normalise(text or ""), category.not_current
        )

    def describes_now(self, text: str) -> bool:
        """Whether the message speaks of now, not of the past, a resolved event or a what-if."""
        text = normalise(text or "")
        return self._is_current(text) and not self._did_not_happen(text)

    def did_not_happen_in(self, text: str) -> bool:
        """Whether the message tells of a dream, a false scare or a danger caught in time."""
        return self._did_not_happen(normalise(text or ""))

    def _did_not_happen(self, text: str) -> bool:
        """A dream, a false scare or a fall caught in time: no urgency brings these back."""
        return any(p.search(text) for p in self.did_not_happen)

    def category(self, key: str) -> DangerCategory | None:
        return next((c for c in self.categories if c.key == key), None)

    def source_of(self, key: str | None) -> Source:
        category = self.category(key) if key else None
        if category is not None and category.source is not None:
            return category.source
        return Source.from_data(self.source)

    def _is_current(
        self,
        text: str,
        figurative: tuple[Pattern[str], ...] = (),
        even_if_fine: bool = False,
        even_if_asked: bool = False,
    ) -> bool:
        # A category's own exceptions are other meanings of its words ("烧脑", "叫名字没反应"):
        # no urgency makes them a danger sign. Between "resolved" and "urgent" the later one in
        # the message wins: a story that got better and then worse ("哭了几声就好了…到现在吐了
        # 三次") is current; "刚才噎了一下，咳出来了" is not.
        if any(p.search(text) for p in figurative):
            return False
        resolved = None if even_if_fine else self._resolved_end(text)
        urgent = _last_end(self.urgent, text)
        if resolved is not None and (urgent is None or urgent <= resolved):
            return False
        if urgent is not None:
            return True
        setting_aside = (
            self.not_current if even_if_asked else (*self.not_current, *self.hypothetical)
        )
        return not any(p.search(text) for p in setting_aside)

    def _resolved_end(self, text: str) -> int | None:
        """Where the last word saying it is over ends, leaving out someone else's reassurance
        that the writer doubts ("婆婆说睡一觉就好了…真的睡一觉就行吗", "my husband says he's
        fine, should we just watch him?"): the writer is asking because they are not sure."""
        doubted = [
            (said.start(), _sentence_end(text, said.end()))
            for pattern in self.reassured_by
            for said in pattern.finditer(text)
            if any(p.search(text, said.end()) for p in self.doubt)
        ]
        ends = [
            m.end()
            for p in self.resolved
            for m in p.finditer(text)
            if not any(start <= m.start() < end for start, end in doubted)
        ]
        return max(ends) if ends else None

    def _is_figurative(self, text: str, figurative: tuple[Pattern[str], ...]) -> bool:
        return any(p.search(text) for p in figurative)

    def _is_adults(self, text: str, match: re.Match[str]) -> bool:
        """The sign belongs to an adult named just before it, and the child is not its subject."""
        # "我叫不醒她", "I can't wake her": the adult acts, the child is the one in danger.
        clause = _CLAUSE_END.split(text[match.end() : match.end() + 3])[0]
        after = match.group(0) + clause
        if _CHILD.search(after) or _CHILD_OBJECT.search(after):
            return False
        # "鱼刺卡在我喉咙里": the adult is named right after the sign.
        following = match.group(0) + text[match.end() : match.end() + 16]
        if any(p.search(following) for p in self.adult_after):
            return True
        before = text[max(0, match.start() - 24) : match.start()]
        for pattern in self.adult_subject:
            adult = pattern.search(before)
            # "我自己发烧还要带娃" is the adult's; "我发现宝宝发烧" puts it on the child.
            # What follows the adult word ("I think my toddler…" puts it on the child).
            gap = before[adult.start() + len(adult.group(1) or "") :] if adult else ""
            if adult is not None and not (_CHILD.search(gap) or _CHILD_PRONOUN.search(gap)):
                return True
        return False

    def _young_infant_fever(self, text: str) -> str | None:
        age = age_in_months(text)
        if age is None or age >= self.young_infant_months:
            return None
        if _NO_FEVER.search(text):
            return None
        fever = next((m for p in self.fever if (m := p.search(text))), None)
        reading = _BODY_TEMPERATURE.search(text)
        # "我发烧38.6，宝宝两个月": the fever is the parent's.
        said = fever or reading
        if said is not None and self._is_adults(text, said):
            return None
        temperature = body_temperature_celsius(text)
        if temperature is not None:
            return f"{temperature:.1f}°C" if temperature >= self.fever_from_celsius else None
        if _NOT_BODY.search(text):
            return None  # "bath water feels hot": not the baby's temperature
        return fever.group(0) if fever else None

    def findings(self, text: str) -> list[RuleFinding]:
        """Every category whose signs appear, in the data's order, with whose and when."""
        text = normalise(text or "")
        if not text:
            return []
        found: list[RuleFinding] = []
        held_back = self.held_back.spans(text)
        for category in self.categories:
            if category.key == YOUNG_INFANT:
                matched = self._young_infant_fever(text)
                if matched:
                    current = self._is_current(
                        text, even_if_fine=category.even_if_fine
                    ) and not self._did_not_happen(text)
                    found.append(RuleFinding(category.key, category.number, matched, current))
                continue
            finding = self._category_finding(text, category, held_back)
            if finding is not None:
                found.append(finding)
        return found or self._pinyin_findings(text)

    def _pinyin_findings(self, text: str) -> list[RuleFinding]:
        """Signs in a message typed in pinyin ("haizi chou chu le")."""
        form = pinyin_form(text)
        if not form:
            return []
        current = not any(p.search(form) for p in self.pinyin_not_current)
        found = []
        age = pinyin_age_in_months(text)
        if age is not None and age < self.young_infant_months and mentions_fever(text):
            number = next((c.number for c in self.categories if c.key == YOUNG_INFANT), "120")
            found.append(RuleFinding(YOUNG_INFANT, number, f"{age:.1f} months, fever", current))
        for category in self.categories:
            match = next((m for p in category.pinyin_signs if (m := p.search(form))), None)
            if match:
                found.append(RuleFinding(category.key, category.number, match.group(0), current))
        return found

    def _category_finding(
        self, text: str, category: DangerCategory, held_back: list[tuple[int, int]]
    ) -> RuleFinding | None:
        if self._is_figurative(text, category.not_current):
            return None
        matches = [m for p in category.signs for m in p.finditer(text)]
        check_only = False
        if not matches:
            matches = [m for p in category.check_signs for m in p.finditer(text)]
            check_only = True
        if category.key == PARENT_CRISIS and not matches and held_back:
            # Held back alone: the crisis question at least, the answer if the classifier
            # agrees ("差点打了他" may be a tired parent's anger, or the edge).
            start, end = held_back[0]
            return RuleFinding(category.key, category.number, text[start:end], check_only=True)
        if not matches:
            return None
        if category.key != PARENT_CRISIS and held_back:
            # The act the writer held back from is not the child's danger ("我刚才差点捂住他的
            # 嘴" is no abuse to report): set aside, as something that did not happen.
            kept = [m for m in matches if not _inside(m, held_back)]
            if not kept:
                return RuleFinding(
                    category.key, category.number, matches[0].group(0), current=False
                )
            matches = kept
        childs = [m for m in matches if not (category.adult_can_have and self._is_adults(text, m))]
        chosen = (childs or matches)[0]
        return RuleFinding(
            category=category.key,
            number=category.number,
            matched=chosen.group(0),
            current=self._is_current(
                text, even_if_fine=category.even_if_fine, even_if_asked=category.even_if_asked
            )
            and (category.key == PARENT_CRISIS or not self._did_not_happen(text)),
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
    detector: DangerSignDetector,
    category_key: str | None,
    language: str,
    parent_in_crisis: bool = False,
) -> EmergencyReply:
    """The number, steps and source for a category (generic ones when it has none).
    parent_in_crisis: the writer is in crisis too ("我捂住了他的嘴…我不敢再一个人带他了"):
    the child's steps come first, then 12356, with both sources."""
    language = "en" if language == "en" else "zh"
    category = detector.category(category_key) if category_key else None
    source_line = detector.source_of(category.key if category else None).line
    if category is None or not category.steps.get(language):
        reply = EmergencyReply(None, "120", _GENERIC_STEPS[language], source_line)
    else:
        reply = EmergencyReply(category.key, category.number, category.steps[language], source_line)
    crisis = detector.category(PARENT_CRISIS)
    if not parent_in_crisis or reply.category == PARENT_CRISIS or crisis is None:
        return reply
    line = crisis.after_emergency.get(language)
    if not line:
        return reply
    crisis_source = detector.source_of(PARENT_CRISIS).line
    return EmergencyReply(
        reply.category,
        reply.number,
        (*reply.steps, line),
        f"{reply.source_line}；{crisis_source}"
        if language == "zh"
        else f"{reply.source_line}; {crisis_source}",
    )


def emergency_reply(detector: DangerSignDetector, text: str, language: str) -> EmergencyReply:
    """The number and steps for the danger sign in text (generic ones if none is found)."""
    sign = detector.detect(text)
    return reply_for_category(detector, sign.category if sign else None, language)
