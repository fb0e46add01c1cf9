"""The city-level pages: the review pages (periods, the board), the leadership dashboard, the meeting
pack and the evaluation report: for the plan office and leadership; to others they do not exist."""

from __future__ import annotations

from access.actor import Actor
from access.rules._errors import not_found


def can_view_board(actor: Actor) -> bool:
    return actor.sees_everything


def check_can_view_board(actor: Actor) -> None:
    if not can_view_board(actor):
        raise not_found("找不到该页面，或您无权查看。")
