"""Reminders of the review cycle: the plan's reminder policy, each unit's channels, the reminders
decided by a scan, their deliveries per channel, and the in-app notification centre.

Exactly once: a reminder is identified by its ``dedupe_key`` (kind, period or milestone, unit,
stage) and each of its deliveries by (reminder, channel); both are unique in the database, so a
second scan, a second worker or a retried job finds the row and does nothing. A delivery is
claimed (pending -> sending) by one atomic UPDATE before anything is sent; a claim older than the
lease (a worker that died mid-send) can be taken again, so nothing is lost.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from departments.models import Department
from progress.models import ReviewPeriod
from tasks.models import Milestone, Plan


def default_working_day_offsets() -> list[int]:
    return [7, 3]


class ReminderPolicy(models.Model):
    """When a plan's reminders go out (data, editable in the admin). Defaults: two weeks before the
    due date, then 7 and 3 working days before, on the last working day, on the first working day
    overdue, escalation after 5 working days overdue."""

    plan = models.OneToOneField(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="reminder_policy")
    enabled = models.BooleanField("启用提醒", default=True)
    first_notice_days = models.PositiveSmallIntegerField("首次提醒：报送截止日前天数（自然日）", default=14)
    working_day_offsets = models.JSONField(
        "再次提醒：报送截止日前第几个工作日", default=default_working_day_offsets,
        help_text="如 [7, 3] 表示截止日前第 7 个和第 3 个工作日各提醒一次。",
    )
    remind_on_last_working_day = models.BooleanField("截止日（或之前最后一个工作日）提醒", default=True)
    remind_first_overdue_day = models.BooleanField("逾期第一个工作日提醒", default=True)
    escalate_after_working_days = models.PositiveSmallIntegerField(
        "逾期几个工作日后上报规划科和分管领导", default=5
    )
    meeting_notice_working_days = models.PositiveSmallIntegerField("专题会前几个工作日通知市领导", default=3)
    milestone_notice_days = models.PositiveSmallIntegerField("节点日期前几天提醒牵头单位（自然日）", default=14)
    quiet_hours_start = models.TimeField("免打扰开始", default=dt.time(20, 0))
    quiet_hours_end = models.TimeField("免打扰结束", default=dt.time(8, 30))

    class Meta:
        verbose_name = "提醒规则"
        verbose_name_plural = "提醒规则"

    def __str__(self) -> str:
        return f"{self.plan}的提醒规则"


class Channel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    INAPP = "inapp", "站内通知"
    WECOM = "wecom", "企业微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"


class UnitReminderSettings(models.Model):
    """A unit's channels and its 分管领导. Without a row a unit gets e-mail and in-app notices."""

    department = models.OneToOneField(
        Department, verbose_name="单位", on_delete=models.CASCADE, related_name="reminder_settings"
    )
    email_enabled = models.BooleanField("电子邮件", default=True)
    inapp_enabled = models.BooleanField("站内通知", default=True)
    wecom_webhook_url = models.URLField("企业微信群机器人地址", max_length=300, blank=True)
    dingtalk_webhook_url = models.URLField("钉钉群机器人地址", max_length=300, blank=True)
    dingtalk_secret = models.CharField("钉钉加签密钥", max_length=100, blank=True)
    supervising_leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="分管领导", blank=True, related_name="supervised_units"
    )

    class Meta:
        verbose_name = "单位提醒设置"
        verbose_name_plural = "单位提醒设置"

    def __str__(self) -> str:
        return f"{self.department}的提醒设置"


class ReminderKind(models.TextChoices):
    REPORT_DUE = "report_due", "报送提醒"
    ESCALATION = "escalation", "逾期上报"
    MEETING = "meeting", "专题会通知"
    MILESTONE = "milestone", "节点提醒"
    URGE = "urge", "催办"  # the plan office's one-click reminder to a silent supporting unit


