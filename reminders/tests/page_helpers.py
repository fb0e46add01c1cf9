"""Rows for the reminder page, admin and API tests: reminders, deliveries and notifications built directly,
so these tests do not depend on the scan or the channels."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.urls import reverse
from django.utils import timezone

from reminders.models import Channel, Delivery, DeliveryStatus, Notification, Reminder, ReminderKind

_SEQ = itertools.count(1)
_UNIT = object()  # "the world's 市工信局"; None means a reminder for no unit (leadership's meeting notice)

DIGEST_BODY = "市工信局有2项任务尚未报送（截止2025年1月10日）：\n1. 任务2 数字经济核心产业增加值 · 草稿\n2. 任务5 工业技改投资 · 未填报"


def make_reminder(world: Any, *, department: Any = _UNIT, kind: str = ReminderKind.REPORT_DUE,
                  stage: str = "wd_before_7", period: Any = None, **fields: Any) -> Reminder:
    seq = next(_SEQ)
    department = world.gongxin if department is _UNIT else department
    period = period if period is not None else world.h2
    defaults = {
        "dedupe_key": f"test:{kind}:p{period.pk}:u{getattr(department, 'pk', 0)}:{stage}:{seq}",
        "decided_on": dt.date(2024, 12, 30),
        "title": f"{getattr(department, 'name', '市领导')}：{period.name}有2项任务待报送",
        "body": DIGEST_BODY,
        "link": f"{reverse('progress:home')}?period={period.pk}",
    }
    defaults.update(fields)
    return Reminder.objects.create(kind=kind, stage=stage, period=period, department=department, **defaults)


def make_delivery(world: Any, *, reminder: Reminder | None = None, channel: str = Channel.EMAIL,
                  status: str = DeliveryStatus.SENT, **fields: Any) -> Delivery:
    reminder = reminder or make_reminder(world, **fields.pop("reminder_fields", {}))
    defaults: dict[str, Any] = {"recipients": "gongxin_clerk@example.gov.cn\ngongxin_head@example.gov.cn", "attempts": 1}
    if status == DeliveryStatus.SENT:
        defaults["sent_at"] = timezone.now()
    if status == DeliveryStatus.FAILED:
        defaults["last_error"] = "企业微信机器人返回错误：errcode 93000（机器人地址无效）"
    defaults.update(fields)
    return Delivery.objects.create(reminder=reminder, channel=channel, status=status, **defaults)


def make_notification(user: Any, *, reminder: Reminder | None = None, read: bool = False, **fields: Any) -> Notification:
    seq = next(_SEQ)
    defaults = {
        "title": f"报送提醒 {seq}",
        "body": DIGEST_BODY,
        "link": reverse("progress:home"),
    }
    defaults.update(fields)
    notification = Notification.objects.create(user=user, reminder=reminder, **defaults)
    if read:
        Notification.objects.filter(pk=notification.pk).update(read_at=notification.created_at)
        notification.refresh_from_db()
    return notification


def needs(module: str, name: str) -> None:
    """Skip until the delivery work (reminders.channels, reminders.services.delivery) provides ``name``:
    the pages call it, and these tests run it for real once it is in the tree."""
    import importlib

    import pytest

    try:
        found = hasattr(importlib.import_module(module), name)
    except ModuleNotFoundError:
        found = False
    if not found:
        pytest.skip(f"{module}.{name} is not in the tree yet (the delivery work provides it)")


def needs_retry() -> None:
    needs("reminders.services.delivery", "retry_delivery")


def needs_webhook_check() -> None:
    needs("reminders.channels", "validate_webhook_url")
