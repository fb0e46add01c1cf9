"""Admin for review periods, progress reports, extension requests, cadences and events (Chinese UI).

Status fields change only through the services (:mod:`progress.services`): the admin shows
reports, extension requests and events read-only, and opens or closes periods through admin
actions that call the period services (so the permission rules, the workflow table and the
history apply). Cadences and the dates of a period are plain configuration and stay editable.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from progress.models import (
    Evidence,
    ExtensionRequest,
    ProgressReport,
    ReportEvent,
    ReviewCadence,
    ReviewPeriod,
    TargetActual,
    TaskEvent,
    TaskProgress,
)
from progress.services.periods import close_period, open_period
from xingping_tracker.core.admin import AnnouncesChangesAdmin
from xingping_tracker.core.changes import PROGRESS
from xingping_tracker.core.exceptions import ApplicationError


class ReadOnlyAdminMixin:
    """Viewable by whoever has the view permission; never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- cadence and periods ---------------------------------------------------------------------


@admin.register(ReviewCadence)
class ReviewCadenceAdmin(AnnouncesChangesAdmin, admin.ModelAdmin):
    change_topics = (PROGRESS,)
    list_display = ["plan", "periods_per_year", "last_period_is_annual_summary", "report_due_days", "meeting_days"]
    list_select_related = ["plan"]


def _move_periods(request: HttpRequest, queryset: QuerySet[ReviewPeriod], service: Any, done: str) -> None:
    moved = []
    for period in queryset.order_by("starts_on"):
        try:
            service(period=period, user=request.user)
        except ApplicationError as exc:
            messages.error(request, f"“{period.name}”：{exc.message}")
        else:
            moved.append(period.name)
    if moved:
        messages.success(request, f"已{done}：{'、'.join(moved)}。")


@admin.action(description="开放所选填报期（关闭的期重新开放，允许补报）", permissions=["change"])
def open_periods(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ReviewPeriod]) -> None:
    _move_periods(request, queryset, open_period, "开放")


@admin.action(description="关闭所选填报期（关闭后不能再填报或修改）", permissions=["change"])
def close_periods(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ReviewPeriod]) -> None:
    _move_periods(request, queryset, close_period, "关闭")


@admin.register(ReviewPeriod)
class ReviewPeriodAdmin(AnnouncesChangesAdmin, SimpleHistoryAdmin):
    change_topics = (PROGRESS,)
    list_display = [
        "name", "plan_short", "starts_on", "ends_on", "report_due_on", "meeting_on", "is_annual_summary", "status",
        "report_count",
    ]
    list_filter = ["status", "is_annual_summary", "plan"]
    list_select_related = ["plan"]
    search_fields = ["name"]
    readonly_fields = ["status", "opened_at", "closed_at"]
    fields = [
        "plan", "name", "starts_on", "ends_on", "report_due_on", "meeting_on", "is_annual_summary",
        "status", "opened_at", "closed_at",
    ]
    actions = [open_periods, close_periods]  # and 下载会议材料, added by exports/admin.py

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewPeriod]:
        return super().get_queryset(request).annotate(report_count=Count("reports"))

    def get_readonly_fields(self, request: HttpRequest, obj: ReviewPeriod | None = None) -> list[str]:
        # A period does not move to another plan once it exists (its reports belong to that plan).
        return [*self.readonly_fields, "plan"] if obj is not None else list(self.readonly_fields)

    def has_delete_permission(self, request: HttpRequest, obj: ReviewPeriod | None = None) -> bool:
        # A period with reports is kept (the reports protect it); an unused one may go.
        if obj is not None and obj.reports.exists():
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="方案")
    def plan_short(self, obj: ReviewPeriod) -> str:
        return obj.plan.document_number or obj.plan.title[:20]

    @admin.display(description="报告数", ordering="report_count")
    def report_count(self, obj: ReviewPeriod) -> int:
        return obj.report_count


# --- reports ---------------------------------------------------------------------------------


class TargetActualInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TargetActual
    fields = ["target", "state", "value", "data_date", "note"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[TargetActual]:
        return super().get_queryset(request).select_related("target")


class EvidenceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Evidence
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Evidence]:
        return super().get_queryset(request).select_related("uploaded_by")


class ReportEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReportEvent
    fields = ["at", "type", "actor", "from_status", "to_status", "comment"]
    readonly_fields = fields
    extra = 0
    verbose_name_plural = "事件"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportEvent]:
        return super().get_queryset(request).select_related("actor")


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: reports are written, submitted and reviewed in the portal or the API (the services)."""

    list_display = [
        "task_number", "department", "period", "role", "status", "progress_status", "percent", "submitted_at",
        "version", "is_demo",
    ]
    list_filter = ["period", "status", "progress_status", "role", "is_demo", ("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["task", "department", "period"]
    search_fields = ["department__name", "progress_text"]
    ordering = ["-period__starts_on", "task__number", "role", "department__name"]
    fieldsets = [
        (None, {"fields": ["task", "department", "period", "role", "is_demo"]}),
        ("审核", {"fields": [
            "status", "version", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by", "review_comment",
        ]}),
        ("内容", {"fields": ["progress_status", "percent", "progress_text", "problems_text", "next_steps_text"]}),
        ("记录", {"fields": ["prefilled_from", "created_at", "updated_at", "updated_by"]}),
    ]
    readonly_fields = [field for _, options in fieldsets for field in options["fields"]]
    inlines = [TargetActualInline, EvidenceInline, ReportEventInline]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[ProgressReport], search_term: str
    ) -> tuple[QuerySet[ProgressReport], bool]:
        # A number finds the task with that number (任务序号), as in the task admin.
        from tasks.selectors import parse_task_number

        number = parse_task_number(search_term)
        if number is not None:
            return queryset.filter(task__number=number), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="任务序号", ordering="task__number")
    def task_number(self, obj: ProgressReport) -> int:
        return obj.task.number


# --- tasks' running state, extension requests, events ----------------------------------------


@admin.register(TaskProgress)
class TaskProgressAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["task", "status", "completed_at", "completed_by", "extended_deadline"]
    list_filter = ["status"]
    list_select_related = ["task", "completed_by"]
    search_fields = ["task__text"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: requests are made, approved, refused and withdrawn through the services."""

    list_display = [
        "task", "department", "current_deadline", "requested_deadline", "status", "requested_by", "requested_at",
        "decided_by", "decided_at",
    ]
    list_filter = ["status", ("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["task", "department", "requested_by", "decided_by"]
    search_fields = ["reason", "department__name"]


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "type", "report", "actor", "from_status", "to_status", "comment"]
    list_filter = ["type", "report__period"]
    list_select_related = ["report", "report__task", "report__department", "report__period", "actor"]
    date_hierarchy = "at"


@admin.register(TaskEvent)
class TaskEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "type", "task", "actor", "comment"]
    list_filter = ["type"]
    list_select_related = ["task", "actor"]
    date_hierarchy = "at"
