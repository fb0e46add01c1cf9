"""Review periods, progress reports (and supporting units' contributions), target actuals,
evidence, extension requests, and the typed events of each.

Status fields are changed only through :mod:`progress.workflow` (the allowed moves in one table)
and the services in :mod:`progress.services`; every move writes an event row. Row history
(django-simple-history) keeps what each row looked like; events say what happened.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from departments.models import Department
from tasks.models import AssignmentRole, Plan, Target, Task
from xingping_tracker.core.history import HistoricalRecords


class ReviewCadence(models.Model):
    """How often a plan is reviewed (data, not code): the 兴平 plan has two periods a year and the
    second one also feeds the annual summary meeting (年度总结专题会)."""

    plan = models.OneToOneField(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="review_cadence")
    periods_per_year = models.PositiveSmallIntegerField(
        "每年填报期数", default=2, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    last_period_is_annual_summary = models.BooleanField("年末一期兼作年度总结", default=True)
    report_due_days = models.PositiveSmallIntegerField("期末后几日内报送", default=10)
    meeting_days = models.PositiveSmallIntegerField("期末后几日召开专题会", default=20)

    class Meta:
        verbose_name = "督查节奏"
        verbose_name_plural = "督查节奏"

    def __str__(self) -> str:
        return f"{self.plan}：每年{self.periods_per_year}期"


class PeriodStatus(models.TextChoices):
    PLANNED = "planned", "未开放"
    OPEN = "open", "填报中"
    CLOSED = "closed", "已关闭"


class ReviewPeriod(models.Model):
    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="review_periods")
    name = models.CharField("名称", max_length=50)
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    report_due_on = models.DateField("报送截止日")
    meeting_on = models.DateField("专题会日期", null=True, blank=True)
    is_annual_summary = models.BooleanField("兼作年度总结", default=False)
    status = models.CharField("状态", max_length=16, choices=PeriodStatus.choices, default=PeriodStatus.PLANNED)
    opened_at = models.DateTimeField("开放时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "填报期"
        verbose_name_plural = "填报期"
        ordering = ["plan", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "starts_on"], name="period_unique_start_in_plan"),
            models.UniqueConstraint(fields=["plan", "name"], name="period_unique_name_in_plan"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="period_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == PeriodStatus.OPEN


class ReportStatus(models.TextChoices):
    """Where a report is in the review workflow (see :mod:`progress.workflow`)."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已审核"


class ProgressStatus(models.TextChoices):
    """What the unit says about the task's progress."""

    NOT_STARTED = "not_started", "未启动"
    ON_TRACK = "on_track", "正常推进"
    AT_RISK = "at_risk", "存在风险"
    DELAYED = "delayed", "滞后"
    COMPLETED = "completed", "已完成"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # The stored name is random; the person's file name is kept in ``original_name`` only.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"evidence/{instance.report.period_id}/{uuid.uuid4().hex}{suffix}"


