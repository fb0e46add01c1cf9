"""The effective-assignment table is the rule of tasks.effective, for random plans, groups and
expansions, and stays so through every change of assignments, expansions, groups and units.

The oracle here is the rule as the docstring of :mod:`tasks.effective` states it, written plainly
over the drawn world (indices, no database, no shared code with the product's function).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from departments.models import Department, DepartmentGroup, GroupKind
from tasks.effective import AssignmentFacts, effective_rows
from tasks.models import Assignment, EffectiveAssignment
from tasks.services.effective_assignments import (
    refresh_effective_assignments,
    refresh_effective_assignments_for_groups,
)
from tasks.tests.factories import AssignmentFactory, PlanFactory, TaskFactory
from tasks.tests.test_effective_counts import counted as counted_cells
from tasks.tests.test_effective_counts import stored as stored_counts

LEAD, SUPPORTING = "lead", "supporting"

# --- the drawn world ---------------------------------------------------------------------------


@dataclass
class DrawnAssignment:
    role: str
    position: int
    target: tuple  # ("unit", i) | ("group", j) | ("unresolved",)
    expanded: frozenset[int]


@dataclass
class DrawnGroup:
    fixed: bool
    members: frozenset[int]


@dataclass
class World:
    active: list[bool]  # per unit
    groups: list[DrawnGroup]
    tasks: list[list[DrawnAssignment | None]]  # None: deleted (indices stay put)
    operations: list[tuple] = field(default_factory=list)


@st.composite
def assignments(draw, units: int, groups: int) -> DrawnAssignment:
    targets = [st.just(("unresolved",)), st.tuples(st.just("unit"), st.integers(0, units - 1))]
    if groups:
        targets.append(st.tuples(st.just("group"), st.integers(0, groups - 1)))
    return DrawnAssignment(
        role=draw(st.sampled_from([LEAD, SUPPORTING])),
        position=draw(st.integers(0, 2)),
        target=draw(st.one_of(*targets)),
        expanded=draw(st.frozensets(st.integers(0, units - 1), max_size=3)),
    )


@st.composite
def worlds(draw, *, with_operations: bool = False) -> World:
    units = draw(st.integers(1, 5))
    active = draw(st.lists(st.booleans(), min_size=units, max_size=units))
    groups = draw(
        st.lists(
            st.builds(DrawnGroup, st.booleans(), st.frozensets(st.integers(0, units - 1), max_size=units)), max_size=3
        )
    )
    tasks = draw(st.lists(st.lists(assignments(units, len(groups)), max_size=5), min_size=1, max_size=4))
    world = World(active=active, groups=groups, tasks=tasks)
    if with_operations:
        ops = []
        for _ in range(draw(st.integers(0, 6))):
            kinds = ["expand", "delete", "retarget", "add", "deactivate"] + (["members", "kind"] if groups else [])
            kind = draw(st.sampled_from(kinds))
            task = draw(st.integers(0, len(tasks) - 1))
            if kind == "members":
                ops.append((kind, draw(st.integers(0, len(groups) - 1)), draw(st.frozensets(st.integers(0, units - 1)))))
            elif kind == "kind":
                ops.append((kind, draw(st.integers(0, len(groups) - 1))))
            elif kind == "deactivate":
                ops.append((kind, draw(st.integers(0, units - 1))))
            elif kind == "add":
                ops.append((kind, task, draw(assignments(units, len(groups)))))
            else:
                index = draw(st.integers(0, 9))
                ops.append((kind, task, index, draw(assignments(units, len(groups)))))
        world.operations = ops
    return world


def oracle(world: World) -> set[tuple]:
    """{(task, assignment, unit, role, source, via group, primary)} by the docstring's rule."""
    rows = set()
    for t, drawn in enumerate(world.tasks):
        stands: dict[int, tuple[str, set[int], int | None]] = {}
        for a, assignment in enumerate(drawn):
            if assignment is None:
                continue
            kind = assignment.target[0]
            group = assignment.target[1] if kind == "group" else None
            if kind == "unit":
                stands[a] = ("unit", {assignment.target[1]}, None)
            elif assignment.expanded:
                stands[a] = ("expansion", set(assignment.expanded), group)
            elif group is not None and world.groups[group].fixed:
                stands[a] = ("members", set(world.groups[group].members), group)
            else:
                stands[a] = ("members", set(), group)
        units = {u for _, named, _ in stands.values() for u in named}
        for unit in units:
            naming = [a for a, (_, named, _) in stands.items() if unit in named]
            role = LEAD if any(drawn[a].role == LEAD for a in naming) else SUPPORTING
            first = min((a for a in naming if drawn[a].role == role), key=lambda a: (drawn[a].position, a))
            for a in naming:
                source, _, via = stands[a]
                rows.add((t, a, unit, drawn[a].role, source, via, a == first))
    return rows


# --- the pure function -------------------------------------------------------------------------


