"""The dashboard reads what the real Rasa stored: channel and send time from the gateway's
metadata, the response names of the bot's messages, the entry slot of a confident answer."""

from __future__ import annotations

import pytest

from bot.console.dashboard_period import Period, beijing_today
from bot.console.dashboard_source import TrackerStoreReader
from bot.console.dashboard_stats import REPLY_WINDOW_S, compute_dashboard
from bot.console.dashboard_turns import CONFIDENT, EMERGENCY
from bot.local_stack import LocalStack as Stack

pytestmark = pytest.mark.integration


def test_a_widget_question_and_an_emergency_are_counted_as_rasa_stored_them(
    stack: Stack,
) -> None:
    status, _ = stack.post_chat(
        {"sender_id": "dash-widget-1", "message": "宝宝几个月可以加辅食？", "channel": "widget"}
    )
    assert status == 200
    status, _ = stack.chat("dash-web-1", "孩子突然抽搐了，叫不醒")
    assert status == 200

    today = beijing_today()
    period = Period(today, today)
    reader = TrackerStoreReader.for_store(None, stack.settings.tracker_db_path)
    rows = [
        r
        for r in reader.rows(period.previous().start_s, period.end_s + REPLY_WINDOW_S)
        if r.sender_id.startswith("dash-")
    ]
    widget_message = next(r for r in rows if r.type_name == "user" and r.channel == "widget")
    assert widget_message.language == "zh"
    assert widget_message.sent_at is not None
    # Sent before Rasa stamped the event (after NLU), on the same clock.
    assert 0 <= widget_message.timestamp - widget_message.sent_at < 10

    stats = compute_dashboard(rows, period)
    assert stats.kind(CONFIDENT) == 1
    assert stats.kind(EMERGENCY) == 1
    assert {s.name: s.messages for s in stats.channels} == {"widget": 1, "web": 1}
    assert stats.top_entries
    assert stats.reply_median_s is not None
    assert 0 < stats.reply_median_s < 20
