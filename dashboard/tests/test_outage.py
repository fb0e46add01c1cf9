"""A broker or cache that does not answer costs a write at most 0.2 s, is logged, and is left alone for a
while afterwards; the report is saved and the dashboard computes its numbers afresh meanwhile."""

from __future__ import annotations

import logging
import time

import pytest
from django.core.cache import cache
from django.test import override_settings

from dashboard import freshness
from dashboard.selectors.cached import dashboard_overview
from dashboard.selectors.overview import period_overview
from dashboard.tasks import PENDING_KEY
from progress.models import ProgressReport, ReportStatus
from progress.services.reports import submit_report
from progress.tests.factories import ProgressReportFactory, build_world
from xingping_tracker.core.changes import PROGRESS
from xingping_tracker.settings.base import cache_config
from xingping_tracker.tests.celery_worker import redis_broker
from xingping_tracker.tests.hung_server import hung_server

LIMIT = 0.2  # seconds a write may lose to a broker or cache that does not answer


def _timed_change() -> float:
    started = time.monotonic()
    freshness.changed(topics=frozenset({PROGRESS}))
    return time.monotonic() - started


def test_a_broker_that_hangs_costs_a_change_at_most_the_limit_then_is_left_alone(caplog):
    cache.clear()
    with hung_server() as url, redis_broker(url), caplog.at_level(logging.WARNING, logger="dashboard.tasks"):
        freshness.warm_up()  # as the app does at start-up
        first = _timed_change()
        assert caplog.text.count("dashboard refresh not scheduled: the broker did not answer") == 1
        assert cache.get(PENDING_KEY) is None  # the flag is cleared: the next change may try again
        later = [_timed_change() for _ in range(5)]  # backing off: the broker is not asked
        assert caplog.text.count("the broker did not answer") == 1
    assert first <= LIMIT, first
    assert max(later) <= LIMIT / 4, later


@pytest.mark.django_db
def test_a_cache_that_hangs_costs_a_change_at_most_the_limit_and_the_dashboard_still_answers(caplog):
    world = build_world()
    with hung_server() as url:
        hung = {"default": cache_config({"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url})}
        with override_settings(CACHES=hung), caplog.at_level(logging.WARNING):
            freshness.warm_up()  # as the app does at start-up
            first = _timed_change()
            later = _timed_change()
            overview = dashboard_overview(world.h2)  # computed afresh: the cache is not there
    assert first <= LIMIT, first
    assert later <= LIMIT / 4, later
    assert "dashboard data stamp not moved" in caplog.text
    assert overview.total == period_overview(world.h2).total


@pytest.mark.django_db(transaction=True)
def test_a_clerk_submitting_while_broker_and_cache_hang_waits_at_most_the_limit_more():
    world = build_world()
    reports = [
        ProgressReportFactory(task=world.tasks[number], department=world.fagai, period=world.h2, role="lead")
        for number in (1, 3)
    ]
    started = time.monotonic()
    submit_report(report_id=reports[0].pk, user=world.fagai_clerk)  # nothing hangs: the usual cost
    usual = time.monotonic() - started
    with hung_server() as url:
        hung = {"default": cache_config({"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url})}
        with override_settings(CACHES=hung), redis_broker(url):
            freshness.warm_up()  # as the app does at start-up
            started = time.monotonic()
            submit_report(report_id=reports[1].pk, user=world.fagai_clerk)
            during = time.monotonic() - started
    assert ProgressReport.objects.filter(pk__in=[r.pk for r in reports], status=ReportStatus.SUBMITTED).count() == 2
    assert during <= usual + LIMIT, (usual, during)
