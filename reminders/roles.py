"""What the role groups may do with the reminders in the admin (added to progress.roles' groups).

The plan office (规划科, staff accounts) edits the plans' reminder policies and the units' channels, and
reads reminders and the send log; it sends failed deliveries again (the review permission decides that,
not a model permission). In-app notifications are each user's own: no group reads them in the admin.
"""

from __future__ import annotations

from typing import Any

from progress.roles import PLAN_OFFICE_GROUP

REMINDER_ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    PLAN_OFFICE_GROUP: [
        ("reminders", "view_reminderpolicy"),
        ("reminders", "add_reminderpolicy"),
        ("reminders", "change_reminderpolicy"),
        ("reminders", "view_unitremindersettings"),
        ("reminders", "add_unitremindersettings"),
        ("reminders", "change_unitremindersettings"),
        ("reminders", "view_reminder"),
        ("reminders", "view_delivery"),
    ],
}


def ensure_reminder_permissions(**kwargs: Any) -> None:
    """Give the role groups their reminder permissions (idempotent; a post_migrate handler)."""
    from django.contrib.auth.models import Group, Permission

    for group_name, wanted in REMINDER_ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *(
                permission
                for app_label, codename in wanted
                for permission in Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        )
