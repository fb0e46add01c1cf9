"""Reads for the exports: the ledger (台账) rows of a period, filtered, in bounded queries.

One row per task, by task number: 序号, 章节, 任务内容, 牵头单位, 配合单位, 完成时限, the lead unit's
进展情况 / 存在问题 / 下步打算 of the period, 状态, 灯, and the period's actual values of the
task's targets.

- **Drafts never appear.** The ledger is what leadership reads and what the meeting prints: a
  lead report's texts and actual values appear once it has reached the plan office (已报送 or
  已审核, the dashboard's "delivered"). A draft, even the reader's own unit's, shows as 未报送; a
  returned report as 已退回 without its texts (it is being revised). So no export carries a draft.
- **Status and light are the dashboard's** (:func:`progress.states.task_states`),
  never computed here, so the pack, the ledger and the dashboard always agree.
- **Units are the effective units** (:mod:`tasks.effective`): a placeholder the plan office
  expanded for the task is shown as written with the expansion in brackets (相关镇办（南城镇）);
  a FIXED group without one by its name alone (各镇办 means every town; the unit filter still
  finds each town's tasks); an unresolved name as written with （未识别）.
- **Bounded reads**: the plan's sections and the units are read once; then, per chunk of
  :data:`CHUNK_SIZE` tasks, five queries (tasks, assignments, the units each assignment stands for,
  lead reports, targets with their actuals). Rows are yielded chunk by chunk, so a 10,000-task
  ledger is never held in memory as model instances.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from access.actor import Actor
from access.rules import check_can_export_ledger, ledger_unit_for
from departments.models import Department
from progress.formatting import plain_decimal, target_text
from progress.models import (
    ActualState,
    ProgressReport,
    ProgressStatus,
    ReportStatus,
    ReviewPeriod,
    TargetActual,
)
from progress.states import lead_report_q
from progress.workflow import DELIVERED_REPORT_STATES
from tasks.effective import Source
from tasks.models import Assignment, AssignmentRole, EffectiveAssignment, Section, Target, Task
from tasks.selectors import section_and_descendant_ids, unit_cells
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

CHUNK_SIZE = 2000
# Lead reports whose texts and actuals the ledger shows: those delivered to the plan office
# (progress.workflow); a draft or a returned report shows as 未报送 / 已退回 without its texts.
SENT_STATES = DELIVERED_REPORT_STATES
UNREPORTED = "unreported"  # the status filter's value for "no sent lead report" (未报送)
UNREPORTED_LABEL = "未报送"
STATUS_CHOICES: list[tuple[str, str]] = [*ProgressStatus.choices, (UNREPORTED, UNREPORTED_LABEL)]
ROLE_CHOICES: list[tuple[str, str]] = list(AssignmentRole.choices)
def _light_choices() -> dict[str, str]:
    from progress.states import LIGHT_LABELS

    return dict(LIGHT_LABELS)


# --- filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilters:
    period: ReviewPeriod
    unit: Department | None = None
    role: str | None = None  # with ``unit``: lead or supporting only
    section: Section | None = None
    status: str | None = None  # a ProgressStatus value or UNREPORTED
    light: str | None = None  # a dashboard light

    @property
    def description(self) -> str:
        """The filters in words, for the sheet title and the file name (empty without filters)."""
        parts = []
        if self.unit is not None:
            role = dict(ROLE_CHOICES).get(self.role or "", "")
            parts.append(f"{self.unit.name}{role and '（' + role + '）'}")
        if self.section is not None:
            parts.append(self.section.heading)
        if self.status:
            parts.append(dict(STATUS_CHOICES)[self.status])
        if self.light:
            parts.append(_light_choices()[self.light])
        return "·".join(parts)


def _invalid(message: str, field_name: str) -> ApplicationError:
    return ApplicationError(ErrorCode.INVALID, message, extra={"errors": {field_name: [message]}})


def _int_param(params: Mapping[str, Any], name: str, label: str) -> int | None:
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdecimal():
        raise _invalid(f"{label}参数应为编号（数字），收到“{raw[:20]}”。", name)
    return int(raw)


def resolve_period(params: Mapping[str, Any], *, required: bool = False) -> ReviewPeriod:
    """The period ``?period=`` names; without it, the latest open period (unless ``required``)."""
    from progress.selectors.review import latest_open_period

    period_id = _int_param(params, "period", "填报期")
    if period_id is None:
        period = None if required else latest_open_period()
        if period is None:
            raise _invalid("请指定填报期（period=填报期编号）。", "period")
        return period
    period = ReviewPeriod.objects.select_related("plan").filter(pk=period_id).first()
    if period is None:
        raise _invalid(f"找不到编号为{period_id}的填报期，请从填报期列表中选择。", "period")
    return period


def parse_ledger_filters(params: Mapping[str, Any], *, actor: Actor) -> LedgerFilters:
    """The ledger's filters from query parameters (``period``, ``unit``, ``role``, ``section``,
    ``status``, ``light``), checked against the period's plan and what ``actor`` may export.

    Unit staff may export their own unit's tasks only: without ``unit`` they get those; naming
    another unit is refused (403) (:func:`access.rules.exports.ledger_unit_for`). Raises ``ApplicationError`` (400) with a Chinese message for a
    bad value.
    """
    check_can_export_ledger(actor)
    period = resolve_period(params)
    unit_id = ledger_unit_for(actor, unit_id=_int_param(params, "unit", "单位"))
    unit = None
    if unit_id is not None:
        unit = Department.objects.filter(pk=unit_id).only("pk", "name").first()
        if unit is None:
            raise _invalid(f"找不到编号为{unit_id}的单位。", "unit")
    role = str(params.get("role") or "").strip() or None
    if role is not None and role not in dict(ROLE_CHOICES):
        raise _invalid("身份参数应为 lead（牵头）或 supporting（配合）。", "role")
    if role is not None and unit is None:
        raise _invalid("按身份筛选时请同时指定单位（unit）。", "role")
    section = None
    section_id = _int_param(params, "section", "章节")
    if section_id is not None:
        section = Section.objects.filter(pk=section_id, plan_id=period.plan_id).first()
        if section is None:
            raise _invalid(f"“{period.plan.title}”中没有编号为{section_id}的章节。", "section")
    status = str(params.get("status") or "").strip() or None
    if status is not None and status not in dict(STATUS_CHOICES):
        allowed = "、".join(f"{value}（{label}）" for value, label in STATUS_CHOICES)
        raise _invalid(f"状态参数不正确，可选：{allowed}。", "status")
    light = str(params.get("light") or "").strip() or None
    lights = _light_choices()
    if light is not None and light not in lights:
        allowed = "、".join(f"{value}（{label}）" for value, label in lights.items())
        raise _invalid(f"灯色参数不正确，可选：{allowed}。", "light")
    return LedgerFilters(period=period, unit=unit, role=role, section=section, status=status, light=light)


# --- rows --------------------------------------------------------------------------------------


@dataclass(slots=True)
class TargetLine:
    indicator: str
    target: str  # 目标 in words: "不低于1.5%（2025年）" (progress.formatting.target_text)
    actual: str  # "1.2%", "数据尚未发布" or "" (no sent report)
    data_date: dt.date | None = None
    note: str = ""


@dataclass(slots=True)
class LedgerRow:
    task_id: int
    number: int
    chapter: str  # heading path: "二、重要举措 / （一）…"
    text: str
    lead_units: str
    supporting_units: str
    deadline: str
    progress_text: str
    problems_text: str
    next_steps_text: str
    report_status: str  # 审核状态 label of the lead report ("未报送" when none sent)
    status: str  # 推进状态 label (the dashboard's progress_status, or 未报送)
    status_key: str
    light: str  # the light key (green / yellow / red)
    light_label: str
    light_reason: str
    binding: bool
    lead_unit_ids: tuple[int, ...] = ()
    targets: list[TargetLine] = field(default_factory=list)

    @property
    def targets_text(self) -> str:
        return "\n".join(f"{t.indicator}：{t.target}" for t in self.targets)

    @property
    def actuals_text(self) -> str:
        lines = []
        for t in self.targets:
            if not t.actual:
                lines.append("—")
            elif t.data_date:
                lines.append(f"{t.actual}（截至{t.data_date:%Y-%m-%d}）")
            else:
                lines.append(t.actual)
        return "\n".join(lines)


def ledger_task_ids(filters: LedgerFilters, *, states: Mapping[int, Any]) -> list[int]:
    """The ids of the period's plan's tasks matching ``filters``, by task number (one query).

    ``states`` are the dashboard's task states of the period (status and light filter on them).
    """
    tasks: QuerySet[Task] = Task.objects.filter(plan_id=filters.period.plan_id)
    if filters.unit is not None:
        # The unit's role on the task as the ledger's columns show it: lead wins over supporting (one
        # primary cell per task), as on the review board and the portal.
        cells = unit_cells(department=filters.unit.pk)
        if filters.role:
            cells = cells.filter(role=filters.role)
        tasks = tasks.filter(pk__in=cells.order_by().values("task_id"))
    if filters.section is not None:
        tasks = tasks.filter(section_id__in=section_and_descendant_ids(filters.section))
    ids = list(tasks.order_by("number", "pk").values_list("pk", flat=True))
    if filters.status:
        ids = [pk for pk in ids if pk in states and status_key(states[pk]) == filters.status]
    if filters.light:
        ids = [pk for pk in ids if pk in states and states[pk].light == filters.light]
    return ids


def status_key(state: Any) -> str:
    """The ledger's status of a task state: the ProgressStatus its delivered lead reports state
    (the dashboard's ``progress_status``), else 未报送 — the buckets of the dashboard's status counts."""
    return state.progress_status or UNREPORTED


def _status_label(key: str) -> str:
    return dict(STATUS_CHOICES).get(key, UNREPORTED_LABEL)


def _report_status_label(status: str) -> str:
    """审核状态 as the ledger shows it: a draft is not shown as such (it has not been sent)."""
    if status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED, ReportStatus.RETURNED):
        return ReportStatus(status).label
    return UNREPORTED_LABEL


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class _PlanContext:
    """What every chunk needs, read once: section headings and unit names."""

    def __init__(self, plan_id: int):
        sections = {s.pk: s for s in Section.objects.filter(plan_id=plan_id).only("pk", "parent_id", "label", "title")}
        self.section_paths: dict[int, str] = {}
        for pk in sections:
            path, node, seen = [], sections.get(pk), set()
            while node is not None and node.pk not in seen:
                seen.add(node.pk)
                path.append(node.heading)
                node = sections.get(node.parent_id) if node.parent_id else None
            self.section_paths[pk] = " / ".join(reversed(path))
        self.unit_names: dict[int, str] = {}
        self.unit_order: dict[int, tuple[int, str]] = {}
        for pk, name, order in Department.objects.values_list("pk", "name", "sort_order"):
            self.unit_names[pk] = name
            self.unit_order[pk] = (order, name)

    def sorted_units(self, ids: Iterable[int]) -> list[int]:
        return sorted(set(ids), key=lambda pk: self.unit_order.get(pk, (0, "")))


def _deadline_text(deadline: dt.date | None, text: str, extended: dt.date | None) -> str:
    if text and deadline and (deadline.month, deadline.day) == (12, 31) and str(deadline.year) in text:
        words = text  # 到2022年 says it all
    elif text and deadline:
        words = f"{text}\n{deadline.isoformat()}"
    elif text:
        words = text
    elif deadline:
        words = deadline.isoformat()
    else:
        words = "规划期内"
    if extended and extended != deadline:
        words += f"\n延期至{extended:%Y-%m-%d}"
    return words


def _units_text(entries: list[tuple[str, list[int], str]], context: _PlanContext, *, exclude: set[int]) -> str:
    """Names in written order: a unit by its name, a placeholder as written with its expansion."""
    names: list[str] = []
    shown: set[int] = set(exclude)
    for kind, units, written in entries:
        if kind == "unit":
            unit = units[0]
            if unit not in shown:
                shown.add(unit)
                names.append(context.unit_names.get(unit, written))
        elif kind == "placeholder":
            expansion = [pk for pk in context.sorted_units(units) if pk not in exclude]
            if expansion:
                names.append(f"{written}（{'、'.join(context.unit_names.get(pk, '') for pk in expansion)}）")
                shown.update(expansion)
            else:
                names.append(written)
        elif kind == "group":
            names.append(written)
            shown.update(units)
        else:
            names.append(f"{written}（未识别）")
    return "、".join(names)


def ledger_rows(
    filters: LedgerFilters,
    *,
    states: Mapping[int, Any],
    task_ids: list[int] | None = None,
    chunk_size: int = CHUNK_SIZE,
    whole_plan: bool = False,
) -> Iterator[LedgerRow]:
    """The ledger's rows for ``filters`` (or for ``task_ids``, in that order), chunk by chunk.

    ``whole_plan``: ``task_ids`` are every task of the period's plan; they are then read in one
    pass filtered by plan (five queries, no id lists).
    """
    period = filters.period
    if task_ids is None:
        task_ids = ledger_task_ids(filters, states=states)
    if not task_ids:
        return
    context = _PlanContext(period.plan_id)
    from progress.states import LIGHT_LABELS

    if whole_plan:
        # Every task of the plan (the meeting pack): read by plan, not by a list of 10,000 ids.
        yield from _chunk_rows(task_ids, period, states=states, context=context, light_labels=LIGHT_LABELS, by_plan=True)
        return
    for chunk in _chunks(task_ids, chunk_size):
        yield from _chunk_rows(chunk, period, states=states, context=context, light_labels=LIGHT_LABELS)


def _chunk_rows(
    chunk: list[int],
    period: ReviewPeriod,
    *,
    states: Mapping[int, Any],
    context: _PlanContext,
    light_labels: Mapping[str, str],
    by_plan: bool = False,
) -> Iterator[LedgerRow]:
    plan_id = period.plan_id
    on_task = {"task__plan_id": plan_id} if by_plan else {"task_id__in": chunk}
    tasks = {
        row[0]: row
        for row in Task.objects.filter(**({"plan_id": plan_id} if by_plan else {"pk__in": chunk})).values_list(
            "pk", "number", "text", "section_id", "deadline", "deadline_text", "binding", "progress__extended_deadline"
        )
    }
    assignments = list(
        Assignment.objects.filter(**on_task)
        .order_by("task_id", "role", "position", "pk")
        .values_list("pk", "task_id", "role", "department_id", "group_id", "group__name", "name_as_written")
    )
    # The units each assignment stands for (the effective-assignment table) and through what.
    stands_for: dict[int, tuple[str, list[int]]] = {}
    for assignment_id, department_id, source in EffectiveAssignment.objects.filter(**on_task).values_list(
        "assignment_id", "department_id", "source"
    ):
        stands_for.setdefault(assignment_id, (source, []))[1].append(department_id)
    # Per task and role: (kind, effective unit ids, name as written) in written order.
    entries: dict[tuple[int, str], list[tuple[str, list[int], str]]] = defaultdict(list)
    for pk, task_id, role, department_id, group_id, group_name, written in assignments:
        source, units = stands_for.get(pk, (None, []))
        if department_id is not None:
            entries[(task_id, role)].append(("unit", [department_id], written))
        elif group_id is not None and source == Source.EXPANSION:
            # The plan office's expansion for this task is worth showing: 相关镇办（南城镇）.
            entries[(task_id, role)].append(("placeholder", units, group_name or written))
        elif group_id is not None:
            # A FIXED group means all its members (各镇办: every town): its name says it, a list of
            # thirteen towns would not print. Its members still count as the task's units (filters).
            entries[(task_id, role)].append(("group", units, group_name or written))
        else:
            entries[(task_id, role)].append(("unresolved", [], written))

    reports: dict[int, list[tuple[int, int, str, str, str, str]]] = defaultdict(list)
    for report in (
        ProgressReport.objects.filter(lead_report_q(), period_id=period.pk, **on_task, status__in=SENT_STATES)
        .order_by("task_id", "pk")
        .values_list("pk", "task_id", "department_id", "status", "progress_text", "problems_text", "next_steps_text")
    ):
        reports[report[1]].append(report)
    report_ids = [report[0] for rows in reports.values() for report in rows]
    targets: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for target in (
        Target.objects.filter(**on_task)
        .order_by("task_id", "position", "pk")
        .values("pk", "task_id", "indicator", "value", "value_max", "unit", "direction", "basis", "year")
    ):
        targets[target["task_id"]].append(target)
    actuals: dict[tuple[int, int], tuple[str, Any, dt.date | None, str]] = {}
    if report_ids and targets:
        of_reports: dict[str, Any] = (
            {
                "report__period_id": period.pk,
                "report__task__plan_id": plan_id,
                "report__role": AssignmentRole.LEAD,
                "report__status__in": SENT_STATES,
            }
            if by_plan
            else {"report_id__in": report_ids}
        )
        for report_id, target_id, state, value, data_date, note in TargetActual.objects.filter(
            **of_reports
        ).values_list("report_id", "target_id", "state", "value", "data_date", "note"):
            actuals[(report_id, target_id)] = (state, value, data_date, note)
    for task_id in chunk:
        pk, number, text, section_id, deadline, deadline_text, binding, extended = tasks[task_id]
        state = states.get(task_id)
        lead_entries = entries.get((task_id, AssignmentRole.LEAD), [])
        lead_ids: list[int] = list(state.lead_unit_ids) if state is not None else []
        if not lead_ids:
            lead_ids = [u for _, units, _ in lead_entries for u in units]
        lead_text = _units_text(lead_entries, context, exclude=set())
        supporting_text = _units_text(
            entries.get((task_id, AssignmentRole.SUPPORTING), []), context, exclude=set(lead_ids)
        )
        sent = sorted(reports.get(task_id, []), key=lambda r: context.unit_order.get(r[2], (0, "")))
        several = len(sent) > 1

        def joined(index: int, sent: list = sent, several: bool = several) -> str:
            parts = [r[index] for r in sent]  # as written: nothing added or removed
            if several:
                return "\n".join(
                    f"【{context.unit_names.get(r[2], '')}】{p}" for r, p in zip(sent, parts, strict=True) if p.strip()
                )
            return parts[0] if parts else ""

        report_status = _report_status_label(state.report_status if state is not None else "")
        target_lines = []
        for target in targets.get(task_id, []):
            line = TargetLine(indicator=target["indicator"], target=target_text(
                    direction=target["direction"], basis=target["basis"], value=target["value"],
                    value_max=target["value_max"], unit=target["unit"], year=target["year"],
                ), actual="")
            for report in sent:
                actual = actuals.get((report[0], target["pk"]))
                if actual is None:
                    continue
                a_state, a_value, a_date, a_note = actual
                if a_state == ActualState.NOT_RELEASED:
                    line.actual, line.data_date = ActualState.NOT_RELEASED.label, a_date
                else:
                    line.actual, line.data_date = f"{plain_decimal(a_value)}{target['unit']}", a_date
                line.note = a_note
                break
            target_lines.append(line)
        key = status_key(state) if state is not None else UNREPORTED
        light = state.light if state is not None else ""
        yield LedgerRow(
            task_id=pk,
            number=number,
            chapter=context.section_paths.get(section_id, "") if section_id else "",
            text=text,
            lead_units=lead_text,
            supporting_units=supporting_text,
            deadline=_deadline_text(deadline, deadline_text, extended),
            progress_text=joined(4),
            problems_text=joined(5),
            next_steps_text=joined(6),
            report_status=report_status,
            status=_status_label(key),
            status_key=key,
            light=light,
            light_label=light_labels.get(light, ""),
            light_reason=state.light_reason if state is not None else "",
            binding=binding,
            lead_unit_ids=tuple(lead_ids),
            targets=target_lines,
        )
