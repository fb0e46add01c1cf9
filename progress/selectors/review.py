"""Reads for the plan office's pages (leadership reads them too): periods, the review board and its
units, the review queue, one report with everything around it (and last period's report to compare
with), the silent supporting units, what closing a period leaves open, and extension requests.

The board answers "who has submitted, who is late, who is silent" for one period. Its per-unit
summary and its filters work in SQL on the effective (task, unit) cells of the whole plan; only
the page shown (100 tasks) is built in Python, so neither the number of queries nor the Python
work grows with the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from access.actor import Actor
from access.querysets import reports_visible_to
from departments.models import Department
from progress.models import (
    ExtensionRequest,
    ExtensionStatus,
    PeriodStatus,
    ProgressReport,
    ReportEvent,
    ReportStatus,
    ReviewPeriod,
    TargetActual,
)
from progress.states import report_role_q
from progress.workflow import DELIVERED_REPORT_STATES, owed_sql, owes_report, released_sql
from tasks.models import Assignment, AssignmentRole, EffectiveAssignment, EffectiveCellCount, Plan, Task
from tasks.selectors import unit_cells
from xingping_tracker.core.sql import ids_in

DELIVERED_STATES = DELIVERED_REPORT_STATES  # reached the plan office: its unit is neither late nor silent
NOT_STARTED = "none"  # the board's status for "no report yet" (未填报)
NOT_STARTED_LABEL = "未填报"
BOARD_STATUS_CHOICES: list[tuple[str, str]] = [(NOT_STARTED, NOT_STARTED_LABEL), *ReportStatus.choices]


# --- periods ---------------------------------------------------------------------------------


def latest_open_period() -> ReviewPeriod | None:
    """The latest open period of the newest plan that has one open."""
    return (
        ReviewPeriod.objects.filter(status=PeriodStatus.OPEN)
        .select_related("plan")
        .order_by("-plan__issued_on", "-plan_id", "-starts_on")
        .first()
    )


def _lead_reports(status: str | None = None) -> Q:
    condition = Q(reports__role=AssignmentRole.LEAD)
    if status is not None:
        condition &= Q(reports__status=status)
    return condition


def plans_with_periods() -> list[Plan]:
    """Plans (newest first), each with ``period_rows``: its periods with counts of lead reports
    (``report_count``, ``submitted_count`` awaiting review, ``accepted_count``, ``returned_count``).
    Two queries whatever the number of plans and periods."""
    periods = ReviewPeriod.objects.annotate(
        report_count=Count("reports", filter=_lead_reports()),
        submitted_count=Count("reports", filter=_lead_reports(ReportStatus.SUBMITTED)),
        accepted_count=Count("reports", filter=_lead_reports(ReportStatus.ACCEPTED)),
        returned_count=Count("reports", filter=_lead_reports(ReportStatus.RETURNED)),
    ).order_by("starts_on", "pk")
    return list(
        Plan.objects.defer("source_text")
        .order_by("-issued_on", "-id")
        .prefetch_related(Prefetch("review_periods", queryset=periods, to_attr="period_rows"))
    )


# --- the board -------------------------------------------------------------------------------

BOARD_PAGE_SIZE = 100
TASK_TEXT_CHARS = 60


@dataclass
class LeadCell:
    department: Department
    report_id: int | None
    status: str  # a ReportStatus value or NOT_STARTED
    status_label: str
    late: bool
    url: str = ""  # the report's page, when there is a report


@dataclass
class SupportCell:
    department: Department
    report_id: int | None
    status: str
    delivered: bool
    url: str = ""
    owed: bool = True  # progress.workflow.owes_report: not delivered, on a task not closed by the due date

    @property
    def silent(self) -> bool:
        return self.owed


@dataclass
class BoardRow:
    task: Task
    leads: list[LeadCell]
    supporting: list[SupportCell]
    task_url: str = ""
    task_summary: str = ""  # the task's text, shortened
    released: bool = False  # closed (办结) by the period's due date: nothing owed (progress.workflow)

    @property
    def late(self) -> bool:
        return any(cell.late for cell in self.leads)

    @property
    def silent_count(self) -> int:
        return sum(1 for cell in self.supporting if cell.silent)

    @property
    def unit_ids(self) -> set[int]:
        return {cell.department.pk for cell in self.leads} | {cell.department.pk for cell in self.supporting}


UNIT_ROLES = {"lead": 0, "supporting": 1}  # the board's cell column ``supporting`` per unit role


@dataclass
class UnitSummary:
    department: Department
    led: int = 0
    not_started: int = 0
    draft: int = 0
    submitted: int = 0
    accepted: int = 0
    returned: int = 0
    late: int = 0
    supporting: int = 0
    silent: int = 0

    @property
    def problem(self) -> bool:
        """A unit the plan office has to chase: late lead reports, silent contributions or returned reports."""
        return bool(self.late or self.silent or self.returned)


@dataclass(frozen=True, kw_only=True)
class BoardFilters:
    department_id: int | None = None  # tasks where the unit is an effective (lead or supporting) unit
    status: str | None = None  # a lead unit's report has this status (a ReportStatus value or NOT_STARTED)
    late_only: bool = False
    silent_only: bool = False
    binding_only: bool = False
    task_number: int | None = None
    owed_only: bool = False  # a lead unit still owes its report (late or not yet due; progress.workflow)
    # With ``department_id``: "lead" or "supporting" reads ``status``, ``late_only``, ``owed_only`` and
    # ``silent_only`` on that unit's own cell (the per-unit counts of the summary link here), not on
    # any unit of the task.
    unit_role: str | None = None

    @property
    def active(self) -> bool:
        return any(
            (
                self.department_id,
                self.status,
                self.late_only,
                self.silent_only,
                self.binding_only,
                self.task_number is not None,
                self.owed_only,
                self.unit_role,
            )
        )

    @property
    def on_unit_cell(self) -> bool:
        return self.department_id is not None and self.unit_role in UNIT_ROLES


@dataclass
class Board:
    period: ReviewPeriod
    today: dt.date
    filters: BoardFilters
    page: Page  # the page of matching tasks; ``object_list`` holds its BoardRows
    summary: list[UnitSummary] = field(default_factory=list)
    units: list[Department] = field(default_factory=list)  # every effective unit, for the unit filter

    @property
    def past_due(self) -> bool:
        return self.today > self.period.report_due_on

    @property
    def rows(self) -> list[BoardRow]:
        return list(self.page.object_list)

    @property
    def row_count(self) -> int:
        """Tasks matching the filters, on every page."""
        return self.page.paginator.count


def _url_maker(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for many primary keys at the cost of one ``reverse()``."""
    sentinel = "2147483647"
    head, _, tail = reverse(name, args=[int(sentinel)]).partition(sentinel)
    return lambda pk: f"{head}{pk}{tail}"


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _cells(task_condition: str) -> tuple[str, str]:
    """FROM and WHERE of the board's cells: one per effective (task, unit), the primary rows of the
    effective-assignment table (:mod:`tasks.effective`) as ``ea``, of the tasks matching
    ``task_condition`` (on ``t``, the task table)."""
    return f"{_table(EffectiveAssignment)} ea JOIN {_table(Task)} t ON t.id = ea.task_id", f"ea.is_primary AND ({task_condition})"


