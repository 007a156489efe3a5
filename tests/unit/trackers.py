"""Tracker builders shared by the action tests."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def make_tracker(
    text: str,
    *,
    intent: str = "ask_guidance",
    language: str = "zh",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
) -> Tracker:
    return Tracker(
        sender_id="test",
        slots={"language": language, **(slots or {})},
        latest_message={"text": text, "intent": {"name": intent}, "entities": entities or []},
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def category_entity(category: str) -> dict[str, Any]:
    return {"entity": "triage_category", "value": category}


def user_event(text: str) -> dict[str, Any]:
    return {"event": "user", "text": text}
