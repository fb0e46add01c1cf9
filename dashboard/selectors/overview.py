"""Where the plan stands in one review period: every task's traffic light, and the overview the
leadership dashboard and the meeting pack both show: the dashboard page, its API and the Excel
meeting pack read the overview from here, so they always agree.

The task states, lights and "delivered" are :mod:`progress.states` (the one definition, also read
by the exports and the review pages); this module adds up the overview from them:

- The as-of day is ``today`` (default: the local date). For earlier periods in the trend it is the
  day after their report due date (or ``today`` when sooner), read with today's records.
- **The trend** holds the periods of the plan up to the one shown that were ever opened; a period
  never opened (planned) has no reports to count and is left out, except the period shown, which is
  marked ``opened=False`` with no counts.
- **Stored trend points** (:class:`dashboard.models.TrendSnapshot`): a closed period is frozen, so
  its trend point is computed once and stored: when the closing commits
  (:func:`store_closed_point`, from :mod:`dashboard.closings`), or else by the first overview that
  reads it once it can be stored (closed before the day after its due date, closed without the
  service, or the store failed). A closed period's point is therefore the period *as it stood when
  closed* (its reports and the plan's tasks, assignments and closings of that moment); records
  changed later (a task closed, a deadline extended, tasks added) do not move it. Reopening and
  closing the period again (a new ``closed_at``) recomputes it. The period shown, open and planned
  periods, a closed period without a closing time and a point still read as of ``today`` (before
  the day after the due date) are always computed live.

Every function here reads with a fixed number of queries whatever the plan's size: SQL does the
joins and the aggregates; Python sees tuples (``values_list`` / cursor rows), never a model
instance per task. The only writes are those of the stores it reads through (the trend points
here, :mod:`progress.standing_store` and :mod:`progress.state_store`), each in a savepoint.

**Two ways to count, one answer.** ``period_overview()`` builds every task's state in Python (what
the meeting pack, the assessment and the evaluation read with the states). The dashboard asks for
the overview without the states (``with_states=False``): it is counted in SQL over the stored task
states (:mod:`progress.state_store`: :func:`progress.states.read_states`' own output, computed
again only for the tasks whose inputs or day changed), with the attention list's and the binding
tasks' states read for those tasks only. ``dashboard/tests/test_counted_overview.py`` holds the two
equal on generated plans, for every kind of change.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import namedtuple
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import DatabaseError, connection, transaction
from django.db.models import BigIntegerField, CharField, Value
from django.utils import timezone

from dashboard.models import TrendSnapshot
from departments.models import Department
from indicators.models import OfficialActual
from indicators.selectors import SPEC_FIELDS, counts_as_reading, series_from_rows, target_spec
from indicators.trajectory import endangers_veto, evaluate
from progress.formatting import plain_decimal, target_text
from progress.models import (
    ActualState,
    PeriodStatus,
    ProgressReport,
    ProgressStatus,
    ReportStatus,
    ReviewPeriod,
    StandingCell,
    StoredState,
    TargetActual,
    TaskProgress,
)
from progress.standing_store import NO_LEAD
from progress.state_store import current_states
from progress.states import (
    DELIVERED_STATES,
    GREEN,
    LIGHT_LABELS,
    LIGHT_ORDER,
    LIGHTS,
    NOT_SUBMITTED,
    NOT_SUBMITTED_LABEL,
    RED,
    YELLOW,
    LeadCell,
    StateReads,
    TaskState,
    end_of_day,
    fetch_rows,
    lead_cell_rows,
    lead_cells,
    pairs_sql,
    read_states,
    table_name,
    task_veto_reason,
)
from progress.workflow import closed_by_sql, delivered_sql, owes_report
from tasks.models import AssignmentRole, Plan, Section, Target, Task
from xingping_tracker.core.sql import ids_in, placeholders

logger = logging.getLogger(__name__)

_SpecRow = namedtuple("_SpecRow", SPEC_FIELDS)  # a target's fields the indicators rule reads

_OFFICIAL = "official"  # marks the plan office's entries among the binding board's actual rows


@dataclass(frozen=True)
class StatusCount:
    key: str  # a ProgressStatus value or NOT_SUBMITTED
    label: str
    count: int


@dataclass
class SectionRow:
    """A chapter (top-level section) or one of its sections, with its tasks' counts. A chapter's
    counts include every task under it; a section's, the tasks in it and below it."""

    section_id: int
    heading: str
    level: int  # 0 chapter, 1 a section inside it, 2 deeper
    total: int = 0
    completed: int = 0
    red: int = 0
    yellow: int = 0
    children: list[SectionRow] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return _rate(self.completed, self.total)

    @property
    def green(self) -> int:
        return self.total - self.red - self.yellow


@dataclass
class LeadUnitRow:
    """One lead unit's tasks in the period. ``on_time`` / ``late``: its report was submitted before
    the end of the report due date / after it (delivered reports only); ``not_submitted``: still owed
    (:func:`progress.workflow.owes_report`: no report, a draft or a returned one, on a task not
    closed by the due date; a task closed by then counts in ``tasks`` only). ``silent``: supporting
    cells on its tasks still owing their contribution in the period (a unit silent on two of its
    tasks counts twice)."""

    unit_id: int
    name: str
    sort_order: int
    tasks: int = 0
    on_time: int = 0
    late: int = 0
    not_submitted: int = 0
    completed: int = 0
    red: int = 0
    yellow: int = 0
    silent: int = 0
    silent_tasks: int = 0  # its tasks with at least one such supporting unit (the list it opens)
    released: int = 0  # its tasks closed by the due date without a delivered report: nothing owed

    @property
    def submitted(self) -> int:
        return self.on_time + self.late

    @property
    def due(self) -> int:
        """Reports the unit had to make (应报): its tasks less those released without a report."""
        return self.tasks - self.released

    @property
    def rate(self) -> float:
        return _rate(self.completed, self.tasks)


