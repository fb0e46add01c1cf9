"""Keeps :class:`tasks.models.EffectiveAssignment` equal to the rule of :mod:`tasks.effective`.

Every write that can change which units a task has calls one of these in its own transaction:
the plan import, the admin's saves of a task's assignments and of a placeholder group, the unit
fixture's group sync, the demo data, the synthetic benchmark data and the test factories. The data
migration and ``manage.py refresh_effective_assignments`` rewrite every task.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count

from departments.models import DepartmentGroup, GroupKind
from tasks.effective import AssignmentFacts, EffectiveRow, effective_rows
from tasks.models import Assignment, EffectiveAssignment, EffectiveCellCount
from tasks.signals import effective_units_changed
from xingping_tracker.core.changes import PLAN, announce

# Tasks per round trip when a list of tasks is refreshed (keeps every IN list well under SQLite's limits).
CHUNK_SIZE = 500

_ROW_FIELDS = ("task_id", "department_id", "role", "assignment_id", "via_group_id", "source", "is_primary")


@dataclass(slots=True)
class RefreshCounts:
    tasks: int = 0  # tasks looked at (None: every task)
    created: int = 0
    deleted: int = 0


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _fixed_members() -> dict[int, list[int]]:
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, department_id in DepartmentGroup.members.through.objects.filter(
        departmentgroup__kind=GroupKind.FIXED
    ).values_list("departmentgroup_id", "department_id"):
        members[group_id].append(department_id)
    return members


def rows_from_database(
    task_ids: list[int] | None, *, fixed_members: dict[int, list[int]] | None = None
) -> list[EffectiveRow]:
    """The rows the rule gives for ``task_ids`` (every task when None) from the stored assignments
    (two queries, three without ``fixed_members``)."""
    if fixed_members is None:
        fixed_members = _fixed_members()
    assignments = Assignment.objects.all()
    expansions_of = Assignment.expanded_to.through.objects.all()
    if task_ids is not None:
        assignments = assignments.filter(task_id__in=task_ids)
        expansions_of = expansions_of.filter(assignment__task_id__in=task_ids)
    expansions: dict[int, list[int]] = defaultdict(list)
    for assignment_id, department_id in expansions_of.values_list("assignment_id", "department_id"):
        expansions[assignment_id].append(department_id)
    facts = [
        AssignmentFacts(*row)
        for row in assignments.order_by().values_list("pk", "task_id", "role", "position", "department_id", "group_id")
    ]
    return effective_rows(facts, expansions=expansions, fixed_members=fixed_members)


def _sync(
    task_ids: list[int] | None, *, fixed_members: dict[int, list[int]], counts: RefreshCounts, touched: set[int]
) -> None:
    wanted = {(row.assignment_id, row.department_id): row for row in rows_from_database(task_ids, fixed_members=fixed_members)}
    stored = EffectiveAssignment.objects.all() if task_ids is None else EffectiveAssignment.objects.filter(task_id__in=task_ids)
    stale: list[int] = []
    for pk, *values in stored.order_by().values_list("pk", *_ROW_FIELDS):
        row = EffectiveRow(*values)
        if wanted.get((row.assignment_id, row.department_id)) == row:
            del wanted[(row.assignment_id, row.department_id)]  # already stored as it should be
        else:
            stale.append(pk)
            touched.add(row.task_id)
    # Deleted before the new rows are written: a cell's primary row may move to another assignment.
    for chunk in _chunks(stale, CHUNK_SIZE):
        EffectiveAssignment.objects.filter(pk__in=chunk).delete()
    EffectiveAssignment.objects.bulk_create(
        [EffectiveAssignment(**{name: getattr(row, name) for name in _ROW_FIELDS}) for row in sorted(wanted.values())],
        batch_size=1000,
    )
    touched.update(row.task_id for row in wanted.values())
    counts.deleted += len(stale)
    counts.created += len(wanted)


def refresh_effective_assignments(*, task_ids: Iterable[int] | None = None) -> RefreshCounts:
    """Make the effective-assignment rows of ``task_ids`` (every task when None) what the rule says
    about their current assignments, expansions and groups. Only rows that differ are written (a
    refresh with nothing changed writes nothing). Atomic: call it inside the transaction that made
    the change, so nobody ever reads assignments and rows that disagree."""
    counts = RefreshCounts()
    touched: set[int] = set()  # tasks whose rows changed
    with transaction.atomic():
        fixed_members = _fixed_members()
        if task_ids is None:
            _sync(None, fixed_members=fixed_members, counts=counts, touched=touched)
        else:
            ids = sorted({int(pk) for pk in task_ids})
            counts.tasks = len(ids)
            for chunk in _chunks(ids, CHUNK_SIZE):
                _sync(chunk, fixed_members=fixed_members, counts=counts, touched=touched)
        if touched:
            # In the same transaction: the apps above keep what depends on a unit's role in step.
            effective_units_changed.send(sender=EffectiveAssignment, task_ids=sorted(touched))
        if counts.created or counts.deleted:
            announce(PLAN)  # the units of some tasks changed (the repair command's too)
    return counts


def rebuild_cell_counts() -> int:
    """Count the stored cells again into :class:`tasks.models.EffectiveCellCount` (the triggers keep
    it in step; this repairs it after writes that bypassed them, e.g. a restore with triggers
    disabled). Returns how many count rows differed. One transaction; on PostgreSQL the counts are
    locked against the triggers of concurrent writes meanwhile."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(EffectiveCellCount._meta.db_table)
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        rows = (
            EffectiveAssignment.objects.filter(is_primary=True)
            .values_list("task__plan_id", "department_id", "role")
            .annotate(n=Count("pk"))
            .order_by()
        )
        wanted = {(plan, unit, role): n for plan, unit, role, n in rows}
        stored = {
            (plan, unit, role): cells
            for plan, unit, role, cells in EffectiveCellCount.objects.values_list("plan_id", "unit_id", "role", "cells")
        }
        differing = {key for key in stored.keys() | wanted.keys() if stored.get(key) != wanted.get(key)}
        if differing:
            EffectiveCellCount.objects.all().delete()
            EffectiveCellCount.objects.bulk_create(
                EffectiveCellCount(plan_id=plan, unit_id=unit, role=role, cells=n)
                for (plan, unit, role), n in wanted.items()
            )
    return len(differing)


def tasks_naming_groups(group_ids: Iterable[int]) -> list[int]:
    """Ids of the tasks with an assignment naming one of the groups (one query)."""
    return list(
        Assignment.objects.filter(group_id__in=list(group_ids))
        .order_by()
        .values_list("task_id", flat=True)
        .distinct()
    )


def refresh_effective_assignments_for_groups(*, group_ids: Iterable[int]) -> RefreshCounts:
    """:func:`refresh_effective_assignments` for the tasks naming one of the groups: after a change
    of their members or their kind (FIXED / SELECTED)."""
    return refresh_effective_assignments(task_ids=tasks_naming_groups(group_ids))
