"""What the dashboard shows, built from its figures: headlines, SVG charts and the same
figures as tables, section by section. No aiohttp here: dashboard_pages.py serves it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from bot.console import svg_charts
from bot.console.dashboard_stats import DashboardStats, emergencies_by_day, rate
from bot.console.dashboard_turns import (
    ANSWER_KINDS,
    CHANNEL_LABELS,
    CONFIDENT,
    CONVERSATION_LANGUAGE_LABELS,
    CONVERSATION_LANGUAGE_ORDER,
    CRISIS,
    EMERGENCY,
    KIND_LABELS,
    LANGUAGE_LABELS,
    LANGUAGE_ORDER,
    MIDDLE,
    NO_REPLY,
    NOT_SURE,
    OUT_OF_SCOPE,
    PRECEDENCE,
    TRIAGE_CHECK,
)
from bot.settings import Settings
from knowledge_base.content import load_entries

# CSS classes (dashboard.css) of the four ways a question ends.
ANSWER_CLASSES = {
    CONFIDENT: "kind-confident",
    MIDDLE: "kind-middle",
    NOT_SURE: "kind-not-sure",
    OUT_OF_SCOPE: "kind-out",
}


@dataclass(frozen=True)
class EntryTitles:
    """What the dashboard shows for an entry id: its Chinese and English titles, its topics."""

    titles: Mapping[str, tuple[str, str]]
    topics: Mapping[str, Sequence[str]]

    def label(self, entry_id: str) -> str:
        zh = self.titles.get(entry_id, ("", ""))[0]
        return f"{zh} ({entry_id})" if zh else f"{entry_id} (no such entry now)"

    def english(self, entry_id: str) -> str:
        return self.titles.get(entry_id, ("", ""))[1]


def entry_titles(settings: Settings) -> EntryTitles:
    """Every entry in the content folder, drafts included: an answer may have used an entry
    that was unpublished since."""
    entries = load_entries(settings.content_dir).entries
    return EntryTitles(
        titles={e.id: (e.title["zh"], e.title["en"]) for e in entries},
        topics={e.id: e.topics for e in entries},
    )


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class ChartView:
    """A chart and the same figures as a table (or a table alone: chart None)."""

    chart: Markup | None
    caption: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]


@dataclass(frozen=True)
class Section:
    anchor: str
    heading: str
    intro: str
    charts: Sequence[ChartView]
    notes: Sequence[str] = field(default_factory=tuple)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def _day(day: dt.date) -> str:
    return day.strftime("%m-%d")


def unanswered_trend(stats: DashboardStats) -> str:
    days = stats.period.days
    before = stats.previous_unanswered_rate
    change = stats.unanswered_change_points
    if before is None or change is None:
        return f"no questions to compare with in the {days} days before"
    if abs(change) < 0.05:
        return f"no change from the {days} days before ({_percent(before)})"
    direction = "up" if change > 0 else "down"
    return f"{direction} {abs(change):.1f} points from {_percent(before)} in the {days} days before"


def headlines(stats: DashboardStats) -> list[Headline]:
    answered = sum(stats.kind(k) for k in ANSWER_KINDS)
    return [
        Headline(
            "Conversations",
            f"{stats.conversations:,}",
            f"{stats.senders:,} different senders; a conversation is one sender's day",
        ),
        Headline("Messages from parents", f"{stats.messages:,}", "typed or a button pressed"),
        Headline(
            "Answered confidently",
            _percent(rate(stats.kind(CONFIDENT), answered)),
            f"of {answered:,} questions to the knowledge base",
        ),
        Headline("Unanswered rate", _percent(stats.unanswered_rate), unanswered_trend(stats)),
        Headline(
            "Emergency and crisis answers",
            f"{stats.kind(EMERGENCY):,} + {stats.kind(CRISIS):,}",
            f"emergency + crisis; {stats.kind(TRIAGE_CHECK):,} triage questions asked",
        ),
        Headline(
            "Reply time, median",
            _seconds(stats.reply_median_s),
            f"over {stats.replies_timed:,} replies",
        ),
        Headline(
            "Reply time, 95th percentile",
            _seconds(stats.reply_p95_s),
            "19 replies in 20 were at least this fast",
        ),
    ]


def _activity(stats: DashboardStats) -> Section:
    labels = [_day(d.day) for d in stats.days]
    chart = svg_charts.column_chart(
        "chart-activity",
        "Conversations and messages per day",
        f"Per day from {stats.period.label()}: {stats.conversations:,} conversations and "
        f"{stats.messages:,} messages in all.",
        labels,
        [
            svg_charts.Series("Conversations", [d.conversations for d in stats.days], "series-0"),
            svg_charts.Series("Messages", [d.messages for d in stats.days], "series-1"),
        ],
    )
    rows = [[d.day.isoformat(), f"{d.conversations:,}", f"{d.messages:,}"] for d in stats.days]
    return Section(
        "activity",
        "Conversations and messages per day",
        "Days in Beijing time. A conversation is one sender's messages on one day.",
        [ChartView(chart, "Per day", ["Day", "Conversations", "Messages"], rows)],
    )


def _answers(stats: DashboardStats) -> Section:
    answered = sum(stats.kind(k) for k in ANSWER_KINDS)
    parts = [(KIND_LABELS[k], stats.kind(k), ANSWER_CLASSES[k]) for k in ANSWER_KINDS]
    chart = svg_charts.share_bar(
        "chart-answers",
        "How questions to the knowledge base were answered",
        "; ".join(f"{label}: {_percent(rate(count, answered))}" for label, count, _ in parts),
        parts,
    )
    share_rows = [
        [label, f"{count:,}", _percent(rate(count, answered))] for label, count, _ in parts
    ]
    turns = sum(stats.kinds.values())
    kind_rows = [
        [KIND_LABELS[k], f"{stats.kind(k):,}", _percent(rate(stats.kind(k), turns))]
        for k in (*PRECEDENCE, NO_REPLY)
        if stats.kind(k)
    ]
    return Section(
        "answers",
        "How questions were answered",
        "Confident answer, middle tier (“these entries may answer it”), not sure, or declined "
        "as out of scope, as a share of all four.",
        [
            ChartView(chart, "Questions by answer", ["Answer", "Messages", "Share"], share_rows),
            ChartView(
                None,
                "Every message by what the bot did with it",
                ["What the bot did", "Messages", "Share of all messages"],
                kind_rows,
            ),
        ],
    )


def _emergencies(stats: DashboardStats) -> Section:
    days = emergencies_by_day(stats)
    chart = svg_charts.column_chart(
        "chart-emergencies",
        "Emergency and crisis answers per day",
        f"{stats.kind(EMERGENCY):,} emergency answers, {stats.kind(CRISIS):,} crisis answers "
        f"and {stats.kind(TRIAGE_CHECK):,} triage questions from {stats.period.label()}.",
        [_day(day) for day, *_ in days],
        [
            svg_charts.Series("Emergency", [e for _, e, _, _ in days], "series-alarm"),
            svg_charts.Series("Crisis", [c for _, _, c, _ in days], "series-crisis"),
            svg_charts.Series("Triage question", [q for _, _, _, q in days], "series-2"),
        ],
    )
    rows = [[day.isoformat(), str(e), str(c), str(q)] for day, e, c, q in days]
    return Section(
        "emergencies",
        "Emergencies and crisis answers per day",
        "Emergency answers (120/110 and what to do now), answers to a parent or carer in "
        "crisis (12356), and the one yes/no question triage asks when unsure. Answers the "
        "gateway gave itself while Rasa was down are not in the tracker store and not here.",
        [ChartView(chart, "Per day", ["Day", "Emergency", "Crisis", "Triage question"], rows)],
    )


def _topics(stats: DashboardStats, titles: EntryTitles) -> Section:
    entries = svg_charts.ranked_bars(
        "chart-entries",
        "Entries answered most often",
        "; ".join(f"{titles.label(e)}: {n}" for e, n in stats.top_entries) or "None",
        [(titles.label(e), n) for e, n in stats.top_entries],
    )
    topics = svg_charts.ranked_bars(
        "chart-topics",
        "Topics answered most often",
        "; ".join(f"{t}: {n}" for t, n in stats.top_topics) or "None",
        list(stats.top_topics),
        css_class="series-1",
    )
    return Section(
        "topics",
        "Top topics and entries",
        "Confident answers only, including entries opened from a button. An answer counts "
        "once for each topic its entry is tagged with.",
        [
            ChartView(
                entries,
                "Entries",
                ["Entry", "English title", "Answers"],
                [[titles.label(e), titles.english(e), f"{n:,}"] for e, n in stats.top_entries],
            ),
            ChartView(
                topics, "Topics", ["Topic", "Answers"], [[t, f"{n:,}"] for t, n in stats.top_topics]
            ),
        ],
    )


def _unanswered(stats: DashboardStats) -> Section:
    chart = svg_charts.line_chart(
        "chart-unanswered",
        "Unanswered rate per day",
        f"{_percent(stats.unanswered_rate)} over the period; {unanswered_trend(stats)}.",
        [_day(d.day) for d in stats.days],
        [svg_charts.Series("Unanswered", [d.unanswered_rate for d in stats.days], "series-1")],
        fmt=svg_charts.percent,
        reference=(
            ("Whole period", stats.unanswered_rate) if stats.unanswered_rate is not None else None
        ),
    )
    rows = [
        [d.day.isoformat(), _percent(d.unanswered_rate)]
        + [f"{d.kinds.get(k, 0):,}" for k in (CONFIDENT, MIDDLE, NOT_SURE)]
        for d in stats.days
    ]
    review = stats.review
    return Section(
        "unanswered",
        "Unanswered rate and its trend",
        "Middle tier and “not sure” as a share of the questions the knowledge base tried "
        "(confident, middle tier, not sure). Out-of-scope messages are not counted: they were "
        "not about children or childcare. A day without questions has no point.",
        [
            ChartView(
                chart,
                "Per day",
                ["Day", "Unanswered", "Confident", "Middle tier", "Not sure"],
                rows,
            )
        ],
        [
            f"Review queue, questions last asked in this period: {review.questions:,} "
            f"({review.times_asked:,} times asked); {review.open:,} still open, "
            f"{review.resolved:,} resolved with an entry, {review.dismissed:,} dismissed.",
            f"Parents' ratings of answers: {review.ratings_up:,} helpful (👍), "
            f"{review.ratings_down:,} not helpful (👎).",
        ],
    )


def _reply_times(stats: DashboardStats) -> Section:
    chart = svg_charts.line_chart(
        "chart-replies",
        "Reply time per day",
        f"Median {_seconds(stats.reply_median_s)}, 95th percentile "
        f"{_seconds(stats.reply_p95_s)} over {stats.replies_timed:,} replies.",
        [_day(d.day) for d in stats.days],
        [
            svg_charts.Series("Median", [d.reply_median_s for d in stats.days], "series-0"),
            svg_charts.Series("95th percentile", [d.reply_p95_s for d in stats.days], "series-1"),
        ],
        fmt=svg_charts.seconds,
    )
    rows = [
        [d.day.isoformat(), _seconds(d.reply_median_s), _seconds(d.reply_p95_s)] for d in stats.days
    ]
    return Section(
        "replies",
        "Reply time",
        "From when the gateway sent the message to Rasa to the bot's last message of the "
        "turn, as stored in the tracker store (the network to the parent is not included).",
        [ChartView(chart, "Per day", ["Day", "Median", "95th percentile"], rows)],
    )


def _channels_and_languages(stats: DashboardStats) -> Section:
    channels = svg_charts.ranked_bars(
        "chart-channels",
        "Messages by channel",
        "; ".join(f"{CHANNEL_LABELS.get(s.name, s.name)}: {s.messages}" for s in stats.channels)
        or "None",
        [(CHANNEL_LABELS.get(s.name, s.name), s.messages) for s in stats.channels],
    )
    languages = [
        (LANGUAGE_LABELS[name], stats.languages.get(name, 0))
        for name in LANGUAGE_ORDER
        if stats.languages.get(name)
    ]
    language_chart = svg_charts.ranked_bars(
        "chart-languages",
        "Messages by language",
        "; ".join(f"{label}: {n}" for label, n in languages) or "None",
        languages,
        css_class="series-1",
    )
    conversation_rows = [
        [CONVERSATION_LANGUAGE_LABELS[name], f"{stats.conversation_languages.get(name, 0):,}"]
        for name in CONVERSATION_LANGUAGE_ORDER
    ]
    return Section(
        "channels",
        "Channels and languages",
        "The channel the gateway recorded with each message (web page, widget on another "
        "site, Telegram), and the language it saw in the text.",
        [
            ChartView(
                channels,
                "Channels",
                ["Channel", "Messages", "Conversations"],
                [
                    [CHANNEL_LABELS.get(s.name, s.name), f"{s.messages:,}", f"{s.conversations:,}"]
                    for s in stats.channels
                ],
            ),
            ChartView(
                language_chart,
                "Languages",
                ["Language", "Messages"],
                [[label, f"{n:,}"] for label, n in languages],
            ),
            ChartView(
                None,
                "Conversations by the languages they used",
                ["Languages", "Conversations"],
                conversation_rows,
            ),
        ],
    )


def dashboard_sections(stats: DashboardStats, titles: EntryTitles) -> list[Section]:
    return [
        _activity(stats),
        _answers(stats),
        _emergencies(stats),
        _topics(stats, titles),
        _unanswered(stats),
        _reply_times(stats),
        _channels_and_languages(stats),
    ]