# A cell's role: 0 when the unit leads the task (lead wins over supporting); its parameter is
# AssignmentRole.LEAD.
_SUPPORTING = "CASE WHEN ea.role = %s THEN 0 ELSE 1 END"


def _report_of_cell() -> str:
    """The join condition of a cell's report ``r`` of the period (its parameter: the period's id)."""
    return f"{_table(ProgressReport)} r ON r.task_id = ea.task_id AND r.department_id = ea.department_id AND r.period_id = %s"


def _effective_cells_sql(
    *, task_condition: str, task_params: list[Any], period: ReviewPeriod, with_number: bool = False
) -> tuple[str, list[Any]]:
    """SQL of the board's cells (:func:`_cells`): ``task_id``, ``unit_id``, ``supporting``
    (:data:`_SUPPORTING`), the unit's report of the period (``report_id``, ``status``: NOT_STARTED
    without one), ``owed`` 1 when the unit still owes it (:func:`progress.workflow.owes_report`: not
    delivered, and the task not closed by the due date), and with ``with_number`` the task's
    ``number`` (read from the cells' own join of the task table rather than joined again)."""
    cells, where = _cells(task_condition)
    owed, owed_params = owed_sql("r.status", "ea.task_id", period.report_due_on)
    sql = f"""
        SELECT ea.task_id AS task_id, ea.department_id AS unit_id, {_SUPPORTING} AS supporting,
               r.id AS report_id, COALESCE(r.status, %s) AS status,
               CASE WHEN {owed} THEN 1 ELSE 0 END AS owed{", t.number AS number" if with_number else ""}
        FROM {cells} LEFT JOIN {_report_of_cell()}
        WHERE {where}
    """
    return sql, [AssignmentRole.LEAD, NOT_STARTED, *owed_params, period.pk, *task_params]


