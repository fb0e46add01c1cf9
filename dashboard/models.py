"""Stored figures of the leadership dashboard."""

from __future__ import annotations

from django.db import models

from progress.models import ReviewPeriod


class TrendSnapshot(models.Model):
    """The trend point of a closed period, computed once (see :mod:`dashboard.selectors.overview`).

    A closed period is frozen, so its point is the period as it stood when closed: it is used while
    the period is still closed with the same ``closed_at`` and read as of the same day; reopening and
    closing the period again (a new ``closed_at``) makes the next overview recompute it.
    """

    period = models.OneToOneField(
        ReviewPeriod, verbose_name="填报期", on_delete=models.CASCADE, related_name="trend_snapshot"
    )
    closed_at = models.DateTimeField("计算时填报期的关闭时间")
    as_of = models.DateField("统计截至日")
    total = models.PositiveIntegerField("任务总数")
    completed = models.PositiveIntegerField("已完成")
    submitted = models.PositiveIntegerField("已报送")
    red = models.PositiveIntegerField("红灯")
    yellow = models.PositiveIntegerField("黄灯")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "趋势快照"
        verbose_name_plural = "趋势快照"

    def __str__(self) -> str:
        return f"{self.period_id}（{self.as_of}）"
