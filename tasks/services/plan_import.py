"""Write a parsed plan into the database, in one transaction.

- A plan is recognised by its document number (文号), else by its title: importing a plan again updates it.
- Tasks are matched by number. Only what changed is written, so re-importing the same file writes nothing
  and an edited file changes exactly the tasks that differ; history rows record every change.
- Assignments are matched by (role, unit): a unit the plan office expanded or annotated keeps its row.
  The effective units of every task whose assignments changed are refreshed in the same transaction.
  Milestones are matched by date and targets by (indicator, unit), so later progress attached to them stays.
- Unit names the directory does not know are resolved by ``resolutions`` (from the admin preview: map to an
  existing unit as a new alias, or create a new unit); any name left unresolved is kept as written on the
  assignment and reported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from departments.directory import normalise_name
from departments.models import Department, DepartmentAlias, DepartmentGroup, DepartmentKind
from tasks.importer.types import ParsedSection, ParsedTarget, ParsedTask, ParsedUnit, ParseResult
from tasks.models import Assignment, AssignmentRole, Milestone, Plan, Section, Target, Task
from tasks.services.effective_assignments import refresh_effective_assignments
from xingping_tracker.core.changes import PLAN, UNITS, announce


@dataclass(frozen=True, slots=True)
class Resolution:
    """What to do with an unknown unit name: ``map`` it to an existing unit (as an alias) or ``create`` it."""

    action: str  # "map" | "create"
    department_id: int | None = None
    kind: str = DepartmentKind.CITY_DEPARTMENT


@dataclass(slots=True)
class ImportReport:
    plan: Plan
    plan_created: bool
    tasks_created: list[int] = field(default_factory=list)
    tasks_updated: list[int] = field(default_factory=list)
    tasks_unchanged: int = 0
    tasks_missing: list[int] = field(default_factory=list)
    units_created: list[str] = field(default_factory=list)
    aliases_created: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.plan_created or self.tasks_created or self.tasks_updated or self.units_created)

    def summary(self) -> str:
        if not self.changed and not self.aliases_created:
            return f"方案“{self.plan.title}”与数据库一致，未作任何修改（{self.tasks_unchanged}项任务）。"
        parts = [
            f"方案“{self.plan.title}”{'已新建' if self.plan_created else '已更新'}",
            f"新增任务{len(self.tasks_created)}项",
            f"更新任务{len(self.tasks_updated)}项",
            f"未变化{self.tasks_unchanged}项",
        ]
        if self.units_created:
            parts.append(f"新建单位{len(self.units_created)}个")
        if self.aliases_created:
            parts.append(f"新增别名{len(self.aliases_created)}个")
        if self.unresolved:
            parts.append(f"未识别单位{len(self.unresolved)}个（{'、'.join(self.unresolved)}）")
        return "，".join(parts) + "。"


_TASK_FIELDS = (
    "text",
    "section_id",
    "kind",
    "binding",
    "incentive",
    "deadline",
    "deadline_text",
    "supporting_open_ended",
    "annotation",
    "responsible_leaders",
)
_PLAN_FIELDS = (
    "title",
    "issuer",
    "document_number",
    "issued_on",
    "period_start",
    "period_end",
    "vision_year",
    "source_text",
    "source_sha256",
)


@transaction.atomic
def import_plan(
    *,
    result: ParseResult,
    source_text: str,
    resolutions: Mapping[str, Resolution] | None = None,
    user: Any = None,
) -> ImportReport:
    """Create or update the plan described by ``result``. All or nothing."""
    announce(PLAN, UNITS)
    report_units, report_aliases = _apply_resolutions(resolutions or {})
    lookup = _UnitLookup.load()

    plan, plan_created = _upsert_plan(result, source_text, user=user)
    report = ImportReport(
        plan=plan,
        plan_created=plan_created,
        units_created=report_units,
        aliases_created=report_aliases,
        warnings=list(result.warnings),
    )
    sections, stale_sections = _sync_sections(plan, result.sections)

    existing = {
        task.number: task
        for task in Task.objects.filter(plan=plan)
        .select_for_update()
        .prefetch_related("assignments", "milestones", "targets")
    }
    new_tasks: list[Task] = []
    changed_tasks: list[Task] = []
    same_tasks: list[Task] = []
    for parsed in result.tasks:
        values = _task_values(parsed, sections)
        task = existing.pop(parsed.number, None)
        if task is None:
            new_tasks.append(Task(plan=plan, number=parsed.number, **values))
            continue
        if any(getattr(task, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(task, name, value)
            changed_tasks.append(task)
        else:
            same_tasks.append(task)
    report.tasks_missing = sorted(existing)
    for number in report.tasks_missing:
        report.warnings.append(f"任务{number}在新版本中不存在，已保留原任务及其进展，如需撤销请在管理后台处理。")

    if new_tasks:
        bulk_create_with_history(new_tasks, Task, default_user=user, default_change_reason="导入方案")
        # Fetch ids when the backend did not return them.
        if new_tasks[0].pk is None:
            ids = dict(
                Task.objects.filter(plan=plan, number__in=[t.number for t in new_tasks]).values_list("number", "id")
            )
            for task in new_tasks:
                task.pk = task.id = ids[task.number]
    if changed_tasks:
        bulk_update_with_history(
            changed_tasks, Task, [*_TASK_FIELDS], default_user=user, default_change_reason="导入方案（更新）"
        )

    tasks_by_number = {t.number: t for t in (*new_tasks, *changed_tasks, *same_tasks)}
    child_changes = _sync_children(
        result.tasks, tasks_by_number, {t.number for t in new_tasks}, lookup, user=user, report=report
    )
    if child_changes:
        refresh_effective_assignments(task_ids=[tasks_by_number[number].pk for number in child_changes])

    if stale_sections:
        # Headings no longer in the document go once no task (re-pointed above) or sub-section uses them.
        Section.objects.filter(pk__in=stale_sections, tasks__isnull=True, children__isnull=True).delete()

    created_numbers = {t.number for t in new_tasks}
    updated_numbers = {t.number for t in changed_tasks} | (child_changes - created_numbers)
    report.tasks_created = sorted(created_numbers)
    report.tasks_updated = sorted(updated_numbers)
    report.tasks_unchanged = len(result.tasks) - len(created_numbers) - len(updated_numbers)
    return report


# ---------------------------------------------------------------------------------------------------------


class _UnitLookup:
    """Canonical names and aliases → department or group ids, read once per import."""

    def __init__(self, departments: dict[str, int], groups: dict[str, int]):
        self.departments = departments
        self.groups = groups

    @classmethod
    def load(cls) -> _UnitLookup:
        departments = {normalise_name(name): pk for pk, name in Department.objects.values_list("id", "name")}
        for alias, pk in DepartmentAlias.objects.values_list("alias", "department_id"):
            departments.setdefault(normalise_name(alias), pk)
        groups = {normalise_name(name): pk for pk, name in DepartmentGroup.objects.values_list("id", "name")}
        return cls(departments, groups)

    def find(self, unit: ParsedUnit) -> tuple[int | None, int | None]:
        for name in (unit.name, unit.written):
            if not name:
                continue
            key = normalise_name(name)
            if unit.is_group and key in self.groups:
                return None, self.groups[key]
            if key in self.departments:
                return self.departments[key], None
            if key in self.groups:
                return None, self.groups[key]
        return None, None


def _apply_resolutions(resolutions: Mapping[str, Resolution]) -> tuple[list[str], list[str]]:
    units_created: list[str] = []
    aliases_created: list[str] = []
    for written, resolution in resolutions.items():
        name = normalise_name(written)
        if not name:
            continue
        if resolution.action == "create":
            if not Department.objects.filter(name=name).exists():
                Department.objects.create(name=name, kind=resolution.kind)
                units_created.append(name)
        elif resolution.action == "map" and resolution.department_id is not None:
            department = Department.objects.get(pk=resolution.department_id)
            if name != department.name and not DepartmentAlias.objects.filter(alias=name).exists():
                DepartmentAlias.objects.create(department=department, alias=name)
                aliases_created.append(name)
    return units_created, aliases_created


def _upsert_plan(result: ParseResult, source_text: str, *, user: Any) -> tuple[Plan, bool]:
    meta = result.plan
    values = {
        "title": meta.title or "未命名方案",
        "issuer": meta.issuer,
        "document_number": meta.document_number,
        "issued_on": meta.issued_on,
        "period_start": meta.period_start,
        "period_end": meta.period_end,
        "vision_year": meta.vision_year,
        "source_text": source_text,
        "source_sha256": hashlib.sha256(source_text.encode("utf-8")).hexdigest(),
    }
    query = Plan.objects.select_for_update()
    plan = (
        query.filter(document_number=meta.document_number).first()
        if meta.document_number
        else query.filter(title=values["title"], document_number="").first()
    )
    if plan is None:
        plan = Plan(**values)
        plan._history_user = user
        plan.save()
        return plan, True
    changed = [name for name in _PLAN_FIELDS if getattr(plan, name) != values[name]]
    if changed:
        for name in changed:
            setattr(plan, name, values[name])
        plan._history_user = user
        plan.save(update_fields=[*changed, "updated_at"])
    return plan, False


def _sync_sections(plan: Plan, parsed: list[ParsedSection]) -> tuple[dict[ParsedSection, int], list[int]]:
    """Sections in document order, matched by (chapter, label).

    Returns parsed section → row id, and the ids of sections no longer in the document.
    """
    existing = {(s.parent_id, s.label): s for s in Section.objects.filter(plan=plan)}
    ids: dict[ParsedSection, int] = {}
    chapter_id: int | None = None
    for position, section in enumerate(parsed, start=1):
        parent_id = None if section.level == 1 else chapter_id
        row = existing.pop((parent_id, section.label), None)
        if row is None:
            row = Section.objects.create(
                plan=plan, parent_id=parent_id, label=section.label, title=section.title, position=position
            )
        elif row.title != section.title or row.position != position:
            row.title, row.position = section.title, position
            row.save(update_fields=["title", "position"])
        ids[section] = row.pk
        if section.level == 1:
            chapter_id = row.pk
    return ids, [row.pk for row in existing.values()]


def _task_values(parsed: ParsedTask, sections: dict[ParsedSection, int]) -> dict[str, Any]:
    section_id = sections.get(parsed.section[-1]) if parsed.section else None
    return {
        "text": parsed.text,
        "section_id": section_id,
        "kind": parsed.kind,
        "binding": parsed.binding,
        "incentive": parsed.incentive,
        "deadline": parsed.deadline,
        "deadline_text": parsed.deadline_text[:100],
        "supporting_open_ended": parsed.supporting_open_ended,
        "annotation": parsed.annotation[:1000],
        "responsible_leaders": "、".join(parsed.responsible_leaders)[:200],
    }


@dataclass(frozen=True, slots=True)
class _ChildRule:
    """How rows of a task's child model are paired across imports, and what an update may rewrite."""

    key: Callable[[Any], Any]
    fields: tuple[str, ...]


