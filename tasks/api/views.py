"""Read API for plans, sections and tasks."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.filters import OrderingFilter

from access.querysets import tasks_visible_to
from tasks import selectors
from tasks.api.serializers import PlanSerializer, SectionSerializer, TaskSerializer
from tasks.filters import SectionFilterSet, TaskFilterSet
from tasks.models import Plan, Section, Task
from xingping_tracker.core.filters import FilterBackend

TASK_EXAMPLE = {
    "id": 50,
    "plan": 1,
    "number": 50,
    "text": "加快西咸一体化发展……到2022年，创建……到2025年，……",
    "section": 12,
    "section_path": ["四、重要举措", "（一）融入西安都市圈，加快西咸一体化发展"],
    "kind": "measure",
    "kind_display": "重要举措",
    "binding": False,
    "incentive": False,
    "deadline": "2025-12-31",
    "deadline_text": "到2025年",
    "lead": [
        {
            "id": 3,
            "name": "市发改局",
            "kind": "city_department",
            "as_written": "市发改局",
            "is_placeholder": False,
            "expanded_to": [],
            "effective_units": [
                {"id": 3, "name": "市发改局", "kind": "city_department", "kind_display": "市政府工作部门"}
            ],
        }
    ],
    "supporting": [
        {
            "id": 2,
            "name": "各镇办",
            "kind": "fixed",
            "as_written": "各镇办",
            "is_placeholder": True,
            "expanded_to": [],
            "effective_units": [{"id": 40, "name": "店张街道办", "kind": "subdistrict", "kind_display": "街道办事处"}],
        }
    ],
    "supporting_open_ended": False,
    "annotation": "牵头部门：市发改局，配合部门：各镇办",
    "milestones": [{"due_on": "2022-12-31", "text": "到2022年，创建……", "position": 0}],
    "targets": [],
}


@extend_schema_view(
    list=extend_schema(summary="任务分工方案列表", description="已导入的任务分工方案及其任务数。", tags=["方案"]),
    retrieve=extend_schema(summary="任务分工方案详情", tags=["方案"]),
)
class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PlanSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Plan]:
        return selectors.plan_list()


@extend_schema_view(
    list=extend_schema(
        summary="章节列表",
        description="方案的章（一、二、…）与节（（一）（二）…），可按方案、上级章节筛选。",
        tags=["方案"],
    ),
    retrieve=extend_schema(summary="章节详情", tags=["方案"]),
)
class SectionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SectionSerializer
    filter_backends = [FilterBackend]
    filterset_class = SectionFilterSet

    def get_queryset(self) -> QuerySet[Section]:
        return selectors.section_list()


@extend_schema_view(
    list=extend_schema(
        summary="任务列表",
        description=(
            "按方案序号排列的任务，含牵头、配合单位（保留原文写法，占位给出展开后的实际单位）、节点与量化目标。"
            "单位筛选（lead / supporting / unit）按实际承担单位计算：具体单位、占位的展开单位、"
            "或固定成员占位（如各镇办）的全部成员。"
            "没有“查看任务”权限的用户只能看到本单位牵头或配合的任务。"
        ),
        tags=["任务"],
        examples=[OpenApiExample("任务", value=TASK_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(summary="任务详情", tags=["任务"]),
)
class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TaskSerializer
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = TaskFilterSet
    ordering_fields = ["number", "deadline"]

    def get_queryset(self) -> QuerySet[Task]:
        return selectors.task_list(queryset=tasks_visible_to(Task.objects.all(), user=self.request.user))
