"""API serializers for review periods, progress reports, evidence, extension requests and task closing.

Read serializers render from prefetched data (see :mod:`progress.selectors.reports`); input
serializers only parse: the services decide and write.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from departments.api.serializers import DepartmentBriefSerializer
from progress.models import (
    ActualState,
    Evidence,
    ExtensionRequest,
    ProgressReport,
    ProgressStatus,
    ReviewPeriod,
    TargetActual,
    TaskProgress,
)
from progress.services.reports import TEXT_MAX_CHARS, ActualInput, ReportInput
from progress.services.task_review import effective_deadline
from progress.workflow import owes_report, task_released


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


class UserNameField(serializers.CharField):
    """A user as its login name (read only; null when not set)."""

    def __init__(self, **kwargs: Any):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value: Any) -> str | None:
        return _username(value)


class ReviewPeriodSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text="状态（中文）")

    class Meta:
        model = ReviewPeriod
        fields = [
            "id",
            "plan",
            "name",
            "starts_on",
            "ends_on",
            "report_due_on",
            "meeting_on",
            "is_annual_summary",
            "status",
            "status_display",
            "opened_at",
            "closed_at",
        ]


class TaskBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(read_only=True, help_text="任务序号")
    text = serializers.CharField(read_only=True, help_text="任务内容")
    binding = serializers.BooleanField(read_only=True, help_text="是否约束性指标")
    deadline = serializers.DateField(read_only=True, allow_null=True, help_text="方案规定的完成时限")


class PeriodBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, help_text="填报期名称")
    status = serializers.CharField(read_only=True, help_text="填报期状态：planned / open / closed")
    report_due_on = serializers.DateField(read_only=True, help_text="报送截止日")


class TargetActualSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="target.indicator", read_only=True, help_text="指标")
    target_unit = serializers.CharField(source="target.unit", read_only=True, help_text="计量单位")
    state_display = serializers.CharField(source="get_state_display", read_only=True, help_text="填报状态（中文）")

    class Meta:
        model = TargetActual
        fields = ["target", "indicator", "target_unit", "state", "state_display", "value", "data_date", "note"]


class EvidenceSerializer(serializers.ModelSerializer):
    uploaded_by = UserNameField(help_text="上传人")
    download_url = serializers.SerializerMethodField(help_text="下载地址（需有权查看该报告）")

    class Meta:
        model = Evidence
        fields = ["id", "report", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at", "download_url"]

    def get_download_url(self, obj: Evidence) -> str:
        return reverse("api:evidence-download", args=[obj.pk])


class ProgressReportSerializer(serializers.ModelSerializer):
    """A report as the API shows it; ``version`` is also sent as the ``ETag`` of a single report."""

    task = TaskBriefSerializer(read_only=True)
    department = DepartmentBriefSerializer(read_only=True)
    period = PeriodBriefSerializer(read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True, help_text="身份（中文）")
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text="审核状态（中文）")
    progress_status_display = serializers.CharField(
        source="get_progress_status_display", read_only=True, help_text="推进状态（中文）"
    )
    overdue = serializers.SerializerMethodField(help_text="报送截止日已过而仍未报送（截止日前已办结的任务不算）")
    submitted_by = UserNameField(help_text="报送人")
    reviewed_by = UserNameField(help_text="审核人")
    updated_by = UserNameField(help_text="最后修改人")
    actuals = TargetActualSerializer(many=True, read_only=True, help_text="目标实际值")
    evidence = EvidenceSerializer(many=True, read_only=True, help_text="佐证材料")

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "task",
            "department",
            "period",
            "role",
            "role_display",
            "status",
            "status_display",
            "progress_status",
            "progress_status_display",
            "percent",
            "progress_text",
            "problems_text",
            "next_steps_text",
            "actuals",
            "evidence",
            "version",
            "overdue",
            "prefilled_from",
            "submitted_at",
            "submitted_by",
            "reviewed_at",
            "reviewed_by",
            "review_comment",
            "created_at",
            "updated_at",
            "updated_by",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: ProgressReport) -> bool:
        due_on = obj.period.report_due_on
        return due_on < timezone.localdate() and owes_report(
            status=obj.status, released=task_released(obj.task, due_on=due_on)
        )


class ReportCreateSerializer(serializers.Serializer):
    task = serializers.IntegerField(min_value=1, help_text="任务 ID")
    period = serializers.IntegerField(min_value=1, help_text="填报期 ID")


class ActualInputSerializer(serializers.Serializer):
    target = serializers.IntegerField(min_value=1, help_text="目标 ID（任务的量化目标）")
    state = serializers.ChoiceField(
        choices=ActualState.choices, default=ActualState.REPORTED, help_text="reported 已填报；not_released 数据尚未发布"
    )
    value = serializers.DecimalField(
        max_digits=20, decimal_places=4, required=False, allow_null=True, default=None, help_text="实际值"
    )
    data_date = serializers.DateField(required=False, allow_null=True, default=None, help_text="数据截至日期")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, help_text="说明")

    def to_input(self, data: dict[str, Any]) -> ActualInput:
        return ActualInput(
            target_id=data["target"], state=data["state"], value=data["value"], data_date=data["data_date"], note=data["note"]
        )


class ReportUpdateSerializer(serializers.Serializer):
    """The content of a report. PUT sends it whole; PATCH sends what changes (the rest stays as stored).
    ``actuals`` left out keeps the stored actuals; listed targets are set, others kept."""

    progress_status = serializers.ChoiceField(choices=ProgressStatus.choices, help_text="推进状态")
    percent = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True, default=None, help_text="完成进度（0–100）"
    )
    progress_text = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_CHARS, trim_whitespace=False, help_text="进展情况"
    )
    problems_text = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_CHARS, trim_whitespace=False, help_text="存在问题"
    )
    next_steps_text = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_CHARS, trim_whitespace=False, help_text="下步打算"
    )
    actuals = ActualInputSerializer(many=True, required=False, help_text="目标实际值")

    def to_input(self, report: ProgressReport) -> ReportInput:
        """The service input: given fields, and for a partial update the stored values of the others."""
        data = self.validated_data
        given = set(self.initial_data) if isinstance(self.initial_data, dict) else set()

        def pick(name: str) -> Any:
            if self.partial and name not in given:
                return getattr(report, name)
            return data.get(name, getattr(report, name) if self.partial else self.fields[name].default)

        actuals = None
        if "actuals" in data:
            child = ActualInputSerializer()
            actuals = [child.to_input(item) for item in data["actuals"]]
        return ReportInput(
            progress_status=pick("progress_status"),
            percent=pick("percent"),
            progress_text=pick("progress_text"),
            problems_text=pick("problems_text"),
            next_steps_text=pick("next_steps_text"),
            actuals=actuals,
        )


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000, help_text="意见或理由")


class RequiredCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text="意见或理由（必填）"
    )


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="佐证材料：PDF、PNG、JPG、Word（.docx）或 Excel（.xlsx），单个文件大小有上限",
        error_messages={"required": "请选择要上传的文件（表单字段 file）。", "empty": "上传的文件是空的，请重新选择。"},
    )


class ContributionsSerializer(serializers.Serializer):
    report = serializers.IntegerField(source="report.pk", read_only=True, help_text="牵头单位报告 ID")
    contributions = ProgressReportSerializer(many=True, read_only=True, help_text="配合单位已报送的配合情况（不含草稿）")
    silent_units = DepartmentBriefSerializer(
        many=True, read_only=True, help_text="本期尚未报送配合情况的配合单位（无报告、草稿或被退回）"
    )


class ExtensionRequestSerializer(serializers.ModelSerializer):
    task = TaskBriefSerializer(read_only=True)
    department = DepartmentBriefSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text="状态（中文）")
    requested_by = UserNameField(help_text="申请人")
    decided_by = UserNameField(help_text="审批人")

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "task",
            "department",
            "current_deadline",
            "requested_deadline",
            "reason",
            "status",
            "status_display",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = fields


class ExtensionRequestCreateSerializer(serializers.Serializer):
    task = serializers.IntegerField(min_value=1, help_text="任务 ID（本单位牵头的任务）")
    requested_deadline = serializers.DateField(help_text="申请延期至")
    reason = serializers.CharField(max_length=2000, help_text="延期理由", error_messages={"blank": "请填写延期理由。"})


class CompletionReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    period = serializers.CharField(source="period.name", read_only=True, help_text="填报期")
    department = serializers.CharField(source="department.name", read_only=True, help_text="单位")


class TaskProgressSerializer(serializers.ModelSerializer):
    task = TaskBriefSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text="办理状态（中文）")
    effective_deadline = serializers.SerializerMethodField(help_text="现行时限：批准延期后的日期，否则为方案时限")
    completed_by = UserNameField(help_text="办结审核人")
    completion_report = CompletionReportSerializer(read_only=True, allow_null=True, help_text="办结依据的报告")

    class Meta:
        model = TaskProgress
        fields = [
            "task",
            "status",
            "status_display",
            "effective_deadline",
            "extended_deadline",
            "completed_at",
            "completed_by",
            "completion_report",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_effective_deadline(self, obj: TaskProgress) -> Any:
        return effective_deadline(obj.task)
