"""Reads for the plan office's pages (leadership reads them too): periods, the review board, one
report with everything around it, and extension requests.

The board answers "who has submitted, who is late, who is silent" for one period. Every task of
the period's plan is one row, computed in Python from a fixed number of queries (tasks, their
assignments with the prefetched data :func:`tasks.selectors.assignment_effective_departments`
needs, and the period's reports), so the number of queries does not grow with the plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

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
from progress.permissions import Actor, reports_visible_to
from tasks.models import Assignment, AssignmentRole, Plan, Task
from tasks.selectors import assignment_effective_departments

# A report in one of these states has reached the plan office: its unit is neither late nor silent.
DELIVERED_STATES = frozenset({ReportStatus.SUBMITTED, ReportStatus.ACCEPTED})
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


@dataclass
class LeadCell:
    department: Department
    report_id: int | None
    status: str  # a ReportStatus value or NOT_STARTED
    status_label: str
    late: bool


@dataclass
class SupportCell:
    department: Department
    report_id: int | None
    status: str
    delivered: bool

    @property
    def silent(self) -> bool:
        return not self.delivered


@dataclass
class BoardRow:
    task: Task
    leads: list[LeadCell]
    supporting: list[SupportCell]

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
    department_id: int | None = None
    status: str | None = None  # a ReportStatus value or NOT_STARTED
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

    def matches(self, row: BoardRow) -> bool:
        if self.department_id is not None and self.department_id not in row.unit_ids:
            return False
        if self.status and not any(cell.status == self.status for cell in row.leads):
            return False
        if self.late_only and not row.late:
            return False
        if self.silent_only and not row.silent_count:
            return False
        if self.binding_only and not row.task.binding:
            return False
        return self.task_number is None or row.task.number == self.task_number


@dataclass
class Board:
    period: ReviewPeriod
    today: dt.date
    rows: list[BoardRow]  # every task of the plan
    summary: list[UnitSummary] = field(default_factory=list)
    units: list[Department] = field(default_factory=list)  # every effective unit, for the unit filter

    @property
    def past_due(self) -> bool:
        return self.today > self.period.report_due_on

    def filtered(self, filters: BoardFilters) -> list[BoardRow]:
        return [row for row in self.rows if filters.matches(row)]


def _unique(departments: list[Department], exclude: set[int] | None = None) -> list[Department]:
    seen = set(exclude or ())
    result = []
    for department in departments:
        if department.pk not in seen:
            seen.add(department.pk)
            result.append(department)
    return result


def board_tasks(period: ReviewPeriod) -> QuerySet[Task]:
    """The period's plan's tasks with what the board needs prefetched (five queries in all)."""
    units = Department.objects.only("pk", "name", "sort_order")
    assignments = (
        Assignment.objects.select_related("department", "group")
        .only(
            "pk",
            "task_id",
            "role",
            "position",
            "department_id",
            "group_id",
            "department__name",
            "department__sort_order",
            "group__kind",
        )
        .prefetch_related(Prefetch("expanded_to", queryset=units), Prefetch("group__members", queryset=units))
        .order_by("role", "position", "pk")
    )
    return (
        Task.objects.filter(plan_id=period.plan_id)
        .only("pk", "plan_id", "number", "text", "binding", "kind", "deadline")
        .order_by("number")
        .prefetch_related(Prefetch("assignments", queryset=assignments))
    )


def review_board(period: ReviewPeriod, *, today: dt.date | None = None) -> Board:
    """Every task of the period's plan with its lead units' report status and its supporting units'
    contributions, and a per-unit summary. Six queries whatever the size of the plan."""
    today = today or timezone.localdate()
    past_due = today > period.report_due_on
    reports = {
        (task_id, department_id): (report_id, status)
        for report_id, task_id, department_id, status in ProgressReport.objects.filter(period=period).values_list(
            "pk", "task_id", "department_id", "status"
        )
    }
    labels = dict(ReportStatus.choices)
    rows: list[BoardRow] = []
    summary: dict[int, UnitSummary] = {}

    def unit_summary(department: Department) -> UnitSummary:
        if department.pk not in summary:
            summary[department.pk] = UnitSummary(department=department)
        return summary[department.pk]

    for task in board_tasks(period):
        lead_units: list[Department] = []
        supporting_units: list[Department] = []
        for assignment in task.assignments.all():
            units = assignment_effective_departments(assignment)
            (lead_units if assignment.role == AssignmentRole.LEAD else supporting_units).extend(units)
        lead_units = _unique(lead_units)
        # A unit that leads the task reports as its lead, not again as a supporting unit.
        supporting_units = _unique(supporting_units, exclude={unit.pk for unit in lead_units})
        leads = []
        for department in lead_units:
            report_id, status = reports.get((task.pk, department.pk), (None, NOT_STARTED))
            late = past_due and status not in DELIVERED_STATES
            leads.append(
                LeadCell(
                    department=department,
                    report_id=report_id,
                    status=status,
                    status_label=labels.get(status, NOT_STARTED_LABEL),
                    late=late,
                )
            )
            counts = unit_summary(department)
            counts.led += 1
            attribute = "not_started" if status == NOT_STARTED else status
            setattr(counts, attribute, getattr(counts, attribute) + 1)
            counts.late += late
        supporting = []
        for department in supporting_units:
            report_id, status = reports.get((task.pk, department.pk), (None, NOT_STARTED))
            cell = SupportCell(
                department=department, report_id=report_id, status=status, delivered=status in DELIVERED_STATES
            )
            supporting.append(cell)
            counts = unit_summary(department)
            counts.supporting += 1
            counts.silent += cell.silent
        rows.append(BoardRow(task=task, leads=leads, supporting=supporting))
    ordered = sorted(summary.values(), key=lambda s: (s.department.sort_order, s.department.name))
    return Board(period=period, today=today, rows=rows, summary=ordered, units=[s.department for s in ordered])


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
