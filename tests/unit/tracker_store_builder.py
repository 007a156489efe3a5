"""A synthetic tracker store for the dashboard tests: the `events` table exactly as Rasa 3.6's
SQLTrackerStore creates it in SQLite, filled with events shaped as Rasa writes them.

The DDL is the one SQLAlchemy emits for rasa.core.tracker_store.SQLTrackerStore.SQLEvent, and
each row's columns follow SQLTrackerStore.save: intent_name from parse_data, action_name from
the event's "name" (an action's name, or a slot's), data = json.dumps(event.as_dict()). A turn
writes what Rasa writes for one: the user event, the language slot, user_featurization, the
action, its bot messages, its slots, action_listen.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.console.dashboard_period import BEIJING

# SQLAlchemy ends each column line with ", " before the newline; kept, so the text is Rasa's.
EVENTS_DDL = (
    "CREATE TABLE events (\n\t"
    + ", \n\t".join(
        [
            "id INTEGER NOT NULL",
            "sender_id VARCHAR(255) NOT NULL",
            "type_name VARCHAR(255) NOT NULL",
            "timestamp FLOAT",
            "intent_name VARCHAR(255)",
            "action_name VARCHAR(255)",
            "data TEXT",
            "PRIMARY KEY (id)",
        ]
    )
    + "\n)"
)
SENDER_INDEX_DDL = "CREATE INDEX ix_events_sender_id ON events (sender_id)"
MODEL = {"model_id": "8da6a42f334a4d3b9676fb251f495a40", "assistant_id": "tuoyu"}
# The custom action that says each response (what the rules run).
ACTION_OF = {
    "utter_guidance_answer": "action_answer_question",
    "utter_guidance_maybe": "action_answer_question",
    "utter_guidance_not_sure": "action_answer_question",
    "utter_out_of_scope": "action_answer_or_decline",
    "utter_emergency": "action_emergency_response",
    "utter_parent_crisis": "action_parent_crisis",
    "utter_triage_check": "action_triage_check",
    "utter_finder_results": "action_search_childcare",
}


def beijing(day: str, clock: str = "10:00:00") -> float:
    """Unix seconds of a Beijing wall-clock time: beijing("2026-11-30", "23:59:59")."""
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=BEIJING).timestamp()


class SyntheticTrackerStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        with contextlib.closing(sqlite3.connect(path)) as db, db:
            db.execute(EVENTS_DDL)
            db.execute(SENDER_INDEX_DDL)

    def _write(self, sender: str, event: dict[str, Any]) -> None:
        intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
        with contextlib.closing(sqlite3.connect(self.path)) as db, db:
            db.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name,"
                " data) VALUES (?,?,?,?,?,?)",
                (
                    sender,
                    event["event"],
                    event["timestamp"],
                    intent,
                    event.get("name"),
                    json.dumps(event),
                ),
            )

    def session_start(self, sender: str, at: float) -> None:
        meta = dict(MODEL)
        events: list[dict[str, Any]] = [
            {"event": "slot", "name": "session_started_metadata", "value": {"language": "zh"}},
            {"event": "action", "name": "action_session_start", "policy": None},
            {"event": "session_started"},
            {"event": "action", "name": "action_listen", "policy": None},
        ]
        for offset, event in enumerate(events):
            self._write(sender, {"timestamp": at + offset * 1e-4, "metadata": meta, **event})

    def user(
        self,
        sender: str,
        at: float,
        text: str,
        *,
        language: str | None = None,
        channel: str | None = None,
        sent_at: float | None = None,
        intent: str = "ask_guidance",
        extra_metadata: dict[str, Any] | None = None,
    ) -> None:
        """A parent's message as Rasa stores it; language, channel and sent_at are what the
        gateway put in the message's metadata (None: left out, as older gateways did)."""
        sent: dict[str, Any] = {}
        if language is not None:
            sent["language"] = language
        if channel is not None:
            sent["channel"] = channel
        if sent_at is not None:
            sent["sent_at"] = sent_at
        sent.update(extra_metadata or {})
        message_id = uuid.uuid4().hex
        entities = (
            [
                {
                    "entity": "language",
                    "value": language,
                    "start": 0,
                    "end": len(text),
                    "confidence_entity": 1.0,
                    "extractor": "LanguageFromMetadata",
                }
            ]
            if language
            else []
        )
        self._write(
            sender,
            {
                "event": "user",
                "timestamp": at,
                "metadata": {**sent, **MODEL},
                "text": text,
                "parse_data": {
                    "intent": {"name": intent, "confidence": 1.0},
                    "entities": entities,
                    "text": text,
                    "message_id": message_id,
                    "metadata": sent,
                    "text_tokens": [[0, len(text)]],
                    "intent_ranking": [{"name": intent, "confidence": 1.0}],
                },
                "input_channel": "tuoyu",
                "message_id": message_id,
            },
        )
        if language:
            self.slot(sender, at + 1e-4, "language", language)
        self._write(
            sender,
            {
                "event": "user_featurization",
                "timestamp": at + 2e-4,
                "metadata": dict(MODEL),
                "use_text_for_featurization": False,
            },
        )

    def action(self, sender: str, at: float, name: str) -> None:
        self._write(
            sender,
            {
                "event": "action",
                "timestamp": at,
                "metadata": dict(MODEL),
                "name": name,
                "policy": "RulePolicy",
                "confidence": 1.0,
                "action_text": None,
                "hide_rule_turn": False,
            },
        )

    def bot(
        self, sender: str, at: float, response: str | None, text: str = "……", **kwargs: Any
    ) -> None:
        """A bot message; response None: one an action wrote as plain text (a finder list)."""
        metadata: dict[str, Any] = dict(kwargs)
        if response is not None:
            metadata = {"utter_action": response, "template": response, **metadata}
        self._write(
            sender,
            {
                "event": "bot",
                "timestamp": at,
                "metadata": {**metadata, **MODEL},
                "text": text,
                "data": {
                    "elements": None,
                    "quick_replies": None,
                    "buttons": None,
                    "attachment": None,
                    "image": None,
                    "custom": None,
                },
            },
        )

    def slot(self, sender: str, at: float, name: str, value: Any) -> None:
        self._write(
            sender,
            {
                "event": "slot",
                "timestamp": at,
                "metadata": dict(MODEL),
                "name": name,
                "value": value,
            },
        )

    def turn(
        self,
        sender: str,
        at: float,
        text: str,
        responses: Sequence[str | None],
        *,
        reply_after_s: float = 0.5,
        entry_id: str | None = None,
        language: str | None = "zh",
        channel: str | None = "web",
        sent_before_s: float | None = 0.1,
    ) -> None:
        """A parent's message and everything Rasa stores for the bot's answer: its action,
        one bot message per response (spread over reply_after_s, the last at exactly that
        long after the message), the entry slot of a confident answer, action_listen.
        sent_before_s: how long before Rasa's user event the gateway sent it (None: no
        sent_at in the metadata)."""
        sent_at = None if sent_before_s is None else at - sent_before_s
        self.user(sender, at, text, language=language, channel=channel, sent_at=sent_at)
        first = next((r for r in responses if r), None)
        self.action(sender, at + 3e-4, ACTION_OF.get(first or "", first or "action_listen"))
        for n, response in enumerate(responses, start=1):
            self.bot(sender, at + reply_after_s * n / len(responses), response)
        if entry_id is not None:
            self.slot(sender, at + reply_after_s + 1e-4, "last_entry_id", entry_id)
            self.slot(sender, at + reply_after_s + 2e-4, "last_question", text)
        self.action(sender, at + reply_after_s + 5e-4, "action_listen")


