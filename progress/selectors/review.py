"""Reads for the plan office's pages (leadership reads them too): periods, the review board, one
report with everything around it, and extension requests.

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
from progress.workflow import DELIVERED_REPORT_STATES
from tasks.models import Assignment, AssignmentRole, EffectiveAssignment, Plan, Task
from tasks.selectors import unit_cells

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

    @property
    def silent(self) -> bool:
        return not self.delivered


@dataclass
class BoardRow:
    task: Task
    leads: list[LeadCell]
    supporting: list[SupportCell]
    task_url: str = ""
    task_summary: str = ""  # the task's text, shortened

    @property
    def late(self) -> bool:
        return any(cell.late for cell in self.leads)

    @property
    def silent_count(self) -> int:
        return sum(1 for cell in self.supporting if cell.silent)

    @property
    def unit_ids(self) -> set[int]:
        return {cell.department.pk for cell in self.leads} | {cell.department.pk for cell in self.supporting}


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


@dataclass(frozen=True, kw_only=True)
class BoardFilters:
    department_id: int | None = None  # tasks where the unit is an effective (lead or supporting) unit
    status: str | None = None  # a lead unit's report has this status (a ReportStatus value or NOT_STARTED)
    late_only: bool = False
    silent_only: bool = False
    binding_only: bool = False
    task_number: int | None = None

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
            )
        )


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


def _effective_cells_sql(*, task_condition: str, task_params: list[Any], period_id: int) -> tuple[str, list[Any]]:
    """SQL of the board's cells: one row per effective (task, unit) of the tasks matching
    ``task_condition`` (on ``t``, the task table), with ``supporting`` 0 when the unit leads the task
    (lead wins over supporting) and the unit's report of the period (``report_id``, ``status``:
    NOT_STARTED without one). The cells are the primary rows of the effective-assignment table
    (:mod:`tasks.effective`)."""
    cells, task, report = _table(EffectiveAssignment), _table(Task), _table(ProgressReport)
    sql = f"""
        SELECT ea.task_id AS task_id, ea.department_id AS unit_id,
               CASE WHEN ea.role = %s THEN 0 ELSE 1 END AS supporting,
               r.id AS report_id, COALESCE(r.status, %s) AS status
        FROM {cells} ea JOIN {task} t ON t.id = ea.task_id
        LEFT JOIN {report} r ON r.task_id = ea.task_id AND r.department_id = ea.department_id AND r.period_id = %s
        WHERE ea.is_primary AND ({task_condition})
    """
    return sql, [AssignmentRole.LEAD, NOT_STARTED, period_id, *task_params]


def _unit(row: tuple[int, str, int]) -> Department:
    """A Department read with (id, name, sort_order) only, like ``.only()`` would."""
    return Department.from_db(connection.alias, ["id", "name", "sort_order"], row)


def board_summary(period: ReviewPeriod, *, today: dt.date | None = None) -> list[UnitSummary]:
    """Per unit, by unit order: lead tasks by report status, late ones, supporting tasks and silent
    ones (one query, aggregated in SQL over every effective unit of every task of the plan)."""
    past_due = (today or timezone.localdate()) > period.report_due_on
    cells, params = _effective_cells_sql(task_condition="t.plan_id = %s", task_params=[period.plan_id], period_id=period.pk)
    department = _table(Department)
    sql = f"""
        SELECT d.id, d.name, d.sort_order, s.supporting, s.status, s.n
        FROM (SELECT c.unit_id AS unit_id, c.supporting AS supporting, c.status AS status, COUNT(*) AS n
              FROM ({cells}) c GROUP BY c.unit_id, c.supporting, c.status) s
        JOIN {department} d ON d.id = s.unit_id
    """
    summary: dict[int, UnitSummary] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for unit_id, name, sort_order, supporting, status, count in rows:
        counts = summary.get(unit_id)
        if counts is None:
            counts = summary[unit_id] = UnitSummary(department=_unit((unit_id, name, sort_order)))
        delivered = status in DELIVERED_STATES
        if supporting:
            counts.supporting += count
            counts.silent += 0 if delivered else count
        else:
            counts.led += count
            attribute = "not_started" if status == NOT_STARTED else status
            setattr(counts, attribute, getattr(counts, attribute) + count)
            counts.late += count if past_due and not delivered else 0
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
    having: list[str] = []
    having_params: list[Any] = []
    undelivered = "c.status NOT IN (%s, %s)"
    if filters.status:
        having.append("SUM(CASE WHEN c.supporting = 0 AND c.status = %s THEN 1 ELSE 0 END) > 0")
        having_params.append(filters.status)
    if filters.late_only:
        having.append(f"SUM(CASE WHEN c.supporting = 0 AND {undelivered} THEN 1 ELSE 0 END) > 0")
        having_params.extend(sorted(DELIVERED_STATES))
    if filters.silent_only:
        having.append(f"SUM(CASE WHEN c.supporting = 1 AND {undelivered} THEN 1 ELSE 0 END) > 0")
        having_params.extend(sorted(DELIVERED_STATES))
    if having:
        cells, params = _effective_cells_sql(task_condition=task_condition, task_params=task_params, period_id=period.pk)
        matching = f"SELECT c.task_id FROM ({cells}) c GROUP BY c.task_id HAVING {' AND '.join(having)}"
        tasks = tasks.filter(pk__in=RawSQL(matching, [*params, *having_params]))
    return list(tasks.order_by("number", "pk").values_list("pk", flat=True))


def _board_rows(task_ids: list[int], period: ReviewPeriod, *, past_due: bool, units: dict[int, Department]) -> list[BoardRow]:
    """The rows of one page (two queries: the tasks, and their cells in written order)."""
    if not task_ids:
        return []
    tasks = Task.objects.filter(pk__in=task_ids).only("pk", "plan_id", "number", "text", "binding", "kind", "deadline")
    by_id = {task.pk: task for task in tasks}
    placeholders = ", ".join(["%s"] * len(task_ids))
    # The page's cells in written order (role, position, assignment, then the unit order): a cell's
    # primary row is the unit's first occurrence, so this is the order of the task page.
    cells, assignment = _table(EffectiveAssignment), _table(Assignment)
    department, report = _table(Department), _table(ProgressReport)
    sql = f"""
        SELECT ea.task_id, ea.department_id, d.name, d.sort_order, ea.role, r.id, r.status
        FROM {cells} ea
        JOIN {assignment} a ON a.id = ea.assignment_id
        JOIN {department} d ON d.id = ea.department_id
        LEFT JOIN {report} r ON r.task_id = ea.task_id AND r.department_id = ea.department_id AND r.period_id = %s
        WHERE ea.is_primary AND ea.task_id IN ({placeholders})
        ORDER BY ea.task_id, ea.role, a.position, a.id, d.sort_order, d.name
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.pk, *task_ids])
        occurrences = cursor.fetchall()
    labels = dict(ReportStatus.choices)
    report_url, task_url = _url_maker("progress:report_detail"), _url_maker("progress:task_detail")
    leads: dict[int, list[LeadCell]] = {pk: [] for pk in task_ids}
    supporting: dict[int, list[SupportCell]] = {pk: [] for pk in task_ids}
    lead_units: dict[int, set[int]] = {pk: set() for pk in task_ids}
    supporting_units: dict[int, set[int]] = {pk: set() for pk in task_ids}
    for task_id, unit_id, name, sort_order, role, report_id, status in occurrences:
        unit = units.get(unit_id) or _unit((unit_id, name, sort_order))
        status = status or NOT_STARTED
        if role == AssignmentRole.LEAD:
            if unit_id not in lead_units[task_id]:
                lead_units[task_id].add(unit_id)
                late = past_due and status not in DELIVERED_STATES
                label = labels.get(status, NOT_STARTED_LABEL)
                url = report_url(report_id) if report_id else ""
                leads[task_id].append(LeadCell(unit, report_id, status, label, late, url))
        elif unit_id not in supporting_units[task_id]:
            supporting_units[task_id].add(unit_id)
            url = report_url(report_id) if report_id else ""
            supporting[task_id].append(SupportCell(unit, report_id, status, status in DELIVERED_STATES, url))
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

    Four queries whatever the size of the plan: the summary (:func:`board_summary`, aggregated in
    SQL; pass ``summary`` when already read), the matching task ids (filtered in SQL), and only the
    page's tasks and cells.
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