def _unit(row: tuple[int, str, int]) -> Department:
    """A Department read with (id, name, sort_order) only, like ``.only()`` would."""
    return Department.from_db(connection.alias, ["id", "name", "sort_order"], row)


def board_summary(period: ReviewPeriod, *, today: dt.date | None = None) -> list[UnitSummary]:
    """Per unit, by unit order: lead tasks by report status, late ones, supporting tasks and silent
    ones, for every cell of the plan (:func:`_cells`), in two queries:

    - every cell, by unit and role: how many (the stored counts of
      :class:`tasks.models.EffectiveCellCount`, kept by triggers), and how many would be owed without
      a report: all but the cells of the tasks released from the period (``owes_report`` of a
      missing report is ``not released``; ``released_sql``, the one rule, picks those few tasks'
      cells through the index instead of reading every cell of the plan);
    - the cells with a report of the period, by unit, role and status: how many, how many are owed,
      and how many would be owed without a report (``owed_sql``, the one rule).

    The cells without a report (NOT_STARTED) are the difference. Reading the period's reports from
    their side (one period's reports, not a lookup for every cell of the plan) and the stored counts
    instead of counting 50,000 cells keep the summary's time small whatever the plan's size."""
    past_due = (today or timezone.localdate()) > period.report_due_on
    cells, where = _cells("t.plan_id = %s")
    owed, owed_params = owed_sql("r.status", "ea.task_id", period.report_due_on)
    owed_without, owed_without_params = owed_sql("NULL", "ea.task_id", period.report_due_on)
    released, released_params = released_sql("ea.task_id", period.report_due_on)
    # The stored counts read as ``ea`` so that the role's CASE (_SUPPORTING) is the cells' own.
    every_cell = f"""
        SELECT d.id, d.name, d.sort_order, s.supporting, SUM(s.n), SUM(s.n) - SUM(s.released)
        FROM (SELECT ea.unit_id AS unit_id, {_SUPPORTING} AS supporting, ea.cells AS n, 0 AS released
              FROM {_table(EffectiveCellCount)} ea WHERE ea.plan_id = %s
              UNION ALL
              SELECT ea.department_id, {_SUPPORTING}, 0, COUNT(*)
              FROM {cells} WHERE {where} AND {released} GROUP BY 1, 2) s
        JOIN {_table(Department)} d ON d.id = s.unit_id
        GROUP BY d.id, d.name, d.sort_order, s.supporting
    """
    reported = f"""
        SELECT ea.department_id, {_SUPPORTING}, r.status, COUNT(*), SUM(CASE WHEN {owed} THEN 1 ELSE 0 END),
               SUM(CASE WHEN {owed_without} THEN 1 ELSE 0 END)
        FROM {cells} JOIN {_report_of_cell()}
        WHERE {where} GROUP BY 1, 2, 3
    """
    with connection.cursor() as cursor:
        cursor.execute(
            every_cell,
            [AssignmentRole.LEAD, period.plan_id, AssignmentRole.LEAD, period.plan_id, *released_params],
        )
        every = cursor.fetchall()
        cursor.execute(
            reported, [AssignmentRole.LEAD, *owed_params, *owed_without_params, period.pk, period.plan_id]
        )
        with_report = cursor.fetchall()
    summary: dict[int, UnitSummary] = {}

    def add(unit_id: int, supporting: int, status: str, count: int, owed_count: int) -> None:
        """``count`` cells of the unit in this role and status, ``owed_count`` of them still owed."""
        counts = summary[unit_id]
        if supporting:
            counts.supporting += count
            counts.silent += owed_count
        else:
            counts.led += count
            attribute = "not_started" if status == NOT_STARTED else status
            setattr(counts, attribute, getattr(counts, attribute) + count)
            counts.late += owed_count if past_due else 0

    # (unit, role) → [cells, owed without a report]; less the cells with a report, the rest have none.
    unreported: dict[tuple[int, int], list[int]] = {}
    for unit_id, name, sort_order, supporting, count, owed_count in every:
        summary.setdefault(unit_id, UnitSummary(department=_unit((unit_id, name, sort_order))))
        unreported[(unit_id, supporting)] = [count, int(owed_count or 0)]
    for unit_id, supporting, status, count, owed_count, owed_without_count in with_report:
        add(unit_id, supporting, status, count, int(owed_count or 0))
        left = unreported[(unit_id, supporting)]
        left[0] -= count
        left[1] -= int(owed_without_count or 0)
    for (unit_id, supporting), (count, owed_count) in unreported.items():
        if count:
            add(unit_id, supporting, NOT_STARTED, count, owed_count)
    return sorted(summary.values(), key=lambda s: (s.department.sort_order, s.department.name))


