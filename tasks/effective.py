"""THE rule: which units count for a task, and in which role ("effective units").

A task names its units in assignments (:class:`tasks.models.Assignment`), in the written order
(lead before supporting, then by ``position``, then by id). An assignment names a unit
(``department``), a placeholder (``group``: 各镇办, 相关镇办, 市级相关部门 …) or neither (a name the
import could not resolve, kept as written). The units an assignment stands for are

1. its department, when set (a plan-office expansion on such an assignment is ignored);
2. else the plan office's per-task expansion (``expanded_to``), when not empty — also for an
   unresolved name the plan office expanded by hand;
3. else, when the placeholder is a FIXED group (各镇办 means every town), every member of the group;
4. else nobody: a SELECTED placeholder nobody has expanded yet, an unresolved name, a FIXED group
   without members.

A unit is an **effective unit** of a task when some assignment of the task stands for it. Its
**role on the task** is ``lead`` when some lead assignment stands for it, else ``supporting``: a unit
both leading and supporting a task counts as lead (it reports once, as the lead unit; it is never
listed again among the supporting units nor counted silent as one). Questions about the *document*
("tasks where the unit is named supporting") look at every assignment's role instead: a unit named
both ways is found by a lead filter and by a supporting filter.

Units stay effective whatever their state: an inactive unit (撤并, ``is_active`` off) keeps its
tasks, its history and its place on the dashboard until the plan office re-assigns the tasks; only
the consumers that act on a unit skip it (reminders go to active units; a user of an inactive unit
is no unit staff). Group membership counts whatever the member's state too.

The rule is computed here, once, by :func:`effective_rows` (pure: it sees plain facts, never the
database), and stored in :class:`tasks.models.EffectiveAssignment`, one row per (assignment, unit it
stands for), kept up to date by :func:`tasks.services.effective_assignments.refresh_effective_assignments`
in the same transaction as every write to assignments, expansions, group membership or group kind.
Of the rows of one (task, unit), exactly one is **primary**: the first in written order among the
lead ones, else the first among the supporting ones; its ``role`` is the unit's role on the task.
Everything in the product that asks "which units does a task have", "which tasks does a unit have"
or "in which role" reads that table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import TextChoices

LEAD = "lead"  # tasks.models.AssignmentRole.LEAD (tasks.models imports this module)


class Source(TextChoices):
    """Through what an assignment stands for a unit (``EffectiveAssignment.source``)."""

    UNIT = "unit", "具体单位"  # the assignment names the unit
    EXPANSION = "expansion", "占位展开"  # the plan office's expansion of the placeholder for this task
    MEMBERS = "members", "固定成员"  # a member of the FIXED group the assignment names


@dataclass(frozen=True, slots=True)
class AssignmentFacts:
    """What the rule reads of one assignment."""

    id: int
    task_id: int
    role: str
    position: int
    department_id: int | None
    group_id: int | None


@dataclass(frozen=True, slots=True, order=True)
class EffectiveRow:
    """One row of the effective-assignment table: ``assignment_id`` stands for ``department_id``."""

    task_id: int
    department_id: int
    role: str
    assignment_id: int
    via_group_id: int | None
    source: str
    is_primary: bool


def written_order(assignment: AssignmentFacts) -> tuple[int, int, int]:
    """Lead assignments first, then by position, then by id (how the task page lists them)."""
    return (0 if assignment.role == LEAD else 1, assignment.position, assignment.id)


def units_of(
    assignment: AssignmentFacts,
    *,
    expansions: Mapping[int, Iterable[int]],
    fixed_members: Mapping[int, Iterable[int]],
) -> tuple[str, list[int]]:
    """(source, unit ids) the assignment stands for (steps 1–4 of the module docstring); unit ids
    sorted, so the result does not depend on the order the facts were read in."""
    if assignment.department_id is not None:
        return Source.UNIT, [assignment.department_id]
    expanded = sorted(set(expansions.get(assignment.id, ())))
    if expanded:
        return Source.EXPANSION, expanded
    if assignment.group_id is not None:
        return Source.MEMBERS, sorted(set(fixed_members.get(assignment.group_id, ())))
    return Source.MEMBERS, []


def effective_rows(
    assignments: Iterable[AssignmentFacts],
    *,
    expansions: Mapping[int, Iterable[int]],
    fixed_members: Mapping[int, Iterable[int]],
) -> list[EffectiveRow]:
    """Every row of the effective-assignment table for ``assignments`` (all of the tasks concerned).

    ``expansions``: {assignment id: unit ids of its ``expanded_to``}; ``fixed_members``: {group id:
    member unit ids} of the FIXED groups only (a SELECTED group's members are candidates, not units).
    Rows come sorted by (task, department, role, assignment).
    """
    rows: list[EffectiveRow] = []
    primary_taken: set[tuple[int, int]] = set()
    for assignment in sorted(assignments, key=lambda a: (a.task_id, *written_order(a))):
        source, units = units_of(assignment, expansions=expansions, fixed_members=fixed_members)
        via_group = None if source == Source.UNIT else assignment.group_id
        for unit in units:
            cell = (assignment.task_id, unit)
            primary = cell not in primary_taken  # the first in written order: lead ones come first
            primary_taken.add(cell)
            rows.append(
                EffectiveRow(
                    task_id=assignment.task_id,
                    department_id=unit,
                    role=assignment.role,
                    assignment_id=assignment.id,
                    via_group_id=via_group,
                    source=source,
                    is_primary=primary,
                )
            )
    rows.sort()
    return rows
