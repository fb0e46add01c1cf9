"""The shared numbers of a review period: every task's standing (:class:`TaskState`), its traffic
light, whether its lead reports are delivered, and what puts a binding target's veto at risk. The
one definition, read by the dashboard (:mod:`dashboard.selectors.overview`, its task list and API),
the exports (ledger, meeting pack, unit workbook) and the review pages, and by the coming
assessment; the words are on the dashboard page (``LIGHT_RULES``).

Definitions:

- **Lead units** of a task are its effective lead units (:mod:`tasks.effective`: a named unit, the
  plan office's expansion of a placeholder, or the members of a FIXED group, read from the
  effective-assignment table); a unit that both leads and supports a task counts as lead. They are
  listed in the unit order (``sort_order``, name).
- **Delivered**: a report that reached the plan office, i.e. ``submitted`` or ``accepted``
  (:data:`progress.workflow.DELIVERED_REPORT_STATES`).
- ``report_status``: the least advanced lead report of the period (none < draft < returned <
  submitted < accepted), ``""`` when a lead unit has no report at all (or the task has no lead unit).
- ``progress_status``: what the delivered lead reports state, the most severe one when several lead
  units report (滞后 > 存在风险 > 未启动 > 正常推进 > 已完成); ``""``
  when no lead report is delivered (no report, a draft, or a returned one).
- ``percent``: the lowest percent among the delivered lead reports.
- ``is_completed`` (完成): the task was closed (办结, TaskProgress) on or before the as-of day, or
  every lead unit's report of the period is accepted and states 已完成.
- ``is_overdue``: the effective deadline (an approved extension, else the task's deadline) is before
  the as-of day and the task is not completed. A task without a deadline is never overdue.
  An overdue task whose delivered lead reports state 已完成 says why it is still overdue: the
  claim awaits the plan office (``REASON_OVERDUE_UNCONFIRMED``) or only some lead units made it
  (``REASON_OVERDUE_PARTLY``). Two words are kept apart wherever they are shown: a unit's claim
  (``progress_status`` 已完成, "单位报告已完成") and the plan office's confirmation (``is_completed``:
  办结, or every lead report accepted as 已完成, "规划科确认完成").
- ``report_late``: the as-of day is after the period's report due date and some lead unit still
  owes its report (:func:`progress.workflow.owes_report`: not delivered, and the task was not
  closed by the due date).
- **Veto risk** of a binding task's target, on the task's side (:func:`task_veto_reason`): the task
  is red, at risk or without a lead unit (a late report alone is not); whether the target itself
  is at risk is the indicators' one rule (:func:`indicators.trajectory.endangers_veto`).

Every function here reads with a fixed number of queries whatever the plan's size: SQL does the
joins and the aggregates; Python sees tuples (``values_list`` / cursor rows), never a model instance
per task. The task states' lead cells and silent supporting cells are read from the stored
standings where they are current, and computed (by :func:`lead_cell_rows`, the one computation)
and stored where they are not (:func:`current_cell_rows`, :mod:`progress.standing_store`): the
only write a reader makes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from departments.models import Department
from progress.models import (
    ProgressReport,
    ProgressStatus,
    ReportStatus,
    ReviewPeriod,
    StandingStamp,
    TaskProgress,
    TaskStatus,
)
from progress.standing_store import CHUNK, store, stored_rows
from progress.workflow import DELIVERED_REPORT_STATES, closed_by_sql, end_of_day, owed_sql, released_sql
from tasks.models import AssignmentRole, EffectiveAssignment, Section, Task
from xingping_tracker.core.sql import ids_in

GREEN, YELLOW, RED = "green", "yellow", "red"
LIGHTS = (RED, YELLOW, GREEN)
LIGHT_LABELS = {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯"}
LIGHT_RULES: tuple[tuple[str, str], ...] = (
    (RED, "红灯：超过完成时限（含批准延期后的时限）仍未完成，或牵头单位报告推进状态为“滞后”。"),
    (
        YELLOW,
        "黄灯：牵头单位报告推进状态为“存在风险”，或已过本期报送截止日牵头单位仍未报送，或尚未落实牵头单位。",
    ),
    (GREEN, "绿灯：已完成，或按计划推进（已报送且无上述情形；未到报送截止日尚未报送的也为绿灯）。"),
)

# Light reasons (Chinese, shown beside a task).
REASON_OVERDUE = "逾期未完成"
REASON_DELAYED = "进展滞后"
REASON_AT_RISK = "存在风险"
REASON_REPORT_LATE = "报告逾期未报送"
REASON_NO_LEAD = "未落实牵头单位"
REASON_COMPLETED = "已完成"
REASON_CLOSED = "已办结"
REASON_ON_TRACK = "正常推进"
REASON_NOT_DUE = "本期尚未报送（未到截止日）"
# Overdue although a lead report says 已完成: the reason says why the task is not completed.
REASON_OVERDUE_UNCONFIRMED = "逾期未完成（单位报告已完成，待规划科审核确认或办结）"
REASON_OVERDUE_PARTLY = "逾期未完成（仅部分牵头单位报告已完成）"

# 已完成 has two meanings, kept apart and labelled wherever they are shown (module docstring).
CONFIRMED_LABEL = "规划科确认完成"  # is_completed: 办结, or every lead report accepted as 已完成
CLAIMED_LABEL = "单位报告已完成"  # progress_status 已完成: what the delivered lead reports state

DELIVERED_STATES = DELIVERED_REPORT_STATES  # progress.workflow: the one definition
NOT_SUBMITTED = "not_submitted"  # the status distribution's bucket for "no delivered lead report"
NOT_SUBMITTED_LABEL = "未报送"
# Report states from least to most advanced ("" = no report).
_REPORT_ORDER = {
    "": 0,
    ReportStatus.DRAFT: 1,
    ReportStatus.RETURNED: 2,
    ReportStatus.SUBMITTED: 3,
    ReportStatus.ACCEPTED: 4,
}
# Progress states from most to least severe.
_SEVERITY = {
    ProgressStatus.DELAYED: 0,
    ProgressStatus.AT_RISK: 1,
    ProgressStatus.NOT_STARTED: 2,
    ProgressStatus.ON_TRACK: 3,
    ProgressStatus.COMPLETED: 4,
}
LIGHT_ORDER = {RED: 0, YELLOW: 1, GREEN: 2}


@dataclass(frozen=True)
class TaskState:
    """One task's standing in one period (see the module docstring for each definition)."""

    task_id: int
    number: int
    chapter_id: int | None  # the top-level section (一、…) the task is in
    section_id: int | None  # the task's own section
    lead_unit_ids: tuple[int, ...]
    report_status: str
    progress_status: str
    percent: int | None
    is_completed: bool
    is_overdue: bool
    report_late: bool
    light: str
    light_reason: str
    binding: bool = False
    deadline: dt.date | None = None  # the effective deadline
    is_closed: bool = False  # 办结 (TaskProgress)
    delivered: bool = False  # every lead unit delivered its report

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]

    @property
    def report_status_label(self) -> str:
        return ReportStatus(self.report_status).label if self.report_status else "未填报"

    @property
    def progress_status_label(self) -> str:
        return ProgressStatus(self.progress_status).label if self.progress_status else NOT_SUBMITTED_LABEL