SAMPLE_TOPICS = {"solids": ["feeding", "solids"], "sleep": ["sleep"], "tax": ["money", "tax"]}
ANSWER = ["utter_guidance_answer", "utter_guidance_related"]


def build_sample_week(path: Path) -> SyntheticTrackerStore:
    """The dashboard tests' store: eleven messages from 2026-11-24 to 2026-11-30 (Beijing
    time), three in the week before, and events that must not count (the warm-up sender, a
    message after the period). tests/unit/test_dashboard_stats.py says what each figure is."""
    store = SyntheticTrackerStore(path)
    # The week before (the trend): confident, middle tier, and "not sure" one second before
    # midnight whose reply lands in the period.
    store.turn("q1", beijing("2026-11-20"), "辅食", ANSWER, entry_id="solids")
    store.turn("q2", beijing("2026-11-20", "11:00:00"), "湿疹", ["utter_guidance_maybe"])
    store.session_start("p5", beijing("2026-11-23", "23:59:58"))
    store.turn("p5", beijing("2026-11-23", "23:59:59"), "月嫂", ["utter_guidance_not_sure"])
    # The period.
    store.session_start("p1", beijing("2026-11-24", "09:59:00"))
    store.turn("p1", beijing("2026-11-24"), "宝宝几个月加辅食", ANSWER, entry_id="solids")
    store.turn(
        "p1",
        beijing("2026-11-24", "10:05:00"),
        '/ask_guidance{"kb_entry": "sleep"}',
        ANSWER,
        entry_id="sleep",
        language=None,
        reply_after_s=0.3,
    )
    store.turn(
        "p2",
        beijing("2026-11-25", "09:00:00"),
        "when can my baby eat eggs?",
        ["utter_guidance_maybe"],
        language="en",
        channel="widget",
        reply_after_s=1.0,
    )
    store.turn(
        "p2",
        beijing("2026-11-25", "09:01:00"),
        "and a nanny?",
        ["utter_guidance_not_sure", "utter_guidance_closest_topics"],
        language="en",
        channel="widget",
        reply_after_s=2.0,
    )
    store.turn(
        "tg:42",
        beijing("2026-11-26", "23:59:59"),
        "孩子抽搐了",
        ["utter_emergency"],
        channel="telegram",
        reply_after_s=0.2,
    )
    store.turn(
        "tg:42",
        beijing("2026-11-27", "00:00:00"),
        "我撑不下去了",
        ["utter_parent_crisis"],
        channel="telegram",
        reply_after_s=0.2,
    )
    # Stored by a gateway from before channels and send times were recorded.
    store.turn(
        "old",
        beijing("2026-11-28"),
        "辅食吃什么",
        ANSWER,
        entry_id="solids",
        channel=None,
        sent_before_s=None,
        reply_after_s=0.8,
    )
    store.turn(
        "p6",
        beijing("2026-11-29"),
        "望京附近的托育",
        [None, "utter_finder_results", "utter_finder_next_steps"],
    )
    store.user("p8", beijing("2026-11-29", "11:00:00"), "hello?", language="en", channel="web")
    # A broken clock: a send time long before Rasa's event is not trusted.
    store.turn(
        "p9",
        beijing("2026-11-29", "12:00:00"),
        "个税扣多少",
        ANSWER,
        entry_id="tax",
        sent_before_s=1000.0,
    )
    store.turn("p3", beijing("2026-11-30", "23:59:50"), "今天股市怎么样", ["utter_out_of_scope"])
    # Not counted: the service's own warm-up, and a message after the period.
    store.turn("tuoyu-warm-up", beijing("2026-11-24", "08:00:00"), "你好", ["utter_greet"])
    store.turn("p4", beijing("2026-12-01", "00:00:00"), "晚上好", ["utter_greet"])
    return store
