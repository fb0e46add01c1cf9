"""Read serializers for plans, sections and tasks. Task rows render from prefetched data only."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from departments.api.serializers import DepartmentBriefSerializer
from tasks import selectors
from tasks.models import Assignment, AssignmentRole, Milestone, Plan, Section, Target, Task


class PlanSerializer(serializers.ModelSerializer):
    task_count = serializers.IntegerField(read_only=True, help_text="任务数")
    state = serializers.CharField(read_only=True, help_text="状态：active 进行中，closed 已结束（只能查看和导出）")
    closed_at = serializers.DateTimeField(read_only=True, help_text="结束时间（进行中为 null）")

    class Meta:
        model = Plan
        fields = [
            "id",
            "title",
            "issuer",
            "document_number",
            "issued_on",
            "period_start",
            "period_end",
            "vision_year",
            "task_count",
            "state",
            "closed_at",
        ]


class SectionSerializer(serializers.ModelSerializer):
    heading = serializers.CharField(read_only=True, help_text="标题（含序号）")
    task_count = serializers.IntegerField(read_only=True, help_text="直属任务数（不含下级章节）")

    class Meta:
        model = Section
        fields = ["id", "plan", "parent", "label", "title", "heading", "position", "task_count"]


class AssignedUnitSerializer(serializers.Serializer):
    """One unit or placeholder named on a task, as written, with what it stands for.

    The fields document the shape; rows are built by ``assigned_unit_payload`` from prefetched data, with
    one brief per unit per response (nested serializers per assignment cost most of a page's time).
    """

    id = serializers.IntegerField(allow_null=True, read_only=True, help_text="单位 ID（占位时为单位组 ID，未识别时为空）")
    name = serializers.CharField(read_only=True, help_text="规范名称（未识别时为原文写法）")
    kind = serializers.CharField(
        read_only=True,
        help_text="单位类别；占位时为单位组类型（fixed 固定成员 / selected 按任务选定）；未识别时为 unresolved",
    )
    as_written = serializers.CharField(read_only=True, help_text="文件原文写法")
    is_placeholder = serializers.BooleanField(read_only=True, help_text="是否占位（各镇办、市级相关部门等）")
    expanded_to = DepartmentBriefSerializer(many=True, read_only=True, help_text="规划科为本任务指定的展开单位")
    effective_units = DepartmentBriefSerializer(
        many=True,
        read_only=True,
        help_text="实际承担的单位：具体单位本身；占位有展开时为展开单位；固定成员的占位未展开时为全部成员；否则为空",
    )

    def to_representation(self, instance: Assignment) -> dict[str, Any]:
        return assigned_unit_payload(instance, self.context.setdefault("_department_briefs", {}))


def _department_brief(department, cache: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Same fields as DepartmentBriefSerializer; built once per unit per response (a page repeats units a lot)."""
    brief = cache.get(department.pk)
    if brief is None:
        brief = cache[department.pk] = {
            "id": department.pk,
            "name": department.name,
            "kind": department.kind,
            "kind_display": department.get_kind_display(),
        }
    return brief


def assigned_unit_payload(assignment: Assignment, cache: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The AssignedUnitSerializer shape for one assignment; ``cache`` holds the unit briefs of this response."""
    if assignment.department_id is not None:
        unit_id, name, kind = assignment.department_id, assignment.department.name, assignment.department.kind
    elif assignment.group_id is not None:
        unit_id, name, kind = assignment.group_id, assignment.group.name, assignment.group.kind
    else:
        unit_id, name, kind = None, assignment.name_as_written, "unresolved"
    return {
        "id": unit_id,
        "name": name,
        "kind": kind,
        "as_written": assignment.name_as_written,
        "is_placeholder": assignment.group_id is not None,
        "expanded_to": [_department_brief(d, cache) for d in assignment.expanded_to.all()],
        "effective_units": [
            _department_brief(d, cache) for d in selectors.assignment_effective_departments(assignment)
        ],
    }


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["due_on", "text", "position"]


class TargetSerializer(serializers.ModelSerializer):
    direction_display = serializers.CharField(source="get_direction_display", read_only=True)
    basis_display = serializers.CharField(source="get_basis_display", read_only=True)

    class Meta:
        model = Target
        fields = [
            "indicator",
            "value",
            "value_max",
            "unit",
            "direction",
            "direction_display",
            "basis",
            "basis_display",
            "year",
            "baseline_year",
            "source_text",
        ]


class TaskSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text="类别（中文）")
    section_path = serializers.SerializerMethodField(help_text="所在章节标题路径，自一级章节起")
    lead = serializers.SerializerMethodField(help_text="牵头（责任）单位，按原文顺序")
    supporting = serializers.SerializerMethodField(help_text="配合单位，按原文顺序")
    milestones = MilestoneSerializer(many=True, read_only=True, help_text="阶段节点")
    targets = TargetSerializer(many=True, read_only=True, help_text="量化目标")

    class Meta:
        model = Task
        fields = [
            "id",
            "plan",
            "number",
            "text",
            "section",
            "section_path",
            "kind",
            "kind_display",
            "binding",
            "incentive",
            "deadline",
            "deadline_text",
            "lead",
            "supporting",
            "supporting_open_ended",
            "annotation",
            "responsible_leaders",
            "milestones",
            "targets",
        ]

    def _by_role(self, obj: Task) -> dict[str, list[Assignment]]:
        cached = getattr(obj, "_assignments_by_role", None)
        if cached is None:
            cached = selectors.task_assignments_by_role(obj)
            obj._assignments_by_role = cached
        return cached

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_section_path(self, obj: Task) -> list[str]:
        return selectors.section_heading_path(obj.section)

    def _units(self, obj: Task, role: str) -> list[dict[str, Any]]:
        unit = AssignedUnitSerializer(context=self.context)
        return [unit.to_representation(a) for a in self._by_role(obj)[role]]

    @extend_schema_field(AssignedUnitSerializer(many=True))
    def get_lead(self, obj: Task) -> list[dict[str, Any]]:
        return self._units(obj, AssignmentRole.LEAD)

    @extend_schema_field(AssignedUnitSerializer(many=True))
    def get_supporting(self, obj: Task) -> list[dict[str, Any]]:
        return self._units(obj, AssignmentRole.SUPPORTING)
