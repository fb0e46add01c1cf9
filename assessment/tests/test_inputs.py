"""What the assessment reads of a task with several lead units: its progress is scored once a lead
report of the year's last period reached the plan office, as compute's TaskInput.delivered says."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from assessment.compute import compute
from assessment.rules import XINGPING_RULES
from assessment.selectors import assessment_inputs
from progress.models import ProgressStatus, ReportStatus
from progress.states import task_states
from progress.tests.factories import ProgressReportFactory
from tasks.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 1, 15)  # 2024年下半年 was due on 2025-01-10


def _task_line(outcomes, unit, number):
    outcome = next(o for o in outcomes if o.unit_id == unit.pk)
    return next(line for line in outcome.lines if line.category == "task" and line.text.startswith(f"任务{number} "))


def test_one_delivered_report_of_two_lead_units_scores_the_tasks_percent(world):
    task = world.tasks[1]
    LeadFactory(task=task, department=world.caizheng)  # a second lead unit, which reports nothing
    ProgressReportFactory(
        task=task,
        department=world.fagai,
        period=world.h2,
        role="lead",
        status=ReportStatus.ACCEPTED,
        progress_status=ProgressStatus.ON_TRACK,
        percent=60,
        submitted_at=dt.datetime(2025, 1, 5, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    state = task_states(world.h2, today=TODAY)[task.pk]
    assert (state.delivered, state.percent) == (False, 60)  # not every lead unit delivered; 60 % stated

    inputs = assessment_inputs(world.plan, 2024, today=TODAY)
    outcomes = compute(year=2024, rules=XINGPING_RULES, units=inputs)

    for unit in (world.fagai, world.caizheng):
        line = _task_line(outcomes, unit, 1)
        assert "报告完成进度60%" in line.text and line.points != 0, line
    caizheng = next(u for u in inputs if u.unit_id == world.caizheng.pk)
    assert ("2024年下半年", 2) in caizheng.missing_reports  # tasks 1 and 4: its own reports still count as missing