def _light(
    *,
    completed: bool,
    closed: bool,
    overdue: bool,
    progress: str,
    report_late: bool,
    has_lead: bool,
    delivered: bool,
    claims: str = "",
) -> tuple[str, str]:
    """The light and its reason, by ``LIGHT_RULES`` (completion first, then red, then yellow).
    ``claims``: ``"all"`` when every lead unit delivered a report stating 已完成 (not all accepted),
    ``"some"`` when only some did, ``""`` when none did."""
    if completed:
        return GREEN, REASON_CLOSED if closed else REASON_COMPLETED
    if overdue:
        return RED, _OVERDUE_REASONS[claims]
    if progress == ProgressStatus.DELAYED:
        return RED, REASON_DELAYED
    if progress == ProgressStatus.AT_RISK:
        return YELLOW, REASON_AT_RISK
    if not has_lead:
        return YELLOW, REASON_NO_LEAD
    if report_late:
        return YELLOW, REASON_REPORT_LATE
    return GREEN, REASON_ON_TRACK if delivered else REASON_NOT_DUE


_OVERDUE_REASONS = {"": REASON_OVERDUE, "all": REASON_OVERDUE_UNCONFIRMED, "some": REASON_OVERDUE_PARTLY}


# --- SQL -------------------------------------------------------------------------------------


