"""When the dashboard's inputs last changed: a stamp kept in the cache, moved on by every committed
write to the plan, unit and progress tables.

The dashboard's numbers are read from many tables (tasks, sections, assignments and their
expansions, unit groups, periods, reports, actuals, extensions). Rather than each service
remembering to say it changed one of them, every statement Django sends to the database passes
through :func:`_watch` (installed on each new connection by :func:`install`): a statement that
writes (``INSERT``/``UPDATE``/``DELETE``/…) and names a watched table moves the stamp on, at once
in autocommit mode, or when the transaction commits (``transaction.on_commit``, once per
transaction; a rolled-back transaction moves nothing, since nobody else saw its rows). That covers
the ORM, ``bulk_create``, ``QuerySet.update()``, django-simple-history and raw SQL alike.

Readers put the stamp into their cache keys (:mod:`dashboard.selectors.cached`); a write makes
every earlier entry unreachable, and asks the Celery worker to compute the new one
(:mod:`dashboard.tasks`). A reader takes the stamp *before* it reads the data, so what it
stores is never older than its key says.

Limits: a write made outside Django (psql, another program) is not seen; cached entries expire
after ``DASHBOARD_CACHE_SECONDS`` for that reason. The stamp lives in the ``default`` cache, so
several processes (gunicorn workers, the Celery worker) must share one cache (Redis: ``CACHE_URL``,
required by the production settings); the local-memory default is right for one process only.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)

STAMP_KEY = "dashboard:data-stamp"

# Tables of these apps feed the dashboard (their history tables too: harmless, they change together).
WATCHED_PREFIXES = ("tasks_", "departments_", "progress_")

# Statements that only read, or manage transactions: never a change.
_READ_ONLY_HEADS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET", "PRAGMA", "SHOW", "EXPLAIN")
# A common table expression reads unless its statement writes (PostgreSQL allows WITH … INSERT/UPDATE/DELETE).
_WRITE_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


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


def is_change(sql: Any) -> bool:
    """Whether ``sql`` writes to a watched table (a conservative reading: a write statement that
    names one; a false positive costs one recomputation, never a wrong number)."""
    if not isinstance(sql, str):
        sql = str(sql)
    head = sql.lstrip(" \t\r\n(")[:16].upper()
    if head.startswith(_READ_ONLY_HEADS):
        return False
    if not any(prefix in sql for prefix in WATCHED_PREFIXES):
        return False
    if head.startswith("WITH"):
        # "FOR UPDATE" locks rows, it does not change them.
        return _WRITE_WORD.search(sql.replace("FOR UPDATE", "")) is not None
    return True


def changed() -> None:
    """A committed change: move the stamp on and ask the worker to refresh the cached overview
    (:func:`dashboard.tasks.schedule_refresh`; nothing without a broker).

    Never raises: the write it follows is already committed, and a cache that does not answer must
    not turn a saved report into an error page (the entries it holds expire after
    ``DASHBOARD_CACHE_SECONDS``)."""
    try:
        bump()
        from dashboard.tasks import schedule_refresh

        schedule_refresh()
    except Exception:
        logger.error("dashboard data stamp not moved: the cache did not answer", exc_info=True)


def _changed_on_commit(connection: BaseDatabaseWrapper) -> None:
    """One :func:`changed` when the connection's transaction commits (a second write in the same
    transaction finds it registered; Django forgets it when the transaction or savepoint is rolled back)."""
    if any(func is changed for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(changed, using=connection.alias)


def _watch(
    execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    result = execute(sql, params, many, context)
    if is_change(sql):
        connection = context["connection"]
        if connection.in_atomic_block:
            _changed_on_commit(connection)
        else:
            changed()
    return result


def _install_on(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def install() -> None:
    """Watch every connection Django opens from now on (and any already open)."""
    from django.db import connections

    connection_created.connect(_install_on, dispatch_uid="dashboard.freshness")
    for connection in connections.all(initialized_only=True):
        _install_on(None, connection)
