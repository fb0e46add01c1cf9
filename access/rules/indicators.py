"""Indicators (targets of the plan's tasks): who reads a target's page and its series, who enters a
year's actual value or the baseline.

- The plan office and leadership read every target; unit staff read the targets of the tasks their
  unit leads or supports (the task's own rule, :func:`access.rules.tasks.can_view_task`); anyone
  else sees no indicator page at all.
- Only the plan office enters or corrects an actual value and edits a baseline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from access.actor import Actor
from access.rules._errors import denied, not_found
from access.rules.tasks import can_view_task

if TYPE_CHECKING:
    from tasks.models import Target


def can_list_targets(actor: Actor) -> bool:
    return actor.sees_everything or actor.is_unit_staff


def check_can_list_targets(actor: Actor) -> None:
    if not can_list_targets(actor):
        raise denied("指标页面供规划科、市领导和承担任务的单位查看。")


def can_view_target(actor: Actor, target: Target) -> bool:
    return can_view_task(actor, target.task)


def check_can_view_target(actor: Actor, target: Target) -> None:
    if not can_view_target(actor, target):
        raise not_found("找不到该指标，或您无权查看。")


def can_enter_actuals(actor: Actor) -> bool:
    return actor.is_reviewer


def check_can_enter_actuals(actor: Actor) -> None:
    if not can_enter_actuals(actor):
        raise denied("只有规划科可以录入、更正指标实际值或修改基期值。")
