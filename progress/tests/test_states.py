"""progress.states, the shared numbers: the task's side of the veto risk agrees with the dashboard's
binding rows for every light a binding task can have."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dashboard.selectors.overview import period_overview
from progress.models import ProgressReport, ProgressStatus, ReportStatus
from progress.states import GREEN, RED, YELLOW, TaskState, task_states, task_veto_reason, valid_through
from progress.tests.factories import ProgressReportFactory
from tasks.models import AssignmentRole, EffectiveAssignment

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
BEFORE_DUE, AFTER_DUE = dt.date(2024, 12, 1), dt.date(2025, 1, 15)


def _set(world, progress_status: str | None) -> None:
    """Task 2 (binding, led by 市工信局) with a delivered lead report stating ``progress_status``, or none."""
    task = world.tasks[2]
    ProgressReport.objects.filter(task=task, period=world.h2).delete()
    if progress_status is not None:
        ProgressReportFactory(
            task=task,
            department=world.gongxin,
            period=world.h2,
            role=AssignmentRole.LEAD,
            status=ReportStatus.SUBMITTED,
            progress_status=progress_status,
            submitted_at=dt.datetime(2025, 1, 5, 10, tzinfo=SHANGHAI),
        )


@pytest.mark.parametrize(
    ("progress_status", "today", "light", "reason"),
    [
        (ProgressStatus.DELAYED, BEFORE_DUE, RED, "任务进展滞后"),
        (ProgressStatus.AT_RISK, BEFORE_DUE, YELLOW, "任务存在风险"),
        (None, AFTER_DUE, YELLOW, ""),  # a late report alone is no veto risk
        (ProgressStatus.ON_TRACK, BEFORE_DUE, GREEN, ""),
    ],
)
def test_task_veto_reason_agrees_with_the_binding_rows(world, progress_status, today, light, reason):
    _set(world, progress_status)
    task = world.tasks[2]
    state = task_states(world.h2, today=today, task_ids=[task.pk])[task.pk]
    assert (state.light, task_veto_reason(state)) == (light, reason)
    (row,) = period_overview(world.h2, today=today).binding
    assert row.veto_risk == bool(reason)
    assert row.veto_reason.startswith(reason)


def test_a_binding_task_without_a_lead_unit_is_a_veto_risk(world):
    task = world.tasks[2]
    EffectiveAssignment.objects.filter(task=task, role=AssignmentRole.LEAD).delete()
    state = task_states(world.h2, today=BEFORE_DUE, task_ids=[task.pk])[task.pk]
    assert task_veto_reason(state) == "任务未落实牵头单位"
    (row,) = period_overview(world.h2, today=BEFORE_DUE).binding
    assert row.veto_reason.startswith("任务未落实牵头单位")


def _state_due(deadline: dt.date | None) -> TaskState:
    return TaskState(
        task_id=1,
        number=1,
        chapter_id=None,
        section_id=None,
        lead_unit_ids=(),
        report_status="",
        progress_status="",
        percent=None,
        is_completed=False,
        is_overdue=False,
        report_late=False,
        light=GREEN,
        light_reason="",
        deadline=deadline,
    )


@pytest.mark.no_rows
@pytest.mark.parametrize(
    ("deadline", "due_on", "closing_later", "through"),
    [
        (dt.date(2025, 12, 31), dt.date(2025, 7, 10), False, dt.date(2025, 7, 10)),  # the due date first
        (dt.date(2025, 6, 30), dt.date(2025, 7, 10), False, dt.date(2025, 6, 30)),  # the deadline first
        (dt.date(2025, 6, 1), dt.date(2025, 7, 10), False, dt.date(2025, 6, 1)),  # the deadline is the day read
        (dt.date(2025, 5, 31), dt.date(2025, 7, 10), False, dt.date(2025, 7, 10)),  # passed already
        (None, dt.date(2025, 5, 1), False, dt.date.max),  # nothing ahead
        (dt.date(2035, 12, 31), dt.date(2025, 5, 1), False, dt.date(2035, 12, 31)),
        (dt.date(2035, 12, 31), dt.date(2025, 7, 10), True, dt.date(2025, 6, 1)),  # closed on a later day
    ],
)
def test_a_state_lasts_until_its_deadline_or_due_date_passes(deadline, due_on, closing_later, through):
    state = _state_due(deadline)
    assert valid_through(state, as_of=dt.date(2025, 6, 1), due_on=due_on, closing_later=closing_later) == through
