"""Reads for drafting: the past tasks the suggestions learn from, and drafts."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from drafting.models import Draft, DraftTask
from drafting.suggest import PastTask, Suggester
from tasks.models import Assignment, AssignmentRole, Task


def past_tasks() -> list[PastTask]:
    """Every task in the database with its units by name (two queries)."""
    assignments = Prefetch(
        "assignments",
        queryset=Assignment.objects.select_related("department", "group").order_by("role", "position", "id"),
    )
    out = []
    for task in Task.objects.select_related("plan").prefetch_related(assignments).order_by("plan_id", "number"):
        lead = tuple(_name(a) for a in task.assignments.all() if a.role == AssignmentRole.LEAD)
        supporting = tuple(_name(a) for a in task.assignments.all() if a.role == AssignmentRole.SUPPORTING)
        out.append(
            PastTask(
                key=task.pk, number=task.number, text=task.text, lead=lead, supporting=supporting, plan=task.plan.title
            )
        )
    return out


def _name(assignment: Assignment) -> str:
    if assignment.department_id is not None:
        return assignment.department.name
    if assignment.group_id is not None:
        return assignment.group.name
    return assignment.name_as_written


def suggester() -> Suggester:
    return Suggester(past_tasks())


def draft_with_tasks(draft_id: int) -> Draft:
    return Draft.objects.prefetch_related(Prefetch("tasks", queryset=DraftTask.objects.order_by("position"))).get(
        pk=draft_id
    )


def drafts() -> QuerySet[Draft]:
    return Draft.objects.select_related("plan", "created_by")
