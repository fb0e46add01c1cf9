"""bench_dashboard must not rot: one pass of each measurement on a tiny synthetic database. No timing is asserted."""

from __future__ import annotations

import pytest

from bench.bench_dashboard import change_a_report, measure, measure_cold
from bench.synthetic import generate

pytestmark = pytest.mark.django_db


def test_the_dashboard_measurements_run_with_bounded_queries():
    generate(tasks=60, departments=12, seed=1)
    figures, period = measure(repeats=1, warmups=0)
    by_label = {f.label: f for f in figures}
    assert list(by_label) == [
        "period_overview()",
        "task_states()",
        "dashboard:home",
        "dashboard:home, after a change",
        "refresh_overview job",
        "dashboard:home, after the refresh",
        "dashboard:tasks ?light=red",
        "GET /api/dashboard/",
        "GET /api/dashboard/, after a change",
    ]
    assert period.is_open
    # Without warm-ups the counted overview is the first one: it computes and stores the closed
    # periods' trend points and the open period's task standings (progress.standing_store); later
    # ones read them stored (the page's count below). The binding board reads its actuals' reports
    # by primary key in a query of their own (one more since 2026-12-07: the join hashed every report).
    assert by_label["period_overview()"].queries == 18
    assert by_label["task_states()"].queries == 4
    assert by_label["refresh_overview job"].queries > 4  # the open periods, then their overview
    assert by_label["dashboard:home"].size > 10  # KiB of HTML: the page was rendered
    # The page is the first counted overview from the stored task states: it computes and stores them
    # (progress.state_store) before counting.
    assert 0 < by_label["dashboard:home"].queries <= 32
    cold = {f.label: f for f in measure_cold(period, repeats=1, warmups=0)}
    assert list(cold) == [
        "dashboard:home, cold",
        "closing's trend point",
        "dashboard:home, trend points missing",
        "dashboard:home, a new day",
        "dashboard:home, a new day, all stale",
    ]
    # After the closings stored their points, the first view reads them: as after any other change.
    assert cold["dashboard:home, cold"].queries == by_label["dashboard:home, after a change"].queries
    # Without them it computes the trend and stores it (the aggregate and the upsert in its savepoint).
    assert cold["dashboard:home, trend points missing"].queries == cold["dashboard:home, cold"].queries + 4
    assert cold["closing's trend point"].queries > 0
    # A new day computes again the changed task and those whose deadline passed (none of the plan's,
    # unless the period fell due yesterday), as after a change; every task is a store of the plan.
    assert cold["dashboard:home, a new day"].queries <= cold["dashboard:home, a new day, all stale"].queries
    assert cold["dashboard:home, a new day, all stale"].queries > 0


def test_the_benchmarks_change_moves_the_stamp_as_a_clerks_save_does(django_capture_on_commit_callbacks):
    """'after a change' measures a computed overview only if its change is announced like a service's."""
    from dashboard import freshness
    from progress.models import PeriodStatus, ReviewPeriod

    generate(tasks=20, departments=6, seed=2)
    period = ReviewPeriod.objects.get(status=PeriodStatus.OPEN)
    touch = change_a_report(period)
    before = freshness.current_stamp()
    with django_capture_on_commit_callbacks(execute=True):  # the script runs in autocommit: heard at once
        touch()
    assert freshness.current_stamp() > before


def test_the_set_up_writes_the_open_periods_stored_states():
    from django.utils import timezone

    from bench.bench_dashboard import settle_stores
    from progress.models import PeriodStatus, ReviewPeriod, StoredState
    from progress.state_store import stale_task_ids

    generate(tasks=20, departments=6, seed=3)
    period = ReviewPeriod.objects.get(status=PeriodStatus.OPEN)
    assert not StoredState.objects.exists()
    assert settle_stores().startswith("stored states of the open period written")
    assert StoredState.objects.filter(period=period).count() == 20
    assert stale_task_ids(period, today=timezone.localdate()) == []
