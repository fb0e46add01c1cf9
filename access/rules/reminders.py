"""Reminders: the send log (发送记录) and the units' reminder settings (单位提醒设置) are for the plan
office and, read-only, leadership; unit staff and users without a role are refused (403). Only the
plan office sends a failed delivery again and changes a unit's settings."""

from __future__ import annotations

from access.actor import Actor
from access.rules._errors import denied


def can_view_deliveries(actor: Actor) -> bool:
    return actor.sees_everything


def check_can_view_deliveries(actor: Actor) -> None:
    if not can_view_deliveries(actor):
        raise denied("只有规划科和市领导可以查看提醒的发送记录。")


def can_retry_deliveries(actor: Actor) -> bool:
    return actor.is_reviewer


def check_can_retry_deliveries(actor: Actor) -> None:
    check_can_view_deliveries(actor)
    if not can_retry_deliveries(actor):
        raise denied("只有规划科可以重新发送提醒。")


def check_can_view_unit_settings(actor: Actor) -> None:
    """The settings list is the send log's audience (it is linked from there)."""
    check_can_view_deliveries(actor)


def can_edit_unit_settings(actor: Actor) -> bool:
    return actor.is_reviewer


def check_can_edit_unit_settings(actor: Actor) -> None:
    if not can_edit_unit_settings(actor):
        raise denied("只有规划科可以修改单位的提醒设置。")


def can_urge(actor: Actor) -> bool:
    """催办: the plan office sends a unit a reminder by hand."""
    return actor.is_reviewer


def check_can_urge(actor: Actor) -> None:
    if not can_urge(actor):
        raise denied("只有规划科可以催办。")
