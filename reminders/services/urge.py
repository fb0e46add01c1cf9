"""催办: the plan office's one-click reminder to a supporting unit that has said nothing this period.

The reminder goes through the unit's own channels (:func:`reminders.selectors.unit_channels`) like a
scheduled digest: a ``Reminder`` of kind ``urge`` and one ``Delivery`` per channel, sent by the
workers after commit and listed in the send log (发送记录). Exactly once per unit per day
(Asia/Shanghai): the reminder's ``dedupe_key`` is ``urge:p<period>:u<unit>:<YYYY-MM-DD>``, unique in
the database and inserted with ``ON CONFLICT DO NOTHING``, so a second click, or two people
clicking at once, finds the day's reminder and sends nothing more.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import JSONField, Value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from access.actor import actor_for
from access.rules import check_can_urge
from departments.models import Department
from progress.models import PeriodStatus, ReviewPeriod
from reminders import schedule, selectors, workdays
from reminders.models import Delivery, DeliveryStatus, Reminder, ReminderKind, ReminderPolicy
from reminders.services.delivery import enqueue_delivery
from reminders.services.scan import send_after
from tasks.models import AssignmentRole, Task
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)

URGE_STAGE = "urge"


@dataclass(frozen=True)
class UrgeResult:
    reminder: Reminder
    created: bool  # False: the unit had been urged already today (nothing sent again)
    channels: tuple[str, ...] = ()
    not_before: dt.datetime | None = None  # when the deliveries may go (the end of the quiet hours)


def urge_key(period_id: int, department_id: int, day: dt.date) -> str:
    return f"{URGE_STAGE}:p{period_id}:u{department_id}:{day.isoformat()}"


def _link(period_id: int) -> str:
    try:
        return f"{reverse('progress:home')}?period={period_id}"
    except NoReverseMatch:
        return ""


def urge_texts(period: ReviewPeriod, unit_name: str, items: list[schedule.OwedItem]) -> tuple[str, str]:
    n = len(items)
    title = f"催办：{unit_name}在{period.name}有{n}项配合任务未反馈"
    lines = [
        f"{i}. 任务{item.number}：{item.text}（{schedule.STATUS_LABELS.get(item.status, item.status)}）"
        for i, item in enumerate(items, 1)
    ]
    body = "\n".join(
        [
            f"{unit_name}：",
            f"贵单位是以下{n}项任务的配合单位，{period.name}尚未向牵头单位反馈配合情况"
            f"（报送截止日{schedule.cn_date(period.report_due_on)}）：",
            *lines,
            "请登录督办台账，在“本期待填报”中填写配合情况并报送。市发改局规划科催办。",
        ]
    )
    return title, body


def urge_unit(*, period_id: int, department_id: int, user: Any, now: dt.datetime | None = None) -> UrgeResult:
    """Send the unit a 催办 for the supporting tasks it is silent on in the period (once a day).

    Refused: anyone but the plan office (PERMISSION_DENIED), a period that is not open, a unit that
    is not silent on anything or has every channel switched off. The day's second call returns the
    first call's reminder with ``created=False`` and writes nothing.
    """
    from progress.selectors.review import silent_tasks_of

    check_can_urge(actor_for(user))
    now = now or timezone.now()
    today = workdays.shanghai_today(now)
    period = ReviewPeriod.objects.select_related("plan").filter(pk=period_id).first()
    department = Department.objects.filter(pk=department_id).only("pk", "name", "is_active").first()
    if period is None or department is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该填报期或单位。")
    key = urge_key(period.pk, department.pk, today)
    existing = Reminder.objects.filter(dedupe_key=key).first()
    if existing is not None:
        return UrgeResult(existing, created=False)
    if period.status != PeriodStatus.OPEN:
        raise ApplicationError(
            ErrorCode.PERIOD_NOT_OPEN,
            f"“{period.name}”填报期{period.get_status_display()}，只有填报中的填报期可以催办。",
        )
    if not department.is_active:
        raise ApplicationError(ErrorCode.INVALID, f"{department.name}已停用，不能催办。")
    channels = selectors.unit_channels([department.pk])[department.pk]
    if not channels:
        raise ApplicationError(
            ErrorCode.INVALID, f"{department.name}的提醒渠道都已关闭，无法催办：请先在单位提醒设置中开启至少一个渠道。"
        )
    silent = silent_tasks_of(period, department.pk)
    if not silent:
        raise ApplicationError(ErrorCode.INVALID, f"{department.name}在{period.name}没有未反馈的配合任务，无需催办。")
    texts = dict(Task.objects.filter(pk__in=[task_id for task_id, _, _ in silent]).values_list("pk", "text"))
    items = [
        schedule.OwedItem(
            task_id, number, schedule.short_text(texts.get(task_id, "")), status, AssignmentRole.SUPPORTING
        )
        for task_id, number, status in silent
    ]
    title, body = urge_texts(period, department.name, items)
    policy = ReminderPolicy.objects.filter(plan_id=period.plan_id).first() or ReminderPolicy(plan_id=period.plan_id)
    not_before = send_after(now, policy.quiet_hours_start, policy.quiet_hours_end)
    with transaction.atomic():
        Reminder.objects.bulk_create(
            [
                Reminder(
                    kind=ReminderKind.URGE,
                    stage=URGE_STAGE,
                    dedupe_key=key,
                    period=period,
                    department=department,
                    decided_on=today,
                    title=title[:200],
                    body=body,
                    link=_link(period.pk)[:300],
                    items=Value([item.as_json() for item in items], output_field=JSONField()),
                )
            ],
            ignore_conflicts=True,
        )
        reminder = Reminder.objects.get(dedupe_key=key)
        # Another click committed first: its deliveries are there and nothing is sent again.
        if Delivery.objects.filter(reminder=reminder).exists():
            return UrgeResult(reminder, created=False)
        Delivery.objects.bulk_create(
            [
                Delivery(reminder=reminder, channel=channel, status=DeliveryStatus.PENDING, not_before=not_before)
                for channel in channels
            ],
            ignore_conflicts=True,
        )
        for delivery_id in Delivery.objects.filter(reminder=reminder).order_by("pk").values_list("pk", flat=True):
            enqueue_delivery(delivery_id, eta=not_before if not_before > now else None)
    logger.info("urge %s sent by %s through %s", key, getattr(user, "username", user), ",".join(channels))
    return UrgeResult(reminder, created=True, channels=tuple(channels), not_before=not_before)