class ProgressReport(models.Model):
    """One unit's report on one task for one period.

    ``role`` lead: the consolidated report the plan office reviews. ``role`` supporting: a
    supporting unit's own contribution (配合情况), which the lead unit reads while writing.
    ``version`` grows by one on every write; a save that names an older version is a conflict.
    """

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="progress_reports")
    department = models.ForeignKey(
        Department, verbose_name="单位", on_delete=models.PROTECT, related_name="progress_reports"
    )
    period = models.ForeignKey(ReviewPeriod, verbose_name="填报期", on_delete=models.PROTECT, related_name="reports")
    role = models.CharField("身份", max_length=16, choices=AssignmentRole.choices)
    status = models.CharField("审核状态", max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    progress_status = models.CharField(
        "推进状态", max_length=16, choices=ProgressStatus.choices, default=ProgressStatus.NOT_STARTED
    )
    percent = models.PositiveSmallIntegerField(
        "完成进度（%）", null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    progress_text = models.TextField("进展情况", blank=True)
    problems_text = models.TextField("存在问题", blank=True)
    next_steps_text = models.TextField("下步打算", blank=True)
    prefilled_from = models.ForeignKey(
        "self", verbose_name="沿用自", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField("版本", default=1)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField("审核意见", blank=True)
    is_demo = models.BooleanField("演示数据", default=False, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="最后修改人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["period", "task", "role", "department"]
        permissions = [("review_progressreport", "审核进展报告（规划科）")]
        constraints = [
            models.UniqueConstraint(fields=["task", "department", "period"], name="report_unique_task_unit_period"),
        ]
        indexes = [
            models.Index(fields=["period", "department"]),
            models.Index(fields=["period", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.period} · 任务{self.task.number} · {self.department}"

    @property
    def is_contribution(self) -> bool:
        return self.role == AssignmentRole.SUPPORTING


class ActualState(models.TextChoices):
    REPORTED = "reported", "已填报"
    NOT_RELEASED = "not_released", "数据尚未发布"


class TargetActual(models.Model):
    """The actual value of one target as a report gives it; statistics are published late, so
    "not released yet" is a state of its own, never a blank value."""

    report = models.ForeignKey(ProgressReport, verbose_name="报告", on_delete=models.CASCADE, related_name="actuals")
    target = models.ForeignKey(Target, verbose_name="目标", on_delete=models.CASCADE, related_name="actuals")
    state = models.CharField("填报状态", max_length=16, choices=ActualState.choices, default=ActualState.REPORTED)
    value = models.DecimalField("实际值", max_digits=20, decimal_places=4, null=True, blank=True)
    data_date = models.DateField("数据截至日期", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "目标实际值"
        verbose_name_plural = "目标实际值"
        ordering = ["report", "target"]
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="actual_unique_target_in_report"),
            models.CheckConstraint(
                condition=Q(state="not_released", value__isnull=True)
                | Q(state="reported", value__isnull=False, data_date__isnull=False),
                name="actual_value_matches_state",
            ),
        ]
        # A target's series (indicators.selectors.actual_series) read from the index alone: the
        # assessment and the evaluation read every actual of a plan.
        indexes = [models.Index(fields=["target", "state", "report", "data_date", "value"], name="actual_series")]

    def __str__(self) -> str:
        return f"{self.target}：{self.value if self.state == ActualState.REPORTED else self.get_state_display()}"


class Evidence(models.Model):
    """A file attached to a report (佐证材料). Served only through a permission-checked view."""

    report = models.ForeignKey(ProgressReport, verbose_name="报告", on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("摘要", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["report", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ReportEventType(models.TextChoices):
    CREATED = "created", "创建"
    SUBMITTED = "submitted", "报送"
    RETURNED = "returned", "退回"
    ACCEPTED = "accepted", "审核通过"
    REOPENED = "reopened", "撤销审核"
    EVIDENCE_ADDED = "evidence_added", "上传佐证材料"
    EVIDENCE_REMOVED = "evidence_removed", "删除佐证材料"


class ReportEvent(models.Model):
    report = models.ForeignKey(ProgressReport, verbose_name="报告", on_delete=models.CASCADE, related_name="events")
    type = models.CharField("事件", max_length=32, choices=ReportEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    comment = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "报告事件"
        verbose_name_plural = "报告事件"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} @ {self.at:%Y-%m-%d %H:%M}"


class TaskStatus(models.TextChoices):
    OPEN = "open", "推进中"
    COMPLETED = "completed", "已办结"


class TaskProgress(models.Model):
    """The running state of a task: open or closed as completed (办结), and its extended deadline.

    Kept beside the imported Task so a re-import of the plan never touches what the review decided.
    """

    task = models.OneToOneField(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="progress")
    status = models.CharField("办理状态", max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办结审核人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completion_report = models.ForeignKey(
        ProgressReport, verbose_name="办结依据", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    extended_deadline = models.DateField("延期后时限", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "任务办理状态"
        verbose_name_plural = "任务办理状态"

    def __str__(self) -> str:
        return f"{self.task}：{self.get_status_display()}"


class TaskEventType(models.TextChoices):
    COMPLETED = "completed", "办结"
    REOPENED = "reopened", "重新开启"
    EXTENSION_REQUESTED = "extension_requested", "申请延期"
    EXTENSION_APPROVED = "extension_approved", "同意延期"
    EXTENSION_REFUSED = "extension_refused", "不同意延期"
    EXTENSION_WITHDRAWN = "extension_withdrawn", "撤回延期申请"


class TaskEvent(models.Model):
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="events")
    type = models.CharField("事件", max_length=32, choices=TaskEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    comment = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "任务事件"
        verbose_name_plural = "任务事件"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} @ {self.at:%Y-%m-%d %H:%M}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "不同意"
    WITHDRAWN = "withdrawn", "已撤回"


class ExtensionRequest(models.Model):
    """延期申请: the lead unit asks for a later deadline; the plan office approves or refuses."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="extension_requests")
    department = models.ForeignKey(
        Department, verbose_name="申请单位", on_delete=models.PROTECT, related_name="extension_requests"
    )
    current_deadline = models.DateField("原时限", null=True, blank=True)
    requested_deadline = models.DateField("申请延期至")
    reason = models.TextField("延期理由")
    status = models.CharField("状态", max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_comment = models.TextField("审批意见", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One pending request per task at a time.
            models.UniqueConstraint(
                fields=["task"], condition=Q(status="pending"), name="extension_one_pending_per_task"
            ),
        ]

    def __str__(self) -> str:
        return f"任务{self.task.number}延期至{self.requested_deadline}（{self.get_status_display()}）"


class StandingStamp(models.Model):
    """How many times the inputs of a task's standing changed: bumped by database triggers (migration
    ``0004_standings``) on every insert, update and delete of the task's progress reports, its
    effective-assignment rows and its TaskProgress row, whoever writes them (a service, the admin, a
    bulk update, a data migration). No foreign key: a trigger may bump a task that is being deleted.
    """

    task_id = models.BigIntegerField("任务", primary_key=True)
    stamp = models.BigIntegerField("变更计数", default=0)

    class Meta:
        verbose_name = "任务状态变更计数"
        verbose_name_plural = "任务状态变更计数"

    def __str__(self) -> str:
        return f"任务{self.task_id}：{self.stamp}"


class StandingCell(models.Model):
    """A stored row of :func:`progress.states.lead_cell_rows` — one of a task's lead cells with its
    report in a period, or, for a task without a lead unit, one marker row (``unit_id`` 0) — with
    the task's silent supporting cells counted on every row. ``stamp`` and ``due_on`` say which
    inputs it was computed from: a row is read only while they equal the task's :class:`StandingStamp`
    and the period's report due date (:mod:`progress.standing_store`); otherwise it is computed again.
    """

    period = models.ForeignKey(ReviewPeriod, verbose_name="填报期", on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="+")
    unit_id = models.BigIntegerField("牵头单位")  # 0: the marker row of a task without a lead unit
    stamp = models.BigIntegerField("变更计数")
    due_on = models.DateField("报送截止日")
    status = models.CharField("审核状态", max_length=16, blank=True)
    progress_status = models.CharField("推进状态", max_length=16, blank=True)
    percent = models.SmallIntegerField("完成进度（%）", null=True)
    on_time = models.BooleanField("按时报送", default=False)
    released = models.BooleanField("本期已办结", default=False)
    silent = models.IntegerField("未报送配合单位数", default=0)

    class Meta:
        verbose_name = "任务状态存储"
        verbose_name_plural = "任务状态存储"
        constraints = [
            models.UniqueConstraint(fields=["period", "task", "unit_id", "stamp"], name="standing_cell_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.period_id}·任务{self.task_id}·{self.unit_id}"


class StoredState(models.Model):
    """A task's standing in a period as of one day, as :func:`progress.states.read_states` computed
    it (the fields the overview counts): kept so that the dashboard adds up 10,000 tasks in SQL
    instead of building every state again (:mod:`progress.state_store`). A row is read only while it
    is current: its ``stamp`` equals the task's :class:`StandingStamp` (which also moves when the
    task's number, section, binding flag or deadline changes), the day asked for lies between
    ``as_of`` (the day it was computed for) and ``valid_through`` (the last day its light stays as
    computed: :func:`progress.states.valid_through`) and ``due_on`` is the period's report due date;
    otherwise it is computed again."""

    period = models.ForeignKey(ReviewPeriod, verbose_name="填报期", on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="+")
    stamp = models.BigIntegerField("变更计数")
    as_of = models.DateField("计算日期")
    valid_through = models.DateField("有效至")
    due_on = models.DateField("报送截止日")
    number = models.PositiveIntegerField("序号")
    section_id = models.BigIntegerField("所属章节", null=True)
    binding = models.BooleanField("约束性", default=False)
    deadline = models.DateField("完成时限", null=True)
    light = models.CharField("灯色", max_length=8)
    progress_status = models.CharField("推进状态", max_length=16, blank=True)
    is_completed = models.BooleanField("规划科确认完成", default=False)
    delivered = models.BooleanField("已报送", default=False)
    is_overdue = models.BooleanField("逾期", default=False)
    report_late = models.BooleanField("报告逾期", default=False)

    class Meta:
        verbose_name = "任务灯色存储"
        verbose_name_plural = "任务灯色存储"
        constraints = [models.UniqueConstraint(fields=["period", "task"], name="stored_state_unique")]
        indexes = [
            # The overview's counts group by these columns and read no other (in index order).
            models.Index(
                fields=[
                    "period",
                    "section_id",
                    "light",
                    "progress_status",
                    "is_completed",
                    "delivered",
                    "is_overdue",
                    "report_late",
                    "binding",
                ],
                name="stored_state_counts",
            ),
            models.Index(fields=["period", "light", "number"], name="stored_state_light"),
        ]

    def __str__(self) -> str:
        return f"{self.period_id}·任务{self.task_id}·{self.light}"