@dataclass(frozen=True)
class BindingRow:
    """One target of a binding (约束性) task, with its latest delivered actual up to the period."""

    task_id: int
    number: int
    target_id: int
    indicator: str
    target_text: str  # e.g. "不低于 1.5%（2025年）"
    source_text: str
    actual_state: str  # an ActualState value, "" when never reported
    actual_value: Decimal | None
    actual_text: str  # the value with its unit, "数据尚未发布" or "尚未填报"
    data_date: dt.date | None
    actual_period: str  # the period whose report gave the actual
    lead_unit_ids: tuple[int, ...]
    light: str
    veto_risk: bool
    veto_reason: str


@dataclass(frozen=True)
class TrendPoint:
    period_id: int
    name: str
    as_of: dt.date
    total: int
    completed: int
    submitted: int  # tasks whose lead reports are all delivered
    red: int
    yellow: int
    opened: bool = True  # False: a period never opened (only the one shown is in the trend), no counts

    @property
    def completion_rate(self) -> float:
        return _rate(self.completed, self.total)

    @property
    def submitted_rate(self) -> float:
        return _rate(self.submitted, self.total)


@dataclass
class Overview:
    period: ReviewPeriod
    plan: Plan
    today: dt.date
    total: int
    completed: int
    completion_rate: float
    status_counts: list[StatusCount]
    light_counts: dict[str, int]
    chapters: list[SectionRow]
    lead_units: list[LeadUnitRow]
    binding: list[BindingRow]
    attention: list[TaskState]
    trend: list[TrendPoint]
    states: dict[int, TaskState]  # every task's state, by id in number order
    units: dict[int, str]  # every effective unit's name, by id
    sections: dict[int, Section]
    submitted: int = 0  # tasks whose lead reports are all delivered
    overdue: int = 0
    report_late: int = 0
    attention_total: int = 0  # len(attention) before a cached summary shortened it
    binding_tasks: int = 0  # binding tasks (the list 约束性指标 opens); ``binding`` has their targets

    @property
    def claimed_completed(self) -> int:
        """Tasks whose delivered lead reports state 已完成 (the units' claim, not yet the plan
        office's confirmation: ``completed``)."""
        return next((s.count for s in self.status_counts if s.key == ProgressStatus.COMPLETED), 0)

    @property
    def past_due(self) -> bool:
        return self.today > self.period.report_due_on

    @property
    def light_items(self) -> list[tuple[str, str, int]]:
        return [(light, LIGHT_LABELS[light], self.light_counts[light]) for light in LIGHTS]

    @property
    def submitted_rate(self) -> float:
        return _rate(self.submitted, self.total)

    def unit_names(self, unit_ids: Iterable[int]) -> list[str]:
        return [self.units.get(pk, "") for pk in unit_ids]


def _rate(part: int, whole: int) -> float:
    """A percentage with one decimal (0.0 for an empty whole)."""
    return round(100.0 * part / whole, 1) if whole else 0.0


def _heading(section: Section) -> str:
    return section.heading


def _section_counts_rows(own: dict[int | None, list[int]], sections: dict[int, Section]) -> list[SectionRow]:
    """The chapter rows from each section's own tasks' counts (section id → [total, completed, red,
    yellow]), added up each section's ancestors."""
    rows = {pk: SectionRow(section_id=pk, heading=_heading(s), level=0) for pk, s in sections.items()}
    for pk, section in sections.items():
        parent, level = section.parent_id, 0
        while parent is not None and parent in sections and level < 10:
            level += 1
            parent = sections[parent].parent_id
        rows[pk].level = level
    for pk, section in sections.items():  # already in position order
        if section.parent_id in rows:
            rows[section.parent_id].children.append(rows[pk])
    for section_id, (total, completed, red, yellow) in own.items():
        current = section_id
        seen = 0
        while current is not None and current in rows and seen < 10:
            row = rows[current]
            row.total += total
            row.completed += completed
            row.red += red
            row.yellow += yellow
            current = sections[current].parent_id
            seen += 1
    return [row for pk, row in rows.items() if sections[pk].parent_id is None or sections[pk].parent_id not in rows]


class _UnitCounts:
    """The lead units' rows, added up one lead cell (or one group of equal cells) at a time."""

    def __init__(self, units: dict[int, tuple[str, int]]):
        self.units = units  # unit id → (name, sort_order)
        self.rows: dict[int, LeadUnitRow] = {}

    def add(
        self,
        unit_id: int,
        *,
        status: str,
        on_time: bool,
        released: bool,
        completed: bool = False,
        light: str = "",
        silent: int = 0,
        silent_tasks: int = 0,
        count: int = 1,
    ) -> None:
        """Count ``count`` lead cells of the unit whose report is in ``status``: delivered on time or
        late, not submitted (still owed: :func:`progress.workflow.owes_report`), or released; with
        their tasks' completion and light (none without the states) and silent supporting cells."""
        row = self.rows.get(unit_id)
        if row is None:
            name, sort_order = self.units.get(unit_id, ("", 0))
            row = self.rows[unit_id] = LeadUnitRow(unit_id=unit_id, name=name, sort_order=sort_order)
        row.tasks += count
        if status in DELIVERED_STATES:
            if on_time:
                row.on_time += count
            else:
                row.late += count
        elif owes_report(status=status, released=released):
            row.not_submitted += count
        else:
            row.released += count
        if completed:
            row.completed += count
        if light == RED:
            row.red += count
        elif light == YELLOW:
            row.yellow += count
        row.silent += silent
        row.silent_tasks += silent_tasks

    def sorted_rows(self) -> list[LeadUnitRow]:
        return sorted(self.rows.values(), key=lambda r: (r.sort_order, r.name, r.unit_id))


