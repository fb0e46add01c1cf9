"""Reads of the evaluation app: the period a plan is evaluated in, its unfinished tasks, the plans
tasks can be carried into. The task standings are the dashboard's (``dashboard.selectors.overview``):
"completed" here is ``TaskState.is_completed``, never a definition of its own."""

from __future__ import annotations

import datetime as dt

from progress.models import PeriodStatus, ReviewPeriod
from progress.states import task_states
from tasks.models import Plan, PlanState, Task
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode


def plan_periods(plan: Plan | int) -> list[ReviewPeriod]:
    plan_id = plan.pk if isinstance(plan, Plan) else plan
    return list(ReviewPeriod.objects.filter(plan_id=plan_id).order_by("starts_on", "pk"))


def evaluated_periods(plan: Plan | int, *, as_of: dt.date) -> list[ReviewPeriod]:
    """The plan's periods that had started by ``as_of`` and were opened at some time (a period never
    opened asked nobody for anything), in order."""
    return [p for p in plan_periods(plan) if p.starts_on <= as_of and (p.status != PeriodStatus.PLANNED or p.opened_at)]


def reference_period(plan: Plan | int, *, as_of: dt.date) -> ReviewPeriod | None:
    """The period the plan's standing is read in as of ``as_of``: the latest period started by then
    (opened or not), else the plan's first period; None for a plan without periods."""
    periods = plan_periods(plan)
    started = [p for p in periods if p.starts_on <= as_of]
    if started:
        return started[-1]
    return periods[0] if periods else None


def unfinished_task_ids(plan: Plan, *, as_of: dt.date) -> list[int]:
    """The plan's tasks not completed as of ``as_of`` (the dashboard's ``is_completed`` in the
    reference period), in number order. A plan without periods: every task (nothing was reported)."""
    period = reference_period(plan, as_of=as_of)
    if period is None:
        return list(Task.objects.filter(plan=plan).order_by("number").values_list("pk", flat=True))
    return [pk for pk, state in task_states(period, today=as_of).items() if not state.is_completed]


def unfinished_tasks(plan: Plan, *, as_of: dt.date) -> list[Task]:
    """:func:`unfinished_task_ids` as tasks (number, text and what they were carried into), in number order."""
    ids = unfinished_task_ids(plan, as_of=as_of)
    by_id = {t.pk: t for t in Task.objects.filter(pk__in=ids).only("pk", "number", "text", "binding")}
    return [by_id[pk] for pk in ids if pk in by_id]


def carried_out_count(plan: Plan) -> int:
    """How many of the plan's tasks were carried into another plan."""
    return Task.objects.filter(carried_from__plan=plan).count()


def carry_targets(plan: Plan) -> list[Plan]:
    """The plans unfinished tasks of ``plan`` may be carried into: any other plan still in progress."""
    return list(
        Plan.objects.defer("source_text")
        .filter(state=PlanState.ACTIVE)
        .exclude(pk=plan.pk)
        .order_by("-issued_on", "-pk")
    )


def get_plan(plan_id: int | str) -> Plan:
    try:
        return Plan.objects.defer("source_text").get(pk=int(plan_id))
    except (Plan.DoesNotExist, TypeError, ValueError):
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该方案。") from None