@given(worlds())
@settings(max_examples=300, deadline=None)
def test_the_rule_function_is_the_documented_rule(world):
    facts, expansions = [], {}
    ids: dict[int, tuple[int, int]] = {}
    next_id = 1
    for t, drawn in enumerate(world.tasks):
        for a, assignment in enumerate(drawn):
            ids[next_id] = (t, a)
            kind = assignment.target[0]
            facts.append(
                AssignmentFacts(
                    id=next_id,
                    task_id=t + 100,
                    role=assignment.role,
                    position=assignment.position,
                    department_id=assignment.target[1] + 1 if kind == "unit" else None,
                    group_id=assignment.target[1] + 1 if kind == "group" else None,
                )
            )
            expansions[next_id] = [u + 1 for u in assignment.expanded]
            next_id += 1
    fixed = {g + 1: [u + 1 for u in group.members] for g, group in enumerate(world.groups) if group.fixed}
    got = {
        (
            row.task_id - 100,
            ids[row.assignment_id][1],
            row.department_id - 1,
            row.role,
            row.source,
            None if row.via_group_id is None else row.via_group_id - 1,
            row.is_primary,
        )
        for row in effective_rows(facts, expansions=expansions, fixed_members=fixed)
    }
    assert got == oracle(world)


# --- the table, maintained ---------------------------------------------------------------------


class TestTableFollowsTheRule(TestCase):
    """Random worlds written through the factories (as the services write them), then changed by
    the maintaining services: the table equals the oracle after creation and after every change."""

    def _build(self, world: World):
        units = [Department.objects.create(name=f"单位{i}", kind="city_department", is_active=on) for i, on in enumerate(world.active)]
        groups = []
        for j, drawn in enumerate(world.groups):
            group = DepartmentGroup.objects.create(
                name=f"占位{j}", kind=GroupKind.FIXED if drawn.fixed else GroupKind.SELECTED
            )
            group.members.set([units[i] for i in drawn.members])
            groups.append(group)
        plan = PlanFactory()
        tasks, rows = [], []
        for t, drawn in enumerate(world.tasks):
            task = TaskFactory(plan=plan, number=t + 1)
            tasks.append(task)
            rows.append([self._create(task, assignment, units, groups) for assignment in drawn])
        return units, groups, tasks, rows

    @staticmethod
    def _create(task, drawn: DrawnAssignment, units, groups) -> Assignment:
        kind = drawn.target[0]
        return AssignmentFactory(
            task=task,
            role=drawn.role,
            position=drawn.position,
            department=units[drawn.target[1]] if kind == "unit" else None,
            group=groups[drawn.target[1]] if kind == "group" else None,
            name_as_written="某单位",
            expanded_to=[units[i] for i in drawn.expanded],
        )

    @staticmethod
    def _table(tasks, rows, units, groups) -> set[tuple]:
        task_index = {task.pk: t for t, task in enumerate(tasks)}
        assignment_index = {a.pk: (t, i) for t, of_task in enumerate(rows) for i, a in enumerate(of_task) if a}
        unit_index = {unit.pk: i for i, unit in enumerate(units)}
        group_index = {group.pk: j for j, group in enumerate(groups)}
        table = set()
        for task_id, assignment_id, unit_id, role, source, via, primary in EffectiveAssignment.objects.values_list(
            "task_id", "assignment_id", "department_id", "role", "source", "via_group_id", "is_primary"
        ):
            t, a = assignment_index[assignment_id]
            assert task_index[task_id] == t
            table.add((t, a, unit_index[unit_id], role, source, None if via is None else group_index[via], primary))
        return table

    def _apply(self, world: World, op: tuple, units, groups, tasks, rows) -> None:
        kind = op[0]
        if kind == "members":
            _, j, members = op
            world.groups[j].members = members
            groups[j].members.set([units[i] for i in members])
            refresh_effective_assignments_for_groups(group_ids=[groups[j].pk])
        elif kind == "kind":
            _, j = op
            world.groups[j].fixed = not world.groups[j].fixed
            groups[j].kind = GroupKind.FIXED if world.groups[j].fixed else GroupKind.SELECTED
            groups[j].save()
            refresh_effective_assignments_for_groups(group_ids=[groups[j].pk])
        elif kind == "deactivate":
            _, i = op
            world.active[i] = False
            Department.objects.filter(pk=units[i].pk).update(is_active=False)  # no refresh: activity is not the rule's
        elif kind == "add":
            _, t, drawn = op
            world.tasks[t].append(drawn)
            rows[t].append(self._create(tasks[t], drawn, units, groups))
        else:
            _, t, index, drawn = op
            alive = [i for i, a in enumerate(rows[t]) if a is not None]
            if not alive:
                return
            i = alive[index % len(alive)]
            assignment = rows[t][i]
            if kind == "delete":
                world.tasks[t][i] = None
                rows[t][i] = None
                assignment.delete()
            elif kind == "expand":
                world.tasks[t][i].expanded = drawn.expanded
                assignment.expanded_to.set([units[u] for u in drawn.expanded])
            else:  # retarget
                world.tasks[t][i].target = drawn.target
                kind_of = drawn.target[0]
                assignment.department = units[drawn.target[1]] if kind_of == "unit" else None
                assignment.group = groups[drawn.target[1]] if kind_of == "group" else None
                assignment.save()
            refresh_effective_assignments(task_ids=[tasks[t].pk])

    @given(worlds(with_operations=True))
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_table_equals_the_rule_through_every_change(self, world):
        units, groups, tasks, rows = self._build(world)
        assert self._table(tasks, rows, units, groups) == oracle(world)
        assert stored_counts() == counted_cells()
        for op in world.operations:
            self._apply(world, op, units, groups, tasks, rows)
            assert self._table(tasks, rows, units, groups) == oracle(world), op
            assert stored_counts() == counted_cells(), op  # the per-unit counts the triggers keep
        # Nothing left to do: a full refresh finds the table as it should be and writes nothing.
        counts = refresh_effective_assignments()
        assert (counts.created, counts.deleted) == (0, 0)
