"""The exports as the pages, the admin and the API ask for them: permission, filters, workbook, file name.

Permissions are :mod:`access`' (``actor_for``, ``check_can_view_board``, ``ledger_unit_for``): the meeting
pack and the whole ledger are for the plan office and leadership; unit staff export the ledger of
their own unit's tasks only (:func:`exports.selectors.parse_ledger_filters`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from access.actor import actor_for
from access.rules import check_can_view_board
from exports.ledger import build_ledger, ledger_filename
from exports.meeting_pack import build_meeting_pack, pack_filename, parse_sheet_selection
from exports.selectors import LedgerFilters, parse_ledger_filters, resolve_period
from progress.models import ReviewPeriod


def ledger_for_request(*, user: Any, params: Mapping[str, Any]) -> tuple[IO[bytes], str]:
    """The ledger ``user`` asked for with ``params`` (query parameters): (file, file name)."""
    filters = parse_ledger_filters(params, actor=actor_for(user))
    return build_ledger(filters), ledger_filename(filters)


def ledger_for_tasks(*, user: Any, period: ReviewPeriod, task_ids: list[int]) -> tuple[IO[bytes], str]:
    """The ledger of chosen tasks (the admin's selection), for the plan office and leadership."""
    from exports.ledger import build_ledger_for_ids
    from progress.states import task_states

    check_can_view_board(actor_for(user))
    filters = LedgerFilters(period=period)
    states = task_states(period, task_ids=task_ids)
    return build_ledger_for_ids(filters, task_ids=task_ids, states=states), f"{period.name}任务台账（所选{len(task_ids)}项）.xlsx"


def meeting_pack_for_request(*, user: Any, params: Mapping[str, Any]) -> tuple[IO[bytes], str]:
    """The meeting pack of ``?period=`` with the sheets ``?sheets=`` chooses (default: the printed pack)."""
    check_can_view_board(actor_for(user))
    period = resolve_period(params)
    sheets = parse_sheet_selection(params)
    return build_meeting_pack(period, sheets=sheets), pack_filename(period, sheets)


def meeting_pack_options(*, user: Any, params: Mapping[str, Any]) -> ReviewPeriod:
    """The period whose pack the options page offers (same permission as the download)."""
    check_can_view_board(actor_for(user))
    return resolve_period(params)


def meeting_pack_for_period(*, user: Any, period: ReviewPeriod) -> tuple[IO[bytes], str]:
    check_can_view_board(actor_for(user))
    return build_meeting_pack(period), pack_filename(period)
