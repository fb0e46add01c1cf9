"""The Excel exports: the plan office and leadership export every ledger and the meeting pack (the
board's rule, :func:`access.rules.board.check_can_view_board`); unit staff export the ledger of their
own unit's tasks only; others nothing."""

from __future__ import annotations

from access.actor import Actor
from access.rules._errors import denied, not_found


def check_can_export_ledger(actor: Actor) -> None:
    if not (actor.sees_everything or actor.is_unit_staff):
        raise not_found("找不到该页面，或您无权查看。")


def ledger_unit_for(actor: Actor, *, unit_id: int | None) -> int | None:
    """The unit whose tasks ``actor``'s ledger covers when they ask for ``unit_id`` (None: every unit).

    Unit staff get their own unit's tasks without asking; naming another unit is refused (403).
    """
    check_can_export_ledger(actor)
    if actor.sees_everything:
        return unit_id
    if unit_id is None:
        return actor.department_id
    if unit_id != actor.department_id:
        raise denied("只能导出本单位的任务台账。")
    return unit_id
