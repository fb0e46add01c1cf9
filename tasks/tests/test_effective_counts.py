"""The per-unit cell counts (tasks.models.EffectiveCellCount) that the triggers keep: always the
primary rows of the effective-assignment table counted by plan, unit and role, whatever changes
them — the maintenance service, a task moved to another plan, a task or a plan deleted."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from tasks.models import AssignmentRole, EffectiveAssignment, EffectiveCellCount, Task
from tasks.services.effective_assignments import refresh_effective_assignments
from tasks.tests.factories import PlanFactory, build_sample_plan
from xingping_tracker.tests.schema import trigger_names

pytestmark = pytest.mark.django_db

TRIGGERS = {
    "tasks_effectiveassignment_counts_ins",
    "tasks_effectiveassignment_counts_upd",
    "tasks_effectiveassignment_counts_del",
    "tasks_task_counts_plan",
}


def counted() -> dict[tuple[int, int, str], int]:
    """The primary rows counted by (plan, unit, role): what the stored counts must say."""
    rows = (
        EffectiveAssignment.objects.filter(is_primary=True)
        .values_list("task__plan_id", "department_id", "role")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(plan, unit, role): n for plan, unit, role, n in rows}


def stored() -> dict[tuple[int, int, str], int]:
    return {
        (plan, unit, role): cells
        for plan, unit, role, cells in EffectiveCellCount.objects.values_list("plan_id", "unit_id", "role", "cells")
    }


def test_every_count_trigger_is_in_the_migrated_database():
    """SQLite drops a table's triggers when a migration rebuilds the table: a later migration of
    either table must create them again, or the counts would drift."""
    assert trigger_names() >= TRIGGERS


def test_the_counts_follow_every_write_of_the_cells():
    sample = build_sample_plan()
    assert stored() == counted() != {}
    plan_id, fagai = sample.plan.pk, sample.fagai.pk
    # 发改 leads tasks 1 and 3 and supports tasks 2 and 5 (task 5 names it twice: one cell).
    assert stored()[(plan_id, fagai, AssignmentRole.LEAD)] == 2
    assert stored()[(plan_id, fagai, AssignmentRole.SUPPORTING)] == 2

    # A cell's role changes: lead on task 2 instead of 工信 (the service rewrites the task's rows).
    lead = sample.tasks[2].assignments.get(role=AssignmentRole.LEAD)
    lead.department = sample.fagai
    lead.save()
    refresh_effective_assignments(task_ids=[sample.tasks[2].pk])
    assert stored() == counted()
    assert stored()[(plan_id, fagai, AssignmentRole.LEAD)] == 3
    assert stored()[(plan_id, fagai, AssignmentRole.SUPPORTING)] == 1
    assert (plan_id, sample.gongxin.pk, AssignmentRole.LEAD) not in stored()  # fell to zero: deleted

    # A row changed in place (not by the service): the update trigger moves the count.
    row = EffectiveAssignment.objects.filter(task=sample.tasks[3], department=sample.fagai, is_primary=True).get()
    EffectiveAssignment.objects.filter(pk=row.pk).update(role=AssignmentRole.SUPPORTING)
    assert stored() == counted()
    EffectiveAssignment.objects.filter(pk=row.pk).update(is_primary=False)
    assert stored() == counted()
    EffectiveAssignment.objects.filter(pk=row.pk).update(is_primary=True, role=AssignmentRole.LEAD)
    assert stored() == counted()


def test_a_task_moved_to_another_plan_takes_its_counts_along():
    sample = build_sample_plan()
    other = PlanFactory()
    Task.objects.filter(pk=sample.tasks[1].pk).update(plan=other)
    assert stored() == counted()
    assert stored()[(other.pk, sample.fagai.pk, AssignmentRole.LEAD)] == 1
    assert stored()[(sample.plan.pk, sample.fagai.pk, AssignmentRole.LEAD)] == 1
    task = Task.objects.get(pk=sample.tasks[3].pk)
    task.plan = other
    task.save()  # the model's save, as the admin's
    assert stored() == counted()
    assert (sample.plan.pk, sample.fagai.pk, AssignmentRole.LEAD) not in stored()


def test_deleting_a_task_or_a_plan_takes_its_counts_away():
    sample = build_sample_plan()
    Task.objects.get(pk=sample.tasks[1].pk).delete()
    assert stored() == counted()
    sample.plan.delete()
    assert stored() == counted() == {}


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_rows_already_stored():
    build_sample_plan()
    expected = counted()
    call_command("migrate", "tasks", "0005", verbosity=0)
    try:
        assert "tasks_effectivecellcount" not in connection.introspection.table_names()
    finally:
        call_command("migrate", "tasks", verbosity=0)
    assert stored() == expected != {}


def test_the_repair_command_counts_again_what_writes_around_the_triggers_left_wrong():
    from io import StringIO

    sample = build_sample_plan()
    expected = counted()
    EffectiveCellCount.objects.filter(unit_id=sample.fagai.pk).update(cells=99)  # as a bypassing write would
    EffectiveCellCount.objects.create(plan_id=sample.plan.pk + 1000, unit_id=sample.fagai.pk, role="lead", cells=3)
    out = StringIO()
    call_command("refresh_effective_assignments", stdout=out)
    assert stored() == expected
    assert "3 项不一致，已更正" in out.getvalue()  # 发改's two roles and the stray row
    out = StringIO()
    call_command("refresh_effective_assignments", stdout=out)
    assert "不一致" not in out.getvalue()
