"""Ending a plan (已结束) and carrying its unfinished tasks into the next plan.

- :func:`close_plan`: the plan office, with an explicit confirmation, marks the plan 已结束 and closes
  its open periods. From then on the access rules (``access.rules.periods``) refuse every report
  write, review and period opening in it; it stays browsable and exportable.
- :func:`carry_tasks`: the plan's unfinished tasks (or chosen ones) are copied into another plan still
  in progress as new tasks numbered after its last one, with their units (assignments, placeholder
  expansions) and targets; each new task keeps ``carried_from`` = the old task, so its page links the
  old task and its reports ("承接自…"). Deadlines and milestones are not copied: the new plan sets them.

Both run in one transaction (nothing half-written) and announce the change on commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from access.actor import actor_for
from access.rules import check_can_manage_plans, check_plan_open
from evaluation.selectors import unfinished_task_ids
from progress.models import PeriodStatus, ReviewPeriod
from tasks.models import Assignment, Plan, PlanState, Target, Task
from tasks.services.effective_assignments import refresh_effective_assignments
from xingping_tracker.core.changes import PLAN, PROGRESS, announce
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

_COPIED_TASK_FIELDS = (
    "text",
    "kind",
    "binding",
    "incentive",
    "supporting_open_ended",
    "annotation",
    "responsible_leaders",
)


def _target_fields() -> list[str]:
    """Every field a target holds of its own (all but its id and task): the indicators' baseline too."""
    return [f.attname for f in Target._meta.concrete_fields if f.name not in {"id", "task"}]


def _locked_plan(plan_id: int) -> Plan:
    plan = Plan.objects.select_for_update().defer("source_text").filter(pk=plan_id).first()
    if plan is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该方案。")
    return plan


def close_plan(*, plan_id: int, user: Any, confirm: bool) -> Plan:
    """Mark the plan 已结束 (its open periods closed with it); refused without ``confirm`` or twice."""
    check_can_manage_plans(actor_for(user))
    if not confirm:
        raise ApplicationError(
            ErrorCode.INVALID,
            "结束方案后其填报期全部关闭、不能再填报或审核，请勾选确认后再提交。",
            extra={"errors": {"confirm": ["请确认结束方案。"]}},
        )
    with transaction.atomic():
        announce(PLAN, PROGRESS)
        plan = _locked_plan(plan_id)
        if plan.is_closed:
            when = timezone.localtime(plan.closed_at).strftime("%Y年%m月%d日") if plan.closed_at else ""
            raise ApplicationError(ErrorCode.PLAN_CLOSED, f"“{plan.title}”已于{when}结束，不能重复结束。")
        now = timezone.now()
        for period in ReviewPeriod.objects.select_for_update().filter(plan=plan, status=PeriodStatus.OPEN):
            period.status = PeriodStatus.CLOSED
            period.closed_at = now
            period._history_user = user
            period.save(update_fields=["status", "closed_at"])
        plan.state = PlanState.CLOSED
        plan.closed_at = now
        plan.closed_by = user
        plan._history_user = user
        plan.save(update_fields=["state", "closed_at", "closed_by", "updated_at"])
    return plan


def carry_tasks(
    *, source_plan_id: int, target_plan_id: int, user: Any, task_ids: Iterable[int] | None = None, as_of: Any = None
) -> list[Task]:
    """Copy the source plan's unfinished tasks (all of them, or ``task_ids``, each of which must be
    unfinished) into the target plan; returns the new tasks in number order."""
    check_can_manage_plans(actor_for(user))
    if int(source_plan_id) == int(target_plan_id):
        raise ApplicationError(ErrorCode.INVALID, "不能把任务转入同一个方案，请选择新的方案。")
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        announce(PLAN)
        # Locked in id order: two carries between the same plans never wait on each other crosswise.
        locked = {p.pk: p for p in (_locked_plan(pk) for pk in sorted({int(source_plan_id), int(target_plan_id)}))}
        source, target = locked[int(source_plan_id)], locked[int(target_plan_id)]
        if target.is_closed:
            raise ApplicationError(ErrorCode.PLAN_CLOSED, f"“{target.title}”已结束，不能再转入任务。")
        check_plan_open(target)
        unfinished = unfinished_task_ids(source, as_of=as_of)
        if task_ids is None:
            chosen = unfinished
        else:
            wanted = list(dict.fromkeys(int(pk) for pk in task_ids))
            if not wanted:
                raise ApplicationError(
                    ErrorCode.INVALID, "请至少选择一项任务。", extra={"errors": {"tasks": ["请至少选择一项任务。"]}}
                )
            numbers = dict(Task.objects.filter(pk__in=wanted, plan=source).values_list("pk", "number"))
            foreign = [pk for pk in wanted if pk not in numbers]
            if foreign:
                raise ApplicationError(
                    ErrorCode.INVALID, f"所选任务不属于“{source.title}”（编号{'、'.join(map(str, foreign))}）。"
                )
            unfinished_set = set(unfinished)
            done = sorted(numbers[pk] for pk in wanted if pk not in unfinished_set)
            if done:
                raise ApplicationError(
                    ErrorCode.INVALID,
                    f"任务{'、'.join(map(str, done))}已完成，无需转入。",
                    extra={"errors": {"tasks": ["只能转入未完成的任务。"]}},
                )
            order = {pk: i for i, pk in enumerate(unfinished)}
            chosen = sorted(wanted, key=order.__getitem__)
        if not chosen:
            raise ApplicationError(ErrorCode.INVALID, f"“{source.title}”没有未完成的任务，无需转入。")
        already = dict(
            Task.objects.filter(plan=target, carried_from_id__in=chosen).values_list("carried_from__number", "number")
        )
        if already:
            first = sorted(already.items())[:5]
            listed = "、".join(f"任务{old}（已为新方案任务{new}）" for old, new in first)
            raise ApplicationError(ErrorCode.INVALID, f"{listed}已转入“{target.title}”，不能重复转入。")
        next_number = (Task.objects.filter(plan=target).aggregate(m=Max("number"))["m"] or 0) + 1
        old_tasks = {t.pk: t for t in Task.objects.filter(pk__in=chosen)}
        created: list[Task] = []
        for offset, old_id in enumerate(chosen):
            old = old_tasks[old_id]
            new = Task(
                plan=target,
                number=next_number + offset,
                carried_from=old,
                **{name: getattr(old, name) for name in _COPIED_TASK_FIELDS},
            )
            new._history_user = user
            new.save()
            created.append(new)
        new_of = {t.carried_from_id: t for t in created}
        for assignment in (
            Assignment.objects.filter(task_id__in=chosen)
            .prefetch_related("expanded_to")
            .order_by("task_id", "role", "position")
        ):
            expanded = list(assignment.expanded_to.all())
            copy = Assignment.objects.create(
                task=new_of[assignment.task_id],
                role=assignment.role,
                position=assignment.position,
                department_id=assignment.department_id,
                group_id=assignment.group_id,
                name_as_written=assignment.name_as_written,
            )
            if expanded:
                copy.expanded_to.set(expanded)
        target_fields = _target_fields()
        Target.objects.bulk_create(
            [
                Target(task=new_of[target_row.task_id], **{name: getattr(target_row, name) for name in target_fields})
                for target_row in Target.objects.filter(task_id__in=chosen).order_by("task_id", "position")
            ]
        )
        refresh_effective_assignments(task_ids=[t.pk for t in created])
    return created
