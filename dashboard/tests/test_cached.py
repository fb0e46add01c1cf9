"""The cached overview behind the dashboard page and API: served until a committed write changes
what it shows, never stale after one, never filled from inside a transaction."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard import freshness
from dashboard.selectors.cached import CACHED_ATTENTION, cache_key, dashboard_overview
from dashboard.selectors.overview import period_overview
from progress.models import ProgressReport, ProgressStatus
from progress.services.reports import accept_report
from progress.tests.factories import build_world, submitted_lead_report
from tasks.tests.factories import build_many_tasks
from xingping_tracker.core.changes import PROGRESS, announce

HOME = reverse("dashboard:home")
API = reverse("api:dashboard")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    cache.clear()
    world = build_world()
    submitted_lead_report(world, 2, world.gongxin, ProgressStatus.ON_TRACK)
    return world


def _leader(world):
    client = Client()
    client.force_login(world.leader)
    return client


def _numbers(overview):
    return (
        overview.total,
        overview.completed,
        overview.submitted,
        dict(overview.light_counts),
        [(s.key, s.count) for s in overview.status_counts],
        [(u.unit_id, u.tasks, u.on_time, u.late, u.not_submitted, u.red, u.silent) for u in overview.lead_units],
        [s.task_id for s in overview.attention],
        overview.attention_total,
    )


def _api(client, period):
    response = client.get(API, {"period": period.pk})
    assert response.status_code == 200
    return response.json()


def test_a_hit_is_the_fresh_overview_without_the_per_task_states(world):
    first = dashboard_overview(world.h2)
    assert cache.get(cache_key(world.h2, first.today, freshness.current_stamp())) is not None
    with CaptureQueriesContext(connection) as ctx:
        hit = dashboard_overview(world.h2)
    assert len(ctx.captured_queries) == 0
    assert _numbers(hit) == _numbers(period_overview(world.h2))
    assert hit.states == {}


def test_a_committed_report_shows_at_once(world):
    client = _leader(world)
    before = _api(client, world.h2)
    assert _api(client, world.h2) == before  # served from the cache

    # A clerk's report on task 3 (committed: the stamp moves): one more task delivered.
    submitted_lead_report(world, 3, world.fagai, ProgressStatus.DELAYED, day=6)
    after = _api(client, world.h2)
    assert after["submitted"] == before["submitted"] + 1
    assert after["submitted"] == period_overview(world.h2).submitted
    assert after == _api(client, world.h2)

    # Accepting through the service shows too; a QuerySet.update() behind the services' back shows once
    # it is announced (until then the cache serves what the services last said).
    report = ProgressReport.objects.get(task=world.tasks[2], department=world.gongxin, period=world.h2)
    accept_report(report_id=report.pk, user=world.plan_office)
    accepted = _api(client, world.h2)
    assert accepted != after
    ProgressReport.objects.filter(pk=report.pk).update(progress_status=ProgressStatus.COMPLETED)
    assert _api(client, world.h2) == accepted
    announce(PROGRESS)
    completed = _api(client, world.h2)
    assert completed["completed"] == accepted["completed"] + 1
    assert completed["completed"] == period_overview(world.h2).completed


def test_inside_a_transaction_the_overview_is_computed_and_not_stored(world):
    dashboard_overview(world.h2)  # stored
    with transaction.atomic():
        submitted_lead_report(world, 3, world.fagai, ProgressStatus.DELAYED)
        inside = dashboard_overview(world.h2)  # sees its own uncommitted report
        assert _numbers(inside) == _numbers(period_overview(world.h2))
        assert not inside.states  # a summary as outside, computed afresh (kept out of the cache: below)
        transaction.set_rollback(True)
    outside = dashboard_overview(world.h2)
    assert _numbers(outside) == _numbers(period_overview(world.h2))
    assert outside.submitted == inside.submitted - 1  # the rolled-back report is nowhere


def test_asking_for_more_attention_than_is_kept_computes_afresh(world):
    build_many_tasks(CACHED_ATTENTION + 5, plan=world.plan)  # no reports: all late, yellow
    kept = dashboard_overview(world.h2)
    assert len(kept.attention) == CACHED_ATTENTION < kept.attention_total
    more = dashboard_overview(world.h2, attention=CACHED_ATTENTION + 5)
    assert len(more.attention) == more.attention_total == kept.attention_total
    client = _leader(world)
    body = client.get(API, {"period": world.h2.pk, "attention_limit": CACHED_ATTENTION + 5}).json()
    assert len(body["attention"]) == CACHED_ATTENTION + 5 <= body["attention_total"]


def _page_queries(client, period):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(HOME, {"period": period.pk})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_cached_page_runs_few_queries_whatever_the_plan_size(world):
    client = _leader(world)
    fresh_small, _ = _page_queries(client, world.h2)
    warm_small, page = _page_queries(client, world.h2)
    build_many_tasks(60, plan=world.plan)
    fresh_big, _ = _page_queries(client, world.h2)
    warm_big, big_page = _page_queries(client, world.h2)
    assert warm_small == warm_big
    assert fresh_small == fresh_big
    # Session, user, roles, notifications, the period and the plan's periods, the attention texts.
    assert warm_big <= 10 < fresh_big
    assert page != big_page  # the bigger plan's numbers, not the small plan's cached page
