"""Periods from the plan's cadence, each test with a plan of its own."""

from __future__ import annotations

import datetime as dt

import pytest

from progress.models import ReviewCadence, ReviewPeriod
from progress.services.periods import generate_periods, period_bounds, period_name
from tasks.tests.factories import PlanFactory
from xingping_tracker.core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db


def test_half_yearly_periods_for_the_plan_with_the_annual_summary_on_the_second():
    plan = PlanFactory(period_start=dt.date(2021, 1, 1), period_end=dt.date(2025, 12, 31))
    created = generate_periods(plan=plan)
    assert [p.name for p in created[:3]] == ["2021年上半年", "2021年下半年", "2022年上半年"]
    assert len(created) == 10
    second = created[1]
    assert (second.starts_on, second.ends_on, second.report_due_on, second.meeting_on, second.is_annual_summary) == (
        dt.date(2021, 7, 1),
        dt.date(2021, 12, 31),
        dt.date(2022, 1, 10),
        dt.date(2022, 1, 20),
        True,
    )
    assert not created[0].is_annual_summary
    assert generate_periods(plan=plan) == []  # idempotent
    assert ReviewPeriod.objects.filter(plan=plan).count() == 10


def test_cadence_is_data():
    plan = PlanFactory(period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31))
    ReviewCadence.objects.create(plan=plan, periods_per_year=4, report_due_days=5, last_period_is_annual_summary=False)
    created = generate_periods(plan=plan)
    assert [p.name for p in created] == ["2024年第一季度", "2024年第二季度", "2024年第三季度", "2024年第四季度"]
    assert created[2].ends_on == dt.date(2024, 9, 30) and created[2].report_due_on == dt.date(2024, 10, 5)
    assert not any(p.is_annual_summary for p in created)


@pytest.mark.parametrize(("per_year", "index", "name"), [(1, 1, "2024年度"), (2, 2, "2024年下半年"), (12, 3, "2024年第3期")])
def test_period_names(per_year, index, name):
    assert period_name(2024, index, per_year) == name


def test_period_bounds_cover_the_year_without_gaps():
    for per_year in (1, 2, 3, 4, 6, 12):
        bounds = [period_bounds(2024, i, per_year) for i in range(1, per_year + 1)]
        assert bounds[0][0] == dt.date(2024, 1, 1) and bounds[-1][1] == dt.date(2024, 12, 31)
        for (_, end), (start, _) in zip(bounds, bounds[1:], strict=False):
            assert start - end == dt.timedelta(days=1)


def test_a_plan_without_years_is_refused_with_a_message():
    plan = PlanFactory(period_start=None, period_end=None)
    with pytest.raises(ApplicationError) as caught:
        generate_periods(plan=plan)
    assert "规划期" in caught.value.message
