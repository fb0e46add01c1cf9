"""Celery job of the dashboard: refresh the cached overview after a change.

The dashboard is served from a cached overview (:mod:`dashboard.selectors.cached`) that a committed
write makes out of date; the first viewer after a write would wait for the whole plan to be read
again (about a third of a second for 10,000 tasks). During the reporting window clerks save all
day, so that first view is common. Instead, every change (:mod:`dashboard.freshness`) asks for
``dashboard.refresh_overview``: one job a few seconds later (``DASHBOARD_REFRESH_DELAY_SECONDS``;
the changes of that moment share it) computes the overview of the periods people look at — every
open period, or the latest period that has started when none is open — and stores it under the new
stamp, so the next viewer finds it ready.

The same job runs every day at 00:05 (``reminders.services.beat_schedule``): lights depend on the
day, so the day's first overview computes every task's state again (:mod:`progress.state_store`);
the job does it before the first viewer comes.

Only with a broker: without one (``make run``) jobs would run inline, in the request that saved
the report, so nothing is scheduled and the first viewer computes, as before. A broker that does
not answer never fails the write that asked: the refresh is skipped with a warning.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

PENDING_KEY = "dashboard:refresh-pending"


# After the broker failed to take a job, changes leave it alone this long (seconds): the viewer
# computes the overview meanwhile, as without a broker, and the next change afterwards schedules.
BACK_OFF_SECONDS = 10.0
_broker_down_until = 0.0
# The writer's request waits at most about this long for a broker that does not answer.
PUBLISH_TIMEOUT_SECONDS = 0.1
PUBLISH_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": PUBLISH_TIMEOUT_SECONDS,
    "socket_timeout": PUBLISH_TIMEOUT_SECONDS,
    "max_retries": 0,
}


def reset_back_off() -> None:
    global _broker_down_until
    _broker_down_until = 0.0


def schedule_refresh() -> bool:
    """Ask for one refresh after the delay unless one is already waiting; whether one was asked for.

    Never raises and never waits long: the broker is asked once, without retries and with short
    socket timeouts (a connection of its own, :data:`PUBLISH_TRANSPORT_OPTIONS`: the worker's
    connections keep the usual ones); after a failure it is not asked again for
    ``BACK_OFF_SECONDS``."""
    global _broker_down_until
    from xingping_tracker.celery import app

    if app.conf.task_always_eager:  # no broker: it would run here and now, in the writer's request
        return False
    now = time.monotonic()
    if now < _broker_down_until:
        return False
    delay = settings.DASHBOARD_REFRESH_DELAY_SECONDS
    # The flag outlives the delay so a lost job does not block refreshes for long; a job that waited
    # longer than that (the worker was down) is dropped by the worker rather than run in a pile.
    wait = delay + 60
    try:
        if not cache.add(PENDING_KEY, 1, timeout=wait):
            return False
    except Exception:
        logger.warning("dashboard refresh not scheduled: the cache did not answer", exc_info=True)
        return False
    try:
        with app.connection_for_write(
            connect_timeout=PUBLISH_TIMEOUT_SECONDS, transport_options=PUBLISH_TRANSPORT_OPTIONS
        ) as connection:
            refresh_overview.apply_async(countdown=delay, expires=wait, retry=False, connection=connection)
    except Exception:  # the broker is down: the first viewer will compute, as without a broker
        _broker_down_until = now + BACK_OFF_SECONDS
        try:
            cache.delete(PENDING_KEY)
        except Exception:
            logger.warning("dashboard refresh flag not cleared: the cache did not answer", exc_info=True)
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


def warm_up_publisher() -> None:
    """Load the broker's transport and the publishing machinery now, at start-up (about 0.7 s of
    imports), rather than in the first writer's request. Nothing is sent; no connection is made."""
    from xingping_tracker.celery import app

    if app.conf.task_always_eager:
        return
    connection = app.connection_for_write(transport_options=PUBLISH_TRANSPORT_OPTIONS)
    try:
        connection.transport  # noqa: B018 - resolving the transport class imports it
        app.amqp.router  # noqa: B018
        app.amqp.send_task_message  # noqa: B018
        refresh_overview.Request  # noqa: B018
    finally:
        connection.release()
