"""The plan office's pages through the Django test client: board, periods, report review, task
closing, extension decisions, the navigation, and the permission matrix of every route."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.actor import actor_for
from progress.models import (
    Evidence,
    ExtensionRequest,
    ExtensionStatus,
    PeriodStatus,
    ProgressReport,
    ProgressStatus,
    ReportEvent,
    ReportStatus,
    ReviewPeriod,
    TaskEvent,
    TaskProgress,
    TaskStatus,
)
from progress.tests.factories import ProgressReportFactory, ReviewPeriodFactory
from tasks.models import AssignmentRole
from tasks.tests.factories import PlanFactory, build_many_tasks

pytestmark = pytest.mark.django_db

ROLES = ["gongxin_clerk", "fagai_clerk", "nancheng_clerk", "plan_office", "leader", "nobody", "anonymous"]


def _client(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _report(world, task_number, department, status, *, period=None, role=AssignmentRole.LEAD, **kwargs):
    return ProgressReportFactory(
        task=world.tasks[task_number],
        department=department,
        period=period or world.h2,
        role=role,
        status=status,
        **kwargs,
    )


def _extension(world, task_number=2, department=None, status=ExtensionStatus.PENDING):
    return ExtensionRequest.objects.create(
        task=world.tasks[task_number],
        department=department or world.gongxin,
        current_deadline=dt.date(2025, 12, 31),
        requested_deadline=dt.date(2027, 6, 30),
        reason="项目用地审批未完成。",
        status=status,
    )


def _snapshot():
    """Everything the review routes may write, to prove a refused request wrote nothing."""
    return (
        list(ProgressReport.objects.order_by("pk").values_list("pk", "status", "version", "review_comment")),
        list(ReviewPeriod.objects.order_by("pk").values_list("pk", "status")),
        list(ExtensionRequest.objects.order_by("pk").values_list("pk", "status", "decision_comment")),
        list(TaskProgress.objects.order_by("pk").values_list("pk", "status", "extended_deadline")),
        ReportEvent.objects.count(),
        TaskEvent.objects.count(),
    )


# --- permission matrix -----------------------------------------------------------------------


@pytest.fixture
def routes_world(world):
    world.draft = _report(world, 2, world.gongxin, ReportStatus.DRAFT)
    world.submitted = _report(world, 1, world.fagai, ReportStatus.SUBMITTED)
    world.completed = _report(
        world, 3, world.fagai, ReportStatus.ACCEPTED, progress_status=ProgressStatus.COMPLETED, percent=100
    )
    world.extension = _extension(world)
    return world


LOGIN = 302  # anonymous users are sent to the login page

GET_MATRIX = {
    # route: {role: status}
    "review_home": dict(
        gongxin_clerk=404, fagai_clerk=404, nancheng_clerk=404, plan_office=302, leader=302, nobody=404, anonymous=LOGIN
    ),
    "period_list": dict(
        gongxin_clerk=404, fagai_clerk=404, nancheng_clerk=404, plan_office=200, leader=200, nobody=404, anonymous=LOGIN
    ),
    "period_board": dict(
        gongxin_clerk=404, fagai_clerk=404, nancheng_clerk=404, plan_office=200, leader=200, nobody=404, anonymous=LOGIN
    ),
    # 工信's draft: its own unit and the city roles see it; 发改 supports task 2 but a draft is private.
    "report_detail_draft": dict(
        gongxin_clerk=200, fagai_clerk=404, nancheng_clerk=404, plan_office=200, leader=200, nobody=404, anonymous=LOGIN
    ),
    # 发改's submitted lead report on task 1: 工信 and 南城 have no part in task 1.
    "report_detail_submitted": dict(
        gongxin_clerk=404, fagai_clerk=200, nancheng_clerk=404, plan_office=200, leader=200, nobody=404, anonymous=LOGIN
    ),
    "extension_list": dict(
        gongxin_clerk=200, fagai_clerk=200, nancheng_clerk=200, plan_office=200, leader=200, nobody=200, anonymous=LOGIN
    ),
}


def _get_url(world, route):
    return {
        "review_home": reverse("progress:review_home"),
        "period_list": reverse("progress:period_list"),
        "period_board": reverse("progress:period_board", args=[world.h2.pk]),
        "report_detail_draft": reverse("progress:report_detail", args=[world.draft.pk]),
        "report_detail_submitted": reverse("progress:report_detail", args=[world.submitted.pk]),
        "extension_list": reverse("progress:extension_list"),
    }[route]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(GET_MATRIX))
def test_get_permission_matrix(client, routes_world, route, role):
    response = _client(client, routes_world, role).get(_get_url(routes_world, route))
    assert response.status_code == GET_MATRIX[route][role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_a_missing_report_is_404_like_a_hidden_one(client, routes_world):
    client.force_login(routes_world.plan_office)
    assert client.get(reverse("progress:report_detail", args=[999999])).status_code == 404


def test_extension_list_shows_only_the_own_units_requests_to_unit_staff(client, routes_world):
    w = routes_world
    _extension(w, task_number=1, department=w.fagai)
    client.force_login(w.gongxin_clerk)
    body = client.get(reverse("progress:extension_list")).content.decode()
    assert "任务2" in body and "任务1" not in body
    client.force_login(w.nancheng_clerk)
    assert "没有延期申请" in client.get(reverse("progress:extension_list")).content.decode()
    client.force_login(w.leader)
    body = client.get(reverse("progress:extension_list")).content.decode()
    assert "任务2" in body and "任务1" in body
    assert "同意延期" not in body  # leadership reads, no buttons


def _post_routes(w):
    return {
        "period_open": (reverse("progress:period_open", args=[w.h1.pk]), {}),
        "period_close": (reverse("progress:period_close", args=[w.h2.pk]), {}),
        "period_generate": (reverse("progress:period_generate", args=[w.plan.pk]), {}),
        "report_accept": (reverse("progress:report_accept", args=[w.submitted.pk]), {"comment": "好"}),
        "report_return": (reverse("progress:report_return", args=[w.submitted.pk]), {"comment": "请补充数据"}),
        "task_complete": (reverse("progress:task_complete", args=[w.tasks[3].pk]), {}),
        "task_reopen": (reverse("progress:task_reopen", args=[w.tasks[3].pk]), {"comment": "复核发现未完成"}),
        "extension_approve": (reverse("progress:extension_approve", args=[w.extension.pk]), {}),
        "extension_refuse": (reverse("progress:extension_refuse", args=[w.extension.pk]), {"comment": "理由不充分"}),
    }


POST_MATRIX = {
    # Unit staff get 404 where they may not see the object (the review pages, other units' things)
    # and 403 where they see it but may not decide; leadership sees everything and decides nothing.
    "period_open": dict(gongxin_clerk=404, fagai_clerk=404, nancheng_clerk=404, leader=403, nobody=404),
    "period_close": dict(gongxin_clerk=404, fagai_clerk=404, nancheng_clerk=404, leader=403, nobody=404),
    "period_generate": dict(gongxin_clerk=404, fagai_clerk=404, nancheng_clerk=404, leader=403, nobody=404),
    "report_accept": dict(gongxin_clerk=404, fagai_clerk=403, nancheng_clerk=404, leader=403, nobody=404),
    "report_return": dict(gongxin_clerk=404, fagai_clerk=403, nancheng_clerk=404, leader=403, nobody=404),
    "task_complete": dict(gongxin_clerk=404, fagai_clerk=403, nancheng_clerk=403, leader=403, nobody=404),
    "task_reopen": dict(gongxin_clerk=404, fagai_clerk=403, nancheng_clerk=403, leader=403, nobody=404),
    "extension_approve": dict(gongxin_clerk=403, fagai_clerk=404, nancheng_clerk=404, leader=403, nobody=404),
    "extension_refuse": dict(gongxin_clerk=403, fagai_clerk=404, nancheng_clerk=404, leader=403, nobody=404),
}


@pytest.mark.parametrize("role", ["gongxin_clerk", "fagai_clerk", "nancheng_clerk", "leader", "nobody", "anonymous"])
@pytest.mark.parametrize("route", list(POST_MATRIX))
def test_post_refused_and_nothing_written(client, routes_world, route, role):
    w = routes_world
    # Task 3 closed, so that reopening it would be a real change.
    TaskProgress.objects.create(task=w.tasks[3], status=TaskStatus.COMPLETED, completion_report=w.completed)
    url, data = _post_routes(w)[route]
    before = _snapshot()
    periods_before = ReviewPeriod.objects.count()
    response = _client(client, w, role).post(url, data)
    expected = LOGIN if role == "anonymous" else POST_MATRIX[route][role]
    assert response.status_code == expected
    assert _snapshot() == before
    assert ReviewPeriod.objects.count() == periods_before


@pytest.mark.parametrize("route", list(POST_MATRIX))
def test_post_routes_refuse_get(client, routes_world, route):
    client.force_login(routes_world.plan_office)
    url, _ = _post_routes(routes_world)[route]
    before = _snapshot()
    assert client.get(url).status_code == 405
    assert _snapshot() == before


def test_writes_need_csrf(routes_world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(routes_world.plan_office)
    before = _snapshot()
    response = client.post(reverse("progress:report_accept", args=[routes_world.submitted.pk]))
    assert response.status_code == 403
    assert _snapshot() == before


# --- the board -------------------------------------------------------------------------------


def test_review_home_redirects_to_the_open_period_or_the_period_list(client, world):
    client.force_login(world.plan_office)
    response = client.get(reverse("progress:review_home"))
    assert response["Location"] == reverse("progress:review_queue", args=[world.h2.pk])
    world.h2.status = PeriodStatus.CLOSED
    world.h2.save()
    response = client.get(reverse("progress:review_home"))
    assert response["Location"] == reverse("progress:period_list")


def test_board_shows_submitted_late_and_silent(client, world):
    """h2's report due date (2025-01-10) is past: what is not submitted is late."""
    submitted = _report(world, 2, world.gongxin, ReportStatus.SUBMITTED)
    contribution = _report(world, 2, world.fagai, ReportStatus.SUBMITTED, role=AssignmentRole.SUPPORTING)
    draft = _report(world, 3, world.fagai, ReportStatus.DRAFT)
    client.force_login(world.plan_office)
    response = client.get(reverse("progress:period_board", args=[world.h2.pk]))
    assert response.status_code == 200
    rows = {row.task.number: row for row in response.context["page"].object_list}
    assert not rows[2].late and rows[1].late and rows[3].late
    assert [(c.department.name, c.silent) for c in rows[2].supporting] == [("市发改局", False), ("市财政局", True)]
    body = response.content.decode()
    assert reverse("progress:report_detail", args=[submitted.pk]) in body
    assert reverse("progress:report_detail", args=[contribution.pk]) in body
    assert reverse("progress:report_detail", args=[draft.pk]) in body
    assert "逾期" in body and "未反馈" in body and "已过报送截止日" in body

    late_only = client.get(reverse("progress:period_board", args=[world.h2.pk]), {"late": "on"})
    assert [row.task.number for row in late_only.context["page"].object_list] == [1, 3, 4]
    silent_gongxin = client.get(
        reverse("progress:period_board", args=[world.h2.pk]), {"silent": "on", "unit": world.gongxin.pk}
    )
    assert [row.task.number for row in silent_gongxin.context["page"].object_list] == [2]
    by_number = client.get(reverse("progress:period_board", args=[world.h2.pk]), {"number": "第3项"})
    assert [row.task.number for row in by_number.context["page"].object_list] == [3]
    bad = client.get(reverse("progress:period_board", args=[world.h2.pk]), {"number": "三", "binding": "on"})
    assert "请输入任务序号" in bad.content.decode()
    assert [row.task.number for row in bad.context["page"].object_list] == [2]  # the valid filter still applies