def _lead_unit_rows(reads: StateReads, *, with_states: bool = True) -> list[LeadUnitRow]:
    """Per lead unit; without the task states (``with_states=False``: :func:`lead_unit_record`),
    ``completed``, ``red`` and ``yellow`` stay 0."""
    states, silent = reads.states, reads.silent
    counts = _UnitCounts(reads.units)
    for task_id, unit_id, status, on_time, released in reads.lead_cells:
        state = states.get(task_id) if with_states else None
        if state is None and with_states:
            continue
        counts.add(
            unit_id,
            status=status,
            on_time=on_time,
            released=released,
            completed=state is not None and state.is_completed,
            light=state.light if state is not None else "",
            silent=silent.get(task_id, 0),
            silent_tasks=int(task_id in silent),
        )
    return counts.sorted_rows()


def read_period(period: ReviewPeriod, *, today: dt.date | None = None) -> StateReads:
    """Every task's state in ``period`` with the sections, the units and the lead cells they were
    read with (the four queries of :func:`task_states`), for a reader that also needs the lead units'
    record (:func:`lead_unit_rows`) without the rest of the overview (the evaluation report)."""
    return read_states(period, today=today or timezone.localdate(), task_ids=None)


def lead_unit_rows(reads: StateReads) -> list[LeadUnitRow]:
    """The overview's ``lead_units`` of a :func:`read_period` (no query)."""
    return _lead_unit_rows(reads)


def lead_unit_record(period: ReviewPeriod) -> list[LeadUnitRow]:
    """The lead units' reports in ``period`` — tasks, on time, late, not submitted, silent — counted
    as the overview's ``lead_units`` (their ``completed`` / ``red`` / ``yellow``, which need the task
    states, stay 0): two queries (the cells, the units) whatever the plan's size, for a reader of
    many periods (the evaluation report's units' record)."""
    rows = lead_cell_rows(period, task_condition="t.plan_id = %s", task_params=[period.plan_id])
    cells: list[LeadCell] = []
    silent: dict[int, int] = {}
    for task_id, unit_id, status, _progress, count, on_time, released in rows:
        if unit_id is None:
            silent[task_id] = int(count)
        else:
            cells.append((task_id, unit_id, status or "", on_time == 1, released == 1))
    units = {pk: (name, order) for pk, name, order in Department.objects.values_list("pk", "name", "sort_order")}
    return _lead_unit_rows(StateReads({}, cells, silent, {}, units), with_states=False)


def period_standing(
    period: ReviewPeriod, *, today: dt.date | None = None
) -> tuple[dict[int, TaskState], list[LeadUnitRow]]:
    """Every task's standing in ``period`` (as :func:`task_states`) and the overview's per-lead-unit
    rows (on time / late / not submitted, by the definitions above), in the same four queries: what
    the annual assessment (:mod:`assessment.selectors`) reads of the year's last period."""
    reads = read_period(period, today=today)
    return reads.states, _lead_unit_rows(reads)


def period_report_counts(period: ReviewPeriod) -> dict[int, LeadUnitRow]:
    """Each lead unit's reports of ``period`` (by unit id): on time, late and not submitted as
    :func:`period_standing`'s rows count them (their other columns left at 0), in one query,
    without the tasks' states or the silent supporting cells: what the annual assessment reads of
    the year's earlier periods."""
    rows = _lead_unit_rows(StateReads({}, lead_cells(period), {}, {}, {}), with_states=False)
    return {row.unit_id: row for row in rows}


