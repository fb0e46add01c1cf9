"""API serializers of the annual assessment: read from the stored results (the page and the
Excel export render the same rows); input serializers only parse, the services decide."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessment.compute import GRADE_LABELS, NOT_GRADED_LABEL
from assessment.models import Adjustment, Assessment, UnitResult


class LineSerializer(serializers.Serializer):
    category = serializers.CharField(
        help_text="task / kind / base / deduction / bonus / veto / adjustment / score / grade"
    )
    text = serializers.CharField(help_text="中文说明")
    points = serializers.CharField(allow_null=True, help_text="分值或系数（字符串形式的小数），无则为 null")


@extend_schema_field(LineSerializer(many=True))
class LinesField(serializers.JSONField):
    """The stored lines as they are (a list of {category, text, points}): no per-line serializer."""


class UnitResultSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    grade_label = serializers.SerializerMethodField(help_text="等次：优秀 / 良好 / 一般 / 较差 / 不定等")
    lines = LinesField(read_only=True, help_text="逐项计算说明")

    class Meta:
        model = UnitResult
        fields = [
            "department",
            "department_name",
            "rank",
            "led",
            "supported",
            "completion",
            "base_score",
            "deduction",
            "bonus",
            "adjustment",
            "score",
            "grade",
            "grade_label",
            "veto",
            "veto_reason",
            "outstanding",
            "lines",
        ]

    def get_grade_label(self, obj: UnitResult) -> str:
        return GRADE_LABELS.get(obj.grade, NOT_GRADED_LABEL)


class AdjustmentSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)

    class Meta:
        model = Adjustment
        fields = ["id", "department", "department_name", "delta", "reason", "created_by", "created_at"]


class AssessmentSerializer(serializers.ModelSerializer):
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "plan",
            "plan_title",
            "year",
            "state",
            "state_label",
            "computed_at",
            "finalised_at",
            "published_at",
        ]


class DifferenceSerializer(serializers.Serializer):
    department_id = serializers.IntegerField()
    name = serializers.CharField()
    frozen_score = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    live_score = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    frozen_grade = serializers.CharField()
    live_grade = serializers.CharField()
    frozen_veto = serializers.BooleanField()
    live_veto = serializers.BooleanField()
    text = serializers.CharField()
    changed_lines = serializers.ListField(child=serializers.CharField())


class AssessmentDetailSerializer(AssessmentSerializer):
    scope = serializers.CharField(help_text="ranking：全部单位排名；own：仅本单位结果")
    rules = serializers.JSONField(read_only=True, help_text="计算所用规则")
    results = UnitResultSerializer(many=True)
    adjustments = AdjustmentSerializer(many=True)
    differences = DifferenceSerializer(
        many=True, required=False, help_text="定稿后按现有数据重算与定稿结果的差异（compare=true 时给出）"
    )

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "rules", "scope", "results", "adjustments", "differences"]


class DraftInputSerializer(serializers.Serializer):
    plan = serializers.IntegerField(help_text="方案编号")
    year = serializers.IntegerField(help_text="考核年度（规划期内），如 2024")


class AdjustInputSerializer(serializers.Serializer):
    department = serializers.IntegerField(help_text="单位编号")
    delta = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="调整分值，如 -2 或 1.5")
    reason = serializers.CharField(help_text="调整理由（必填）", allow_blank=True)
