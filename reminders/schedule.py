"""Which reminders are due on a day: a pure function of the day, the periods, what each unit owes,
the milestones, the plans' policies and the reminders already decided. No database, no clock.

Report reminders (kind ``report_due``), one digest per (open period, unit that owes something), at
the stages of the plan's policy (``D`` = the period's report due date):

==============  ========================================================================
stage           day it becomes due
==============  ========================================================================
before_<N>      the first working day on or after D − N calendar days (N = 14 by default)
wd_before_<N>   the N-th working day before D, for each N of the policy (7 and 3)
last_day        the last working day on or before D
overdue_1       the first working day after D
==============  ========================================================================

- Nothing is decided on a day that is not a working day.
- Catch-up: on a day when several stages have become due (the scan did not run, the period was
  opened late, two stages fall on one day), only the **latest** of them is due, and only when it
  has not been sent yet and no later stage has been sent: never a burst of old stages, never an
  earlier stage after a later one. Stages are ordered by the day they become due, then by the
  table's order.
- Only periods with status ``open``; a unit that owes nothing gets nothing. What a unit owes is
  read on the day of the scan, so a unit that submits everything drops out of the later stages.

Escalation (kind ``escalation``, one per period and unit, to the plan office and the unit's 分管领导):
due from the working day after the unit has been overdue for N full working days (N =
``escalate_after_working_days``, 5 by default: the 6th working day after D; with N = 0 on the
first working day overdue), while the period is open and the unit still owes reports. Sent once.

Meeting notice (kind ``meeting``, one per period, to leadership): due from the N-th working day
before ``meeting_on`` (N = ``meeting_notice_working_days``; N = 0: the last working day on or
before it) up to the meeting day itself, for periods that are open **or closed** (the plan office
usually closes the period to prepare the meeting, and the meeting still takes place); a period
never opened (``planned``) has no meeting notice.

Milestone reminder (kind ``milestone``, to a task's lead units): a milestone is announced from the
first working day on or after ``due_on`` − N calendar days (N = ``milestone_notice_days``) up to
``due_on``, once per (milestone, lead unit), for tasks not completed (the selector leaves completed
tasks out). Many milestones fall on the same day (the year's end), so a unit gets **one digest per
day** listing every milestone announced to it that day, not one message per milestone; which
milestones were announced is read back from the earlier digests' items (see
:func:`milestone_key`). The digest's ``milestone_id`` is its first milestone; ``task_id`` is set
when it lists one milestone only (its link is then the task's page).

A plan whose policy is disabled gets nothing. Dedupe keys: ``report_due:p<period>:u<unit>:<stage>``,
``escalation:p<period>:u<unit>``, ``meeting:p<period>``, ``milestone:u<unit>:<YYYY-MM-DD>`` (the
day's digest).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from reminders import workdays

REPORT_DUE = "report_due"
ESCALATION = "escalation"
MEETING = "meeting"
MILESTONE = "milestone"

PERIOD_OPEN = "open"
PERIOD_CLOSED = "closed"

LAST_DAY = "last_day"
OVERDUE_1 = "overdue_1"

NOT_STARTED = "none"
STATUS_LABELS = {NOT_STARTED: "未填报", "draft": "草稿", "returned": "已退回"}
SHORT_TEXT_LENGTH = 40
# An escalation goes to the plan office and leaders: the first tasks, then the link to the full list
# (the unit's own digest lists every task).
ESCALATION_LIST_LIMIT = 20


# --- inputs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyInput:
    """A plan's :class:`reminders.models.ReminderPolicy`, with the model's defaults."""

    enabled: bool = True
    first_notice_days: int = 14
    working_day_offsets: tuple[int, ...] = (7, 3)
    remind_on_last_working_day: bool = True
    remind_first_overdue_day: bool = True
    escalate_after_working_days: int = 5
    meeting_notice_working_days: int = 3
    milestone_notice_days: int = 14


DEFAULT_POLICY = PolicyInput()


@dataclass(frozen=True)
class PeriodInput:
    id: int
    plan_id: int
    name: str
    report_due_on: dt.date
    meeting_on: dt.date | None
    status: str
    is_annual_summary: bool = False


class OwedItem(NamedTuple):
    """One task a unit still owes a report on: ``status`` is ``none`` (no report), ``draft`` or
    ``returned``; ``text`` is the task's short text as listed (:func:`short_text`: the selector
    shortens each task's text once, not once per unit). A tuple: a big scan makes tens of thousands.
    Its JSON (the reminder's ``items``) leaves the text out: the body lists it, and the JSON of a big
    scan is written in one INSERT."""

    task_id: int
    number: int
    text: str
    status: str
    role: str = "lead"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def as_json(self) -> dict[str, object]:
        return {"task_id": self.task_id, "number": self.number, "status": self.status, "role": self.role}


@dataclass(frozen=True)
class MilestoneItem:
    """One milestone listed in a unit's milestone digest."""

    milestone_id: int
    task_id: int
    number: int
    task_text: str
    text: str
    due_on: dt.date

    def as_json(self) -> dict[str, object]:
        return {
            "milestone_id": self.milestone_id,
            "task_id": self.task_id,
            "number": self.number,
            "text": short_text(self.task_text),
            "milestone": short_text(self.text),
            "due_on": self.due_on.isoformat(),
        }


@dataclass(frozen=True)
class UnitOwed:
    """What one unit owes in one period (items ordered by task number)."""

    period_id: int
    department_id: int
    department_name: str
    items: tuple[OwedItem, ...]


@dataclass(frozen=True)
class LeadUnit:
    id: int
    name: str


@dataclass(frozen=True)
class MilestoneInput:
    id: int
    plan_id: int
    task_id: int
    task_number: int
    task_text: str
    due_on: dt.date
    text: str
    lead_units: tuple[LeadUnit, ...]


# --- output --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReminder:
    kind: str
    stage: str
    dedupe_key: str
    plan_id: int
    title: str
    body: str
    period_id: int | None = None
    department_id: int | None = None
    department_name: str = ""
    period_name: str = ""
    milestone_id: int | None = None
    task_id: int | None = None
    items: tuple[OwedItem, ...] | tuple[MilestoneItem, ...] = field(default=())


# --- keys and stages -------------------------------------------------------------------------------


def report_key(period_id: int, department_id: int, stage: str) -> str:
    return f"{REPORT_DUE}:p{period_id}:u{department_id}:{stage}"


def escalation_key(period_id: int, department_id: int) -> str:
    return f"{ESCALATION}:p{period_id}:u{department_id}"


def meeting_key(period_id: int) -> str:
    return f"{MEETING}:p{period_id}"


def milestone_digest_key(department_id: int, day: dt.date) -> str:
    return f"{MILESTONE}:u{department_id}:{day.isoformat()}"


def milestone_key(milestone_id: int, department_id: int) -> str:
    """Not a reminder's key: marks one milestone as announced to one unit. The scan adds these to
    ``sent`` for every milestone listed in an earlier digest."""
    return f"{MILESTONE}:m{milestone_id}:u{department_id}"


@dataclass(frozen=True, order=True)
class StageDay:
    """A report stage and the day it becomes due; ordered by (day, rank) — the catch-up order."""

    day: dt.date
    rank: int
    stage: str = field(compare=False)


def report_stages(due_on: dt.date, policy: PolicyInput) -> list[StageDay]:
    """The report stages of a period due on ``due_on`` under ``policy``, in catch-up order."""
    stages: list[StageDay] = []
    rank = 0
    if policy.first_notice_days > 0:
        day = workdays.first_working_day_on_or_after(due_on - dt.timedelta(days=policy.first_notice_days))
        stages.append(StageDay(day, rank, f"before_{policy.first_notice_days}"))
    for offset in sorted({int(n) for n in policy.working_day_offsets if int(n) > 0}, reverse=True):
        rank += 1
        stages.append(StageDay(workdays.nth_working_day_before(due_on, offset), rank, f"wd_before_{offset}"))
    if policy.remind_on_last_working_day:
        rank += 1
        stages.append(StageDay(workdays.last_working_day_on_or_before(due_on), rank, LAST_DAY))
    if policy.remind_first_overdue_day:
        rank += 1
        stages.append(StageDay(workdays.next_working_day(due_on), rank, OVERDUE_1))
    return sorted(stages)


def escalation_day(due_on: dt.date, policy: PolicyInput) -> dt.date:
    """The working day after the N-th working day overdue (N = 0: the first working day overdue)."""
    return workdays.nth_working_day_after(due_on, policy.escalate_after_working_days + 1)


def meeting_notice_day(meeting_on: dt.date, policy: PolicyInput) -> dt.date:
    if policy.meeting_notice_working_days <= 0:
        return workdays.last_working_day_on_or_before(meeting_on)
    return workdays.nth_working_day_before(meeting_on, policy.meeting_notice_working_days)


def milestone_notice_day(due_on: dt.date, policy: PolicyInput) -> dt.date:
    return workdays.first_working_day_on_or_after(due_on - dt.timedelta(days=policy.milestone_notice_days))


def period_may_remind_units(period: PeriodInput, policy: PolicyInput, today: dt.date) -> bool:
    """Whether any unit of ``period`` may get a report reminder or an escalation on ``today``: the
    period is open, the policy on, and its first stage (or the escalation) reached. The scan reads
    what units owe only for such periods."""
    if not policy.enabled or period.status != PERIOD_OPEN:
        return False
    days = [stage.day for stage in report_stages(period.report_due_on, policy)]
    days.append(escalation_day(period.report_due_on, policy))
    return today >= min(days)


def due_report_stage(stages: list[StageDay], today: dt.date, sent_stages: set[str]) -> StageDay | None:
    """The stage to send today for one unit, given the stages already sent to it (catch-up rule)."""
    reached = [stage for stage in stages if stage.day <= today]
    if not reached:
        return None
    latest = reached[-1]
    if any(stage.stage in sent_stages for stage in stages if stage >= latest):
        return None
    return latest


# --- texts (Chinese: people read them) -------------------------------------------------------------


def short_text(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SHORT_TEXT_LENGTH else line[:SHORT_TEXT_LENGTH] + "…"


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def overdue_working_days(due_on: dt.date, today: dt.date) -> int:
    """Full working days a report is overdue on ``today``: the working days after ``due_on`` and before today."""
    return workdays.working_days_between(due_on, today - dt.timedelta(days=1))


def _stage_phrase(stage: str, due_on: dt.date, today: dt.date) -> str:
    if stage.startswith("before_"):
        return f"距报送截止日还有{(due_on - today).days}天"
    if stage.startswith("wd_before_"):
        # today is the n-th working day before the due date (the working days from today up to the day before it)
        n = workdays.working_days_between(today - dt.timedelta(days=1), due_on - dt.timedelta(days=1))
        return f"今天是截止日前第{n}个工作日"
    if stage == LAST_DAY:
        return "今天是报送截止日" if today == due_on else "今天是报送截止前的最后一个工作日"
    late = overdue_working_days(due_on, today)
    return f"已逾期{late}个工作日" if late else "已超过报送截止日"


def _item_lines(items: Iterable[OwedItem]) -> list[str]:
    labels = STATUS_LABELS
    return [f"{i}. 任务{item.number}：{item.text}（{labels.get(item.status, item.status)}）" for i, item in enumerate(items, 1)]


def report_texts(period: PeriodInput, owed: UnitOwed, stage: str, today: dt.date) -> tuple[str, str]:
    n = len(owed.items)
    due = cn_date(period.report_due_on)
    phrase = _stage_phrase(stage, period.report_due_on, today)
    if stage == OVERDUE_1:
        title = f"{owed.department_name}：{period.name}有{n}项任务逾期未报送"
    else:
        title = f"{owed.department_name}：{period.name}有{n}项任务待报送（{due}截止）"
    body = "\n".join(
        [
            f"{owed.department_name}：",
            f"{period.name}进展情况报送截止日为{due}，{phrase}。贵单位尚有{n}项任务未报送：",
            *_item_lines(owed.items),
            "请登录督办台账，在“本期待填报”中填写并报送。已报送的任务不再提醒。",
        ]
    )
    return title, body


def escalation_texts(period: PeriodInput, owed: UnitOwed, today: dt.date) -> tuple[str, str]:
    n = len(owed.items)
    late = overdue_working_days(period.report_due_on, today)
    title = f"逾期上报：{owed.department_name}{period.name}有{n}项任务逾期{late}个工作日未报送"
    body = "\n".join(
        [
            f"{period.name}进展情况报送截止日为{cn_date(period.report_due_on)}。"
            f"截至{cn_date(today)}，{owed.department_name}已逾期{late}个工作日，尚有{n}项任务未报送：",
            *_item_lines(owed.items[:ESCALATION_LIST_LIMIT]),
            *([f"……另有{n - ESCALATION_LIST_LIMIT}项，完整清单请打开链接查看。"] if n > ESCALATION_LIST_LIMIT else []),
            "请规划科和分管领导督促该单位尽快报送。",
        ]
    )
    return title, body


def meeting_texts(period: PeriodInput) -> tuple[str, str]:
    meeting = "年度总结专题会" if period.is_annual_summary else "目标任务对标分析专题会"
    when = cn_date(period.meeting_on) if period.meeting_on else "近期"
    title = f"会议通知：{period.name}{meeting}定于{when}召开"
    body = (
        f"{period.name}{meeting}定于{when}召开。"
        "会议材料（Excel）请登录督办台账，在领导看板点“下载会议材料”。"
    )
    return title, body


def milestone_texts(unit: LeadUnit, items: list[MilestoneItem], today: dt.date) -> tuple[str, str]:
    def when(item: MilestoneItem) -> str:
        days = (item.due_on - today).days
        return "今天到期" if days == 0 else f"还有{days}天"

    if len(items) == 1:
        [item] = items
        title = f"节点提醒：任务{item.number}的节点将于{cn_date(item.due_on)}到期"
        lines = [
            f"贵单位牵头的任务{item.number}“{short_text(item.task_text)}”有一个节点将于{cn_date(item.due_on)}到期"
            f"（{when(item)}）：{short_text(item.text)}"
        ]
    else:
        title = f"节点提醒：{unit.name}牵头的{len(items)}项任务节点即将到期"
        lines = [f"贵单位牵头的以下{len(items)}项任务节点即将到期："] + [
            f"{i}. 任务{item.number}“{short_text(item.task_text)}”：{short_text(item.text)}"
            f"（{cn_date(item.due_on)}，{when(item)}）"
            for i, item in enumerate(items, 1)
        ]
    body = "\n".join([f"{unit.name}：", *lines, "请抓紧推进，并在进展情况中如实填报。"])
    return title, body


# --- the decision ---------------------------------------------------------------------------------


def due_reminders(
    *,
    today: dt.date,
    periods: Iterable[PeriodInput],
    owed: Iterable[UnitOwed],
    milestones: Iterable[MilestoneInput] = (),
    policies: Mapping[int, PolicyInput] | None = None,
    sent: Iterable[str] = (),
) -> list[DueReminder]:
    """The reminders due on ``today`` and not yet sent (``sent``: the dedupe keys already decided).

    ``policies`` by plan id (a plan without one has the defaults). Order: per period the meeting
    notice, then the units in the order of ``owed``; then the milestones.
    """
    if not workdays.is_working_day(today):
        return []
    policies = policies or {}
    sent = set(sent)
    owed_by_period: dict[int, list[UnitOwed]] = {}
    for unit in owed:
        if unit.items:
            owed_by_period.setdefault(unit.period_id, []).append(unit)
    result: list[DueReminder] = []
    for period in periods:
        policy = policies.get(period.plan_id, DEFAULT_POLICY)
        if not policy.enabled:
            continue
        result.extend(_meeting(period, policy, today, sent))
        if period.status == PERIOD_OPEN:
            result.extend(_period_units(period, owed_by_period.get(period.id, []), policy, today, sent))
    result.extend(_milestones(milestones, policies, today, sent))
    return result


def _meeting(period: PeriodInput, policy: PolicyInput, today: dt.date, sent: set[str]) -> list[DueReminder]:
    if period.meeting_on is None or period.status not in (PERIOD_OPEN, PERIOD_CLOSED):
        return []
    key = meeting_key(period.id)
    if key in sent or not meeting_notice_day(period.meeting_on, policy) <= today <= period.meeting_on:
        return []
    title, body = meeting_texts(period)
    return [DueReminder(MEETING, MEETING, key, period.plan_id, title, body, period_id=period.id, period_name=period.name)]


def _period_units(
    period: PeriodInput, units: list[UnitOwed], policy: PolicyInput, today: dt.date, sent: set[str]
) -> list[DueReminder]:
    if not period_may_remind_units(period, policy, today):
        return []
    stages = report_stages(period.report_due_on, policy)
    escalate_on = escalation_day(period.report_due_on, policy)
    result = []
    for unit in units:
        sent_stages = {s.stage for s in stages if report_key(period.id, unit.department_id, s.stage) in sent}
        stage = due_report_stage(stages, today, sent_stages)
        common = {
            "period_id": period.id,
            "period_name": period.name,
            "department_id": unit.department_id,
            "department_name": unit.department_name,
            "items": unit.items,
        }
        if stage is not None:
            title, body = report_texts(period, unit, stage.stage, today)
            key = report_key(period.id, unit.department_id, stage.stage)
            result.append(DueReminder(REPORT_DUE, stage.stage, key, period.plan_id, title, body, **common))
        key = escalation_key(period.id, unit.department_id)
        if today >= escalate_on and key not in sent:
            title, body = escalation_texts(period, unit, today)
            result.append(DueReminder(ESCALATION, ESCALATION, key, period.plan_id, title, body, **common))
    return result


def _milestones(
    milestones: Iterable[MilestoneInput], policies: Mapping[int, PolicyInput], today: dt.date, sent: set[str]
) -> list[DueReminder]:
    """One digest per lead unit of the milestones announced to it today (in the order given)."""
    per_unit: dict[LeadUnit, list[tuple[int, MilestoneItem]]] = {}
    for milestone in milestones:
        policy = policies.get(milestone.plan_id, DEFAULT_POLICY)
        if not policy.enabled or not milestone_notice_day(milestone.due_on, policy) <= today <= milestone.due_on:
            continue
        item = MilestoneItem(
            milestone.id, milestone.task_id, milestone.task_number, milestone.task_text, milestone.text,
            milestone.due_on,
        )
        for unit in milestone.lead_units:
            if milestone_key(milestone.id, unit.id) not in sent:
                per_unit.setdefault(unit, []).append((milestone.plan_id, item))
    result = []
    for unit, entries in per_unit.items():
        key = milestone_digest_key(unit.id, today)
        if key in sent:  # today's digest went out already: the rest tomorrow
            continue
        items = [item for _, item in entries]
        title, body = milestone_texts(unit, items, today)
        single = items[0] if len(items) == 1 else None
        result.append(
            DueReminder(
                MILESTONE, MILESTONE, key, entries[0][0], title, body,
                department_id=unit.id, department_name=unit.name, milestone_id=items[0].milestone_id,
                task_id=single.task_id if single else None, items=tuple(items),
            )
        )
    return result
