"""Small server-rendered SVG charts for the console: columns, lines, a share bar, ranked bars.

Every chart is an <svg role="img"> named by its <title> and described by its <desc>, and every
mark has a <title> of its own, which browsers show on hover. Text from data (entry titles,
topics, channel names) is escaped here; colours are CSS classes (console.css), so the strict
CSP (style-src 'self') needs nothing inline. Pages put a data table next to each chart: the
chart is for a glance, the table for exact figures and for screen readers.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 720
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 30, 28
MAX_X_LABELS = 10
_ID = re.compile(r"^[a-z][a-z0-9-]*$")

Format = Callable[[float], str]


def whole(value: float) -> str:
    return f"{value:,.0f}"


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 10 else f"{value:.0f} s"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _checked_id(chart_id: str) -> str:
    if not _ID.match(chart_id):
        raise ValueError(f"chart id {chart_id!r}: lowercase letters, digits and hyphens")
    return chart_id


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    css_class: str  # series-0 … series-3 in console.css


def axis_scale(value: float, whole_steps: bool) -> tuple[float, float]:
    """The axis top and its step: a step of 1, 2, 2.5 or 5 times a power of ten giving at
    most four steps up to value; whole_steps: counts, whose ticks must be whole numbers."""
    if value <= 0:
        return (4.0, 1.0) if whole_steps else (1.0, 0.25)
    wanted = value / 4
    power = 10 ** math.floor(math.log10(wanted))
    step = 10 * power
    for multiple in (1, 2, 2.5, 5):
        if multiple * power >= wanted:
            step = multiple * power
            break
    if whole_steps:
        step = max(1.0, float(math.ceil(step)))
    return step * math.ceil(value / step - 1e-9), step


def _frame(
    chart_id: str, title: str, description: str, body: str, height: float = HEIGHT
) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:g}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{_e(title)}</title>'
        f'<desc id="{chart_id}-desc">{_e(description)}</desc>{body}</svg>'
    )


def _y_axis(top_value: float, step: float, fmt: Format) -> str:
    parts = []
    plot_height = HEIGHT - TOP - BOTTOM
    for n in range(round(top_value / step) + 1):
        value = step * n
        y = HEIGHT - BOTTOM - plot_height * value / top_value
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_e(fmt(value))}</text>"
        )
    return "".join(parts)


def _x_labels(labels: Sequence[str], slot: float) -> str:
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    return "".join(
        f'<text class="tick" x="{LEFT + slot * (i + 0.5):.1f}" y="{HEIGHT - 8}" '
        f'text-anchor="middle">{_e(label)}</text>'
        for i, label in enumerate(labels)
        if i % every == 0
    )


def _legend(series: Sequence[Series], left: float = LEFT) -> str:
    parts, x = [], left
    for s in series:
        parts.append(
            f'<rect class="{_e(s.css_class)}" x="{x}" y="6" width="10" height="10"/>'
            f'<text class="legend" x="{x + 14}" y="15">{_e(s.name)}</text>'
        )
        x += 24 + 7 * len(s.name)
    return "".join(parts)


def column_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    fmt: Format = whole,
) -> Markup:
    """Grouped columns, one group per label (a day), one column per series."""
    chart_id = _checked_id(chart_id)
    top_value, step = axis_scale(
        max((v or 0 for s in series for v in s.values), default=0), whole_steps=fmt is whole
    )
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    width = max(0.5, slot * 0.8 / max(1, len(series)))
    bars = []
    for i, label in enumerate(labels):
        for n, s in enumerate(series):
            value = s.values[i] or 0
            height = plot_height * value / top_value
            x = LEFT + slot * i + slot * 0.1 + width * n
            bars.append(
                f'<rect class="{_e(s.css_class)}" x="{x:.2f}" '
                f'y="{HEIGHT - BOTTOM - height:.2f}" width="{width:.2f}" height="{height:.2f}">'
                f"<title>{_e(label)} · {_e(s.name)}: {_e(fmt(value))}</title></rect>"
            )
    body = _y_axis(top_value, step, fmt) + "".join(bars) + _x_labels(labels, slot)
    return _frame(chart_id, title, description, body + _legend(series))


def line_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    fmt: Format = whole,
    reference: tuple[str, float] | None = None,
) -> Markup:
    """One line per series; a missing value (None) breaks its line. reference: a labelled
    horizontal line (the period's overall figure)."""
    chart_id = _checked_id(chart_id)
    values = [v for s in series for v in s.values if v is not None]
    if reference is not None:
        values.append(reference[1])
    top_value, step = axis_scale(max(values, default=0), whole_steps=fmt is whole)
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))

    def point(i: int, value: float) -> tuple[float, float]:
        return LEFT + slot * (i + 0.5), HEIGHT - BOTTOM - plot_height * value / top_value

    marks = []
    if reference is not None:
        name, level = reference
        _, y = point(0, level)
        marks.append(
            f'<line class="reference" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}">'
            f"<title>{_e(name)}: {_e(fmt(level))}</title></line>"
            f'<text class="tick" x="{WIDTH - RIGHT}" y="{y - 4:.1f}" text-anchor="end">'
            f"{_e(name)}: {_e(fmt(level))}</text>"
        )
    for s in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(s.values):
            if value is None:
                runs.append([])
                continue
            x, y = point(i, value)
            runs[-1].append((x, y))
            marks.append(
                f'<circle class="{_e(s.css_class)}" cx="{x:.1f}" cy="{y:.1f}" r="2.5">'
                f"<title>{_e(labels[i])} · {_e(s.name)}: {_e(fmt(value))}</title></circle>"
            )
        for run in runs:
            if len(run) > 1:
                coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                marks.insert(
                    0, f'<polyline class="line {_e(s.css_class)}" points="{coordinates}"/>'
                )
    body = _y_axis(top_value, step, fmt) + "".join(marks) + _x_labels(labels, slot)
    return _frame(chart_id, title, description, body + _legend(series))


