"""Reads behind the unit staff's pages: periods, the due list (role, status, late, previous report,
effective deadline, filters), contributions and silent supporting units."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.actor import actor_for
from progress.models import PeriodStatus, ReportStatus, TaskProgress
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
from tasks.tests.factories import LeadFactory, PlanFactory, TaskFactory

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
    entries = {entry.number: entry for entry in before_due.entries}
    assert sorted(entries) == [1, 2, 3, 5]  # 1, 3 lead; 2 supporting; 5 through a placeholder expanded to 发改
    assert {n: e.role for n, e in entries.items()} == {1: "lead", 2: "supporting", 3: "lead", 5: "supporting"}
    assert {n: e.status for n, e in entries.items()} == {1: "submitted", 2: NOT_STARTED, 3: "draft", 5: NOT_STARTED}
    # The rows still due come first (by task number), then the delivered ones.
    assert [row.task.number for row in before_due.rows] == [2, 3, 5, 1]
    rows = {row.task.number: row for row in before_due.rows}
    assert [(row.role, row.status) for row in before_due.rows] == [
        ("supporting", NOT_STARTED), ("lead", "draft"), ("supporting", NOT_STARTED), ("lead", "submitted")
    ]
    assert rows[1].previous is not None and rows[1].previous_first_line == "上半年完成规划编制。"
    assert rows[1].previous_summary == "上半年完成规划编制。"
    assert rows[2].previous is None and rows[2].previous_summary == ""
    assert rows[3].effective_deadline == dt.date(2026, 6, 30) and rows[3].extended
    assert rows[1].effective_deadline == world.tasks[1].deadline and not rows[1].extended
    # Links and the button are worked out here, not in the template.
    assert rows[3].task_url == reverse("progress:task_detail", args=[world.tasks[3].pk])
    assert rows[3].form_url == reverse("progress:report_form", args=[world.tasks[3].pk, world.h2.pk])
    assert {n: (row.action_label, row.action_primary) for n, row in rows.items()} == {
        1: ("查看", False), 2: ("填报", True), 3: ("继续填报", True), 5: ("填报", True)
    }
    assert not any(row.late for row in before_due.rows)
    assert before_due.counts == {NOT_STARTED: 2, "draft": 1, "submitted": 1, "returned": 0, "accepted": 0}

    after_due = due_list(department_id=world.fagai.pk, period=world.h2, today=dt.date(2025, 1, 11))
    assert {row.task.number for row in after_due.rows if row.late} == {2, 3, 5}
    assert after_due.late_count == 3

    filtered = due_list(department_id=world.fagai.pk, period=world.h2, role="lead", status="draft")
    assert [row.task.number for row in filtered.rows] == [3]
    assert [entry.number for entry in filtered.filtered] == [3]
    assert len(filtered.entries) == 4  # counts stay over every task
    assert filtered.counts[NOT_STARTED] == 2

    closed = due_list(department_id=world.fagai.pk, period=world.h1)
    assert {row.action_label for row in closed.rows} == {"查看"}  # a closed period is read-only


def _lead_tasks(world, count: int, *, text: str = "推进重点项目建设。") -> list:
    base = 100 + TaskFactory._meta.model.objects.count()
    tasks = []
    for i in range(count):
        task = TaskFactory(plan=world.plan, number=base + i, text=text)
        LeadFactory(task=task, department=world.gongxin)
        tasks.append(task)
    return tasks


def test_due_list_pages_the_returned_then_the_rows_still_due_first_and_counts_every_task(world):
    tasks = _lead_tasks(world, 7)
    for task in tasks[:3]:  # the lowest numbers are delivered: they go to the end
        ProgressReportFactory(task=task, department=world.gongxin, period=world.h2, status=ReportStatus.ACCEPTED)
    ProgressReportFactory(task=tasks[5], department=world.gongxin, period=world.h2, status=ReportStatus.RETURNED)
    # The returned one (待修改) first, then the others still due (task 2 is gongxin's too), then the delivered.
    still_due = [2] + [t.number for t in tasks[3:] if t != tasks[5]]
    numbers = [tasks[5].number] + still_due + [t.number for t in tasks[:3]]

    pages = [due_list(department_id=world.gongxin.pk, period=world.h2, page=n, per_page=3) for n in (1, 2, 3)]
    assert [[row.task.number for row in due.rows] for due in pages] == [numbers[0:3], numbers[3:6], numbers[6:8]]
    assert all(due.page.paginator.count == 8 and due.page.paginator.num_pages == 3 for due in pages)
    assert all(due.counts == {NOT_STARTED: 4, "draft": 0, "submitted": 0, "returned": 1, "accepted": 3} for due in pages)
    # A page number out of range or not a number gives the nearest page, not an error.
    assert [row.task.number for row in due_list(department_id=world.gongxin.pk, period=world.h2, page=9, per_page=3).rows] == numbers[6:8]
    assert due_list(department_id=world.gongxin.pk, period=world.h2, page="x", per_page=3).page.number == 1
    # Filters apply before paging.
    accepted = due_list(department_id=world.gongxin.pk, period=world.h2, status="accepted", per_page=2)
    assert [row.task.number for row in accepted.rows] == numbers[5:7]
    assert accepted.page.paginator.count == 3


def test_due_list_shortens_the_texts(world):
    [task] = _lead_tasks(world, 1, text="甲" * 80)
    ProgressReportFactory(
        task=task, department=world.gongxin, period=world.h1, status=ReportStatus.ACCEPTED, progress_text="乙" * 70
    )
    row = next(row for row in due_list(department_id=world.gongxin.pk, period=world.h2).rows if row.task.pk == task.pk)
    # What the page's truncatechars filter gave before (60 and 50 characters, the marker included).
    assert row.task_summary == Template("{{ t|truncatechars:60 }}").render(Context({"t": task.text}))
    assert row.previous_summary == Template("{{ t|truncatechars:50 }}").render(Context({"t": "乙" * 70}))
    assert len(row.task_summary) == 60 and row.task_summary.startswith("甲" * 55)


def test_due_list_query_count_does_not_depend_on_the_page_or_the_tasks(world):
    def queries(**kwargs) -> int:
        with CaptureQueriesContext(connection) as ctx:
            due = due_list(department_id=world.gongxin.pk, period=world.h2, per_page=5, **kwargs)
        assert due.rows
        return len(ctx)

    _lead_tasks(world, 6)
    few = queries()
    _lead_tasks(world, 20)
    assert queries() == queries(page=3) == queries(role="lead") == few == 3


@pytest.mark.no_rows
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
