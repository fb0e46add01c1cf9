"""The review board's reads: who submitted, who is late, who is silent; the period list; extensions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from progress.models import ExtensionRequest, ExtensionStatus, PeriodStatus, ReportStatus
from progress.selectors.review import (
    NOT_STARTED,
    BoardFilters,
    extension_requests,
    latest_open_period,
    plans_with_periods,
    review_board,
)
from progress.tests.factories import ProgressReportFactory, ReviewPeriodFactory
from tasks.models import AssignmentRole
from tasks.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def _report(world, task_number, department, status, *, period=None, role=AssignmentRole.LEAD):
    return ProgressReportFactory(
        task=world.tasks[task_number], department=department, period=period or world.h2, role=role, status=status
    )


def _rows(board):
    return {row.task.number: row for row in board.rows}


@pytest.fixture
def reported(world):
    """h2 (report due 2025-01-10, long past): task 2 submitted by 工信 with 发改's contribution
    submitted and 财政's a draft; task 3 a draft of 发改; task 4 returned to 财政; task 1 nothing."""
    world.r2 = _report(world, 2, world.gongxin, ReportStatus.SUBMITTED)
    world.c2_fagai = _report(world, 2, world.fagai, ReportStatus.SUBMITTED, role=AssignmentRole.SUPPORTING)
    world.c2_caizheng = _report(world, 2, world.caizheng, ReportStatus.DRAFT, role=AssignmentRole.SUPPORTING)
    world.r3 = _report(world, 3, world.fagai, ReportStatus.DRAFT)
    world.r4 = _report(world, 4, world.caizheng, ReportStatus.RETURNED)
    return world


def test_board_lead_status_and_lateness_after_the_due_date(reported):
    w = reported
    rows = _rows(review_board(w.h2))
    assert [(c.department, c.status, c.report_id, c.late) for c in rows[2].leads] == [
        (w.gongxin, ReportStatus.SUBMITTED, w.r2.pk, False)
    ]
    assert [(c.department, c.status, c.status_label, c.late) for c in rows[1].leads] == [
        (w.fagai, NOT_STARTED, "未填报", True)
    ]
    assert [(c.status, c.late) for c in rows[3].leads] == [(ReportStatus.DRAFT, True)]
    assert [(c.status_label, c.late) for c in rows[4].leads] == [("已退回", True)]
    # Task 5's lead is an unresolved name: no lead unit, so nobody is late on it.
    assert rows[5].leads == [] and not rows[5].late


def test_board_nobody_is_late_before_the_due_date(reported):
    w = reported
    future = ReviewPeriodFactory(
        plan=w.plan, name="2099年上半年", starts_on=dt.date(2099, 1, 1), report_due_on=dt.date(2099, 7, 10)
    )
    _report(w, 3, w.fagai, ReportStatus.DRAFT, period=future)
    board = review_board(future)
    assert not board.past_due
    assert not any(row.late for row in board.rows)
    assert _rows(board)[3].leads[0].status == ReportStatus.DRAFT
    # The same board seen on the day after the due date: everyone who has not submitted is late.
    later = review_board(future, today=dt.date(2099, 7, 11))
    assert {n for n, row in _rows(later).items() if row.late} == {1, 2, 3, 4}


def test_board_supporting_units_silent_unless_submitted(reported):
    w = reported
    rows = _rows(review_board(w.h2))
    assert [(c.department, c.delivered, c.report_id) for c in rows[2].supporting] == [
        (w.fagai, True, w.c2_fagai.pk),
        (w.caizheng, False, w.c2_caizheng.pk),  # a draft is still silent
    ]
    # 各镇办 (fixed group, not expanded) means every town: both are silent.
    assert [(c.department, c.silent) for c in rows[1].supporting] == [(w.dongcheng, True), (w.xicheng, True)]
    # Task 5 names 发改 twice (directly and through the expanded placeholder): one cell.
    assert [c.department for c in rows[5].supporting] == [w.fagai]
    assert rows[2].silent_count == 1 and rows[1].silent_count == 2


def test_board_unit_summary(reported):
    w = reported
    summary = {s.department.name: s for s in review_board(w.h2).summary}
    fagai = summary["市发改局"]
    assert (fagai.led, fagai.not_started, fagai.draft, fagai.late) == (2, 1, 1, 2)
    assert (fagai.supporting, fagai.silent) == (2, 1)  # task 2 (submitted) and task 5 (nothing)
    gongxin = summary["市工信局"]
    assert (gongxin.led, gongxin.submitted, gongxin.late, gongxin.supporting) == (1, 1, 0, 0)
    caizheng = summary["市财政局"]
    assert (caizheng.led, caizheng.returned, caizheng.late, caizheng.silent) == (1, 1, 1, 1)
    assert summary["南城镇"].supporting == 1  # task 3's placeholder expanded to 南城


