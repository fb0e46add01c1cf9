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
from decimal import Decimal
from typing import Any

from progress.models import ActualState, TargetActual
from progress.states import lead_report_q
from progress.workflow import DELIVERED_REPORT_STATES
from tasks.models import AssignmentRole, EffectiveAssignment, Target, Task

from .models import OfficialActual
from .trajectory import Reading, TargetEvaluation, TargetSpec, TrajectoryStatus, evaluate

PlanYears = tuple[int | None, int | None]  # the plan period's first and last year


def plan_years(task_ids: Iterable[int]) -> dict[int, PlanYears]:
    """Each task's plan period (first year, last year): one query."""
    rows = Task.objects.filter(pk__in=set(task_ids)).values_list("pk", "plan__period_start", "plan__period_end")
    return {pk: (start.year if start else None, end.year if end else None) for pk, start, end in rows}


# The fields of a target the rule reads (``target_spec`` takes a Target or any row with them, e.g. a
# named tuple of ``values_list(*SPEC_FIELDS)``, where thousands of model instances would cost).
SPEC_FIELDS = ("direction", "basis", "value", "value_max", "unit", "year", "baseline_value", "baseline_year")


def target_spec(target: Any, *, years: PlanYears | None = None) -> TargetSpec:
    """``target`` (a Target, or a row with its ``SPEC_FIELDS``) as the rule needs it. Where the text states no year, the target runs to the end of
    the plan period; where it states no baseline year, the baseline is the year before the plan
    period (2020 for 2021–2025). ``years`` is the plan period (read from ``target.task.plan`` when
    not given: a Target only)."""
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


# Above this many targets the actuals are selected by a subquery on the targets (``within``) or by a
# join, not by a list of ids (SQLite's limit on parameters; a shorter statement).
_ID_LIST_LIMIT = 500


def actual_series(
    target_ids: Iterable[int], *, as_of: dt.date | None = None, within: Any = None
) -> dict[int, list[Reading]]:
    """Each target's readings, one per year in year order (see the module docstring for the
    sources): two queries. ``as_of``: only values whose data date (a plan office entry without
    one: its year) is on or before that day. Every asked target has a (possibly empty) list.
    ``within``: a Target queryset holding the asked targets (e.g. a plan's), used in SQL instead
    of the list of ids when that list is long."""
    ids = sorted({int(pk) for pk in target_ids})
    if not ids:
        return {}
    if len(ids) <= _ID_LIST_LIMIT:
        which: Any = ids
    elif within is not None:
        which = within.order_by().values("pk")
    else:
        which = Target.objects.filter(pk__gte=ids[0], pk__lte=ids[-1]).values("pk")
    # The conditions are SQL's (:func:`counts_as_reading` says the same in Python): only the rows
    # that count are read (a plan's 50,000 actuals hold about 35,000 of delivered lead reports);
    # SQLite and PostgreSQL both start from the targets' index.
    reported = TargetActual.objects.filter(
        lead_report_q("report__"),  # the report's unit leads the task now (progress.states)
        target_id__in=which,
        state=ActualState.REPORTED,
        value__isnull=False,
        data_date__isnull=False,
        report__status__in=sorted(DELIVERED_REPORT_STATES),
    )
    if as_of is not None:
        reported = reported.filter(data_date__lte=as_of)
    # Ordered by target, data date and report in SQL (free: the targets' index is read in order).
    rows = reported.order_by("target_id", "data_date", "report_id").values_list(
        "target_id", "data_date", "value", "report_id"
    )
    official = (
        OfficialActual.objects.filter(target_id__in=which)
        .order_by()
        .values_list("target_id", "year", "value", "data_date")
    )
    if as_of is not None:
        official = [
            (target_id, year, value, data_date)
            for target_id, year, value, data_date in official
            if not (data_date > as_of if data_date else year > as_of.year)
        ]
    return series_from_rows(ids, rows, official, ordered=True)


