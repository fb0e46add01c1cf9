"""The permission world: :func:`progress.tests.factories.build_world` and a clerk of a deactivated unit."""

from __future__ import annotations

from departments.models import Department
from departments.tests.factories import DepartmentFactory
from progress.tests.factories import build_world, unit_user
from tasks.tests.factories import SupportingFactory


def build_access_world(*, deactivated: bool = True):
    """``build_world`` plus 市旧局, a supporting unit of task 2 with its clerk ``retired_clerk``,
    deactivated (merged away) unless ``deactivated`` is False."""
    world = build_world()
    world.retired = DepartmentFactory(name="市旧局")
    SupportingFactory(task=world.tasks[2], department=world.retired)
    world.retired_clerk = unit_user(world.retired, username="retired_clerk")
    if deactivated:
        Department.objects.filter(pk=world.retired.pk).update(is_active=False)
        world.retired.refresh_from_db()
    return world
