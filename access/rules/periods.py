"""Review periods: filling needs an open period; only the plan office opens and closes them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from access.actor import Actor
from access.rules._errors import denied
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

if TYPE_CHECKING:
    from progress.models import ReviewPeriod


def check_period_open(period: ReviewPeriod) -> None:
    if not period.is_open:
        raise ApplicationError(
            ErrorCode.PERIOD_NOT_OPEN,
            f"“{period.name}”填报期{period.get_status_display()}，不能填报或修改；如需补报，请联系规划科重新开放本期。",
            extra={"period_status": period.status},
        )


def check_can_manage_periods(actor: Actor) -> None:
    if not actor.is_reviewer:
        raise denied("只有规划科可以开放或关闭填报期。")
