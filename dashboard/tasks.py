"""Celery job of the dashboard: refresh the cached overview after a change.

The dashboard is served from a cached overview (:mod:`dashboard.selectors.cached`) that a committed
write makes out of date; the first viewer after a write would wait for the whole plan to be read
again (about a third of a second for 10,000 tasks). During the reporting window clerks save all
day, so that first view is common. Instead, every change (:mod:`dashboard.freshness`) asks for
``dashboard.refresh_overview``: one job a few seconds later (``DASHBOARD_REFRESH_DELAY_SECONDS``;
the changes of that moment share it) computes the overview of the periods people look at — every
open period, or the latest period that has started when none is open — and stores it under the new
stamp, so the next viewer finds it ready.

Only with a broker: without one (``make run``) jobs would run inline, in the request that saved
the report, so nothing is scheduled and the first viewer computes, as before. A broker that does
not answer never fails the write that asked: the refresh is skipped with a warning.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

PENDING_KEY = "dashboard:refresh-pending"


def schedule_refresh() -> bool:
    """Ask for one refresh after the delay unless one is already waiting; whether one was asked for."""
    from xingping_tracker.celery import app

    if app.conf.task_always_eager:  # no broker: it would run here and now, in the writer's request
        return False
    delay = settings.DASHBOARD_REFRESH_DELAY_SECONDS
    # The flag outlives the delay so a lost job does not block refreshes for long; a job that waited
    # longer than that (the worker was down) is dropped by the worker rather than run in a pile.
    wait = delay + 60
    if not cache.add(PENDING_KEY, 1, timeout=wait):
        return False
    try:
        refresh_overview.apply_async(countdown=delay, expires=wait, retry=False)
    except Exception:  # the broker is down: the first viewer will compute, as without a broker
        cache.delete(PENDING_KEY)
        logger.warning("dashboard refresh not scheduled: the broker did not answer", exc_info=True)
        return False
    return True


@shared_task(name="dashboard.refresh_overview", acks_late=True, ignore_result=True)
def refresh_overview() -> str:
    from dashboard.selectors.cached import dashboard_overview
    from dashboard.selectors.periods import viewed_periods

    # Changes from now on ask for a job of their own (this one may read before they commit).
    cache.delete(PENDING_KEY)
    periods = viewed_periods()
    for period in periods:
        dashboard_overview(period)
    return ", ".join(period.name for period in periods)
