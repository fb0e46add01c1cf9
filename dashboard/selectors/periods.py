"""Which review periods the dashboard shows."""

from __future__ import annotations

from progress.models import PeriodStatus, ReviewPeriod
from progress.selectors.review import latest_open_period


def default_period() -> ReviewPeriod | None:
    """The period shown without ``?period=``: the latest open period, else the latest one that has
    started (None before the first period is opened)."""
    period = latest_open_period()
    if period is None:
        period = (
            ReviewPeriod.objects.select_related("plan")
            .exclude(status=PeriodStatus.PLANNED)
            .order_by("-starts_on", "-pk")
            .first()
        )
    return period


def viewed_periods() -> list[ReviewPeriod]:
    """The periods people look at: every open period (the reporting windows), or the default period
    when none is open."""
    periods = list(
        ReviewPeriod.objects.filter(status=PeriodStatus.OPEN).select_related("plan").order_by("plan_id", "starts_on")
    )
    if not periods:
        period = default_period()
        periods = [period] if period is not None else []
    return periods
