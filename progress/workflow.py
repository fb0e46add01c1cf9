"""The allowed status moves, in one table per thing that has a status.

A service asks :func:`check_transition` before it writes; an illegal move raises
``ApplicationError(ILLEGAL_TRANSITION)`` with a Chinese message naming both states, and nothing
is written. Who may make a move is :mod:`access`' business, not this table's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from progress.models import ExtensionStatus, PeriodStatus, ReportStatus, TaskProgress, TaskStatus
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode
from xingping_tracker.core.sql import placeholders


@dataclass(frozen=True)
class Transition:
    name: str  # the action, shown to people ("报送")
    sources: frozenset[str]
    target: str
    comment_required: bool = False


def _t(name: str, sources: set[str], target: str, *, comment_required: bool = False) -> Transition:
    return Transition(name=name, sources=frozenset(sources), target=target, comment_required=comment_required)


REPORT_TRANSITIONS: dict[str, Transition] = {
    "submit": _t("报送", {ReportStatus.DRAFT, ReportStatus.RETURNED}, ReportStatus.SUBMITTED),
    "accept": _t("审核通过", {ReportStatus.SUBMITTED}, ReportStatus.ACCEPTED),
    # The plan office may also take back an acceptance (a figure found wrong), with a comment.
    "return": _t("退回", {ReportStatus.SUBMITTED, ReportStatus.ACCEPTED}, ReportStatus.RETURNED, comment_required=True),
}

# Reports can be edited only in these states (and only in an open period).
EDITABLE_REPORT_STATES = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})

# "Delivered" (已报送), the one definition: a report in one of these states has reached the plan
# office. Its unit is neither late nor silent on the board, no longer owes it (reminders), the
# dashboard counts it as submitted and the ledger prints its texts. Every other state (a draft, a
# returned report) — or no report at all — is still owed.
DELIVERED_REPORT_STATES = frozenset({ReportStatus.SUBMITTED, ReportStatus.ACCEPTED})
OWED_REPORT_STATES = frozenset(ReportStatus.values) - DELIVERED_REPORT_STATES


def delivered_sql(status_column: str) -> tuple[str, list[str]]:
    """The same definition in SQL: ``("<status_column> IN (%s, …)", its parameters)``, for the
    selectors that count delivered reports in the database (wrap it in ``NOT (…)`` for "owed")."""
    states = sorted(DELIVERED_REPORT_STATES)
    return f"{status_column} IN ({placeholders(states)})", states


# "Owed" (still to report), the one definition: a unit owes its report on a task in a period unless
# the report is delivered, or the task was closed (办结) by the end of the period's report due date
# ("released" from the period). A task closed before the due date is owed nothing for that period
# and after; one closed later keeps the period's missing report missing (the unit should have
# reported while the task was open). Reminders chase, the board counts late and silent, the portal
# lists as due, the dashboard counts 报告逾期 and the assessment deducts by this rule only.


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` (local time), aware."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def released(*, closed: bool, completed_at: dt.datetime | None, due_on: dt.date) -> bool:
    """Whether a task closed (``closed``: its TaskProgress status is 办结) at ``completed_at`` (None:
    closed, time not recorded, counted as closed from the start) is released from a period whose
    report due date is ``due_on``."""
    return closed and (completed_at is None or completed_at < end_of_day(due_on))


def owes_report(*, status: str | None, released: bool) -> bool:
    """Whether a unit owes its report: ``status`` of its report in the period (None or "" without
    one), ``released`` as :func:`released` says of the task."""
    return not released and status not in DELIVERED_REPORT_STATES


def task_released(task: Any, *, due_on: dt.date) -> bool:
    """:func:`released` of a Task instance (its ``progress`` read with it, ``select_related``, or
    one query), for a period due ``due_on``."""
    try:
        progress = task.progress
    except ObjectDoesNotExist:  # never closed
        return False
    return released(closed=progress.status == TaskStatus.COMPLETED, completed_at=progress.completed_at, due_on=due_on)


def released_q(*, progress: str = "task__progress", due_on: str = "period__report_due_on") -> Q:
    """:func:`released` as an ORM condition, each row against its own due date (``due_on``, a field
    path; by default a report's period's): ``progress`` is the path to the task's TaskProgress. The
    closing's local date (Asia/Shanghai) on or before the due date is the same as "before the end
    of the due date"."""
    return Q(**{f"{progress}__status": TaskStatus.COMPLETED}) & (
        Q(**{f"{progress}__completed_at__isnull": True}) | Q(**{f"{progress}__completed_at__date__lte": F(due_on)})
    )


