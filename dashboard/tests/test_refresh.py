"""The worker refreshes the cached overview after a change, so the next viewer finds it ready:
one job for a burst of changes, none without a broker, and a broker that does not answer never
fails the write."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid

import pytest
from celery.signals import task_postrun
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard import freshness
from dashboard.selectors.cached import cache_key, dashboard_overview
from dashboard.selectors.overview import period_overview
from dashboard.selectors.periods import default_period, viewed_periods
from dashboard.tasks import PENDING_KEY, refresh_overview, schedule_refresh
from progress.models import PeriodStatus, ProgressReport, ProgressStatus, ReportStatus
from progress.tests.factories import ReviewPeriodFactory, build_world, submitted_lead_report
from xingping_tracker.celery import app
from xingping_tracker.tests.celery_worker import redis_broker, redis_worker, wait_for

DELAY = 2  # seconds: the burst below takes far less


def _stored(period) -> object | None:
    return cache.get(cache_key(period, timezone.localdate(), freshness.current_stamp()))


def _numbers(overview):
    return (
        overview.total,
        overview.submitted,
        overview.completed,
        dict(overview.light_counts),
        [(u.unit_id, u.tasks, u.on_time, u.late, u.not_submitted, u.silent) for u in overview.lead_units],
        [s.task_id for s in overview.attention],
    )


# --- which periods ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_open_periods_are_refreshed_or_the_latest_started_one():
    world = build_world()
    assert viewed_periods() == [world.h2] and default_period() == world.h2
    world.h2.status = PeriodStatus.CLOSED
    world.h2.save()
    ReviewPeriodFactory(
        plan=world.plan, name="2025年上半年", starts_on=dt.date(2025, 1, 1), status=PeriodStatus.PLANNED
    )
    assert viewed_periods() == [world.h2]  # none open: the latest that has started, not the planned one


@pytest.mark.django_db(transaction=True)
def test_the_job_stores_the_overview_under_the_current_stamp():
    cache.clear()
    world = build_world()
    submitted_lead_report(world, 2, world.gongxin)
    assert _stored(world.h2) is None
    assert refresh_overview.delay().get() == "2024年下半年"  # inline here (no broker)
    stored = _stored(world.h2)
    assert stored is not None and _numbers(stored) == _numbers(period_overview(world.h2))
    with CaptureQueriesContext(connection) as ctx:
        dashboard_overview(world.h2)
    assert len(ctx.captured_queries) == 0  # the viewer's hit


# --- without a broker ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_change_schedules_nothing():
    """Inline, the refresh would run in the clerk's request: nothing is scheduled, the viewer computes."""
    cache.clear()
    assert app.conf.task_always_eager
    world = build_world()
    submitted_lead_report(world, 2, world.gongxin)
    assert not schedule_refresh()
    assert cache.get(PENDING_KEY) is None and _stored(world.h2) is None


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_does_not_answer_never_fails_the_write(caplog):
    cache.clear()
    world = build_world()
    with redis_broker("redis://127.0.0.1:1/0"), caplog.at_level(logging.WARNING, logger="dashboard.tasks"):
        report = submitted_lead_report(world, 2, world.gongxin)  # the write runs the change hook
    assert ProgressReport.objects.filter(pk=report.pk, status=ReportStatus.SUBMITTED).exists()
    assert "dashboard refresh not scheduled" in caplog.text
    assert cache.get(PENDING_KEY) is None  # the next change tries again


# --- a real worker ------------------------------------------------------------------------------


class _Runs:
    """Counts the refresh jobs the worker finished."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, sender=None, **kwargs) -> None:
        if getattr(sender, "name", "") == refresh_overview.name:
            self.count += 1


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_refreshes_once_after_a_burst_of_changes(redis_url):
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-refresh-{uuid.uuid4().hex[:8]}",
        }
    }
    runs = _Runs()
    task_postrun.connect(runs, weak=False)
    try:
        with override_settings(CACHES=caches, DASHBOARD_REFRESH_DELAY_SECONDS=DELAY):
            world = build_world()  # before the worker: inline mode, nothing scheduled
            with redis_worker(redis_url):
                # Three clerks save within the delay: one job computes the overview after the last.
                submitted_lead_report(world, 2, world.gongxin)
                submitted_lead_report(world, 1, world.fagai, ProgressStatus.DELAYED)
                submitted_lead_report(world, 4, world.caizheng)
                wait_for(lambda: _stored(world.h2) is not None, what="the refreshed overview")
                stored = _stored(world.h2)
                time.sleep(DELAY + 0.5)  # no second job comes for the same burst
                assert runs.count == 1
                assert stored.submitted == 3
                assert _numbers(stored) == _numbers(period_overview(world.h2))

                # A later change makes it out of date and brings a job of its own.
                submitted_lead_report(world, 3, world.fagai, ProgressStatus.AT_RISK)
                assert _stored(world.h2) is None
                wait_for(lambda: _stored(world.h2) is not None and runs.count == 2, what="the second refresh")
                with CaptureQueriesContext(connection) as ctx:
                    seen = dashboard_overview(world.h2)
                assert len(ctx.captured_queries) == 0  # the viewer did not compute
                assert seen.submitted == 4 and _numbers(seen) == _numbers(period_overview(world.h2))
            cache.delete_many([freshness.STAMP_KEY, PENDING_KEY])  # the rest expires; never FLUSHDB a shared Redis
    finally:
        task_postrun.disconnect(runs)


@pytest.mark.redis
def test_a_refresh_job_waits_for_the_delay_and_expires_if_the_worker_is_away(redis_url):
    """Read back from the Redis queue: one message for two changes, due after the delay, dropped by
    a worker that comes back more than a minute later (no pile of stale refreshes)."""
    import json

    import redis

    cache.delete(PENDING_KEY)
    client = redis.Redis.from_url(redis_url)
    try:
        with redis_broker(redis_url) as queue, override_settings(DASHBOARD_REFRESH_DELAY_SECONDS=DELAY):
            before = timezone.now()
            assert schedule_refresh() is True
            assert schedule_refresh() is False  # one is already waiting
            messages = [json.loads(raw) for raw in client.lrange(queue, 0, -1)]
    finally:
        client.close()
        cache.delete(PENDING_KEY)
    [message] = messages
    headers = message["headers"]
    assert headers["task"] == "dashboard.refresh_overview"
    eta, expires = dt.datetime.fromisoformat(headers["eta"]), dt.datetime.fromisoformat(headers["expires"])
    assert before + dt.timedelta(seconds=DELAY) <= eta <= timezone.now() + dt.timedelta(seconds=DELAY)
    assert abs((expires - eta).total_seconds() - 60) < 1  # the flag's lifetime: then a new change asks again
