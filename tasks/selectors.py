"""Reads of plans, sections and tasks, shared by the admin, the API and the pages.

Who does a task ("effective units"): an assignment names a unit (``department``), a placeholder
(``group``: 各镇办, 市级相关部门 …) or an unresolved name. Its effective units are

1. its department, when set;
2. else the plan office's per-task expansion (``expanded_to``), when not empty;
3. else the group's members, when the group is FIXED (各镇办 means every town);
4. else none (a SELECTED placeholder nobody has expanded yet, or an unresolved name).

Every "which tasks does unit D lead / support" question in the product goes through
:func:`effective_assignments`, so the admin, the API and the pages agree.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from departments.models import Department, DepartmentGroup, GroupKind
from tasks.models import Assignment, AssignmentRole, Plan, Section, Task
from xingping_tracker.core.filters import check_filters

# A unit reference: a Department, its primary key, or an OuterRef to one (for annotations).
DepartmentRef = Department | int | OuterRef

def _one_level_deeper(ref: int | OuterRef) -> int | OuterRef:
    """The same reference as seen from a subquery nested one level further down."""
    return OuterRef(ref) if isinstance(ref, OuterRef) else ref


def effective_assignments(*, department: DepartmentRef, role: str | None = None) -> QuerySet[Assignment]:
    """Assignments through which ``department`` is an effective unit (see the module docstring).

    ``department`` may be an ``OuterRef`` to a Department primary key, to count per unit in an annotation.
    """
    dept: int | OuterRef = department.pk if isinstance(department, Department) else department
    inner = _one_level_deeper(dept)
    expansions = Assignment.expanded_to.through.objects.filter(assignment_id=OuterRef("pk"))
    group_members = DepartmentGroup.members.through.objects.filter(
        departmentgroup_id=OuterRef("group_id"), department_id=inner
    )
    queryset = Assignment.objects.filter(
        Q(department_id=dept)
        | (
            Q(department__isnull=True)
            & (
                Exists(expansions.filter(department_id=inner))
                | (Q(group__kind=GroupKind.FIXED) & ~Exists(expansions) & Exists(group_members))
            )
        )
    )
    if role is not None:
        queryset = queryset.filter(role=role)
    return queryset


def filter_tasks_by_unit(
    queryset: QuerySet[Task], *, department: DepartmentRef, role: str | None = None
) -> QuerySet[Task]:
    """Tasks where ``department`` is an effective unit (with ``role`` when given). One EXISTS, no duplicates."""
    return queryset.filter(
        Exists(effective_assignments(department=department, role=role).filter(task_id=OuterRef("pk")))
    )


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
    """Everything a task row shows, in a constant number of queries whatever the page size."""
    return queryset.select_related("plan", "section", "section__parent", "section__parent__parent").prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("department", "group")
            .prefetch_related("expanded_to", "group__members")
            .order_by("role", "position", "pk"),
        ),
        "milestones",
        "targets",
    )


def task_list(*, filters: dict[str, Any] | None = None, user: Any = None) -> QuerySet[Task]:
    """Tasks filtered through :class:`tasks.filters.TaskFilterSet`, with their details prefetched.

    ``user``: when given, only the tasks that user may see (:func:`access.querysets.tasks_visible_to`).
    Raises ``ApplicationError(INVALID)`` when a filter value is not valid.
    """
    from access.querysets import tasks_visible_to  # the access package reads this module
    from tasks.filters import TaskFilterSet  # the FilterSet is built on the query helpers above

    queryset = with_task_details(Task.objects.all())
    if user is not None:
        queryset = tasks_visible_to(queryset, user=user)
    filterset = TaskFilterSet(data=filters or {}, queryset=queryset)
    check_filters(filterset)
    return filterset.qs


def assignment_effective_departments(assignment: Assignment) -> list[Department]:
    """The effective units of one assignment, from prefetched data (see :func:`with_task_details`)."""
    if assignment.department_id is not None:
        return [assignment.department]
    expanded = list(assignment.expanded_to.all())
    if expanded:
        return expanded
    if assignment.group_id is not None and assignment.group.kind == GroupKind.FIXED:
        return list(assignment.group.members.all())
    return []


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
    """Annotate ``led_task_count`` and ``supported_task_count`` (effective units; one query for the whole list)."""

    def count(role: str) -> Coalesce:
        per_unit = (
            effective_assignments(department=OuterRef("pk"), role=role)
            .order_by()
            .values("role")
            .annotate(n=Count("task_id", distinct=True))
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
