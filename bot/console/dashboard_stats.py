"""The dashboard's figures for a period, computed from the tracker store and the review queue.

No second log: every figure comes from what Rasa stored (bot/console/dashboard_source.py)
and from the review queue. Events are read once, in time order, and folded into counters as
they come; what is kept per period is one small record per conversation and one reply time
per answered message, never the events themselves.

Definitions (docs/console.md says the same for staff):
- a message is a parent's message (typed, or a button pressed);
- a conversation is one sender's messages on one day (Beijing time);
- a turn is a message and the bot's messages after it, up to the sender's next message;
- reply time runs from when the gateway sent the message to Rasa (or, for messages stored
  before the gateway recorded that, from Rasa's user event) to the turn's last bot message;
- the unanswered rate is middle tier and "not sure" over all questions the knowledge base
  tried (confident, middle tier, not sure).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.console.dashboard_period import BEIJING, Period
from bot.console.dashboard_source import (
    ReviewFigures,
    TrackerRow,
    TrackerStoreReader,
    review_figures,
)
from bot.console.dashboard_turns import (
    CONFIDENT,
    CRISIS,
    EMERGENCY,
    GUIDANCE_KINDS,
    TRIAGE_CHECK,
    UNANSWERED_KINDS,
    channel_name,
    conversation_language,
    message_language,
    turn_kind,
)

# Bot messages more than this after the parent's message are not part of its turn (the
# gateway gives up on Rasa after 20 s by default).
REPLY_WINDOW_S = 60.0
# The gateway's send time is used when it is at most this long before Rasa's user event
# (NLU and the tracker's load lie between); anything else is a clock that cannot be trusted.
SENT_AT_MAX_LEAD_S = 30.0
TOP = 10
# Beijing time has no daylight saving: a fixed offset turns a timestamp into its day.
BEIJING_OFFSET_S = BEIJING.utcoffset(None).total_seconds()


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def p95(values: Sequence[float]) -> float | None:
    """The 95th percentile by nearest rank: the smallest value at least 95% are not above."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(0.95 * len(ordered))) - 1]


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class _Turn:
    sender_id: str
    day: dt.date
    current: bool  # in the period shown, not the one before (kept for the trend only)
    asked_s: float  # Rasa's user event
    waiting_from_s: float
    responses: set[str] = field(default_factory=set)
    replied_s: float | None = None
    entry_id: str | None = None


@dataclass
class _Conversation:
    channel: str
    languages: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class DayFigures:
    day: dt.date
    conversations: int
    messages: int
    kinds: Mapping[str, int]
    reply_median_s: float | None
    reply_p95_s: float | None

    @property
    def unanswered_rate(self) -> float | None:
        return rate(
            sum(self.kinds.get(k, 0) for k in UNANSWERED_KINDS),
            sum(self.kinds.get(k, 0) for k in GUIDANCE_KINDS),
        )


@dataclass(frozen=True)
class Split:
    """Messages and conversations for one value of a split (a channel, a language)."""

    name: str
    messages: int
    conversations: int


@dataclass(frozen=True)
class DashboardStats:
    period: Period
    days: list[DayFigures]
    messages: int
    conversations: int
    senders: int
    kinds: Mapping[str, int]  # turns by kind
    previous_kinds: Mapping[str, int]  # the same, in the period before (for trends)
    reply_median_s: float | None
    reply_p95_s: float | None
    replies_timed: int
    channels: list[Split]
    languages: Mapping[str, int]  # messages by the language they were written in
    conversation_languages: Mapping[str, int]  # conversations by the languages they used
    top_entries: list[tuple[str, int]]
    top_topics: list[tuple[str, int]]
    review: ReviewFigures

    def kind(self, name: str) -> int:
        return self.kinds.get(name, 0)

    @property
    def unanswered_rate(self) -> float | None:
        return _unanswered(self.kinds)

    @property
    def previous_unanswered_rate(self) -> float | None:
        return _unanswered(self.previous_kinds)

    @property
    def unanswered_change_points(self) -> float | None:
        """Percentage points up (positive) or down since the period before."""
        now, before = self.unanswered_rate, self.previous_unanswered_rate
        if now is None or before is None:
            return None
        return (now - before) * 100


def _unanswered(kinds: Mapping[str, int]) -> float | None:
    return rate(
        sum(kinds.get(k, 0) for k in UNANSWERED_KINDS),
        sum(kinds.get(k, 0) for k in GUIDANCE_KINDS),
    )


