"""setup_schedule: the periodic jobs defined in code, stored with django-celery-beat, set up idempotently,
keeping what the plan office changed in the admin until the code's time changes."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import CrontabSchedule, PeriodicTask, PeriodicTasks

from reminders.services.beat_schedule import SCHEDULE, set_up_schedule
from xingping_tracker.celery import app

pytestmark = pytest.mark.django_db

EXPECTED = {
    "催办提醒：每日扫描": ("reminders.scan", "0", "9"),
    "催办提醒：补发与回收": ("reminders.sweep", "*/5", "*"),
    "填报期：提前生成下一期": ("reminders.roll_over_periods", "0", "1"),
    "领导看板：每日重新计算": ("dashboard.refresh_overview", "5", "0"),
}


def _rows() -> dict[str, tuple]:
    return {
        row.name: (row.task, row.crontab.minute, row.crontab.hour)
        for row in PeriodicTask.objects.select_related("crontab").filter(name__in=EXPECTED)
    }


def _run() -> str:
    out = io.StringIO()
    call_command("setup_schedule", stdout=out)
    return out.getvalue()


def test_creates_the_jobs_in_shanghai_time():
    app.loader.import_default_modules()  # what a worker does at start: find every app's tasks
    output = _run()
    assert _rows() == EXPECTED
    for row in PeriodicTask.objects.filter(name__in=EXPECTED).select_related("crontab"):
        assert str(row.crontab.timezone) == "Asia/Shanghai"
        assert (row.crontab.day_of_week, row.crontab.day_of_month, row.crontab.month_of_year) == ("*", "*", "*")
        assert row.enabled and row.kwargs == "{}" and row.interval_id is None
        assert row.task in app.tasks  # the worker knows the task the row names
    assert "已创建：催办提醒：每日扫描（0 9 * * *，Asia/Shanghai）" in output


def test_a_second_run_writes_nothing():
    _run()
    changed = PeriodicTasks.last_change()
    with CaptureQueriesContext(connection) as queries:
        output = _run()
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert PeriodicTasks.last_change() == changed  # beat is not told to reload
    assert output.splitlines()[-1] == "周期任务已是最新。"
    assert PeriodicTask.objects.filter(name__in=EXPECTED).count() == len(EXPECTED) == CrontabSchedule.objects.count()


def test_the_plan_offices_changes_stay_until_the_code_changes():
    _run()
    scan = PeriodicTask.objects.get(name="催办提醒：每日扫描")
    scan.crontab = CrontabSchedule.objects.create(minute="30", hour="8", timezone="Asia/Shanghai")
    scan.enabled = False
    scan.save()
    sweep = PeriodicTask.objects.get(name="催办提醒：补发与回收")
    sweep.enabled = False
    sweep.save()

    _run()  # e.g. the next bootstrap
    scan.refresh_from_db()
    assert (scan.crontab.hour, scan.crontab.minute, scan.enabled) == ("8", "30", False)

    # The code moves the scan to 10:00: the new time wins; switched off stays off.
    moved = tuple(dataclasses.replace(job, hour="10") if job.task == "reminders.scan" else job for job in SCHEDULE)
    changes = {change.name: change for change in set_up_schedule(jobs=moved)}
    assert changes["催办提醒：每日扫描"].action == "updated"
    assert changes["催办提醒：补发与回收"].action == "unchanged"
    scan.refresh_from_db()
    assert (scan.crontab.hour, scan.crontab.minute, scan.enabled) == ("10", "0", False)
    assert "0 10 * * *" in scan.description
    sweep.refresh_from_db()
    assert sweep.enabled is False


def test_a_row_pointing_at_another_task_is_put_back():
    _run()
    PeriodicTask.objects.filter(name="催办提醒：每日扫描").update(task="reminders.deliver")
    output = _run()
    assert "已更新：催办提醒：每日扫描（任务改为 reminders.scan）" in output
    assert _rows() == EXPECTED


def test_beat_reads_the_schedule_from_the_database():
    from django_celery_beat.schedulers import DatabaseScheduler

    _run()
    entries = {row.name: DatabaseScheduler.Entry(row, app=app) for row in PeriodicTask.objects.filter(name__in=EXPECTED)}
    scan = entries["催办提醒：每日扫描"]
    assert scan.task == "reminders.scan"
    assert str(scan.schedule.tz) == "Asia/Shanghai"
    assert scan.schedule.hour == {9} and scan.schedule.minute == {0}
    assert entries["催办提醒：补发与回收"].schedule.minute == set(range(0, 60, 5))
    assert entries["填报期：提前生成下一期"].schedule.hour == {1}


def test_bootstrap_sets_up_the_schedule():
    call_command("bootstrap", "--no-demo", stdout=io.StringIO())
    assert _rows() == EXPECTED
