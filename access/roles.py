"""The role groups and the one role → permission table.

Unit staff are ``departments.Membership`` rows (reporter or unit head). The two city-level roles are
groups, filled after every migrate (:func:`ensure_role_groups`, the one ``post_migrate`` handler), so
the plan office grants a role by adding a user to a group in the admin:

- 规划科 (plan office): sees everything, reviews reports, opens and closes periods, closes tasks,
  decides extension requests (the ``progress.review_progressreport`` permission); in the admin it
  edits the plans' reminder policies and the units' reminder channels and reads reminders and the
  send log (sending a failed delivery again is decided by the review permission, not a model one).
- 市领导 (leadership): sees everything, changes nothing (``tasks.view_task`` only).

In-app notifications are each user's own: no group reads them in the admin.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

PLAN_OFFICE_GROUP = "规划科"
LEADERSHIP_GROUP = "市领导"

# The two permissions the access rules read (through the actor only).
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
        ("reminders", "view_reminderpolicy"),
        ("reminders", "add_reminderpolicy"),
        ("reminders", "change_reminderpolicy"),
        ("reminders", "view_unitremindersettings"),
        ("reminders", "add_unitremindersettings"),
        ("reminders", "change_unitremindersettings"),
        ("reminders", "view_reminder"),
        ("reminders", "view_delivery"),
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
    """Create the role groups and give them their permissions (idempotent; the post_migrate handler).
    A fixed few queries whatever the table's size: the permissions in one, each group's in one more
    (it runs after every migrate, and the tests' flushes send post_migrate too)."""
    from django.contrib.auth.models import Group, Permission

    wanted = {pair for pairs in ROLE_PERMISSIONS.values() for pair in pairs}
    condition = Q()
    for app_label, codename in sorted(wanted):
        condition |= Q(content_type__app_label=app_label, codename=codename)
    permission_ids = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.filter(condition).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for group_name, pairs in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        # add() reads the group's permissions once and inserts only the missing ones.
        group.permissions.add(*(permission_ids[pair] for pair in pairs if pair in permission_ids))
