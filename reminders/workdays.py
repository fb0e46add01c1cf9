"""Working days of the Chinese calendar (statutory holidays and make-up working days).

The ``chinese_calendar`` package knows each year's State Council holiday notice (version 1.11.0:
2004–2026). For a year it does not know yet (the notice for a year comes out in its November
before), it raises ``NotImplementedError``; we then fall back to Monday–Friday and log a warning
once per year and process, so a missing package upgrade shows in the logs instead of stopping the
reminders. Upgrade the package when the next year's notice is out.

Every function takes and returns plain dates (a day in Asia/Shanghai; see :func:`shanghai_today`).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from zoneinfo import ZoneInfo

import chinese_calendar

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")

_ONE_DAY = dt.timedelta(days=1)
# Far more than any run of days off (the longest, Spring Festival, is 9 days): a loop that finds no
# working day within it has a bug, not a holiday.
_MAX_SEARCH_DAYS = 60

_warned_years: set[int] = set()
_warned_lock = threading.Lock()


def shanghai_today(now: dt.datetime | None = None) -> dt.date:
    """The date in Asia/Shanghai at ``now`` (an aware datetime; default: the current time)."""
    now = now or dt.datetime.now(tz=SHANGHAI)
    return now.astimezone(SHANGHAI).date()


def _warn_once(year: int) -> None:
    with _warned_lock:
        if year in _warned_years:
            return
        _warned_years.add(year)
    logger.warning(
        "chinese_calendar has no holiday data for %s: working days of that year are taken as Monday to Friday "
        "(upgrade the chinese-calendar package when the year's holiday notice is out)",
        year,
    )


def is_working_day(day: dt.date) -> bool:
    """True on a working day: Monday–Friday except statutory holidays, plus make-up working days."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        _warn_once(day.year)
        return day.weekday() < 5


def first_working_day_on_or_after(day: dt.date) -> dt.date:
    for offset in range(_MAX_SEARCH_DAYS):
        candidate = day + offset * _ONE_DAY
        if is_working_day(candidate):
            return candidate
    raise RuntimeError(f"no working day within {_MAX_SEARCH_DAYS} days from {day}")


def last_working_day_on_or_before(day: dt.date) -> dt.date:
    for offset in range(_MAX_SEARCH_DAYS):
        candidate = day - offset * _ONE_DAY
        if is_working_day(candidate):
            return candidate
    raise RuntimeError(f"no working day within {_MAX_SEARCH_DAYS} days before {day}")


def next_working_day(day: dt.date) -> dt.date:
    """The first working day strictly after ``day``."""
    return first_working_day_on_or_after(day + _ONE_DAY)


def previous_working_day(day: dt.date) -> dt.date:
    """The last working day strictly before ``day``."""
    return last_working_day_on_or_before(day - _ONE_DAY)


def nth_working_day_before(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day strictly before ``day`` (n ≥ 1): with ``day`` a Friday and no holiday,
    n=1 is Thursday and n=5 the Friday before."""
    if n < 1:
        raise ValueError("n must be at least 1")
    for _ in range(n):
        day = previous_working_day(day)
    return day


def nth_working_day_after(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day strictly after ``day`` (n ≥ 1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    for _ in range(n):
        day = next_working_day(day)
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """The number of working days in (start, end]: 0 when ``end`` is not after ``start``.

    ``working_days_between(due_on, today)`` is how many working days a report is overdue today."""
    count = 0
    day = start + _ONE_DAY
    while day <= end:
        count += is_working_day(day)
        day += _ONE_DAY
    return count
