"""Period roll-over: the next period of each plan is created from its cadence before it starts,
once, planned (the plan office opens it), never past the end of the plan period."""

from __future__ import annotations

import datetime as dt

import pytest

from progress.models import PeriodStatus, ReviewCadence, ReviewPeriod
from progress.services.periods import generate_periods
from progress.tests.factories import build_world
from reminders.services.periods import next_period_slot, roll_over_periods
from reminders.workdays import shanghai_today
from tasks.tests.factories import PlanFactory
from xingping_tracker.tests.sharing import module_fixtures

D = dt.date
pytestmark = pytest.mark.django_db


def build_rollover_world():
    world = build_world()  # periods 2024年上半年 and 2024年下半年 (ends 2024-12-31)
    world.plan.period_start, world.plan.period_end = D(2021, 1, 1), D(2025, 12, 31)
    world.plan.save()
    return world


# ``world``: built once for the module (xingping_tracker.tests.sharing), a copy for each test.
_module_world, world = module_fixtures(build_rollover_world, name="world")


def periods(plan) -> list[tuple]:
    return list(
        ReviewPeriod.objects.filter(plan=plan)
        .order_by("starts_on")
        .values_list("name", "starts_on", "ends_on", "report_due_on", "meeting_on", "is_annual_summary", "status")
    )


def test_nothing_before_the_lead_time(world):
    assert roll_over_periods(today=D(2024, 11, 30)).created == []  # 31 days before the end of 2024年下半年
    assert len(periods(world.plan)) == 2


def test_the_next_period_is_created_planned_from_the_cadence(world):
    result = roll_over_periods(today=D(2024, 12, 1))  # 30 days before the end
    assert [p.name for p in result.created] == ["2025年上半年"]
    assert periods(world.plan)[-1] == (
        "2025年上半年", D(2025, 1, 1), D(2025, 6, 30), D(2025, 7, 10), D(2025, 7, 20), False, PeriodStatus.PLANNED
    )
    assert str(result) == f"2024-12-01: created 2025年上半年 (plan {world.plan.pk})"


def test_idempotent(world):
    roll_over_periods(today=D(2024, 12, 20))
    assert roll_over_periods(today=D(2024, 12, 20)).created == []
    assert roll_over_periods(today=D(2025, 1, 15)).created == []  # 2025年上半年 ends in June: not yet
    assert [p[0] for p in periods(world.plan)] == ["2024年上半年", "2024年下半年", "2025年上半年"]


def test_the_cadence_decides_names_and_dates(world):
    ReviewCadence.objects.update_or_create(
        plan=world.plan,
        defaults={"periods_per_year": 4, "report_due_days": 5, "meeting_days": 15, "last_period_is_annual_summary": True},
    )
    roll_over_periods(today=D(2024, 12, 31))
    assert periods(world.plan)[-1] == (
        "2025年第一季度", D(2025, 1, 1), D(2025, 3, 31), D(2025, 4, 5), D(2025, 4, 15), False, PeriodStatus.PLANNED
    )
    roll_over_periods(today=D(2025, 12, 15))  # the roll-over did not run all year: catches up to Q4
    assert [p[0] for p in periods(world.plan)][-4:] == ["2025年第一季度", "2025年第二季度", "2025年第三季度", "2025年第四季度"]
    assert periods(world.plan)[-1][5] is True  # the last period of the year is the annual summary


def test_not_past_the_end_of_the_plan_period(world):
    generate_periods(plan=world.plan, first_year=2025, last_year=2025)
    assert roll_over_periods(today=D(2025, 12, 20)).created == []
    assert periods(world.plan)[-1][0] == "2025年下半年"


def test_a_plan_without_periods_is_left_to_the_plan_office(world):
    other = PlanFactory(title="另一方案", document_number="另政办发〔2023〕1号")
    roll_over_periods(today=D(2024, 12, 20))
    assert periods(other) == []


def test_after_a_period_with_changed_dates_the_next_whole_slot_follows(world):
    world.h2.ends_on = D(2024, 12, 15)  # the plan office shortened it
    world.h2.save()
    roll_over_periods(today=D(2024, 12, 10))
    assert periods(world.plan)[-1][:3] == ("2025年上半年", D(2025, 1, 1), D(2025, 6, 30))


@pytest.mark.parametrize(
    ("last_ends_on", "per_year", "slot"),
    [
        (D(2024, 12, 31), 2, (2025, 1)),
        (D(2024, 6, 30), 2, (2024, 2)),
        (D(2024, 12, 15), 2, (2025, 1)),
        (D(2024, 3, 31), 4, (2024, 2)),
        (D(2024, 12, 31), 1, (2025, 1)),
        (D(2024, 5, 31), 12, (2024, 6)),
    ],
)
@pytest.mark.no_rows
def test_next_period_slot(last_ends_on, per_year, slot):
    assert next_period_slot(last_ends_on, per_year) == slot


def test_the_daily_job_runs_the_roll_over(world):
    from reminders.tasks import roll_over_periods as job

    # Today (any day after 2025-12-01) is past both missing periods of the plan, which ends in 2025.
    assert shanghai_today() > D(2025, 12, 1)
    output = job.apply().get()
    assert "2025年上半年" in output and "2025年下半年" in output
    assert [p[0] for p in periods(world.plan)][-2:] == ["2025年上半年", "2025年下半年"]
