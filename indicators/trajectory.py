"""THE rule "is a target met, how far along its trajectory": the dashboard's binding board, the
meeting pack, the annual assessment and the evaluation report all read it from here.

Pure: no ORM, no clock, Decimal arithmetic only. :mod:`indicators.selectors` turns database rows
into :class:`TargetSpec` and :class:`Reading` values.

What a reading means (an actual is always entered in the target's own unit, as the progress report
asks for it):

- ``level`` (研发经费支出占比达到1.5%, PM2.5控制在53微克/立方米): the indicator's value that year.
- ``cumulative`` (单位GDP能耗累计降低12.5%, 累计增长…): the change achieved since the baseline year.
- ``multiple`` (较2020年翻一番 = 2倍): the multiple of the baseline reached.
- ``annual_growth`` (地区生产总值年均增长7%): that year's growth rate in percent, as the
  statistics bulletin publishes it ("增长6.5%"). The figure compared with the target is the average
  annual growth achieved: the geometric mean of the yearly rates after the baseline year up to the
  latest reading (years without a reading are left out, and the explanation says so).

The expected trajectory (:func:`expected_at`) runs from the baseline year to the target year:

- ``annual_growth`` compounds from the baseline value: baseline × (1 + r)^(year − baseline year),
  in the indicator's own unit (e.g. 亿元); unknown (None) without a baseline value.
- ``cumulative`` is a straight path from 0 at the baseline year to the final value.
- ``multiple`` compounds from 1 to the final multiple: m^((year − b) / (target year − b)).
- ``level`` is a straight line from the baseline value to the target value; unknown without a
  baseline value. An at-most level whose baseline is already within the cap stays at the cap.

The status (:class:`TrajectoryStatus`), for the latest reading up to ``as_of_year``:

- 数据尚未发布 (``no_data``): no reading at all. Never scored as 0: ``completion`` is None.
- 超前 (``ahead``): the final target is already met before its year.
- 正常 (``on_track``): the final target is met in or after its year, or the reading is at or
  better than the expected trajectory of its year (or no trajectory can be known and the reading
  does not break an at-most cap).
- 滞后 (``behind``): the target year is reached and the target missed, or the reading is worse than
  the expected trajectory of its year (an at-most cap without trajectory: the reading is above it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext
from typing import NamedTuple

from django.db import models

AT_LEAST, AT_MOST, REDUCE_BY = "at_least", "at_most", "reduce_by"
LEVEL, ANNUAL_GROWTH, CUMULATIVE, MULTIPLE = "level", "annual_growth", "cumulative", "multiple"

HUNDRED = Decimal(100)
ONE = Decimal(1)
ZERO = Decimal(0)
PLACES = Decimal("0.0001")  # the four places targets and actuals are stored with


class TrajectoryStatus(models.TextChoices):
    AHEAD = "ahead", "超前"
    ON_TRACK = "on_track", "正常"
    BEHIND = "behind", "滞后"
    NO_DATA = "no_data", "数据尚未发布"


@dataclass(frozen=True)
class TargetSpec:
    """One target as the rule needs it (``tasks.Target`` plus the plan office's baseline)."""

    direction: str  # at_least / at_most / reduce_by
    basis: str  # level / annual_growth / cumulative / multiple
    value: Decimal
    value_max: Decimal | None = None
    unit: str = ""
    year: int | None = None  # the target year (None: no deadline, the value is compared as it is)
    baseline_value: Decimal | None = None
    baseline_year: int | None = None


class Reading(NamedTuple):
    """An actual value of one year (in the target's unit, see the module docstring). A named tuple:
    a plan's series holds tens of thousands of them."""

    year: int
    value: Decimal
    data_date: dt.date | None = None


@dataclass(frozen=True)
class TargetEvaluation:
    status: TrajectoryStatus
    latest: Reading | None  # the latest reading up to the as-of year
    expected: Decimal | None  # the expected figure in the latest reading's year (comparable with ``achieved``)
    met: bool | None  # the final target met (True / False); None while it cannot be decided yet
    completion: Decimal | None  # share of the target achieved (see completion_rate); None without data
    explanation: str  # one Chinese sentence
    achieved: Decimal | None = None  # the figure compared with the target (annual growth: the average rate)
    years_used: tuple[int, ...] = ()  # the reading years the achieved figure is computed from
    missing_years: tuple[int, ...] = ()  # years between the baseline and the latest reading without a reading

    @property
    def status_label(self) -> str:
        return TrajectoryStatus(self.status).label


# --- helpers ---------------------------------------------------------------------------------


def _q(value: Decimal) -> Decimal:
    return value.quantize(PLACES)


def _plain(value: Decimal | None) -> str:
    """4.2000 → "4.2" (kept here so the rule stays free of other apps)."""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def cap(spec: TargetSpec) -> Decimal:
    """The figure an at-most target must not exceed (the upper end of a range, else the value)."""
    return spec.value_max if spec.value_max is not None else spec.value


def _fraction(spec: TargetSpec, year: int) -> Decimal | None:
    """How far ``year`` is along baseline year → target year, clamped to [0, 1]; None when unknown."""
    if spec.baseline_year is None or spec.year is None or spec.year <= spec.baseline_year:
        return None
    share = Decimal(year - spec.baseline_year) / Decimal(spec.year - spec.baseline_year)
    return min(max(share, ZERO), ONE)


def _growth_factor(spec: TargetSpec) -> Decimal:
    return ONE + spec.value / HUNDRED


# --- the rule ----------------------------------------------------------------------------------


def expected_at(spec: TargetSpec, year: int) -> Decimal | None:
    """The value the indicator should have in ``year`` on the way to the target (see the module
    docstring; annual growth: the level compounded from the baseline value). None when it cannot be
    known (no baseline year or value where one is needed, no target year)."""
    with localcontext() as ctx:
        ctx.prec = 28
        try:
            if spec.basis == ANNUAL_GROWTH:
                if spec.baseline_value is None or spec.baseline_year is None:
                    return None
                years = year - spec.baseline_year
                if spec.year is not None:
                    years = min(years, spec.year - spec.baseline_year)
                return _q(spec.baseline_value * _growth_factor(spec) ** max(years, 0))
            return expected_figure(spec, year)
        except (InvalidOperation, DivisionByZero, OverflowError):
            return None


def expected_figure(spec: TargetSpec, year: int) -> Decimal | None:
    """The expected figure of ``year`` in the terms a reading is compared in (annual growth: the
    target rate itself; the other bases: as :func:`expected_at`). None when it cannot be known."""
    if spec.basis == ANNUAL_GROWTH:
        return spec.value
    share = _fraction(spec, year)
    if spec.basis == CUMULATIVE:
        return None if share is None else _q(spec.value * share)
    if spec.basis == MULTIPLE:
        if share is None or spec.value <= 0:
            return None
        return _q(spec.value**share)
    # level
    target = cap(spec) if spec.direction == AT_MOST else spec.value
    if spec.baseline_value is None or share is None:
        return None
    if spec.direction == AT_MOST and spec.baseline_value <= target:
        return _q(target)
    if spec.direction != AT_MOST and spec.baseline_value >= target:
        return _q(target)
    return _q(spec.baseline_value + (target - spec.baseline_value) * share)


def is_met(spec: TargetSpec, value: Decimal) -> bool:
    """``value`` (the figure compared with the target: the level, the cumulative change, the
    multiple, the average annual growth) meets the final target. At most: not above ``value_max``
    (a range's upper end) or ``value``; at least and reduce by: not below ``value``."""
    if spec.direction == AT_MOST:
        return value <= cap(spec)
    return value >= spec.value


def _better_or_equal(spec: TargetSpec, value: Decimal, reference: Decimal) -> bool:
    if spec.direction == AT_MOST:
        return value <= reference
    return value >= reference


def completion_rate(spec: TargetSpec, reading: Reading) -> Decimal | None:
    """The share of the target the reading achieves (the reading taken as it is: for annual growth,
    that year's rate against the target rate), to four places. At least / reduce by: reading ÷
    target, 1 = met, more = exceeded, never below 0. At most (control type): reading ÷ cap, ≤ 1 = met
    (the assessment scores it as 2 − rate). None when it cannot be computed (a zero target)."""
    with localcontext() as ctx:
        ctx.prec = 28
        reference = cap(spec) if spec.direction == AT_MOST else spec.value
        if reference == 0:
            if spec.direction == AT_MOST:
                return ONE.quantize(PLACES) if reading.value <= 0 else None
            return ONE.quantize(PLACES) if reading.value >= 0 else ZERO.quantize(PLACES)
        try:
            rate = reading.value / reference
        except (InvalidOperation, DivisionByZero):
            return None
        if spec.direction != AT_MOST and rate < 0:
            rate = ZERO
        return _q(rate)


def average_growth(readings: Iterable[Reading]) -> Decimal | None:
    """The average annual growth rate (percent) of yearly rates: the geometric mean of (1 + g)."""
    rates = [r.value for r in readings]
    if not rates:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        product = ONE
        for rate in rates:
            product *= ONE + rate / HUNDRED
        if product <= 0:
            return _q(-HUNDRED)
        mean = product ** (ONE / Decimal(len(rates))) if len(rates) > 1 else product
        return _q((mean - ONE) * HUNDRED)


def _target_words(spec: TargetSpec) -> str:
    amount = _plain(spec.value) + (f"～{_plain(spec.value_max)}" if spec.value_max is not None else "")
    words = {
        ANNUAL_GROWTH: "年均增长",
        CUMULATIVE: "累计降低" if spec.direction == REDUCE_BY else "累计增长",
        MULTIPLE: "达到基期的",
    }.get(spec.basis)
    if words is None:
        words = {AT_MOST: "不高于", REDUCE_BY: "降低"}.get(spec.direction, "不低于")
    year = f"（{spec.year}年）" if spec.year else ""
    return f"{words}{amount}{spec.unit}{year}"


def _actual_words(spec: TargetSpec, achieved: Decimal, year: int) -> str:
    if spec.basis == ANNUAL_GROWTH:
        return f"截至{year}年实际年均增长{_plain(achieved)}{spec.unit}"
    if spec.basis == CUMULATIVE:
        verb = "累计降低" if spec.direction == REDUCE_BY else "累计增长"
        return f"{year}年实际{verb}{_plain(achieved)}{spec.unit}"
    if spec.basis == MULTIPLE:
        return f"{year}年实际达到基期的{_plain(achieved)}{spec.unit}"
    if spec.direction == REDUCE_BY:
        return f"{year}年实际降低{_plain(achieved)}{spec.unit}"
    return f"{year}年实际值{_plain(achieved)}{spec.unit}"


def endangers_veto(met: bool | None, status: str) -> bool:
    """THE rule for a binding (约束性) target and 一票否优: it is at risk, and at the year's
    assessment vetoes, when the final target is missed (``met`` False) or the latest reading is
    behind its trajectory (滞后). A target without data (数据尚未发布) is no risk. The annual
    assessment and the dashboard's binding board both ask this."""
    return met is False or status == TrajectoryStatus.BEHIND


def evaluate(spec: TargetSpec, readings: Iterable[Reading], *, as_of_year: int) -> TargetEvaluation:
    """Where the target stands with the readings up to ``as_of_year`` (see the module docstring)."""
    usable = sorted((r for r in readings if r.year <= as_of_year), key=lambda r: (r.year, r.data_date or dt.date.min))
    by_year: dict[int, Reading] = {}
    for reading in usable:  # the latest data date of a year wins
        by_year[reading.year] = reading
    if not by_year:
        return TargetEvaluation(
            status=TrajectoryStatus.NO_DATA,
            latest=None,
            expected=None,
            met=None,
            completion=None,
            explanation=f"目标{_target_words(spec)}：截至{as_of_year}年尚无实际值（数据尚未发布），不计为0。",
        )
    latest = by_year[max(by_year)]
    year = latest.year
    missing: tuple[int, ...] = ()
    if spec.basis == ANNUAL_GROWTH:
        after_base = [r for y, r in sorted(by_year.items()) if spec.baseline_year is None or y > spec.baseline_year]
        used = after_base or [latest]
        achieved = average_growth(used)
        years_used = tuple(r.year for r in used)
        if spec.baseline_year is not None:
            missing = tuple(y for y in range(spec.baseline_year + 1, year + 1) if y not in by_year)
    else:
        achieved = latest.value
        years_used = (year,)
    assert achieved is not None
    completion = completion_rate(spec, Reading(year=year, value=achieved, data_date=latest.data_date))
    expected = expected_figure(spec, year)
    final_year_reached = spec.year is None or year >= spec.year
    met_now = is_met(spec, achieved)
    met: bool | None
    if final_year_reached:
        met = met_now
        if met_now:
            status, verdict = TrajectoryStatus.ON_TRACK, "已完成"
        else:
            status, verdict = TrajectoryStatus.BEHIND, "未完成"
    elif met_now:
        met, status, verdict = True, TrajectoryStatus.AHEAD, "已提前达到目标，超前"
    else:
        met = None
        if expected is None:
            if spec.direction == AT_MOST:  # a cap holds every year
                status, verdict = TrajectoryStatus.BEHIND, "超过控制目标，滞后"
            else:
                status, verdict = TrajectoryStatus.ON_TRACK, "尚未达到目标；未录入基期值，暂按正常"
        elif _better_or_equal(spec, achieved, expected):
            status, verdict = TrajectoryStatus.ON_TRACK, f"不低于{year}年进度要求{_plain(expected)}{spec.unit}，正常"
            if spec.direction == AT_MOST:
                verdict = f"未超过{year}年进度要求{_plain(expected)}{spec.unit}，正常"
        else:
            status, verdict = TrajectoryStatus.BEHIND, f"{year}年进度要求{_plain(expected)}{spec.unit}，滞后"
    parts = [_actual_words(spec, achieved, year), f"目标{_target_words(spec)}", verdict]
    if missing:
        parts.append("缺" + "、".join(str(y) for y in missing) + "年数据")
    return TargetEvaluation(
        status=status,
        latest=latest,
        expected=expected,
        met=met,
        completion=completion,
        explanation="，".join(parts) + "。",
        achieved=achieved,
        years_used=years_used,
        missing_years=missing,
    )
