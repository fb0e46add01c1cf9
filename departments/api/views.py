"""Read API for units and placeholder groups."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets

from departments.api.serializers import DepartmentGroupSerializer, DepartmentSerializer
from departments.extensions import with_task_counts
from departments.filters import DepartmentFilterSet, DepartmentGroupFilterSet
from departments.models import Department, DepartmentGroup
from xingping_tracker.core.filters import FilterBackend


@extend_schema_view(
    list=extend_schema(
        summary="单位列表",
        description="全部单位（含已撤并单位）及其牵头、配合任务数，可按类别、是否在用筛选，按名称或别名搜索。",
        tags=["单位"],
    ),
    retrieve=extend_schema(
        summary="单位详情",
        description="单位信息及其牵头、配合的任务数（占位如“各镇办”按展开后的单位计）。",
        tags=["单位"],
        examples=[
            OpenApiExample(
                "市发改局",
                value={
                    "id": 1,
                    "name": "市发改局",
                    "kind": "city_department",
                    "kind_display": "市政府工作部门",
                    "host": None,
                    "is_active": True,
                    "successor": None,
                    "aliases": ["发改局", "市发展和改革局"],
                    "sort_order": 0,
                    "led_task_count": 42,
                    "supported_task_count": 63,
                },
                response_only=True,
            )
        ],
    ),
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentSerializer
    filter_backends = [FilterBackend]
    filterset_class = DepartmentFilterSet

    def get_queryset(self) -> QuerySet[Department]:
        return with_task_counts(Department.objects.select_related("host").prefetch_related("aliases"))


@extend_schema_view(
    list=extend_schema(
        summary="单位组（占位）列表",
        description="文件中的占位写法（各镇办、市级相关部门等）及其成员单位。固定成员的组（各镇办）默认展开为全部成员。",
        tags=["单位"],
    ),
    retrieve=extend_schema(summary="单位组（占位）详情", tags=["单位"]),
)
class DepartmentGroupViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentGroupSerializer
    filter_backends = [FilterBackend]
    filterset_class = DepartmentGroupFilterSet
    queryset = DepartmentGroup.objects.prefetch_related("members")
