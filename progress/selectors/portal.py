"""Reads for the unit staff's pages: the periods a unit reports in, its "本期待填报" list, one
report form's surroundings (previous report, contributions, silent supporting units) and the
task page.

Every list here is built from a fixed number of queries whatever the number of tasks or reports:
the due list reads every task of the unit light (id, number, role, this period's report status,
whether the task was closed in time to be released from the period) for its counts, filters and
order, then only the page shown in full (tasks, previous reports).

Whether a unit still owes a report (the rows still due, the late marks) is :mod:`progress.workflow`'s
one rule: a task closed (办结) by the end of the period's report due date is released from it
(:func:`~progress.workflow.released`): its row is listed, marked, but neither still due nor late.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from access.actor import Actor
from access.querysets import extension_requests_visible_to, reports_visible_to
from access.rules import can_view_task
from departments.models import Department
from progress.models import (
    ExtensionRequest,
    ExtensionStatus,
    PeriodStatus,
    ProgressReport,
    ReportEvent,
    ReportEventType,
    ReportStatus,
    ReviewPeriod,
    TargetActual,
    TaskProgress,
    TaskStatus,
)
from progress.signals import latest_readings_asked
from progress.workflow import DELIVERED_REPORT_STATES, owes_report, released, task_released
from tasks.models import AssignmentRole, Task
from tasks.selectors import filter_tasks_by_unit, task_effective_units, unit_cells, with_task_details

DELIVERED_STATES = DELIVERED_REPORT_STATES  # reached the plan office: not late, not silent
NOT_STARTED = "none"
NOT_STARTED_LABEL = "未填报"
DUE_STATUS_CHOICES: list[tuple[str, str]] = [(NOT_STARTED, NOT_STARTED_LABEL), *ReportStatus.choices]
_STATUS_LABELS = dict(DUE_STATUS_CHOICES)


# --- periods ---------------------------------------------------------------------------------


def unit_periods(*, department_id: int) -> list[ReviewPeriod]:
    """The open and closed periods of every plan where the unit has tasks, newest first (one query)."""
    unit_tasks = filter_tasks_by_unit(Task.objects.filter(plan_id=OuterRef("plan_id")), department=department_id)
    return list(
        ReviewPeriod.objects.filter(Exists(unit_tasks), status__in=[PeriodStatus.OPEN, PeriodStatus.CLOSED])
        .select_related("plan")
        .order_by("-starts_on", "-plan__issued_on", "-plan_id")
    )


def default_period(periods: list[ReviewPeriod]) -> ReviewPeriod | None:
    """The latest open period; the latest closed one when none is open."""
    for period in periods:
        if period.is_open:
            return period
    return periods[0] if periods else None


# --- the due list (本期待填报) ----------------------------------------------------------------


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def effective_deadline_of(task: Task) -> dt.date | None:
    """:func:`progress.services.task_review.effective_deadline`, from ``select_related("progress")`` data."""
    try:
        progress = task.progress
    except TaskProgress.DoesNotExist:
        progress = None
    if progress is not None and progress.extended_deadline is not None:
        return progress.extended_deadline
    return task.deadline


# Rows of a due list page: 50 fits a phone's scroll and keeps the page light for a unit with 1,000+ tasks.
DUE_PAGE_SIZE = 50
# A report in one of these states (or none yet) is still owed, unless the task is released from the
# period (progress.workflow.owes_report): those rows come first.
STILL_DUE_STATES = frozenset({NOT_STARTED, ReportStatus.DRAFT, ReportStatus.RETURNED})
TASK_TEXT_CHARS = 60
PREVIOUS_TEXT_CHARS = 50


@dataclass(frozen=True, slots=True)
class DueEntry:
    """One task of the unit in the period: what the counts, the filters and the order need."""

    task_id: int
    number: int
    role: str
    status: str  # a ReportStatus value or NOT_STARTED
    late: bool
    released: bool = False  # the task was closed (办结) in time: nothing owed in this period

    @property
    def still_due(self) -> bool:
        return not self.released and self.status in STILL_DUE_STATES


@dataclass
class DueRow:
    """One row of the page shown, with its short texts and links computed once here."""

    task: Task
    role: str
    status: str
    previous: ProgressReport | None
    late: bool
    released: bool  # the task was closed (办结) in time: shown as 已办结，本期无需报送
    effective_deadline: dt.date | None
    task_summary: str
    previous_summary: str
    task_url: str
    form_url: str
    action_label: str
    action_primary: bool

    @property
    def role_label(self) -> str:
        return AssignmentRole(self.role).label

    @property
    def status_label(self) -> str:
        return _STATUS_LABELS[self.status]

    @property
    def extended(self) -> bool:
        return self.effective_deadline != self.task.deadline

    @property
    def previous_first_line(self) -> str:
        return first_line(self.previous.progress_text) if self.previous is not None else ""


@dataclass
class DueList:
    period: ReviewPeriod
    today: dt.date
    entries: list[DueEntry]  # every task of the unit in the period's plan, before filtering
    filtered: list[DueEntry]  # after the role and status filters, still due first, then by task number
    page: Page  # of ``filtered``
    rows: list[DueRow]  # the page's rows

    @property
    def past_due(self) -> bool:
        return self.today > self.period.report_due_on

    @property
    def counts(self) -> dict[str, int]:
        """{status: how many tasks}; a task released from the period is not counted under a state
        still due (未填报, 草稿, 已退回: nothing is owed on it), only under a delivered one."""
        counter = Counter(entry.status for entry in self.entries if not _counted_as_released(entry))
        return {status: counter.get(status, 0) for status, _ in DUE_STATUS_CHOICES}

    @property
    def released_count(self) -> int:
        """How many tasks are released from the period (closed in time) without a delivered report."""
        return sum(_counted_as_released(entry) for entry in self.entries)

    @property
    def count_items(self) -> list[tuple[str, str, int]]:
        """(status, label, count) for the summary at the top; 未填报 reads 待填报 and 已退回 reads
        待修改 there, and comes first."""
        counts = self.counts
        names = {NOT_STARTED: "待填报", ReportStatus.RETURNED: "待修改"}
        items = [(status, names.get(status, label), counts[status]) for status, label in DUE_STATUS_CHOICES]
        # 待修改 first: the plan office is waiting for those.
        return sorted(items, key=lambda item: item[0] != ReportStatus.RETURNED)

    @property
    def late_count(self) -> int:
        return sum(entry.late for entry in self.entries)


def _counted_as_released(entry: DueEntry) -> bool:
    """The entry is counted apart (已办结, not 待填报/草稿/待修改): released with nothing delivered."""
    return entry.released and entry.status in STILL_DUE_STATES


def _action(status: str, *, period_open: bool, released_task: bool = False) -> tuple[str, bool]:
    """The row's button: its label and whether it is the primary (something still to write) one."""
    if not period_open or released_task or status not in STILL_DUE_STATES:
        return "查看", False
    return {ReportStatus.RETURNED: "修改后重报", ReportStatus.DRAFT: "继续填报"}.get(status, "填报"), True


