"""A closing stores the closed period's trend point once it commits (:mod:`dashboard.closings`), so
the first dashboard after a closing reads it instead of computing the trend."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dashboard.models import TrendSnapshot
from dashboard.selectors import overview as overview_module
from dashboard.selectors.overview import period_overview, store_closed_point
from dashboard.tests.test_trend_snapshots import (
    AFTER_DUE,
    H1_AS_OF,
    _counted,
    _figures,
    _h1_report,
    _own,
    _trend_aggregates,
)
from progress.models import PeriodStatus, ProgressStatus, ReportStatus, ReviewPeriod
from progress.services.periods import close_period, open_period

pytestmark = pytest.mark.django_db


def _reported_and_open(world):
    _h1_report(world, 1, world.fagai, ReportStatus.ACCEPTED, progress_status=ProgressStatus.DELAYED)
    _h1_report(world, 2, world.gongxin, ReportStatus.SUBMITTED, progress_status=ProgressStatus.AT_RISK)
    ReviewPeriod.objects.filter(pk=world.h1.pk).update(status=PeriodStatus.OPEN)
    world.h1.refresh_from_db()
    return world.h1


def _stored(snapshot):
    return (snapshot.total, snapshot.completed, snapshot.submitted, snapshot.red, snapshot.yellow)


def test_a_closing_stores_its_point_when_it_commits_and_the_dashboard_reads_it(
    world, django_capture_on_commit_callbacks
):
    h1 = _reported_and_open(world)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        h1 = close_period(period=h1, user=world.plan_office)
    assert not TrendSnapshot.objects.exists()  # nothing before the commit
    for callback in pending:
        callback()
    snapshot = TrendSnapshot.objects.get()
    assert (snapshot.period_id, snapshot.closed_at, snapshot.as_of) == (h1.pk, h1.closed_at, H1_AS_OF)
    assert _stored(snapshot) == _own(h1, H1_AS_OF) == (5, 0, 2, 2, 3)
    o, queries = _counted(world.h2)
    assert _trend_aggregates(queries) == []  # the first overview after the closing computes no trend
    assert _figures(o.trend[0]) == _stored(snapshot)


def test_the_close_page_stores_the_point(world, client, django_capture_on_commit_callbacks):
    h1 = _reported_and_open(world)
    client.force_login(world.plan_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("progress:period_close", args=[h1.pk]))
    assert response.status_code == 302
    h1.refresh_from_db()
    assert h1.status == PeriodStatus.CLOSED
    snapshot = TrendSnapshot.objects.get()
    assert (snapshot.period_id, snapshot.closed_at) == (h1.pk, h1.closed_at)
    assert _stored(snapshot) == _own(h1, H1_AS_OF)


def test_a_closing_rolled_back_stores_nothing(world, django_capture_on_commit_callbacks):
    h1 = _reported_and_open(world)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        close_period(period=h1, user=world.plan_office)
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert not TrendSnapshot.objects.exists()
    h1.refresh_from_db()
    assert h1.status == PeriodStatus.OPEN


def test_reopening_stores_nothing_and_closing_again_replaces_the_point(world, django_capture_on_commit_callbacks):
    h1 = _reported_and_open(world)
    with django_capture_on_commit_callbacks(execute=True):
        h1 = close_period(period=h1, user=world.plan_office)
    first = TrendSnapshot.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        h1 = open_period(period=h1, user=world.plan_office)
    assert TrendSnapshot.objects.get().closed_at == first.closed_at  # untouched; an open period reads live
    _h1_report(world, 4, world.caizheng, ReportStatus.SUBMITTED, progress_status=ProgressStatus.DELAYED)
    with django_capture_on_commit_callbacks(execute=True):
        h1 = close_period(period=h1, user=world.plan_office)
    snapshot = TrendSnapshot.objects.get()
    assert snapshot.closed_at == h1.closed_at != first.closed_at
    assert _stored(snapshot) == _own(h1, H1_AS_OF) == (5, 0, 3, 3, 2)
    assert _trend_aggregates(_counted(world.h2)[1]) == []


def test_a_period_closed_before_its_due_date_has_passed_is_left_to_the_overview(
    world, django_capture_on_commit_callbacks
):
    h1 = _reported_and_open(world)
    due = timezone.localdate() + dt.timedelta(days=3)
    ReviewPeriod.objects.filter(pk=h1.pk).update(report_due_on=due)
    with django_capture_on_commit_callbacks(execute=True):
        h1 = close_period(period=h1, user=world.plan_office)
    assert not TrendSnapshot.objects.exists()  # its point still moves until the day after the due date
    # The day after the due date, the first overview computes and stores it.
    assert store_closed_point(h1.pk, today=due) is False
    o, queries = _counted(world.h2, today=due + dt.timedelta(days=10))
    assert len(_trend_aggregates(queries)) == 1
    assert TrendSnapshot.objects.get().as_of == due + dt.timedelta(days=1)
    # And a point already stored for this closing is kept, not computed again.
    assert store_closed_point(h1.pk, today=due + dt.timedelta(days=10)) is False


def test_a_failing_store_does_not_fail_the_closing(world, monkeypatch, caplog, django_capture_on_commit_callbacks):
    h1 = _reported_and_open(world)

    def broken(*args, **kwargs):
        raise RuntimeError("the trend query failed")

    monkeypatch.setattr(overview_module, "_trend", broken)
    with (
        caplog.at_level(logging.ERROR, logger="dashboard.closings"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        h1 = close_period(period=h1, user=world.plan_office)
    assert h1.status == PeriodStatus.CLOSED
    assert not TrendSnapshot.objects.exists()
    assert f"trend point of closed period {h1.pk} not stored" in caplog.text
    monkeypatch.undo()
    o = period_overview(world.h2, today=AFTER_DUE)  # the first overview computes and stores it
    assert _figures(o.trend[0]) == _stored(TrendSnapshot.objects.get()) == _own(h1, H1_AS_OF)


def test_a_deleted_period_stores_nothing(world):
    pk = world.h1.pk
    ReviewPeriod.objects.filter(pk=pk).delete()
    assert store_closed_point(pk) is False
    assert not TrendSnapshot.objects.exists()
