"""The list forms of the access rules: querysets filtered to what the actor may see, and the users of
a unit or a role group. Each reads the actor (:func:`access.actor.actor_for`, cached per request)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from access.actor import actor_for
from access.roles import LEADERSHIP_GROUP, PLAN_OFFICE_GROUP
from progress.models import ProgressReport, ReportStatus
from tasks.models import Target, Task
from tasks.selectors import unit_cells

if TYPE_CHECKING:
    from progress.models import ExtensionRequest
    from reminders.models import Notification


def tasks_visible_to(queryset: QuerySet[Task], *, user: Any) -> QuerySet[Task]:
    """The tasks ``user`` may see (the list form of :func:`access.rules.tasks.can_view_task`): every task
    for the plan office and leadership, the tasks their unit leads or supports for unit staff, none for
    anyone else (a clerk of a deactivated unit included)."""
    actor = actor_for(user)
    if actor.sees_everything:
        return queryset
    if actor.department_id is None:
        return queryset.none()
    # As for reports below: one uncorrelated subquery (the unit's cells, one primary row per task it
    # counts for), not an EXISTS per task row, which walked the unit's rows for every task (a clerk's
    # search over 10,000 tasks: about 555 → 72 ms, bench/README.md).
    return queryset.filter(pk__in=unit_cells(department=actor.department_id).values("task_id"))


def reports_visible_to(queryset: QuerySet[ProgressReport], *, user: Any) -> QuerySet[ProgressReport]:
    """The reports ``user`` may see (the list form of :func:`access.rules.reports.can_view_report`)."""
    actor = actor_for(user)
    if actor.sees_everything:
        return queryset
    if actor.department_id is None:
        return queryset.none()
    # One uncorrelated subquery (the unit's task ids, placeholders expanded), evaluated once, rather
    # than an EXISTS per report row: the database can hash it or walk it by index.
    my_task_ids = unit_cells(department=actor.department_id).values("task_id")
    return queryset.filter(
        Q(department_id=actor.department_id) | (~Q(status=ReportStatus.DRAFT) & Q(task_id__in=my_task_ids))
    )


def extension_requests_visible_to(queryset: QuerySet[ExtensionRequest], *, user: Any) -> QuerySet[ExtensionRequest]:
    """The plan office and leadership see every extension request; unit staff see their own unit's."""
    actor = actor_for(user)
    if actor.sees_everything:
        return queryset
    if actor.department_id is None:
        return queryset.none()
    return queryset.filter(department_id=actor.department_id)


def notifications_visible_to(*, user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first (none for an anonymous user)."""
    from reminders.models import Notification

    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


# --- who holds a role (for addressing reminders and offering 分管领导) ---------------------------------


def unit_staff_q(department_id: int) -> Q:
    """User filter: the staff (reporters and unit head) of the unit."""
    return Q(membership__department_id=department_id)


def plan_office_q() -> Q:
    """User filter: the members of the plan office group."""
    return Q(groups__name=PLAN_OFFICE_GROUP)


def leadership_q() -> Q:
    """User filter: the members of the leadership group."""
    return Q(groups__name=LEADERSHIP_GROUP)


# --- h1: indicators ------------------------------------------------------------------------------


def targets_visible_to(queryset: QuerySet[Target], *, user: Any) -> QuerySet[Target]:
    """The targets ``user`` may see (the list form of :func:`access.rules.indicators.can_view_target`):
    the targets of the tasks :func:`tasks_visible_to` gives."""
    return queryset.filter(task__in=tasks_visible_to(Task.objects.all(), user=user))