def _binding_rows(periods: list[ReviewPeriod], states: dict[int, TaskState], *, plan: Plan) -> list[BindingRow]:
    """The binding tasks' targets with their latest actual up to the period shown: the latest reading
    (by data date, as :func:`indicators.selectors.actual_series` orders them) of a delivered lead
    report in ``periods`` (the plan's periods up to the one shown), or 数据尚未发布 when a later
    period's lead report gives no figure; unless the plan office entered a value
    (:class:`indicators.models.OfficialActual`) for that year or a later one up to the period's year,
    which then wins, as in the series.

    Whether the target puts 一票否优 at risk is what the year's assessment will ask, of what is known
    in the period shown (the reports of ``periods`` and the plan office's entries up to its year): the
    target's evaluation as of the period's year (:func:`indicators.trajectory.evaluate` on the series of
    :func:`indicators.selectors.actual_series`, built from the rows read here by its
    ``series_from_rows``) by the one rule, :func:`indicators.trajectory.endangers_veto`. Three queries,
    each by index: the targets; the reports' and the plan office's actuals in one UNION; the
    actuals' reports by primary key. A report's role is the series' (lead when its unit leads the
    task now: the effective lead units, ``TaskState.lead_unit_ids``, read from the same primary
    cells as :func:`progress.states.lead_report_q`). Joining the actuals to the reports in one query
    let PostgreSQL hash all 100,000 reports of the synthetic plan (36 ms) for 1,439 actuals. The id
    lists go as one array each on PostgreSQL (the ``in_ids`` lookup of :mod:`xingping_tracker.core.sql`)."""
    binding_ids = [pk for pk, s in states.items() if s.binding]
    if not binding_ids:
        return []
    # In the tasks' order (their number, from the states: joining the task table for it let
    # PostgreSQL scan all 10,000 tasks of the synthetic plan for 205 targets), then the targets'.
    found = Target.objects.filter(task_id__in_ids=binding_ids).order_by().values_list(
        "pk",
        "task_id",
        "position",
        "indicator",
        "value",
        "value_max",
        "unit",
        "direction",
        "basis",
        "year",
        "source_text",
        "baseline_value",
        "baseline_year",
    )
    targets = [
        (pk, task_id, states[task_id].number, *rest)
        for pk, task_id, _position, *rest in sorted(found, key=lambda row: (states[row[1]].number, row[2], row[0]))
    ]
    if not targets:
        return []
    as_of_year = periods[-1].starts_on.year  # the period shown
    years = (
        plan.period_start.year if plan.period_start else None,
        plan.period_end.year if plan.period_end else None,
    )
    # Filtered in Python, not SQL: a condition on the report would let SQLite start from the 100,000
    # reports instead of the targets' index (seconds instead of milliseconds).
    order = {p.pk: (index, p.name, p.starts_on.year) for index, p in enumerate(periods)}
    last_year = max((p.starts_on.year for p in periods), default=0)
    target_ids = [row[0] for row in targets]
    text = CharField()
    reported = (
        TargetActual.objects.filter(target_id__in_ids=target_ids)
        .order_by()
        .values_list(
            "target_id",
            "state",
            "value",
            "data_date",
            "pk",
            Value(0, output_field=BigIntegerField()),  # the report's period, read below
            Value("", output_field=text),
            Value("", output_field=text),
            "report_id",
        )
    )
    # The plan office's entries ride in the same query: their year in the period column, marked by role.
    official = (
        OfficialActual.objects.filter(target_id__in_ids=target_ids, year__lte=last_year)
        .order_by()
        .values_list(
            "target_id",
            Value(ActualState.REPORTED, output_field=text),
            "value",
            "data_date",
            "pk",
            "year",
            Value(_OFFICIAL, output_field=text),
            Value(_OFFICIAL, output_field=text),
            Value(0, output_field=BigIntegerField()),
        )
    )
    latest: dict[int, tuple] = {}
    best_reading: dict[int, tuple] = {}  # target id → (rank, its row) of the latest reading
    best_other: dict[int, tuple] = {}  # … of the latest other delivered lead entry (数据尚未发布)
    entered: dict[int, tuple] = {}  # target id → (year, data date, value) of the plan office's latest entry
    readings: list[tuple[int, dt.date, Decimal, int]] = []  # the series' report rows (indicators' rule)
    official_rows: list[tuple[int, int, Decimal, dt.date | None]] = []
    rows = list(reported.union(official, all=True))
    report_ids = {row[8] for row in rows if row[6] != _OFFICIAL}
    reports: dict[int, tuple[int, str, str]] = {}  # report id → (its period, its state, its role)
    if report_ids:
        condition, params = ids_in("r.id", sorted(report_ids))
        for report_id, period_id, status, task_id, unit_id in fetch_rows(
            f"SELECT r.id, r.period_id, r.status, r.task_id, r.department_id"
            f" FROM {table_name(ProgressReport)} r WHERE {condition}",
            params,
        ):
            task_state = states.get(task_id)
            lead = task_state is not None and unit_id in task_state.lead_unit_ids
            reports[report_id] = (period_id, status, AssignmentRole.LEAD if lead else "")
    for target_id, state, value, data_date, pk, period_id, role, status, report_id in rows:
        if role != _OFFICIAL:
            if report_id not in reports:  # deleted (with its actuals) between the two reads
                continue
            period_id, status, role = reports[report_id]
        if role == _OFFICIAL:
            official_rows.append((target_id, period_id, value, data_date))
            if target_id not in entered or (period_id, data_date or dt.date.min) > entered[target_id][:2]:
                entered[target_id] = (period_id, data_date or dt.date.min, value, data_date)
            continue
        if period_id not in order:  # a later period's report: not yet known in the period shown
            continue
        index, period_name, period_year = order[period_id]
        if counts_as_reading(state, value, data_date, role, status):
            readings.append((target_id, data_date, value, report_id))
            # The latest reading as the series orders them (data date, then report): the one shown.
            rank = (data_date, report_id)
            if target_id not in best_reading or rank > best_reading[target_id][0]:
                entry = (target_id, state, value, data_date, period_name, data_date.year)
                best_reading[target_id] = (rank, index, entry)
        elif role == AssignmentRole.LEAD and status in DELIVERED_STATES:
            rank = (index, pk)
            if target_id not in best_other or rank > best_other[target_id][0]:
                best_other[target_id] = (rank, index, (target_id, state, value, data_date, period_name, period_year))
    for target_id in best_reading.keys() | best_other.keys():
        reading, other = best_reading.get(target_id), best_other.get(target_id)
        # A later period's report that gives no figure (数据尚未发布) is shown instead of the last figure.
        shown = other if reading is None or (other is not None and other[1] > reading[1]) else reading
        latest[target_id] = shown[2]
    for target_id, (year_of, _rank, value, data_date) in entered.items():
        current = latest.get(target_id)
        if current is None or year_of >= current[5]:
            latest[target_id] = (
                target_id,
                ActualState.REPORTED,
                value,
                data_date,
                f"规划科录入（{year_of}年）",
                year_of,
            )
    # Each target's series as indicators.selectors.actual_series reads it, from the rows read above.
    series = series_from_rows(target_ids, readings, official_rows)
    rows = []
    for (
        pk,
        task_id,
        number,
        indicator,
        value,
        value_max,
        unit,
        direction,
        basis,
        year,
        source,
        baseline_value,
        baseline_year,
    ) in targets:
        state = states[task_id]
        _t, actual_state, actual_value, data_date, period_name, _y = latest.get(pk, (pk, "", None, None, "", 0))
        reasons = []
        # The task itself in danger: red, or at risk / without a lead unit (a late report alone is not).
        task_reason = task_veto_reason(state)
        if task_reason:
            reasons.append(task_reason)
        spec = target_spec(
            _SpecRow(direction, basis, value, value_max, unit, year, baseline_value, baseline_year), years=years
        )
        evaluation = evaluate(spec, series[pk], as_of_year=as_of_year)
        if endangers_veto(evaluation.met, evaluation.status):
            reasons.append(f"指标{evaluation.status_label}：{evaluation.explanation.rstrip('。')}")
        if actual_state == ActualState.REPORTED and actual_value is not None:
            actual_text = f"{plain_decimal(actual_value)}{unit}"
        elif actual_state == ActualState.NOT_RELEASED:
            actual_text = ActualState.NOT_RELEASED.label
        else:
            actual_text = "尚未填报"
        rows.append(
            BindingRow(
                task_id=task_id,
                number=number,
                target_id=pk,
                indicator=indicator,
                target_text=target_text(
                    direction=direction, basis=basis, value=value, value_max=value_max, unit=unit, year=year
                ),
                source_text=source,
                actual_state=actual_state,
                actual_value=actual_value if actual_state == ActualState.REPORTED else None,
                actual_text=actual_text,
                data_date=data_date,
                actual_period=period_name,
                lead_unit_ids=state.lead_unit_ids,
                light=state.light,
                veto_risk=bool(reasons),
                veto_reason="；".join(reasons) + ("，有一票否优风险" if reasons else ""),
            )
        )
    return rows


