"""What a unit owes on a task closed (办结): progress.workflow's one rule, per period. A task closed
by the end of a period's report due date is owed nothing in that period; one closed later still
owes it; a closing time not recorded counts as closed from the start; a reopened task is owed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from progress.models import ReportStatus, TaskProgress, TaskStatus
from progress.tests.factories import ProgressReportFactory, build_world
from reminders import selectors
from reminders.schedule import PeriodInput
from reminders.workdays import SHANGHAI
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

# 2024年上半年 (h1) is due 2024-07-10, 2024年下半年 (h2) 2025-01-10.
_module_world, world = module_fixtures(build_world, name="world")


def _input(period) -> PeriodInput:
    return PeriodInput(period.pk, period.plan_id, period.name, period.report_due_on, period.meeting_on, period.status)


def owed(world, *periods) -> dict[tuple[str, str], list[tuple[int, str]]]:
    """{(period name, unit name): [(task number, status)]} of one call over ``periods``."""
    result = selectors.owed_by_unit(periods=[_input(p) for p in periods])
    names = {p.pk: p.name for p in periods}
    return {(names[u.period_id], u.department_name): [(i.number, i.status) for i in u.items] for u in result}


def close(task, at: dt.datetime | None, status: str = TaskStatus.COMPLETED) -> None:
    TaskProgress.objects.create(task=task, status=status, completed_at=at)


def test_a_task_closed_before_the_due_date_is_released_from_that_period_only(world):
    close(world.tasks[4], dt.datetime(2024, 11, 1, 10, tzinfo=SHANGHAI))  # 市财政局 leads, 东城 supports
    by = owed(world, world.h1, world.h2)
    assert by[("2024年下半年", "市财政局")] == [(2, "none")]
    assert by[("2024年下半年", "东城街道办")] == [(1, "none")]
    # Closed after 2024年上半年's due date: that period's missing reports stay missing.
    assert by[("2024年上半年", "市财政局")] == [(2, "none"), (4, "none")]
    assert by[("2024年上半年", "东城街道办")] == [(1, "none"), (4, "none")]


def test_the_due_date_counts_to_its_end(world):
    close(world.tasks[4], dt.datetime(2025, 1, 10, 23, 59, tzinfo=SHANGHAI))  # on the due day: released
    close(world.tasks[3], dt.datetime(2025, 1, 11, 0, 0, tzinfo=SHANGHAI))  # the next day: still owed
    by = owed(world, world.h2)
    assert by[("2024年下半年", "市财政局")] == [(2, "none")]
    assert by[("2024年下半年", "市发改局")] == [(1, "none"), (2, "none"), (3, "none"), (5, "none")]
    assert by[("2024年下半年", "南城镇")] == [(3, "none")]


def test_a_task_closed_after_the_due_date_is_still_owed_until_delivered(world):
    close(world.tasks[4], dt.datetime(2025, 1, 20, 9, tzinfo=SHANGHAI))
    ProgressReportFactory(task=world.tasks[4], department=world.dongcheng, period=world.h2, status=ReportStatus.DRAFT)
    close(world.tasks[3], dt.datetime(2025, 1, 20, 9, tzinfo=SHANGHAI))
    ProgressReportFactory(task=world.tasks[3], department=world.fagai, period=world.h2, status=ReportStatus.SUBMITTED)
    by = owed(world, world.h2)
    assert by[("2024年下半年", "市财政局")] == [(2, "none"), (4, "none")]
    assert by[("2024年下半年", "东城街道办")] == [(1, "none"), (4, "draft")]
    assert (3, "none") not in by[("2024年下半年", "市发改局")]  # delivered: owed no more


def test_no_closing_time_is_released_from_every_period_and_a_reopened_task_is_owed(world):
    close(world.tasks[4], None)
    close(world.tasks[2], dt.datetime(2024, 11, 1, tzinfo=SHANGHAI), status=TaskStatus.OPEN)  # reopened
    close(world.tasks[1], dt.datetime(2025, 3, 1, tzinfo=SHANGHAI))  # closed late: still owed
    by = owed(world, world.h1, world.h2)
    for period in ("2024年上半年", "2024年下半年"):
        assert by[(period, "市财政局")] == [(2, "none")]
        assert by[(period, "市工信局")] == [(2, "none")]
        assert by[(period, "东城街道办")] == [(1, "none")]
        assert by[(period, "西城街道办")] == [(1, "none")]


def test_the_rule_costs_no_query(world):
    units = selectors.active_units()
    with CaptureQueriesContext(connection) as open_tasks:
        selectors.owed_by_unit(periods=[_input(world.h1), _input(world.h2)], units=units)
    close(world.tasks[4], dt.datetime(2024, 11, 1, tzinfo=SHANGHAI))
    close(world.tasks[3], None)
    with CaptureQueriesContext(connection) as closed_tasks:
        by = owed(world, world.h1, world.h2)  # reads the units too
    assert len(open_tasks) == 1 + 2  # the reports; the plan's tasks and its effective units
    assert len(closed_tasks) == len(open_tasks) + 1
    assert ("2024年上半年", "南城镇") not in by and by[("2024年上半年", "市财政局")] == [(2, "none"), (4, "none")]