def test_board_before_the_due_date_shows_nobody_late(client, world):
    future = ReviewPeriodFactory(
        plan=world.plan, name="2099年上半年", starts_on=dt.date(2099, 1, 1), report_due_on=dt.date(2099, 7, 10)
    )
    client.force_login(world.leader)
    response = client.get(reverse("progress:period_board", args=[future.pk]))
    assert response.status_code == 200
    assert not any(row.late for row in response.context["page"].object_list)
    assert "已过报送截止日" not in response.content.decode()


def _board_queries(client, period):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("progress:period_board", args=[period.pk]))
    assert response.status_code == 200
    return len(ctx), response


def test_board_query_count_is_constant(client, world):
    plan = PlanFactory()
    period = ReviewPeriodFactory(plan=plan, starts_on=dt.date(2024, 1, 1))
    tasks = build_many_tasks(3, plan=plan)
    lead = tasks[0].assignments.get(role=AssignmentRole.LEAD).department
    for task in tasks:
        ProgressReportFactory(task=task, department=lead, period=period, status=ReportStatus.SUBMITTED)
    client.force_login(world.plan_office)
    few, response = _board_queries(client, period)
    assert len(response.context["page"].object_list) == 3
    for task in build_many_tasks(27, plan=plan, lead=lead):
        ProgressReportFactory(task=task, department=lead, period=period, status=ReportStatus.SUBMITTED)
    many, response = _board_queries(client, period)
    assert len(response.context["page"].object_list) == 30
    assert few == many


