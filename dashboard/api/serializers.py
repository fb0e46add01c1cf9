"""The dashboard overview as JSON: the same numbers as the page and the meeting pack."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dashboard.selectors.overview import Overview, SectionRow
from progress.states import LIGHT_LABELS, LIGHTS

ATTENTION_LIMIT = 200  # default number of attention tasks in a response (a big plan has thousands)
ATTENTION_MAX = 10_000


class DashboardPeriodSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    status = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    report_due_on = serializers.DateField()


class PlanBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    document_number = serializers.CharField()


class StatusCountSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="推进状态（not_started、on_track、at_risk、delayed、completed）或 not_submitted（未报送）"
    )
    label = serializers.CharField()
    count = serializers.IntegerField()


class LightCountSerializer(serializers.Serializer):
    light = serializers.CharField(help_text="red / yellow / green")
    label = serializers.CharField(help_text="红灯 / 黄灯 / 绿灯")
    count = serializers.IntegerField()
    rule = serializers.CharField(help_text="判定规则（中文）")


class SectionRowSerializer(serializers.Serializer):
    section_id = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)
    heading = serializers.CharField()
    level = serializers.IntegerField(help_text="0 为章（一、），1 为节（（一）），以此类推")
    total = serializers.IntegerField()
    completed = serializers.IntegerField()
    rate = serializers.FloatField(help_text="完成率（%）")
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()


class LeadUnitSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    name = serializers.CharField()
    tasks = serializers.IntegerField(help_text="牵头任务数")
    on_time = serializers.IntegerField(help_text="按时报送")
    late = serializers.IntegerField(help_text="逾期报送")
    not_submitted = serializers.IntegerField(help_text="未报送（无报告、草稿或已退回；本期报送截止日前已办结的任务不计）")
    released = serializers.IntegerField(help_text="本期报送截止日前已办结、无需报送的牵头任务数")
    completed = serializers.IntegerField()
    rate = serializers.FloatField(help_text="完成率（%）")
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()
    silent = serializers.IntegerField(help_text="其牵头任务中未报送配合情况的配合单位人次")
    silent_tasks = serializers.IntegerField(help_text="其牵头任务中有配合单位未报送配合情况的任务数")


class BindingSerializer(serializers.Serializer):
    task_id = serializers.IntegerField()
    number = serializers.IntegerField()
    target_id = serializers.IntegerField()
    indicator = serializers.CharField()
    target_text = serializers.CharField(help_text="如“不低于1.5%（2025年）”")
    actual_state = serializers.CharField(help_text="reported / not_released（数据尚未发布）；空为尚未填报")
    actual_value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    actual_text = serializers.CharField()
    data_date = serializers.DateField(allow_null=True)
    actual_period = serializers.CharField(help_text="给出该实际值的填报期")
    lead_unit_ids = serializers.ListField(child=serializers.IntegerField())
    light = serializers.CharField()
    veto_risk = serializers.BooleanField(help_text="是否有一票否优风险")
    veto_reason = serializers.CharField()


class TaskStateSerializer(serializers.Serializer):
    task_id = serializers.IntegerField()
    number = serializers.IntegerField()
    chapter_id = serializers.IntegerField(allow_null=True)
    section_id = serializers.IntegerField(allow_null=True)
    lead_unit_ids = serializers.ListField(child=serializers.IntegerField())
    report_status = serializers.CharField(help_text="牵头单位本期报告的审核状态；空为尚无报告")
    progress_status = serializers.CharField(help_text="已报送报告所述推进状态；空为未报送")
    percent = serializers.IntegerField(allow_null=True)
    is_completed = serializers.BooleanField()
    is_overdue = serializers.BooleanField()
    report_late = serializers.BooleanField()
    deadline = serializers.DateField(allow_null=True, help_text="有效完成时限（含批准的延期）")
    light = serializers.CharField()
    light_reason = serializers.CharField()


class TrendPointSerializer(serializers.Serializer):
    period_id = serializers.IntegerField()
    name = serializers.CharField()
    as_of = serializers.DateField(help_text="统计日期（往期为其报送截止日次日）")
    total = serializers.IntegerField()
    completed = serializers.IntegerField()
    completion_rate = serializers.FloatField()
    submitted = serializers.IntegerField()
    submitted_rate = serializers.FloatField()
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()
    opened = serializers.BooleanField(
        help_text="是否开放过填报（从未开放的期次不列入趋势，仅当前所看期次以 false 标明）"
    )


class UnitNameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _flatten(rows: list[SectionRow], parent: int | None = None) -> list[dict[str, Any]]:
    flat: list[dict[str, Any]] = []
    for row in rows:
        flat.append(
            {
                "section_id": row.section_id,
                "parent_id": parent,
                "heading": row.heading,
                "level": row.level,
                "total": row.total,
                "completed": row.completed,
                "rate": row.rate,
                "red": row.red,
                "yellow": row.yellow,
            }
        )
        flat.extend(_flatten(row.children, row.section_id))
    return flat


class OverviewSerializer(serializers.Serializer):
    period = DashboardPeriodSerializer()
    plan = PlanBriefSerializer()
    today = serializers.DateField(help_text="统计日期")
    total = serializers.IntegerField()
    completed = serializers.IntegerField(help_text="规划科确认完成：已办结，或牵头单位报告均经审核为已完成")
    claimed_completed = serializers.IntegerField(help_text="单位报告已完成：牵头单位已报送的报告所述（含待审核）")
    completion_rate = serializers.FloatField()
    submitted = serializers.IntegerField(help_text="牵头单位均已报送的任务数")
    submitted_rate = serializers.FloatField()
    overdue = serializers.IntegerField(help_text="逾期未完成")
    report_late = serializers.IntegerField(help_text="报告逾期未报送")
    status_counts = StatusCountSerializer(many=True)
    lights = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField(help_text="各章节（先序，含下级节）")
    lead_units = LeadUnitSerializer(many=True)
    binding = BindingSerializer(many=True)
    binding_tasks = serializers.IntegerField(help_text="约束性任务数（binding 为其目标）")
    attention = serializers.SerializerMethodField(
        help_text="红灯、黄灯任务：红灯在前，再按序号（至多 attention_limit 项）"
    )
    attention_total = serializers.SerializerMethodField(help_text="红灯、黄灯任务总数")
    trend = TrendPointSerializer(many=True)
    units = serializers.SerializerMethodField(help_text="出现的单位编号与名称")

    @extend_schema_field(LightCountSerializer(many=True))
    def get_lights(self, obj: Overview) -> list[dict[str, Any]]:
        from progress.states import LIGHT_RULES

        rules = dict(LIGHT_RULES)
        return [
            {"light": light, "label": LIGHT_LABELS[light], "count": obj.light_counts[light], "rule": rules[light]}
            for light in LIGHTS
        ]

    @extend_schema_field(TaskStateSerializer(many=True))
    def get_attention(self, obj: Overview) -> list[dict[str, Any]]:
        limit = self.context.get("attention_limit", ATTENTION_LIMIT)
        return TaskStateSerializer(obj.attention[:limit], many=True).data

    @extend_schema_field(serializers.IntegerField())
    def get_attention_total(self, obj: Overview) -> int:
        return obj.attention_total

    @extend_schema_field(SectionRowSerializer(many=True))
    def get_sections(self, obj: Overview) -> list[dict[str, Any]]:
        return SectionRowSerializer(_flatten(obj.chapters), many=True).data

    @extend_schema_field(UnitNameSerializer(many=True))
    def get_units(self, obj: Overview) -> list[dict[str, Any]]:
        return [{"id": pk, "name": name} for pk, name in obj.units.items()]