def _board_task_ids(period: ReviewPeriod, filters: BoardFilters, *, past_due: bool) -> list[int]:
    """The ids of the plan's tasks matching ``filters``, by task number (one query)."""
    tasks = Task.objects.filter(plan_id=period.plan_id)
    if filters.binding_only:
        tasks = tasks.filter(binding=True)
    if filters.task_number is not None:
        tasks = tasks.filter(number=filters.task_number)
    if filters.late_only and not past_due:
        return []
    task_condition, task_params = "t.plan_id = %s", [period.plan_id]
    if filters.department_id is not None:
        unit_tasks = unit_cells(department=filters.department_id).order_by().values("task_id")
        tasks = tasks.filter(pk__in=unit_tasks)
        # The cells below are then read for the unit's tasks only (every unit of those tasks).
        unit_sql, unit_params = unit_tasks.query.sql_with_params()
        task_condition += f" AND t.id IN ({unit_sql})"
        task_params += list(unit_params)
    if filters.on_unit_cell:
        return _unit_cell_task_ids(tasks, period, filters, task_condition=task_condition, task_params=task_params)
    having: list[str] = []
    having_params: list[Any] = []
    if filters.owed_only:
        having.append("SUM(CASE WHEN c.supporting = 0 AND c.owed = 1 THEN 1 ELSE 0 END) > 0")
    if filters.status:
        having.append("SUM(CASE WHEN c.supporting = 0 AND c.status = %s THEN 1 ELSE 0 END) > 0")
        having_params.append(filters.status)
    if filters.late_only:
        having.append("SUM(CASE WHEN c.supporting = 0 AND c.owed = 1 THEN 1 ELSE 0 END) > 0")
    if filters.silent_only:
        having.append("SUM(CASE WHEN c.supporting = 1 AND c.owed = 1 THEN 1 ELSE 0 END) > 0")
    if having:
        cells, params = _effective_cells_sql(task_condition=task_condition, task_params=task_params, period=period)
        matching = f"SELECT c.task_id FROM ({cells}) c GROUP BY c.task_id HAVING {' AND '.join(having)}"
        tasks = tasks.filter(pk__in=RawSQL(matching, [*params, *having_params]))
    return list(tasks.order_by("number", "pk").values_list("pk", flat=True))


def _unit_cell_task_ids(
    tasks: QuerySet[Task], period: ReviewPeriod, filters: BoardFilters, *, task_condition: str, task_params: list[Any]
) -> list[int]:
    """The tasks where the filtered unit's own cell (as lead or as supporting unit) matches: exactly
    the cells a count of :func:`board_summary` counts for that unit (one query)."""
    conditions = ["c.unit_id = %s", "c.supporting = %s"]
    params: list[Any] = [filters.department_id, UNIT_ROLES[str(filters.unit_role)]]
    if filters.status:
        conditions.append("c.status = %s")
        params.append(filters.status)
    if filters.late_only or filters.owed_only or filters.silent_only:
        conditions.append("c.owed = 1")
    cells, cell_params = _effective_cells_sql(
        task_condition=task_condition, task_params=task_params, period=period
    )
    matching = f"SELECT c.task_id FROM ({cells}) c WHERE {' AND '.join(conditions)}"
    tasks = tasks.filter(pk__in=RawSQL(matching, [*cell_params, *params]))
    return list(tasks.order_by("number", "pk").values_list("pk", flat=True))


