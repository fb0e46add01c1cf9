"""When the dashboard's inputs last changed: a stamp kept in the cache, moved on by every committed
change that a service announced (:mod:`xingping_tracker.core.changes`).

The dashboard's numbers are read from many tables (tasks, sections, assignments and their
expansions, unit groups, periods, reports, actuals, extensions). Each service that writes them says
so with ``announce(...)``; on commit :func:`changed` hears it, moves the stamp on and asks the
Celery worker to compute the new overview (:mod:`dashboard.tasks`). A rolled-back transaction
announces nothing.

Readers put the stamp into their cache keys (:mod:`dashboard.selectors.cached`); a change makes
every earlier entry unreachable. A reader takes the stamp *before* it reads the data, so what it
stores is never older than its key says.

Never slow, never failing: the write is committed when :func:`changed` runs, so a cache or broker
that does not answer is logged and skipped (the cache is configured with short socket timeouts,
the broker with no retries; see the settings), and both are left alone for a short while after a
failure (:data:`BACK_OFF_SECONDS`) so that a clerk saving ten reports during an outage waits for
none of them.

Limits: a write made outside the services (psql, a shell) is not announced; cached entries expire
after ``DASHBOARD_CACHE_SECONDS`` for that reason. The stamp lives in the ``default`` cache, so
several processes (gunicorn workers, the Celery worker) must share one cache (Redis: ``CACHE_URL``,
required by the production settings); the local-memory default is right for one process only.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)

STAMP_KEY = "dashboard:data-stamp"

# After the cache failed to answer, the change path leaves it alone this long (seconds).
BACK_OFF_SECONDS = 30.0
_cache_down_until = 0.0


def current_stamp() -> int:
    """The stamp now. Created, when missing (first use, or evicted), from the clock in nanoseconds:
    larger than any value before it, so a lost stamp can never bring an old entry back."""
    stamp = cache.get(STAMP_KEY)
    if stamp is None:
        cache.add(STAMP_KEY, time.time_ns(), timeout=None)
        stamp = cache.get(STAMP_KEY)
    return int(stamp) if stamp is not None else time.time_ns()


def bump() -> None:
    """Move the stamp on (every cache entry keyed with an earlier stamp is then out of date)."""
    try:
        cache.incr(STAMP_KEY)
    except ValueError:  # missing: start a new, larger one
        cache.add(STAMP_KEY, time.time_ns(), timeout=None)
        try:
            cache.incr(STAMP_KEY)
        except ValueError:
            cache.set(STAMP_KEY, time.time_ns(), timeout=None)


def changed(sender: Any = None, topics: frozenset[str] = frozenset(), **kwargs: Any) -> None:
    """A committed change (the receiver of ``data_changed``): move the stamp on and ask the worker to
    refresh the cached overview (:func:`dashboard.tasks.schedule_refresh`; nothing without a broker).

    Never raises: the write it follows is already committed, and a cache that does not answer must
    not turn a saved report into an error page (the entries it holds expire after
    ``DASHBOARD_CACHE_SECONDS``)."""
    global _cache_down_until
    now = time.monotonic()
    if now < _cache_down_until:
        return
    try:
        bump()
    except Exception:
        _cache_down_until = now + BACK_OFF_SECONDS
        logger.error("dashboard data stamp not moved: the cache did not answer", exc_info=True)
        return
    from dashboard.tasks import schedule_refresh

    schedule_refresh()


def reset_back_off() -> None:
    """Forget a past failure of the cache or the broker (tests, and a process that knows better)."""
    global _cache_down_until
    _cache_down_until = 0.0
    from dashboard.tasks import reset_back_off as reset_broker_back_off

    reset_broker_back_off()


def warm_up() -> None:
    """Import the Redis client and the broker's publishing machinery at start-up (about half a second
    each), so that the first change after start-up does not pay for it inside a clerk's request.
    Nothing is sent and no connection is made."""
    from django.conf import settings

    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        import redis  # noqa: F401

    from dashboard.tasks import warm_up_publisher

    warm_up_publisher()


def connect() -> None:
    """Hear the services' announcements (called once, from the app's ``ready``)."""
    from xingping_tracker.core.changes import data_changed

    data_changed.connect(changed, dispatch_uid="dashboard.freshness")


