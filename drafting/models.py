"""A plan being drafted from a work report: candidate tasks with the suggested units, edited by the plan office
and accepted into a new plan (``tasks.Plan``) through the importer's service."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DraftStatus(models.TextChoices):
    DRAFT = "draft", "起草中"
    ACCEPTED = "accepted", "已生成方案"


class Draft(models.Model):
    title = models.CharField("方案名称", max_length=300)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    source_name = models.CharField("来源文件", max_length=200, blank=True)
    source_text = models.TextField("工作报告原文")
    status = models.CharField("状态", max_length=16, choices=DraftStatus.choices, default=DraftStatus.DRAFT)
    plan = models.ForeignKey(
        "tasks.Plan", verbose_name="生成的方案", null=True, blank=True, on_delete=models.SET_NULL, related_name="drafts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="起草人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    accepted_at = models.DateTimeField("生成方案时间", null=True, blank=True)

    class Meta:
        verbose_name = "方案草稿"
        verbose_name_plural = "方案草稿"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class DraftTask(models.Model):
    """A candidate task. ``lead`` / ``supporting`` hold unit names separated by "、" (edited by the plan office);
    ``suggestion`` keeps what the model proposed and why (``drafting.suggest.Suggestion.as_json``)."""

    draft = models.ForeignKey(Draft, verbose_name="草稿", on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveIntegerField("顺序")
    text = models.TextField("任务内容")
    sentence = models.TextField("原句", blank=True)
    section = models.CharField("所属部分", max_length=300, blank=True)
    topic = models.CharField("主题", max_length=300, blank=True)
    targets = models.JSONField("目标", default=list, blank=True)
    lead = models.CharField("牵头单位", max_length=300, blank=True)
    supporting = models.CharField("配合单位", max_length=1000, blank=True)
    confidence = models.FloatField("建议置信度", default=0.0)
    suggestion = models.JSONField("系统建议", default=dict, blank=True)
    included = models.BooleanField("纳入方案", default=True)

    class Meta:
        verbose_name = "候选任务"
        verbose_name_plural = "候选任务"
        ordering = ["draft", "position"]
        constraints = [models.UniqueConstraint(fields=["draft", "position"], name="drafttask_unique_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:40]}"

    @property
    def lead_names(self) -> list[str]:
        return split_names(self.lead)

    @property
    def supporting_names(self) -> list[str]:
        return split_names(self.supporting)


def split_names(value: str) -> list[str]:
    return [name.strip() for name in value.replace("，", "、").replace(",", "、").split("、") if name.strip()]