def _board_rows(task_ids: list[int], period: ReviewPeriod, *, past_due: bool, units: dict[int, Department]) -> list[BoardRow]:
    """The rows of one page (two queries: the tasks, and their cells in written order)."""
    if not task_ids:
        return []
    tasks = Task.objects.filter(pk__in=task_ids).only("pk", "plan_id", "number", "text", "binding", "kind", "deadline")
    by_id = {task.pk: task for task in tasks}
    tasks_condition, tasks_params = ids_in("ea.task_id", task_ids)
    # The same tasks named on the assignments too: PostgreSQL's planner then reads only the page's
    # assignments through their task index (without, it hashed all 40,000 of the plan's).
    assignments_condition, assignments_params = ids_in("a.task_id", task_ids)
    # The page's cells in written order (role, position, assignment, then the unit order): a cell's
    # primary row is the unit's first occurrence, so this is the order of the task page.
    cells, assignment = _table(EffectiveAssignment), _table(Assignment)
    department, report = _table(Department), _table(ProgressReport)
    released, released_params = released_sql("ea.task_id", period.report_due_on)
    sql = f"""
        SELECT ea.task_id, ea.department_id, d.name, d.sort_order, ea.role, r.id, r.status,
               CASE WHEN {released} THEN 1 ELSE 0 END
        FROM {cells} ea
        JOIN {assignment} a ON a.id = ea.assignment_id AND {assignments_condition}
        JOIN {department} d ON d.id = ea.department_id
        LEFT JOIN {report} r ON r.task_id = ea.task_id AND r.department_id = ea.department_id AND r.period_id = %s
        WHERE ea.is_primary AND {tasks_condition}
        ORDER BY ea.task_id, ea.role, a.position, a.id, d.sort_order, d.name
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*released_params, *assignments_params, period.pk, *tasks_params])
        occurrences = cursor.fetchall()
    labels = dict(ReportStatus.choices)
    report_url, task_url = _url_maker("progress:report_detail"), _url_maker("progress:task_detail")
    leads: dict[int, list[LeadCell]] = {pk: [] for pk in task_ids}
    supporting: dict[int, list[SupportCell]] = {pk: [] for pk in task_ids}
    lead_units: dict[int, set[int]] = {pk: set() for pk in task_ids}
    supporting_units: dict[int, set[int]] = {pk: set() for pk in task_ids}
    released_tasks: set[int] = set()
    for task_id, unit_id, name, sort_order, role, report_id, status, task_released in occurrences:
        unit = units.get(unit_id) or _unit((unit_id, name, sort_order))
        owed = owes_report(status=status, released=task_released == 1)
        if task_released == 1:
            released_tasks.add(task_id)
        status = status or NOT_STARTED
        if role == AssignmentRole.LEAD:
            if unit_id not in lead_units[task_id]:
                lead_units[task_id].add(unit_id)
                late = past_due and owed
                label = labels.get(status, NOT_STARTED_LABEL)
                url = report_url(report_id) if report_id else ""
                leads[task_id].append(LeadCell(unit, report_id, status, label, late, url))
        elif unit_id not in supporting_units[task_id]:
            supporting_units[task_id].add(unit_id)
            url = report_url(report_id) if report_id else ""
            supporting[task_id].append(SupportCell(unit, report_id, status, status in DELIVERED_STATES, url, owed))
    rows = []
    for task_id in task_ids:
        # A unit that leads the task reports as its lead, not again as a supporting unit.
        own = [cell for cell in supporting[task_id] if cell.department.pk not in lead_units[task_id]]
        task = by_id[task_id]
        rows.append(
            BoardRow(
                task=task,
                leads=leads[task_id],
                supporting=own,
                task_url=task_url(task_id),
                task_summary=Truncator(task.text).chars(TASK_TEXT_CHARS),
                released=task_id in released_tasks,
            )
        )
    return rows


def review_board(
    period: ReviewPeriod,
    *,
    filters: BoardFilters | None = None,
    page: int | str | None = 1,
    per_page: int = BOARD_PAGE_SIZE,
    today: dt.date | None = None,
    summary: list[UnitSummary] | None = None,
) -> Board:
    """The plan's tasks matching ``filters`` (by task number, ``per_page`` a page; an invalid page
    number gives the nearest one) with their lead units' report status and their supporting units'
    contributions, and the per-unit summary of the whole plan.

    Five queries whatever the size of the plan: the summary (:func:`board_summary`, two aggregates
    in SQL; pass ``summary`` when already read), the matching task ids (filtered in SQL), and only
    the page's tasks and cells.
    """
    filters = filters or BoardFilters()
    today = today or timezone.localdate()
    past_due = today > period.report_due_on
    if summary is None:
        summary = board_summary(period, today=today)
    units = {s.department.pk: s.department for s in summary}
    shown = Paginator(_board_task_ids(period, filters, past_due=past_due), per_page).get_page(page)
    shown.object_list = _board_rows(list(shown.object_list), period, past_due=past_due, units=units)
    return Board(
        period=period,
        today=today,
        filters=filters,
        page=shown,
        summary=summary,
        units=[s.department for s in summary],
    )


# --- one report ------------------------------------------------------------------------------


def report_for_detail(report_id: int) -> ProgressReport | None:
    return (
        ProgressReport.objects.select_related(
            "task", "task__plan", "department", "period", "submitted_by", "reviewed_by", "updated_by"
        )
        .filter(pk=report_id)
        .first()
    )


def report_detail_context(report: ProgressReport, *, actor: Actor) -> dict[str, Any]:
    """What the report page shows besides the report: actuals, evidence, contributions (lead
    reports; only those the actor may see), events."""
    actuals = list(TargetActual.objects.filter(report=report).select_related("target").order_by("target__position"))
    contributions: list[ProgressReport] = []
    if report.role == AssignmentRole.LEAD:
        contributions = list(
            reports_visible_to(
                ProgressReport.objects.filter(
                    task_id=report.task_id, period_id=report.period_id, role=AssignmentRole.SUPPORTING
                ),
                user=actor.user,
            )
            .select_related("department")
            .order_by("department__sort_order", "department__name")
        )
    return {
        "actuals": actuals,
        "evidence": list(report.evidence.all()),
        "contributions": contributions,
        "events": list(ReportEvent.objects.filter(report=report).select_related("actor").order_by("at", "pk")),
    }


# --- extension requests ----------------------------------------------------------------------


def extension_requests(queryset: QuerySet[ExtensionRequest] | None = None) -> QuerySet[ExtensionRequest]:
    """Pending requests first (oldest first: they have waited longest), then decided ones, newest first."""
    queryset = queryset if queryset is not None else ExtensionRequest.objects.all()
    pending = Q(status=ExtensionStatus.PENDING)
    return queryset.select_related("task", "task__plan", "department", "requested_by", "decided_by").order_by(
        Case(When(pending, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "-decided_at",
        "requested_at",
        "pk",
    )


# --- the units of the board: sorted, filtered, each count a link ------------------------------

UNIT_SORTS: dict[str, str] = {
    "order": "单位顺序",
    "led": "牵头任务",
    "not_started": "未填报",
    "submitted": "待审核",
    "returned": "已退回",
    "late": "逾期",
    "silent": "配合未反馈",
}
UNIT_SHOWS: dict[str, str] = {
    "lead": "有牵头任务的单位",
    "problem": "有问题的单位（逾期、配合未反馈或被退回）",
    "all": "全部单位",
}


@dataclass
class UnitRows:
    rows: list[UnitSummary]
    sort: str
    show: str
    hidden: int  # units of the plan not shown by ``show``


def arrange_units(summary: list[UnitSummary], *, sort: str = "order", show: str = "lead") -> UnitRows:
    """The board's units: ``show`` "lead" (default: units that lead at least one task; units that only
    support are on the silent-units page), "problem" (:attr:`UnitSummary.problem`) or "all"; sorted by
    the unit order or by a count, largest first (ties in the unit order)."""
    sort = sort if sort in UNIT_SORTS else "order"
    show = show if show in UNIT_SHOWS else "lead"
    if show == "problem":
        rows = [s for s in summary if s.problem]
    elif show == "lead":
        rows = [s for s in summary if s.led]
    else:
        rows = list(summary)
    if sort != "order":
        rows.sort(key=lambda s: -getattr(s, sort))  # stable: the unit order among equal counts
    return UnitRows(rows=rows, sort=sort, show=show, hidden=len(summary) - len(rows))


def unit_count_query(unit_id: int, column: str) -> dict[str, str]:
    """The board's filters listing exactly the tasks a unit's count in ``column`` counts."""
    if column in ("supporting", "silent"):
        query = {"unit": str(unit_id), "role": "supporting"}
        if column == "silent":
            query["silent"] = "on"
        return query
    query = {"unit": str(unit_id), "role": "lead"}
    if column == "late":
        query["late"] = "on"
    elif column != "led":
        query["status"] = NOT_STARTED if column == "not_started" else column
    return query


# --- the review queue ------------------------------------------------------------------------

QUEUE_ROLES: dict[str, str] = {"all": "全部", "lead": "牵头单位报告", "supporting": "配合单位反馈"}
QUEUE_PAGE_SIZE = 100


def queue_role(value: str | None) -> str:
    return value if value in QUEUE_ROLES else "all"


def review_queue(period: ReviewPeriod, *, role: str = "all") -> QuerySet[ProgressReport]:
    """The reports of ``period`` waiting for the plan office (submitted), oldest submission first;
    ``role`` "lead" or "supporting" keeps the reports of units in that role on the task now
    (:func:`progress.states.report_role_q`); a report of a unit no longer on the task is in neither,
    only in "all"."""
    queryset = ProgressReport.objects.filter(period=period, status=ReportStatus.SUBMITTED)
    if role in UNIT_ROLES:
        queryset = queryset.filter(report_role_q(role))
    return queryset.order_by("submitted_at", "pk")


def queue_page(period: ReviewPeriod, *, role: str = "all", page: int | str | None = 1) -> Page:
    """One page of the queue with each report's task and unit (two queries: the count and the page)."""
    queryset = (
        review_queue(period, role=role)
        .select_related("task", "department")
        .only(
            "pk",
            "role",
            "status",
            "submitted_at",
            "progress_status",
            "task_id",
            "department_id",
            "period_id",
            "task__number",
            "task__text",
            "task__binding",
            "department__name",
        )
    )
    shown = Paginator(queryset, QUEUE_PAGE_SIZE).get_page(page)
    for report in shown.object_list:
        report.task_summary = Truncator(report.task.text).chars(TASK_TEXT_CHARS)
    return shown


