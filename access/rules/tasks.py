"""Tasks and their extension requests: who reads a task, requests, withdraws and decides extensions,
closes and reopens tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from access.actor import Actor
from access.rules._errors import denied, not_found
from access.rules.periods import check_plan_open
from access.units import unit_role_on_task
from departments.models import MembershipRole
from tasks.models import AssignmentRole, Plan, Task

if TYPE_CHECKING:
    from progress.models import ExtensionRequest


def can_view_task(actor: Actor, task: Task) -> bool:
    if actor.sees_everything:
        return True
    if actor.department_id is None:
        return False
    return unit_role_on_task(department_id=actor.department_id, task=task) is not None


def check_can_view_task(actor: Actor, task: Task) -> None:
    if not can_view_task(actor, task):
        raise not_found("找不到该任务，或您无权查看。")


def check_can_close_tasks(actor: Actor) -> None:
    if not actor.is_reviewer:
        raise denied("只有规划科可以办结或重新开启任务。")


def check_task_plan_open(task_id: int) -> None:
    """Closing, reopening and extending a task, like reporting on it, stop when its plan has ended
    (已结束: read-only). The plan's state is read as stored now (one query)."""
    plan = Plan.objects.only("pk", "title", "state").get(tasks__pk=task_id)
    check_plan_open(plan)


def check_can_request_extension(actor: Actor, *, task: Task) -> None:
    if actor.department_id is None or actor.unit_role not in MembershipRole.values:
        raise denied("只有牵头单位可以申请延期。")
    if unit_role_on_task(department_id=actor.department_id, task=task) != AssignmentRole.LEAD:
        raise denied(f"本单位不是任务{task.number}的牵头单位，不能申请延期。")


def check_can_withdraw_extension(actor: Actor, request: ExtensionRequest) -> None:
    if actor.department_id != request.department_id:
        raise denied("只能撤回本单位的延期申请。")


def can_decide_extension(actor: Actor) -> bool:
    return actor.is_reviewer


def check_can_decide_extension(actor: Actor) -> None:
    if not can_decide_extension(actor):
        raise denied("只有规划科可以审批延期申请。")