class ReminderStage(models.TextChoices):
    BEFORE_DAYS = "before_days", "截止前两周"
    WORKING_DAYS_BEFORE = "wd_before", "截止前工作日"  # stored with the offset: "wd_before_7"
    LAST_DAY = "last_day", "截止日"
    OVERDUE = "overdue", "已逾期"
    ESCALATION = "escalation", "逾期上报"
    MEETING = "meeting", "会前通知"
    MILESTONE = "milestone", "节点临近"


class Reminder(models.Model):
    """One reminder decided by a scan: a digest for one unit (or for leadership) at one stage."""

    kind = models.CharField("类型", max_length=16, choices=ReminderKind.choices)
    stage = models.CharField("阶段", max_length=24)
    dedupe_key = models.CharField("去重键", max_length=200, unique=True)
    period = models.ForeignKey(
        ReviewPeriod, verbose_name="填报期", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    department = models.ForeignKey(
        Department, verbose_name="单位", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    milestone = models.ForeignKey(
        Milestone, verbose_name="节点", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    decided_on = models.DateField("提醒日期")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    link = models.CharField("链接", max_length=300, blank=True)
    items = models.JSONField("所列任务", default=list, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["period", "department"]), models.Index(fields=["decided_on"])]

    def __str__(self) -> str:
        return self.title


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    SKIPPED = "skipped", "无接收人"


class Delivery(models.Model):
    """A reminder sent through one channel. Unique per (reminder, channel)."""

    reminder = models.ForeignKey(Reminder, verbose_name="提醒", on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    recipients = models.TextField("接收人", blank=True, help_text="邮件地址、用户名或机器人名称，每行一个。")
    status = models.CharField("状态", max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    not_before = models.DateTimeField("最早发送时间", null=True, blank=True)
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "发送记录"
        verbose_name_plural = "发送记录"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["reminder", "channel"], name="delivery_once_per_channel")]
        indexes = [models.Index(fields=["status", "not_before"])]

    def __str__(self) -> str:
        return f"{self.reminder} · {self.get_channel_display()}"


class NoticeKind(models.TextChoices):
    """What a notification is about: a reminder of the scan, or a change made to the unit's work."""

    REMINDER = "reminder", "提醒"
    REPORT_RETURNED = "report_returned", "报告退回"
    REPORT_ACCEPTED = "report_accepted", "报告审核通过"
    EXTENSION_DECIDED = "extension_decided", "延期审批结果"
    PERIOD_OPENED = "period_opened", "填报期开放"
    PERIOD_CLOSED = "period_closed", "填报期关闭"


class UnitNotice(models.Model):
    """A change made to a unit's work that the unit is told about (a report returned or accepted, an
    extension decided, a period opened or closed): written by the service that makes the change, in
    its transaction. Each of the unit's users gets it in the notification centre (``Notification.notice``)
    and the unit's next digest (a report or milestone reminder) lists it once (``digest``)."""

    kind = models.CharField("类型", max_length=24, choices=NoticeKind.choices)
    department = models.ForeignKey(
        Department, verbose_name="单位", on_delete=models.CASCADE, related_name="notices"
    )
    period = models.ForeignKey(
        ReviewPeriod, verbose_name="填报期", null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    digest = models.ForeignKey(
        Reminder, verbose_name="列入的提醒", null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )

    class Meta:
        verbose_name = "单位动态"
        verbose_name_plural = "单位动态"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["department", "digest"])]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """The in-app notification centre: one row per recipient user, unique per (reminder, user) for a
    reminder and per (notice, user) for a change to the unit's work."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    department = models.ForeignKey(
        Department, verbose_name="单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    reminder = models.ForeignKey(
        Reminder, verbose_name="提醒", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    notice = models.ForeignKey(
        UnitNotice, verbose_name="单位动态", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("类型", max_length=24, choices=NoticeKind.choices, default=NoticeKind.REMINDER)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["reminder", "user"], name="notification_once_per_user"),
            models.UniqueConstraint(fields=["notice", "user"], name="notification_notice_once_per_user"),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title