@dataclass(frozen=True)
class QueuePlace:
    """Where a report stands in the queue: its position (None when it is not waiting), the total,
    and the neighbours' ids."""

    role: str
    total: int
    position: int | None
    previous_id: int | None
    next_id: int | None
    first_id: int | None


def queue_place(report: ProgressReport, *, role: str = "all") -> QueuePlace:
    """The report's place in its period's queue (one query: the queue's ids, in order)."""
    ids = list(review_queue(report.period, role=role).values_list("pk", flat=True))
    first = ids[0] if ids else None
    if report.pk in ids:
        index = ids.index(report.pk)
        return QueuePlace(
            role=role,
            total=len(ids),
            position=index + 1,
            previous_id=ids[index - 1] if index > 0 else None,
            next_id=ids[index + 1] if index + 1 < len(ids) else None,
            first_id=first,
        )
    return QueuePlace(role=role, total=len(ids), position=None, previous_id=None, next_id=None, first_id=first)


def queue_after(report: ProgressReport, *, role: str = "all") -> int | None:
    """The report to review once ``report`` leaves the queue: the next one, or the one before it when
    it was the last (None when nothing else waits)."""
    place = queue_place(report, role=role)
    if place.position is None:
        return place.first_id
    return place.next_id or place.previous_id


# --- one report: the previous period's report and what changed ---------------------------------


