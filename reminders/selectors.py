"""Reads for the reminder scan: the periods and milestones to look at, what each unit owes, the
reminders already decided, the plans' policies and the units' channels.

Everything is read with ``values()`` rows and combined in Python, in a fixed number of queries
whatever the size of the plan (per plan with an open period: its tasks, with their 办结 state, and
their effective units; once: the active units, the periods' reports), and turned into the plain
inputs of :mod:`reminders.schedule`.

Who owes what (who may see what is :mod:`access`'s): a unit is expected to report on a task when it
is an effective lead or supporting unit of it (:mod:`tasks.effective`, read from the
effective-assignment table; lead wins) and the unit is active. Whether it owes the report in a period
is :mod:`progress.workflow`'s one rule ("owed": :func:`~progress.workflow.owes_report`): it has none
for the period yet, or its report is a draft or was returned, and the task was not closed (办结) by the
end of the period's report due date (:func:`~progress.workflow.released`; a task closed later still
owes that period's report).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.db.models.functions import Substr

from departments.models import Department
from progress.models import PeriodStatus, ProgressReport, ReviewPeriod, TaskStatus
from progress.workflow import OWED_REPORT_STATES, owes_report, released
from reminders.models import Channel, Reminder, ReminderKind, ReminderPolicy, UnitReminderSettings
from reminders.schedule import (
    NOT_STARTED,
    SHORT_TEXT_LENGTH,
    LeadUnit,
    MilestoneInput,
    OwedItem,
    PeriodInput,
    PolicyInput,
    UnitOwed,
    milestone_key,
    short_text,
)
from tasks.models import AssignmentRole, EffectiveAssignment, Milestone, Plan, Task

# A report in one of these states is still owed (not delivered: progress.workflow).
OWED_STATES = OWED_REPORT_STATES
# Channels of a unit without settings, and of the reminders to people rather than to a unit.
DEFAULT_CHANNELS: tuple[str, ...] = (Channel.EMAIL, Channel.INAPP)

# Enough of a task's text for the short text of a digest line (cut again there, with "…").
_TEXT_PREFIX = SHORT_TEXT_LENGTH + 1


# --- periods and policies -------------------------------------------------------------------------


def scan_periods(*, today: dt.date) -> list[PeriodInput]:
    """Open periods, and closed ones whose meeting is still ahead (for the meeting notice). One query."""
    rows = (
        ReviewPeriod.objects.filter(
            Q(status=PeriodStatus.OPEN) | Q(status=PeriodStatus.CLOSED, meeting_on__gte=today)
        )
        .order_by("plan_id", "starts_on", "pk")
        .values("pk", "plan_id", "name", "report_due_on", "meeting_on", "status", "is_annual_summary")
    )
    return [
        PeriodInput(
            id=row["pk"],
            plan_id=row["plan_id"],
            name=row["name"],
            report_due_on=row["report_due_on"],
            meeting_on=row["meeting_on"],
            status=row["status"],
            is_annual_summary=row["is_annual_summary"],
        )
        for row in rows
    ]


def policy_input(policy: ReminderPolicy) -> PolicyInput:
    return PolicyInput(
        enabled=policy.enabled,
        first_notice_days=policy.first_notice_days,
        working_day_offsets=tuple(int(n) for n in (policy.working_day_offsets or [])),
        remind_on_last_working_day=policy.remind_on_last_working_day,
        remind_first_overdue_day=policy.remind_first_overdue_day,
        escalate_after_working_days=policy.escalate_after_working_days,
        meeting_notice_working_days=policy.meeting_notice_working_days,
        milestone_notice_days=policy.milestone_notice_days,
    )


def plan_policies() -> tuple[dict[int, PolicyInput], dict[int, tuple]]:
    """({plan id: policy} for every plan, {plan id: (quiet start, quiet end)}). A plan without a
    policy row has the model's defaults (unsaved). Two queries."""
    policies: dict[int, PolicyInput] = {}
    quiet: dict[int, tuple] = {}
    for policy in ReminderPolicy.objects.all():
        policies[policy.plan_id] = policy_input(policy)
        quiet[policy.plan_id] = (policy.quiet_hours_start, policy.quiet_hours_end)
    for plan_id in Plan.objects.exclude(pk__in=list(policies)).values_list("pk", flat=True):
        default = ReminderPolicy(plan_id=plan_id)
        policies[plan_id] = policy_input(default)
        quiet[plan_id] = (default.quiet_hours_start, default.quiet_hours_end)
    return policies, quiet


# --- who does which task ------------------------------------------------------------------------


def effective_units(cells: Q) -> dict[int, dict[int, str]]:
    """{task id: {unit id: its role on the task}} (lead wins over supporting) for the effective cells
    matching ``cells`` (a condition on :class:`tasks.models.EffectiveAssignment`). One query."""
    units: dict[int, dict[int, str]] = defaultdict(dict)
    for task_id, department_id, role in (
        EffectiveAssignment.objects.filter(cells, is_primary=True)
        .order_by()
        .values_list("task_id", "department_id", "role")
    ):
        units[task_id][department_id] = role
    return units


def active_units() -> dict[int, str]:
    """{unit id: name} of the active units, in the units' order (sort order, name). One query."""
    return dict(Department.objects.filter(is_active=True).order_by("sort_order", "name").values_list("pk", "name"))


# --- what each unit owes --------------------------------------------------------------------------


