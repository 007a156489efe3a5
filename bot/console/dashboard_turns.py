"""What kind of answer a turn got, told from the responses the bot used.

Every bot message in the tracker store carries the response it came from as
`metadata.utter_action` (Rasa adds it for domain responses, whether a rule uttered them or a
custom action asked for them). A turn (one parent message and the bot's messages after it)
may carry several: an answer and its related questions, a "not an emergency" and then the
answer. Its kind is the most important of its responses' kinds, in PRECEDENCE order.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from bot.gateway.channels import CHANNELS, TELEGRAM, TELEGRAM_SENDER_PREFIX, WEB, WIDGET

CONFIDENT = "confident"
MIDDLE = "middle"
NOT_SURE = "not_sure"
OUT_OF_SCOPE = "out_of_scope"
EMERGENCY = "emergency"
CRISIS = "crisis"
TRIAGE_CHECK = "triage_check"
TRIAGE_CLEARED = "triage_cleared"
FINDER = "finder"
REGISTRATION = "registration"
SMALL_TALK = "small_talk"
NOT_UNDERSTOOD = "not_understood"
FAILED = "failed"
NO_REPLY = "no_reply"
OTHER = "other"

# The four ways a question to the knowledge base ends, whose shares the dashboard shows.
ANSWER_KINDS = (CONFIDENT, MIDDLE, NOT_SURE, OUT_OF_SCOPE)
# Questions the knowledge base could not answer confidently (both are queued for review).
# Out of scope is not among them: those messages were not about children or childcare.
UNANSWERED_KINDS = (MIDDLE, NOT_SURE)
GUIDANCE_KINDS = (CONFIDENT, MIDDLE, NOT_SURE)

PRECEDENCE = (
    EMERGENCY,
    CRISIS,
    TRIAGE_CHECK,
    CONFIDENT,
    MIDDLE,
    NOT_SURE,
    OUT_OF_SCOPE,
    FAILED,
    FINDER,
    REGISTRATION,
    TRIAGE_CLEARED,
    NOT_UNDERSTOOD,
    SMALL_TALK,
    OTHER,
)
KIND_LABELS = {
    CONFIDENT: "Answered confidently",
    MIDDLE: "Middle tier (“these may answer it”)",
    NOT_SURE: "Not sure",
    OUT_OF_SCOPE: "Out of scope (declined)",
    EMERGENCY: "Emergency answer",
    CRISIS: "Crisis answer (parent or carer)",
    TRIAGE_CHECK: "Triage question asked",
    TRIAGE_CLEARED: "Triage answered “no” (reassured)",
    FINDER: "Childcare finder",
    REGISTRATION: "Registration check",
    SMALL_TALK: "Greetings and small talk",
    NOT_UNDERSTOOD: "Not understood",
    FAILED: "Could not answer (a part was down)",
    NO_REPLY: "No reply stored",
    OTHER: "Other",
}

RESPONSE_KINDS = {
    "utter_emergency": EMERGENCY,
    "utter_parent_crisis": CRISIS,
    "utter_triage_check": TRIAGE_CHECK,
    "utter_triage_not_emergency": TRIAGE_CLEARED,
    "utter_triage_not_crisis": TRIAGE_CLEARED,
    "utter_guidance_answer": CONFIDENT,
    "utter_guidance_maybe": MIDDLE,
    "utter_guidance_not_sure": NOT_SURE,
    "utter_out_of_scope": OUT_OF_SCOPE,
    "utter_guidance_unavailable": FAILED,
    "utter_finder_unavailable": FAILED,
    "utter_default": NOT_UNDERSTOOD,
    "utter_greet": SMALL_TALK,
    "utter_goodbye": SMALL_TALK,
    "utter_you_are_welcome": SMALL_TALK,
    "utter_anything_else": SMALL_TALK,
    "utter_no_problem": SMALL_TALK,
    "utter_iamabot": SMALL_TALK,
}
RESPONSE_PREFIX_KINDS = (
    ("utter_finder_", FINDER),
    ("utter_ask_finder_", FINDER),
    ("utter_ask_child_age", FINDER),
    ("utter_check_", REGISTRATION),
    ("utter_ask_check_", REGISTRATION),
)
# Responses that only go with another (an answer's related questions, its review note, the
# closest topics after "not sure"): they give a turn no kind of their own.
ACCOMPANYING_RESPONSES = frozenset(
    {
        "utter_guidance_related",
        "utter_guidance_needs_review",
        "utter_guidance_chinese_only",
        "utter_guidance_closest_topics",
    }
)

# Channels and languages as the dashboard groups them.
UNRECORDED_CHANNEL = "unrecorded"  # messages stored before the gateway recorded channels
OTHER_CHANNEL = "other"
CHANNEL_ORDER = (*CHANNELS, UNRECORDED_CHANNEL, OTHER_CHANNEL)
CHANNEL_LABELS = {
    "web": "Web page",
    "widget": "Widget on other sites",
    "telegram": "Telegram",
    UNRECORDED_CHANNEL: "Not recorded (another API client, before channels were recorded)",
    OTHER_CHANNEL: "Other",
}
BUTTON = "button"
UNTOLD = "untold"
LANGUAGE_ORDER = ("zh", "en", BUTTON, UNTOLD)
LANGUAGE_LABELS = {
    "zh": "Chinese (中文)",
    "en": "English",
    BUTTON: "Button pressed (no text)",
    UNTOLD: "No language to tell (emoji, “ok”)",
}
BOTH = "zh+en"
NONE = "none"
CONVERSATION_LANGUAGE_ORDER = ("zh", "en", BOTH, NONE)
CONVERSATION_LANGUAGE_LABELS = {
    "zh": "Chinese only",
    "en": "English only",
    BOTH: "Both",
    NONE: "Buttons and emoji only",
}


@functools.cache
def response_kind(utter_action: str) -> str | None:
    """The kind a response gives a turn; None for one that only accompanies another."""
    if utter_action in RESPONSE_KINDS:
        return RESPONSE_KINDS[utter_action]
    if utter_action in ACCOMPANYING_RESPONSES:
        return None
    for prefix, kind in RESPONSE_PREFIX_KINDS:
        if utter_action.startswith(prefix):
            return kind
    return OTHER


def turn_kind(responses: Iterable[str], replied: bool) -> str:
    """A turn's kind from the responses of its bot messages; replied: it had any at all
    (a finder's list of institutions is a message without a response name)."""
    kinds = {k for k in (response_kind(r) for r in responses) if k is not None}
    for kind in PRECEDENCE:
        if kind in kinds:
            return kind
    return OTHER if replied else NO_REPLY


# Before the gateway recorded channels, the sender ids the clients make still tell most
# messages apart: Telegram's namespace, and the prefixes the web page (chat.js) and the
# widget (widget.js) give their random ids. Other API clients' ids tell nothing.
SENDER_PREFIX_CHANNELS = ((TELEGRAM_SENDER_PREFIX, TELEGRAM), ("widget-", WIDGET), ("web-", WEB))


def channel_name(recorded: str | None, sender_id: str) -> str:
    """The channel of a stored message: as the gateway recorded it; for a message stored
    before it did, as its sender id tells; otherwise not recorded."""
    if recorded in CHANNELS:
        return recorded
    if sender_id.startswith(TELEGRAM_SENDER_PREFIX):
        return TELEGRAM
    if recorded is not None:
        return OTHER_CHANNEL
    for prefix, channel in SENDER_PREFIX_CHANNELS:
        if sender_id.startswith(prefix):
            return channel
    return UNRECORDED_CHANNEL


def message_language(recorded: str | None, payload: bool) -> str:
    """zh or en as the gateway saw it in the text; a button press; or nothing to tell."""
    if recorded in ("zh", "en"):
        return recorded
    return BUTTON if payload else UNTOLD


def conversation_language(languages: set[str]) -> str:
    told = languages & {"zh", "en"}
    if len(told) == 2:
        return BOTH
    return next(iter(told)) if told else NONE