@dataclass
class ActualRow:
    actual: TargetActual
    previous: TargetActual | None = None

    @property
    def change(self) -> Any:
        """New value minus last period's, when both are reported values."""
        if self.previous is None or self.actual.value is None or self.previous.value is None:
            return None
        return self.actual.value - self.previous.value

    @property
    def change_size(self) -> Any:
        change = self.change
        return abs(change) if change is not None else None


@dataclass
class Comparison:
    previous: ProgressReport | None
    texts: list[Any] = field(default_factory=list)  # diffing.TextDiff per narrative field
    facts: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after) that changed
    actual_rows: list[ActualRow] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return (
            bool(self.facts)
            or any(diff.changed for diff in self.texts)
            or any(
                row.change not in (None, 0) or (row.previous is not None and row.previous.state != row.actual.state)
                for row in self.actual_rows
            )
        )


NARRATIVE_LABELS = (("progress_text", "进展情况"), ("problems_text", "存在问题"), ("next_steps_text", "下步打算"))


def report_comparison(report: ProgressReport, actuals: list[TargetActual], *, actor: Actor) -> Comparison:
    """The unit's report on the task in the previous period (the rule of
    :func:`progress.services.reports.previous_report`) and what changed since: the three texts
    (:mod:`progress.diffing`), status and percent, and last period's value beside each actual.
    A previous report ``actor`` may not see (another unit's draft) is not compared. Two queries (the
    previous report, its actuals)."""
    from access.rules import can_view_report
    from progress.diffing import text_diff
    from progress.services.reports import previous_report

    previous = previous_report(task_id=report.task_id, department_id=report.department_id, period=report.period)
    if previous is not None and not can_view_report(actor, previous):
        previous = None
    if previous is None:
        return Comparison(previous=None, actual_rows=[ActualRow(actual) for actual in actuals])
    before = {a.target_id: a for a in TargetActual.objects.filter(report=previous)}
    comparison = Comparison(
        previous=previous,
        texts=[text_diff(label, getattr(previous, name), getattr(report, name)) for name, label in NARRATIVE_LABELS],
        actual_rows=[ActualRow(actual, before.get(actual.target_id)) for actual in actuals],
    )
    if previous.progress_status != report.progress_status:
        comparison.facts.append(
            ("推进状态", previous.get_progress_status_display(), report.get_progress_status_display())
        )
    if previous.percent != report.percent:
        shown = [f"{p}%" if p is not None else "未填" for p in (previous.percent, report.percent)]
        comparison.facts.append(("完成进度", shown[0], shown[1]))
    return comparison


# --- silent supporting units -----------------------------------------------------------------


@dataclass
class SilentUnit:
    department: Department
    tasks: list[tuple[int, int, str]]  # (task id, number, status) by number: all, or the first ``shown``
    count: int  # all its silent tasks
    urged_at: dt.datetime | None = None  # today's 催办, if any


