"""One decision from two signals: emergency, parent in crisis, one quick question, or normal.

The rules are trusted when they see a current danger sign on the child; the classifier
catches what the rules miss and vetoes what they raise by mistake. When the two disagree, or
the classifier is unsure, the parent is asked ONE yes/no question and the answer decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.danger_signs import (
    CHILD_SELF_HARM,
    PARENT_CRISIS,
    DangerSignDetector,
    RuleFinding,
)
from knowledge_base.language import text_size
from knowledge_base.text.pinyin import pinyin_form
from knowledge_base.triage.classifier import Prediction

DEFAULT_SETTINGS = Path(__file__).resolve().parents[1] / "safety" / "triage.yml"

EMERGENCY = "emergency"
CRISIS = "crisis"
CHECK = "check"
NORMAL = "normal"


# Fewer than this many Chinese characters or English words: too little for the classifier.
MIN_CHINESE_CHARACTERS = 6
MIN_ENGLISH_WORDS = 4


def _too_short_for_the_classifier(text: str) -> bool:
    chinese, words = text_size(text)
    return chinese < MIN_CHINESE_CHARACTERS and words < MIN_ENGLISH_WORDS


# Fewer than this and the classifier may not overrule a rule's alarm: in a few words
# ("baby not breathing what do i do") it has too little to go on, and the cost of a wrong
# veto is a child in danger asked a question first.
MIN_CHINESE_CHARACTERS_TO_VETO = 12
MIN_ENGLISH_WORDS_TO_VETO = 8


def _too_short_to_veto(text: str) -> bool:
    chinese, words = text_size(text)
    return chinese < MIN_CHINESE_CHARACTERS_TO_VETO and words < MIN_ENGLISH_WORDS_TO_VETO


@dataclass(frozen=True)
class Thresholds:
    alarm: float = 0.75
    check: float = 0.5
    suppressed_alarm: float = 0.6
    suppressed_check: float = 0.3
    veto: float = 0.03
    crisis: float = 0.5
    crisis_check: float = 0.2
    crisis_after_emergency: float = 0.5

    @classmethod
    def from_data(cls, data: Any) -> Thresholds:
        data = data or {}
        return cls(**{k: float(v) for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class TriageOutcome:
    """What to do with a message, and why (kept for staff and tests)."""

    outcome: str
    category: str | None = None
    reason: str = ""
    emergency_probability: float | None = None
    crisis_probability: float | None = None
    # An emergency whose writer is in crisis too: 12356 after the child's steps.
    parent_in_crisis: bool = False

    @property
    def check_category(self) -> str | None:
        """The category a check question is about (parent_crisis asks its own question)."""
        return self.category if self.outcome == CHECK else None


@dataclass
class TriageDecider:
    rules: DangerSignDetector
    thresholds: Thresholds = field(default_factory=Thresholds)
    check_question: dict[str, str] = field(default_factory=dict)
    # Categories whose rule reads what the embedding cannot (an age and a measured
    # temperature): the classifier never turns their alarm into a question.
    never_vetoed: frozenset[str] = frozenset()

    @classmethod
    def from_files(
        cls, rules: DangerSignDetector | None = None, settings: Path = DEFAULT_SETTINGS
    ) -> TriageDecider:
        data = yaml.safe_load(settings.read_text(encoding="utf-8")) or {}
        return cls(
            rules=rules or DangerSignDetector.from_file(),
            thresholds=Thresholds.from_data(data.get("thresholds")),
            check_question={k: str(v) for k, v in (data.get("check") or {}).items()},
            never_vetoed=frozenset(str(k) for k in data.get("never_vetoed") or ()),
        )

    def question(self, category: str | None, language: str) -> str:
        """The one yes/no question for a check, in the parent's language."""
        language = "en" if language == "en" else "zh"
        own = self.rules.category(category) if category else None
        if own is not None and own.check.get(language):
            return own.check[language]
        return self.check_question.get(language, "")

    def decide(
        self,
        text: str,
        prediction: Prediction | None = None,
        findings: list[RuleFinding] | None = None,
    ) -> TriageOutcome:
        """The outcome for a message; without a prediction (no embedding to hand, as in the
        gateway's fallback) the rules decide alone. findings: the rules' findings for text,
        when already known."""
        if findings is None:
            findings = self.rules.findings(text)
        crisis_rule = next((f for f in findings if f.category == PARENT_CRISIS), None)
        # "儿子说活着没意思，把刀拿进房间锁了门": the despairing words are the child's, whose
        # danger comes first.
        childs_own = any(f.category == CHILD_SELF_HARM and f.current for f in findings)
        # A crisis the rules only suspect (the writer held back from harming the child) is
        # asked about, or answered if the classifier agrees: see _crisis.
        certain = crisis_rule if crisis_rule and not crisis_rule.check_only else None
        if certain is not None and certain.current and not childs_own:
            # "I'm going to walk into the sea lol": a joke is asked about once, never answered
            # as a crisis outright (and never ignored either).
            if self.rules.is_light_hearted(text):
                return TriageOutcome(CHECK, PARENT_CRISIS, f"rule, but joking: {certain.matched}")
            return TriageOutcome(CRISIS, PARENT_CRISIS, f"rule: {certain.matched}")
        child = self._child(text, findings, prediction)
        if child.outcome == EMERGENCY:
            # A child in danger now comes first. A writer in crisis too ("我捂住了他的嘴…吓死
            # 我了，我不敢再一个人带他了") also gets 12356, after the steps.
            if not childs_own and self._in_crisis_too(text, crisis_rule, prediction):
                return replace(child, parent_in_crisis=True)
            return child
        if childs_own:
            return child  # the child's words, asked about as the child's (not the parent's)
        crisis = self._crisis(text, findings, prediction)
        return crisis if crisis is not None else child

    def _child(
        self, text: str, findings: list[RuleFinding], prediction: Prediction | None
    ) -> TriageOutcome:
        """The outcome for the child, from the rules' findings and the classifier."""
        child = [f for f in findings if f.category != PARENT_CRISIS]
        alarms = [f for f in child if f.alarm]
        t = self.thresholds
        p = prediction.emergency if prediction else None
        if alarms:
            first = alarms[0]
            # A message that says the danger is happening now in so many words is not the
            # classifier's to doubt: its vetoes were for a parent's own burn, a prevention
            # question, a dream, none of which say "still", "right now" or "还在".
            vetoable = (
                first.category not in self.never_vetoed
                and not _too_short_to_veto(text)
                and not self.rules.sounds_urgent(text)
            )
            if p is not None and p < t.veto and vetoable:
                return TriageOutcome(CHECK, first.category, "rule, classifier disagrees", p)
            return TriageOutcome(EMERGENCY, first.category, f"rule: {first.matched}", p)
        if p is None:
            return self._rules_only(child)
        category = self._category(child, prediction)
        if child:
            # A sign the rules set aside (past, resolved, what-if, an adult's), or one that
            # only deserves a question (a barking cough).
            checks = [f for f in child if f.check_only and f.current and f.childs]
            # Set aside because the message says it is over or a what-if ("had a febrile
            # seizure last month, fully recovered"): the classifier can only ask.
            over = all(not f.current for f in child)
            if p >= (t.alarm if checks else t.suppressed_alarm) and not over:
                return TriageOutcome(EMERGENCY, category, "rules unsure, classifier sure", p)
            if p >= t.suppressed_check or checks:
                return TriageOutcome(CHECK, (checks or child)[0].category, "borderline", p)
            return TriageOutcome(NORMAL, None, "set aside by rules and classifier", p)
        # The classifier alone says nothing about a few characters ("2000左右", "22个月" sit
        # near temperatures and ages in embedding space): a short message needs a rule.
        if _too_short_for_the_classifier(text):
            return TriageOutcome(NORMAL, None, "short, no rule", p)
        # The classifier alone: a message that itself says it is over, a what-if or a joke
        # ("cried for 30 secs and is now playing") is asked about, never alarmed.
        # So is one where the writer held back from harming the child: the crisis is theirs.
        held_back = any(f.category == PARENT_CRISIS and f.check_only for f in findings)
        settled = (
            held_back or self.rules.is_light_hearted(text) or not self.rules.describes_now(text)
        )
        # A question asked on the classifier's word alone is the general one: its category is
        # a guess ("left asleep in the car" came out as meningitis), and a category's own
        # question asked about the wrong danger would be answered "no".
        # Toneless pinyin is noise to the embedding ("haizi ke sou le" scored as drowning): the
        # rules read pinyin, the classifier alone may only ask.
        pinyin = pinyin_form(text) is not None
        if p >= t.alarm:
            if settled or pinyin:
                why = "pinyin" if pinyin else "the message is settled"
                return TriageOutcome(CHECK, None, f"classifier ({category}?), but {why}", p)
            return TriageOutcome(EMERGENCY, category, "classifier", p)
        if p >= t.check and not settled:
            return TriageOutcome(CHECK, None, f"classifier unsure ({category}?)", p)
        return TriageOutcome(NORMAL, None, "", p)

    def _crisis(
        self, text: str, findings: list[RuleFinding], prediction: Prediction | None
    ) -> TriageOutcome | None:
        t = self.thresholds
        rule = next((f for f in findings if f.category == PARENT_CRISIS), None)
        pc = prediction.crisis if prediction else None
        # Without the classifier, or with too few words for it: a crisis the rules suspect (a
        # certain one was answered already) is asked about.
        if pc is None or _too_short_for_the_classifier(text):
            return TriageOutcome(CHECK, PARENT_CRISIS, f"rule: {rule.matched}") if rule else None
        # The classifier alone is trusted for a crisis unless the message is a joke or is
        # about a danger to the child the rules see (then: ask).
        # A sign the rules set aside ("I nearly shook him") is no danger to the child now: the
        # crisis is the parent's. A dream or a false scare is asked about, never answered.
        about_child = any(f.category != PARENT_CRISIS and f.current and f.childs for f in findings)
        if pc >= t.crisis and not about_child and self._in_earnest(text):
            return TriageOutcome(CRISIS, PARENT_CRISIS, "classifier", None, pc)
        if pc >= t.crisis_check or rule is not None:
            return TriageOutcome(CHECK, PARENT_CRISIS, "crisis unsure", None, pc)
        return None

    def _in_crisis_too(
        self, text: str, rule: RuleFinding | None, prediction: Prediction | None
    ) -> bool:
        """Whether the writer of a child's emergency is in crisis as well: the rules suspect
        it (held back from harm, then did harm), or the classifier is sure of it in earnest."""
        if rule is not None and rule.current:
            return True
        if prediction is None or prediction.crisis < self.thresholds.crisis_after_emergency:
            return False
        return self._in_earnest(text)

    def _in_earnest(self, text: str) -> bool:
        """Not a joke, a figure of speech or a child's play talk, a dream or a false scare:
        the classifier's crisis is trusted only in earnest."""
        return not (
            self.rules.set_aside_as_figurative(PARENT_CRISIS, text)
            or self.rules.is_light_hearted(text)
            or self.rules.did_not_happen_in(text)
        )

    @staticmethod
    def _category(findings: list[RuleFinding], prediction: Prediction | None) -> str | None:
        if findings:
            return findings[0].category
        return prediction.category if prediction else None

    @staticmethod
    def _rules_only(findings: list[RuleFinding]) -> TriageOutcome:
        checks = [f for f in findings if f.check_only and f.current and f.childs]
        if checks:
            return TriageOutcome(CHECK, checks[0].category, "rule: check sign")
        return TriageOutcome(NORMAL)