def _beijing_day(seconds: float) -> dt.date:
    return _day_of(int((seconds + BEIJING_OFFSET_S) // 86400))


@functools.lru_cache(maxsize=1024)
def _day_of(day_number: int) -> dt.date:
    """The date of a day counted from 1970-01-01 in Beijing time (one per day, cached)."""
    return dt.date(1970, 1, 1) + dt.timedelta(days=day_number)


def _waiting_from(row: TrackerRow) -> float:
    sent = row.sent_at
    if sent is not None and row.timestamp - SENT_AT_MAX_LEAD_S <= sent <= row.timestamp + 1:
        return sent
    return row.timestamp


class _Tally:
    """Folds turns into the period's counters as they end."""

    def __init__(self, period: Period, topics_of: Mapping[str, Sequence[str]]) -> None:
        self.period = period
        self.topics_of = topics_of
        self.kinds: Counter[str] = Counter()
        self.previous_kinds: Counter[str] = Counter()
        self.day_kinds: dict[dt.date, Counter[str]] = {d: Counter() for d in period.dates()}
        self.day_messages: Counter[dt.date] = Counter()
        self.day_waits: dict[dt.date, list[float]] = {d: [] for d in period.dates()}
        self.conversations: dict[tuple[str, dt.date], _Conversation] = {}
        self.channel_messages: Counter[str] = Counter()
        self.language_messages: Counter[str] = Counter()
        self.entries: Counter[str] = Counter()

    def message(self, row: TrackerRow, day: dt.date) -> None:
        channel = channel_name(row.channel, row.sender_id)
        language = message_language(row.language, row.payload)
        self.day_messages[day] += 1
        self.channel_messages[channel] += 1
        self.language_messages[language] += 1
        conversation = self.conversations.setdefault((row.sender_id, day), _Conversation(channel))
        conversation.languages.add(language)

    def end(self, turn: _Turn) -> None:
        kind = turn_kind(turn.responses, turn.replied_s is not None)
        if not turn.current:
            self.previous_kinds[kind] += 1
            return
        self.kinds[kind] += 1
        self.day_kinds[turn.day][kind] += 1
        if turn.replied_s is not None:
            self.day_waits[turn.day].append(max(0.0, turn.replied_s - turn.waiting_from_s))
        if kind == CONFIDENT and turn.entry_id:
            self.entries[turn.entry_id] += 1

    def figures(self, review: ReviewFigures) -> DashboardStats:
        day_conversations = Counter(day for _, day in self.conversations)
        days = []
        for day in self.period.dates():
            waits = self.day_waits[day]
            days.append(
                DayFigures(
                    day=day,
                    conversations=day_conversations[day],
                    messages=self.day_messages[day],
                    kinds=dict(self.day_kinds[day]),
                    reply_median_s=median(waits),
                    reply_p95_s=p95(waits),
                )
            )
        all_waits = [w for waits in self.day_waits.values() for w in waits]
        channel_conversations = Counter(c.channel for c in self.conversations.values())
        by_language = Counter(
            conversation_language(c.languages) for c in self.conversations.values()
        )
        topics: Counter[str] = Counter()
        for entry_id, count in self.entries.items():
            for topic in self.topics_of.get(entry_id, ()):
                topics[topic] += count
        return DashboardStats(
            period=self.period,
            days=days,
            messages=sum(self.day_messages.values()),
            conversations=len(self.conversations),
            senders=len({sender for sender, _ in self.conversations}),
            kinds=dict(self.kinds),
            previous_kinds=dict(self.previous_kinds),
            reply_median_s=median(all_waits),
            reply_p95_s=p95(all_waits),
            replies_timed=len(all_waits),
            channels=[
                Split(name, self.channel_messages[name], channel_conversations[name])
                for name in sorted(self.channel_messages, key=lambda n: -self.channel_messages[n])
            ],
            languages=dict(self.language_messages),
            conversation_languages=dict(by_language),
            top_entries=self.entries.most_common(TOP),
            top_topics=sorted(topics.items(), key=lambda item: (-item[1], item[0]))[:TOP],
            review=review,
        )


def compute_dashboard(
    rows: Iterable[TrackerRow],
    period: Period,
    *,
    topics_of: Mapping[str, Sequence[str]] | None = None,
    review: ReviewFigures | None = None,
) -> DashboardStats:
    """The figures for `period` from tracker rows in time order covering the period before
    it (for the trend) to REPLY_WINDOW_S after its end (the replies to its last messages)."""
    tally = _Tally(period, topics_of or {})
    previous_start, start, end = period.previous().start_s, period.start_s, period.end_s
    open_turns: dict[str, _Turn] = {}
    for row in rows:
        if row.type_name == "user":
            ended = open_turns.pop(row.sender_id, None)
            if ended is not None:
                tally.end(ended)
            if not previous_start <= row.timestamp < end:
                continue
            current = row.timestamp >= start
            day = _beijing_day(row.timestamp)
            if current:
                tally.message(row, day)
            open_turns[row.sender_id] = _Turn(
                row.sender_id, day, current, row.timestamp, _waiting_from(row)
            )
            continue
        turn = open_turns.get(row.sender_id)
        if turn is None or row.timestamp - turn.asked_s > REPLY_WINDOW_S:
            continue  # a reply to a message before the period, or an event of no turn
        if row.type_name == "bot":
            turn.replied_s = row.timestamp
            if row.utter_action:
                turn.responses.add(row.utter_action)
        elif row.type_name == "slot" and row.entry_id:
            turn.entry_id = row.entry_id
    for turn in open_turns.values():
        tally.end(turn)
    return tally.figures(review or ReviewFigures.empty())


def read_dashboard(
    reader: TrackerStoreReader,
    review_queue_path: Path,
    period: Period,
    topics_of: Mapping[str, Sequence[str]],
) -> DashboardStats:
    """Reads the tracker store and the review queue for `period` (blocking: run it in a
    thread)."""
    rows = reader.rows(period.previous().start_s, period.end_s + REPLY_WINDOW_S)
    review = review_figures(review_queue_path, period.start_s, period.end_s)
    return compute_dashboard(rows, period, topics_of=topics_of, review=review)


def emergencies_by_day(stats: DashboardStats) -> list[tuple[dt.date, int, int, int]]:
    """(day, emergency answers, crisis answers, triage questions asked) for each day."""
    return [
        (d.day, d.kinds.get(EMERGENCY, 0), d.kinds.get(CRISIS, 0), d.kinds.get(TRIAGE_CHECK, 0))
        for d in stats.days
    ]