def test_board_paginates_100_tasks(client, world):
    plan = PlanFactory()
    period = ReviewPeriodFactory(plan=plan, starts_on=dt.date(2024, 1, 1))
    build_many_tasks(101, plan=plan)
    client.force_login(world.plan_office)
    first = client.get(reverse("progress:period_board", args=[period.pk]))
    assert len(first.context["page"].object_list) == 100
    assert "下一页" in first.content.decode()
    second = client.get(reverse("progress:period_board", args=[period.pk]), {"page": 2})
    assert len(second.context["page"].object_list) == 1


# --- periods ---------------------------------------------------------------------------------


def test_period_list_buttons_for_the_plan_office_only(client, world):
    client.force_login(world.plan_office)
    body = client.get(reverse("progress:period_list")).content.decode()
    assert "2024年上半年" in body and "年度总结" in body
    assert reverse("progress:period_open", args=[world.h1.pk]) in body and "重新开放" in body
    assert reverse("progress:period_close", args=[world.h2.pk]) in body
    assert reverse("progress:period_generate", args=[world.plan.pk]) in body
    client.force_login(world.leader)
    body = client.get(reverse("progress:period_list")).content.decode()
    assert "2024年上半年" in body
    assert "<form" not in body.split("</header>", 1)[1]


def test_period_list_query_count_is_constant(client, world):
    client.force_login(world.plan_office)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("progress:period_list")).status_code == 200
        return len(ctx)

    few = queries()
    for year in range(2030, 2040):
        plan = PlanFactory()
        ReviewPeriodFactory(plan=plan, starts_on=dt.date(year, 1, 1))
        ReviewPeriodFactory(plan=world.plan, starts_on=dt.date(year, 1, 1), name=f"{year}年上半年")
    assert queries() == few