def _trend_as_of(period: ReviewPeriod, *, selected: ReviewPeriod, today: dt.date) -> dt.date:
    return today if period.pk == selected.pk else _earlier_as_of(period, today=today)


def _earlier_as_of(period: ReviewPeriod, *, today: dt.date) -> dt.date:
    """The day an earlier period of the trend is read as of: the day after its due date, or
    ``today`` when sooner."""
    return min(today, period.report_due_on + dt.timedelta(days=1))


def _typed(param: str, sql_type: str) -> str:
    """A parameter usable in a SELECT list: PostgreSQL needs its type, SQLite compares the text."""
    return f"CAST({param} AS {sql_type})" if connection.vendor == "postgresql" else param


def _trend(periods: list[ReviewPeriod], *, plan_id: int, as_of: dict[int, dt.date]) -> dict[int, tuple[int, ...]]:
    """(total, completed, submitted, red, yellow) of each of ``periods`` of plan ``plan_id`` as of its
    day in ``as_of`` (by period id) by the overview's rules, aggregated in SQL over the lead reports:
    one query whatever the number of periods and tasks."""
    if not periods:
        return {}
    constants, constant_params = [], []
    for p in periods:
        day = as_of[p.pk]
        constants.append(
            f"SELECT %s AS period_id, {_typed('%s', 'date')} AS as_of,"
            f" {_typed('%s', 'timestamptz')} AS closed_by, %s AS past_due,"
            f" {_typed('%s', 'timestamptz')} AS due_end"
        )
        constant_params += [
            p.pk,
            connection.ops.adapt_datefield_value(day),
            connection.ops.adapt_datetimefield_value(end_of_day(day)),
            1 if day > p.report_due_on else 0,
            connection.ops.adapt_datetimefield_value(end_of_day(p.report_due_on)),
        ]
    lead, lead_params = pairs_sql(
        role=AssignmentRole.LEAD, task_condition="t.plan_id = %s", task_params=[plan_id]
    )
    report, task, progress = table_name(ProgressReport), table_name(Task), table_name(TaskProgress)
    period_ids = [p.pk for p in periods]
    delivered, states = delivered_sql("r.status")
    closed_as_of, closed_params = closed_by_sql("tp.status", "tp.completed_at", "pc.closed_by")
    released, released_params = closed_by_sql("tp.status", "tp.completed_at", "pc.due_end")
    sql = f"""
        WITH lp AS ({lead}),
        lc AS (SELECT lp.task_id AS task_id, COUNT(*) AS n FROM lp GROUP BY lp.task_id),
        ag AS (
            SELECT r.period_id AS period_id, r.task_id AS task_id,
                   SUM(CASE WHEN {delivered} THEN 1 ELSE 0 END) AS delivered,
                   SUM(CASE WHEN r.status = %s AND r.progress_status = %s THEN 1 ELSE 0 END) AS done,
                   MAX(CASE WHEN {delivered} AND r.progress_status = %s THEN 1 ELSE 0 END) AS delayed,
                   MAX(CASE WHEN {delivered} AND r.progress_status = %s THEN 1 ELSE 0 END) AS at_risk
            FROM {report} r JOIN lp ON lp.task_id = r.task_id AND lp.unit_id = r.department_id
            WHERE r.period_id IN ({placeholders(period_ids)})
            GROUP BY r.period_id, r.task_id
        )
        SELECT f.period_id, COUNT(*), SUM(f.completed), SUM(f.delivered),
               SUM(CASE WHEN f.completed = 0 AND (f.overdue = 1 OR f.delayed = 1) THEN 1 ELSE 0 END),
               SUM(CASE WHEN f.completed = 0 AND f.overdue = 0 AND f.delayed = 0
                         AND (f.at_risk = 1 OR f.no_lead = 1 OR f.late = 1) THEN 1 ELSE 0 END)
        FROM (
            SELECT pc.period_id AS period_id,
                   CASE WHEN {closed_as_of}
                             OR (lc.n IS NOT NULL AND COALESCE(ag.done, 0) = lc.n) THEN 1 ELSE 0 END AS completed,
                   CASE WHEN lc.n IS NOT NULL AND COALESCE(ag.delivered, 0) = lc.n THEN 1 ELSE 0 END AS delivered,
                   CASE WHEN COALESCE(tp.extended_deadline, t.deadline) < pc.as_of THEN 1 ELSE 0 END AS overdue,
                   COALESCE(ag.delayed, 0) AS delayed,
                   COALESCE(ag.at_risk, 0) AS at_risk,
                   CASE WHEN lc.n IS NULL THEN 1 ELSE 0 END AS no_lead,
                   CASE WHEN pc.past_due = 1 AND lc.n IS NOT NULL AND COALESCE(ag.delivered, 0) < lc.n
                             AND NOT {released} THEN 1 ELSE 0 END AS late
            FROM {task} t
            CROSS JOIN ({" UNION ALL ".join(constants)}) pc
            LEFT JOIN {progress} tp ON tp.task_id = t.id
            LEFT JOIN lc ON lc.task_id = t.id
            LEFT JOIN ag ON ag.task_id = t.id AND ag.period_id = pc.period_id
            WHERE t.plan_id = %s
        ) f
        GROUP BY f.period_id
    """
    params = [
        *lead_params,
        *states,
        ReportStatus.ACCEPTED,
        ProgressStatus.COMPLETED,
        *states,
        ProgressStatus.DELAYED,
        *states,
        ProgressStatus.AT_RISK,
        *period_ids,
        *closed_params,
        *released_params,
        *constant_params,
        plan_id,
    ]
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in fetch_rows(sql, params)}


