"""The data stamp: which statements move it, and when (at once, at commit, never on rollback)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings

from dashboard import freshness
from departments.models import Department
from departments.tests.factories import DepartmentFactory

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "sql",
    [
        'INSERT INTO "tasks_task" ("number") VALUES (%s)',
        '  UPDATE "progress_progressreport" SET "status" = %s',
        'DELETE FROM "departments_departmentgroup_members" WHERE 1',
        "WITH x AS (SELECT 1) UPDATE progress_progressreport SET percent = 1",
        'INSERT INTO "progress_historicalprogressreport" ("id") VALUES (1)',
    ],
)
def test_writes_to_watched_tables_are_changes(sql):
    assert freshness.is_change(sql)


@pytest.mark.parametrize(
    "sql",
    [
        'SELECT "tasks_task"."id" FROM "tasks_task"',
        '(SELECT "tasks_task"."id" FROM "tasks_task") UNION (SELECT 1)',
        'SELECT * FROM "progress_progressreport" WHERE id = 1 FOR UPDATE',
        "WITH lp AS (SELECT a.task_id FROM tasks_assignment a) SELECT * FROM lp",
        "WITH lp AS (SELECT id FROM progress_progressreport FOR UPDATE) SELECT * FROM lp",
        'SAVEPOINT "s1_x1"',
        'ROLLBACK TO SAVEPOINT "s1_x1"',
        'INSERT INTO "django_session" ("session_key") VALUES (%s)',
        'UPDATE "auth_user" SET "last_login" = %s',
        'INSERT INTO "reminders_notification" ("text") VALUES (%s)',
        'INSERT INTO "dashboard_trendsnapshot" ("period_id") VALUES (%s)',
    ],
)
def test_reads_and_other_tables_are_not(sql):
    assert not freshness.is_change(sql)


@pytest.fixture
def stamp():
    cache.delete(freshness.STAMP_KEY)
    return freshness.current_stamp


@pytest.mark.django_db(transaction=True)
def test_a_write_in_autocommit_moves_the_stamp_a_read_does_not(stamp):
    before = stamp()
    list(Department.objects.all())
    assert stamp() == before
    DepartmentFactory(name="市审计局")
    assert stamp() > before


@pytest.mark.django_db(transaction=True)
def test_a_transaction_moves_the_stamp_once_when_it_commits(stamp):
    before = stamp()
    with transaction.atomic():
        DepartmentFactory(name="市审计局")
        Department.objects.filter(name="市审计局").update(sort_order=5)
        with transaction.atomic():  # a savepoint kept
            DepartmentFactory(name="市统计局")
        assert stamp() == before  # nobody else sees the rows yet
    assert stamp() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_or_savepoint_moves_nothing(stamp):
    before = stamp()
    with pytest.raises(RuntimeError), transaction.atomic():
        DepartmentFactory(name="市审计局")
        raise RuntimeError("rolled back")
    assert stamp() == before
    with transaction.atomic():
        try:
            with transaction.atomic():
                DepartmentFactory(name="市审计局")
                raise RuntimeError("savepoint rolled back")
        except RuntimeError:
            pass
        list(Department.objects.all())
    assert stamp() == before  # the only write was undone with its savepoint
    assert not Department.objects.filter(name="市审计局").exists()


@pytest.mark.django_db(transaction=True)
def test_bulk_create_update_and_raw_sql_move_the_stamp(stamp):
    seen = [stamp()]
    Department.objects.bulk_create([Department(name="市审计局"), Department(name="市统计局")])
    seen.append(stamp())
    Department.objects.filter(name="市审计局").update(sort_order=5)
    seen.append(stamp())
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(Department._meta.db_table)} WHERE name = %s", ["市统计局"])
    seen.append(stamp())
    assert seen == sorted(set(seen)), seen  # strictly larger each time


@pytest.mark.django_db(transaction=True)
def test_sessions_and_users_do_not_move_the_stamp(stamp):
    before = stamp()
    get_user_model().objects.create_user("someone", password="x-Long-enough-1")
    Session.objects.all().delete()
    assert stamp() == before


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
    """The row is saved before the stamp moves: a cache outage is logged, not turned into an error page."""
    unreachable = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=unreachable), caplog.at_level(logging.ERROR, logger="dashboard.freshness"):
        DepartmentFactory(name="市审计局")  # autocommit: the stamp is moved in the statement's wrapper
        with transaction.atomic():
            DepartmentFactory(name="市统计局")  # and at commit
    assert set(Department.objects.filter(name__in=["市审计局", "市统计局"]).values_list("name", flat=True)) == {"市审计局", "市统计局"}
    assert caplog.text.count("dashboard data stamp not moved") == 2
