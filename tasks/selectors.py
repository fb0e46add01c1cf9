"""Reads of plans, sections and tasks, shared by the admin, the API and the pages.

Who does a task ("effective units", and a unit's role on a task: lead wins) is defined once, in
:mod:`tasks.effective`, and stored in :class:`tasks.models.EffectiveAssignment`. Every "which tasks
does unit D lead / support" question in the product reads that table, through the helpers here
(:func:`filter_tasks_by_unit`, :func:`unit_cells`, …) or by joining it in SQL, so the admin, the API,
the pages, the dashboard, the reminders and the exports agree.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from departments.models import Department
from tasks.models import Assignment, AssignmentRole, EffectiveAssignment, Plan, Section, Task
from xingping_tracker.core.filters import check_filters

# A unit reference: a Department, its primary key, or an OuterRef to one (for annotations).
DepartmentRef = Department | int | OuterRef

def _department_id(department: DepartmentRef) -> int | OuterRef:
    return department.pk if isinstance(department, Department) else department


def unit_cells(*, department: DepartmentRef) -> QuerySet[EffectiveAssignment]:
    """One row per task where ``department`` is an effective unit (the primary row: its ``role`` is
    the unit's role on the task, lead winning over supporting)."""
    return EffectiveAssignment.objects.filter(department_id=_department_id(department), is_primary=True)


def effective_assignments(*, department: DepartmentRef, role: str | None = None) -> QuerySet[Assignment]:
    """Assignments through which ``department`` is an effective unit (see :mod:`tasks.effective`).

    ``department`` may be an ``OuterRef`` to a Department primary key, to count per unit in an annotation.
    """
    # A join, not a subquery: an assignment stands for a unit at most once (a unique constraint).
    assignments = Assignment.objects.filter(effective_rows__department_id=_department_id(department))
    return assignments.filter(role=role) if role is not None else assignments


def filter_tasks_by_unit(
    queryset: QuerySet[Task], *, department: DepartmentRef, role: str | None = None
) -> QuerySet[Task]:
    """Tasks where ``department`` is an effective unit, in ``role`` when given: its role on the task
    (:func:`unit_cells`: a unit both leading and named among the supporting units leads the task,
    as the portal, the board and the ledger count it). One EXISTS, no duplicates."""
    cells = unit_cells(department=department)
    if role is not None:
        cells = cells.filter(role=role)
    return queryset.filter(Exists(cells.filter(task_id=OuterRef("pk"))))


def section_and_descendant_ids(section: Section | int) -> list[int]:
    """The section's id and its descendants' (one query per level of the tree: two or three in practice)."""
    root = section.pk if isinstance(section, Section) else int(section)
    ids, level = [root], [root]
    while level:
        level = list(Section.objects.filter(parent_id__in=level).exclude(pk__in=ids).values_list("pk", flat=True))
        ids.extend(level)
    return ids


def filter_tasks_by_section(queryset: QuerySet[Task], *, section: Section | int) -> QuerySet[Task]:
    return queryset.filter(section_id__in=section_and_descendant_ids(section))


def parse_task_number(term: str) -> int | None:
    """The task number a search term names, when it is an integer (全角 digits accepted)."""
    term = term.strip().removesuffix("项").removeprefix("第")
    if term and term.isdecimal():
        return int(term)
    return None


def search_tasks(queryset: QuerySet[Task], *, term: str) -> QuerySet[Task]:
    """An integer matches the task number exactly; any other text matches the task text (icontains)."""
    term = term.strip()
    if not term:
        return queryset
    number = parse_task_number(term)
    if number is not None:
        return queryset.filter(number=number)
    return queryset.filter(text__icontains=term)


def with_task_details(queryset: QuerySet[Task]) -> QuerySet[Task]:
    """Everything a task row shows, in a constant number of queries whatever the page size: the
    assignments in written order, each with its expansion and its effective-assignment rows."""
    return queryset.select_related("plan", "section", "section__parent", "section__parent__parent").prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("department", "group")
            .prefetch_related(
                "expanded_to",
                Prefetch(
                    "effective_rows",
                    queryset=EffectiveAssignment.objects.select_related("department").order_by(
                        "department__sort_order", "department__name", "department_id"
                    ),
                ),
            )
            .order_by("role", "position", "pk"),
        ),
        "milestones",
        "targets",
    )