_SNAPSHOT_FIELDS = ("total", "completed", "submitted", "red", "yellow")
_NO_COUNTS = (0, 0, 0, 0, 0)
_SNAPSHOT_COLUMNS = tuple(f"trend_snapshot__{name}" for name in ("closed_at", "as_of", *_SNAPSHOT_FIELDS))


def _storable(period: ReviewPeriod, *, as_of: dt.date) -> bool:
    """A trend point that can be stored: a closed period (with its closing time) read as of the day
    after its report due date (a sooner ``today`` gives a point that still moves)."""
    return (
        period.status == PeriodStatus.CLOSED
        and period.closed_at is not None
        and as_of == period.report_due_on + dt.timedelta(days=1)
    )


def _stored_counts(period: ReviewPeriod, *, as_of: dt.date) -> tuple[int, ...] | None:
    """The stored point of ``period`` (read with it, ``select_related``) when it is still valid."""
    try:
        snapshot = period.trend_snapshot
    except TrendSnapshot.DoesNotExist:
        return None
    if snapshot.closed_at != period.closed_at or snapshot.as_of != as_of:
        return None
    return tuple(getattr(snapshot, name) for name in _SNAPSHOT_FIELDS)


def _store(points: list[tuple[ReviewPeriod, dt.date, tuple[int, ...]]]) -> bool:
    """Store (or replace) computed points in one upsert: concurrent readers storing the same period
    meet in ``ON CONFLICT … DO UPDATE``, not on the unique constraint. A point that cannot be
    stored is only a missed cache: the read goes on (False)."""
    now = timezone.now()
    rows = [
        TrendSnapshot(
            period_id=p.pk,
            closed_at=p.closed_at,
            as_of=as_of,
            computed_at=now,
            **dict(zip(_SNAPSHOT_FIELDS, counts, strict=True)),
        )
        for p, as_of, counts in points
    ]
    try:
        with transaction.atomic():
            TrendSnapshot.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["period"],
                update_fields=["closed_at", "as_of", "computed_at", *_SNAPSHOT_FIELDS],
            )
    except DatabaseError:  # e.g. the period deleted meanwhile
        logger.warning("trend points not stored for periods %s", [p.pk for p, _a, _c in points], exc_info=True)
        return False
    return True


def store_closed_point(period_id: int, *, today: dt.date | None = None) -> bool:
    """Compute and store the trend point of a closed period now, when it can be stored (read as of
    the day after its report due date, which has come); whether it was stored.

    Called on the commit of a closing (:mod:`dashboard.closings`): the period is then frozen, so its
    point is the period as it stood when closed, and the first dashboard after a closing reads it
    instead of computing the trend of the plan's tasks. A point already stored for this closing is
    kept; a period closed before its due date has passed is left to the first overview that reads it
    once it can be stored (or the daily refresh job)."""
    today = today or timezone.localdate()
    period = (
        ReviewPeriod.objects.filter(pk=period_id)
        .select_related("trend_snapshot")
        .only("pk", "report_due_on", "plan_id", "status", "closed_at", *_SNAPSHOT_COLUMNS)
        .first()
    )
    if period is None:
        return False
    as_of = _earlier_as_of(period, today=today)
    if not _storable(period, as_of=as_of) or _stored_counts(period, as_of=as_of) is not None:
        return False
    computed = _trend([period], plan_id=period.plan_id, as_of={period.pk: as_of})
    return _store([(period, as_of, computed.get(period.pk, _NO_COUNTS))])


