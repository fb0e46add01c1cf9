"""The task timeline: history rows and events merged newest first, changed fields with before → after,
reports limited to those the viewer may see, and a query count that does not grow with the reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from access.actor import actor_for
from progress.models import ReportStatus, ReviewPeriod, TargetActual
from progress.selectors.portal import task_with_details
from progress.selectors.timeline import task_timeline
from progress.services.periods import close_period
from progress.services.reports import return_report, save_report, start_report, submit_report
from progress.services.task_review import approve_extension, request_extension
from progress.tests.factories import ProgressReportFactory, ReviewPeriodFactory
from progress.tests.test_services_reports import filled, started
from tasks.models import Assignment

pytestmark = pytest.mark.django_db


def timeline_for(world, user):
    return task_timeline(task_with_details(world.tasks[2].pk), actor=actor_for(user))


def whats(entries) -> list[str]:
    return [entry.what for entry in entries]


def test_the_whole_story_newest_first_with_changed_fields(world):
    task = world.tasks[2]
    task.text = "数字经济核心产业增加值占GDP比重达到6%。"
    task._history_user = world.plan_office
    task.save()
    assignment = Assignment.objects.get(task=task, department=world.caizheng)
    assignment._history_user = world.plan_office
    assignment.delete()
    report = started(world)
    report = save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=1, data=filled(world))
    report = submit_report(report_id=report.pk, user=world.gongxin_clerk)
    return_report(report_id=report.pk, user=world.plan_office, comment="请补充企业名单。")
    extension = request_extension(
        task_id=task.pk, user=world.gongxin_clerk, requested_deadline=timezone.localdate() + dt.timedelta(days=900),
        reason="项目推迟。",
    )
    approve_extension(request_id=extension.pk, user=world.plan_office)
    close_period(period=world.h2, user=world.plan_office)

    entries = timeline_for(world, world.gongxin_clerk)
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
    texts = whats(entries)
    assert texts[0] == "填报期“2024年下半年”已关闭"
    assert "任务同意延期" in texts and "任务申请延期" in texts
    assert "市工信局2024年下半年报告：退回" in texts and "市工信局2024年下半年报告：报送" in texts
    assert "删除分工（配合：市财政局）" in texts

    def entry(what):
        return next(e for e in entries if e.what == what)

    task_change = entry("修改任务")
    assert task_change.who == "plan_office"
    assert [(c.label, c.after) for c in task_change.changes] == [("任务内容", "数字经济核心产业增加值占GDP比重达到6%。")]
    report_change = entry("修改市工信局2024年下半年报告")
    assert ("推进状态", "未启动", "正常推进") in [(c.label, c.before, c.after) for c in report_change.changes]
    assert entry("市工信局2024年下半年报告：退回").comment == "请补充企业名单。"
    progress_change = entry("修改办理状态")
    assert [c.label for c in progress_change.changes] == ["延期后时限"]
    assert progress_change.changes[0].before == "（空）"
    assert any(e.what.startswith("新增实际值（") and e.comment.startswith("4.2") for e in entries)
    # Status moves are told once, by their event, not again as a field change.
    assert not any(c.label == "审核状态" for e in entries for c in e.changes)


def test_reports_the_viewer_may_not_see_stay_out(world):
    contribution = start_report(task=world.tasks[2], department_id=world.fagai.pk, period=world.h2, user=world.fagai_clerk)
    save_report(
        report_id=contribution.pk, user=world.fagai_clerk, expected_version=1, data=filled(world, actuals=None)
    )
    marker = "市发改局2024年下半年配合情况"
    assert not any(marker in e.what for e in timeline_for(world, world.gongxin_clerk))  # a draft: private
    assert any(marker in e.what for e in timeline_for(world, world.fagai_clerk))
    assert any(marker in e.what for e in timeline_for(world, world.plan_office))
    assert any(marker in e.what for e in timeline_for(world, world.leader))
    submit_report(report_id=contribution.pk, user=world.fagai_clerk)
    assert any(marker in e.what for e in timeline_for(world, world.gongxin_clerk))  # the lead reads it now


def _add_reports(world, count: int) -> None:
    for _ in range(count):
        year = 1980 + ReviewPeriod.objects.count()  # years the world's periods (2024) never use
        period = ReviewPeriodFactory(plan=world.plan, status="closed", starts_on=dt.date(year, 1, 1))
        report = ProgressReportFactory(
            task=world.tasks[2], department=world.gongxin, period=period, status=ReportStatus.ACCEPTED
        )
        TargetActual.objects.create(report=report, target=world.target, value=Decimal("1.5"), data_date=period.ends_on)
        report.progress_text = "修改后的进展。"
        report.updated_by = world.gongxin_clerk
        report.save()


def _count(world) -> tuple[int, int]:
    task = task_with_details(world.tasks[2].pk)
    actor = actor_for(world.plan_office)
    with CaptureQueriesContext(connection) as queries:
        entries = task_timeline(task, actor=actor)
    return len(queries), len(entries)


def test_query_count_does_not_grow_with_the_reports(world):
    _add_reports(world, 2)
    few, entries_few = _count(world)
    _add_reports(world, 18)
    many, entries_many = _count(world)
    assert entries_many > entries_few
    assert few == many
    assert many <= 15