def owed_by_unit(*, periods: Iterable[PeriodInput], units: dict[int, str] | None = None) -> list[UnitOwed]:
    """What each active unit owes in each of ``periods`` (only units that owe something), units in
    their order and items by task number. 1 + 2 per plan + 1 queries (plus one without ``units``)."""
    periods = list(periods)
    if not periods:
        return []
    units = active_units() if units is None else units
    statuses: dict[int, dict[tuple[int, int], str]] = defaultdict(dict)
    for period_id, task_id, department_id, status in ProgressReport.objects.filter(
        period_id__in=[p.id for p in periods]
    ).values_list("period_id", "task_id", "department_id", "status"):
        statuses[period_id][(task_id, department_id)] = status

    result: list[UnitOwed] = []
    for plan_id in sorted({p.plan_id for p in periods}):
        tasks: dict[int, tuple[int, str]] = {}
        closed: dict[int, dt.datetime | None] = {}  # {task id: when it was closed (办结), None: not recorded}
        for pk, number, text, task_status, completed_at in (
            Task.objects.filter(plan_id=plan_id)
            .annotate(short=Substr("text", 1, _TEXT_PREFIX))
            .values_list("pk", "number", "short", "progress__status", "progress__completed_at")
        ):
            tasks[pk] = (number, short_text(text))
            if task_status == TaskStatus.COMPLETED:
                closed[pk] = completed_at
        # {unit id: [(number, task id, role)]}: the active unit's tasks in this plan, by number
        unit_tasks: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        for task_id, of_task in effective_units(Q(task__plan_id=plan_id)).items():
            task = tasks.get(task_id)
            if task is None:
                continue
            for unit_id, role in of_task.items():
                if unit_id in units:
                    unit_tasks[unit_id].append((task[0], task_id, str(role)))
        for listed in unit_tasks.values():
            listed.sort()
        for period in (p for p in periods if p.plan_id == plan_id):
            reported = statuses.get(period.id, {})
            # The tasks closed (办结) by the end of this period's due date: owed nothing in it.
            released_ids = {
                task_id
                for task_id, completed_at in closed.items()
                if released(closed=True, completed_at=completed_at, due_on=period.report_due_on)
            }
            for unit_id, name in units.items():
                items = []
                for number, task_id, role in unit_tasks.get(unit_id, ()):
                    status = reported.get((task_id, unit_id), NOT_STARTED)
                    if owes_report(status=status, released=task_id in released_ids):
                        items.append(OwedItem(task_id, number, tasks[task_id][1], str(status), role))
                if items:
                    result.append(UnitOwed(period.id, unit_id, name, tuple(items)))
    return result


# --- milestones -------------------------------------------------------------------------------------


def upcoming_milestones(
    *, today: dt.date, within_days: int, units: dict[int, str] | None = None
) -> list[MilestoneInput]:
    """Milestones due from ``today`` to ``within_days`` days later, of tasks not completed, each with
    its task's active lead units. One query, or three when there is one."""
    rows = list(
        Milestone.objects.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=within_days))
        .exclude(task__progress__status=TaskStatus.COMPLETED)
        .annotate(task_short=Substr("task__text", 1, _TEXT_PREFIX))
        .order_by("due_on", "task__number", "position", "pk")
        .values("pk", "task_id", "task__plan_id", "task__number", "task_short", "due_on", "text")
    )
    if not rows:
        return []
    units = active_units() if units is None else units
    pairs = effective_units(Q(task_id__in={row["task_id"] for row in rows}, role=AssignmentRole.LEAD))
    result = []
    for row in rows:
        leads = tuple(
            LeadUnit(unit_id, units[unit_id])
            for unit_id in units  # the units' order
            if pairs.get(row["task_id"], {}).get(unit_id) == AssignmentRole.LEAD
        )
        result.append(
            MilestoneInput(
                id=row["pk"],
                plan_id=row["task__plan_id"],
                task_id=row["task_id"],
                task_number=row["task__number"],
                task_text=row["task_short"],
                due_on=row["due_on"],
                text=row["text"],
                lead_units=leads,
            )
        )
    return result


# --- history and channels -----------------------------------------------------------------------------


def sent_keys(*, period_ids: Iterable[int], milestones_since: dt.date | None = None) -> set[str]:
    """The dedupe keys of the reminders already decided for these periods and of the milestone digests
    decided since ``milestones_since``, plus :func:`reminders.schedule.milestone_key` for every
    milestone those digests listed. Two queries at most."""
    period_ids = list(period_ids)
    keys: set[str] = set()
    if period_ids:
        keys.update(Reminder.objects.filter(period_id__in=period_ids).order_by().values_list("dedupe_key", flat=True))
    if milestones_since is not None:
        for key, department_id, items in (
            Reminder.objects.filter(kind=ReminderKind.MILESTONE, decided_on__gte=milestones_since)
            .order_by()
            .values_list("dedupe_key", "department_id", "items")
        ):
            keys.add(key)
            for item in items or ():
                if isinstance(item, dict) and item.get("milestone_id") is not None and department_id is not None:
                    keys.add(milestone_key(int(item["milestone_id"]), department_id))
    return keys


def unit_channels(department_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """{unit id: its channels} (e-mail, in-app, WeCom and DingTalk robots when their address is set);
    a unit without settings gets :data:`DEFAULT_CHANNELS`. One query."""
    department_ids = set(department_ids)
    channels = dict.fromkeys(department_ids, DEFAULT_CHANNELS)
    if not department_ids:
        return channels
    for row in UnitReminderSettings.objects.filter(department_id__in=department_ids).values(
        "department_id", "email_enabled", "inapp_enabled", "wecom_webhook_url", "dingtalk_webhook_url"
    ):
        wanted = [
            (Channel.EMAIL, row["email_enabled"]),
            (Channel.INAPP, row["inapp_enabled"]),
            (Channel.WECOM, bool(row["wecom_webhook_url"].strip())),
            (Channel.DINGTALK, bool(row["dingtalk_webhook_url"].strip())),
        ]
        channels[row["department_id"]] = tuple(channel for channel, on in wanted if on)
    return channels