def latest_readings(sender: Any = None, *, target_ids: Iterable[int], **kwargs: Any) -> dict[int, Reading]:
    """Each target's latest reading of its series (:func:`actual_series`), for the targets that have
    one: the answer to ``progress.signals.latest_readings_asked`` (the task page). Two queries."""
    return {pk: readings[-1] for pk, readings in actual_series(target_ids).items() if readings}


def counts_as_reading(state: str, value: Any, data_date: dt.date | None, role: str, report_status: str) -> bool:
    """Whether a report's actual is a reading of the target's series: a reported value with its data
    date, in a delivered lead report (what :func:`actual_series` selects in SQL), for a reader that
    has the rows already (the dashboard's binding board). ``role``: the report's role as
    :func:`progress.states.lead_report_q` says (lead when its unit leads the task now)."""
    return (
        state == ActualState.REPORTED
        and value is not None
        and data_date is not None
        and role == AssignmentRole.LEAD
        and report_status in DELIVERED_REPORT_STATES
    )


def series_from_rows(
    target_ids: Iterable[int],
    reported: Iterable[tuple[int, dt.date, Decimal, int]],
    official: Iterable[tuple[int, int, Decimal, dt.date | None]],
    *,
    ordered: bool = False,
) -> dict[int, list[Reading]]:
    """The series of :func:`actual_series` from rows already read: ``reported`` (target id, data date,
    value, report id) of the actuals that count (:func:`counts_as_reading`), ``official`` (target id,
    year, value, data date) of the plan office's entries. ``ordered``: ``reported`` already comes by
    target, data date and report (else it is sorted here)."""
    series: dict[int, list[Reading]] = {int(pk): [] for pk in target_ids}
    if not ordered:
        reported = sorted(reported, key=lambda row: (row[0], row[1], row[3]))
    # Each target's readings in year order; of several values of one year, the last one read (the
    # latest data date, then the latest report) replaces the one before.
    for target_id, data_date, value, _report_id in reported:
        readings = series.get(target_id)
        if readings is None:
            continue
        reading = Reading(data_date.year, value, data_date)
        if readings and readings[-1].year == reading.year:
            readings[-1] = reading
        else:
            readings.append(reading)
    for target_id, year, value, data_date in official:
        readings = series.get(target_id)
        if readings is None:
            continue
        # The plan office's value wins over the reports' for its year.
        kept = [r for r in readings if r.year != year]
        kept.append(Reading(year, value, data_date))
        kept.sort(key=lambda r: r.year)
        series[target_id] = kept
    return series


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


# --- the pages and the API: the list of a plan's targets, one target's series ------------------


STATUS_CHOICES = TrajectoryStatus.choices
KIND_BINDING, KIND_INCENTIVE, KIND_EXPECTED = "binding", "incentive", "expected"
KIND_CHOICES = [(KIND_BINDING, "约束性"), (KIND_INCENTIVE, "激励性（远景目标）"), (KIND_EXPECTED, "预期性")]


@dataclass(frozen=True)
class TargetRow:
    """One target as the list shows it."""

    target: Target
    spec: TargetSpec
    evaluation: TargetEvaluation
    lead_units: tuple[str, ...]

    @property
    def task(self) -> Task:
        return self.target.task


