"""Which entries a second person must publish: medical and policy ones (four eyes).

The rule, as docs/console.md states it: an entry is medical or policy when one of its topics
is in MEDICAL_TOPICS or POLICY_TOPICS, or when its Chinese body names a number to call
(120, 110, 119, 12356, 12366, 12345, 12320, 12355) or tells parents to see a doctor. The
published version and the change both count, so removing a topic cannot lift the rule.
Such an entry cannot be published by the person who last changed its text; any other entry
may be published by its own editor.
"""

from __future__ import annotations

from knowledge_base.content import mentions_urgent_help
from knowledge_base.entry_draft import EntryDraft

MEDICAL_TOPICS = frozenset(
    {
        "allergy",
        "burns",
        "checkups",
        "child-protection",
        "abuse",
        "choking",
        "cough",
        "dehydration",
        "dental",
        "diarrhoea",
        "drowning",
        "emergency",
        "eyes",
        "falls",
        "fever",
        "first-aid",
        "growth",
        "head-injury",
        "health",
        "health-checks",
        "hearing",
        "hospital",
        "illness",
        "immunity",
        "infection",
        "injury",
        "injury-prevention",
        "iron",
        "maternal-child-health",
        "medicine",
        "mental-health",
        "nutrition",
        "poisoning",
        "postnatal",
        "rash",
        "respiratory",
        "safety",
        "screening",
        "seizure",
        "skin",
        "supplements",
        "teeth",
        "vaccination",
    }
)
POLICY_TOPICS = frozenset(
    {
        "complaints",
        "contracts",
        "documents",
        "employer",
        "fees",
        "hotline",
        "hotlines",
        "hukou",
        "inclusive",
        "insurance",
        "leave",
        "money",
        "national",
        "paperwork",
        "places",
        "policy",
        "qualifications",
        "ratios",
        "registration",
        "rules",
        "subsidy",
        "tax",
    }
)


def second_person_reason(*versions: EntryDraft | None) -> str | None:
    """Why a second person must publish a change (None: its editor may): the first rule
    that one of the versions (published, changed) meets."""
    for version in versions:
        if version is None:
            continue
        for topic in version.topics:
            if topic in MEDICAL_TOPICS:
                return f"medical entry (topic '{topic}')"
            if topic in POLICY_TOPICS:
                return f"policy entry (topic '{topic}')"
        if mentions_urgent_help(version.body_zh):
            return "the entry names a number to call or tells parents to see a doctor"
    return None