def task_list(*, filters: dict[str, Any] | None = None, queryset: QuerySet[Task] | None = None) -> QuerySet[Task]:
    """Tasks (of ``queryset``, default all) filtered through :class:`tasks.filters.TaskFilterSet`, with
    their details prefetched. The API passes the tasks the user may see
    (:func:`access.querysets.tasks_visible_to`: access sits above tasks, so this module never asks it).
    Raises ``ApplicationError(INVALID)`` when a filter value is not valid.
    """
    from tasks.filters import TaskFilterSet  # the FilterSet is built on the query helpers above

    queryset = with_task_details(queryset if queryset is not None else Task.objects.all())
    filterset = TaskFilterSet(data=filters or {}, queryset=queryset)
    check_filters(filterset)
    return filterset.qs


def assignment_effective_departments(assignment: Assignment) -> list[Department]:
    """The effective units of one assignment in unit order, from prefetched data (see :func:`with_task_details`)."""
    return [row.department for row in assignment.effective_rows.all()]


def task_effective_units(task: Task) -> tuple[list[Department], list[Department]]:
    """(lead units, supporting units) of a task, each unit once, in written order (then unit order),
    from :func:`with_task_details` data; a unit that leads is not listed again as supporting."""
    leads: list[Department] = []
    supporting: list[Department] = []
    for assignment in task.assignments.all():
        for row in assignment.effective_rows.all():
            if row.is_primary:
                (leads if row.role == AssignmentRole.LEAD else supporting).append(row.department)
    return leads, supporting


def task_assignments_by_role(task: Task) -> dict[str, list[Assignment]]:
    """``{"lead": [...], "supporting": [...]}`` in written order, from prefetched assignments."""
    result: dict[str, list[Assignment]] = {AssignmentRole.LEAD: [], AssignmentRole.SUPPORTING: []}
    for assignment in sorted(task.assignments.all(), key=lambda a: (a.position, a.pk)):
        result.setdefault(assignment.role, []).append(assignment)
    return result


def section_heading_path(section: Section | None) -> list[str]:
    """Headings from the chapter down to ``section`` (["一、目标定位", "（一）…"]), from select_related data."""
    path: list[str] = []
    node = section
    while node is not None:
        path.append(node.heading)
        if node.parent_id is None or not Section.parent.is_cached(node):
            break
        node = node.parent
    return list(reversed(path))


def department_task_counts(queryset: QuerySet[Department]) -> QuerySet[Department]:
    """Annotate ``led_task_count`` and ``supported_task_count`` (the unit's role on each task, lead
    winning, as :func:`unit_cells`; one query for the whole list)."""

    def count(role: str) -> Coalesce:
        per_unit = (
            unit_cells(department=OuterRef("pk"))
            .filter(role=role)
            .order_by()
            .values("department_id")
            .annotate(n=Count("task_id"))
            .values("n")
        )
        return Coalesce(Subquery(per_unit, output_field=IntegerField()), 0)

    return queryset.annotate(
        led_task_count=count(AssignmentRole.LEAD),
        supported_task_count=count(AssignmentRole.SUPPORTING),
    )


def department_task_overview(*, department: Department) -> dict[str, Any]:
    """The tasks ``department`` leads and supports (effective units), ordered by plan and number.

    Returns ``{"department", "led", "supporting"}``; the task lists are evaluated lists with plan and
    section loaded, so rendering them costs no further query.
    """
    # Plans as Plan.Meta orders them (newest first), then by task number.
    base = Task.objects.select_related("plan", "section", "section__parent").order_by(
        "-plan__issued_on", "-plan_id", "number"
    )
    led = list(filter_tasks_by_unit(base, department=department, role=AssignmentRole.LEAD))
    supporting = list(filter_tasks_by_unit(base, department=department, role=AssignmentRole.SUPPORTING))
    return {"department": department, "led": led, "supporting": supporting}


def plan_list() -> QuerySet[Plan]:
    return (
        Plan.objects.defer("source_text")
        .annotate(task_count=Count("tasks", distinct=True))
        .order_by("-issued_on", "-id")  # GROUP BY ignores Meta.ordering
    )


def section_list() -> QuerySet[Section]:
    return (
        Section.objects.select_related("parent")
        .annotate(task_count=Count("tasks", distinct=True))
        .order_by("plan_id", "position")
    )
