"""Plans (任务分工方案), their section tree, tasks, assignments, milestones and targets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from departments.models import Department, DepartmentGroup
from tasks.effective import Source
from xingping_tracker.core.history import HistoricalRecords


class PlanState(models.TextChoices):
    ACTIVE = "active", "进行中"
    CLOSED = "closed", "已结束"


class Plan(models.Model):
    title = models.CharField("方案名称", max_length=300)
    issuer = models.CharField("印发机关", max_length=100, blank=True)
    document_number = models.CharField("文号", max_length=100, blank=True)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    period_start = models.DateField("规划期起", null=True, blank=True)
    period_end = models.DateField("规划期止", null=True, blank=True)
    vision_year = models.PositiveSmallIntegerField("远景年份", null=True, blank=True)
    source_text = models.TextField("原文", blank=True)
    source_sha256 = models.CharField("原文摘要", max_length=64, blank=True, editable=False)
    # 已结束 (evaluation.services.closing.close_plan): its periods are closed and read-only; the plan
    # stays browsable and exportable (access.rules.periods refuses every write).
    state = models.CharField("状态", max_length=16, choices=PlanState.choices, default=PlanState.ACTIVE)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="结束操作人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["source_text"])

    class Meta:
        verbose_name = "任务分工方案"
        verbose_name_plural = "任务分工方案"
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_number"],
                condition=~Q(document_number=""),
                name="plan_unique_document_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.document_number}）" if self.document_number else self.title

    @property
    def is_closed(self) -> bool:
        return self.state == PlanState.CLOSED


class TaskKind(models.TextChoices):
    POSITIONING = "positioning", "目标定位"
    INDICATOR = "indicator", "主要指标"
    VISION = "vision", "远景目标"
    MEASURE = "measure", "重要举措"


class Section(models.Model):
    """A chapter (一、) or a section ((一)) of the plan. Chapters have no parent."""

    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    label = models.CharField("序号", max_length=16)
    title = models.CharField("标题", max_length=300)
    position = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "章节"
        verbose_name_plural = "章节"
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return f"{self.label}{self.title}"

    @property
    def heading(self) -> str:
        sep = "、" if self.parent_id is None else ""
        return f"{self.label}{sep}{self.title}"


class Task(models.Model):
    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveIntegerField("序号")
    text = models.TextField("任务内容")
    section = models.ForeignKey(
        Section, verbose_name="章节", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    kind = models.CharField("类别", max_length=16, choices=TaskKind.choices, default=TaskKind.MEASURE)
    binding = models.BooleanField("约束性", default=False, help_text="约束性指标未完成，责任单位年度考核一票否优。")
    incentive = models.BooleanField("激励性", default=False, help_text="远景目标提前实现的，年度考核予以加分。")
    deadline = models.DateField("完成时限", null=True, blank=True)
    deadline_text = models.CharField("时限原文", max_length=100, blank=True)
    supporting_open_ended = models.BooleanField("配合单位含“等”", default=False)
    annotation = models.CharField("分工原文", max_length=1000, blank=True)
    carried_from = models.ForeignKey(
        "self",
        verbose_name="承接自",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_into",
        help_text="上一规划期未完成、转入本方案继续推进的原任务（evaluation.services.closing.carry_tasks）。",
    )
    responsible_leaders = models.CharField(
        "责任领导",
        max_length=200,
        blank=True,
        help_text="方案写明的责任领导（人名，不是单位；多人以“、”分隔），如“责任领导：张明”。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="task_unique_number_in_plan"),
        ]
        indexes = [models.Index(fields=["deadline"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:40]}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "牵头"
    SUPPORTING = "supporting", "配合"


class Assignment(models.Model):
    """One unit or placeholder named on a task, in the order written.

    Exactly one of ``department`` / ``group`` is set when the name is resolved; neither when it is not
    (the name is kept as written and the import reported a warning, to be mapped in the admin).
    """

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField("角色", max_length=16, choices=AssignmentRole.choices)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    department = models.ForeignKey(
        Department,
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    group = models.ForeignKey(
        DepartmentGroup,
        verbose_name="单位组（占位）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    name_as_written = models.CharField("原文写法", max_length=100)
    expanded_to = models.ManyToManyField(
        Department,
        verbose_name="占位展开为",
        blank=True,
        related_name="expanded_assignments",
        help_text="规划科为本任务指定的具体单位（仅对占位有效）。",
    )

    history = HistoricalRecords(m2m_fields=[expanded_to])

    class Meta:
        verbose_name = "分工"
        verbose_name_plural = "分工"
        ordering = ["task", "role", "position"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(department__isnull=False) & Q(group__isnull=False)),
                name="assignment_unit_or_group",
            ),
        ]
        indexes = [models.Index(fields=["department", "role"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()}：{self.display_name}"

    @property
    def display_name(self) -> str:
        if self.department_id is not None:
            return self.department.name
        if self.group_id is not None:
            return self.group.name
        return f"{self.name_as_written}（未识别）"


class EffectiveAssignment(models.Model):
    """One unit an assignment stands for: the rule of :mod:`tasks.effective`, stored.

    Derived data, never edited by hand: :func:`tasks.services.effective_assignments.refresh_effective_assignments`
    rewrites the rows of a task whenever its assignments, their expansions, or the membership or
    kind of a group they name change (``manage.py refresh_effective_assignments`` repairs them all).
    ``is_primary`` marks the one row per (task, unit) whose ``role`` is the unit's role on the task
    (lead wins); the other rows keep how the document names the unit. Triggers keep
    :class:`EffectiveCellCount` (the primary rows counted by plan, unit and role) in step.
    """

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="effective_rows")
    department = models.ForeignKey(
        Department,
        verbose_name="单位",
        on_delete=models.CASCADE,
        related_name="effective_rows",
        db_index=False,  # led by the indexes below
    )
    role = models.CharField("角色", max_length=16, choices=AssignmentRole.choices)
    assignment = models.ForeignKey(
        Assignment,
        verbose_name="分工",
        on_delete=models.CASCADE,
        related_name="effective_rows",
        db_index=False,  # led by the unique constraint below
    )
    via_group = models.ForeignKey(
        DepartmentGroup,
        verbose_name="经由占位",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="effective_rows",
    )
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    is_primary = models.BooleanField("决定角色", default=True)

    class Meta:
        verbose_name = "实际承担单位"
        verbose_name_plural = "实际承担单位"
        constraints = [
            models.UniqueConstraint(fields=["assignment", "department"], name="effective_unique_unit_per_assignment"),
            models.UniqueConstraint(
                fields=["task", "department"], condition=Q(is_primary=True), name="effective_one_primary_per_cell"
            ),
        ]
        indexes = [
            # Every row: "tasks where the unit is named lead / supporting" (filters, counts).
            models.Index(fields=["department", "role", "task"], name="effective_unit_role_task"),
            # Primary rows, covering: the cells of a set of tasks (boards, dashboard) and of a unit.
            models.Index(
                fields=["task", "role", "department"], condition=Q(is_primary=True), name="effective_cells_by_task"
            ),
            models.Index(
                fields=["department", "task", "role"], condition=Q(is_primary=True), name="effective_cells_by_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}：{self.department_id}（{self.get_role_display()}）"


class EffectiveCellCount(models.Model):
    """How many cells (primary rows of :class:`EffectiveAssignment`: one per task and unit) a unit
    has in a plan, by role: the review board's per-unit totals read from here instead of counting
    the plan's 50,000 cells on every view.

    Kept by the database, not by code: triggers on the effective-assignment table (a primary row
    written, removed or changed) and on the task table (a task moved to another plan) add and
    subtract, in the transaction of the write, whoever makes it (migration
    ``tasks.0006_effective_cell_counts``). A row whose count falls to zero is deleted.
    """

    plan_id = models.BigIntegerField("规划")
    unit_id = models.BigIntegerField("单位")
    role = models.CharField("角色", max_length=16, choices=AssignmentRole.choices)
    cells = models.IntegerField("任务数")

    class Meta:
        verbose_name = "单位承担任务数"
        verbose_name_plural = "单位承担任务数"
        constraints = [models.UniqueConstraint(fields=["plan_id", "unit_id", "role"], name="effective_cell_count_key")]

    def __str__(self) -> str:
        return f"{self.plan_id}：{self.unit_id}（{self.get_role_display()}）{self.cells}"


class Milestone(models.Model):
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="milestones")
    due_on = models.DateField("节点日期")
    text = models.CharField("节点内容", max_length=1000)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "节点"
        verbose_name_plural = "节点"
        ordering = ["task", "due_on", "position"]

    def __str__(self) -> str:
        return f"{self.due_on:%Y年}：{self.text[:30]}"


class TargetDirection(models.TextChoices):
    AT_LEAST = "at_least", "不低于"
    AT_MOST = "at_most", "不高于"
    REDUCE_BY = "reduce_by", "降低"


class TargetBasis(models.TextChoices):
    LEVEL = "level", "达到值"
    ANNUAL_GROWTH = "annual_growth", "年均增长"
    CUMULATIVE = "cumulative", "累计变化"
    MULTIPLE = "multiple", "较基期倍数"


class Target(models.Model):
    """A quantified target extracted from the task text (研发经费支出占比达到1.5%)."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    indicator = models.CharField("指标", max_length=300)
    value = models.DecimalField("目标值", max_digits=16, decimal_places=4)
    value_max = models.DecimalField("目标值上限", max_digits=16, decimal_places=4, null=True, blank=True)
    unit = models.CharField("单位", max_length=32, blank=True)
    direction = models.CharField("方向", max_length=16, choices=TargetDirection.choices)
    basis = models.CharField("口径", max_length=16, choices=TargetBasis.choices, default=TargetBasis.LEVEL)
    year = models.PositiveSmallIntegerField("目标年份", null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField("基期年份", null=True, blank=True)
    # Entered by the plan office where the text does not state it (2020 GDP for "年均增长7%").
    baseline_value = models.DecimalField("基期值", max_digits=20, decimal_places=4, null=True, blank=True)
    baseline_note = models.CharField("基期值说明", max_length=300, blank=True)
    source_text = models.CharField("原文", max_length=500)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "目标"
        verbose_name_plural = "目标"
        ordering = ["task", "position"]

    def __str__(self) -> str:
        return self.source_text
