"""The trajectory rule's arithmetic (pure: no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from indicators.trajectory import (
    Reading,
    TargetSpec,
    TrajectoryStatus,
    average_growth,
    completion_rate,
    evaluate,
    expected_at,
    is_met,
)

TOLERANCE = Decimal("0.0002")  # two steps of the four stored places

rates = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("20"), places=1)
levels = st.decimals(min_value=Decimal("1"), max_value=Decimal("100000"), places=2)
percents = st.decimals(min_value=Decimal("0"), max_value=Decimal("50"), places=1)
baseline_years = st.integers(min_value=2000, max_value=2030)
spans = st.integers(min_value=1, max_value=15)


def growth(rate: Decimal, *, baseline: Decimal | None, baseline_year: int, year: int) -> TargetSpec:
    return TargetSpec(
        direction="at_least",
        basis="annual_growth",
        value=rate,
        unit="%",
        year=year,
        baseline_value=baseline,
        baseline_year=baseline_year,
    )


def reduction(value: Decimal, *, baseline_year: int, year: int) -> TargetSpec:
    return TargetSpec(
        direction="reduce_by", basis="cumulative", value=value, unit="%", year=year, baseline_year=baseline_year
    )


# --- annual growth compounds from the baseline -------------------------------------------------


@given(rate=rates, baseline=levels, b=baseline_years, span=spans, k=st.integers(min_value=0, max_value=15))
def test_annual_growth_compounds_from_the_baseline(rate, baseline, b, span, k):
    spec = growth(rate, baseline=baseline, baseline_year=b, year=b + span)
    k = min(k, span)
    expected = expected_at(spec, b + k)
    exact = baseline * (1 + rate / 100) ** k
    assert abs(expected - exact) <= TOLERANCE
    assert expected_at(spec, b) == baseline.quantize(Decimal("0.0001"))
    if k >= 1:  # each year is the previous one times (1 + r), not a straight line
        previous = baseline * (1 + rate / 100) ** (k - 1)
        assert abs(expected - previous * (1 + rate / 100)) <= TOLERANCE
    # after the target year the path stays at the target year's level
    assert expected_at(spec, b + span + 3) == expected_at(spec, b + span)


@given(rate=rates, b=baseline_years, span=spans)
def test_annual_growth_without_a_baseline_value_has_no_expected_level(rate, b, span):
    assert expected_at(growth(rate, baseline=None, baseline_year=b, year=b + span), b + 1) is None


@given(
    rate=rates,
    yearly=st.lists(st.decimals(min_value=Decimal("-10"), max_value=Decimal("25"), places=1), min_size=1, max_size=8),
)
def test_annual_growth_is_met_by_the_geometric_mean_of_the_yearly_rates(rate, yearly):
    b = 2020
    span = len(yearly)
    spec = growth(rate, baseline=None, baseline_year=b, year=b + span)
    readings = [Reading(year=b + i + 1, value=g) for i, g in enumerate(yearly)]
    ev = evaluate(spec, readings, as_of_year=b + span)
    product = Decimal(1)
    for g in yearly:
        product *= 1 + g / 100
    # the average rate compounds to the same growth over the years as the yearly rates
    assert abs((1 + ev.achieved / 100) ** span - product) <= Decimal("0.001") * span
    assert ev.met is (ev.achieved >= rate)
    assert ev.status == (TrajectoryStatus.ON_TRACK if ev.met else TrajectoryStatus.BEHIND)
    assert ev.years_used == tuple(r.year for r in readings)


@given(g=st.decimals(min_value=Decimal("-10"), max_value=Decimal("25"), places=1), n=st.integers(1, 6))
def test_constant_yearly_rates_average_to_that_rate(g, n):
    assert abs(average_growth([Reading(year=2021 + i, value=g) for i in range(n)]) - g) <= TOLERANCE


# --- cumulative reductions: a path to the final value ------------------------------------------


@given(value=percents, b=baseline_years, span=spans)
def test_cumulative_reduction_path_runs_from_zero_to_the_final_value(value, b, span):
    spec = reduction(value, baseline_year=b, year=b + span)
    path = [expected_at(spec, y) for y in range(b - 2, b + span + 3)]
    assert path[0] == path[2] == 0  # before and at the baseline year: nothing yet
    assert path[-1] == path[-3] == value  # at and after the target year: the final value
    assert all(x <= y for x, y in zip(path, path[1:], strict=False))  # never goes back
    middle = expected_at(spec, b + 1)
    assert abs(middle - value / span) <= TOLERANCE


@given(value=percents.filter(bool), actual=percents, span=st.integers(2, 10), k=st.integers(1, 10))
def test_cumulative_reduction_status_follows_the_path(value, actual, span, k):
    b = 2020
    spec = reduction(value, baseline_year=b, year=b + span)
    year = b + min(k, span)
    ev = evaluate(spec, [Reading(year=year, value=actual)], as_of_year=2040)
    expected = expected_at(spec, year)
    assert ev.expected == expected
    if year == b + span:
        assert ev.met is (actual >= value)
        assert ev.status == (TrajectoryStatus.ON_TRACK if actual >= value else TrajectoryStatus.BEHIND)
    elif actual >= value:
        assert (ev.status, ev.met) == (TrajectoryStatus.AHEAD, True)
    else:
        assert ev.met is None
        assert ev.status == (TrajectoryStatus.ON_TRACK if actual >= expected else TrajectoryStatus.BEHIND)
    assert ev.completion == (actual / value).quantize(Decimal("0.0001"))


def test_the_energy_intensity_example_reads_as_the_plan_office_writes_it():
    spec = reduction(Decimal("12.5"), baseline_year=2020, year=2025)
    ev = evaluate(spec, [Reading(year=2025, value=Decimal("9.8"), data_date=dt.date(2025, 12, 31))], as_of_year=2025)
    assert (ev.status, ev.met, ev.completion) == (TrajectoryStatus.BEHIND, False, Decimal("0.7840"))
    assert "实际累计降低9.8%" in ev.explanation and "12.5%" in ev.explanation and "未完成" in ev.explanation


# --- at-most caps ---------------------------------------------------------------------------------


@given(
    value=levels,
    upper=st.one_of(st.none(), levels),
    actual=levels,
)
def test_at_most_is_met_when_not_above_the_cap(value, upper, actual):
    value_max = None if upper is None else max(upper, value)
    spec = TargetSpec(direction="at_most", basis="level", value=value, value_max=value_max, unit="微克/立方米")
    cap = value_max if value_max is not None else value
    assert is_met(spec, actual) is (actual <= cap)
    rate = completion_rate(spec, Reading(year=2025, value=actual))
    assert (rate <= 1) is (actual <= cap) or abs(actual / cap - 1) < Decimal("0.00005")


@given(cap=levels, baseline=levels, k=st.integers(0, 5))
def test_at_most_path_falls_from_a_baseline_above_the_cap_and_stays_at_the_cap_otherwise(cap, baseline, k):
    spec = TargetSpec(
        direction="at_most", basis="level", value=cap, year=2025, baseline_value=baseline, baseline_year=2020
    )
    expected = expected_at(spec, 2020 + k)
    if baseline <= cap:
        assert expected == cap
    else:
        assert cap - TOLERANCE <= expected <= baseline + TOLERANCE
        assert abs(expected - (baseline + (cap - baseline) * k / 5)) <= TOLERANCE


@given(cap=levels, actual=levels)
def test_at_most_without_a_path_is_behind_as_soon_as_the_cap_is_broken(cap, actual):
    spec = TargetSpec(direction="at_most", basis="level", value=cap, year=2025, baseline_year=2020)
    ev = evaluate(spec, [Reading(year=2022, value=actual)], as_of_year=2023)
    assert ev.status == (TrajectoryStatus.AHEAD if actual <= cap else TrajectoryStatus.BEHIND)


# --- missing years and no data --------------------------------------------------------------------


@given(
    present=st.sets(st.integers(2021, 2025), max_size=5),
    as_of=st.integers(2019, 2027),
)
def test_missing_years_are_named_and_no_data_is_never_a_zero(present, as_of):
    spec = growth(Decimal("7"), baseline=Decimal("100"), baseline_year=2020, year=2025)
    readings = [Reading(year=y, value=Decimal("7.5")) for y in sorted(present)]
    ev = evaluate(spec, readings, as_of_year=as_of)
    seen = [y for y in present if y <= as_of]
    if not seen:
        assert (ev.status, ev.latest, ev.completion, ev.met) == (TrajectoryStatus.NO_DATA, None, None, None)
        assert "尚无实际值" in ev.explanation and "不计为0" in ev.explanation
        return
    latest = max(seen)
    assert ev.latest.year == latest
    assert ev.years_used == tuple(sorted(seen))
    assert ev.missing_years == tuple(y for y in range(2021, latest + 1) if y not in present)
    for year in ev.missing_years:
        assert str(year) in ev.explanation
    assert ev.achieved == Decimal("7.5000")
    assert ev.status == (TrajectoryStatus.ON_TRACK if latest == 2025 else TrajectoryStatus.AHEAD)


@given(years=st.lists(st.integers(2021, 2025), min_size=1, max_size=5))
def test_of_one_years_values_the_latest_data_date_counts(years):
    spec = TargetSpec(direction="at_least", basis="level", value=Decimal("40"), unit="%", year=2025)
    readings = [
        Reading(year=y, value=Decimal(i), data_date=dt.date(y, 1, 1) + dt.timedelta(days=i))
        for i, y in enumerate(years)
    ]
    ev = evaluate(spec, readings, as_of_year=2025)
    last_year = max(years)
    last_index = max(i for i, y in enumerate(years) if y == last_year)
    assert ev.latest.value == Decimal(last_index)


def test_multiple_compounds_from_one_to_the_final_multiple():
    spec = TargetSpec(
        direction="at_least", basis="multiple", value=Decimal(2), unit="倍", year=2025, baseline_year=2020
    )
    assert expected_at(spec, 2020) == 1
    assert expected_at(spec, 2025) == 2
    assert abs(expected_at(spec, 2021) ** 5 - 2) < Decimal("0.001")
