"""Ending a plan (已结束) and carrying its unfinished tasks into the next one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluation.services.closing import carry_tasks, close_plan
from offline.tests.helpers import download, upload
from progress.models import PeriodStatus, ProgressReport, ReportStatus, ReviewPeriod
from progress.services.periods import generate_periods, open_period
from progress.services.reports import accept_report, save_report, start_report
from progress.tests.test_services_reports import filled
from tasks.models import EffectiveAssignment, PlanState, Target, Task
from tasks.tests.factories import PlanFactory
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _draft(world):
    report = start_report(
        task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk
    )
    return save_report(
        report_id=report.pk, user=world.gongxin_clerk, expected_version=report.version, data=filled(world)
    )


# --- closing -------------------------------------------------------------------------------------


def test_close_needs_confirmation_and_the_plan_office(world):
    with pytest.raises(ApplicationError) as refused:
        close_plan(plan_id=world.plan.pk, user=world.plan_office, confirm=False)
    assert refused.value.code == ErrorCode.INVALID and "确认" in refused.value.message
    for user in (world.leader, world.gongxin_clerk):
        with pytest.raises(ApplicationError) as refused:
            close_plan(plan_id=world.plan.pk, user=user, confirm=True)
        assert refused.value.code == ErrorCode.PERMISSION_DENIED
    world.plan.refresh_from_db()
    assert world.plan.state == PlanState.ACTIVE and world.plan.closed_at is None


def test_close_closes_the_open_periods_once(world):
    plan = close_plan(plan_id=world.plan.pk, user=world.plan_office, confirm=True)
    assert plan.state == PlanState.CLOSED and plan.closed_by == world.plan_office and plan.closed_at is not None
    world.h2.refresh_from_db()
    assert world.h2.status == PeriodStatus.CLOSED and world.h2.closed_at == plan.closed_at
    with pytest.raises(ApplicationError) as twice:
        close_plan(plan_id=world.plan.pk, user=world.plan_office, confirm=True)
    assert twice.value.code == ErrorCode.PLAN_CLOSED and "不能重复结束" in twice.value.message


def test_an_ended_plan_refuses_every_write(world):
    draft = _draft(world)
    other = start_report(task=world.tasks[1], department_id=world.fagai.pk, period=world.h2, user=world.fagai_clerk)
    other = save_report(
        report_id=other.pk, user=world.fagai_clerk, expected_version=other.version, data=filled(world, actuals=[])
    )
    ProgressReport.objects.filter(pk=other.pk).update(status=ReportStatus.SUBMITTED)
    template = download(world.gongxin_clerk, world.h2)
    close_plan(plan_id=world.plan.pk, user=world.plan_office, confirm=True)
    before = sorted(ProgressReport.objects.values_list("pk", "version", "status", "progress_text"))

    # services: start, save, review, period opening, period generation
    with pytest.raises(ApplicationError) as refused:
        start_report(task=world.tasks[3], department_id=world.fagai.pk, period=world.h2, user=world.fagai_clerk)
    assert refused.value.code == ErrorCode.PERIOD_NOT_OPEN
    with pytest.raises(ApplicationError):
        save_report(report_id=draft.pk, user=world.gongxin_clerk, expected_version=draft.version, data=filled(world))
    with pytest.raises(ApplicationError) as refused:
        accept_report(report_id=other.pk, user=world.plan_office)
    assert refused.value.code == ErrorCode.PLAN_CLOSED and "已结束" in refused.value.message
    for period in (world.h1, world.h2):
        with pytest.raises(ApplicationError) as refused:
            open_period(period=period, user=world.plan_office)
        assert refused.value.code == ErrorCode.PLAN_CLOSED
    with pytest.raises(ApplicationError):
        generate_periods(plan=world.plan)

    # the page, the API and the offline upload
    page = _client(world.gongxin_clerk).post(
        reverse("progress:report_form", args=[world.tasks[2].pk, world.h2.pk]),
        {"action": "save", "version": draft.version, "progress_status": "on_track", "progress_text": "改"},
    )
    assert page.status_code == 400, page.status_code
    assert "已关闭" in page.content.decode() or "已结束" in page.content.decode()
    api = _client(world.gongxin_clerk).patch(
        f"/api/reports/{draft.pk}/",
        {"progress_text": "改"},
        content_type="application/json",
        HTTP_IF_MATCH=f'"{draft.version}"',
    )
    assert api.status_code == 409
    review = _client(world.plan_office).post(
        f"/api/reports/{other.pk}/accept/", {"comment": "同意"}, content_type="application/json"
    )
    assert review.status_code == 409 and review.json()["code"] == "plan_closed"
    reopened = _client(world.plan_office).post(f"/api/periods/{world.h2.pk}/open/")
    assert reopened.status_code == 409 and "已结束" in reopened.json()["detail"]
    uploaded = upload(world.gongxin_clerk, template)
    assert uploaded.status_code == 409
    assert sorted(ProgressReport.objects.values_list("pk", "version", "status", "progress_text")) == before
    assert not ReviewPeriod.objects.filter(plan=world.plan, status=PeriodStatus.OPEN).exists()


def test_an_ended_plan_refuses_closing_reopening_and_extending_its_tasks(world):
    from progress.models import ExtensionRequest, TaskProgress, TaskStatus
    from progress.services.task_review import (
        approve_extension,
        complete_task,
        reopen_task,
        request_extension,
    )

    task = world.tasks[2]
    later = timezone.localdate() + dt.timedelta(days=400)
    pending = request_extension(
        task_id=task.pk, user=world.gongxin_clerk, requested_deadline=later, reason="资金未到位"
    )
    TaskProgress.objects.update_or_create(task=world.tasks[3], defaults={"status": TaskStatus.COMPLETED})
    close_plan(plan_id=world.plan.pk, user=world.plan_office, confirm=True)

    attempts = {
        "办结": lambda: complete_task(task_id=task.pk, user=world.plan_office),
        "重新开启": lambda: reopen_task(task_id=world.tasks[3].pk, user=world.plan_office, comment="需补充"),
        "申请延期": lambda: request_extension(
            task_id=task.pk,  # refused for the ended plan before its pending request is looked at
            user=world.gongxin_clerk,
            requested_deadline=later,
            reason="再延",
        ),
        "审批延期": lambda: approve_extension(request_id=pending.pk, user=world.plan_office),
    }
    for what, attempt in attempts.items():
        with pytest.raises(ApplicationError) as refused:
            attempt()
        assert refused.value.code == ErrorCode.PLAN_CLOSED, what
        assert "已结束" in refused.value.message, what
    # nothing was written
    assert ExtensionRequest.objects.get(pk=pending.pk).status == pending.status
    assert ExtensionRequest.objects.filter(task__plan=world.plan).count() == 1
    assert TaskProgress.objects.get(task=world.tasks[3]).status == TaskStatus.COMPLETED
    assert not TaskProgress.objects.filter(task=task, status=TaskStatus.COMPLETED).exists()


def test_a_period_reopened_behind_the_rules_back_is_still_refused(world):
    close_plan(plan_id=world.plan.pk, user=world.plan_office, confirm=True)
    ReviewPeriod.objects.filter(pk=world.h2.pk).update(status=PeriodStatus.OPEN)  # e.g. a raw database edit
    with pytest.raises(ApplicationError) as refused:
        start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    assert refused.value.code == ErrorCode.PERIOD_NOT_OPEN and "已结束" in refused.value.message


def test_an_ended_plan_is_still_browsable_and_exportable(world):
    close_plan(plan_id=world.plan.pk, user=world.plan_office, confirm=True)
    office = _client(world.plan_office)
    assert office.get(reverse("progress:task_detail", args=[world.tasks[2].pk])).status_code == 200
    periods = office.get(reverse("progress:period_list"))
    assert periods.status_code == 200 and "已结束" in periods.content.decode()
    assert "重新开放" not in periods.content.decode()
    assert office.get(reverse("exports:ledger"), {"period": world.h2.pk}).status_code == 200
    assert office.get(reverse("evaluation:report", args=[world.plan.pk]), {"as_of": "2025-01-31"}).status_code == 200
    assert (
        _client(world.gongxin_clerk).get(reverse("progress:task_detail", args=[world.tasks[2].pk])).status_code == 200
    )


def test_close_page_asks_for_confirmation(world):
    office = _client(world.plan_office)
    url = reverse("evaluation:close", args=[world.plan.pk])
    page = office.post(url, follow=True)
    assert "请勾选确认" in page.content.decode()
    world.plan.refresh_from_db()
    assert world.plan.state == PlanState.ACTIVE
    page = office.post(url, {"confirm": "yes"}, follow=True)
    assert "已结束" in page.content.decode()
    world.plan.refresh_from_db()
    assert world.plan.state == PlanState.CLOSED
    page = office.post(url, {"confirm": "yes"}, follow=True)
    assert "不能重复结束" in page.content.decode()


# --- carrying ------------------------------------------------------------------------------------


@pytest.fixture
def next_plan(db):
    return PlanFactory(
        title="测试市“十五五”规划任务分工方案", period_start=dt.date(2026, 1, 1), period_end=dt.date(2030, 12, 31)
    )


def test_carry_copies_unfinished_tasks_with_their_units_and_targets(world, next_plan):
    Target.objects.filter(pk=world.target.pk).update(baseline_value=Decimal("3.1"), baseline_year=2020)
    close_plan(plan_id=world.plan.pk, user=world.plan_office, confirm=True)
    Task.objects.create(plan=next_plan, number=7, text="已有任务。")
    created = carry_tasks(
        source_plan_id=world.plan.pk, target_plan_id=next_plan.pk, user=world.plan_office, as_of=dt.date(2025, 1, 31)
    )
    old_numbers = [t.carried_from.number for t in created]
    assert old_numbers == [1, 2, 3, 4, 5]  # nothing was completed in the world
    assert [t.number for t in created] == [8, 9, 10, 11, 12]
    new2 = next(t for t in created if t.carried_from_id == world.tasks[2].pk)
    assert new2.plan_id == next_plan.pk and new2.text == world.tasks[2].text and new2.binding
    assert new2.deadline is None
    old_units = sorted(
        EffectiveAssignment.objects.filter(task=world.tasks[2], is_primary=True).values_list("department_id", "role")
    )
    new_units = sorted(
        EffectiveAssignment.objects.filter(task=new2, is_primary=True).values_list("department_id", "role")
    )
    assert new_units == old_units and old_units
    target = new2.targets.get()
    assert (target.indicator, target.value, target.baseline_value) == (
        world.target.indicator,
        world.target.value,
        Decimal("3.1"),
    )
    # the old plan is untouched
    assert Task.objects.filter(plan=world.plan).count() == 5


def test_carry_only_chosen_unfinished_tasks(world, next_plan):
    created = carry_tasks(
        source_plan_id=world.plan.pk,
        target_plan_id=next_plan.pk,
        user=world.plan_office,
        task_ids=[world.tasks[4].pk, world.tasks[2].pk],
    )
    assert [(t.number, t.carried_from.number) for t in created] == [(1, 2), (2, 4)]
    with pytest.raises(ApplicationError) as twice:
        carry_tasks(
            source_plan_id=world.plan.pk,
            target_plan_id=next_plan.pk,
            user=world.plan_office,
            task_ids=[world.tasks[2].pk],
        )
    assert "不能重复转入" in twice.value.message
    assert Task.objects.filter(plan=next_plan).count() == 2


def test_carry_refusals_write_nothing(world, next_plan):
    def refused(**kwargs) -> ApplicationError:
        with pytest.raises(ApplicationError) as caught:
            carry_tasks(
                **{"source_plan_id": world.plan.pk, "target_plan_id": next_plan.pk, "user": world.plan_office, **kwargs}
            )
        return caught.value

    assert "同一个方案" in refused(target_plan_id=world.plan.pk).message
    assert refused(user=world.leader).code == ErrorCode.PERMISSION_DENIED
    other = PlanFactory()
    foreign = Task.objects.create(plan=other, number=1, text="别的方案的任务。")
    assert "不属于" in refused(task_ids=[foreign.pk]).message
    assert "至少选择" in refused(task_ids=[]).message
    # a completed task is not carried
    from progress.models import TaskProgress, TaskStatus

    TaskProgress.objects.create(task=world.tasks[3], status=TaskStatus.COMPLETED)
    assert "已完成" in refused(task_ids=[world.tasks[3].pk]).message
    close_plan(plan_id=next_plan.pk, user=world.plan_office, confirm=True)
    error = refused()
    assert error.code == ErrorCode.PLAN_CLOSED and "不能再转入" in error.message
    assert not Task.objects.filter(plan=next_plan).exists()


def test_new_task_page_links_the_old_task_and_its_reports(world, next_plan):
    report = _draft(world)
    ProgressReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    created = carry_tasks(
        source_plan_id=world.plan.pk, target_plan_id=next_plan.pk, user=world.plan_office, task_ids=[world.tasks[2].pk]
    )
    new = created[0]
    for user in (world.plan_office, world.gongxin_clerk):
        page = _client(user).get(reverse("progress:task_detail", args=[new.pk])).content.decode()
        assert "承接自" in page and reverse("progress:task_detail", args=[world.tasks[2].pk]) in page
    old_page = (
        _client(world.gongxin_clerk).get(reverse("progress:task_detail", args=[world.tasks[2].pk])).content.decode()
    )
    assert "已转入" in old_page and reverse("progress:task_detail", args=[new.pk]) in old_page
    assert world.h2.name in old_page  # the old task's reports are on its page


def test_carry_page_and_api(world, next_plan):
    office = _client(world.plan_office)
    page = office.get(reverse("evaluation:plan_detail", args=[world.plan.pk])).content.decode()
    assert next_plan.title in page and "转入所选任务" in page
    response = office.post(
        reverse("evaluation:carry", args=[world.plan.pk]),
        {"target_plan": next_plan.pk, "scope": "chosen", "tasks": [world.tasks[1].pk]},
        follow=True,
    )
    assert "已转入1项" in response.content.decode()
    api = office.post(
        f"/api/evaluation/plans/{world.plan.pk}/carry/",
        {"target_plan": next_plan.pk, "tasks": [world.tasks[3].pk]},
        content_type="application/json",
    )
    assert api.status_code == 201
    assert api.json()["created"][0]["carried_from"] == world.tasks[3].pk
    same = office.post(
        f"/api/evaluation/plans/{world.plan.pk}/carry/", {"target_plan": world.plan.pk}, content_type="application/json"
    )
    assert same.status_code == 400 and "同一个方案" in same.json()["detail"]
    closed = office.post(
        f"/api/evaluation/plans/{world.plan.pk}/close/", {"confirm": True}, content_type="application/json"
    )
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    again = office.post(
        f"/api/evaluation/plans/{world.plan.pk}/close/", {"confirm": True}, content_type="application/json"
    )
    assert again.status_code == 409
