"""One rule for "still owed" on a closed task (progress.workflow.owes_report): a task closed (办结) by
the end of a period's report due date owes that period nothing; one closed after it keeps the
missing report missing. The task states (报告逾期), the dashboard's lead units and task list, the
review board (its counts, rows, filters, silent units and what closing leaves open) and the
assessment's report counts all say the same."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dashboard.selectors.overview import period_overview, period_report_counts
from dashboard.selectors.tasks import REPORT_NOT_SUBMITTED, REPORT_OVERDUE, TaskFilters, task_listing
from progress.models import TaskProgress, TaskStatus
from progress.selectors.review import BoardFilters, board_summary, open_items, review_board, silent_units
from progress.states import task_states
from progress.workflow import owes_report, released

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
AFTER_DUE = dt.date(2025, 1, 15)  # h2's reports were due 2025-01-10, h1's 2024-07-10


def _close(task, day: dt.date | None) -> None:
    when = None if day is None else dt.datetime.combine(day, dt.time(16), tzinfo=SHANGHAI)
    TaskProgress.objects.create(task=task, status=TaskStatus.COMPLETED, completed_at=when)


@pytest.fixture
def closed(world):
    """No reports at all. Task 2 (lead 市工信局; 市发改局 and 市财政局 support it) closed on 2025-01-10,
    the h2 due date itself; task 4 (lead 市财政局) closed 2025-01-11, a day after it."""
    _close(world.tasks[2], dt.date(2025, 1, 10))
    _close(world.tasks[4], dt.date(2025, 1, 11))
    return world


def test_the_rule_itself():
    due = dt.date(2025, 1, 10)
    on_due_day = dt.datetime(2025, 1, 10, 23, 59, tzinfo=SHANGHAI)
    next_day = dt.datetime(2025, 1, 11, 0, 0, tzinfo=SHANGHAI)
    assert released(closed=True, completed_at=on_due_day, due_on=due)
    assert not released(closed=True, completed_at=next_day, due_on=due)
    assert released(closed=True, completed_at=None, due_on=due)  # closed, time not recorded
    assert not released(closed=False, completed_at=None, due_on=due)  # reopened
    assert owes_report(status=None, released=False) and owes_report(status="returned", released=False)
    assert not owes_report(status="submitted", released=False) and not owes_report(status=None, released=True)


def test_task_states_report_late_only_where_owed(closed):
    states = task_states(closed.h2, today=AFTER_DUE)
    by_number = {s.number: s for s in states.values()}
    assert not by_number[2].report_late  # closed by the due date: nothing owed
    assert by_number[4].report_late  # closed after it: the report stays missing
    assert by_number[1].report_late  # open, unreported
    # In h1 (due 2024-07-10) both tasks were still open: both owed.
    h1 = {s.number: s for s in task_states(closed.h1, today=AFTER_DUE).values()}
    assert h1[2].report_late and h1[4].report_late


def test_the_dashboard_counts_and_lists_agree(closed):
    overview = period_overview(closed.h2, today=AFTER_DUE, with_trend=False)
    units = {row.name: row for row in overview.lead_units}
    gongxin, caizheng = units["市工信局"], units["市财政局"]
    assert (gongxin.tasks, gongxin.not_submitted, gongxin.released, gongxin.due) == (1, 0, 1, 0)
    assert (caizheng.tasks, caizheng.not_submitted, caizheng.released, caizheng.due) == (1, 1, 0, 1)
    # The silent supporting cells of task 2 are released too.
    assert gongxin.silent == 0
    assert overview.report_late == sum(s.report_late for s in overview.states.values())
    listed = {
        report: {
            row.state.number
            for row in task_listing(closed.h2, filters=TaskFilters(report=report), today=AFTER_DUE).rows
        }
        for report in (REPORT_NOT_SUBMITTED, REPORT_OVERDUE)
    }
    expected = {s.number for s in overview.states.values() if s.report_late}
    assert listed[REPORT_OVERDUE] == listed[REPORT_NOT_SUBMITTED] == expected
    assert 2 not in expected and 4 in expected
    # The assessment reads the same counts of a period it does not read in full.
    counts = period_report_counts(closed.h2)
    assert counts[closed.gongxin.pk].not_submitted == 0 and counts[closed.caizheng.pk].not_submitted == 1


def test_the_review_board_agrees(closed):
    summary = {row.department.name: row for row in board_summary(closed.h2, today=AFTER_DUE)}
    assert summary["市工信局"].late == 0 and summary["市工信局"].led == 1
    assert summary["市财政局"].late == 1
    # 市财政局 and 市发改局 support task 2: not silent there.
    silent = {unit.department.name: {number for _, number, _ in unit.tasks} for unit in silent_units(closed.h2)}
    assert all(2 not in numbers for numbers in silent.values())
    board = review_board(closed.h2, today=AFTER_DUE)
    rows = {row.task.number: row for row in board.rows}
    assert not rows[2].late and rows[2].silent_count == 0 and rows[2].released
    assert not rows[4].released
    assert rows[4].late
    late_only = review_board(closed.h2, filters=BoardFilters(late_only=True), today=AFTER_DUE)
    assert 2 not in {row.task.number for row in late_only.rows} and 4 in {row.task.number for row in late_only.rows}
    silent_only = review_board(closed.h2, filters=BoardFilters(silent_only=True), today=AFTER_DUE)
    assert 2 not in {row.task.number for row in silent_only.rows}
    unit_late = review_board(
        closed.h2,
        filters=BoardFilters(department_id=closed.gongxin.pk, unit_role="lead", late_only=True),
        today=AFTER_DUE,
    )
    assert unit_late.rows == []
    left = open_items(closed.h2)
    owed_tasks = {
        s.number for s in task_states(closed.h2, today=AFTER_DUE).values() if s.lead_unit_ids and s.report_late
    }
    assert left.unreported_tasks == len(owed_tasks)
    assert left.silent_cells == sum(len(unit.tasks) for unit in silent_units(closed.h2))


def test_the_report_page_names_no_silent_unit_on_a_released_task(closed):
    from progress.models import ReportStatus
    from progress.selectors.reports import report_contributions
    from progress.tests.factories import ProgressReportFactory

    def silent_on(period):
        report = ProgressReportFactory(
            task=closed.tasks[2], department=closed.gongxin, period=period, status=ReportStatus.SUBMITTED
        )
        return {unit.name for unit in report_contributions(report=report, user=closed.plan_office)["silent_units"]}

    assert silent_on(closed.h2) == set()  # task 2 was closed by h2's due date
    assert silent_on(closed.h1) == {"市发改局", "市财政局"}  # still open at h1's


def test_the_lead_units_form_names_no_silent_unit_on_a_released_task(closed):
    from access.actor import actor_for
    from progress.selectors.portal import contributions_for, task_with_details

    task = task_with_details(closed.tasks[2].pk)
    actor = actor_for(closed.gongxin_clerk)
    assert contributions_for(task=task, period=closed.h2, actor=actor).silent == []
    assert {u.name for u in contributions_for(task=task, period=closed.h1, actor=actor).silent} == {
        "市发改局",
        "市财政局",
    }


def test_the_reports_api_overdue_filter_and_field_follow_the_rule(closed):
    """A draft on task 2 (closed by h2's due date) is not overdue; one on task 4 (closed after it) is.
    The filter's two answers split the reports between them."""
    from rest_framework.test import APIClient

    from progress.models import ProgressReport, ReportStatus
    from progress.tests.factories import ProgressReportFactory

    released_draft = ProgressReportFactory(
        task=closed.tasks[2], department=closed.gongxin, period=closed.h2, status=ReportStatus.DRAFT
    )
    owed_draft = ProgressReportFactory(
        task=closed.tasks[4], department=closed.caizheng, period=closed.h2, status=ReportStatus.DRAFT
    )
    open_draft = ProgressReportFactory(
        task=closed.tasks[1], department=closed.fagai, period=closed.h2, status=ReportStatus.DRAFT
    )
    client = APIClient()
    client.force_login(closed.plan_office)

    def listed(**params):
        body = client.get("/api/reports/", params).json()
        return {row["id"]: row["overdue"] for row in body["results"]}

    everything = listed()  # today is long after h2's due date (2025-01-10)
    assert everything[released_draft.pk] is False
    assert everything[owed_draft.pk] is True and everything[open_draft.pk] is True
    overdue, rest = listed(overdue="true"), listed(overdue="false")
    assert set(overdue) == {owed_draft.pk, open_draft.pk}
    assert set(rest) == set(everything) - set(overdue) and released_draft.pk in rest
    assert set(everything) == set(ProgressReport.objects.values_list("pk", flat=True))
