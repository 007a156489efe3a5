"""The few things the gateway says itself, when Rasa cannot be asked."""

from __future__ import annotations

from knowledge_base.danger_signs import PARENT_CRISIS, EmergencyReply
from knowledge_base.language import Language

_MESSAGES: dict[str, dict[Language, str]] = {
    "unavailable": {
        "zh": "抱歉，托育助手暂时无法回答，我们正在恢复，请稍后再试。紧急情况请拨打 120。",
        "en": "Sorry, the assistant can't answer right now; we're bringing it back. "
        "Please try again shortly. In an emergency call 120.",
    },
    "rate_limited": {
        "zh": "您发得有点快，请稍等几秒再发。紧急情况请直接拨打 120。",
        "en": "You're sending messages a little fast; please wait a few seconds. "
        "In an emergency call 120 now.",
    },
    "busy": {
        "zh": "稍等，我还在回答您的上一条消息。",
        "en": "One moment, I'm still answering your last message.",
    },
    "empty_field": {
        "zh": "这条消息是空的，请输入您想问的问题。",
        "en": "That message was empty; please type your question.",
    },
    "message_too_long": {
        "zh": "这条消息太长了（{chars} 字），请分几条发，每条不超过 {limit} 字。",
        "en": "That message is too long ({chars} characters); please send it in parts of "
        "at most {limit}.",
    },
    "invalid_message": {
        "zh": "抱歉，这条消息我读不了，请用文字再发一次。",
        "en": "Sorry, I couldn't read that message; please send it again as text.",
    },
    "no_reply": {
        "zh": "抱歉，我这边出了点问题，请再说一次。",
        "en": "Sorry, something went wrong on my side. Please say that again.",
    },
}


def gateway_message(key: str, language: Language, **details: object) -> str:
    """What the gateway says itself; a key it has no wording for is an unreadable message."""
    text = _MESSAGES.get(key, _MESSAGES["invalid_message"])[language]
    return text.format(**details) if details else text


def emergency_text(reply: EmergencyReply, language: Language) -> str:
    """The emergency answer when Rasa cannot give it (same content as utter_emergency, or
    utter_parent_crisis for a parent in crisis)."""
    if reply.category == PARENT_CRISIS:
        return f"💛 {reply.steps_text}"
    if language == "en":
        return f"🚨 This may be an emergency: call {reply.number} now!\n{reply.steps_text}"
    return f"🚨 这可能是紧急情况，请立即拨打 {reply.number}！\n{reply.steps_text}"