def due_list(
    *,
    department_id: int,
    period: ReviewPeriod,
    role: str | None = None,
    status: str | None = None,
    page: int | str | None = 1,
    per_page: int = DUE_PAGE_SIZE,
    today: dt.date | None = None,
) -> DueList:
    """The unit's tasks in the period's plan (effective lead or supporting unit; lead wins) with the
    status of this period's report and the late mark; the returned reports first (待修改), then the
    other rows still due, then the rest, each by task number. A task released from the period
    (:func:`progress.workflow.released`) is listed but is neither still due nor late, and a status
    filter on a state still due (未填报, 草稿, 已退回) leaves it out, as the counts do.

    Every task is read light (one query: its id, number, the unit's role, the report's status and
    the task's 办结 state) for the counts, the filters and the order; only the requested page
    (``per_page`` rows, an invalid page number gives the nearest one) is read in full: the tasks and
    the unit's previous report on each (two queries). Three queries whatever the number of tasks.
    """
    today = today or timezone.localdate()
    past_due = today > period.report_due_on
    own = ProgressReport.objects.filter(department_id=department_id)
    current_status = own.filter(period=period, task_id=OuterRef("task_id")).values("status")[:1]
    cells = (
        unit_cells(department=department_id)
        .filter(task__plan_id=period.plan_id)
        .annotate(report_status=Subquery(current_status))
        .order_by()  # sorted below
        .values_list(
            "task_id", "task__number", "role", "report_status", "task__progress__status", "task__progress__completed_at"
        )
    )

    def make_entry(
        task_id: int, number: int, entry_role: str, report_status: str | None, released_task: bool
    ) -> DueEntry:
        return DueEntry(
            task_id=task_id,
            number=number,
            role=entry_role,
            status=report_status or NOT_STARTED,
            late=past_due and owes_report(status=report_status, released=released_task),
            released=released_task,
        )

    entries = sorted(
        (
            make_entry(
                task_id,
                number,
                entry_role,
                report_status,
                released(
                    closed=task_status == TaskStatus.COMPLETED, completed_at=completed_at, due_on=period.report_due_on
                ),
            )
            for task_id, number, entry_role, report_status, task_status, completed_at in cells
        ),
        # 待修改 (returned) first: the plan office is waiting for them; then the rest still due.
        key=lambda entry: (not entry.still_due, entry.status != ReportStatus.RETURNED, entry.number, entry.task_id),
    )
    filtered = [
        entry
        for entry in entries
        if (not role or entry.role == role)
        and (not status or (entry.status == status and not (status in STILL_DUE_STATES and entry.released)))
    ]
    shown = Paginator(filtered, per_page).get_page(page)
    return DueList(
        period=period,
        today=today,
        entries=entries,
        filtered=filtered,
        page=shown,
        rows=_due_rows(list(shown.object_list), department_id=department_id, period=period),
    )


