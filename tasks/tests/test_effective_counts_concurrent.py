"""Two transactions changing the cell counts of one plan in opposite orders (PostgreSQL, real
threads and connections): the count triggers take the plan's advisory lock first (migration tasks
0008), so the second waits for the first to commit instead of both being stuck on each other's
count rows until PostgreSQL aborts one as deadlocked."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection, transaction

from departments.tests.factories import DepartmentFactory
from tasks.models import AssignmentRole, EffectiveAssignment
from tasks.tests.factories import PlanFactory, build_many_tasks
from tasks.tests.test_effective_counts import counted, stored
from xingping_tracker.tests.racing import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _demote(task_id: int, unit_id: int) -> None:
    """The unit no longer leads the task but supports it (one statement on the cells: its unit's
    lead count down, its supporting count up)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EffectiveAssignment._meta.db_table} SET role = %s"
            " WHERE task_id = %s AND department_id = %s AND is_primary AND role = %s",
            [AssignmentRole.SUPPORTING, task_id, unit_id, AssignmentRole.LEAD],
        )
        assert cursor.rowcount == 1


def test_opposite_changes_in_one_plan_wait_for_each_other_instead_of_deadlocking():
    plan = PlanFactory()
    a, b = DepartmentFactory(), DepartmentFactory()
    led_by_a = build_many_tasks(2, plan=plan, lead=a)
    led_by_b = build_many_tasks(2, plan=plan, lead=b)
    halfway = threading.Barrier(2)

    def changes(first: tuple[int, int], second: tuple[int, int]):
        def run() -> str:
            with transaction.atomic():
                _demote(*first)  # this unit's count rows locked until the commit
                # Both at once, unless the other waits for this one's plan lock.
                with contextlib.suppress(threading.BrokenBarrierError):
                    halfway.wait(timeout=2)
                _demote(*second)  # the count rows the other one took first
            return "committed"

        return run

    results = race(
        changes((led_by_a[0].pk, a.pk), (led_by_b[0].pk, b.pk)),
        changes((led_by_b[1].pk, b.pk), (led_by_a[1].pk, a.pk)),
    )
    assert results == ["committed", "committed"]
    assert stored() == counted()
    key = (plan.pk, a.pk, AssignmentRole.SUPPORTING)
    assert stored()[key] == 2 and (plan.pk, a.pk, AssignmentRole.LEAD) not in stored()