def test_period_open_close_generate(client, world):
    client.force_login(world.plan_office)
    response = client.post(reverse("progress:period_close", args=[world.h2.pk]))
    assert response["Location"] == reverse("progress:period_list")
    world.h2.refresh_from_db()
    assert world.h2.status == PeriodStatus.CLOSED and world.h2.closed_at is not None
    assert "已关闭“2024年下半年”填报期" in _messages(response)[-1]

    response = client.post(reverse("progress:period_open", args=[world.h1.pk]))
    world.h1.refresh_from_db()
    assert world.h1.status == PeriodStatus.OPEN
    assert "已重新开放" in _messages(response)[-1]

    # Closing a period twice is an illegal move: a message, nothing written.
    client.post(reverse("progress:period_close", args=[world.h1.pk]))
    before = _snapshot()
    response = client.post(reverse("progress:period_close", args=[world.h2.pk]))
    assert response.status_code == 302
    assert "不能关闭" in _messages(response)[-1]
    assert _snapshot() == before

    # 2021–2025, two a year; 2024 H1 and H2 exist already.
    response = client.post(reverse("progress:period_generate", args=[world.plan.pk]))
    assert ReviewPeriod.objects.filter(plan=world.plan).count() == 10
    assert "已生成8个填报期" in _messages(response)[-1]
    assert set(
        ReviewPeriod.objects.filter(plan=world.plan, name__startswith="2021").values_list("status", flat=True)
    ) == {PeriodStatus.PLANNED}
    response = client.post(reverse("progress:period_generate", args=[world.plan.pk]))
    assert "没有新增" in _messages(response)[-1]
    assert ReviewPeriod.objects.filter(plan=world.plan).count() == 10