_CHILD_RULES: dict[type, _ChildRule] = {
    # A resolved unit is itself the key; an unresolved name is keyed by how it is written.
    Assignment: _ChildRule(
        key=lambda a: (a.role, a.department_id, a.group_id, "" if a.department_id or a.group_id else a.name_as_written),
        fields=("position", "name_as_written"),
    ),
    Milestone: _ChildRule(key=lambda m: m.due_on, fields=("text", "position")),
    Target: _ChildRule(
        key=lambda t: (t.indicator, t.unit, t.basis),
        fields=("position", "value", "value_max", "direction", "year", "baseline_year", "source_text"),
    ),
}


@dataclass(slots=True)
class _ChildChanges:
    creates: list[Any] = field(default_factory=list)
    updates: list[Any] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)


def _sync_children(
    parsed_tasks: list[ParsedTask],
    tasks: dict[int, Task],
    new_numbers: set[int],
    lookup: _UnitLookup,
    *,
    user: Any,
    report: ImportReport,
) -> set[int]:
    """Assignments, milestones and targets of every task; returns the numbers of tasks whose children changed."""
    changed: set[int] = set()
    queues = {model: _ChildChanges() for model in _CHILD_RULES}
    unresolved: dict[str, None] = {}

    for parsed in parsed_tasks:
        task = tasks[parsed.number]
        wanted_assignments = []
        for role, units in ((AssignmentRole.LEAD, parsed.lead), (AssignmentRole.SUPPORTING, parsed.supporting)):
            for position, unit in enumerate(units):
                department_id, group_id = lookup.find(unit)
                if department_id is None and group_id is None:
                    unresolved.setdefault(unit.written, None)
                wanted_assignments.append(
                    Assignment(
                        task_id=task.pk,
                        role=role,
                        position=position,
                        department_id=department_id,
                        group_id=group_id,
                        name_as_written=unit.written[:100],
                    )
                )
        wanted = {
            Assignment: wanted_assignments,
            Milestone: [
                Milestone(task_id=task.pk, due_on=m.date, text=m.text[:1000], position=i)
                for i, m in enumerate(parsed.milestones)
            ],
            Target: [target_row(t, task_id=task.pk, position=i) for i, t in enumerate(parsed.targets)],
        }
        # Existing tasks come with their children prefetched; new ones have none yet.
        fresh = parsed.number in new_numbers
        old = {
            Assignment: [] if fresh else task.assignments.all(),
            Milestone: [] if fresh else task.milestones.all(),
            Target: [] if fresh else task.targets.all(),
        }
        task_changed = False
        for model, rule in _CHILD_RULES.items():
            task_changed |= _match(old[model], wanted[model], rule=rule, queue=queues[model])
        if task_changed:
            changed.add(parsed.number)

    for model, queue in queues.items():
        if queue.deletes:
            # One by one through the ORM so each deletion is recorded in history.
            for row in model.objects.filter(pk__in=queue.deletes):
                row._history_user = user
                row.delete()
        if queue.updates:
            bulk_update_with_history(
                queue.updates, model, list(_CHILD_RULES[model].fields), default_user=user, default_change_reason="导入方案"
            )
        if queue.creates:
            bulk_create_with_history(queue.creates, model, default_user=user, default_change_reason="导入方案")
    report.unresolved = list(unresolved)
    return changed