def table_name(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def pairs_sql(*, role: str, task_condition: str, task_params: list[Any]) -> tuple[str, list[Any]]:
    """(task_id, unit_id) rows, one per effective (task, unit) cell whose role on the task is
    ``role`` (lead wins: a unit both leading and supporting a task is among its lead pairs only), on
    the tasks matching ``task_condition`` (on ``t``, the task table): the primary rows of the
    effective-assignment table (:mod:`tasks.effective`)."""
    cells, task = table_name(EffectiveAssignment), table_name(Task)
    sql = f"""
        SELECT ea.task_id AS task_id, ea.department_id AS unit_id
        FROM {cells} ea JOIN {task} t ON t.id = ea.task_id
        WHERE ea.is_primary AND ea.role = %s AND ({task_condition})
    """
    return sql, [role, *task_params]


def report_role_q(role: str, prefix: str = "") -> Q:
    """Reports in ``role`` (lead or supporting), as an ORM condition on reports (``prefix``: the path
    from the queried model to the report, e.g. ``"report__"`` for actuals): the report's unit has
    that role on its task now (its primary cell in the effective-assignment table; lead wins).
    ``ProgressReport.role`` is kept equal to it (:mod:`progress.services.report_roles`), except for a
    unit no longer on the task at all: its report keeps the role it was written in and is in no role."""
    return Q(
        Exists(
            EffectiveAssignment.objects.filter(
                task_id=OuterRef(f"{prefix}task_id"),
                department_id=OuterRef(f"{prefix}department_id"),
                is_primary=True,
                role=role,
            )
        )
    )


def lead_report_q(prefix: str = "") -> Q:
    """Lead reports: :func:`report_role_q` of the lead role (what the series, the ledger's texts, the
    evaluation's words and the ground for 办结 read)."""
    return report_role_q(AssignmentRole.LEAD, prefix)


def _silent_cells_sql(*, task_condition: str, task_params: list[Any], period: ReviewPeriod) -> tuple[str, list[Any]]:
    """``WITH`` lead pairs in ``lp`` and the silent supporting cells, as (task_id, unit_id) rows in
    ``silent``: the supporting cells (not also leading the task) whose unit still owes its report in
    the period (:func:`progress.workflow.owed_sql`: none, a draft, or a returned one, on a task not
    closed by the due date; as on the review board)."""
    lead, lead_params = pairs_sql(role=AssignmentRole.LEAD, task_condition=task_condition, task_params=task_params)
    supporting, supporting_params = pairs_sql(
        role=AssignmentRole.SUPPORTING, task_condition=task_condition, task_params=task_params
    )
    report = table_name(ProgressReport)
    owed, owed_params = owed_sql("r.status", "sp.task_id", period.report_due_on)
    sql = f"""
        WITH lp AS ({lead}), sp AS ({supporting}),
        silent AS (
            SELECT sp.task_id AS task_id, sp.unit_id AS unit_id FROM sp
            LEFT JOIN {report} r ON r.task_id = sp.task_id AND r.department_id = sp.unit_id AND r.period_id = %s
            WHERE {owed}
        )
    """
    return sql, [*lead_params, *supporting_params, period.pk, *owed_params]


def _lead_cells_select(period: ReviewPeriod) -> tuple[str, list[Any]]:
    """``SELECT`` of the lead pairs in ``lp`` (see :func:`pairs_sql`) with their report in ``period``:
    (task_id, unit_id, report status, progress status, percent, 1 when submitted by the end of the
    report due date else 0, 1 when the task is released from the period (closed by the due date:
    :func:`progress.workflow.released`) else 0), one row per lead cell."""
    report = table_name(ProgressReport)
    due_end = connection.ops.adapt_datetimefield_value(end_of_day(period.report_due_on))
    release, release_params = released_sql("lp.task_id", period.report_due_on)
    sql = f"""
        SELECT lp.task_id, lp.unit_id, r.status, r.progress_status, r.percent,
               CASE WHEN r.submitted_at IS NOT NULL AND r.submitted_at < %s THEN 1 ELSE 0 END,
               CASE WHEN {release} THEN 1 ELSE 0 END
        FROM lp
        LEFT JOIN {report} r ON r.task_id = lp.task_id AND r.department_id = lp.unit_id AND r.period_id = %s
    """
    return sql, [due_end, *release_params, period.pk]


LeadCell = tuple[int, int, str, bool, bool]  # see StateReads.lead_cells


def lead_cells(period: ReviewPeriod) -> list[LeadCell]:
    """Every lead cell of the period's plan as :attr:`StateReads.lead_cells` holds it, without the
    tasks' states: one query (what the annual assessment reads of the year's earlier periods)."""
    lead, lead_params = pairs_sql(
        role=AssignmentRole.LEAD, task_condition="t.plan_id = %s", task_params=[period.plan_id]
    )
    select, select_params = _lead_cells_select(period)
    rows = fetch_rows(f"WITH lp AS ({lead}) {select}", [*lead_params, *select_params])
    return [
        (task_id, unit_id, status or "", on_time == 1, released == 1)
        for task_id, unit_id, status, _p, _c, on_time, released in rows
    ]


def plan_tasks_condition(plan_id: int, task_ids: list[int]) -> tuple[str, list[Any]]:
    """The condition (on ``t``, the task table) and its parameters for the tasks ``task_ids`` of the plan."""
    condition, params = ids_in("t.id", task_ids)
    return f"t.plan_id = %s AND {condition}", [plan_id, *params]


def fetch_rows(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _chapters(plan_id: int) -> tuple[dict[int, Section], dict[int, int]]:
    """The plan's sections by id (only the fields shown) and each section's top-level section (one query)."""
    rows = list(
        Section.objects.filter(plan_id=plan_id)
        .order_by("position", "pk")
        .values_list("pk", "parent_id", "label", "title", "position")
    )
    sections = {
        pk: Section(pk=pk, plan_id=plan_id, parent_id=parent_id, label=label, title=title, position=position)
        for pk, parent_id, label, title, position in rows
    }
    top: dict[int, int] = {}
    for pk in sections:
        seen, current = set(), pk
        while sections[current].parent_id is not None and sections[current].parent_id in sections:
            if current in seen:  # a cycle would be a data error; stop rather than loop
                break
            seen.add(current)
            current = sections[current].parent_id
        top[pk] = current
    return sections, top


# --- task states -----------------------------------------------------------------------------


def lead_cell_rows(period: ReviewPeriod, *, task_condition: str, task_params: list[Any]) -> list[tuple]:
    """One query for the lead cells with their reports — (task_id, unit_id, report status,
    progress status, percent, 1 when submitted before the end of the due date, 1 when the task is
    released from the period) — and the silent supporting cells per task — (task_id, None, None,
    None, their count, 0, 0): the lead pairs are computed once for both."""
    silent_sql, silent_params = _silent_cells_sql(task_condition=task_condition, task_params=task_params, period=period)
    cells_select, cells_params = _lead_cells_select(period)
    return fetch_rows(
        f"""{silent_sql}
        {cells_select}
        UNION ALL
        SELECT s.task_id, NULL, NULL, NULL, COUNT(*), 0, 0 FROM silent s GROUP BY s.task_id
        """,
        [*silent_params, *cells_params],
    )


@dataclass
class StateReads:
    """What :func:`task_states` reads, kept for the overview and the task list."""

    states: dict[int, TaskState]
    # (task_id, unit_id, report status or "", delivered by the end of the due date, the task released
    # from the period: progress.workflow.released) of every lead cell; the unit owes the report when
    # progress.workflow.owes_report(status=…, released=…)
    lead_cells: list[LeadCell]
    silent: dict[int, int]  # task id → its silent supporting cells
    sections: dict[int, Section]
    units: dict[int, tuple[str, int]]  # unit id → (name, sort_order), every unit
    # task id → the stamp its standing was read with (progress.standing_store)
    stamps: dict[int, int] = field(default_factory=dict)
    # the lead cells read are stored with those stamps (False: a store failed; progress.state_store
    # then stores no state either)
    cells_stored: bool = True
    # the tasks closed (办结) with a time after the as-of day: closed on a later day (valid_through)
    closing_later: frozenset[int] = frozenset()


def current_cell_rows(
    period: ReviewPeriod,
    stamps: dict[int, int],
    *,
    task_ids: list[int] | None,
    task_condition: str,
    task_params: list[Any],
) -> tuple[list[tuple], bool]:
    """:func:`lead_cell_rows` of the tasks in ``stamps`` (task id → its stamp, read before this call;
    ``task_ids``: the read is of those tasks only, matching ``task_condition``), from the stored
    standings (:mod:`progress.standing_store`) where they are current; the others are computed
    and stored. One query when every task's rows are current; five more when some are not (the
    computation, then a savepoint, one delete, one insert and the release). With the rows: whether
    every task's rows are now stored (False when the store failed)."""
    rows, found = stored_rows(period, stamps, task_ids)
    missing = [pk for pk in stamps if pk not in found]
    if not missing:
        return rows, True
    whole_plan = task_ids is None and len(missing) == len(stamps)
    if whole_plan or len(missing) > CHUNK:  # the read's own tasks (those not missing skipped below)
        condition, params = task_condition, task_params
    else:
        condition, params = plan_tasks_condition(period.plan_id, missing)
    computed = lead_cell_rows(period, task_condition=condition, task_params=params)
    if len(missing) > CHUNK and not whole_plan:
        wanted = set(missing)
        computed = [row for row in computed if row[0] in wanted]
    stored = store(period, computed, stamps, missing, whole_plan=whole_plan)
    return rows + computed, stored


def read_states(period: ReviewPeriod, *, today: dt.date, task_ids: Iterable[int] | None) -> StateReads:
    """Four queries when the stored standings are current (:func:`current_cell_rows`): sections,
    units, tasks, and the stored lead cells with their reports and the silent supporting cells per
    task; a fixed few more to compute and store those of the tasks whose inputs changed."""
    plan_id = period.plan_id
    sections, top = _chapters(plan_id)
    units = {pk: (name, order) for pk, name, order in Department.objects.values_list("pk", "name", "sort_order")}
    task_condition, task_params = "t.plan_id = %s", [plan_id]
    if task_ids is not None:
        wanted = sorted({int(pk) for pk in task_ids})
        if not wanted:
            return StateReads({}, [], {}, sections, units)
        task_condition, task_params = plan_tasks_condition(plan_id, wanted)
    task, progress = table_name(Task), table_name(TaskProgress)
    # Compared in SQL (no date parsing per row): deadline passed, closed on or before the as-of day.
    closed, closed_params = closed_by_sql("tp.status", "tp.completed_at", "%s")
    day_end = connection.ops.adapt_datetimefield_value(end_of_day(today))
    # The closing column: 1 closed by the as-of day; 2 closed (办结) with a time after it, so closed as
    # of that later day (StateReads.closing_later, valid_through); 0 not closed.
    task_rows = fetch_rows(
        f"""
        SELECT t.id, t.number, t.section_id, t.binding, COALESCE(tp.extended_deadline, t.deadline),
               CASE WHEN COALESCE(tp.extended_deadline, t.deadline) < %s THEN 1 ELSE 0 END,
               CASE WHEN {closed} THEN 1 WHEN tp.status = %s THEN 2 ELSE 0 END, COALESCE(st.stamp, 0)
        FROM {task} t LEFT JOIN {progress} tp ON tp.task_id = t.id
        LEFT JOIN {table_name(StandingStamp)} st ON st.task_id = t.id
        WHERE {task_condition}
        ORDER BY t.number, t.id
        """,
        [
            connection.ops.adapt_datefield_value(today),
            *closed_params,
            day_end,
            TaskStatus.COMPLETED,
            *task_params,
        ],
    )
    stamps = {row[0]: row[7] for row in task_rows}
    closing_later = frozenset(row[0] for row in task_rows if row[6] == 2)
    cell_rows, cells_stored = current_cell_rows(
        period,
        stamps,
        task_ids=None if task_ids is None else wanted,
        task_condition=task_condition,
        task_params=task_params,
    )

    leads: dict[int, list[tuple[int, str, str, int | None]]] = {}
    lead_cells: list[LeadCell] = []
    silent: dict[int, int] = {}
    released: set[int] = set()  # tasks released from the period (closed by its due date)
    add_cell, leads_of = lead_cells.append, leads.get
    for task_id, unit_id, status, progress_status, percent, on_time, task_released in cell_rows:
        if unit_id is None:  # the task's silent supporting cells, counted
            silent[task_id] = int(percent)
            continue
        status = status or ""
        add_cell((task_id, unit_id, status, on_time == 1, task_released == 1))
        if task_released == 1:
            released.add(task_id)
        cell = (unit_id, status, progress_status or "", percent)
        cells = leads_of(task_id)
        if cells is None:
            leads[task_id] = [cell]
        else:
            cells.append(cell)
    unknown = ("", 0)

    def unit_order(cell: tuple[int, str, str, int | None]) -> tuple[int, str, int]:
        name, order = units.get(cell[0], unknown)
        return order, name, cell[0]

    past_due = today > period.report_due_on
    severity, report_order = _SEVERITY.get, _REPORT_ORDER.__getitem__
    accepted, completed_status = ReportStatus.ACCEPTED, ProgressStatus.COMPLETED
    delayed_status, at_risk_status = ProgressStatus.DELAYED, ProgressStatus.AT_RISK
    dates: dict[Any, dt.date | None] = {}  # deadlines parsed once per distinct value (SQLite gives text)
    chapter_of = top.get
    overdue_reasons = _OVERDUE_REASONS
    # TaskState is frozen: its fields are set at once through its __dict__ (the generated __init__
    # sets them one by one through object.__setattr__, the largest Python cost for 10,000 tasks).
    new_state, set_fields = object.__new__, object.__setattr__
    states: dict[int, TaskState] = {}
    for pk, number, section_id, binding, deadline, passed, closed, _stamp in task_rows:
        lead_list = leads_of(pk)
        if lead_list is None:
            has_lead = delivered = reported_done = False
            report_status, progress, percent, lead_ids, claims = "", "", None, (), ""
        elif len(lead_list) == 1:  # the common case, without the general path's lists
            has_lead = True
            unit_id, status, stated, stated_percent = lead_list[0]
            lead_ids = (unit_id,)
            delivered = status in DELIVERED_STATES
            report_status = status
            progress, percent = (stated, stated_percent) if delivered else ("", None)
            reported_done = status == accepted and stated == completed_status
            claims = "all" if delivered and stated == completed_status else ""
        else:
            has_lead = True
            lead_list.sort(key=unit_order)
            lead_ids = tuple(c[0] for c in lead_list)
            statuses = [c[1] for c in lead_list]
            delivered_cells = [c for c in lead_list if c[1] in DELIVERED_STATES]
            delivered = len(delivered_cells) == len(lead_list)
            report_status = "" if "" in statuses else min(statuses, key=report_order)
            if delivered_cells:
                progress = min((c[2] for c in delivered_cells), key=lambda s: severity(s, 2))
                percents = [c[3] for c in delivered_cells if c[3] is not None]
                percent = min(percents) if percents else None
            else:
                progress, percent = "", None
            reported_done = all(c[1] == accepted and c[2] == completed_status for c in lead_list)
            claimed = sum(c[2] == completed_status for c in delivered_cells)
            claims = "" if not claimed else "all" if claimed == len(lead_list) else "some"
        is_closed = closed == 1
        completed = is_closed or reported_done
        overdue = passed == 1 and not completed
        # Owed (progress.workflow.owes_report) by a lead unit, past the due date.
        late = past_due and has_lead and not delivered and pk not in released
        # The light by LIGHT_RULES, as _light() (inlined: one call less per task).
        if completed:
            light, reason = GREEN, REASON_CLOSED if is_closed else REASON_COMPLETED
        elif overdue:
            light, reason = RED, overdue_reasons[claims]
        elif progress == delayed_status:
            light, reason = RED, REASON_DELAYED
        elif progress == at_risk_status:
            light, reason = YELLOW, REASON_AT_RISK
        elif not has_lead:
            light, reason = YELLOW, REASON_NO_LEAD
        elif late:
            light, reason = YELLOW, REASON_REPORT_LATE
        else:
            light, reason = GREEN, REASON_ON_TRACK if delivered else REASON_NOT_DUE
        if deadline is not None:
            parsed = dates.get(deadline)
            if parsed is None:
                parsed = dates[deadline] = _as_date(deadline)
            deadline = parsed
        state = new_state(TaskState)
        set_fields(
            state,
            "__dict__",
            {
                "task_id": pk,
                "number": number,
                "chapter_id": chapter_of(section_id),
                "section_id": section_id,
                "lead_unit_ids": lead_ids,
                "report_status": report_status,
                "progress_status": progress,
                "percent": percent,
                "is_completed": completed,
                "is_overdue": overdue,
                "report_late": late,
                "light": light,
                "light_reason": reason,
                "binding": bool(binding),
                "deadline": deadline,
                "is_closed": is_closed,
                "delivered": delivered,
            },
        )
        states[pk] = state
    return StateReads(states, lead_cells, silent, sections, units, stamps, cells_stored, closing_later)


def valid_through(state: TaskState, *, as_of: dt.date, due_on: dt.date, closing_later: bool) -> dt.date:
    """The last day on which ``state``, computed by :func:`read_states` as of ``as_of`` for a period
    due ``due_on``, is still what it would compute, its data unchanged. The day enters a state in
    three places only: the effective deadline passes (``is_overdue`` from the day after it), the
    report due date passes (``report_late`` from the day after it), and a closing dated after the
    as-of day counts from its own day (``closing_later``: that closing's state is kept for its day
    only). :data:`datetime.date.max` when none lies ahead."""
    if closing_later:
        return as_of
    through = due_on if due_on >= as_of else dt.date.max
    deadline = state.deadline
    if deadline is not None and as_of <= deadline < through:
        return deadline
    return through


def silent_units_of(period: ReviewPeriod, task_ids: Iterable[int]) -> dict[int, list[int]]:
    """The silent supporting units of each of ``task_ids`` in the period, in unit order (one query;
    for a page of tasks, not the whole plan)."""
    wanted = sorted({int(pk) for pk in task_ids})
    if not wanted:
        return {}
    condition, condition_params = plan_tasks_condition(period.plan_id, wanted)
    sql, params = _silent_cells_sql(task_condition=condition, task_params=condition_params, period=period)
    department = table_name(Department)
    rows = fetch_rows(
        f"{sql} SELECT s.task_id, s.unit_id FROM silent s JOIN {department} d ON d.id = s.unit_id"
        " ORDER BY s.task_id, d.sort_order, d.name, d.id",
        params,
    )
    found: dict[int, list[int]] = defaultdict(list)
    for task_id, unit_id in rows:
        found[task_id].append(unit_id)
    return dict(found)


def task_states(
    period: ReviewPeriod, *, today: dt.date | None = None, task_ids: Iterable[int] | None = None
) -> dict[int, TaskState]:
    """Every task of the period's plan (or those of ``task_ids``) by id, in task-number order, with
    its standing in ``period`` as of ``today`` (four queries whatever the plan's size when the stored
    standings are current; :func:`read_states`)."""
    return read_states(period, today=today or timezone.localdate(), task_ids=task_ids).states


# --- the overview ----------------------------------------------------------------------------


def task_veto_reason(state: TaskState) -> str:
    """Why the task itself puts its binding targets' 一票否优 at risk ("任务逾期未完成"), or ``""``:
    the task is red, at risk, or without a lead unit (a late report alone is not)."""
    if state.light == RED or state.light_reason in (REASON_AT_RISK, REASON_NO_LEAD):
        return f"任务{state.light_reason}"
    return ""
