"""FilterSets for progress reports and review periods, shared by the API, the pages and the selectors."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from departments.models import Department
from progress.models import PeriodStatus, ProgressReport, ProgressStatus, ReportStatus, ReviewPeriod
from progress.workflow import DELIVERED_REPORT_STATES, released_q
from tasks.models import AssignmentRole, Plan, Task

# A report is settled (never overdue) once it reached the plan office (delivered).
SETTLED_REPORT_STATES = tuple(sorted(DELIVERED_REPORT_STATES))


def overdue_q() -> Q:
    """Reports whose period's due date has passed while their unit still owes them
    (:func:`progress.workflow.owes_report`: a draft or returned, on a task not closed by the due date)."""
    return (
        Q(period__report_due_on__lt=timezone.localdate())
        & ~Q(status__in=SETTLED_REPORT_STATES)
        & ~released_q()
    )


class ReportFilterSet(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), field_name="department", label="填报单位", help_text="单位 ID"
    )
    role = django_filters.ChoiceFilter(
        choices=AssignmentRole.choices, label="身份", help_text="lead 牵头单位报告，supporting 配合单位的配合情况"
    )
    period = django_filters.ModelChoiceFilter(queryset=ReviewPeriod.objects.all(), label="填报期", help_text="填报期 ID")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label="审核状态")
    progress_status = django_filters.ChoiceFilter(choices=ProgressStatus.choices, label="推进状态")
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label="逾期未报",
        help_text="true：填报期报送截止日已过、仍未报送（草稿或被退回）的报告；false：其余报告",
    )
    binding = django_filters.BooleanFilter(
        field_name="task__binding", label="约束性", help_text="true 只看约束性指标任务的报告"
    )
    task = django_filters.ModelChoiceFilter(queryset=Task.objects.all(), label="任务", help_text="任务 ID")
    plan = django_filters.ModelChoiceFilter(
        queryset=Plan.objects.all(), field_name="period__plan", label="方案", help_text="方案 ID"
    )

    class Meta:
        model = ProgressReport
        fields: list[str] = []

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_overdue(self, queryset: QuerySet[ProgressReport], name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())


class PeriodFilterSet(django_filters.FilterSet):
    plan = django_filters.ModelChoiceFilter(queryset=Plan.objects.all(), label="方案", help_text="方案 ID")
    status = django_filters.ChoiceFilter(choices=PeriodStatus.choices, label="状态")

    class Meta:
        model = ReviewPeriod
        fields: list[str] = []
