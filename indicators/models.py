"""Models of the indicators app: the plan office's own entries of a target's actual values."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tasks.models import Target
from xingping_tracker.core.history import HistoricalRecords


class OfficialActual(models.Model):
    """A year's actual value of a target as the plan office enters or corrects it (统计公报…), with
    the reason. It wins over the values of the lead unit's reports for the same year; the reports
    themselves are never rewritten."""

    target = models.ForeignKey(Target, verbose_name="目标", on_delete=models.CASCADE, related_name="official_actuals")
    year = models.PositiveSmallIntegerField("年份")
    value = models.DecimalField("实际值", max_digits=20, decimal_places=4)
    data_date = models.DateField("数据截至日期", null=True, blank=True)
    source = models.CharField("数据来源", max_length=200, blank=True)
    document_number = models.CharField("文号", max_length=100, blank=True)
    reason = models.CharField("录入或更正理由", max_length=500)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField("录入时间")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "指标实际值（规划科录入）"
        verbose_name_plural = "指标实际值（规划科录入）"
        ordering = ["target", "year"]
        constraints = [
            models.UniqueConstraint(fields=["target", "year"], name="official_actual_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.target}：{self.year}年 {self.value}"
