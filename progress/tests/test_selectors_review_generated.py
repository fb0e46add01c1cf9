"""The review board on data of its own, each test in an empty database: a generated plan
(``bench.synthetic``) read against the effective-assignment rules, and the board's query count on
plans of two sizes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Department
from progress.models import PeriodStatus, ProgressReport, ReportStatus, ReviewPeriod, TaskProgress, TaskStatus
from progress.selectors.review import NOT_STARTED, BoardFilters, review_board
from progress.tests.factories import ProgressReportFactory, ReviewPeriodFactory
from progress.workflow import owes_report, released
from tasks.models import Assignment, AssignmentRole, Task
from tasks.selectors import effective_assignments
from tasks.services.effective_assignments import refresh_effective_assignments
from tasks.tests.factories import PlanFactory, build_many_tasks

pytestmark = pytest.mark.django_db


def test_board_agrees_with_effective_assignments_on_a_generated_plan():
    """The board's SQL reads effective units by the rules of tasks.selectors.effective_assignments
    (unit, else expansion, else a FIXED group's members; lead wins): compared on a generated plan."""
    from bench.synthetic import generate

    generate(tasks=150, departments=30, seed=7, reports=900)
    period = ReviewPeriod.objects.get(status=PeriodStatus.OPEN)
    tasks = list(Task.objects.filter(plan_id=period.plan_id).order_by("number")[:3])
    lead = Assignment.objects.get(task=tasks[0], role=AssignmentRole.LEAD).department
    Assignment.objects.create(task=tasks[0], role=AssignmentRole.SUPPORTING, department=lead, position=9)  # lead wins
    refresh_effective_assignments(task_ids=[tasks[0].pk])  # as every service writing assignments does
    stray = Department.objects.exclude(
        pk__in=Assignment.objects.filter(task=tasks[1], department__isnull=False).values("department_id")
    ).first()
    ProgressReportFactory(task=tasks[1], department=stray, period=period, role="supporting")  # no longer assigned
    reports = {
        (task_id, unit_id): (pk, status)
        for pk, task_id, unit_id, status in ProgressReport.objects.filter(period=period).values_list(
            "pk", "task_id", "department_id", "status"
        )
    }
    expected: dict[tuple[int, int], str] = {}
    for unit in Department.objects.all():
        for task_id, role in effective_assignments(department=unit).filter(task__plan_id=period.plan_id).values_list(
            "task_id", "role"
        ):
            if expected.get((task_id, unit.pk)) != AssignmentRole.LEAD:
                expected[(task_id, unit.pk)] = role
    after_due = period.report_due_on + dt.timedelta(days=1)
    board = review_board(period, per_page=1000, today=after_due)
    assert board.row_count == 150
    cells = {}
    for row in board.rows:
        for cell in row.leads:
            cells[(row.task.pk, cell.department.pk)] = (AssignmentRole.LEAD, cell.report_id, cell.status, cell.late)
        for cell in row.supporting:
            cells[(row.task.pk, cell.department.pk)] = (AssignmentRole.SUPPORTING, cell.report_id, cell.status, cell.silent)
    # Owed: not delivered, on a task not closed by the due date (the generator closes some tasks).
    released_tasks = {
        task_id
        for task_id, status, completed_at in TaskProgress.objects.values_list("task_id", "status", "completed_at")
        if released(closed=status == TaskStatus.COMPLETED, completed_at=completed_at, due_on=period.report_due_on)
    }
    wanted = {}
    for key, role in expected.items():
        report_id, status = reports.get(key, (None, NOT_STARTED))
        wanted[key] = (role, report_id, status, owes_report(status=status, released=key[0] in released_tasks))
    assert cells == wanted
    assert released_tasks and any(key[0] in released_tasks for key in wanted)  # the rule was exercised
    assert any(role == AssignmentRole.SUPPORTING for role, *_ in cells.values())
    # The summary adds up the same cells.
    for summary in board.summary:
        mine = [value for (task_id, unit_id), value in wanted.items() if unit_id == summary.department.pk]
        led = [value for value in mine if value[0] == AssignmentRole.LEAD]
        assert summary.led == len(led) and summary.supporting == len(mine) - len(led)
        assert summary.late == sum(value[3] for value in led)
        assert summary.silent == sum(value[3] for value in mine if value[0] == AssignmentRole.SUPPORTING)
        assert summary.not_started == sum(value[2] == NOT_STARTED for value in led)
        for status in (ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.ACCEPTED, ReportStatus.RETURNED):
            assert getattr(summary, status) == sum(value[2] == status for value in led), status
    assert {s.department.pk for s in board.summary} == {unit_id for _, unit_id in expected}
    # Each filter keeps exactly the rows that match it.
    unit = board.summary[0].department.pk
    checks = {
        BoardFilters(department_id=unit): lambda row: unit in row.unit_ids,
        BoardFilters(status=ReportStatus.DRAFT): lambda row: any(c.status == ReportStatus.DRAFT for c in row.leads),
        BoardFilters(status=NOT_STARTED): lambda row: any(c.status == NOT_STARTED for c in row.leads),
        BoardFilters(late_only=True): lambda row: row.late,
        BoardFilters(silent_only=True, binding_only=True): lambda row: row.silent_count and row.task.binding,
    }
    for filters, matches in checks.items():
        got = [row.task.number for row in review_board(period, filters=filters, per_page=1000, today=after_due).rows]
        assert got == [row.task.number for row in board.rows if matches(row)], filters
        assert got, filters


def test_board_query_count_is_constant():
    plan = PlanFactory()
    small = ReviewPeriodFactory(plan=plan, starts_on=dt.date(2024, 1, 1))
    build_many_tasks(3, plan=plan)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            board = review_board(small)
        return len(ctx), board

    few, board = count()
    assert len(board.rows) == 3
    build_many_tasks(27, plan=plan)
    many, board = count()
    assert len(board.rows) == 30
    assert few == many <= 5  # the summary (two aggregates), the matching ids, the page's tasks and its cells
    board = review_board(small, filters=BoardFilters(late_only=True, silent_only=True, status=NOT_STARTED))
    with CaptureQueriesContext(connection) as ctx:
        review_board(small, filters=BoardFilters(silent_only=True, department_id=board.units[0].pk), page=2, per_page=7)
    assert len(ctx) == 5