def _due_rows(entries: list[DueEntry], *, department_id: int, period: ReviewPeriod) -> list[DueRow]:
    if not entries:
        return []
    ids = [entry.task_id for entry in entries]
    tasks = {
        task.pk: task
        for task in Task.objects.filter(pk__in=ids)
        .select_related("progress")
        .only("pk", "plan_id", "number", "text", "binding", "kind", "deadline", "progress__extended_deadline")
    }
    own_earlier = ProgressReport.objects.filter(
        department_id=department_id, period__plan_id=period.plan_id, period__starts_on__lt=period.starts_on
    )
    latest_earlier = own_earlier.filter(task_id=OuterRef("task_id")).order_by("-period__starts_on").values("pk")[:1]
    previous = {
        report.task_id: report
        for report in own_earlier.filter(task_id__in=ids, pk=Subquery(latest_earlier))
        .select_related("period")
        .only("pk", "task_id", "status", "progress_text", "period__name", "period__starts_on")
    }
    rows = []
    for entry in entries:
        task = tasks[entry.task_id]
        earlier = previous.get(task.pk)
        label, primary = _action(entry.status, period_open=period.is_open, released_task=entry.released)
        rows.append(
            DueRow(
                task=task,
                role=entry.role,
                status=entry.status,
                previous=earlier,
                late=entry.late,
                released=entry.released,
                effective_deadline=effective_deadline_of(task),
                task_summary=Truncator(task.text).chars(TASK_TEXT_CHARS),
                previous_summary=Truncator(first_line(earlier.progress_text)).chars(PREVIOUS_TEXT_CHARS)
                if earlier is not None
                else "",
                task_url=reverse("progress:task_detail", args=[task.pk]),
                form_url=reverse("progress:report_form", args=[task.pk, period.pk]),
                action_label=label,
                action_primary=primary,
            )
        )
    return rows


