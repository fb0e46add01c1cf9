"""Stored task standings: the lead cells of each (period, task) with their reports and the task's
silent supporting cells — what :func:`progress.states.lead_cell_rows` computes, the costly part of
every task state — kept in :class:`progress.models.StandingCell`, so that a reader of a whole plan
computes again only the tasks whose inputs changed since the last read.

- **The rule stays in one place.** Rows are only ever written from ``lead_cell_rows``' own output;
  nothing here decides a standing.
- **Every write path keeps it current**, because none has to remember it: database triggers
  (migration ``progress.0004_standings``) bump a task's :class:`~progress.models.StandingStamp` in
  the same transaction as any insert, update or delete of the task's progress reports, its
  effective-assignment rows or its TaskProgress row — services, the admin, bulk updates, data
  migrations and raw SQL alike — and of the task's own number, section, binding flag and deadline
  (migration ``progress.0006_task_field_stamps``: what the stored task states of
  :mod:`progress.state_store` are computed from). The period's own input, its report due date, is
  stored on each row.
- **A stored row is read only while it is current**: its stamp equals the task's stamp, read
  *before* the rows are computed again (so a row can only be tagged with a stamp older than the data
  it was computed from, which makes it stale, never wrong), and its due date is the period's.
  Stale rows are computed again and replaced on the next read, in one savepoint per read; a failed
  store (a concurrent writer, a read-only database) is logged and the read still answers from what
  it computed.
- Rows of one (period, task, stamp) are written in one statement inside that savepoint, so a
  current stamp always finds the task's complete set of rows.
- The cost on the write side: one upsert of the task's stamp row per written row (SQLite) or per
  statement (PostgreSQL, the statement's tasks in id order). On PostgreSQL, two transactions that
  write inputs of the same task wait at that row for each other's commit.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection, models, transaction

from progress.models import ReviewPeriod, StandingCell
from xingping_tracker.core.sql import ids_in, insert_rows

logger = logging.getLogger(__name__)

CHUNK = 5000  # ids per IN list (below SQLite's and PostgreSQL's limits on parameters)
NO_LEAD = 0  # unit_id of the marker row of a task without a lead unit

_COLUMNS = (
    "period_id",
    "task_id",
    "unit_id",
    "stamp",
    "due_on",
    "status",
    "progress_status",
    "percent",
    "on_time",
    "released",
    "silent",
)


def _table() -> str:
    return connection.ops.quote_name(StandingCell._meta.db_table)


def stored_rows(period: ReviewPeriod, stamps: dict[int, int], task_ids: list[int] | None) -> tuple[list[tuple], set[int]]:
    """The current stored rows of the tasks in ``stamps`` (task id → its stamp now) in ``period``, in
    :func:`progress.states.lead_cell_rows`' shape (the lead cells, and a silent count row per task
    with silent supporting cells), and the tasks they are current for. One query; ``task_ids``: only
    those tasks (else every stored row of the period)."""
    condition = "c.period_id = %s AND c.due_on = %s"
    params = [period.pk, connection.ops.adapt_datefield_value(period.report_due_on)]
    if task_ids is not None and len(task_ids) <= CHUNK:  # else the period's rows, the others skipped below
        tasks, task_params = ids_in("c.task_id", task_ids)
        condition += f" AND {tasks}"
        params += task_params
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.task_id, c.stamp, c.unit_id, c.status, c.progress_status, c.percent, c.on_time,"
            f" c.released, c.silent FROM {_table()} c WHERE {condition}",
            params,
        )
        fetched = cursor.fetchall()
    rows: list[tuple] = []
    found: set[int] = set()
    current, add = stamps.get, rows.append
    for task_id, stamp, unit_id, status, progress_status, percent, on_time, released, silent in fetched:
        if current(task_id) != stamp:
            continue
        if task_id not in found:  # the task's silent count, on each of its rows: taken once
            found.add(task_id)
            if silent:
                add((task_id, None, None, None, silent, 0, 0))
        if unit_id != NO_LEAD:
            add((task_id, unit_id, status, progress_status, percent, 1 if on_time else 0, 1 if released else 0))
    return rows, found


def store(
    period: ReviewPeriod, computed: list[tuple], stamps: dict[int, int], task_ids: list[int], *, whole_plan: bool
) -> bool:
    """Replace the stored rows of ``task_ids`` in ``period`` by ``computed`` (their
    ``lead_cell_rows``), tagged with ``stamps`` as read before computing them; ``whole_plan``: they
    are every task of the period's plan (the period's other rows go too). In a savepoint; a failure
    is logged and leaves the earlier rows (stale, so not read). True when the rows were written."""
    if not task_ids:
        return True
    silent: dict[int, int] = {}
    leads: dict[int, list[tuple]] = {}
    for task_id, unit_id, status, progress_status, percent, on_time, released in computed:
        if unit_id is None:
            silent[task_id] = int(percent)
        else:
            leads.setdefault(task_id, []).append(
                (unit_id, status or "", progress_status or "", percent, on_time == 1, released == 1)
            )
    due_on = connection.ops.adapt_datefield_value(period.report_due_on)
    rows = []
    for task_id in task_ids:
        stamp, count = stamps[task_id], silent.get(task_id, 0)
        for unit_id, status, progress_status, percent, on_time, released in leads.get(task_id) or [
            (NO_LEAD, "", "", None, False, False)
        ]:
            rows.append(
                (period.pk, task_id, unit_id, stamp, due_on, status, progress_status, percent, on_time, released, count)
            )
    return replace_rows(StandingCell, _COLUMNS, period, task_ids, rows, whole_plan=whole_plan, what="standings")


def replace_rows(
    model: type[models.Model],
    columns: tuple[str, ...],
    period: ReviewPeriod,
    task_ids: list[int],
    rows: list[tuple],
    *,
    whole_plan: bool,
    what: str,
) -> bool:
    """Replace a store's rows (the table of ``model``) of ``task_ids`` in ``period`` (``whole_plan``:
    all the period's rows) by ``rows`` (values of ``columns``), in a savepoint: the deletes, then the
    insert (:func:`xingping_tracker.core.sql.insert_rows`). Rows a concurrent
    reader stored since the delete stay (``ON CONFLICT DO NOTHING``: computed from the same or older
    inputs; an older stamp is stale, so computed again). A failure is logged (``what``: the store's
    name) and leaves the earlier rows; False then."""
    table = connection.ops.quote_name(model._meta.db_table)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if whole_plan:
                cursor.execute(f"DELETE FROM {table} WHERE period_id = %s", [period.pk])
            else:
                for start in range(0, len(task_ids), CHUNK):
                    tasks, task_params = ids_in("task_id", task_ids[start : start + CHUNK])
                    cursor.execute(f"DELETE FROM {table} WHERE period_id = %s AND {tasks}", [period.pk, *task_params])
            insert_rows(cursor, model, columns, rows, suffix=" ON CONFLICT DO NOTHING")
    except DatabaseError:
        logger.warning("Stored %s of period %s not written; computed again next time", what, period.pk, exc_info=True)
        return False
    return True
