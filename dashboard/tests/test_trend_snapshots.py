"""Stored trend points of closed periods: read through, equal to the live computation, recomputed
after a reopen and a new close, never failing a read on the unique constraint."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.models import TrendSnapshot
from dashboard.selectors import overview as overview_module
from dashboard.selectors.overview import period_overview
from progress.models import PeriodStatus, ProgressStatus, ReportStatus, ReviewPeriod
from progress.services.periods import close_period, open_period
from progress.states import RED, YELLOW, task_states
from progress.tests.factories import ProgressReportFactory
from tasks.models import AssignmentRole
from tasks.tests.factories import build_many_tasks

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
AFTER_DUE = dt.date(2025, 1, 15)  # after the due dates of both h1 (2024-07-10) and h2 (2025-01-10)
H1_AS_OF = dt.date(2024, 7, 11)
ON_TIME = dt.datetime(2024, 7, 10, 12, 0, tzinfo=SHANGHAI)


def _h1_report(world, number, department, status, **kw):
    if status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
        kw.setdefault("submitted_at", ON_TIME)
    return ProgressReportFactory(
        task=world.tasks[number], department=department, period=world.h1, role=AssignmentRole.LEAD, status=status, **kw
    )


def _closed(world):
    """h1 closed through the service (so with its closing time), with reports."""
    _h1_report(world, 1, world.fagai, ReportStatus.ACCEPTED, progress_status=ProgressStatus.DELAYED)
    _h1_report(world, 2, world.gongxin, ReportStatus.SUBMITTED, progress_status=ProgressStatus.AT_RISK)
    ReviewPeriod.objects.filter(pk=world.h1.pk).update(status=PeriodStatus.OPEN)
    world.h1 = close_period(period=world.h1, user=world.plan_office)
    return world.h1


def _figures(point):
    return (point.total, point.completed, point.submitted, point.red, point.yellow)


def _own(period, as_of):
    """The period's numbers from its own overview (always live for the period shown)."""
    o = period_overview(period, today=as_of, with_trend=False)
    return (o.total, o.completed, o.submitted, o.light_counts[RED], o.light_counts[YELLOW])


def _counted(period, today=AFTER_DUE):
    with CaptureQueriesContext(connection) as ctx:
        o = period_overview(period, today=today)
    return o, [q["sql"] for q in ctx.captured_queries]


def _trend_aggregates(queries):
    return [sql for sql in queries if "CROSS JOIN" in sql]


def test_the_stored_point_equals_the_live_computation(world):
    h1 = _closed(world)
    assert not TrendSnapshot.objects.exists()
    o, queries = _counted(world.h2)
    assert len(_trend_aggregates(queries)) == 1
    snapshot = TrendSnapshot.objects.get()
    assert (snapshot.period_id, snapshot.closed_at, snapshot.as_of) == (h1.pk, h1.closed_at, H1_AS_OF)
    first = o.trend[0]
    stored = (snapshot.total, snapshot.completed, snapshot.submitted, snapshot.red, snapshot.yellow)
    assert (
        stored == _figures(first) == _own(h1, H1_AS_OF) == (5, 0, 2, 2, 3)
    )  # red: 1 delayed, 3 overdue; yellow: 2 at risk, 4 late, 5 no lead
    assert first.as_of == H1_AS_OF and first.name == h1.name


def test_a_second_overview_reads_the_stored_point(world):
    _closed(world)
    cold, cold_queries = _counted(world.h2)
    warm, warm_queries = _counted(world.h2)
    assert [_figures(p) for p in warm.trend] == [_figures(p) for p in cold.trend]
    assert _trend_aggregates(warm_queries) == []
    assert len(warm_queries) < len(cold_queries)
    assert len(warm_queries) == 8
    # It is the stored row that is shown, not a recomputation.
    TrendSnapshot.objects.update(total=999)
    assert period_overview(world.h2, today=AFTER_DUE).trend[0].total == 999


