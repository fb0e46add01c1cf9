"""The portal's search: tasks by number, by text, or by the name of a unit that counts for them,
limited to the tasks the user may see (:func:`access.querysets.tasks_visible_to`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from access.querysets import tasks_visible_to
from departments.models import Department
from tasks.models import Assignment, EffectiveAssignment, Task
from tasks.selectors import parse_task_number

MAX_TERM_LENGTH = 100


def normalize_term(raw: Any) -> str:
    """The search term as typed, trimmed and cut to :data:`MAX_TERM_LENGTH` characters."""
    return " ".join(str(raw or "").split())[:MAX_TERM_LENGTH]


def search_tasks(*, user: Any, term: str) -> QuerySet[Task]:
    """The tasks ``user`` may see that match ``term``: its number (``15``, ``第15项``), a piece of its
    text, or a piece of the name (or an alias) of a unit that counts for it, or of how the document
    names one of its units (a placeholder such as 各镇办). The task with that number comes first,
    then plan and number order. An empty term finds nothing."""
    term = normalize_term(term)
    if not term:
        return Task.objects.none()
    # Uncorrelated subqueries (each evaluated once), not an EXISTS per task: the matching units first
    # (a few rows of the unit table), then the task ids through them and through the written names.
    unit_ids = list(
        Department.objects.filter(Q(name__icontains=term) | Q(aliases__alias__icontains=term))
        .values_list("pk", flat=True)
        .distinct()
    )
    matches = Q(text__icontains=term) | Q(
        pk__in=Assignment.objects.filter(name_as_written__icontains=term).values("task_id")
    )
    if unit_ids:
        matches |= Q(pk__in=EffectiveAssignment.objects.filter(department_id__in=unit_ids).values("task_id"))
    number = parse_task_number(term)
    if number is not None:
        matches |= Q(number=number)
    found = Task.objects.filter(matches)
    rank = (
        Case(When(number=number, then=Value(0)), default=Value(1), output_field=IntegerField())
        if number is not None
        else Value(1)
    )
    return (
        tasks_visible_to(found, user=user)
        .annotate(search_rank=rank)
        .select_related("plan", "section")
        .defer("plan__source_text")  # the whole plan document: not for a list of results
        .prefetch_related(
            Prefetch(
                "effective_rows",
                queryset=EffectiveAssignment.objects.filter(is_primary=True)
                .select_related("department")
                .order_by("role", "department__sort_order", "department__name", "department_id"),
                to_attr="primary_units",
            )
        )
        .order_by("search_rank", "plan_id", "number", "pk")
    )