# --- reviewing a report ----------------------------------------------------------------------


def test_report_detail_shows_the_report(client, world):
    report = _report(
        world,
        2,
        world.gongxin,
        ReportStatus.SUBMITTED,
        progress_status=ProgressStatus.AT_RISK,
        percent=40,
        progress_text="完成投资3亿元。",
        problems_text="用地指标紧张。",
        next_steps_text="加快项目落地。",
    )
    report.actuals.create(target=world.target, state="not_released")
    contribution = _report(
        world, 2, world.fagai, ReportStatus.SUBMITTED, role=AssignmentRole.SUPPORTING, progress_text="配合争取资金。"
    )
    _report(world, 2, world.caizheng, ReportStatus.DRAFT, role=AssignmentRole.SUPPORTING, progress_text="财政草稿内容")
    ReportEvent.objects.create(report=report, type="submitted", actor=world.gongxin_clerk, comment="")
    evidence = Evidence.objects.create(
        report=report,
        file="evidence/test.pdf",
        original_name="项目批复.pdf",
        content_type="application/pdf",
        size=2048,
        sha256="0" * 64,
    )
    client.force_login(world.plan_office)
    response = client.get(reverse("progress:report_detail", args=[report.pk]))
    body = response.content.decode()
    for text in (
        "完成投资3亿元。",
        "用地指标紧张。",
        "加快项目落地。",
        "存在风险",
        "40%",
        "数据尚未发布",
        "配合争取资金。",
    ):
        assert text in body
    assert reverse("progress:report_detail", args=[contribution.pk]) in body
    assert "审核通过" in body and 'name="comment"' in body and "退回意见" in body
    assert "gongxin_clerk" in body  # the event's actor
    assert "项目批复.pdf" in body and reverse("progress:evidence_download", args=[evidence.pk]) in body

    # 工信 sees its own report and the submitted contribution, never 财政's draft, and no review buttons.
    client.force_login(world.gongxin_clerk)
    body = client.get(reverse("progress:report_detail", args=[report.pk])).content.decode()
    assert "配合争取资金。" in body and "财政草稿内容" not in body
    assert reverse("progress:report_accept", args=[report.pk]) not in body
    client.force_login(world.leader)
    body = client.get(reverse("progress:report_detail", args=[report.pk])).content.decode()
    assert "财政草稿内容" in body and reverse("progress:report_accept", args=[report.pk]) not in body


def test_accept(client, world):
    report = _report(world, 2, world.gongxin, ReportStatus.SUBMITTED)
    client.force_login(world.plan_office)
    board = reverse("progress:period_board", args=[world.h2.pk]) + "?late=on"
    response = client.post(reverse("progress:report_accept", args=[report.pk]), {"comment": "数据翔实", "next": board})
    assert response["Location"] == board
    report.refresh_from_db()
    assert (report.status, report.review_comment, report.reviewed_by) == (
        ReportStatus.ACCEPTED,
        "数据翔实",
        world.plan_office,
    )
    event = ReportEvent.objects.get(report=report, type="accepted")
    assert (event.actor, event.comment) == (world.plan_office, "数据翔实")
    assert "已审核通过任务2" in _messages(response)[-1]


