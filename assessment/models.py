"""The assessment's records: a plan's rules, one assessment per plan and year with its frozen
per-unit results, and the plan office's adjustments (history kept: each is a row, never edited)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from departments.models import Department
from tasks.models import Plan
from xingping_tracker.core.json import TextJSONField


class RuleSet(models.Model):
    """A plan's assessment rules (:class:`assessment.rules.Rules` as JSON); without one, 兴平's defaults apply."""

    plan = models.OneToOneField(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="assessment_rules")
    data = TextJSONField("规则", default=dict)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "考核规则"
        verbose_name_plural = "考核规则"

    def __str__(self) -> str:
        return f"{self.plan}的考核规则"


class AssessmentState(models.TextChoices):
    DRAFT = "draft", "草稿"
    FINALISED = "finalised", "已定稿"
    PUBLISHED = "published", "已公布"


class Assessment(models.Model):
    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField("考核年度")
    state = models.CharField("状态", max_length=16, choices=AssessmentState.choices, default=AssessmentState.DRAFT)
    rules = TextJSONField("所用规则", default=dict)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="计算人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finalised_at = models.DateTimeField("定稿时间", null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="定稿人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="公布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "年度考核"
        verbose_name_plural = "年度考核"
        ordering = ["plan", "-year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="assessment_one_per_plan_year")]

    def __str__(self) -> str:
        return f"{self.year}年度目标责任制考核"

    @property
    def is_draft(self) -> bool:
        return self.state == AssessmentState.DRAFT


class UnitResult(models.Model):
    """One unit's computed result, as last computed (a draft) or frozen (finalised, published)."""

    assessment = models.ForeignKey(Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="results")
    department = models.ForeignKey(Department, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField("名次", null=True, blank=True)
    led = models.PositiveIntegerField("牵头任务数", default=0)
    supported = models.PositiveIntegerField("配合任务数", default=0)
    completion = models.DecimalField("平均完成系数", max_digits=8, decimal_places=2, null=True, blank=True)
    base_score = models.DecimalField("基础得分", max_digits=8, decimal_places=2, null=True, blank=True)
    deduction = models.DecimalField("扣分", max_digits=8, decimal_places=2, default=0)
    bonus = models.DecimalField("加分", max_digits=8, decimal_places=2, default=0)
    adjustment = models.DecimalField("调整", max_digits=8, decimal_places=2, default=0)
    score = models.DecimalField("得分", max_digits=8, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等次", max_length=16)
    veto = models.BooleanField("一票否优", default=False)
    veto_reason = models.TextField("否优原因", blank=True)
    outstanding = models.BooleanField("特别突出", default=False)
    lines = TextJSONField("计算说明", default=list)

    class Meta:
        verbose_name = "单位考核结果"
        verbose_name_plural = "单位考核结果"
        ordering = ["assessment", "rank", "department__sort_order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "department"], name="result_one_per_unit")]

    def __str__(self) -> str:
        return f"{self.assessment}：{self.department_id}"


class Adjustment(models.Model):
    """The plan office's change of one unit's score, with its written reason (each change a row)."""

    assessment = models.ForeignKey(
        Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="adjustments"
    )
    department = models.ForeignKey(Department, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    delta = models.DecimalField("调整分值", max_digits=6, decimal_places=2)
    reason = models.TextField("理由")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="调整人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("调整时间", auto_now_add=True)

    class Meta:
        verbose_name = "分数调整"
        verbose_name_plural = "分数调整"
        ordering = ["assessment", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.department_id}：{self.delta}"
