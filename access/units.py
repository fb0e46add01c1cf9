"""A unit's role on a task, from its effective assignments (:func:`tasks.selectors.effective_assignments`)."""

from __future__ import annotations

from collections.abc import Iterable

from tasks.models import AssignmentRole, Task
from tasks.selectors import effective_assignments


def _role_of(roles: set[str]) -> str | None:
    """The unit's role from the roles its effective assignments give it: lead wins."""
    if AssignmentRole.LEAD in roles:
        return AssignmentRole.LEAD
    if AssignmentRole.SUPPORTING in roles:
        return AssignmentRole.SUPPORTING
    return None


def unit_role_on_task(*, department_id: int, task: Task | int) -> str | None:
    """``lead`` or ``supporting`` when the unit is an effective unit of the task (lead wins), else None."""
    task_id = task.pk if isinstance(task, Task) else task
    return _role_of(
        set(effective_assignments(department=department_id).filter(task_id=task_id).values_list("role", flat=True))
    )


def unit_roles_on_tasks(*, department_id: int, task_ids: Iterable[int]) -> dict[int, str]:
    """{task id: :func:`unit_role_on_task`} for many tasks in one query; tasks where the unit has no role are left out."""
    found: dict[int, set[str]] = {}
    for task_id, role in (
        effective_assignments(department=department_id).filter(task_id__in=list(task_ids)).values_list("task_id", "role")
    ):
        found.setdefault(task_id, set()).add(role)
    return {task_id: role for task_id, roles in found.items() if (role := _role_of(roles)) is not None}