def test_next_must_be_local(client, world):
    report = _report(world, 2, world.gongxin, ReportStatus.SUBMITTED)
    client.force_login(world.plan_office)
    response = client.post(reverse("progress:report_accept", args=[report.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("progress:report_detail", args=[report.pk])


def test_return_needs_a_comment(client, world):
    report = _report(world, 2, world.gongxin, ReportStatus.SUBMITTED)
    client.force_login(world.plan_office)
    before = _snapshot()
    response = client.post(reverse("progress:report_return", args=[report.pk]), {"comment": "   "})
    assert response["Location"] == reverse("progress:report_detail", args=[report.pk])
    assert _messages(response) == ["退回时必须填写意见或理由。"]
    assert _snapshot() == before

    response = client.post(reverse("progress:report_return", args=[report.pk]), {"comment": "请补充佐证材料。"})
    report.refresh_from_db()
    assert (report.status, report.review_comment) == (ReportStatus.RETURNED, "请补充佐证材料。")
    assert ReportEvent.objects.filter(report=report, type="returned", comment="请补充佐证材料。").exists()
    assert "已退回" in _messages(response)[-1]


def test_accepting_a_draft_is_refused_with_the_named_error(client, world):
    report = _report(world, 2, world.gongxin, ReportStatus.DRAFT)
    client.force_login(world.plan_office)
    before = _snapshot()
    response = client.post(reverse("progress:report_accept", args=[report.pk]), follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "当前状态为“草稿”，不能审核通过" in body
    assert _snapshot() == before
    # No review buttons on a draft.
    assert reverse("progress:report_accept", args=[report.pk]) not in body


# --- closing tasks ---------------------------------------------------------------------------


def test_complete_needs_an_accepted_completed_report_and_reopen_needs_a_reason(client, world):
    task = world.tasks[2]
    client.force_login(world.plan_office)
    task_page = reverse("progress:task_detail", args=[task.pk])
    # Only a submitted "completed" report: not enough.
    report = _report(
        world, 2, world.gongxin, ReportStatus.SUBMITTED, progress_status=ProgressStatus.COMPLETED, percent=100
    )
    before = _snapshot()
    response = client.post(reverse("progress:task_complete", args=[task.pk]))
    assert response["Location"] == task_page
    assert "办结须有一份审核通过" in _messages(response)[-1]
    assert not TaskProgress.objects.filter(task=task, status=TaskStatus.COMPLETED).exists()
    assert TaskEvent.objects.count() == before[-1]

    client.post(reverse("progress:report_accept", args=[report.pk]))
    response = client.post(reverse("progress:task_complete", args=[task.pk]), {"comment": "已达标"})
    assert response["Location"] == task_page
    progress = TaskProgress.objects.get(task=task)
    assert (progress.status, progress.completion_report, progress.completed_by) == (
        TaskStatus.COMPLETED,
        report,
        world.plan_office,
    )
    assert "任务2已办结" in _messages(response)[-1]

    events = TaskEvent.objects.count()
    response = client.post(reverse("progress:task_reopen", args=[task.pk]), {"comment": ""})
    assert "重新开启时必须填写意见或理由" in _messages(response)[-1]
    progress.refresh_from_db()
    assert progress.status == TaskStatus.COMPLETED and TaskEvent.objects.count() == events

    client.post(reverse("progress:task_reopen", args=[task.pk]), {"comment": "复核发现数据有误。"})
    progress.refresh_from_db()
    assert progress.status == TaskStatus.OPEN
    assert TaskEvent.objects.filter(task=task, type="reopened", comment="复核发现数据有误。").exists()


def _render_actions(world, user, task, **context):
    request = RequestFactory().get(f"/tasks/{task.pk}/")
    request.user = user
    actor = actor_for(user)
    return render_to_string(
        "progress/_task_review_actions.html",
        {"task": task, "actor": actor, "task_progress": None, "pending_extension": None, **context},
        request=request,
    )


def test_task_review_actions_partial(world):
    task = world.tasks[2]
    html = _render_actions(world, world.plan_office, task)
    assert "暂不能办结" in html and reverse("progress:task_complete", args=[task.pk]) not in html
    report = _report(
        world, 2, world.gongxin, ReportStatus.ACCEPTED, progress_status=ProgressStatus.COMPLETED, percent=100
    )
    html = _render_actions(world, world.plan_office, task)
    assert reverse("progress:task_complete", args=[task.pk]) in html
    assert reverse("progress:report_detail", args=[report.pk]) in html

    progress = TaskProgress.objects.create(task=task, status=TaskStatus.COMPLETED, completion_report=report)
    extension = _extension(world)
    html = _render_actions(world, world.plan_office, task, task_progress=progress, pending_extension=extension)
    assert reverse("progress:task_reopen", args=[task.pk]) in html
    assert reverse("progress:extension_approve", args=[extension.pk]) in html
    assert reverse("progress:extension_refuse", args=[extension.pk]) in html
    assert 'value="/tasks/' in html  # the decision comes back to the task page

    for user in (world.leader, world.gongxin_clerk):
        html = _render_actions(world, user, task, task_progress=progress, pending_extension=extension)
        assert "<form" not in html


# --- extensions ------------------------------------------------------------------------------


def test_extension_approve_changes_the_effective_deadline(client, world):
    extension = _extension(world)
    client.force_login(world.plan_office)
    body = client.get(reverse("progress:extension_list")).content.decode()
    assert reverse("progress:extension_approve", args=[extension.pk]) in body
    response = client.post(reverse("progress:extension_approve", args=[extension.pk]), {"comment": "同意"})
    assert response["Location"] == reverse("progress:extension_list")
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    assert TaskProgress.objects.get(task=world.tasks[2]).extended_deadline == dt.date(2027, 6, 30)
    assert "已同意任务2延期至2027年6月30日" in _messages(response)[-1]
    # Decided: shown after pending ones, without buttons.
    body = client.get(reverse("progress:extension_list")).content.decode()
    assert reverse("progress:extension_approve", args=[extension.pk]) not in body and "已同意" in body


def test_extension_refuse_needs_a_comment(client, world):
    extension = _extension(world)
    client.force_login(world.plan_office)
    task_page = reverse("progress:task_detail", args=[world.tasks[2].pk])
    before = _snapshot()
    response = client.post(
        reverse("progress:extension_refuse", args=[extension.pk]), {"comment": "", "next": task_page}
    )
    assert response["Location"] == task_page
    assert "不同意延期时必须填写意见或理由" in _messages(response)[-1]
    assert _snapshot() == before
    client.post(reverse("progress:extension_refuse", args=[extension.pk]), {"comment": "请按原时限完成。"})
    extension.refresh_from_db()
    assert (extension.status, extension.decision_comment) == (ExtensionStatus.REFUSED, "请按原时限完成。")
    assert not TaskProgress.objects.filter(task=world.tasks[2], extended_deadline__isnull=False).exists()
    assert TaskEvent.objects.filter(task=world.tasks[2], type="extension_refused").exists()


# --- navigation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        ("gongxin_clerk", ["本期待填报", "延期申请"], ["审核台", "填报期", "管理后台", "起草方案"]),
        ("plan_office", ["审核台", "填报期", "延期申请", "起草方案"], ["本期待填报", "管理后台"]),
        ("leader", ["审核台", "填报期"], ["本期待填报", "延期申请", "管理后台", "起草方案"]),
    ],
)
def test_nav_per_role(client, world, role, present, absent):
    client.force_login(getattr(world, role))
    body = client.get(reverse("progress:extension_list")).content.decode()
    nav = body.split('aria-label="主导航">', 1)[1].split("</nav>", 1)[0]
    for label in present:
        assert label in nav
    for label in absent:
        assert label not in nav


def test_nav_admin_link_for_staff_plan_office(client, world):
    world.plan_office.is_staff = True
    world.plan_office.save()
    client.force_login(world.plan_office)
    body = client.get(reverse("progress:period_list")).content.decode()
    assert reverse("admin:index") in body and "管理后台" in body


def test_task_page_carries_the_plan_office_actions(client, world):
    extension = _extension(world)
    client.force_login(world.plan_office)
    body = client.get(reverse("progress:task_detail", args=[world.tasks[2].pk])).content.decode()
    assert "规划科操作" in body and "暂不能办结" in body
    assert reverse("progress:extension_approve", args=[extension.pk]) in body
    client.force_login(world.leader)
    body = client.get(reverse("progress:task_detail", args=[world.tasks[2].pk])).content.decode()
    assert "规划科操作" not in body
    assert reverse("progress:extension_approve", args=[extension.pk]) not in body
