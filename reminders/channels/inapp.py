"""The in-app notification centre (通知中心): one ``Notification`` row per recipient.

Rows are unique per (reminder, user) and inserted with ``ignore_conflicts``, so a second delivery
attempt (a retried job, a claim taken over from a dead worker) adds nobody twice: exactly once
without anything else.
"""

from __future__ import annotations

from reminders.channels.base import NoRecipients
from reminders.models import Delivery, Notification, Reminder
from reminders.services.recipients import Recipient

NEEDS_RECIPIENTS = True


def send(delivery: Delivery, reminder: Reminder, recipients: list[Recipient]) -> str:
    if not recipients:
        raise NoRecipients("没有可接收站内通知的在用账号。")
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=recipient.user_id,
                department_id=reminder.department_id,
                reminder=reminder,
                title=reminder.title,
                body=reminder.body,
                link=reminder.link,
            )
            for recipient in recipients
        ],
        ignore_conflicts=True,
    )
    return "\n".join(recipient.label for recipient in recipients)
