"""Review periods: generated from the plan's cadence, opened and closed by the plan office."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from access.actor import actor_for
from access.rules import check_can_manage_periods, check_plan_open
from progress import signals
from progress.models import PeriodStatus, ReviewCadence, ReviewPeriod
from progress.workflow import PERIOD_TRANSITIONS, check_transition
from tasks.models import EffectiveAssignment, Plan
from xingping_tracker.core.changes import PROGRESS, announce
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

_CHINESE_NUMERALS = "一二三四五六七八九十"


def period_name(year: int, index: int, per_year: int) -> str:
    """ "2024年上半年", "2024年度", "2024年第一季度", "2024年第3期"."""
    if per_year == 1:
        return f"{year}年度"
    if per_year == 2:
        return f"{year}年{'上' if index == 1 else '下'}半年"
    if per_year == 4:
        return f"{year}年第{_CHINESE_NUMERALS[index - 1]}季度"
    return f"{year}年第{index}期"


def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    return dt.date(day.year + month0 // 12, month0 % 12 + 1, 1)


def period_bounds(year: int, index: int, per_year: int) -> tuple[dt.date, dt.date]:
    if 12 % per_year:
        raise ApplicationError(ErrorCode.INVALID, "每年填报期数须能整除12（1、2、3、4、6、12）。")
    months = 12 // per_year
    start = _add_months(dt.date(year, 1, 1), months * (index - 1))
    end = _add_months(start, months) - dt.timedelta(days=1)
    return start, end


def cadence_for(plan: Plan) -> ReviewCadence:
    cadence, _ = ReviewCadence.objects.get_or_create(plan=plan)
    return cadence


@transaction.atomic
def generate_periods(*, plan: Plan, first_year: int | None = None, last_year: int | None = None) -> list[ReviewPeriod]:
    """Create the plan's review periods from its cadence (idempotent: existing periods are kept).

    Years default to the plan period (2021–2025 for 兴平); returns the periods that were created.
    """
    announce(PROGRESS)
    check_plan_open(Plan.objects.only("pk", "title", "state").get(pk=plan.pk))  # as stored now
    cadence = cadence_for(plan)
    first = first_year or (plan.period_start.year if plan.period_start else None)
    last = last_year or (plan.period_end.year if plan.period_end else None)
    if first is None or last is None or last < first:
        raise ApplicationError(ErrorCode.INVALID, "方案没有规划期起止年份，请先在方案中填写规划期或指定年份。")
    existing = set(ReviewPeriod.objects.filter(plan=plan).values_list("starts_on", flat=True))
    created = []
    per_year = cadence.periods_per_year
    for year in range(first, last + 1):
        for index in range(1, per_year + 1):
            start, end = period_bounds(year, index, per_year)
            if start in existing:
                continue
            period = ReviewPeriod(
                plan=plan,
                name=period_name(year, index, per_year),
                starts_on=start,
                ends_on=end,
                report_due_on=end + dt.timedelta(days=cadence.report_due_days),
                meeting_on=end + dt.timedelta(days=cadence.meeting_days),
                is_annual_summary=cadence.last_period_is_annual_summary and index == per_year,
            )
            period.full_clean()
            period.save()
            created.append(period)
    return created


def _move(period_id: int, action: str, *, user: Any) -> ReviewPeriod:
    check_can_manage_periods(actor_for(user))
    with transaction.atomic():
        announce(PROGRESS)
        period = ReviewPeriod.objects.select_for_update().get(pk=period_id)
        if action == "open":  # an ended plan's periods stay closed
            check_can_manage_periods(
                actor_for(user), plan=Plan.objects.only("pk", "title", "state").get(pk=period.plan_id)
            )
        transition = check_transition(PERIOD_TRANSITIONS, action, period.status)
        period.status = transition.target
        now = timezone.now()
        if transition.target == PeriodStatus.OPEN:
            period.opened_at = now
        else:
            period.closed_at = now
        period._history_user = user
        period.save()
        # Every unit with a task in the plan is told, in the same transaction (nothing if it rolls back).
        units = (
            EffectiveAssignment.objects.filter(task__plan_id=period.plan_id, is_primary=True)
            .order_by()
            .values_list("department_id", flat=True)
            .distinct()
        )
        signals.period_moved.send(
            sender=ReviewPeriod,
            period=period,
            department_ids=list(units),
            opened=transition.target == PeriodStatus.OPEN,
        )
    return period


def open_period(*, period: ReviewPeriod | int, user: Any) -> ReviewPeriod:
    """Open a planned period, or reopen a closed one for late reports."""
    return _move(period.pk if isinstance(period, ReviewPeriod) else period, "open", user=user)


def close_period(*, period: ReviewPeriod | int, user: Any) -> ReviewPeriod:
    """Close (freeze) an open period: no more edits or submissions until it is reopened."""
    return _move(period.pk if isinstance(period, ReviewPeriod) else period, "close", user=user)
