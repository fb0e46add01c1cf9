"""save_reports: many reports of one unit in one period, the same result as start_report + save_report
one by one (fields, versions, row history, events, actuals), all or nothing, in constant queries."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from progress.models import ActualState, PeriodStatus, ProgressReport, ProgressStatus, ReportEvent, TargetActual
from progress.services.reports import (
    ActualInput,
    ReportInput,
    ReportWrite,
    save_report,
    save_reports,
    start_report,
    submit_report,
)
from tasks.models import Task
from tasks.tests.factories import LeadFactory, TargetFactory, TaskFactory
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def _tasks(world, count: int) -> list[Task]:
    """``count`` more tasks of the plan led by 工信, each with one target."""
    tasks = []
    for i in range(count):
        task = TaskFactory(plan=world.plan, section=None, number=100 + i)
        LeadFactory(task=task, department=world.gongxin)
        TargetFactory(task=task, position=1)
        tasks.append(task)
    return tasks


def _data(task: Task, i: int) -> ReportInput:
    target = task.targets.get()
    if i % 4 == 0:
        actuals = None  # actuals left as they are
    elif i % 4 == 1:
        actuals = [ActualInput(target_id=target.pk, value=Decimal(f"{i}.5"), data_date=dt.date(2024, 6, 30), note=" 说明 ")]
    elif i % 4 == 2:
        actuals = [ActualInput(target_id=target.pk, state=ActualState.NOT_RELEASED, note="统计局未发布")]
    else:
        actuals = [ActualInput(target_id=target.pk)]  # blank: skipped
    return ReportInput(
        progress_status=ProgressStatus.ON_TRACK if i % 2 else ProgressStatus.AT_RISK,
        percent=10 + i,
        progress_text=f"  第{i}项进展。 ",
        problems_text="问题" if i % 3 else "",
        next_steps_text=f"下步{i}",
        actuals=actuals,
    )


def _scene(world, count: int = 8):
    """Tasks of 工信 in 2024年下半年: a third with a draft already (some saved once), a third new with a
    report of 2024年上半年 to pre-fill from (with actuals), a third new without."""
    tasks = _tasks(world, count)
    clerk = world.gongxin_clerk
    world.h1.status = PeriodStatus.OPEN
    world.h1.save()
    existing = {}
    for i, task in enumerate(tasks):
        if i % 3 == 0:
            report = start_report(task=task, department_id=world.gongxin.pk, period=world.h2, user=clerk)
            if i % 2 == 0:
                report = save_report(report_id=report.pk, user=clerk, expected_version=1, data=_data(task, i + 1))
            existing[task.pk] = report.version
        elif i % 3 == 1:
            report = start_report(task=task, department_id=world.gongxin.pk, period=world.h1, user=clerk)
            save_report(report_id=report.pk, user=clerk, expected_version=1, data=_data(task, i + 2))
    world.h1.status = PeriodStatus.CLOSED
    world.h1.save()
    writes = [
        ReportWrite(task=task, expected_version=existing.get(task.pk, 1), data=_data(task, i))
        for i, task in enumerate(tasks)
    ]
    return tasks, writes


def _one_by_one(world, writes, user):
    for write in writes:
        report = ProgressReport.objects.filter(task=write.task, department=world.gongxin, period=world.h2).first()
        if report is None:
            report = start_report(task=write.task, department_id=world.gongxin.pk, period=world.h2, user=user)
        save_report(report_id=report.pk, user=user, expected_version=write.expected_version, data=write.data)


def _snapshot(world, tasks):
    """Everything the saves wrote about the tasks' reports of the period, without ids or times."""
    result = {}
    for task in tasks:
        report = ProgressReport.objects.filter(task=task, department=world.gongxin, period=world.h2).first()
        if report is None:
            result[task.pk] = None
            continue
        fields = ("role", "status", "progress_status", "percent", "progress_text", "problems_text", "next_steps_text",
                  "version", "updated_by_id", "prefilled_from_id")
        history = [
            (h.history_type, h.history_user_id, h.history_change_reason, *(getattr(h, f) for f in fields))
            for h in report.history.order_by("history_date", "history_id")
        ]
        actuals = sorted((a.target_id, a.state, a.value, a.data_date, a.note) for a in report.actuals.order_by())
        actual_history = sorted(
            (h.target_id, h.history_type, h.history_user_id, h.history_change_reason, h.state, h.value, h.data_date, h.note)
            for h in TargetActual.history.filter(report_id=report.pk)
        )
        events = [
            (e.type, e.actor_id, e.from_status, e.to_status, e.comment) for e in report.events.order_by("at", "pk")
        ]
        result[task.pk] = {
            "fields": tuple(getattr(report, f) for f in fields),
            "history": history,
            "actuals": actuals,
            "actual_history": actual_history,
            "events": events,
        }
    return result


def test_batch_equals_saving_one_by_one(world):
    tasks, writes = _scene(world, 9)
    with pytest.raises(_Undo), transaction.atomic():
        _one_by_one(world, writes, world.gongxin_clerk)
        expected = _snapshot(world, tasks)
        raise _Undo
    assert not ProgressReport.objects.filter(period=world.h2, task__in=tasks[1:3]).exists()

    saved = save_reports(department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk, writes=writes)

    assert _snapshot(world, tasks) == expected
    assert [s.report.task_id for s in saved] == [t.pk for t in tasks]
    assert [s.created for s in saved] == [i % 3 != 0 for i in range(len(tasks))]
    for s in saved:
        stored = ProgressReport.objects.get(pk=s.report.pk)
        assert (stored.version, stored.progress_text) == (s.report.version, s.report.progress_text)
    # The samples cover what they should: pre-filled reports, saved-over drafts, written actuals.
    assert sum(1 for v in expected.values() if v["fields"][-1]) == 3
    assert {v["fields"][7] for v in expected.values()} == {2, 3}
    assert any(v["actual_history"] for v in expected.values())