# --- the report form's surroundings ----------------------------------------------------------


def report_for_form(*, task_id: int, department_id: int, period_id: int) -> ProgressReport | None:
    return (
        ProgressReport.objects.select_related("period", "department", "updated_by", "reviewed_by")
        .filter(task_id=task_id, department_id=department_id, period_id=period_id)
        .first()
    )


def latest_return_event(report: ProgressReport) -> ReportEvent | None:
    return (
        ReportEvent.objects.filter(report=report, type=ReportEventType.RETURNED)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )


def actuals_by_target(report: ProgressReport | None) -> dict[int, TargetActual]:
    if report is None:
        return {}
    return {actual.target_id: actual for actual in TargetActual.objects.filter(report=report)}


def effective_units(task: Task) -> tuple[list[Department], list[Department]]:
    """(lead units, supporting units) of a task from :func:`tasks.selectors.with_task_details` data;
    a unit that leads is not listed again as supporting."""
    return task_effective_units(task)


@dataclass
class Contributions:
    reports: list[ProgressReport]  # supporting units' non-draft contributions the actor may see
    silent: list[Department]  # effective supporting units still owing their contribution (progress.workflow)


def contributions_for(*, task: Task, period: ReviewPeriod, actor: Actor) -> Contributions:
    """What the lead unit reads while writing: its supporting units' contributions for the period."""
    reports = list(
        reports_visible_to(
            ProgressReport.objects.filter(task=task, period=period, role=AssignmentRole.SUPPORTING).exclude(
                status=ReportStatus.DRAFT
            ),
            user=actor.user,
        )
        .select_related("department")
        .prefetch_related("evidence")
        .order_by("department__sort_order", "department__name")
    )
    statuses = {report.department_id: report.status for report in reports}
    # The task's progress is read with it (select_related) on the report form.
    is_released = task_released(task, due_on=period.report_due_on)
    _, supporting = effective_units(task)
    # Still owed (progress.workflow.owes_report): none on a task closed by the period's due date.
    silent = [unit for unit in supporting if owes_report(status=statuses.get(unit.pk), released=is_released)]
    return Contributions(reports=reports, silent=silent)


def task_with_details(task_id: int) -> Task | None:
    return with_task_details(Task.objects.filter(pk=task_id)).select_related("progress").first()


# --- the task page ---------------------------------------------------------------------------


@dataclass
class PeriodReports:
    period: ReviewPeriod
    reports: list[ProgressReport]
    own: ProgressReport | None = None


@dataclass
class TaskPage:
    task: Task
    task_progress: TaskProgress | None
    effective_deadline: dt.date | None
    lead_units: list[Department]
    supporting_units: list[Department]
    latest_readings: dict[int, Any]  # target id → its latest reading (progress.signals.latest_readings_asked)
    periods: list[PeriodReports]
    extension_requests: list[ExtensionRequest]
    pending_extension: ExtensionRequest | None
    unit_role: str | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def targets(self) -> list[tuple[Any, Any]]:
        return [(target, self.latest_readings.get(target.pk)) for target in self.task.targets.all()]


