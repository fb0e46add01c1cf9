"""本期待填报 of a task closed (办结): progress.workflow's one rule. A task closed by the end of the
period's report due date is released from the period: listed and marked, neither still due nor
late, not counted as 待填报/待修改; one closed later is still due (and late once the date passed); a
closing time not recorded counts as closed from the start; a reopened task is due again."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from progress.models import ReportStatus, TaskProgress, TaskStatus
from progress.selectors.portal import NOT_STARTED, due_list, next_due_task
from progress.tests.factories import ProgressReportFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
AFTER_DUE = dt.date(2025, 1, 11)  # 2024年下半年 (world.h2) is due 2025-01-10


def close(task, at: dt.datetime | None, status: str = TaskStatus.COMPLETED) -> None:
    TaskProgress.objects.create(task=task, status=status, completed_at=at)


def fagai_list(world, **kwargs):
    """市发改局: lead of tasks 1 and 3, supporting on 2 and 5."""
    return due_list(department_id=world.fagai.pk, period=world.h2, today=AFTER_DUE, **kwargs)


def test_closed_before_the_due_date_is_listed_but_neither_due_nor_late_and_closed_after_it_is(world):
    close(world.tasks[3], dt.datetime(2025, 1, 10, 23, 59, tzinfo=SHANGHAI))  # on the due day: released
    close(world.tasks[1], dt.datetime(2025, 1, 11, 0, 0, tzinfo=SHANGHAI))  # the next day: still owed
    due = fagai_list(world)
    entries = {entry.number: entry for entry in due.entries}
    assert {n: (e.released, e.still_due, e.late) for n, e in entries.items()} == {
        1: (False, True, True),
        2: (False, True, True),
        3: (True, False, False),
        5: (False, True, True),
    }
    assert [row.task.number for row in due.rows] == [1, 2, 5, 3]  # still listed, after the rows still due
    rows = {row.task.number: row for row in due.rows}
    assert (rows[3].released, rows[3].late, rows[3].status) == (True, False, NOT_STARTED)
    assert (rows[3].action_label, rows[3].action_primary) == ("查看", False)
    assert (rows[1].released, rows[1].late, rows[1].action_label, rows[1].action_primary) == (False, True, "填报", True)
    assert due.counts[NOT_STARTED] == 3 and due.released_count == 1 and due.late_count == 3
    assert dict((status, count) for status, _, count in due.count_items)[NOT_STARTED] == 3  # 待填报


def test_no_closing_time_is_released_and_a_reopened_task_is_due_again(world):
    close(world.tasks[3], None)
    close(world.tasks[1], dt.datetime(2024, 12, 1, tzinfo=SHANGHAI), status=TaskStatus.OPEN)  # reopened
    due = fagai_list(world)
    entries = {entry.number: entry for entry in due.entries}
    assert (entries[3].released, entries[3].still_due, entries[3].late) == (True, False, False)
    assert (entries[1].released, entries[1].still_due, entries[1].late) == (False, True, True)
    assert due.late_count == 3 and due.released_count == 1


def test_a_released_task_leaves_the_counts_filters_and_next_task_still_due(world):
    close(world.tasks[3], dt.datetime(2024, 12, 20, tzinfo=SHANGHAI))
    close(world.tasks[2], dt.datetime(2024, 12, 20, tzinfo=SHANGHAI))
    ProgressReportFactory(task=world.tasks[3], department=world.fagai, period=world.h2, status=ReportStatus.RETURNED)
    ProgressReportFactory(task=world.tasks[1], department=world.fagai, period=world.h2, status=ReportStatus.RETURNED)
    due = fagai_list(world)
    assert due.counts == {NOT_STARTED: 1, "draft": 0, "submitted": 0, "returned": 1, "accepted": 0}  # 5; 1
    assert due.released_count == 2 and {entry.number for entry in due.filtered} == {1, 2, 3, 5}
    # A status filter on a state still due agrees with its count: the released tasks are not 待修改/待填报.
    assert [entry.number for entry in fagai_list(world, status="returned").filtered] == [1]
    assert [entry.number for entry in fagai_list(world, status=NOT_STARTED).filtered] == [5]
    # After 报送 on task 1 the clerk goes to task 5, the only other one still to write.
    after = next_due_task(department_id=world.fagai.pk, period=world.h2, after_task_id=world.tasks[1].pk)
    assert after.entry is not None and after.entry.number == 5 and after.remaining == 1


def test_the_home_page_marks_the_released_row_in_the_same_queries(client, world):
    with CaptureQueriesContext(connection) as before:
        due_list(department_id=world.gongxin.pk, period=world.h2)
    close(world.tasks[2], dt.datetime(2024, 12, 20, tzinfo=SHANGHAI))  # 市工信局's one task
    with CaptureQueriesContext(connection) as after:
        due_list(department_id=world.gongxin.pk, period=world.h2)
    assert len(after) == len(before) == 3
    client.force_login(world.gongxin_clerk)
    response = client.get(reverse("progress:home"), {"period": world.h2.pk})
    [row] = response.context["due"].rows
    assert row.released and not row.late and (row.action_label, row.action_primary) == ("查看", False)
    page = response.content.decode()
    assert "已办结，本期无需报送" in page and "已办结 1" in page and "待填报 0" in page
    assert '<span class="badge late">逾期' not in page and "button primary" not in page
