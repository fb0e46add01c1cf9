"""Read serializers for units and placeholder groups."""

from __future__ import annotations

from rest_framework import serializers

from departments.models import Department, DepartmentGroup


class DepartmentBriefSerializer(serializers.ModelSerializer):
    # A plain string here: the choice set is documented once, on the Department component
    # (one enum per field name and component keeps the generated schema free of naming collisions).
    kind = serializers.CharField(read_only=True, help_text="单位类别代码，取值同 DepartmentKindEnum")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text="类别（中文）")

    class Meta:
        model = Department
        fields = ["id", "name", "kind", "kind_display"]


class DepartmentSerializer(serializers.ModelSerializer):
    """A unit with its aliases and the number of tasks it leads and supports (effective units)."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text="类别（中文）")
    host = DepartmentBriefSerializer(read_only=True, allow_null=True, help_text="挂靠单位")
    aliases = serializers.SlugRelatedField(many=True, read_only=True, slug_field="alias", help_text="别名")

    class Meta:
        model = Department
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "host",
            "is_active",
            "successor",
            "aliases",
            "sort_order",
            "led_task_count",
            "supported_task_count",
        ]

    led_task_count = serializers.IntegerField(read_only=True, help_text="牵头任务数（含占位展开后由本单位承担的）")
    supported_task_count = serializers.IntegerField(
        read_only=True, help_text="配合任务数（含占位展开后由本单位承担的）"
    )


class DepartmentGroupSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text="类型（中文）")
    members = DepartmentBriefSerializer(many=True, read_only=True, help_text="成员单位")

    class Meta:
        model = DepartmentGroup
        fields = ["id", "name", "kind", "kind_display", "description", "members"]