def task_page(task: Task, *, actor: Actor) -> TaskPage:
    """Everything the task page shows besides the timeline, in a fixed number of queries
    (``task`` from :func:`task_with_details`)."""
    try:
        task_progress = task.progress
    except TaskProgress.DoesNotExist:
        task_progress = None
    lead_units, supporting_units = effective_units(task)
    unit_role = None
    if actor.department_id is not None:
        if any(unit.pk == actor.department_id for unit in lead_units):
            unit_role = AssignmentRole.LEAD
        elif any(unit.pk == actor.department_id for unit in supporting_units):
            unit_role = AssignmentRole.SUPPORTING
    visible = reports_visible_to(ProgressReport.objects.filter(task=task), user=actor.user)
    reports = list(
        visible.select_related("period", "department").order_by(
            "-period__starts_on", "role", "department__sort_order", "department__name"
        )
    )
    periods = list(
        ReviewPeriod.objects.filter(plan_id=task.plan_id).exclude(status=PeriodStatus.PLANNED).order_by("-starts_on")
    )
    by_period: dict[int, PeriodReports] = {period.pk: PeriodReports(period=period, reports=[]) for period in periods}
    for report in reports:
        entry = by_period.setdefault(report.period_id, PeriodReports(period=report.period, reports=[]))
        entry.reports.append(report)
        if report.department_id == actor.department_id:
            entry.own = report
    latest: dict[int, Any] = {}
    target_ids = [target.pk for target in task.targets.all()]
    if target_ids:  # the indicators app answers (the one series; progress does not import it)
        for _receiver, answer in latest_readings_asked.send(sender=TaskPage, target_ids=target_ids):
            latest.update(answer or {})
    extension_requests = list(
        extension_requests_visible_to(ExtensionRequest.objects.filter(task=task), user=actor.user).select_related(
            "department", "requested_by", "decided_by"
        )
    )
    pending = next((r for r in extension_requests if r.status == ExtensionStatus.PENDING), None)
    return TaskPage(
        task=task,
        task_progress=task_progress,
        effective_deadline=effective_deadline_of(task),
        lead_units=lead_units,
        supporting_units=supporting_units,
        latest_readings=latest,
        periods=sorted(by_period.values(), key=lambda p: p.period.starts_on, reverse=True),
        extension_requests=extension_requests,
        pending_extension=pending,
        unit_role=unit_role,
    )


def carried_links(task: Task, *, actor: Any) -> dict[str, Any]:
    """The task this one was carried from (承接自, last plan's) and those it was carried into, each
    with a link when the actor may open it (two queries)."""
    related = Task.objects.select_related("plan").only("pk", "number", "plan__title", "plan__state")

    def link(other: Task) -> tuple[Task, str]:
        return other, reverse("progress:task_detail", args=[other.pk]) if can_view_task(actor, other) else ""

    carried_from = related.filter(pk=task.carried_from_id).first() if task.carried_from_id else None
    carried_into = list(related.filter(carried_from=task).order_by("plan_id", "number"))
    return {
        "carried_from": link(carried_from) if carried_from else None,
        "carried_into": [link(other) for other in carried_into],
    }


# --- the clerk's bulk 报送 and the next task ------------------------------------------------------


def complete_drafts(*, department_id: int, period: ReviewPeriod) -> list[ProgressReport]:
    """The unit's drafts in the period that could be submitted as they are (the same test as
    :func:`progress.services.reports.missing_for_submission`: 进展情况 written, and for a lead report
    every target's actual given), by task number; drafts written on the form or uploaded alike. One query."""
    drafts = (
        ProgressReport.objects.filter(department_id=department_id, period=period, status=ReportStatus.DRAFT)
        .exclude(progress_text="")
        .select_related("task")
        .annotate(
            target_count=Count("task__targets", distinct=True),
            actual_count=Count("actuals__target", distinct=True),
        )
        .order_by("task__number", "pk")
    )
    return [
        report
        for report in drafts
        if report.progress_text.strip()
        and (report.role != AssignmentRole.LEAD or report.actual_count >= report.target_count)
    ]


@dataclass(frozen=True)
class NextTask:
    entry: DueEntry | None  # the next task still to write, None when none is left
    remaining: int  # how many tasks are still to write (the next one included)


def next_due_task(
    *, department_id: int, period: ReviewPeriod, after_task_id: int, role: str | None = None, status: str | None = None
) -> NextTask:
    """Where the clerk goes after submitting the report on ``after_task_id``: the first task of the
    due list (same filters, same order: 待修改 first) still to write, other than that one."""
    listed = due_list(department_id=department_id, period=period, role=role, status=status, per_page=1)
    left = [entry for entry in listed.filtered if entry.still_due and entry.task_id != after_task_id]
    return NextTask(entry=left[0] if left else None, remaining=len(left))
