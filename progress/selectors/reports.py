"""Reads of progress reports for the API and the pages: filtered, permission-checked, prefetched."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Window

from access.actor import actor_for
from access.querysets import reports_visible_to
from access.rules import check_can_view_report, reads_as_unit
from departments.models import Department
from progress.filters import ReportFilterSet
from progress.models import Evidence, ProgressReport, ReportStatus, TargetActual
from progress.workflow import DELIVERED_REPORT_STATES, task_released
from tasks.models import AssignmentRole
from tasks.selectors import unit_cells
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode
from xingping_tracker.core.filters import check_filters


def with_report_details(queryset: QuerySet[ProgressReport]) -> QuerySet[ProgressReport]:
    """Everything a report row shows, in a constant number of queries whatever the page size."""
    return queryset.select_related(
        "task", "task__progress", "department", "period", "updated_by", "submitted_by", "reviewed_by"
    ).prefetch_related(
        Prefetch("actuals", queryset=TargetActual.objects.select_related("target").order_by("target_id")),
        # Each report's files in upload order, as the model's ordering gives them within one report
        # (without its "report" part, which would join every table of the reports' own ordering).
        Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by").order_by("uploaded_at", "pk")),
    )


def report_list(*, filters: dict[str, Any] | None = None, user: Any) -> QuerySet[ProgressReport]:
    """Reports ``user`` may see (:func:`access.querysets.reports_visible_to`), filtered through
    :class:`progress.filters.ReportFilterSet`, ordered by id (oldest first: a page stays the same
    while new reports are added at the end).

    Nothing is joined or prefetched: count and page this queryset (cheap, it walks the primary key),
    then load the page's rows with :func:`reports_by_ids`. Raises ``ApplicationError(INVALID)`` with
    per-field errors when a filter value is not valid.
    """
    queryset = reports_visible_to(ProgressReport.objects.all(), user=user)
    filterset = ReportFilterSet(data=filters or {}, queryset=queryset)
    check_filters(filterset)
    return filterset.qs.order_by("pk")


def visible_reports_are_filtered(user: Any) -> bool:
    """Whether ``user`` sees a filtered subset of the reports (unit staff): then counting them reads
    as much as listing them, and a list is better counted with its page in one query
    (:func:`report_ids_with_count`)."""
    return reads_as_unit(actor_for(user))


def report_ids_with_count(
    queryset: QuerySet[ProgressReport], *, offset: int, limit: int
) -> tuple[list[int], int | None]:
    """The ids of ``queryset[offset:offset + limit]`` (in its order) and the size of the whole
    queryset, from one query (``COUNT(*) OVER ()``): the visible set is read once, not once to count
    and once more to page. The count is None when the slice is empty (past the end, or nothing)."""
    rows = list(queryset.annotate(total=Window(Count("pk"))).values_list("pk", "total")[offset : offset + limit])
    return [pk for pk, _ in rows], (rows[0][1] if rows else None)


def reports_by_ids(ids: Iterable[int]) -> list[ProgressReport]:
    """The reports ``ids`` (a page of :func:`report_list`) with their details, in the order given.
    Three queries whatever the number of ids; the caller has already checked visibility."""
    ids = list(ids)
    if not ids:
        return []
    # Unordered in SQL (the model's ordering joins the plans, periods and tasks): ordered here.
    by_id = {report.pk: report for report in with_report_details(ProgressReport.objects.filter(pk__in=ids).order_by())}
    return [by_id[pk] for pk in ids if pk in by_id]


def report_detail(*, report_id: int, user: Any) -> ProgressReport:
    """One report with its details; ``NOT_FOUND`` when it does not exist or ``user`` may not see it."""
    # Read as a page of one (reports_by_ids): without ORDER BY and LIMIT, PostgreSQL plans the
    # eight-table join in about 1 ms, against 6 ms for get() ("id = … LIMIT 21") and 8 ms for first()
    # (sorted by the model's ordering, which joins the plans twice more).
    found = reports_by_ids([int(report_id)])
    if not found:
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该报告，或您无权查看。")
    report = found[0]
    check_can_view_report(actor_for(user), report)
    return report


def report_contributions(*, report: ProgressReport, user: Any) -> dict[str, Any]:
    """The supporting units' non-draft contributions on the report's task and period, and the
    ``silent_units``: effective supporting units (not also leading) still owing theirs (without a
    submitted or accepted one, on a task not closed by the period's due date)."""
    contributions = list(
        with_report_details(reports_visible_to(ProgressReport.objects.all(), user=user))
        .filter(task_id=report.task_id, period_id=report.period_id, role=AssignmentRole.SUPPORTING)
        .exclude(status=ReportStatus.DRAFT)
        .order_by("department__sort_order", "department__name", "pk")
    )
    task_id = report.task_id
    spoken = ProgressReport.objects.filter(
        task_id=task_id,
        period_id=report.period_id,
        department_id=OuterRef("pk"),
        status__in=DELIVERED_REPORT_STATES,
    )
    supporting = unit_cells(department=OuterRef("pk")).filter(task_id=task_id, role=AssignmentRole.SUPPORTING)
    # Still owed (progress.workflow.owes_report): none on a task closed by the period's due date.
    silent_units = (
        []
        if task_released(report.task, due_on=report.period.report_due_on)
        else list(Department.objects.filter(Exists(supporting)).exclude(Exists(spoken)).order_by("sort_order", "name"))
    )
    return {"report": report, "contributions": contributions, "silent_units": silent_units}
