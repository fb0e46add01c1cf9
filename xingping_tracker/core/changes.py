"""Announcing that the plan's data changed: said by the service that made the change, heard on commit.

A service that writes plan, unit or progress data calls :func:`announce` with what it changed
(``"plan"``, ``"units"``, ``"progress"``), as it writes its events. Nothing happens then: the
announcement waits for the transaction to commit (``transaction.on_commit``), and the topics of one
transaction are sent together once, as :data:`data_changed`; a transaction or savepoint that rolls
back before anything else was announced announces nothing, since nobody else saw its rows (a
savepoint rolled back after its transaction announced something may leave its topics in: a false
alarm costs a receiver one recomputation, never a wrong number). Outside a transaction (autocommit) the
signal is sent at once, the write being committed already.

Receivers (the dashboard's cache stamp and refresh job) hear the committed change. A receiver that
fails is logged and never turns the committed write into an error: ``send_robust``.

Writes made outside the services (a shell, psql, a data migration) announce nothing; the dashboard
bounds how long they go unseen (``DASHBOARD_CACHE_SECONDS``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

PLAN = "plan"  # plans, sections, tasks, assignments, milestones, targets
UNITS = "units"  # departments, aliases, groups, memberships
PROGRESS = "progress"  # periods, reports, actuals, events, extensions, task closing
TOPICS = frozenset({PLAN, UNITS, PROGRESS})

# Sent once per committed transaction that announced something; ``topics`` is a frozenset of TOPICS.
data_changed = Signal()

_PENDING_ATTR = "_announced_changes"


class _Pending:
    """The topics one transaction announced, and the on-commit callback that sends them."""

    def __init__(self, topics: set[str]) -> None:
        self.topics = topics

    def __call__(self) -> None:
        _send(frozenset(self.topics))


def announce(*topics: str, using: str | None = None) -> None:
    """Say that this transaction changed ``topics``; receivers hear it once, after the commit."""
    unknown = set(topics) - TOPICS
    if unknown or not topics:
        raise ValueError(f"unknown change topics: {sorted(unknown) or 'none given'}")
    alias = using or DEFAULT_DB_ALIAS
    connection = connections[alias]
    if not connection.in_atomic_block:
        _send(frozenset(topics))
        return
    pending: _Pending | None = getattr(connection, _PENDING_ATTR, None)
    # Still registered for this transaction (Django drops the callbacks of a rolled-back one)?
    if pending is not None and any(func is pending for _sids, func, _robust in connection.run_on_commit):
        pending.topics.update(topics)
        return
    pending = _Pending(set(topics))
    setattr(connection, _PENDING_ATTR, pending)
    transaction.on_commit(pending, using=alias)


def announce_all(topics: Iterable[str], *, using: str | None = None) -> None:
    """:func:`announce` for a collection of topics (nothing when it is empty)."""
    topics = tuple(topics)
    if topics:
        announce(*topics, using=using)


def _send(topics: frozenset[str]) -> None:
    for receiver, result in data_changed.send_robust(sender=None, topics=topics):
        if isinstance(result, Exception):
            logger.error(
                "a receiver of data_changed failed after the commit (%s)",
                getattr(receiver, "__qualname__", receiver),
                exc_info=(type(result), result, result.__traceback__),
            )
