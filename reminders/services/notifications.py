"""Writes of the notification centre (通知中心): marking one's own notifications read.

A user marks only their own rows; somebody else's notification is NOT_FOUND (the same answer as a
missing one). Marking is idempotent: the first read time stays.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from reminders.models import Notification
from reminders.pages import notification_for, notifications_for


@transaction.atomic
def mark_notification_read(*, notification_id: int, user: Any) -> Notification:
    """Mark one of ``user``'s notifications read (kept as it is when it already was); returns it."""
    notification = notification_for(user=user, notification_id=notification_id)
    if notification.read_at is None:
        now = timezone.now()
        # Only the first reader's time counts, even when two tabs open the notification at once.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_notifications_read(*, user: Any) -> int:
    """Mark every unread notification of ``user`` read; returns how many were unread."""
    return notifications_for(user=user).filter(read_at__isnull=True).update(read_at=timezone.now())
