"""The console's SVG charts: readable axes, every text escaped, named for screen readers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from bot.console import svg_charts
from bot.console.svg_charts import Series, axis_scale

HOSTILE = '<script>alert("x")</script>&'


@pytest.mark.parametrize(
    ("largest", "whole", "expected"),
    [
        (0, True, (4.0, 1.0)),
        (1, True, (1.0, 1.0)),  # counts: never a tick at 0.25 of a message
        (2, True, (2.0, 1.0)),
        (5, True, (6.0, 2.0)),
        (1000, True, (1000.0, 250.0)),
        (0.333, False, (0.4, 0.1)),
        (1.0, False, (1.0, 0.25)),
        (2.1, False, (3.0, 1.0)),
    ],
)
def test_axes_end_on_a_round_step(
    largest: float, whole: bool, expected: tuple[float, float]
) -> None:
    top, step = axis_scale(largest, whole)
    assert (top, step) == pytest.approx(expected)


def _parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def test_every_text_is_escaped_and_the_chart_is_named() -> None:
    charts = [
        svg_charts.column_chart(
            "chart-a", HOSTILE, HOSTILE, [HOSTILE, "b"], [Series(HOSTILE, [1, None], "series-0")]
        ),
        svg_charts.line_chart(
            "chart-b",
            HOSTILE,
            HOSTILE,
            [HOSTILE, "b", "c"],
            [Series(HOSTILE, [0.1, None, 0.3], "series-1")],
            fmt=svg_charts.percent,
            reference=(HOSTILE, 0.2),
        ),
        svg_charts.share_bar(
            "chart-c", HOSTILE, HOSTILE, [(HOSTILE, 3, "kind-out"), ("b", 1, "x")]
        ),
        svg_charts.ranked_bars("chart-d", HOSTILE, HOSTILE, [(HOSTILE, 5), ("b", 2)]),
    ]
    for chart in charts:
        assert "<script" not in chart
        root = _parsed(str(chart))
        assert root.get("role") == "img"
        title_id, desc_id = (root.get("aria-labelledby") or "").split()
        texts = {el.get("id"): el.text for el in root if el.get("id")}
        assert texts[title_id] == HOSTILE
        assert texts[desc_id] == HOSTILE
        assert "style=" not in chart


def test_a_line_breaks_where_a_day_has_no_value() -> None:
    chart = svg_charts.line_chart(
        "chart-e", "t", "d", ["1", "2", "3", "4"], [Series("s", [1, 2, None, 3], "series-0")]
    )
    assert chart.count("<polyline") == 1  # the one point after the gap is a dot, not a line
    assert chart.count("<circle") == 3


def test_chart_ids_are_plain() -> None:
    with pytest.raises(ValueError, match="chart id"):
        svg_charts.ranked_bars('x" onload="alert(1)', "t", "d", [])


def test_share_labels_fit_their_part() -> None:
    chart = svg_charts.share_bar("chart-f", "t", "d", [("big", 99, "a"), ("tiny", 1, "b")])
    assert re.findall(r'class="share"[^>]*>([^<]+)<', chart) == ["99%"]
