"""Review periods: filling needs an open period of a plan still in progress; only the plan office
opens and closes periods, and a plan that has ended (已结束) is read-only: no report is started,
saved, submitted or reviewed in it and none of its periods is opened again (every page, API route and
upload asks these rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from access.actor import Actor
from access.rules._errors import denied
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

if TYPE_CHECKING:
    from progress.models import ReviewPeriod
    from tasks.models import Plan

PLAN_CLOSED_MESSAGE = "“{title}”已结束，只能查看和导出，不能再填报、审核或开放填报期。"


def plan_closed_error(plan: Plan, code: ErrorCode = ErrorCode.PLAN_CLOSED) -> ApplicationError:
    return ApplicationError(code, PLAN_CLOSED_MESSAGE.format(title=plan.title), extra={"plan_state": plan.state})


def check_plan_open(plan: Plan) -> None:
    """Refuse any write into a plan that has ended."""
    if plan.is_closed:
        raise plan_closed_error(plan)


def _plan_of(period: ReviewPeriod) -> Plan:
    """The period's plan as stored now (one query: a plan object held since before the plan ended
    must not let a write through)."""
    from tasks.models import Plan

    return Plan.objects.only("pk", "title", "state").get(pk=period.plan_id)


def check_period_open(period: ReviewPeriod) -> None:
    if period.is_open:
        # A period of an ended plan is closed with it; this also refuses one opened behind the rules' back.
        plan = _plan_of(period)
        if plan.is_closed:
            raise plan_closed_error(plan, ErrorCode.PERIOD_NOT_OPEN)
        return
    raise ApplicationError(
        ErrorCode.PERIOD_NOT_OPEN,
        f"“{period.name}”填报期{period.get_status_display()}，不能填报或修改；如需补报，请联系规划科重新开放本期。",
        extra={"period_status": period.status},
    )


def check_can_manage_periods(actor: Actor, *, plan: Plan | None = None) -> None:
    """The plan office opens, closes and generates periods, of a plan that has not ended."""
    if not actor.is_reviewer:
        raise denied("只有规划科可以开放或关闭填报期。")
    if plan is not None:
        check_plan_open(plan)


def check_can_manage_plans(actor: Actor) -> None:
    """Ending a plan and carrying its unfinished tasks into another: the plan office."""
    if not actor.is_reviewer:
        raise denied("只有规划科可以结束方案或转入未完成任务。")
