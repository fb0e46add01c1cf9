"""The shared numbers on generated plans (``bench.synthetic``), each test in an empty database of its
own: the lead and silent cells and the report counts agree with the review board's cells and with
the period's standing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from dashboard.selectors.overview import period_overview, period_report_counts, period_standing
from dashboard.tests.test_selectors_overview import _report_counts
from progress.selectors.review import _effective_cells_sql
from progress.states import RED, YELLOW, silent_units_of

pytestmark = pytest.mark.django_db


def test_lead_and_silent_cells_agree_with_the_review_board_on_a_generated_plan():
    from bench.synthetic import generate
    from progress.models import ReviewPeriod
    from tasks.models import Plan

    generate(tasks=80, departments=12, seed=3)
    plan = Plan.objects.get()
    periods = list(ReviewPeriod.objects.filter(plan=plan).order_by("starts_on"))
    for period in (periods[0], periods[-1]):
        sql, params = _effective_cells_sql(task_condition="t.plan_id = %s", task_params=[plan.pk], period=period)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cells = cursor.fetchall()
        lead = {(task_id, unit_id) for task_id, unit_id, supporting, *_ in cells if not supporting}
        silent: dict[int, int] = {}
        for task_id, _unit, supporting, _report, _status, owed in cells:
            if supporting and owed:  # none (NOT_STARTED), a draft, returned; not on a task closed by the due date
                silent[task_id] = silent.get(task_id, 0) + 1
        overview = period_overview(period)
        assert {(pk, unit) for pk, s in overview.states.items() for unit in s.lead_unit_ids} == lead
        by_unit: dict[int, int] = {}
        for pk, s in overview.states.items():
            for unit in s.lead_unit_ids:
                by_unit[unit] = by_unit.get(unit, 0) + silent.get(pk, 0)
        assert {u.unit_id: u.silent for u in overview.lead_units} == {u: n for u, n in by_unit.items()}
        assert sum(silent.values()) > 0
        silent_lists = silent_units_of(period, overview.states)
        assert {pk: len(units) for pk, units in silent_lists.items()} == silent


def test_period_report_counts_agree_with_period_standing_on_a_generated_plan():
    from bench.synthetic import generate
    from progress.models import ReviewPeriod

    generate(tasks=80, departments=12, seed=4)
    for period in ReviewPeriod.objects.order_by("starts_on"):
        _states, rows = period_standing(period)
        counts = _report_counts(period_report_counts(period).values())
        assert counts == _report_counts(rows)
        assert sum(late + missing for _t, _o, late, missing in counts.values()) > 0


def test_every_trend_point_is_its_periods_own_overview_on_a_generated_plan():
    """The trend reads earlier periods in one SQL query (``_trend``); each point must be what the
    period's own overview says as of the point's day, by the same light rules."""
    from bench.synthetic import generate
    from dashboard.models import TrendSnapshot
    from progress.models import ReviewPeriod

    generate(tasks=80, departments=12, seed=5)
    periods = list(ReviewPeriod.objects.order_by("starts_on"))
    shown = periods[-1]
    for today in (shown.report_due_on, shown.report_due_on + dt.timedelta(days=3)):
        TrendSnapshot.objects.all().delete()  # computed by the query, not read from stored points
        points = {point.period_id: point for point in period_overview(shown, today=today).trend}
        assert set(points) == {p.pk for p in periods}
        compared = 0
        for period in periods[:-1]:
            point = points[period.pk]
            if not point.opened:
                continue
            own = period_overview(period, today=point.as_of, with_trend=False)
            assert (point.total, point.completed, point.submitted, point.red, point.yellow) == (
                own.total,
                own.completed,
                own.submitted,
                own.light_counts[RED],
                own.light_counts[YELLOW],
            ), period.name
            compared += 1
        assert compared >= 2
