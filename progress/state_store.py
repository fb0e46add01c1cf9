"""Stored task states: each task's light and the other fields the overview counts, per period and
as of one day, kept in :class:`progress.models.StoredState` so that the dashboard adds up a plan of
10,000 tasks with SQL aggregates (``GROUP BY`` over an index) instead of building every
:class:`progress.states.TaskState` in Python again after each change.

- **The rule stays in one place.** Rows are only ever written from
  :func:`progress.states.read_states`' own states; SQL here only selects and counts them.
- **A row is read only while it is current** (:func:`stale_task_ids`): its stamp is the task's
  :class:`~progress.models.StandingStamp` (moved by triggers on every write of the task's reports,
  effective assignments and closing, and of the task's own number, section, binding flag and
  deadline; :mod:`progress.standing_store`), the day asked for lies between its ``as_of`` day and its
  ``valid_through`` day (a light depends on the day: deadlines and the due date pass;
  :func:`progress.states.valid_through`) and its due date is the period's. The stamp stored is the one
  ``read_states`` read before computing, so a row can only be older than its data, never newer: a
  stale row is computed again on the next read.
- **Stored with the task's lead cells.** A state is stored only when ``read_states`` found or
  stored its lead cells with the same stamp, so the per-unit counts (the cells joined to the states
  by stamp) always find them.
- **The first read of a day** computes again only the tasks whose deadline passed since their row
  was computed (every task of the plan the day after the period's due date, or when the rows were
  computed for a later day); later reads compute only the tasks whose inputs moved.
- Written as the stored standings are (:func:`progress.standing_store.replace_rows`): two readers
  storing the same tasks at once keep the first one's rows; a failed store (a read-only database,
  a lock that timed out) is logged and :func:`current_states` answers False: the caller then
  computes the overview in Python as before.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from progress.models import ReviewPeriod, StandingStamp, StoredState
from progress.standing_store import CHUNK, replace_rows
from progress.states import fetch_rows, read_states, table_name, valid_through
from tasks.models import Task

_COLUMNS = (
    "period_id",
    "task_id",
    "stamp",
    "as_of",
    "valid_through",
    "due_on",
    "number",
    "section_id",
    "binding",
    "deadline",
    "light",
    "progress_status",
    "is_completed",
    "delivered",
    "is_overdue",
    "report_late",
)


def stale_task_ids(period: ReviewPeriod, *, today: dt.date) -> list[int]:
    """The tasks of the period's plan whose stored state is missing or not current as of ``today``
    (see the module docstring), in id order. One query when no task of the plan lacks a row (the
    rows whose stamp or due date differ or whose days do not cover ``today``, and the plan's task
    count against the period's row count: a row is only ever written for a task of the period's
    plan, and goes with its task); two when some do (then the tasks without a row too)."""
    state, stamp, task = table_name(StoredState), table_name(StandingStamp), table_name(Task)
    rows = fetch_rows(
        f"""
        SELECT s.task_id, 0 FROM {state} s LEFT JOIN {stamp} st ON st.task_id = s.task_id
        WHERE s.period_id = %s
          AND (s.stamp <> COALESCE(st.stamp, 0) OR s.as_of > %s OR s.valid_through < %s OR s.due_on <> %s)
        UNION ALL
        SELECT (SELECT COUNT(*) FROM {task} t WHERE t.plan_id = %s)
               - (SELECT COUNT(*) FROM {state} c WHERE c.period_id = %s), 1
        """,
        [
            period.pk,
            connection.ops.adapt_datefield_value(today),
            connection.ops.adapt_datefield_value(today),
            connection.ops.adapt_datefield_value(period.report_due_on),
            period.plan_id,
            period.pk,
        ],
    )
    ids = {value for value, is_count in rows if not is_count}
    if any(value for value, is_count in rows if is_count):  # the plan's tasks and the rows differ in number
        ids.update(
            row[0]
            for row in fetch_rows(
                f"SELECT t.id FROM {task} t WHERE t.plan_id = %s"
                f" AND NOT EXISTS (SELECT 1 FROM {state} s WHERE s.period_id = %s AND s.task_id = t.id)",
                [period.plan_id, period.pk],
            )
        )
    return sorted(ids)


def current_states(period: ReviewPeriod, *, today: dt.date) -> bool:
    """Bring the period's stored states up to date as of ``today``: one query when they all are;
    otherwise the stale tasks' states are computed by :func:`progress.states.read_states` and stored
    (in a savepoint: one delete and one insert). True when every task of the plan now has a current
    row; False when a store failed (logged)."""
    stale = stale_task_ids(period, today=today)
    if not stale:
        return True
    whole_plan = len(stale) > CHUNK
    reads = read_states(period, today=today, task_ids=None if whole_plan else stale)
    if not reads.cells_stored:
        return False
    as_of = connection.ops.adapt_datefield_value(today)
    due_on = connection.ops.adapt_datefield_value(period.report_due_on)
    adapt_date = connection.ops.adapt_datefield_value
    closing_later = reads.closing_later
    rows = [
        (
            period.pk,
            s.task_id,
            reads.stamps[s.task_id],
            as_of,
            adapt_date(
                valid_through(
                    s, as_of=today, due_on=period.report_due_on, closing_later=s.task_id in closing_later
                )
            ),
            due_on,
            s.number,
            s.section_id,
            s.binding,
            adapt_date(s.deadline),
            s.light,
            s.progress_status,
            s.is_completed,
            s.delivered,
            s.is_overdue,
            s.report_late,
        )
        for s in reads.states.values()
    ]
    return replace_rows(StoredState, _COLUMNS, period, stale, rows, whole_plan=whole_plan, what="task states")
