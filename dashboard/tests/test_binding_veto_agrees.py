"""The dashboard's binding board warns of 一票否优 exactly when the year's assessment would veto: both
ask indicators.trajectory.endangers_veto of the target's evaluation (indicators.trajectory.evaluate
on indicators.selectors.actual_series), never a rule of their own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from assessment.compute import compute
from assessment.rules import XINGPING_RULES
from assessment.selectors import assessment_inputs
from dashboard.selectors.overview import period_overview
from indicators.selectors import evaluations
from indicators.trajectory import endangers_veto
from progress.models import ActualState, ProgressStatus, ReportStatus, TargetActual, TaskProgress, TaskStatus
from progress.tests.factories import ProgressReportFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2025, 1, 15)  # h2 (2024年下半年) was due on 2025-01-10


def _lead_report(world, period):
    return ProgressReportFactory(
        task=world.tasks[2],
        department=world.gongxin,
        period=period,
        role="lead",
        status=ReportStatus.ACCEPTED,
        progress_status=ProgressStatus.ON_TRACK,
        percent=50,
        submitted_at=dt.datetime(period.report_due_on.year, period.report_due_on.month, 1, 10, tzinfo=SHANGHAI),
    )


def _actual(report, target, value=None, day=None):
    state = ActualState.REPORTED if value is not None else ActualState.NOT_RELEASED
    TargetActual.objects.create(report=report, target=target, state=state, value=value, data_date=day)


def _growth_averages_below(world, target):  # 5 % then 8 %: 8 ≥ 7 alone, but the average 6.49 % is short
    target.basis, target.value = "annual_growth", Decimal("7")
    target.save()
    _actual(_lead_report(world, world.h1), target, Decimal("5"), dt.date(2023, 12, 31))
    _actual(_lead_report(world, world.h2), target, Decimal("8"), dt.date(2024, 12, 31))


def _not_released_after_a_behind_reading(world, target):  # the last known reading (3) is behind
    target.baseline_value = Decimal("4.5")
    target.save()
    _actual(_lead_report(world, world.h1), target, Decimal("3"), dt.date(2024, 6, 30))
    _actual(_lead_report(world, world.h2), target)


def _short_but_ahead_of_the_trajectory(world, target):  # 4.8 < 5, but 4.6 was expected in 2024
    target.baseline_value = Decimal("3")
    target.save()
    _actual(_lead_report(world, world.h2), target, Decimal("4.8"), dt.date(2024, 12, 31))


def _closed_task_missed_its_target(world, target):  # target year 2024 reached and missed; task 办结
    target.year = 2024
    target.save()
    _actual(_lead_report(world, world.h2), target, Decimal("4"), dt.date(2024, 12, 31))
    TaskProgress.objects.create(
        task=world.tasks[2], status=TaskStatus.COMPLETED, completed_at=dt.datetime(2025, 1, 12, tzinfo=SHANGHAI)
    )


@pytest.mark.parametrize(
    ("scenario", "at_risk"),
    [
        (_growth_averages_below, True),
        (_not_released_after_a_behind_reading, True),
        (_short_but_ahead_of_the_trajectory, False),
        (_closed_task_missed_its_target, True),
    ],
    ids=["annual growth averaged", "not released after behind", "short but on track", "closed task missed"],
)
def test_the_binding_board_warns_exactly_when_the_assessment_vetoes(world, scenario, at_risk):
    scenario(world, world.target)

    (row,) = period_overview(world.h2, today=TODAY, with_trend=False).binding
    evaluation = evaluations([world.target], as_of_year=2024)[world.target.pk]
    outcomes = compute(year=2024, rules=XINGPING_RULES, units=assessment_inputs(world.plan, 2024, today=TODAY))
    gongxin = next(outcome for outcome in outcomes if outcome.unit_id == world.gongxin.pk)

    assert endangers_veto(evaluation.met, evaluation.status) is at_risk
    assert gongxin.veto is at_risk
    assert row.veto_risk is at_risk
    if at_risk:
        assert row.veto_reason.startswith("指标滞后：") and row.veto_reason.endswith("，有一票否优风险")


def test_an_earlier_periods_board_judges_by_what_was_reported_up_to_it(world):
    """The board of 2024年上半年 does not see 2024年下半年's figure, in its veto risk as in its value."""
    world.target.baseline_value = Decimal("4.5")  # 4.5 (2020) to 5 (2025): 4.9 expected in 2024
    world.target.save()
    _actual(_lead_report(world, world.h1), world.target, Decimal("5.2"), dt.date(2024, 6, 30))  # met: ahead
    _actual(_lead_report(world, world.h2), world.target, Decimal("4"), dt.date(2024, 12, 31))  # behind

    (earlier,) = period_overview(world.h1, today=TODAY, with_trend=False).binding
    (later,) = period_overview(world.h2, today=TODAY, with_trend=False).binding

    assert (earlier.actual_value, earlier.veto_risk) == (Decimal("5.2"), False)
    assert (later.actual_value, later.veto_risk) == (Decimal("4"), True)


def test_the_figure_shown_is_the_latest_reading_the_veto_risk_is_judged_on(world):
    """A later period may report an older year's figure (a late statistic): the row shows the latest
    reading by its data date, the one the evaluation reads, and names the report's period."""
    _actual(_lead_report(world, world.h1), world.target, Decimal("6"), dt.date(2024, 6, 30))
    _actual(_lead_report(world, world.h2), world.target, Decimal("3"), dt.date(2023, 12, 31))

    (row,) = period_overview(world.h2, today=TODAY, with_trend=False).binding
    evaluation = evaluations([world.target], as_of_year=2024)[world.target.pk]

    assert evaluation.latest.value == Decimal("6")
    assert (row.actual_value, row.data_date, row.actual_period) == (Decimal("6"), dt.date(2024, 6, 30), "2024年上半年")
