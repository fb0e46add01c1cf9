"""The data stamp: moved by what the services announce, and when (at once, at commit, never on rollback)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from dashboard import freshness
from departments.models import Department
from departments.services import sync_units_from_fixture
from departments.tests.factories import DepartmentFactory
from progress.services.periods import close_period, open_period
from progress.tests.factories import build_world
from xingping_tracker.core.changes import PLAN, PROGRESS, UNITS, announce
from xingping_tracker.core.exceptions import ApplicationError

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def stamp():
    cache.delete(freshness.STAMP_KEY)
    freshness.reset_back_off()
    return freshness.current_stamp


@pytest.mark.django_db(transaction=True)
def test_an_announcement_in_autocommit_moves_the_stamp_a_write_behind_the_services_back_does_not(stamp):
    before = stamp()
    DepartmentFactory(name="市审计局")  # written, but no service said so
    list(Department.objects.all())
    assert stamp() == before
    announce(UNITS)
    assert stamp() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_transaction_moves_the_stamp_once_when_it_commits(stamp):
    before = stamp()
    with transaction.atomic():
        announce(UNITS)
        announce(PLAN, PROGRESS)
        with transaction.atomic():  # a savepoint kept
            announce(UNITS)
        assert stamp() == before  # nobody else sees the rows yet
    assert stamp() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_or_savepoint_moves_nothing(stamp):
    before = stamp()
    with pytest.raises(RuntimeError), transaction.atomic():
        announce(UNITS)
        raise RuntimeError("rolled back")
    assert stamp() == before
    with transaction.atomic():
        try:
            with transaction.atomic():
                announce(UNITS)
                raise RuntimeError("savepoint rolled back")
        except RuntimeError:
            pass
    assert stamp() == before  # the only announcement was undone with its savepoint


@pytest.mark.django_db(transaction=True)
def test_the_services_announce_their_writes_and_a_refused_call_announces_nothing(stamp):
    world = build_world()
    seen = [stamp()]
    close_period(period=world.h2, user=world.plan_office)
    seen.append(stamp())
    with pytest.raises(ApplicationError):
        close_period(period=world.h2, user=world.plan_office)  # closed already: refused, nothing written
    seen.append(stamp())
    open_period(period=world.h2, user=world.plan_office)
    seen.append(stamp())
    sync_units_from_fixture()
    seen.append(stamp())
    assert seen[0] < seen[1] == seen[2] < seen[3] < seen[4], seen


def test_a_lost_stamp_comes_back_larger():
    cache.delete(freshness.STAMP_KEY)
    first = freshness.current_stamp()
    freshness.bump()
    bumped = freshness.current_stamp()
    cache.delete(freshness.STAMP_KEY)  # evicted
    assert first < bumped < freshness.current_stamp()
    cache.delete(freshness.STAMP_KEY)
    freshness.bump()  # a bump of a missing stamp starts a new one
    assert freshness.current_stamp() > bumped


@pytest.mark.redis
def test_a_bump_in_another_process_is_seen_through_redis(redis_url):
    """gunicorn workers and the Celery worker share the stamp through Redis (CACHE_URL)."""
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    with override_settings(CACHES=caches):
        from django.core.cache import cache as redis_cache

        redis_cache.delete(freshness.STAMP_KEY)
        before = freshness.current_stamp()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "xingping_tracker.settings.test",
            "CACHE_URL": redis_url,
            "PYTHONPATH": str(REPO_ROOT),
        }
        code = "import django; django.setup(); from dashboard import freshness; freshness.bump()"
        result = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert freshness.current_stamp() == before + 1
        redis_cache.delete(freshness.STAMP_KEY)


@pytest.mark.django_db(transaction=True)
def test_a_cache_that_does_not_answer_never_fails_a_committed_write(caplog):
    """The rows are saved before the stamp moves: a cache outage is logged, not turned into an error
    page, and the next changes leave the cache alone for a while (one log line, not one per save)."""
    freshness.reset_back_off()
    unreachable = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    try:
        with override_settings(CACHES=unreachable), caplog.at_level(logging.ERROR, logger="dashboard.freshness"):
            announce(UNITS)  # autocommit: heard at once
            with transaction.atomic():
                DepartmentFactory(name="市统计局")
                announce(UNITS)  # and at commit
        assert Department.objects.filter(name="市统计局").exists()
        assert caplog.text.count("dashboard data stamp not moved") == 1
    finally:
        freshness.reset_back_off()


@pytest.mark.django_db(transaction=True)
def test_an_edit_in_the_admin_moves_the_stamp(stamp, admin_client):
    unit = DepartmentFactory(name="市审计局")
    before = stamp()
    response = admin_client.post(
        "/admin/departments/departmentalias/add/", {"alias": "审计局", "department": unit.pk}
    )
    assert response.status_code == 302
    assert stamp() > before


@pytest.mark.django_db(transaction=True)
def test_a_refresh_of_the_effective_assignments_moves_the_stamp_only_when_it_writes(stamp):
    from tasks.models import EffectiveAssignment
    from tasks.services.effective_assignments import refresh_effective_assignments

    build_world()
    before = stamp()
    refresh_effective_assignments()  # the table is right already: nothing written, nothing said
    assert stamp() == before
    EffectiveAssignment.objects.filter(pk=EffectiveAssignment.objects.order_by("pk").values("pk")[:1]).delete()
    refresh_effective_assignments()  # the repair writes the missing row back
    assert stamp() > before