def _match(old: Iterable[Any], wanted: list[Any], *, rule: _ChildRule, queue: _ChildChanges) -> bool:
    """Pair old rows with wanted rows by the rule's key; queue creates, updates and deletes. True when anything differs."""
    by_key: dict[Any, list[Any]] = {}
    for row in old:
        by_key.setdefault(rule.key(row), []).append(row)
    changed = False
    for row in wanted:
        candidates = by_key.get(rule.key(row))
        if candidates:
            current = candidates.pop(0)
            if any(getattr(current, name) != getattr(row, name) for name in rule.fields):
                for name in rule.fields:
                    setattr(current, name, getattr(row, name))
                queue.updates.append(current)
                changed = True
        else:
            queue.creates.append(row)
            changed = True
    for rows in by_key.values():
        for row in rows:
            queue.deletes.append(row.pk)
            changed = True
    return changed


def target_row(parsed: ParsedTarget, *, task_id: int, position: int) -> Target:
    """An unsaved Target row for a parsed target (values quantised as the column stores them)."""
    return Target(
        task_id=task_id,
        position=position,
        indicator=parsed.indicator[:300],
        value=_quantize(parsed.value),
        value_max=_quantize(parsed.value_max) if parsed.value_max is not None else None,
        unit=parsed.unit,
        direction=parsed.direction,
        basis=parsed.basis,
        year=parsed.year,
        baseline_year=parsed.baseline_year,
        source_text=parsed.text[:500],
    )


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"))
