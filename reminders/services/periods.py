"""Review periods roll over by schedule: the next period of each plan is created before it starts.

Beat runs :func:`roll_over_periods` daily (``reminders.roll_over_periods``). For each plan with at
least one period, when today is within ``lead_days`` (30) days of the end of its last period, the
period after it is created from the plan's cadence (:class:`progress.models.ReviewCadence`: periods
per year, report due and meeting days after the period's end, annual summary), with the same names
and dates as :func:`progress.services.periods.generate_periods`. It is created ``planned``: the plan
office opens it. The roll-over stops at the end of the plan period (``Plan.period_end``): periods
after a five-year plan are the plan office's decision (``generate_periods`` with explicit years).
A plan without any period is left to the plan office too.

Idempotent and race-safe: the next period follows from the last existing one, and a period another
run created meanwhile (unique start per plan) is kept, not duplicated. When the roll-over has not
run for a while, every missing period up to the one ending after today + ``lead_days`` is created.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from progress.models import PeriodStatus, ReviewCadence, ReviewPeriod
from progress.services.periods import period_bounds, period_name
from reminders import workdays
from tasks.models import Plan

logger = logging.getLogger(__name__)

DEFAULT_LEAD_DAYS = 30


@dataclass
class RollOverResult:
    today: dt.date
    created: list[ReviewPeriod] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.created:
            return f"{self.today}: no period created"
        names = ", ".join(f"{period.name} (plan {period.plan_id})" for period in self.created)
        return f"{self.today}: created {names}"


def next_period_slot(last_ends_on: dt.date, per_year: int) -> tuple[int, int]:
    """(year, index) of the first cadence slot starting after ``last_ends_on`` (a period whose dates
    the plan office changed, e.g. ending on 15 December, is followed by the next whole slot)."""
    day = last_ends_on + dt.timedelta(days=1)
    months = 12 // per_year
    year, index = day.year, (day.month - 1) // months + 1
    if period_bounds(year, index, per_year)[0] < day:
        year, index = (year + 1, 1) if index == per_year else (year, index + 1)
    return year, index


def roll_over_periods(*, today: dt.date | None = None, lead_days: int = DEFAULT_LEAD_DAYS) -> RollOverResult:
    """Create, for every plan, the periods that start after its last one and should exist by now
    (see the module docstring). Returns what it created."""
    today = today or workdays.shanghai_today()
    result = RollOverResult(today=today)
    last_by_plan: dict[int, ReviewPeriod] = {}
    for period in ReviewPeriod.objects.order_by("plan_id", "starts_on"):
        last_by_plan[period.plan_id] = period
    plans = Plan.objects.filter(pk__in=list(last_by_plan)).only("pk", "period_end")
    for plan in plans:
        result.created.extend(_roll_over_plan(plan, last_by_plan[plan.pk], today=today, lead_days=lead_days))
    if result.created:
        logger.info("period roll-over %s", result)
    return result


def _roll_over_plan(plan: Plan, last: ReviewPeriod, *, today: dt.date, lead_days: int) -> list[ReviewPeriod]:
    cadence, _ = ReviewCadence.objects.get_or_create(plan=plan)
    per_year = cadence.periods_per_year
    if 12 % per_year:
        logger.warning("plan %s: %s periods a year do not divide the year; no roll-over", plan.pk, per_year)
        return []
    created = []
    while (last.ends_on - today).days <= lead_days:
        year, index = next_period_slot(last.ends_on, per_year)
        start, end = period_bounds(year, index, per_year)
        if plan.period_end is not None and start > plan.period_end:
            break
        period = ReviewPeriod(
            plan=plan,
            name=period_name(year, index, per_year),
            starts_on=start,
            ends_on=end,
            report_due_on=end + dt.timedelta(days=cadence.report_due_days),
            meeting_on=end + dt.timedelta(days=cadence.meeting_days),
            is_annual_summary=cadence.last_period_is_annual_summary and index == per_year,
            status=PeriodStatus.PLANNED,
        )
        existing = ReviewPeriod.objects.filter(plan=plan, starts_on=start).first()
        if existing is None:
            try:
                with transaction.atomic():
                    period.full_clean()
                    period.save()
            except ValidationError as exc:  # e.g. a period of that name with other dates: the plan office decides
                logger.warning("plan %s: period %s not created: %s", plan.pk, period.name, exc)
                break
            except IntegrityError:  # another run created it meanwhile: keep theirs
                existing = ReviewPeriod.objects.get(plan=plan, starts_on=start)
            else:
                created.append(period)
        last = existing or period
    return created
