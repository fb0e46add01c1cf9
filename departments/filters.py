"""FilterSets for units, shared by the API and the pages."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_filters.rest_framework import BooleanFilter

from departments.models import Department, DepartmentAlias, DepartmentGroup, DepartmentKind, GroupKind


def search_departments(queryset: QuerySet[Department], *, term: str) -> QuerySet[Department]:
    """Units whose name or one of whose aliases contains ``term`` (no duplicates)."""
    term = term.strip()
    if not term:
        return queryset
    aliases = DepartmentAlias.objects.filter(department_id=OuterRef("pk"), alias__icontains=term)
    return queryset.filter(Q(name__icontains=term) | Exists(aliases))


class DepartmentFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=DepartmentKind.choices, label="类别")
    is_active = BooleanFilter(label="在用", help_text="true 只看在用单位，false 只看已撤并单位")
    q = django_filters.CharFilter(method="filter_q", label="搜索", help_text="按单位名称或别名模糊查找")

    class Meta:
        model = Department
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Department], name: str, value: str) -> QuerySet[Department]:
        return search_departments(queryset, term=value)


class DepartmentGroupFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=GroupKind.choices, label="类型")

    class Meta:
        model = DepartmentGroup
        fields: list[str] = []
