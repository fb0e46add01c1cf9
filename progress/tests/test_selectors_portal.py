"""Reads behind the unit staff's pages: periods, the due list (role, status, late, previous report,
effective deadline, filters), contributions and silent supporting units."""

from __future__ import annotations

import datetime as dt

import pytest

from progress.models import PeriodStatus, ReportStatus, TaskProgress
from progress.permissions import actor_for
from progress.selectors.portal import (
    NOT_STARTED,
    contributions_for,
    default_period,
    due_list,
    first_line,
    task_with_details,
    unit_periods,
)
from progress.tests.factories import ProgressReportFactory, ReviewPeriodFactory
from tasks.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def test_unit_periods_are_the_open_and_closed_ones_of_plans_where_the_unit_has_tasks(world):
    planned = ReviewPeriodFactory(
        plan=world.plan, name="2025年上半年", starts_on=dt.date(2025, 1, 1), status=PeriodStatus.PLANNED
    )
    other_plan = ReviewPeriodFactory(plan=PlanFactory(), name="别的方案", starts_on=dt.date(2025, 1, 1))
    periods = unit_periods(department_id=world.gongxin.pk)
    assert periods == [world.h2, world.h1]
    assert planned not in periods and other_plan not in periods
    assert default_period(periods) == world.h2
    assert default_period([world.h1]) == world.h1
    assert default_period([]) is None


def test_due_list_roles_statuses_previous_reports_and_late_marks(world):
    ProgressReportFactory(
        task=world.tasks[1], department=world.fagai, period=world.h1, status=ReportStatus.ACCEPTED,
        progress_text="\n  上半年完成规划编制。\n其余略。",
    )
    ProgressReportFactory(task=world.tasks[1], department=world.fagai, period=world.h2, status=ReportStatus.SUBMITTED)
    ProgressReportFactory(task=world.tasks[3], department=world.fagai, period=world.h2, status=ReportStatus.DRAFT)
    ProgressReportFactory(task=world.tasks[1], department=world.gongxin, period=world.h2, role="supporting")  # not fagai's
    TaskProgress.objects.create(task=world.tasks[3], extended_deadline=dt.date(2026, 6, 30))

    before_due = due_list(department_id=world.fagai.pk, period=world.h2, today=dt.date(2025, 1, 10))
    rows = {row.task.number: row for row in before_due.rows}
    assert sorted(rows) == [1, 2, 3, 5]  # 1, 3 lead; 2 supporting; 5 through a placeholder expanded to 发改
    assert {n: row.role for n, row in rows.items()} == {1: "lead", 2: "supporting", 3: "lead", 5: "supporting"}
    assert {n: row.status for n, row in rows.items()} == {1: "submitted", 2: NOT_STARTED, 3: "draft", 5: NOT_STARTED}
    assert rows[1].previous is not None and rows[1].previous_first_line == "上半年完成规划编制。"
    assert rows[2].previous is None
    assert rows[3].effective_deadline == dt.date(2026, 6, 30)
    assert rows[1].effective_deadline == world.tasks[1].deadline
    assert not any(row.late for row in before_due.rows)
    assert before_due.counts == {NOT_STARTED: 2, "draft": 1, "submitted": 1, "returned": 0, "accepted": 0}

    after_due = due_list(department_id=world.fagai.pk, period=world.h2, today=dt.date(2025, 1, 11))
    assert {row.task.number for row in after_due.rows if row.late} == {2, 3, 5}
    assert after_due.late_count == 3

    filtered = due_list(department_id=world.fagai.pk, period=world.h2, role="lead", status="draft")
    assert [row.task.number for row in filtered.filtered] == [3]
    assert len(filtered.rows) == 4  # counts stay over every task


def test_first_line():
    assert first_line("\n\n  第一行  \n第二行") == "第一行"
    assert first_line("") == ""


def test_contributions_and_silent_supporting_units(world):
    ProgressReportFactory(
        task=world.tasks[2], department=world.fagai, period=world.h2, role="supporting", status=ReportStatus.SUBMITTED
    )
    ProgressReportFactory(
        task=world.tasks[2], department=world.caizheng, period=world.h2, role="supporting", status=ReportStatus.DRAFT
    )
    task = task_with_details(world.tasks[2].pk)
    result = contributions_for(task=task, period=world.h2, actor=actor_for(world.gongxin_clerk))
    assert [r.department for r in result.reports] == [world.fagai]  # the draft stays private
    assert result.silent == [world.caizheng]
