"""The plan office and leadership roles, as Django groups with their permissions.

Unit staff are ``departments.Membership`` rows (reporter or unit head). The two city-level roles
are groups, created after every migrate, so the plan office grants a role by adding a user to a
group in the admin:

- 规划科 (plan office): sees everything, reviews reports, opens and closes periods, closes tasks,
  decides extension requests (the ``progress.review_progressreport`` permission).
- 市领导 (leadership): sees everything, changes nothing (``tasks.view_task`` only).
"""

from __future__ import annotations

from typing import Any

PLAN_OFFICE_GROUP = "规划科"
LEADERSHIP_GROUP = "市领导"

VIEW_ALL_PERMISSION = "tasks.view_task"
REVIEW_PERMISSION = "progress.review_progressreport"

# (app_label, codename) per group.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    PLAN_OFFICE_GROUP: [
        ("tasks", "view_task"),
        ("tasks", "view_plan"),
        ("departments", "view_department"),
        ("progress", "review_progressreport"),
        ("progress", "view_progressreport"),
        ("progress", "view_reviewperiod"),
        ("progress", "change_reviewperiod"),
        ("progress", "view_extensionrequest"),
        ("drafting", "add_draft"),
        ("drafting", "change_draft"),
        ("drafting", "view_draft"),
    ],
    LEADERSHIP_GROUP: [
        ("tasks", "view_task"),
        ("tasks", "view_plan"),
        ("departments", "view_department"),
        ("progress", "view_progressreport"),
        ("progress", "view_reviewperiod"),
        ("progress", "view_extensionrequest"),
    ],
}


def ensure_role_groups(**kwargs: Any) -> None:
    """Create the role groups and give them their permissions (idempotent; a post_migrate handler)."""
    from django.contrib.auth.models import Group, Permission

    for group_name, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        permissions = [
            permission
            for app_label, codename in wanted
            for permission in Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        ]
        group.permissions.add(*permissions)
