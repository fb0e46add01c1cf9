"""A closed period's trend point, stored when the period closes.

A closed period is frozen, so the dashboard's trend point of it (:mod:`dashboard.selectors.overview`)
is computed once. Left to the first overview that reads it, that computation (the plan's tasks
against the period's lead reports) fell on the first leader to open the dashboard after a closing,
and on every viewer's first look at a plan whose points were missing. Instead, the closing stores
it: the period service tells of the closing inside its transaction (``progress.signals.period_moved``)
and, once that commits, :func:`dashboard.selectors.overview.store_closed_point` computes and stores
the point in the closing's request (a closing rolled back stores nothing).

Never failing the closing: it is committed when this runs, so an error is logged and the point is
left to the first overview that reads it, as before.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def store_point(period_id: int) -> None:
    """Store the trend point of the period just closed (the on-commit callback); never raises."""
    from dashboard.selectors.overview import store_closed_point

    try:
        store_closed_point(period_id)
    except Exception:
        logger.exception("trend point of closed period %s not stored: the first overview computes it", period_id)


def period_moved(sender: Any = None, *, period: Any, opened: bool, **kwargs: Any) -> None:
    """The receiver of ``period_moved``: on a closing, store its point once the closing commits."""
    if not opened:
        transaction.on_commit(partial(store_point, period.pk))


def connect() -> None:
    """Hear the period service (called once, from the app's ``ready``)."""
    from progress import signals

    signals.period_moved.connect(period_moved, dispatch_uid="dashboard.closings", weak=False)
