"""What the plan office decides about a task: closing it as completed (办结) and reopening it, and
extension requests (延期申请) from its lead unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from access.actor import actor_for
from access.rules import (
    check_can_close_tasks,
    check_can_decide_extension,
    check_can_request_extension,
    check_can_view_task,
    check_can_withdraw_extension,
    check_task_plan_open,
)
from progress import events, signals
from progress.models import (
    ExtensionRequest,
    ProgressReport,
    ProgressStatus,
    ReportStatus,
    TaskProgress,
)
from progress.states import lead_report_q
from progress.workflow import EXTENSION_TRANSITIONS, TASK_TRANSITIONS, check_transition
from tasks.models import Task
from xingping_tracker.core.changes import PROGRESS, announce
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode


def effective_deadline(task: Task) -> dt.date | None:
    """The deadline in force: an approved extension's date, else the plan's."""
    try:
        progress = task.progress
    except TaskProgress.DoesNotExist:
        progress = None
    if progress is not None and progress.extended_deadline is not None:
        return progress.extended_deadline
    return task.deadline


def _locked_progress(task_id: int) -> TaskProgress:
    TaskProgress.objects.get_or_create(task_id=task_id)
    return TaskProgress.objects.select_for_update().select_related("task").get(task_id=task_id)


def _get_task(task_id: int) -> Task:
    try:
        return Task.objects.get(pk=task_id)
    except Task.DoesNotExist:
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该任务，或您无权查看。") from None


def completion_basis(task_id: int) -> ProgressReport | None:
    """The latest accepted lead report that says completed: the only ground for closing a task."""
    return (
        ProgressReport.objects.filter(
            lead_report_q(),
            task_id=task_id,
            status=ReportStatus.ACCEPTED,
            progress_status=ProgressStatus.COMPLETED,
        )
        .select_related("period")
        .order_by("-period__starts_on", "-pk")
        .first()
    )


def complete_task(*, task_id: int, user: Any, comment: str = "") -> TaskProgress:
    """Close the task as completed (办结): only with an accepted lead report that says 已完成."""
    check_can_close_tasks(actor_for(user))
    with transaction.atomic():
        announce(PROGRESS)
        progress = _locked_progress(task_id)
        check_task_plan_open(task_id)
        transition = check_transition(TASK_TRANSITIONS, "complete", progress.status, comment=comment)
        basis = completion_basis(task_id)
        if basis is None:
            raise ApplicationError(
                ErrorCode.COMPLETION_NOT_ALLOWED,
                "办结须有一份审核通过、推进状态为“已完成”的牵头单位报告；目前没有，不能办结。",
            )
        progress.status = transition.target
        progress.completed_at = timezone.now()
        progress.completed_by = user
        progress.completion_report = basis
        progress._history_user = user
        progress.save()
        events.task_completed(task_id, actor=user, comment=comment.strip() or f"依据{basis.period.name}报告办结")
    return progress


def reopen_task(*, task_id: int, user: Any, comment: str) -> TaskProgress:
    """Reopen a completed task (a reason is required)."""
    check_can_close_tasks(actor_for(user))
    with transaction.atomic():
        announce(PROGRESS)
        progress = _locked_progress(task_id)
        check_task_plan_open(task_id)
        transition = check_transition(TASK_TRANSITIONS, "reopen", progress.status, comment=comment)
        progress.status = transition.target
        progress.completed_at = None
        progress.completed_by = None
        progress.completion_report = None
        progress._history_user = user
        progress.save()
        events.task_reopened(task_id, actor=user, comment=comment.strip())
    return progress


def request_extension(*, task_id: int, user: Any, requested_deadline: dt.date, reason: str) -> ExtensionRequest:
    actor = actor_for(user)
    task = _get_task(task_id)
    check_can_view_task(actor, task)
    check_can_request_extension(actor, task=task)
    check_task_plan_open(task.pk)
    reason = reason.strip()
    if not reason:
        raise ApplicationError(ErrorCode.COMMENT_REQUIRED, "申请延期必须说明理由。")
    if len(reason) > 2000:
        raise ApplicationError(ErrorCode.INVALID, "延期理由不能超过2000字。")
    current = effective_deadline(task)
    if requested_deadline <= timezone.localdate():
        raise ApplicationError(ErrorCode.INVALID, "申请延期至的日期应晚于今天。")
    if current is not None and requested_deadline <= current:
        raise ApplicationError(ErrorCode.INVALID, f"申请延期至的日期应晚于现行时限（{current:%Y年%-m月%-d日}）。")
    try:
        with transaction.atomic():
            announce(PROGRESS)
            request = ExtensionRequest(
                task=task,
                department_id=actor.department_id,
                current_deadline=current,
                requested_deadline=requested_deadline,
                reason=reason,
                requested_by=user,
            )
            request._history_user = user
            request.save()
            events.extension_requested(task, actor=user, comment=f"申请延期至{requested_deadline:%Y-%m-%d}：{reason}")
    except IntegrityError:
        raise ApplicationError(
            ErrorCode.EXTENSION_PENDING, "该任务已有一份待审批的延期申请，请等待规划科审批或先撤回。"
        ) from None
    return request


def _decide(request_id: int, action: str, *, user: Any, comment: str) -> ExtensionRequest:
    actor = actor_for(user)
    if action == "withdraw":
        pass  # checked below against the request's unit
    else:
        check_can_decide_extension(actor)
    with transaction.atomic():
        announce(PROGRESS)
        try:
            request = ExtensionRequest.objects.select_for_update().get(pk=request_id)
        except ExtensionRequest.DoesNotExist:
            raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该延期申请，或您无权查看。") from None
        if action == "withdraw":
            check_can_withdraw_extension(actor, request)
        check_task_plan_open(request.task_id)
        transition = check_transition(EXTENSION_TRANSITIONS, action, request.status, comment=comment)
        request.status = transition.target
        request.decided_by = user
        request.decided_at = timezone.now()
        request.decision_comment = comment.strip()
        request._history_user = user
        request.save()
        if action == "approve":
            progress = _locked_progress(request.task_id)
            progress.extended_deadline = request.requested_deadline
            progress._history_user = user
            progress.save()
            events.extension_approved(
                request.task_id,
                actor=user,
                comment=f"同意延期至{request.requested_deadline:%Y-%m-%d}。{request.decision_comment}".strip(),
            )
        elif action == "refuse":
            events.extension_refused(request.task_id, actor=user, comment=request.decision_comment)
        if action in ("approve", "refuse"):
            signals.extension_decided.send(sender=ExtensionRequest, request=request, approved=action == "approve")
        else:
            events.extension_withdrawn(request.task_id, actor=user, comment=request.decision_comment)
    return request


def approve_extension(*, request_id: int, user: Any, comment: str = "") -> ExtensionRequest:
    """Approve: the task's effective deadline becomes the requested date (kept in history)."""
    return _decide(request_id, "approve", user=user, comment=comment)


def refuse_extension(*, request_id: int, user: Any, comment: str) -> ExtensionRequest:
    return _decide(request_id, "refuse", user=user, comment=comment)


def withdraw_extension(*, request_id: int, user: Any, comment: str = "") -> ExtensionRequest:
    return _decide(request_id, "withdraw", user=user, comment=comment)
