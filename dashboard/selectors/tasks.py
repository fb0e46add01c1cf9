"""The dashboard's click-through list: the tasks behind each number of the overview.

Every filter works on the same task states (:mod:`progress.states`) as
:func:`dashboard.selectors.overview.period_overview` (so a count on the dashboard and the length of
its list agree); only the page shown is read in full. The matching tasks are found in SQL over the
stored task states (:mod:`progress.state_store`, as the dashboard counts them), except for the
report filter, whose per-report classification is Python's: then every task's state is filtered
here. A fixed number of queries whatever the plan's size: the stored states' check, the matching
ids, the page's states (four), texts, silent supporting units and the 存在问题 of its delivered
lead reports.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from progress.models import ProgressReport, ProgressStatus, ReviewPeriod, StandingCell, StoredState
from progress.state_store import current_states
from progress.states import (
    DELIVERED_STATES,
    GREEN,
    LIGHT_LABELS,
    LIGHTS,
    NOT_SUBMITTED,
    NOT_SUBMITTED_LABEL,
    StateReads,
    TaskState,
    fetch_rows,
    read_states,
    silent_units_of,
    table_name,
)
from progress.workflow import owes_report
from tasks.models import Section, Task
from xingping_tracker.core.sql import ids_in

TASK_PAGE_SIZE = 50
TASK_TEXT_CHARS = 80
PROBLEMS_CHARS = 120  # 存在问题 shown beside a task (the task page has it whole)

# ?report= values: the lead report of the unit filtered on (or of every lead unit of the task).
REPORT_ON_TIME = "on_time"  # delivered by the end of the due date
REPORT_LATE = "late"  # delivered after the due date
REPORT_NOT_SUBMITTED = "not_submitted"  # still owed: no report, a draft or a returned one (progress.workflow)
REPORT_OVERDUE = "overdue"  # past the due date and still owed (报告逾期未报送)
REPORT_DELIVERED = "delivered"  # delivered (submitted or accepted), on time or not
REPORT_CHOICES: list[tuple[str, str]] = [
    (REPORT_DELIVERED, "已报送"),
    (REPORT_ON_TIME, "按时报送"),
    (REPORT_LATE, "逾期报送"),
    (REPORT_NOT_SUBMITTED, "未报送"),
    (REPORT_OVERDUE, "报告逾期未报送"),
]
LIGHT_CHOICES: list[tuple[str, str]] = [(light, LIGHT_LABELS[light]) for light in LIGHTS]
STATUS_CHOICES: list[tuple[str, str]] = [*ProgressStatus.choices, (NOT_SUBMITTED, NOT_SUBMITTED_LABEL)]


@dataclass(frozen=True, kw_only=True)
class TaskFilters:
    light: str | None = None
    status: str | None = None  # a ProgressStatus value or NOT_SUBMITTED (the task's stated status)
    section_id: int | None = None  # the section and everything below it
    unit_id: int | None = None  # tasks the unit leads
    report: str | None = None  # one of REPORT_CHOICES
    completed: bool | None = None
    overdue: bool = False
    binding: bool = False
    silent: bool = False  # with supporting units that delivered no contribution in the period
    attention: bool = False  # red or yellow (the dashboard's 需关注 list)

    @property
    def active(self) -> bool:
        return any(
            (
                self.light,
                self.status,
                self.section_id,
                self.unit_id,
                self.report,
                self.completed is not None,
                self.overdue,
                self.binding,
                self.silent,
                self.attention,
            )
        )


@dataclass
class TaskRow:
    state: TaskState
    text: str
    url: str
    section_heading: str
    lead_units: list[str]
    silent_units: list[str]
    problems: list[str] = field(default_factory=list)  # 存在问题 of its delivered lead reports


@dataclass
class TaskListing:
    period: ReviewPeriod
    today: dt.date
    filters: TaskFilters
    page: Page
    rows: list[TaskRow]
    silent_cells: int  # silent supporting cells on the matching tasks (led by the unit filtered on)
    sections: dict[int, Section] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.page.paginator.count


def lead_problems(
    period: ReviewPeriod, states: list[TaskState], *, names: dict[int, str] | None = None
) -> dict[int, list[str]]:
    """The 存在问题 of the delivered lead reports of ``states`` in the period, by task id, in the
    task's lead-unit order, shortened; prefixed with the unit's name when the task has several lead
    units (``names``: unit names by id). One query (none for no task); drafts and returned reports
    are not shown (only what reached the plan office)."""
    leads = {s.task_id: s.lead_unit_ids for s in states if s.lead_unit_ids}
    if not leads:
        return {}
    # By the (task, unit, period) index; the period and the state are checked here (SQLite would
    # otherwise read every delivered report of the period through its (period, status) index).
    units = sorted({u for ids in leads.values() for u in ids})
    rows = (
        ProgressReport.objects.filter(task_id__in=list(leads), department_id__in=units)
        .exclude(problems_text="")
        .order_by()
        .values_list("task_id", "department_id", "period_id", "status", "problems_text")
    )
    found: dict[int, dict[int, str]] = defaultdict(dict)
    for task_id, unit_id, period_id, status, text in rows:
        if period_id == period.pk and status in DELIVERED_STATES and unit_id in leads[task_id]:
            found[task_id][unit_id] = Truncator(" ".join(text.split())).chars(PROBLEMS_CHARS)
    result: dict[int, list[str]] = {}
    for task_id, by_unit in found.items():
        lead_ids = leads[task_id]
        several = len(lead_ids) > 1 and names is not None
        result[task_id] = [
            f"{names.get(u, '')}：{by_unit[u]}" if several else by_unit[u] for u in lead_ids if u in by_unit
        ]
    return result


def _descendants(sections: dict[int, Section], root: int) -> set[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for pk, section in sections.items():
        if section.parent_id is not None:
            children[section.parent_id].append(pk)
    found, level = {root}, [root]
    while level:
        level = [child for pk in level for child in children.get(pk, ()) if child not in found]
        found.update(level)
    return found


def task_listing(
    period: ReviewPeriod,
    *,
    filters: TaskFilters | None = None,
    page: int | str | None = 1,
    per_page: int = TASK_PAGE_SIZE,
    today: dt.date | None = None,
) -> TaskListing:
    """The period's tasks matching ``filters``, by task number, ``per_page`` a page (an invalid page
    number gives the nearest one)."""
    filters = filters or TaskFilters()
    today = today or timezone.localdate()
    stored = _stored_listing(period, filters=filters, page=page, per_page=per_page, today=today)
    if stored is not None:
        return stored
    reads = read_states(period, today=today, task_ids=None)
    lead_cells: dict[int, dict[int, tuple[str, bool]]] = defaultdict(dict)
    released: set[int] = set()  # tasks closed by the period's due date: nothing owed (progress.workflow)
    if filters.report:  # only the report filter reads the cells (10,000 and more on a whole plan)
        for task_id, unit_id, status, on_time, task_released in reads.lead_cells:
            lead_cells[task_id][unit_id] = (status, on_time)
            if task_released:
                released.add(task_id)
    silent = reads.silent
    in_section = _descendants(reads.sections, filters.section_id) if filters.section_id else None

    def report_matches(state: TaskState) -> bool:
        cells = lead_cells.get(state.task_id, {})
        if filters.unit_id is not None:
            cells = {filters.unit_id: cells[filters.unit_id]} if filters.unit_id in cells else {}
        if not cells:
            return False
        delivered = [status in DELIVERED_STATES for status, _ in cells.values()]
        if filters.report == REPORT_DELIVERED:
            return all(delivered)
        if filters.report == REPORT_ON_TIME:
            return all(delivered) and all(on_time for _, on_time in cells.values())
        if filters.report == REPORT_LATE:
            return all(delivered) and not all(on_time for _, on_time in cells.values())
        # Still owed by a lead unit (the lead units' 未报送 and the 报告逾期 count open these).
        owed = any(owes_report(status=status, released=state.task_id in released) for status, _ in cells.values())
        if filters.report == REPORT_NOT_SUBMITTED:
            return owed
        if filters.report == REPORT_OVERDUE:
            return today > period.report_due_on and owed
        return True

    matching: list[TaskState] = []
    for state in reads.states.values():
        if filters.light and state.light != filters.light:
            continue
        if filters.status and (state.progress_status or NOT_SUBMITTED) != filters.status:
            continue
        if in_section is not None and state.section_id not in in_section:
            continue
        if filters.unit_id is not None and filters.unit_id not in state.lead_unit_ids:
            continue
        if filters.report and not report_matches(state):
            continue
        if filters.completed is not None and state.is_completed != filters.completed:
            continue
        if filters.overdue and not state.is_overdue:
            continue
        if filters.binding and not state.binding:
            continue
        if filters.silent and not silent.get(state.task_id, 0):
            continue
        if filters.attention and state.light == GREEN:
            continue
        matching.append(state)
    silent_cells = sum(silent.get(s.task_id, 0) for s in matching)

    shown = Paginator(matching, per_page).get_page(page)
    return _listing(
        period,
        today=today,
        filters=filters,
        shown=shown,
        states=list(shown.object_list),
        reads=reads,
        silent=silent,
        silent_cells=silent_cells,
    )


def _stored_listing(
    period: ReviewPeriod, *, filters: TaskFilters, page: int | str | None, per_page: int, today: dt.date
) -> TaskListing | None:
    """:func:`task_listing` from the stored task states (:mod:`progress.state_store`): the matching
    tasks' ids in SQL, then the states of the page shown only. None when the filters ask about the
    lead reports (``report``: their classification is Python's, :func:`progress.workflow.owes_report`)
    or the states could not be stored: the caller then filters every task's state in Python."""
    if filters.report or not current_states(period, today=today):
        return None
    state, cells = table_name(StoredState), table_name(StandingCell)
    # A task's stored lead cells: those of its state's stamp and due date (progress.state_store).
    own_cells = "c.period_id = s.period_id AND c.task_id = s.task_id AND c.stamp = s.stamp AND c.due_on = s.due_on"
    silent = f"(SELECT MAX(c.silent) FROM {cells} c WHERE {own_cells})"
    conditions, params = ["s.period_id = %s"], [period.pk]
    for applies, condition, value in (  # each filter that compares one value
        (bool(filters.light), "s.light = %s", filters.light),
        (filters.attention, "s.light <> %s", GREEN),
        (bool(filters.status), "s.progress_status = %s", "" if filters.status == NOT_SUBMITTED else filters.status),
        (
            filters.unit_id is not None,
            f"EXISTS (SELECT 1 FROM {cells} c WHERE {own_cells} AND c.unit_id = %s)",
            filters.unit_id,
        ),
        (filters.completed is not None, "s.is_completed = %s", filters.completed),
        (filters.overdue, "s.is_overdue = %s", True),
        (filters.binding, "s.binding = %s", True),
    ):
        if applies:
            conditions.append(condition)
            params.append(value)
    if filters.section_id:
        in_section = _descendants(_plan_sections(period.plan_id), filters.section_id)
        condition, section_params = ids_in("s.section_id", sorted(in_section))
        conditions.append(condition)
        params += section_params
    if filters.silent:
        conditions.append(f"{silent} > 0")
    rows = fetch_rows(
        f"SELECT s.task_id, {silent} FROM {state} s WHERE {' AND '.join(conditions)} ORDER BY s.number, s.task_id",
        params,
    )
    shown = Paginator([task_id for task_id, _silent in rows], per_page).get_page(page)
    page_ids = list(shown.object_list)
    reads = read_states(period, today=today, task_ids=page_ids)
    return _listing(
        period,
        today=today,
        filters=filters,
        shown=shown,
        states=[reads.states[pk] for pk in page_ids if pk in reads.states],
        reads=reads,
        silent=reads.silent,
        silent_cells=sum(int(count or 0) for _task, count in rows),
    )


def _plan_sections(plan_id: int) -> dict[int, Section]:
    """The plan's sections by id (their parents only: what :func:`_descendants` walks)."""
    return {
        pk: Section(pk=pk, plan_id=plan_id, parent_id=parent_id)
        for pk, parent_id in Section.objects.filter(plan_id=plan_id).values_list("pk", "parent_id")
    }


def _listing(
    period: ReviewPeriod,
    *,
    today: dt.date,
    filters: TaskFilters,
    shown: Page,
    states: list[TaskState],
    reads: StateReads,
    silent: dict[int, int],
    silent_cells: int,
) -> TaskListing:
    """The listing of the page shown: its tasks' texts, silent supporting units and 存在问题 read
    for those tasks only."""
    ids = [s.task_id for s in states]
    texts = dict(Task.objects.filter(pk__in=ids).values_list("pk", "text")) if ids else {}
    silent_units = silent_units_of(period, [s.task_id for s in states if silent.get(s.task_id, 0)])
    names = {pk: name for pk, (name, _order) in reads.units.items()}
    problems = lead_problems(period, states, names=names)
    head, _, tail = reverse("progress:task_detail", args=[2147483647]).partition("2147483647")
    rows = []
    for state in states:
        section = reads.sections.get(state.section_id) if state.section_id else None
        rows.append(
            TaskRow(
                state=state,
                text=Truncator(texts.get(state.task_id, "")).chars(TASK_TEXT_CHARS),
                url=f"{head}{state.task_id}{tail}",
                section_heading=section.heading if section else "",
                lead_units=[names.get(u, "") for u in state.lead_unit_ids],
                silent_units=[names.get(u, "") for u in silent_units.get(state.task_id, ())],
                problems=problems.get(state.task_id, []),
            )
        )
    return TaskListing(
        period=period,
        today=today,
        filters=filters,
        page=shown,
        rows=rows,
        silent_cells=silent_cells,
        sections=reads.sections,
    )