def test_reopened_is_live_and_closing_again_recomputes(world):
    h1 = _closed(world)
    period_overview(world.h2, today=AFTER_DUE)
    first_closed_at = TrendSnapshot.objects.get().closed_at
    h1 = open_period(period=h1, user=world.plan_office)
    _h1_report(world, 4, world.caizheng, ReportStatus.SUBMITTED, progress_status=ProgressStatus.DELAYED)
    o, queries = _counted(world.h2)
    assert len(_trend_aggregates(queries)) == 1  # open: live
    assert _figures(o.trend[0]) == _own(h1, H1_AS_OF) == (5, 0, 3, 3, 2)
    assert TrendSnapshot.objects.get().closed_at == first_closed_at  # an open period's point is not stored
    h1 = close_period(period=h1, user=world.plan_office)
    assert h1.closed_at != first_closed_at
    o, queries = _counted(world.h2)
    assert len(_trend_aggregates(queries)) == 1  # recomputed with the new data
    snapshot = TrendSnapshot.objects.get()
    assert snapshot.closed_at == h1.closed_at
    assert _figures(o.trend[0]) == (
        snapshot.total,
        snapshot.completed,
        snapshot.submitted,
        snapshot.red,
        snapshot.yellow,
    )
    assert _figures(o.trend[0]) == _own(h1, H1_AS_OF) == (5, 0, 3, 3, 2)
    assert _trend_aggregates(_counted(world.h2)[1]) == []


def test_points_moving_with_today_or_without_a_closing_time_are_not_stored(world):
    h1 = _closed(world)
    # Read on h1's due date: its point is as of today, not final yet.
    period_overview(world.h2, today=dt.date(2024, 7, 10))
    assert not TrendSnapshot.objects.exists()
    # A closed period without a closing time (imported data) is always computed.
    ReviewPeriod.objects.filter(pk=h1.pk).update(closed_at=None)
    o, queries = _counted(world.h2)
    assert len(_trend_aggregates(queries)) == 1 and not TrendSnapshot.objects.exists()
    assert _figures(o.trend[0]) == _own(h1, H1_AS_OF)
    # The period shown is always live, even when closed.
    ReviewPeriod.objects.filter(pk=h1.pk).update(closed_at=timezone.now())
    h1.refresh_from_db()
    period_overview(h1, today=AFTER_DUE)
    assert not TrendSnapshot.objects.exists()


def test_a_point_stored_meanwhile_does_not_fail_the_read(world, monkeypatch):
    """Two requests computing the same point: the second store replaces the first one's row."""
    h1 = _closed(world)
    live = overview_module._trend

    def racing(periods, **kw):
        counts = live(periods, **kw)
        TrendSnapshot.objects.create(
            period=h1, closed_at=h1.closed_at, as_of=H1_AS_OF, total=0, completed=0, submitted=0, red=0, yellow=0,
            computed_at=timezone.now(),
        )  # fmt: skip
        return counts

    monkeypatch.setattr(overview_module, "_trend", racing)
    o = period_overview(world.h2, today=AFTER_DUE)
    snapshot = TrendSnapshot.objects.get()
    assert _figures(o.trend[0]) == (
        snapshot.total,
        snapshot.completed,
        snapshot.submitted,
        snapshot.red,
        snapshot.yellow,
    )
    assert snapshot.total == 5


def test_task_states_carry_every_field(world):
    """The states are built through their ``__dict__`` (fast path): every field is there."""
    from dataclasses import fields

    from progress.states import TaskState, task_states

    for state in task_states(world.h2, today=AFTER_DUE).values():
        assert set(vars(state)) == {f.name for f in fields(TaskState)}
        assert TaskState(**vars(state)) == state


def test_query_count_stays_constant_across_plan_sizes_with_stored_points(world):
    _closed(world)
    task_states(world.h2)  # the period's stored standings written (progress.standing_store)
    cold_small = len(_counted(world.h2)[1])
    warm_small = len(_counted(world.h2)[1])
    build_many_tasks(25, plan=world.plan)
    task_states(world.h2)
    assert len(_counted(world.h2)[1]) == warm_small  # the stored point (of h1 as it was closed)
    TrendSnapshot.objects.all().delete()
    assert len(_counted(world.h2)[1]) == cold_small
    assert len(_counted(world.h2)[1]) == warm_small
    # cold: the trend aggregate and the upsert in its savepoint (SAVEPOINT, INSERT … ON CONFLICT, RELEASE)
    assert (cold_small, warm_small) == (12, 8)
