"""The dashboard's overview, kept in the cache until its inputs change.

:func:`period_overview` reads every task of the plan (about half a second for 10,000 tasks); the
dashboard page and ``GET /api/dashboard/`` show the same numbers to every viewer until somebody
changes a report, a task or an assignment. So they ask :func:`dashboard_overview`, which keys a
summary of the overview by the period, the day (lights depend on it) and the data stamp of
:mod:`dashboard.freshness` (moved on by every committed write to the tables it reads): a hit is the
same Overview, without per-task states, with the first ``CACHED_ATTENTION`` attention tasks.

Computed afresh (and not stored) inside a transaction: there the reader may see rows nobody else
can (its own uncommitted writes), or, on SQLite, a snapshot older than the stamp it would key them
by. The dashboard views therefore run outside ``ATOMIC_REQUESTS`` (they only read; the trend points
they may store are written in their own transaction).
"""

from __future__ import annotations

import dataclasses
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


def dashboard_overview(period: ReviewPeriod, *, today: dt.date | None = None, attention: int = 0) -> Overview:
    """The period's overview for showing (``states`` left empty), with at least ``attention``
    attention tasks (more than ``CACHED_ATTENTION`` is computed afresh)."""
    today = today or timezone.localdate()
    if connection.in_atomic_block or attention > CACHED_ATTENTION:
        return period_overview(period, today=today)
    try:
        stamp = freshness.current_stamp()  # before the data is read: what is stored is never older
        key = cache_key(period, today, stamp)
        summary = cache.get(key)
    except Exception:  # a cache that does not answer: the numbers computed afresh, as without a cache
        logger.warning("dashboard overview computed without the cache: it did not answer", exc_info=True)
        return period_overview(period, today=today)
    if summary is None:
        overview = period_overview(period, today=today)
        summary = dataclasses.replace(overview, states={}, attention=overview.attention[:CACHED_ATTENTION])
        try:
            cache.set(key, summary, settings.DASHBOARD_CACHE_SECONDS)
        except Exception:
            logger.warning("dashboard overview not stored: the cache did not answer", exc_info=True)
    return summary