def silent_units(
    period: ReviewPeriod, *, today: dt.date | None = None, shown: int | None = None
) -> list[SilentUnit]:
    """Per supporting unit, the tasks of ``period``'s plan on which it has delivered nothing (the
    board's 配合未反馈 cells), most silent first, with the time of today's 催办 (Asia/Shanghai day).
    With ``shown``, each unit's first ``shown`` tasks by number and the count of all: the page lists
    30 of them and links to the rest, so only those rows leave the database (the synthetic plan's
    80 units owe 44,000 contributions). Two queries."""
    from reminders.models import Reminder, ReminderKind

    today = today or timezone.localdate()
    cells, params = _effective_cells_sql(
        task_condition="t.plan_id = %s", task_params=[period.plan_id], period=period, with_number=True
    )
    first = "" if shown is None else "WHERE x.k <= %s"
    sql = f"""
        SELECT d.id, d.name, d.sort_order, x.task_id, x.number, x.status, x.n
        FROM (
            SELECT c.unit_id AS unit_id, c.task_id AS task_id, c.number AS number, c.status AS status,
                   ROW_NUMBER() OVER (PARTITION BY c.unit_id ORDER BY c.number, c.task_id) AS k,
                   COUNT(*) OVER (PARTITION BY c.unit_id) AS n
            FROM ({cells}) c
            WHERE c.supporting = 1 AND c.owed = 1
        ) x JOIN {_table(Department)} d ON d.id = x.unit_id
        {first}
        ORDER BY d.sort_order, d.name, x.number, x.task_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params] if shown is None else [*params, shown])
        rows = cursor.fetchall()
    units: dict[int, SilentUnit] = {}
    for unit_id, name, sort_order, task_id, number, status, count in rows:
        unit = units.get(unit_id)
        if unit is None:
            unit = units[unit_id] = SilentUnit(department=_unit((unit_id, name, sort_order)), tasks=[], count=count)
        unit.tasks.append((task_id, number, status))
    urged = Reminder.objects.filter(
        kind=ReminderKind.URGE, period=period, decided_on=today, department_id__in=list(units)
    ).values_list("department_id", "created_at")
    for unit_id, created_at in urged:
        units[unit_id].urged_at = created_at
    return sorted(units.values(), key=lambda u: -u.count)  # stable: the unit order among equal counts


def silent_tasks_of(period: ReviewPeriod, department_id: int) -> list[tuple[int, int, str]]:
    """(task id, number, status) of the tasks on which the unit, as a supporting unit, has delivered
    nothing in ``period`` (one query)."""
    cells, params = _effective_cells_sql(
        task_condition="t.plan_id = %s", task_params=[period.plan_id], period=period, with_number=True
    )
    sql = f"""
        SELECT c.task_id, c.number, c.status FROM ({cells}) c
        WHERE c.supporting = 1 AND c.unit_id = %s AND c.owed = 1 ORDER BY c.number, c.task_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, department_id])
        return [tuple(row) for row in cursor.fetchall()]


# --- closing a period: what is still open ------------------------------------------------------


@dataclass(frozen=True)
class OpenItems:
    unreviewed_lead: int  # lead reports submitted, not reviewed
    unreviewed_supporting: int  # contributions submitted, not reviewed
    unreported_tasks: int  # tasks with a lead unit that still owes its report (progress.workflow.owes_report)
    silent_cells: int  # (task, supporting unit) pairs still owing their contribution

    @property
    def unreviewed(self) -> int:
        return self.unreviewed_lead + self.unreviewed_supporting

    @property
    def anything(self) -> bool:
        return bool(self.unreviewed or self.unreported_tasks or self.silent_cells)


def open_items(period: ReviewPeriod) -> OpenItems:
    """What closing ``period`` would leave open (two queries)."""
    waiting = dict(
        ProgressReport.objects.filter(period=period, status=ReportStatus.SUBMITTED)
        .order_by()
        .values_list("role")
        .annotate(n=Count("pk"))
    )
    cells, params = _effective_cells_sql(
        task_condition="t.plan_id = %s", task_params=[period.plan_id], period=period
    )
    sql = f"""
        SELECT COUNT(DISTINCT CASE WHEN c.supporting = 0 THEN c.task_id END),
               SUM(CASE WHEN c.supporting = 1 THEN 1 ELSE 0 END)
        FROM ({cells}) c WHERE c.owed = 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        unreported, silent = cursor.fetchone()
    return OpenItems(
        unreviewed_lead=waiting.get(AssignmentRole.LEAD, 0),
        unreviewed_supporting=waiting.get(AssignmentRole.SUPPORTING, 0),
        unreported_tasks=unreported or 0,
        silent_cells=silent or 0,
    )
