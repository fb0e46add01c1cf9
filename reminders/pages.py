"""Reads for the reminder pages and API: the notification centre (通知中心) and the send log (发送记录),
and the units' reminder settings. Who may see them is :mod:`access.rules.reminders`' and
:mod:`access.rules.notifications`' business.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet

from access.actor import Actor
from access.querysets import leadership_q, notifications_visible_to
from access.rules import check_can_view_deliveries, check_can_view_unit_settings, notification_not_found
from departments.models import Department
from reminders.filters import DeliveryFilterSet
from reminders.models import Delivery, DeliveryStatus, Notification, UnitReminderSettings
from xingping_tracker.core.filters import check_filters

# --- notifications ----------------------------------------------------------------------------


def notifications_for(*, user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first (none for an anonymous user)."""
    return notifications_visible_to(user=user)


def unread_notification_count(*, user: Any) -> int:
    """How many of the user's notifications are unread (one query; 0 for an anonymous user)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return notifications_visible_to(user=user).filter(read_at__isnull=True).count()


def notification_for(*, user: Any, notification_id: int) -> Notification:
    """One of the user's own notifications; someone else's (or a missing one) is NOT_FOUND."""
    notification = notifications_for(user=user).filter(pk=notification_id).first()
    if notification is None:
        raise notification_not_found()
    return notification


# --- the send log -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class DeliveryLog:
    filterset: DeliveryFilterSet
    deliveries: QuerySet[Delivery]
    counts: list[StatusCount]
    status: str  # the status chosen, "" for all

    @property
    def total(self) -> int:
        return sum(item.count for item in self.counts)

    @property
    def matching(self) -> int:
        """How many rows ``deliveries`` holds (known from the counts: no extra query)."""
        if not self.status:
            return self.total
        return next((item.count for item in self.counts if item.status == self.status), 0)


def _base_deliveries() -> QuerySet[Delivery]:
    return Delivery.objects.select_related("reminder", "reminder__department", "reminder__period").order_by(
        "-created_at", "-id"
    )


def _filtered(filters: Mapping[str, Any], *, strict: bool) -> tuple[DeliveryFilterSet, QuerySet[Delivery], str]:
    """The form, the deliveries matching every valid filter except the status, and the status chosen."""
    filterset = DeliveryFilterSet(data=filters, queryset=_base_deliveries())
    if strict:
        check_filters(filterset)
    else:
        filterset.is_valid()  # cleans the valid values; the page shows the errors beside the others
    cleaned = dict(getattr(filterset.form, "cleaned_data", {}))
    status = cleaned.pop("status", "") or ""
    queryset = filterset.queryset
    for name, value in cleaned.items():
        if value not in (None, ""):
            queryset = filterset.filters[name].filter(queryset, value)
    return filterset, queryset, status


def delivery_log(*, filters: Mapping[str, Any], actor: Actor) -> DeliveryLog:
    """The deliveries matching ``filters`` (period, unit, channel, status, kind), newest first, with the
    count per status of the deliveries matching every filter but the status (so each count says how many
    rows choosing that status would show). An invalid filter value is ignored; the page shows the form's
    error beside it."""
    check_can_view_deliveries(actor)
    filterset, queryset, status = _filtered(filters, strict=False)
    per_status = dict(queryset.order_by().values("status").annotate(n=Count("id")).values_list("status", "n"))
    counts = [StatusCount(value, label, per_status.get(value, 0)) for value, label in DeliveryStatus.choices]
    if status:
        queryset = queryset.filter(status=status)
    return DeliveryLog(filterset=filterset, deliveries=queryset, counts=counts, status=status)


def deliveries_visible_to(*, filters: Mapping[str, Any], actor: Actor) -> QuerySet[Delivery]:
    """The API's list: the same rows as the page; an invalid filter raises ``ApplicationError(INVALID)``
    with the errors per field (the API's 400)."""
    check_can_view_deliveries(actor)
    _, queryset, status = _filtered(filters, strict=True)
    return queryset.filter(status=status) if status else queryset


# --- units' reminder settings -----------------------------------------------------------------


@dataclass(frozen=True)
class UnitChannels:
    department: Department
    settings: UnitReminderSettings | None  # None: the defaults (e-mail and in-app)

    @property
    def email(self) -> bool:
        return self.settings.email_enabled if self.settings else True

    @property
    def inapp(self) -> bool:
        return self.settings.inapp_enabled if self.settings else True

    @property
    def wecom(self) -> bool:
        return bool(self.settings and self.settings.wecom_webhook_url)

    @property
    def dingtalk(self) -> bool:
        return bool(self.settings and self.settings.dingtalk_webhook_url)

    @property
    def leaders(self) -> list[Any]:
        return list(self.settings.supervising_leaders.all()) if self.settings else []


def unit_channels(*, actor: Actor) -> list[UnitChannels]:
    """Every active unit with its reminder settings (three queries however many units)."""
    check_can_view_unit_settings(actor)
    rows = {
        row.department_id: row
        for row in UnitReminderSettings.objects.prefetch_related(
            Prefetch("supervising_leaders", queryset=get_user_model().objects.only("pk", "username", "first_name", "last_name"))
        )
    }
    departments = Department.objects.filter(is_active=True).order_by("sort_order", "name").only("pk", "name")
    return [UnitChannels(department, rows.get(department.pk)) for department in departments]


def leadership_users() -> QuerySet[Any]:
    """Active users of the leadership group: the 分管领导 the settings page offers."""
    return (
        get_user_model()
        .objects.filter(leadership_q(), is_active=True)
        .order_by("last_name", "first_name", "username")
        .distinct()
    )


# --- labels -----------------------------------------------------------------------------------

_STAGE_LABELS = {
    "last_day": "截止日",
    "escalation": "逾期上报",
    "meeting": "会前通知",
    "milestone": "节点临近",
    "overdue": "已逾期",
    "before_days": "截止前两周",
    "wd_before": "截止前工作日",
    "urge": "规划科催办",
}
_STAGE_PATTERNS = [
    (re.compile(r"^before_(?:days_)?(\d+)$"), "截止前{}天"),
    (re.compile(r"^wd_before_(\d+)$"), "截止前第{}个工作日"),
    (re.compile(r"^overdue_(\d+)$"), "逾期第{}个工作日"),
]


def stage_label(stage: str) -> str:
    """The Chinese name of a reminder's stage, e.g. ``wd_before_7`` → 截止前第7个工作日."""
    if stage in _STAGE_LABELS:
        return _STAGE_LABELS[stage]
    for pattern, template in _STAGE_PATTERNS:
        match = pattern.match(stage)
        if match:
            return template.format(match.group(1))
    return stage


def recipient_list(recipients: str) -> list[str]:
    """A delivery's recipients (one a line) as a list."""
    return [line.strip() for line in recipients.splitlines() if line.strip()]