def _trend_points(
    periods: list[ReviewPeriod], *, selected: ReviewPeriod, today: dt.date, current: tuple[int, ...]
) -> list[TrendPoint]:
    """The trend: the period shown from its own overview; earlier periods from their stored points
    when closed (see the module docstring), else from :func:`_trend` (one query for all of them),
    storing the points of closed ones. ``periods`` come with their ``trend_snapshot``."""
    counts: dict[int, tuple[int, ...]] = {}
    live: list[ReviewPeriod] = []
    as_of = {p.pk: _trend_as_of(p, selected=selected, today=today) for p in periods}
    for p in periods:
        if p.pk == selected.pk:
            continue
        stored = _stored_counts(p, as_of=as_of[p.pk]) if _storable(p, as_of=as_of[p.pk]) else None
        if stored is None:
            live.append(p)
        else:
            counts[p.pk] = stored
    if live:
        computed = _trend(live, plan_id=selected.plan_id, as_of=as_of)
        counts.update(computed)
        to_store = [(p, as_of[p.pk], computed.get(p.pk, _NO_COUNTS)) for p in live if _storable(p, as_of=as_of[p.pk])]
        if to_store:
            _store(to_store)
    counts[selected.pk] = current
    points = []
    for p in periods:
        total, completed, submitted, red, yellow = counts.get(p.pk, _NO_COUNTS)
        if p.status == PeriodStatus.PLANNED:  # the period shown, never opened: no counts to show
            total = completed = submitted = red = yellow = 0
        points.append(
            TrendPoint(
                period_id=p.pk,
                name=p.name,
                as_of=_trend_as_of(p, selected=selected, today=today),
                total=total,
                completed=completed,
                submitted=submitted,
                red=red,
                yellow=yellow,
                opened=p.status != PeriodStatus.PLANNED,
            )
        )
    return points


@dataclass
class _Counts:
    """The overview's task counts, added up one task (or one group of equal tasks) at a time."""

    total: int = 0
    completed: int = 0
    submitted: int = 0
    overdue: int = 0
    report_late: int = 0
    binding: int = 0
    lights: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LIGHTS, 0))
    # ProgressStatus values, and "" for no delivered lead report
    progress: dict[str, int] = field(default_factory=lambda: dict.fromkeys([*ProgressStatus.values, ""], 0))
    sections: dict[int | None, list[int]] = field(default_factory=dict)  # own tasks: [total, completed, red, yellow]

    def add(
        self,
        *,
        section_id: int | None,
        light: str,
        progress: str,
        completed: bool,
        delivered: bool,
        overdue: bool,
        late: bool,
        binding: bool,
        count: int = 1,
    ) -> None:
        self.total += count
        self.lights[light] += count
        self.progress[progress] += count
        section = self.sections.get(section_id)
        if section is None:
            section = self.sections[section_id] = [0, 0, 0, 0]
        section[0] += count
        if completed:
            self.completed += count
            section[1] += count
        if light == RED:
            section[2] += count
        elif light == YELLOW:
            section[3] += count
        if delivered:
            self.submitted += count
        if overdue:
            self.overdue += count
        if late:
            self.report_late += count
        if binding:
            self.binding += count

    def status_counts(self) -> list[StatusCount]:
        counts = [StatusCount(key, label, self.progress[key]) for key, label in ProgressStatus.choices]
        counts.append(StatusCount(NOT_SUBMITTED, NOT_SUBMITTED_LABEL, self.progress[""]))
        return counts


def period_overview(
    period: ReviewPeriod,
    *,
    today: dt.date | None = None,
    with_trend: bool = True,
    with_states: bool = True,
    attention: int | None = None,
) -> Overview:
    """Where the period's plan stands (see the module docstring): a fixed number of queries whatever
    the plan's size: eight (the plan, four for the task states, the periods with their stored trend
    points, two for the binding indicators), plus, when an earlier period's point is not stored, one
    for the trend and the upsert of the closed periods' points (in a savepoint).

    ``with_states=False`` (what the dashboard shows): the same overview without ``states``, and with
    only the first ``attention`` attention tasks (all when None), counted in SQL from the stored
    task states (:mod:`progress.state_store`, brought up to date first) instead of building every
    task's state in Python; computed in Python as above when they could not be stored."""
    today = today or timezone.localdate()
    if not with_states:
        overview = _counted_overview(period, today=today, with_trend=with_trend, attention=attention)
        if overview is not None:
            return overview
    plan = Plan.objects.defer("source_text").get(pk=period.plan_id)
    reads = read_states(period, today=today, task_ids=None)
    states = reads.states
    counts = _Counts()
    flagged = []
    for state in states.values():  # one pass for every count
        counts.add(
            section_id=state.section_id,
            light=state.light,
            progress=state.progress_status,
            completed=state.is_completed,
            delivered=state.delivered,
            overdue=state.is_overdue,
            late=state.report_late,
            binding=state.binding,
        )
        if state.light != GREEN:
            flagged.append(state)
    # Already in number order (then id): a stable sort by light alone keeps it within each light.
    flagged.sort(key=lambda s: LIGHT_ORDER[s.light])
    return _overview(
        period,
        plan=plan,
        today=today,
        with_trend=with_trend,
        counts=counts,
        chapters=_section_counts_rows(counts.sections, reads.sections),
        lead_units=_lead_unit_rows(reads),
        binding_states=states,
        attention=flagged if attention is None else flagged[:attention],
        attention_total=len(flagged),
        states=states if with_states else {},
        reads=reads,
    )


