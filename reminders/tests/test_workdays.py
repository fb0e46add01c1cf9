"""Working days of the Chinese calendar, across National Day 2025 and Spring Festival 2026, and the
Monday–Friday fallback for a year the calendar package does not know."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from reminders import workdays
from reminders.workdays import (
    first_working_day_on_or_after,
    is_working_day,
    last_working_day_on_or_before,
    next_working_day,
    nth_working_day_after,
    nth_working_day_before,
    previous_working_day,
    shanghai_today,
    working_days_between,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # National Day and Mid-Autumn 2025: Oct 1–8 off; Sun Sep 28 and Sat Oct 11 are make-up working days.
        (D(2025, 9, 26), True),
        (D(2025, 9, 27), False),  # an ordinary Saturday
        (D(2025, 9, 28), True),  # Sunday, make-up working day
        (D(2025, 9, 30), True),
        (D(2025, 10, 1), False),
        (D(2025, 10, 6), False),  # a Monday inside the holiday
        (D(2025, 10, 8), False),
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),  # Saturday, make-up working day
        (D(2025, 10, 12), False),
        # Spring Festival 2026: Feb 15–23 off; Sat Feb 14 and Sat Feb 28 are working days.
        (D(2026, 2, 13), True),
        (D(2026, 2, 14), True),
        (D(2026, 2, 15), False),
        (D(2026, 2, 16), False),  # a Monday inside the holiday
        (D(2026, 2, 23), False),
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),
        (D(2026, 3, 1), False),
        # New Year 2025
        (D(2025, 1, 1), False),
        (D(2024, 12, 31), True),
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("function", "day", "expected"),
    [
        (first_working_day_on_or_after, D(2025, 10, 1), D(2025, 10, 9)),
        (first_working_day_on_or_after, D(2025, 10, 9), D(2025, 10, 9)),
        (first_working_day_on_or_after, D(2025, 9, 27), D(2025, 9, 28)),  # Saturday → the make-up Sunday
        (first_working_day_on_or_after, D(2026, 2, 15), D(2026, 2, 24)),
        (last_working_day_on_or_before, D(2025, 10, 8), D(2025, 9, 30)),
        (last_working_day_on_or_before, D(2025, 10, 12), D(2025, 10, 11)),  # Sunday → the make-up Saturday
        (last_working_day_on_or_before, D(2026, 2, 22), D(2026, 2, 14)),
        (last_working_day_on_or_before, D(2026, 3, 1), D(2026, 2, 28)),
        (next_working_day, D(2025, 9, 30), D(2025, 10, 9)),
        (next_working_day, D(2025, 10, 10), D(2025, 10, 11)),
        (next_working_day, D(2026, 2, 13), D(2026, 2, 14)),
        (next_working_day, D(2026, 2, 14), D(2026, 2, 24)),
        (previous_working_day, D(2025, 10, 9), D(2025, 9, 30)),
        (previous_working_day, D(2025, 9, 29), D(2025, 9, 28)),
        (previous_working_day, D(2026, 2, 24), D(2026, 2, 14)),
        (previous_working_day, D(2026, 3, 2), D(2026, 2, 28)),
    ],
)
def test_neighbouring_working_days(function, day, expected):
    assert function(day) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        # Before Fri 2025-10-17: Thu 16, Wed 15, Tue 14, Mon 13, Sat 11 (make-up), Fri 10, Thu 9, then Tue Sep 30.
        (D(2025, 10, 17), 1, D(2025, 10, 16)),
        (D(2025, 10, 17), 5, D(2025, 10, 11)),
        (D(2025, 10, 17), 7, D(2025, 10, 9)),
        (D(2025, 10, 17), 8, D(2025, 9, 30)),
        # Before Fri 2026-02-27: Thu 26, Wed 25, Tue 24, then across the holiday Sat 14, Fri 13.
        (D(2026, 2, 27), 3, D(2026, 2, 24)),
        (D(2026, 2, 27), 4, D(2026, 2, 14)),
        (D(2026, 2, 27), 5, D(2026, 2, 13)),
        # Before Fri 2025-01-10 across New Year's Day: the 7th is Tue 2024-12-31.
        (D(2025, 1, 10), 7, D(2024, 12, 31)),
    ],
)
def test_nth_working_day_before(day, n, expected):
    assert nth_working_day_before(day, n) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # Friday → the make-up Sunday
        (D(2025, 9, 26), 3, D(2025, 9, 30)),
        (D(2025, 9, 26), 4, D(2025, 10, 9)),
        (D(2025, 9, 26), 6, D(2025, 10, 11)),
        (D(2026, 2, 12), 2, D(2026, 2, 14)),
        (D(2026, 2, 12), 3, D(2026, 2, 24)),
    ],
)
def test_nth_working_day_after(day, n, expected):
    assert nth_working_day_after(day, n) == expected


@pytest.mark.parametrize("function", [nth_working_day_before, nth_working_day_after])
def test_n_must_be_positive(function):
    with pytest.raises(ValueError):
        function(D(2025, 1, 10), 0)


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (D(2025, 9, 30), D(2025, 10, 9), 1),  # (Sep 30, Oct 9]: only Oct 9
        (D(2025, 9, 26), D(2025, 10, 12), 6),  # Sep 28, 29, 30, Oct 9, 10, 11
        (D(2026, 2, 13), D(2026, 2, 28), 6),  # Feb 14, 24, 25, 26, 27, 28
        (D(2025, 1, 10), D(2025, 1, 10), 0),
        (D(2025, 1, 10), D(2025, 1, 1), 0),
    ],
)
def test_working_days_between(start, end, count):
    assert working_days_between(start, end) == count


def test_shanghai_today_is_the_date_in_beijing():
    # 2025-01-09 17:30 UTC is already 2025-01-10 01:30 in Beijing.
    assert shanghai_today(dt.datetime(2025, 1, 9, 17, 30, tzinfo=dt.UTC)) == D(2025, 1, 10)
    assert shanghai_today(dt.datetime(2025, 1, 9, 15, 59, tzinfo=dt.UTC)) == D(2025, 1, 9)


class TestOutsideTheCalendarData:
    """chinese_calendar 1.11.0 knows 2004–2026; later years fall back to Monday–Friday, warned once."""

    @pytest.fixture(autouse=True)
    def forget_warnings(self, monkeypatch):
        monkeypatch.setattr(workdays, "_warned_years", set())

    def test_unknown_year_is_monday_to_friday(self, caplog):
        with caplog.at_level(logging.WARNING, logger="reminders.workdays"):
            assert is_working_day(D(2099, 10, 1)) is True  # a Thursday: no holiday data
            assert is_working_day(D(2099, 10, 3)) is False  # a Saturday
        assert "2099" in caplog.text

    def test_warned_once_per_year(self, caplog):
        with caplog.at_level(logging.WARNING, logger="reminders.workdays"):
            for day in range(1, 20):
                is_working_day(D(2099, 3, day))
            next_working_day(D(2099, 12, 31))  # reaches 2100
            is_working_day(D(2099, 7, 1))
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert [r.args for r in warnings] == [(2099,), (2100,)]

    def test_a_known_year_does_not_warn(self, caplog):
        with caplog.at_level(logging.WARNING, logger="reminders.workdays"):
            is_working_day(D(2025, 10, 1))
        assert caplog.records == []