def closed_by_sql(status_column: str, completed_at_column: str, moment_sql: str) -> tuple[str, list]:
    """The task was closed (办结) before ``moment_sql`` (a parameter ``%s`` or a column), in SQL on
    columns of its TaskProgress row (``status_column``, ``completed_at_column``: NULL when the task
    has none, then false; a closing without a time counts from the start): ``(condition,
    parameters)``. Closed as of a day when the moment is the end of that day (the task states);
    :func:`released` from a period when it is the end of the period's due date."""
    return (
        f"(CASE WHEN {status_column} = %s AND ({completed_at_column} IS NULL"
        f" OR {completed_at_column} < {moment_sql}) THEN 1 ELSE 0 END = 1)",
        [TaskStatus.COMPLETED],
    )


def released_sql(task_column: str, due_on: dt.date) -> tuple[str, list]:
    """:func:`released` in SQL, of the task whose id is ``task_column``, for a period due ``due_on``:
    ``(condition, parameters)``."""
    progress = connection.ops.quote_name(TaskProgress._meta.db_table)
    closed, closed_params = closed_by_sql("rel.status", "rel.completed_at", "%s")
    # Uncorrelated: the released tasks are read once per query, not once per cell.
    sql = f"{task_column} IN (SELECT rel.task_id FROM {progress} rel WHERE {closed})"
    return sql, [*closed_params, connection.ops.adapt_datetimefield_value(end_of_day(due_on))]


def owed_sql(status_column: str, task_column: str, due_on: dt.date) -> tuple[str, list]:
    """:func:`owes_report` in SQL: the report's status in ``status_column`` (NULL without one; the
    board's "none" is not delivered either) on the task ``task_column`` in a period due ``due_on``."""
    delivered, delivered_params = delivered_sql(status_column)
    release, release_params = released_sql(task_column, due_on)
    # A CASE, so that the released look-up is made only for the cells not delivered (NULL IN (…) is
    # not true: a missing report falls through to it).
    return (
        f"(CASE WHEN {delivered} THEN 0 WHEN {release} THEN 0 ELSE 1 END = 1)",
        [*delivered_params, *release_params],
    )


PERIOD_TRANSITIONS: dict[str, Transition] = {
    "open": _t("开放填报", {PeriodStatus.PLANNED, PeriodStatus.CLOSED}, PeriodStatus.OPEN),
    "close": _t("关闭", {PeriodStatus.OPEN}, PeriodStatus.CLOSED),
}

TASK_TRANSITIONS: dict[str, Transition] = {
    "complete": _t("办结", {TaskStatus.OPEN}, TaskStatus.COMPLETED),
    "reopen": _t("重新开启", {TaskStatus.COMPLETED}, TaskStatus.OPEN, comment_required=True),
}

EXTENSION_TRANSITIONS: dict[str, Transition] = {
    "approve": _t("同意延期", {ExtensionStatus.PENDING}, ExtensionStatus.APPROVED),
    "refuse": _t("不同意延期", {ExtensionStatus.PENDING}, ExtensionStatus.REFUSED, comment_required=True),
    "withdraw": _t("撤回", {ExtensionStatus.PENDING}, ExtensionStatus.WITHDRAWN),
}

_LABELS: dict[str, str] = {
    **dict(ReportStatus.choices),
    **dict(PeriodStatus.choices),
    **dict(TaskStatus.choices),
    **dict(ExtensionStatus.choices),
}


def check_transition(table: dict[str, Transition], action: str, current: str, *, comment: str = "") -> Transition:
    """The transition for ``action`` from ``current``; raises when the move is not allowed."""
    transition = table[action]
    if current not in transition.sources:
        allowed = "、".join(sorted(_LABELS.get(s, s) for s in transition.sources))
        raise ApplicationError(
            ErrorCode.ILLEGAL_TRANSITION,
            f"当前状态为“{_LABELS.get(current, current)}”，不能{transition.name}（只有“{allowed}”状态可以{transition.name}）。",
            extra={"current_status": current, "action": action},
        )
    if transition.comment_required and not comment.strip():
        raise ApplicationError(ErrorCode.COMMENT_REQUIRED, f"{transition.name}时必须填写意见或理由。")
    return transition


def allowed_actions(table: dict[str, Transition], current: str) -> list[str]:
    return [action for action, transition in table.items() if current in transition.sources]