def test_a_conflict_on_one_row_writes_nothing_and_names_the_row(world):
    tasks, writes = _scene(world, 6)
    before = (ProgressReport.objects.count(), ProgressReport.history.count(), ReportEvent.objects.count(),
              TargetActual.objects.count(), TargetActual.history.count())
    stale = writes[3]  # task index 3 has a draft at version 1
    writes[3] = ReportWrite(task=stale.task, expected_version=0, data=stale.data)

    with pytest.raises(ApplicationError) as caught:
        save_reports(department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk, writes=writes)

    assert caught.value.code == ErrorCode.VERSION_CONFLICT
    rows = caught.value.extra["rows"]
    assert list(rows) == [stale.task.pk]
    assert rows[stale.task.pk]["code"] == "version_conflict"
    assert "当前为第1版，您打开的是第0版" in rows[stale.task.pk]["message"]
    assert rows[stale.task.pk]["current_version"] == 1
    after = (ProgressReport.objects.count(), ProgressReport.history.count(), ReportEvent.objects.count(),
             TargetActual.objects.count(), TargetActual.history.count())
    assert after == before


def test_invalid_rows_are_named_with_the_same_field_errors(world):
    tasks, writes = _scene(world, 3)
    bad = ReportInput(progress_status=ProgressStatus.COMPLETED, percent=50)
    writes[1] = ReportWrite(task=tasks[1], expected_version=1, data=bad)
    writes[2] = ReportWrite(task=tasks[2], expected_version=None, data=writes[2].data)

    with pytest.raises(ApplicationError) as caught:
        save_reports(department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk, writes=writes)

    rows = caught.value.extra["rows"]
    assert caught.value.code == ErrorCode.INVALID
    assert rows[tasks[1].pk]["errors"] == {"percent": ["推进状态为“已完成”时，完成进度应为100%。"]}
    assert rows[tasks[2].pk]["message"] == "缺少报告版本号，请重新打开报告后再保存。"
    assert tasks[0].pk not in rows
    assert not ProgressReport.objects.filter(task__in=tasks[1:], period=world.h2).exists()


def test_another_units_task_is_refused(world):
    tasks, writes = _scene(world, 2)
    theirs = ReportWrite(task=world.tasks[1], expected_version=1, data=ReportInput(progress_status=ProgressStatus.ON_TRACK))

    with pytest.raises(ApplicationError) as caught:
        save_reports(department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk, writes=[*writes, theirs])

    assert caught.value.extra["rows"] == {
        world.tasks[1].pk: {"code": "not_assigned", "message": "本单位不是任务1的牵头或配合单位，无需填报。"}
    }
    assert not ProgressReport.objects.filter(task__in=tasks[1:], period=world.h2).exists()


def test_another_units_reports_are_refused(world):
    tasks, writes = _scene(world, 2)
    with pytest.raises(ApplicationError) as caught:
        save_reports(department_id=world.gongxin.pk, period=world.h2, user=world.fagai_clerk, writes=writes)
    assert caught.value.code in (ErrorCode.PERMISSION_DENIED, ErrorCode.NOT_FOUND)
    assert "rows" not in caught.value.extra


def test_a_closed_period_is_refused(world):
    tasks, writes = _scene(world, 2)
    with pytest.raises(ApplicationError) as caught:
        save_reports(department_id=world.gongxin.pk, period=world.h1, user=world.gongxin_clerk, writes=writes)
    assert caught.value.code == ErrorCode.PERIOD_NOT_OPEN
    assert not ProgressReport.objects.filter(task__in=tasks, period=world.h1, version__gt=2).exists()


def test_a_submitted_report_is_refused(world):
    tasks, writes = _scene(world, 4)
    report = ProgressReport.objects.get(task=tasks[0], period=world.h2)  # saved once: version 2, text filled
    submit_report(report_id=report.pk, user=world.gongxin_clerk)
    writes[0] = ReportWrite(task=tasks[0], expected_version=3, data=writes[0].data)

    with pytest.raises(ApplicationError) as caught:
        save_reports(department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk, writes=writes)

    assert caught.value.code == ErrorCode.ILLEGAL_TRANSITION
    assert list(caught.value.extra["rows"]) == [tasks[0].pk]
    assert "不能修改" in caught.value.extra["rows"][tasks[0].pk]["message"]
    assert not ProgressReport.objects.filter(task__in=tasks[1:3], period=world.h2).exists()


@pytest.fixture
def unbatched_sqlite(monkeypatch):
    """Django's SQLite backend splits bulk writes at 999 parameters (an old SQLite default); let it use
    the library's real limit, so the count is of the service's queries, not of Django's batches."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)


def test_query_count_does_not_grow_with_the_rows(world, unbatched_sqlite):
    tasks, writes = _scene(world, 50)
    counts = []
    for size in (5, 50):
        chosen = writes[:size]
        user = get_user_model().objects.get(pk=world.gongxin_clerk.pk)  # no cached roles
        with pytest.raises(_Undo), transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                save_reports(department_id=world.gongxin.pk, period=world.h2, user=user, writes=chosen)
            counts.append(len(queries))
            raise _Undo
    assert counts[0] == counts[1]
    assert counts[1] <= 25