def lead_unit_names(task_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """Each task's effective lead units' names, in the unit order: one query."""
    rows = (
        EffectiveAssignment.objects.filter(task_id__in=set(task_ids), is_primary=True, role=AssignmentRole.LEAD)
        .order_by("department__sort_order", "department__name")
        .values_list("task_id", "department__name")
    )
    names: dict[int, list[str]] = {}
    for task_id, name in rows:
        names.setdefault(task_id, []).append(name)
    return {pk: tuple(v) for pk, v in names.items()}


def plan_targets(
    *,
    plan_id: int | None,
    user: Any,
    as_of_year: int,
    kind: str = "",
    status: str = "",
    unit_id: int | None = None,
) -> list[TargetRow]:
    """The targets of a plan (every plan: None) ``user`` may see (:func:`access.querysets.targets_visible_to`), in task
    order, with their evaluation as of ``as_of_year``; filtered by the task's kind (binding /
    incentive / expected), the trajectory status, and a lead unit. A fixed number of queries
    whatever the number of targets: the targets with their tasks and plan, the lead units, and the
    two sources of actuals (plus the actor's unit for unit staff)."""
    from access.querysets import targets_visible_to

    queryset = (
        Target.objects.select_related("task__plan")
        .defer("task__plan__source_text", "task__text")  # the whole document per row otherwise
        .order_by("task__plan_id", "task__number", "position", "pk")
    )
    if plan_id is not None:
        queryset = queryset.filter(task__plan_id=plan_id)
    if kind == KIND_BINDING:
        queryset = queryset.filter(task__binding=True)
    elif kind == KIND_INCENTIVE:
        queryset = queryset.filter(task__incentive=True)
    elif kind == KIND_EXPECTED:
        queryset = queryset.filter(task__binding=False, task__incentive=False)
    if unit_id is not None:
        queryset = queryset.filter(
            task__in=EffectiveAssignment.objects.filter(
                department_id=unit_id, is_primary=True, role=AssignmentRole.LEAD
            ).values("task_id")
        )
    visible = targets_visible_to(queryset, user=user)
    targets = list(visible)
    if not targets:
        return []
    series = actual_series([t.pk for t in targets], within=visible)
    leads = lead_unit_names({t.task_id for t in targets})
    rows = []
    for t in targets:
        spec = target_spec(t)
        evaluation = evaluate(spec, series[t.pk], as_of_year=as_of_year)
        if status and evaluation.status != status:
            continue
        rows.append(TargetRow(target=t, spec=spec, evaluation=evaluation, lead_units=leads.get(t.task_id, ())))
    return rows


@dataclass(frozen=True)
class SeriesEntry:
    """One actual value as the target's page lists it, with where it came from."""

    year: int | None
    value: Decimal | None  # None: 数据尚未发布
    data_date: dt.date | None
    origin: str  # "report" / "official"
    source: str  # "市工信局 2024年下半年报告（已审核）" / "2024年统计公报"
    document_number: str
    entered_by: str
    entered_at: dt.datetime | None
    reason: str
    counts: bool  # the value the evaluation reads for its year


def _person(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def series_entries(target: Target) -> list[SeriesEntry]:
    """Every actual of ``target`` the evaluation may read (delivered lead reports, not-released
    states included, and the plan office's entries), newest year first, each with its source and
    who entered it, and whether it is the one counted for its year: two queries."""
    counted = {(r.year, r.value, r.data_date) for r in actual_series([target.pk])[target.pk]}
    official_years: set[int] = set()
    entries: list[SeriesEntry] = []
    for entry in OfficialActual.objects.filter(target=target).select_related("entered_by"):
        official_years.add(entry.year)
        entries.append(
            SeriesEntry(
                year=entry.year,
                value=entry.value,
                data_date=entry.data_date,
                origin="official",
                source=entry.source or "规划科录入",
                document_number=entry.document_number,
                entered_by=_person(entry.entered_by),
                entered_at=entry.entered_at,
                reason=entry.reason,
                counts=True,
            )
        )
    reported = (
        TargetActual.objects.filter(
            lead_report_q("report__"), target=target, report__status__in=DELIVERED_REPORT_STATES
        )
        .select_related("report__period", "report__department", "report__submitted_by")
        .order_by("-data_date", "-report_id")
    )
    for actual in reported:
        report = actual.report
        year = actual.data_date.year if actual.data_date else None
        value = actual.value if actual.state == ActualState.REPORTED else None
        entries.append(
            SeriesEntry(
                year=year,
                value=value,
                data_date=actual.data_date,
                origin="report",
                source=f"{report.department.name} {report.period.name}报告（{report.get_status_display()}）",
                document_number="",
                entered_by=_person(report.submitted_by),
                entered_at=report.submitted_at,
                reason=actual.note,
                counts=year not in official_years and (year, value, actual.data_date) in counted,
            )
        )
    entries.sort(key=lambda e: (-(e.year or 0), e.origin != "official", -(e.data_date or dt.date.min).toordinal()))
    return entries
