"""Reads of the indicators: a target as the trajectory rule needs it, its series of actual values,
and its evaluation. The rule itself lives in :mod:`indicators.trajectory`.

Where an actual value comes from (two sources, one query each whatever the number of targets):

- the lead unit's progress reports: a ``TargetActual`` stated as reported (a value and a data date)
  in a **delivered** lead report (``progress.workflow.DELIVERED_REPORT_STATES``: submitted or
  accepted; the same definition the dashboard uses). Its year is the year of its data date; of
  several values of one year the latest data date wins (then the later report).
- the plan office's entries (:class:`indicators.models.OfficialActual`), which win over the
  reports' values for the same year. The reports are never rewritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from progress.models import ActualState, TargetActual
from progress.workflow import DELIVERED_REPORT_STATES
from tasks.models import AssignmentRole, Target, Task

from .models import OfficialActual
from .trajectory import Reading, TargetEvaluation, TargetSpec, evaluate

PlanYears = tuple[int | None, int | None]  # the plan period's first and last year


def plan_years(task_ids: Iterable[int]) -> dict[int, PlanYears]:
    """Each task's plan period (first year, last year): one query."""
    rows = Task.objects.filter(pk__in=set(task_ids)).values_list("pk", "plan__period_start", "plan__period_end")
    return {pk: (start.year if start else None, end.year if end else None) for pk, start, end in rows}


def target_spec(target: Target, *, years: PlanYears | None = None) -> TargetSpec:
    """``target`` as the rule needs it. Where the text states no year, the target runs to the end of
    the plan period; where it states no baseline year, the baseline is the year before the plan
    period (2020 for 2021–2025). ``years`` is the plan period (read from ``target.task.plan`` when
    not given)."""
    if years is None:
        plan = target.task.plan
        years = (
            plan.period_start.year if plan.period_start else None,
            plan.period_end.year if plan.period_end else None,
        )
    start, end = years
    baseline_year = target.baseline_year
    if baseline_year is None and start is not None:
        baseline_year = start - 1
    return TargetSpec(
        direction=target.direction,
        basis=target.basis,
        value=target.value,
        value_max=target.value_max,
        unit=target.unit,
        year=target.year or end,
        baseline_value=target.baseline_value,
        baseline_year=baseline_year,
    )


@dataclass(frozen=True)
class _Ranked:
    rank: tuple
    reading: Reading


def actual_series(target_ids: Iterable[int], *, as_of: dt.date | None = None) -> dict[int, list[Reading]]:
    """Each target's readings, one per year in year order (see the module docstring for the
    sources): two queries. ``as_of``: only values whose data date (a plan office entry without
    one: its year) is on or before that day. Every asked target has a (possibly empty) list."""
    ids = sorted({int(pk) for pk in target_ids})
    series: dict[int, dict[int, _Ranked]] = {pk: {} for pk in ids}
    if not ids:
        return {}
    # Filtered in Python, not SQL (as the dashboard's binding board does): a condition on the report
    # would let SQLite start from the reports instead of the targets' index.
    reported = TargetActual.objects.filter(target_id__in=ids, state=ActualState.REPORTED).values_list(
        "target_id", "value", "data_date", "report_id", "report__role", "report__status"
    )
    for target_id, value, data_date, report_id, role, status in reported:
        if role != AssignmentRole.LEAD or status not in DELIVERED_REPORT_STATES or value is None or data_date is None:
            continue
        if as_of is not None and data_date > as_of:
            continue
        year_map = series[target_id]
        ranked = _Ranked((0, data_date, report_id), Reading(year=data_date.year, value=value, data_date=data_date))
        current = year_map.get(data_date.year)
        if current is None or ranked.rank > current.rank:
            year_map[data_date.year] = ranked
    official = OfficialActual.objects.filter(target_id__in=ids).values_list("target_id", "year", "value", "data_date")
    for target_id, year, value, data_date in official:
        if as_of is not None and (data_date > as_of if data_date else year > as_of.year):
            continue
        series[target_id][year] = _Ranked((1,), Reading(year=year, value=value, data_date=data_date))
    return {pk: [series[pk][year].reading for year in sorted(series[pk])] for pk in ids}


def evaluations(
    targets: Iterable[Target], *, as_of_year: int, as_of: dt.date | None = None
) -> dict[int, TargetEvaluation]:
    """Each target's evaluation as of ``as_of_year`` (readings up to that year; ``as_of`` limits
    them by data date as in :func:`actual_series`): three queries whatever the number of targets."""
    targets = list(targets)
    if not targets:
        return {}
    years = plan_years(t.task_id for t in targets)
    series = actual_series([t.pk for t in targets], as_of=as_of)
    return {
        t.pk: evaluate(target_spec(t, years=years.get(t.task_id, (None, None))), series[t.pk], as_of_year=as_of_year)
        for t in targets
    }
