"""A unit's role on a task, from the effective-assignment table (:func:`tasks.selectors.unit_cells`:
one primary row per task and unit, lead winning over supporting)."""

from __future__ import annotations

from collections.abc import Iterable

from tasks.models import Task
from tasks.selectors import unit_cells


def unit_role_on_task(*, department_id: int, task: Task | int) -> str | None:
    """``lead`` or ``supporting`` when the unit is an effective unit of the task (lead wins), else None."""
    task_id = task.pk if isinstance(task, Task) else task
    return unit_cells(department=department_id).filter(task_id=task_id).values_list("role", flat=True).first()


def unit_roles_on_tasks(*, department_id: int, task_ids: Iterable[int]) -> dict[int, str]:
    """{task id: :func:`unit_role_on_task`} for many tasks in one query; tasks where the unit has no role are left out."""
    return dict(unit_cells(department=department_id).filter(task_id__in=list(task_ids)).values_list("task_id", "role"))
