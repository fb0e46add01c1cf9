"""The indicators API's shapes: a target with its evaluation, its series, a plan office entry."""

from __future__ import annotations

from rest_framework import serializers

from indicators.trajectory import TrajectoryStatus


class IndicatorReadingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4)
    data_date = serializers.DateField(allow_null=True)


class TargetEvaluationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=TrajectoryStatus.choices, help_text="ahead 超前 / on_track 正常 / behind 滞后 / no_data 数据尚未发布"
    )
    status_display = serializers.CharField(source="status_label")
    latest = IndicatorReadingSerializer(allow_null=True, help_text="统计年份及以前的最新实际值；无数据为 null")
    expected = serializers.DecimalField(
        max_digits=24, decimal_places=4, allow_null=True, help_text="最新实际值所在年份的预期值（与 achieved 同口径）"
    )
    achieved = serializers.DecimalField(
        max_digits=24, decimal_places=4, allow_null=True, help_text="与目标比较的实际数（年均增长：几何平均增速）"
    )
    met = serializers.BooleanField(allow_null=True, help_text="是否完成目标；尚不能判断为 null")
    completion = serializers.DecimalField(
        max_digits=24,
        decimal_places=4,
        allow_null=True,
        help_text="完成率（1 为恰好完成；不高于型：不超过 1 为完成）；无数据为 null，不计为 0",
    )
    explanation = serializers.CharField()
    missing_years = serializers.ListField(child=serializers.IntegerField())


class IndicatorTargetSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="target.pk")
    task = serializers.IntegerField(source="target.task_id")
    task_number = serializers.IntegerField(source="target.task.number")
    plan = serializers.IntegerField(source="target.task.plan_id")
    binding = serializers.BooleanField(source="target.task.binding")
    incentive = serializers.BooleanField(source="target.task.incentive")
    indicator = serializers.CharField(source="target.indicator")
    value = serializers.DecimalField(source="target.value", max_digits=16, decimal_places=4)
    value_max = serializers.DecimalField(source="target.value_max", max_digits=16, decimal_places=4, allow_null=True)
    unit = serializers.CharField(source="target.unit")
    direction = serializers.CharField(source="target.direction")
    direction_display = serializers.CharField(source="target.get_direction_display")
    basis = serializers.CharField(source="target.basis")
    basis_display = serializers.CharField(source="target.get_basis_display")
    year = serializers.IntegerField(source="spec.year", allow_null=True, help_text="目标年份（原文未写明时为规划期末）")
    baseline_value = serializers.DecimalField(
        source="target.baseline_value", max_digits=20, decimal_places=4, allow_null=True
    )
    baseline_year = serializers.IntegerField(
        source="spec.baseline_year", allow_null=True, help_text="基期年份（原文未写明时为规划期前一年）"
    )
    baseline_note = serializers.CharField(source="target.baseline_note")
    source_text = serializers.CharField(source="target.source_text")
    lead_units = serializers.ListField(child=serializers.CharField())
    evaluation = TargetEvaluationSerializer()


class SeriesEntrySerializer(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True)
    value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True, help_text="null：数据尚未发布")
    data_date = serializers.DateField(allow_null=True)
    origin = serializers.ChoiceField(choices=[("report", "单位报告"), ("official", "规划科录入")])
    source = serializers.CharField()
    document_number = serializers.CharField()
    entered_by = serializers.CharField()
    entered_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    counts = serializers.BooleanField(help_text="是否为该年份采用的数值")


class OfficialActualInputSerializer(serializers.Serializer):
    """Passed to the service as given: it validates every field with a Chinese message."""

    year = serializers.CharField(help_text="年份，如 2024（须在规划期内）")
    value = serializers.CharField(help_text="实际值（数字，目标的计量单位），如 6.5")
    data_date = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="数据截至日期，如 2024-12-31"
    )
    source = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="数据来源，如 2024年统计公报"
    )
    document_number = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="录入或更正理由（必填）")


class OfficialActualSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    target = serializers.IntegerField(source="target_id")
    year = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4)
    data_date = serializers.DateField(allow_null=True)
    source = serializers.CharField()
    document_number = serializers.CharField()
    reason = serializers.CharField()
    entered_at = serializers.DateTimeField()
