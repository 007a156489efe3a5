"""The dashboard's period: whole days in Beijing time, chosen as the last 7/30/90 days or as a
custom from/to, validated before anything is read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

# China keeps one time zone, UTC+8, with no daylight saving time since 1991.
BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
PRESET_DAYS = (7, 30, 90)
DEFAULT_DAYS = 30
# A year and a day: a leap year, or a year in the middle of a range, still fits.
MAX_DAYS = 366
EARLIEST = dt.date(2023, 1, 1)  # the plan began in 2023; Tuoyu has no conversations before


class PeriodError(ValueError):
    """A period that cannot be shown; the message says why, field which input is wrong."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Period:
    """From `first` to `last`, both whole days included, in Beijing time."""

    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def dates(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range(self.days)]

    @property
    def start_s(self) -> float:
        """Unix seconds at 00:00 Beijing time on the first day (included)."""
        return dt.datetime.combine(self.first, dt.time(), BEIJING).timestamp()

    @property
    def end_s(self) -> float:
        """Unix seconds at 00:00 Beijing time on the day after the last (excluded)."""
        return self.start_s + self.days * 86400

    def previous(self) -> Period:
        """The period of the same length just before this one (for trends)."""
        return Period(self.first - dt.timedelta(days=self.days), self.first - dt.timedelta(days=1))

    def label(self) -> str:
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


def beijing_today(now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.UTC)).astimezone(BEIJING).date()


def last_days(days: int, today: dt.date) -> Period:
    """The last `days` days, today included."""
    return Period(today - dt.timedelta(days=days - 1), today)


def _date(raw: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise PeriodError(f"'{raw[:40]}' is not a date like 2026-11-30.", field) from None


def parse_period(query: Mapping[str, str], today: dt.date) -> Period:
    """The period a query asks for: `days=7|30|90`, or `from` and `to` (YYYY-MM-DD); none of
    them: the last 30 days. PeriodError says what is wrong."""
    raw_from = query.get("from", "").strip()
    raw_to = query.get("to", "").strip()
    if raw_from or raw_to:
        if not (raw_from and raw_to):
            raise PeriodError("Give both the first and the last day.", "to" if raw_from else "from")
        first, last = _date(raw_from, "from"), _date(raw_to, "to")
        if first > last:
            raise PeriodError("The first day comes after the last day.", "from")
        if last > today:
            raise PeriodError(f"The last day is in the future (today is {today}).", "to")
        if first < EARLIEST:
            raise PeriodError(f"There are no conversations before {EARLIEST}.", "from")
        if (last - first).days + 1 > MAX_DAYS:
            raise PeriodError(f"Choose at most {MAX_DAYS} days.", "from")
        return Period(first, last)
    raw_days = query.get("days", "").strip()
    if not raw_days:
        return last_days(DEFAULT_DAYS, today)
    if raw_days not in {str(d) for d in PRESET_DAYS}:
        choices = ", ".join(str(d) for d in PRESET_DAYS)
        raise PeriodError(f"Choose the last {choices} days, or a first and last day.", "days")
    return last_days(int(raw_days), today)
