"""Closing tasks (办结) and extension requests (延期申请)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from progress.models import (
    ExtensionRequest,
    ExtensionStatus,
    ProgressStatus,
    TaskEvent,
    TaskProgress,
    TaskStatus,
)
from progress.services.reports import accept_report, return_report, save_report, submit_report
from progress.services.task_review import (
    approve_extension,
    complete_task,
    effective_deadline,
    refuse_extension,
    reopen_task,
    request_extension,
    withdraw_extension,
)
from progress.tests.test_services_reports import filled, started
from tasks.models import Task
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

pytestmark = pytest.mark.django_db


def accepted(world, *, progress_status=ProgressStatus.COMPLETED):
    report = started(world)
    percent = 100 if progress_status == ProgressStatus.COMPLETED else 50
    save_report(
        report_id=report.pk,
        user=world.gongxin_clerk,
        expected_version=1,
        data=filled(world, progress_status=progress_status, percent=percent),
    )
    submit_report(report_id=report.pk, user=world.gongxin_clerk)
    return accept_report(report_id=report.pk, user=world.plan_office)


def task_events(task) -> list[str]:
    return list(TaskEvent.objects.filter(task=task).values_list("type", flat=True))


def test_a_task_cannot_be_closed_without_an_accepted_report_saying_completed(world):
    task = world.tasks[2]
    with pytest.raises(ApplicationError) as caught:
        complete_task(task_id=task.pk, user=world.plan_office)
    assert caught.value.code == ErrorCode.COMPLETION_NOT_ALLOWED
    accepted(world, progress_status=ProgressStatus.ON_TRACK)
    with pytest.raises(ApplicationError):
        complete_task(task_id=task.pk, user=world.plan_office)
    assert not TaskProgress.objects.filter(task=task, status=TaskStatus.COMPLETED).exists()
    assert task_events(task) == []


def test_submitted_but_not_accepted_is_not_enough(world):
    report = started(world)
    save_report(
        report_id=report.pk,
        user=world.gongxin_clerk,
        expected_version=1,
        data=filled(world, progress_status=ProgressStatus.COMPLETED, percent=100),
    )
    submit_report(report_id=report.pk, user=world.gongxin_clerk)
    with pytest.raises(ApplicationError) as caught:
        complete_task(task_id=world.tasks[2].pk, user=world.plan_office)
    assert caught.value.code == ErrorCode.COMPLETION_NOT_ALLOWED


def test_close_and_reopen(world):
    report = accepted(world)
    task = world.tasks[2]
    progress = complete_task(task_id=task.pk, user=world.plan_office)
    assert (progress.status, progress.completion_report_id, progress.completed_by) == (
        TaskStatus.COMPLETED,
        report.pk,
        world.plan_office,
    )
    with pytest.raises(ApplicationError) as caught:
        complete_task(task_id=task.pk, user=world.plan_office)
    assert caught.value.code == ErrorCode.ILLEGAL_TRANSITION

    # the report the closure rests on cannot be returned while the task is closed
    with pytest.raises(ApplicationError) as caught:
        return_report(report_id=report.pk, user=world.plan_office, comment="数据有误")
    assert "重新开启任务" in caught.value.message

    with pytest.raises(ApplicationError) as caught:
        reopen_task(task_id=task.pk, user=world.plan_office, comment="")
    assert caught.value.code == ErrorCode.COMMENT_REQUIRED
    reopened = reopen_task(task_id=task.pk, user=world.plan_office, comment="复核发现尚有收尾工作。")
    assert (reopened.status, reopened.completion_report_id) == (TaskStatus.OPEN, None)
    assert task_events(task) == ["completed", "reopened"]
    assert [h.status for h in reopened.history.order_by("history_date")][-2:] == ["completed", "open"]


@pytest.mark.parametrize("who", ["gongxin_clerk", "gongxin_head", "leader", "nobody"])
def test_only_the_plan_office_closes_tasks(world, who):
    accepted(world)
    with pytest.raises(ApplicationError) as caught:
        complete_task(task_id=world.tasks[2].pk, user=getattr(world, who))
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    assert task_events(world.tasks[2]) == []


def later(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def test_extension_approved_changes_the_effective_deadline_and_keeps_history(world):
    task = world.tasks[3]  # led by 市发改局, deadline 2022-12-31
    request = request_extension(
        task_id=task.pk, user=world.fagai_clerk, requested_deadline=later(200), reason="用地审批延后。"
    )
    assert (request.status, request.current_deadline, request.department) == (
        ExtensionStatus.PENDING,
        dt.date(2022, 12, 31),
        world.fagai,
    )
    approve_extension(request_id=request.pk, user=world.plan_office, comment="同意。")
    task = Task.objects.get(pk=task.pk)
    assert effective_deadline(task) == later(200)
    assert task.deadline == dt.date(2022, 12, 31)  # the plan's own deadline is kept
    assert task_events(task) == ["extension_requested", "extension_approved"]
    assert TaskProgress.objects.get(task=task).history.first().extended_deadline == later(200)

    # a second extension must go beyond the current effective deadline
    with pytest.raises(ApplicationError) as caught:
        request_extension(task_id=task.pk, user=world.fagai_clerk, requested_deadline=later(100), reason="再延。")
    assert "现行时限" in caught.value.message


def test_one_pending_request_per_task(world):
    task = world.tasks[3]
    request_extension(task_id=task.pk, user=world.fagai_clerk, requested_deadline=later(30), reason="理由一。")
    with pytest.raises(ApplicationError) as caught:
        request_extension(task_id=task.pk, user=world.fagai_clerk, requested_deadline=later(60), reason="理由二。")
    assert caught.value.code == ErrorCode.EXTENSION_PENDING
    assert ExtensionRequest.objects.count() == 1


def test_refuse_needs_a_comment_and_withdraw_is_the_units_own(world):
    task = world.tasks[3]
    request = request_extension(task_id=task.pk, user=world.fagai_clerk, requested_deadline=later(30), reason="理由。")
    with pytest.raises(ApplicationError) as caught:
        refuse_extension(request_id=request.pk, user=world.plan_office, comment="")
    assert caught.value.code == ErrorCode.COMMENT_REQUIRED
    with pytest.raises(ApplicationError) as caught:
        withdraw_extension(request_id=request.pk, user=world.gongxin_clerk)
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    withdrawn = withdraw_extension(request_id=request.pk, user=world.fagai_clerk)
    assert withdrawn.status == ExtensionStatus.WITHDRAWN
    with pytest.raises(ApplicationError) as caught:
        approve_extension(request_id=request.pk, user=world.plan_office)
    assert caught.value.code == ErrorCode.ILLEGAL_TRANSITION
    assert effective_deadline(Task.objects.get(pk=task.pk)) == dt.date(2022, 12, 31)


@pytest.mark.parametrize(
    ("who", "task_number", "code"),
    [
        ("fagai_clerk", 2, ErrorCode.PERMISSION_DENIED),  # supporting, not lead
        ("leader", 3, ErrorCode.PERMISSION_DENIED),
        ("plan_office", 3, ErrorCode.PERMISSION_DENIED),  # the plan office decides, it does not request
        ("nancheng_clerk", 2, ErrorCode.NOT_FOUND),  # not on the task: it does not even see it
    ],
)
def test_only_the_lead_unit_requests_extensions(world, who, task_number, code):
    with pytest.raises(ApplicationError) as caught:
        request_extension(
            task_id=world.tasks[task_number].pk, user=getattr(world, who), requested_deadline=later(30), reason="理由。"
        )
    assert caught.value.code == code
    assert not ExtensionRequest.objects.exists()


@pytest.mark.parametrize(("days", "reason"), [(0, "理由。"), (-5, "理由。"), (30, "   ")])
def test_extension_input_is_checked(world, days, reason):
    with pytest.raises(ApplicationError):
        request_extension(
            task_id=world.tasks[3].pk, user=world.fagai_clerk, requested_deadline=later(days), reason=reason
        )
    assert not ExtensionRequest.objects.exists()
