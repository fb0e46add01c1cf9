"""The dashboard's overview, kept in the cache until its inputs change.

:func:`period_overview` reads every task of the plan (counted from the stored task states:
:mod:`progress.state_store`); the dashboard page and ``GET /api/dashboard/`` show the same numbers
to every viewer until somebody changes a report, a task or an assignment. So they ask
:func:`dashboard_overview`, which keys a summary of the overview by the period, the day (lights
depend on it) and the data stamp of :mod:`dashboard.freshness` (moved on by every committed write
to the tables it reads): a hit is the same Overview, without per-task states, with the first
``CACHED_ATTENTION`` attention tasks.

Computed afresh (and not stored), with every attention task, inside a transaction: there the
reader may see rows nobody else can (its own uncommitted writes), or, on SQLite, a snapshot older
than the stamp it would key them by. The dashboard views therefore run outside
``ATOMIC_REQUESTS`` (they only read; the trend points they may store are written in their own
transaction).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from dashboard import freshness
from dashboard.selectors.overview import Overview, period_overview
from progress.models import ReviewPeriod

logger = logging.getLogger(__name__)

CACHED_ATTENTION = 200  # attention tasks kept in a cached summary (the API's default limit)


def cache_key(period: ReviewPeriod, today: dt.date, stamp: int) -> str:
    return f"dashboard:overview:{period.pk}:{today.isoformat()}:{stamp}"


def _summary(period: ReviewPeriod, today: dt.date, attention: int | None) -> Overview:
    """The overview without per-task states and with the first ``attention`` attention tasks (all
    when None), counted from the stored task states (:func:`dashboard.selectors.overview.period_overview`)."""
    return period_overview(period, today=today, with_states=False, attention=attention)


def dashboard_overview(period: ReviewPeriod, *, today: dt.date | None = None, attention: int = 0) -> Overview:
    """The period's overview for showing (``states`` left empty), with at least ``attention``
    attention tasks (more than ``CACHED_ATTENTION`` is computed afresh)."""
    today = today or timezone.localdate()
    if connection.in_atomic_block or attention > CACHED_ATTENTION:
        return _summary(period, today, None)
    try:
        stamp = freshness.current_stamp()  # before the data is read: what is stored is never older
        key = cache_key(period, today, stamp)
        summary = cache.get(key)
    except Exception:  # a cache that does not answer: the numbers computed afresh, as without a cache
        logger.warning("dashboard overview computed without the cache: it did not answer", exc_info=True)
        return _summary(period, today, CACHED_ATTENTION)
    if summary is None:
        summary = _summary(period, today, CACHED_ATTENTION)
        try:
            cache.set(key, summary, settings.DASHBOARD_CACHE_SECONDS)
        except Exception:
            logger.warning("dashboard overview not stored: the cache did not answer", exc_info=True)
    return summary