def test_board_filters(reported):
    w = reported

    def numbers(**kwargs):
        board = review_board(w.h2, filters=BoardFilters(**kwargs))
        assert board.row_count == len(board.rows)
        return [row.task.number for row in board.rows]

    assert numbers() == [1, 2, 3, 4, 5]
    assert numbers(department_id=w.gongxin.pk) == [2]
    assert numbers(department_id=w.nancheng.pk) == [3]
    assert numbers(status=NOT_STARTED) == [1]
    assert numbers(status=ReportStatus.SUBMITTED) == [2]
    assert numbers(late_only=True) == [1, 3, 4]
    assert numbers(silent_only=True) == [1, 2, 3, 4, 5]  # each has a supporting unit without a contribution
    w.c2_caizheng.status = ReportStatus.SUBMITTED
    w.c2_caizheng.save()
    assert 2 not in numbers(silent_only=True)
    assert numbers(binding_only=True) == [2]
    assert numbers(task_number=4) == [4]
    assert numbers(late_only=True, department_id=w.caizheng.pk) == [4]


def _summary_figures(board) -> list[tuple]:
    return [
        (s.department.pk, s.led, s.not_started, s.draft, s.submitted, s.accepted, s.returned, s.late, s.supporting, s.silent)
        for s in board.summary
    ]


def test_board_pages_the_matching_tasks_and_the_summary_covers_the_whole_plan(reported):
    w = reported
    first = review_board(w.h2, per_page=2)
    assert [row.task.number for row in first.rows] == [1, 2]
    assert (first.row_count, first.page.paginator.num_pages) == (5, 3)
    assert [row.task.number for row in review_board(w.h2, per_page=2, page=3).rows] == [5]
    late = review_board(w.h2, filters=BoardFilters(late_only=True), per_page=2, page=2)
    assert [row.task.number for row in late.rows] == [4] and late.row_count == 3
    assert late.rows[0].leads[0].department == w.caizheng and late.rows[0].leads[0].status == ReportStatus.RETURNED
    # The summary is the whole plan's, whatever the filter and the page.
    assert _summary_figures(first) == _summary_figures(late) == _summary_figures(review_board(w.h2))
    assert review_board(w.h2, page="x").page.number == 1 and review_board(w.h2, page=99).page.number == 1
    assert review_board(w.h2, filters=BoardFilters(task_number=99)).rows == []
    # Links are worked out once here, not in the template.
    row = review_board(w.h2, filters=BoardFilters(task_number=2)).rows[0]
    assert row.task_url == reverse("progress:task_detail", args=[w.tasks[2].pk])
    assert row.leads[0].url == reverse("progress:report_detail", args=[w.r2.pk])
    assert [c.url for c in row.supporting] == [
        reverse("progress:report_detail", args=[w.c2_fagai.pk]), reverse("progress:report_detail", args=[w.c2_caizheng.pk])
    ]
    assert review_board(w.h2, filters=BoardFilters(task_number=1)).rows[0].leads[0].url == ""  # no report yet


def test_latest_open_period_prefers_the_newest_plan(world):
    assert latest_open_period() == world.h2
    newer = PlanFactory(issued_on=dt.date(2023, 1, 1))
    other = ReviewPeriodFactory(plan=newer, starts_on=dt.date(2023, 1, 1), status=PeriodStatus.OPEN)
    assert latest_open_period() == other
    other.status = PeriodStatus.CLOSED
    other.save()
    world.h2.status = PeriodStatus.CLOSED
    world.h2.save()
    assert latest_open_period() is None


def test_plans_with_periods_counts_lead_reports(reported):
    w = reported
    _report(w, 1, w.fagai, ReportStatus.ACCEPTED)
    with CaptureQueriesContext(connection) as ctx:
        plans = plans_with_periods()
    assert len(ctx) == 2
    (plan,) = plans
    h1, h2 = plan.period_rows
    assert (h1.name, h1.report_count) == ("2024年上半年", 0)
    # Lead reports only (the two contributions are not counted).
    assert (h2.report_count, h2.submitted_count, h2.accepted_count, h2.returned_count) == (4, 1, 1, 1)


def test_extension_requests_pending_first(world):
    def request(task_number, status, deadline):
        return ExtensionRequest.objects.create(
            task=world.tasks[task_number],
            department=world.fagai,
            requested_deadline=deadline,
            reason="资金未到位",
            status=status,
        )

    decided = request(1, ExtensionStatus.REFUSED, dt.date(2026, 6, 30))
    first_pending = request(3, ExtensionStatus.PENDING, dt.date(2026, 6, 30))
    second_pending = request(4, ExtensionStatus.PENDING, dt.date(2026, 6, 30))
    assert list(extension_requests()) == [first_pending, second_pending, decided]