def _counted_overview(
    period: ReviewPeriod, *, today: dt.date, with_trend: bool, attention: int | None
) -> Overview | None:
    """:func:`period_overview` without the states, counted in SQL over the stored task states (None
    when they could not be brought up to date): four aggregates (the tasks by section and by the
    fields counted, the lead cells by unit, the attention tasks' and the binding tasks' ids), then
    :func:`progress.states.read_states` of those tasks only."""
    if not current_states(period, today=today):
        return None
    plan = Plan.objects.defer("source_text").get(pk=period.plan_id)
    state = table_name(StoredState)
    counts = _Counts()
    for section_id, light, progress, completed, delivered, overdue, late, binding, count in fetch_rows(
        "SELECT section_id, light, progress_status, is_completed, delivered, is_overdue, report_late, binding,"
        f" COUNT(*) FROM {state} WHERE period_id = %s GROUP BY section_id, light, progress_status,"
        " is_completed, delivered, is_overdue, report_late, binding",
        [period.pk],
    ):
        counts.add(
            section_id=section_id,
            light=light,
            progress=progress,
            completed=completed,
            delivered=delivered,
            overdue=overdue,
            late=late,
            binding=binding,
            count=count,
        )
    # Each lead cell stored with the task's state (same stamp and due date; progress.state_store).
    unit_groups = fetch_rows(
        f"""
        SELECT c.unit_id, c.status, c.on_time, c.released, s.is_completed, s.light, COUNT(*), SUM(c.silent),
               SUM(CASE WHEN c.silent > 0 THEN 1 ELSE 0 END)
        FROM {state} s JOIN {table_name(StandingCell)} c
          ON c.period_id = s.period_id AND c.task_id = s.task_id AND c.stamp = s.stamp AND c.due_on = s.due_on
        WHERE s.period_id = %s AND c.unit_id <> %s
        GROUP BY c.unit_id, c.status, c.on_time, c.released, s.is_completed, s.light
        """,
        [period.pk, NO_LEAD],
    )
    # In number order (then id) within each light, red first: as the full path's stable sort.
    limit, limit_params = ("", []) if attention is None else (" LIMIT %s", [attention])
    attention_ids = [
        row[0]
        for row in fetch_rows(
            f"SELECT task_id FROM {state} WHERE period_id = %s AND light <> %s"
            f" ORDER BY CASE WHEN light = %s THEN 0 ELSE 1 END, number, task_id{limit}",
            [period.pk, GREEN, RED, *limit_params],
        )
    ]
    binding_ids = [
        row[0] for row in fetch_rows(f"SELECT task_id FROM {state} WHERE period_id = %s AND binding", [period.pk])
    ]
    reads = read_states(period, today=today, task_ids=[*attention_ids, *binding_ids])
    units = _UnitCounts(reads.units)
    for unit_id, status, on_time, released, completed, light, count, silent, silent_tasks in unit_groups:
        units.add(
            unit_id,
            status=status or "",
            on_time=bool(on_time),
            released=bool(released),
            completed=bool(completed),
            light=light,
            silent=int(silent or 0),
            silent_tasks=int(silent_tasks or 0),
            count=count,
        )
    found = reads.states
    return _overview(
        period,
        plan=plan,
        today=today,
        with_trend=with_trend,
        counts=counts,
        chapters=_section_counts_rows(counts.sections, reads.sections),
        lead_units=units.sorted_rows(),
        binding_states={pk: found[pk] for pk in binding_ids if pk in found},
        attention=[found[pk] for pk in attention_ids if pk in found],
        attention_total=counts.lights[RED] + counts.lights[YELLOW],
        states={},
        reads=reads,
    )


def _overview(
    period: ReviewPeriod,
    *,
    plan: Plan,
    today: dt.date,
    with_trend: bool,
    counts: _Counts,
    chapters: list[SectionRow],
    lead_units: list[LeadUnitRow],
    binding_states: dict[int, TaskState],
    attention: list[TaskState],
    attention_total: int,
    states: dict[int, TaskState],
    reads: StateReads,
) -> Overview:
    """The overview from its counts, whichever way they were counted (the periods, the binding
    board and the trend read here)."""
    periods = list(
        ReviewPeriod.objects.filter(plan_id=period.plan_id, starts_on__lte=period.starts_on)
        .order_by("starts_on", "pk")
        .select_related("trend_snapshot")
        .only("pk", "name", "starts_on", "report_due_on", "plan_id", "status", "closed_at", *_SNAPSHOT_COLUMNS)
    )
    lights = counts.lights
    current = (counts.total, counts.completed, counts.submitted, lights[RED], lights[YELLOW])
    # Periods never opened have no reports: not in the trend (the one shown stays, marked as such).
    trend_periods = [p for p in periods if p.status != PeriodStatus.PLANNED or p.pk == period.pk]
    return Overview(
        period=period,
        plan=plan,
        today=today,
        total=counts.total,
        completed=counts.completed,
        completion_rate=_rate(counts.completed, counts.total),
        status_counts=counts.status_counts(),
        light_counts=lights,
        chapters=chapters,
        lead_units=lead_units,
        binding=_binding_rows(periods, binding_states, plan=plan),
        attention=attention,
        trend=_trend_points(trend_periods, selected=period, today=today, current=current) if with_trend else [],
        states=states,
        units={pk: name for pk, (name, _order) in reads.units.items()},
        sections=reads.sections,
        submitted=counts.submitted,
        overdue=counts.overdue,
        report_late=counts.report_late,
        attention_total=attention_total,
        binding_tasks=counts.binding,
    )
