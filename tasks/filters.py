"""FilterSets for tasks, shared by the API, the pages and the selectors."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import BooleanFilter
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from departments.models import Department
from tasks import selectors
from tasks.models import AssignmentRole, Plan, Section, Task, TaskKind
from xingping_tracker.core.filters import year_filter


class TaskFilterSet(django_filters.FilterSet):
    plan = django_filters.ModelChoiceFilter(queryset=Plan.objects.all(), label="方案", help_text="方案 ID")
    section = django_filters.ModelChoiceFilter(
        queryset=Section.objects.all(),
        method="filter_section",
        label="章节",
        help_text="章节 ID；包含其下级章节中的任务",
    )
    kind = django_filters.ChoiceFilter(choices=TaskKind.choices, label="类别")
    binding = BooleanFilter(label="约束性", help_text="true 只看约束性指标，false 只看预期性")
    incentive = BooleanFilter(label="激励性")
    lead = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(),
        method="filter_lead",
        label="牵头单位",
        help_text="单位 ID；含占位展开（如各镇办）后由该单位牵头的任务",
    )
    supporting = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(),
        method="filter_supporting",
        label="配合单位",
        help_text="单位 ID；含占位展开后由该单位配合的任务（同时牵头的任务算牵头，不在此列）",
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(),
        method="filter_unit",
        label="责任单位（牵头或配合）",
        help_text="单位 ID；该单位牵头或配合的任务",
    )
    deadline_year = year_filter(field_name="deadline", label="完成年份", help_text="如 2025")
    q = django_filters.CharFilter(
        method="filter_q", label="搜索", help_text="输入整数按任务序号精确查找，其他文字按任务内容模糊查找"
    )

    class Meta:
        model = Task
        fields: list[str] = []

    @extend_schema_field(OpenApiTypes.INT)
    def filter_section(self, queryset: QuerySet[Task], name: str, value: Section) -> QuerySet[Task]:
        return selectors.filter_tasks_by_section(queryset, section=value)

    @extend_schema_field(OpenApiTypes.INT)
    def filter_lead(self, queryset: QuerySet[Task], name: str, value: Department) -> QuerySet[Task]:
        return selectors.filter_tasks_by_unit(queryset, department=value, role=AssignmentRole.LEAD)

    @extend_schema_field(OpenApiTypes.INT)
    def filter_supporting(self, queryset: QuerySet[Task], name: str, value: Department) -> QuerySet[Task]:
        return selectors.filter_tasks_by_unit(queryset, department=value, role=AssignmentRole.SUPPORTING)

    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset: QuerySet[Task], name: str, value: Department) -> QuerySet[Task]:
        return selectors.filter_tasks_by_unit(queryset, department=value)

    def filter_q(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return selectors.search_tasks(queryset, term=value)


class SectionFilterSet(django_filters.FilterSet):
    plan = django_filters.ModelChoiceFilter(queryset=Plan.objects.all(), label="方案", help_text="方案 ID")
    parent = django_filters.ModelChoiceFilter(queryset=Section.objects.all(), label="上级章节", help_text="上级章节 ID")
    top_level = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", label="仅一级章节", help_text="true 只返回一级章节（一、二、…）"
    )

    class Meta:
        model = Section
        fields: list[str] = []