def share_bar(
    chart_id: str, title: str, description: str, parts: Sequence[tuple[str, int, str]]
) -> Markup:
    """One bar split into shares of its total: (label, count, css class) per part, with each
    part's share written under it when there is room."""
    chart_id = _checked_id(chart_id)
    total = sum(count for _, count, _ in parts)
    height, bar_top, bar_height = 118, 30, 40
    plot_width = WIDTH - 2 * RIGHT
    marks = [_legend([Series(label, [], css) for label, _, css in parts], left=RIGHT)]
    x = float(RIGHT)
    for label, count, css in parts:
        share = count / total if total else 0.0
        width = plot_width * share
        marks.append(
            f'<rect class="{_e(css)}" x="{x:.2f}" y="{bar_top}" width="{width:.2f}" '
            f'height="{bar_height}"><title>{_e(label)}: {count:,} ({share * 100:.1f}%)</title>'
            "</rect>"
        )
        if width >= 44:
            marks.append(
                f'<text class="share" x="{x + width / 2:.1f}" y="{bar_top + bar_height + 16}" '
                f'text-anchor="middle">{share * 100:.0f}%</text>'
            )
        x += width
    if not total:
        marks.append(
            f'<text class="tick" x="{WIDTH / 2}" y="{bar_top + 26}" text-anchor="middle">'
            "No answers in this period</text>"
        )
    return _frame(chart_id, title, description, "".join(marks), height)


def ranked_bars(
    chart_id: str,
    title: str,
    description: str,
    items: Sequence[tuple[str, float]],
    css_class: str = "series-0",
    fmt: Format = whole,
) -> Markup:
    """Horizontal bars, largest first as given, each with its label and value."""
    chart_id = _checked_id(chart_id)
    row, label_width = 26, 300
    height = max(row, row * len(items)) + 8
    top_value = max((value for _, value in items), default=0) or 1
    plot_width = WIDTH - label_width - 70
    marks = []
    for n, (label, value) in enumerate(items):
        y = 4 + row * n
        width = plot_width * value / top_value
        shown = label if len(label) <= 40 else label[:39] + "…"
        marks.append(
            f'<text class="bar-label" x="{label_width - 8}" y="{y + 16}" text-anchor="end">'
            f"{_e(shown)}</text>"
            f'<rect class="{_e(css_class)}" x="{label_width}" y="{y + 4}" width="{width:.2f}" '
            f'height="{row - 8}"><title>{_e(label)}: {_e(fmt(value))}</title></rect>'
            f'<text class="bar-value" x="{label_width + width + 6:.1f}" y="{y + 16}">'
            f"{_e(fmt(value))}</text>"
        )
    if not items:
        marks.append(f'<text class="tick" x="{WIDTH / 2}" y="18" text-anchor="middle">None</text>')
    return _frame(chart_id, title, description, "".join(marks), height)
