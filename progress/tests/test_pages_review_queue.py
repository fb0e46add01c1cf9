"""The plan office's daily loop (issue 15): the review queue and its previous/next, bulk acceptance of
contributions, the comparison with last period, the units' counts as links, silent units and 催办,
and the confirmation before closing a period."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from progress.models import (
    ActualState,
    PeriodStatus,
    ProgressReport,
    ProgressStatus,
    ReportEvent,
    ReportEventType,
    ReportStatus,
    TargetActual,
)
from progress.selectors import review as selectors
from progress.services.bulk_review import accept_contributions
from progress.tests.factories import ProgressReportFactory, ReviewPeriodFactory
from reminders.models import Delivery, DeliveryStatus, Notification, Reminder, ReminderKind, ReminderPolicy
from tasks.models import AssignmentRole
from tasks.tests.factories import PlanFactory, build_many_tasks
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

pytestmark = pytest.mark.django_db

LEAD, SUPPORTING = AssignmentRole.LEAD, AssignmentRole.SUPPORTING
BASE = dt.datetime(2025, 1, 5, 9, 0, tzinfo=dt.UTC)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _report(world, number, department, status, *, role=LEAD, period=None, minutes=0, **kwargs):
    submitted_at = BASE + dt.timedelta(minutes=minutes) if status != ReportStatus.DRAFT else None
    return ProgressReportFactory(
        task=world.tasks[number],
        department=department,
        period=period or world.h2,
        role=role,
        status=status,
        submitted_at=submitted_at,
        **kwargs,
    )


def _queue_ids(client, period, role="all"):
    response = client.get(reverse("progress:review_queue", args=[period.pk]), {"role": role})
    assert response.status_code == 200
    return [report.pk for report in response.context["page"].object_list]


# --- the queue --------------------------------------------------------------------------------


@pytest.fixture
def queued(world):
    """Three submitted reports of h2 (a contribution first), a draft and an accepted one."""
    world.contribution = _report(world, 2, world.fagai, ReportStatus.SUBMITTED, role=SUPPORTING, minutes=0)
    world.lead2 = _report(world, 2, world.gongxin, ReportStatus.SUBMITTED, minutes=10)
    world.lead1 = _report(world, 1, world.fagai, ReportStatus.SUBMITTED, minutes=20)
    _report(world, 4, world.caizheng, ReportStatus.DRAFT)
    _report(world, 3, world.fagai, ReportStatus.ACCEPTED, minutes=5)
    return world


def test_queue_is_submitted_reports_oldest_first_and_by_kind(client, queued):
    world = queued
    client.force_login(world.plan_office)
    assert _queue_ids(client, world.h2) == [world.contribution.pk, world.lead2.pk, world.lead1.pk]
    assert _queue_ids(client, world.h2, "lead") == [world.lead2.pk, world.lead1.pk]
    assert _queue_ids(client, world.h2, "supporting") == [world.contribution.pk]
    assert _queue_ids(client, world.h1) == []


def test_review_home_opens_the_queue_first(client, queued):
    client.force_login(queued.plan_office)
    response = client.get(reverse("progress:review_home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("progress:review_queue", args=[queued.h2.pk])
    assert "待审核 3 份" in response.content.decode()


def test_report_page_shows_its_place_with_previous_and_next(client, queued):
    world = queued
    client.force_login(world.plan_office)
    response = client.get(reverse("progress:report_detail", args=[world.lead2.pk]), {"queue": "all"})
    place = response.context["queue_place"]
    assert (place.position, place.total, place.previous_id, place.next_id) == (
        2,
        3,
        world.contribution.pk,
        world.lead1.pk,
    )
    body = response.content.decode()
    assert "待审核队列 第2/3份" in body
    assert f'{reverse("progress:report_detail", args=[world.contribution.pk])}?queue=all" rel="prev"' in body
    assert f'{reverse("progress:report_detail", args=[world.lead1.pk])}?queue=all" rel="next"' in body
    # Without the queue parameter the page is the plain report page.
    plain = client.get(reverse("progress:report_detail", args=[world.lead2.pk]))
    assert plain.context["queue_place"] is None and "待审核队列 第" not in plain.content.decode()


def test_accept_and_return_go_on_to_the_next_item_of_the_queue(client, queued):
    world = queued
    client.force_login(world.plan_office)

    def review(report, action, **data):
        url = reverse(f"progress:report_{action}", args=[report.pk])
        return client.post(url, {"queue": "all", **data})

    # The middle one accepted: on to the next.
    response = review(world.lead2, "accept")
    assert response["Location"] == reverse("progress:report_detail", args=[world.lead1.pk]) + "?queue=all"
    # The last one returned: back to the one still waiting before it.
    response = review(world.lead1, "return", comment="请补充数据来源。")
    assert response["Location"] == reverse("progress:report_detail", args=[world.contribution.pk]) + "?queue=all"
    # The last item of the queue: back to the (now empty) queue with a message.
    response = review(world.contribution, "accept")
    assert response["Location"] == reverse("progress:review_queue", args=[world.h2.pk]) + "?role=all"
    assert "待审核队列已全部处理完。" in _messages(response)
    statuses = dict(ProgressReport.objects.filter(period=world.h2).values_list("pk", "status"))
    assert statuses[world.lead2.pk] == ReportStatus.ACCEPTED
    assert statuses[world.lead1.pk] == ReportStatus.RETURNED
    assert statuses[world.contribution.pk] == ReportStatus.ACCEPTED


def test_a_refused_review_stays_on_the_report_in_the_queue(client, queued):
    world = queued
    client.force_login(world.plan_office)
    response = client.post(reverse("progress:report_return", args=[world.lead2.pk]), {"queue": "lead", "comment": " "})
    assert response["Location"] == reverse("progress:report_detail", args=[world.lead2.pk]) + "?queue=lead"
    assert ProgressReport.objects.get(pk=world.lead2.pk).status == ReportStatus.SUBMITTED


def test_lead_queue_skips_contributions_when_moving_on(client, queued):
    world = queued
    client.force_login(world.plan_office)
    response = client.post(reverse("progress:report_accept", args=[world.lead1.pk]), {"queue": "lead"})
    assert response["Location"] == reverse("progress:report_detail", args=[world.lead2.pk]) + "?queue=lead"


def _queue_queries(client, period):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("progress:review_queue", args=[period.pk]))
    assert response.status_code == 200
    return len(ctx), len(response.context["page"].object_list)


def test_queue_query_count_does_not_grow_with_the_queue(client, world):
    plan = PlanFactory()
    period = ReviewPeriodFactory(plan=plan, starts_on=dt.date(2024, 1, 1))
    tasks = build_many_tasks(3, plan=plan)
    lead = tasks[0].assignments.get(role=LEAD).department
    for i, task in enumerate(tasks):
        ProgressReportFactory(
            task=task,
            department=lead,
            period=period,
            status=ReportStatus.SUBMITTED,
            submitted_at=BASE + dt.timedelta(minutes=i),
        )
    client.force_login(world.plan_office)
    few, shown = _queue_queries(client, period)
    assert shown == 3
    for i, task in enumerate(build_many_tasks(40, plan=plan, lead=lead)):
        ProgressReportFactory(
            task=task,
            department=lead,
            period=period,
            status=ReportStatus.SUBMITTED,
            submitted_at=BASE + dt.timedelta(hours=1, minutes=i),
        )
    many, shown = _queue_queries(client, period)
    assert shown == 43
    assert few == many


def test_report_page_in_the_queue_has_bounded_queries(client, queued, django_assert_max_num_queries):
    client.force_login(queued.plan_office)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("progress:report_detail", args=[queued.lead2.pk]), {"queue": "all"})
    assert response.status_code == 200


# --- bulk acceptance of contributions ---------------------------------------------------------------


@pytest.fixture
def contributions(world):
    world.c_fagai = _report(world, 2, world.fagai, ReportStatus.SUBMITTED, role=SUPPORTING, minutes=1)
    world.c_caizheng = _report(world, 2, world.caizheng, ReportStatus.SUBMITTED, role=SUPPORTING, minutes=2)
    world.lead2 = _report(world, 2, world.gongxin, ReportStatus.SUBMITTED, minutes=3)
    return world


def _statuses(*reports):
    return [ProgressReport.objects.get(pk=r.pk).status for r in reports]


def test_bulk_accept_asks_once_then_accepts_every_selected_contribution(client, contributions):
    world = contributions
    client.force_login(world.plan_office)
    url = reverse("progress:queue_accept", args=[world.h2.pk])
    picked = [world.c_fagai.pk, world.c_caizheng.pk]

    confirm = client.post(url, {"report": picked})
    assert confirm.status_code == 200
    assert [r.pk for r in confirm.context["reports"]] == picked
    assert "确认审核通过2份" in confirm.content.decode()
    assert _statuses(world.c_fagai, world.c_caizheng) == [ReportStatus.SUBMITTED] * 2  # asked, nothing done yet

    done = client.post(url, {"report": picked, "confirm": "yes", "comment": "已阅"})
    assert done.status_code == 302
    assert "已审核通过2份配合单位反馈。" in _messages(done)
    assert _statuses(world.c_fagai, world.c_caizheng, world.lead2) == [
        ReportStatus.ACCEPTED,
        ReportStatus.ACCEPTED,
        ReportStatus.SUBMITTED,
    ]
    events = ReportEvent.objects.filter(report_id__in=picked, type=ReportEventType.ACCEPTED)
    assert sorted(events.values_list("report_id", "actor__username", "comment")) == sorted(
        (pk, "plan_office", "已阅") for pk in picked
    )


def test_bulk_accept_refuses_a_lead_report_and_writes_nothing(client, contributions):
    world = contributions
    client.force_login(world.plan_office)
    response = client.post(
        reverse("progress:queue_accept", args=[world.h2.pk]),
        {"report": [world.c_fagai.pk, world.lead2.pk], "confirm": "yes"},
    )
    assert response.status_code == 302
    assert any("是牵头单位报告，不能批量审核" in m for m in _messages(response))
    assert _statuses(world.c_fagai, world.lead2) == [ReportStatus.SUBMITTED] * 2
    assert not ReportEvent.objects.filter(type=ReportEventType.ACCEPTED).exists()


@pytest.mark.parametrize(
    ("role", "status"), [("fagai_clerk", 404), ("gongxin_clerk", 404), ("leader", 403), ("nobody", 404)]
)
def test_bulk_accept_is_for_the_plan_office_only(client, contributions, role, status):
    world = contributions
    client.force_login(getattr(world, role))
    response = client.post(
        reverse("progress:queue_accept", args=[world.h2.pk]),
        {"report": [world.c_fagai.pk, world.c_caizheng.pk], "confirm": "yes"},
    )
    assert response.status_code == status
    assert _statuses(world.c_fagai, world.c_caizheng) == [ReportStatus.SUBMITTED] * 2


def test_bulk_accept_service_refuses_a_clerk(contributions):
    world = contributions
    with pytest.raises(ApplicationError) as refused:
        accept_contributions(period=world.h2, report_ids=[world.c_fagai.pk], user=world.fagai_clerk)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert _statuses(world.c_fagai) == [ReportStatus.SUBMITTED]


def test_bulk_accept_refuses_a_contribution_no_longer_waiting(contributions):
    world = contributions
    ProgressReport.objects.filter(pk=world.c_caizheng.pk).update(status=ReportStatus.RETURNED)
    with pytest.raises(ApplicationError) as refused:
        accept_contributions(
            period=world.h2, report_ids=[world.c_fagai.pk, world.c_caizheng.pk], user=world.plan_office
        )
    assert "不在待审核中" in refused.value.message
    assert _statuses(world.c_fagai) == [ReportStatus.SUBMITTED]


# --- the comparison with last period ------------------------------------------------------------------


def test_report_page_shows_last_periods_report_what_changed_and_last_value(client, world):
    previous = _report(
        world,
        2,
        world.gongxin,
        ReportStatus.ACCEPTED,
        period=world.h1,
        progress_status=ProgressStatus.ON_TRACK,
        percent=40,
        progress_text="引进数字经济项目2个，核心产业增加值占比3.9%。",
        problems_text="龙头企业少。",
        next_steps_text="加快项目建设。",
    )
    TargetActual.objects.create(
        report=previous,
        target=world.target,
        state=ActualState.REPORTED,
        value=Decimal("3.9"),
        data_date=dt.date(2024, 6, 30),
    )
    report = _report(
        world,
        2,
        world.gongxin,
        ReportStatus.SUBMITTED,
        progress_status=ProgressStatus.AT_RISK,
        percent=60,
        progress_text="引进数字经济项目3个，核心产业增加值占比4.2%。",
        problems_text="龙头企业少。",
        next_steps_text="推进数据要素市场建设。",
    )
    TargetActual.objects.create(
        report=report,
        target=world.target,
        state=ActualState.REPORTED,
        value=Decimal("4.2"),
        data_date=dt.date(2024, 12, 31),
    )
    client.force_login(world.plan_office)
    response = client.get(reverse("progress:report_detail", args=[report.pk]))
    comparison = response.context["comparison"]
    assert comparison.previous == previous
    assert [d.changed for d in comparison.texts] == [True, False, True]
    assert ("推进状态", "正常推进", "存在风险") in comparison.facts and ("完成进度", "40%", "60%") in comparison.facts
    [row] = comparison.actual_rows
    assert (row.previous.value, row.change) == (Decimal("3.9"), Decimal("0.3"))
    body = response.content.decode()
    assert reverse("progress:report_detail", args=[previous.pk]) in body
    assert "<del>2</del><ins>3</ins>" in body and "<del>3.9%</del><ins>4.2%</ins>" in body
    assert "<ins>推进数据要素市场建设。</ins>" in body
    row_html = re.search(r"<tr>\s*<td data-label=\"指标\">.*?</tr>", body, re.S).group(0)
    assert "3.9%" in row_html and "2024年上半年" in row_html and "增加0.3" in row_html
    assert " style=" not in body and "<script" not in body


def test_report_page_without_a_previous_report_says_so(client, world):
    report = _report(world, 2, world.gongxin, ReportStatus.SUBMITTED)
    client.force_login(world.plan_office)
    response = client.get(reverse("progress:report_detail", args=[report.pk]))
    assert response.context["comparison"].previous is None
    assert "本单位上期没有该任务的报告" in response.content.decode()


# --- the units of the board ---------------------------------------------------------------------------


@pytest.fixture
def mixed(world):
    """h2 (past its due date): a spread of lead statuses and contributions."""
    _report(world, 2, world.gongxin, ReportStatus.SUBMITTED)
    _report(world, 1, world.fagai, ReportStatus.RETURNED)
    _report(world, 3, world.fagai, ReportStatus.ACCEPTED)
    _report(world, 4, world.caizheng, ReportStatus.DRAFT)
    _report(world, 2, world.fagai, ReportStatus.SUBMITTED, role=SUPPORTING)
    _report(world, 2, world.caizheng, ReportStatus.DRAFT, role=SUPPORTING)
    return world


def test_every_unit_count_opens_exactly_the_tasks_it_counts(client, mixed):
    """Walk every count link of the units' table (all units) and compare the count with the rows."""
    client.force_login(mixed.plan_office)
    board = reverse("progress:period_board", args=[mixed.h2.pk])
    response = client.get(board, {"show": "all"})
    lines = response.context["unit_lines"]
    assert len(lines) == len(response.context["board"].summary)
    checked = 0
    for summary, cells in lines:
        for value, url, _alert in cells:
            query = dict(parse_qsl(urlsplit(url).query))
            listed = client.get(board, query)
            assert listed.context["row_count"] == value, (summary.department.name, url)
            rows = listed.context["page"].object_list
            assert all(summary.department.pk in row.unit_ids for row in rows)
            checked += 1
    assert checked == 9 * len(lines) and checked > 0
    # Links are in the page (a count of 0 is plain text).
    body = response.content.decode()
    assert f'href="?unit={mixed.fagai.pk}&amp;role=lead&amp;status=returned#tasks-title"' in body


def test_units_hide_those_without_lead_tasks_and_filter_and_sort(client, mixed):
    client.force_login(mixed.plan_office)
    board = reverse("progress:period_board", args=[mixed.h2.pk])
    default = [s.department.name for s, _ in client.get(board).context["unit_lines"]]
    every = [s.department.name for s, _ in client.get(board, {"show": "all"}).context["unit_lines"]]
    assert "南城镇" in every and "南城镇" not in default
    assert all(s.led for s, _ in client.get(board).context["unit_lines"])
    problems = client.get(board, {"show": "problem"}).context["unit_lines"]
    assert problems and all(s.late or s.silent or s.returned for s, _ in problems)
    assert {s.department.name for s, _ in problems} == {
        s.department.name for s in client.get(board).context["board"].summary if s.late or s.silent or s.returned
    }
    by_late = [s.late for s, _ in client.get(board, {"sort": "late", "show": "all"}).context["unit_lines"]]
    assert by_late == sorted(by_late, reverse=True) and by_late[0] > 0


def test_board_query_count_with_unit_filters_is_constant(client, world):
    plan = PlanFactory()
    period = ReviewPeriodFactory(plan=plan, starts_on=dt.date(2024, 1, 1))
    tasks = build_many_tasks(3, plan=plan)
    lead = tasks[0].assignments.get(role=LEAD).department
    client.force_login(world.plan_office)
    query = {"unit": lead.pk, "role": "lead", "status": "none", "sort": "late", "show": "problem"}

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("progress:period_board", args=[period.pk]), query)
        assert response.status_code == 200
        return len(ctx), response.context["row_count"]

    few, rows = count()
    build_many_tasks(30, plan=plan, lead=lead)
    many, more_rows = count()
    assert more_rows > rows
    assert few == many


# --- silent units and 催办 --------------------------------------------------------------------------------


def test_silent_units_lists_each_unit_with_its_silent_tasks(client, mixed):
    client.force_login(mixed.plan_office)
    response = client.get(reverse("progress:silent_units", args=[mixed.h2.pk]))
    units = {unit.department.name: [n for _, n, _ in unit.tasks] for unit, _ in response.context["lines"]}
    summary = {s.department.name: s.silent for s in selectors.board_summary(mixed.h2) if s.silent}
    assert {name: len(numbers) for name, numbers in units.items()} == summary
    assert units["市财政局"] == [2]  # its draft contribution is not delivered
    assert "市发改局" in units and 2 not in units["市发改局"]  # its submitted one is
    assert "催办市财政局" in response.content.decode()


def _no_quiet_hours(world):
    """Send at once whatever the time of day the test runs (start = end: no quiet hours)."""
    ReminderPolicy.objects.update_or_create(
        plan=world.plan, defaults={"quiet_hours_start": dt.time(0, 0), "quiet_hours_end": dt.time(0, 0)}
    )


def test_urge_sends_once_per_unit_per_day(client, mixed, django_capture_on_commit_callbacks):
    world = mixed
    _no_quiet_hours(world)
    url = reverse("progress:unit_urge", args=[world.h2.pk, world.caizheng.pk])
    client.force_login(world.plan_office)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    assert first.status_code == 302
    assert any(m.startswith("已向市财政局催办（2个渠道，正在发送）") for m in _messages(first))
    reminder = Reminder.objects.get(kind=ReminderKind.URGE)
    assert reminder.department == world.caizheng and reminder.period == world.h2
    assert "任务2" in reminder.body
    deliveries = list(Delivery.objects.filter(reminder=reminder).values_list("channel", flat=True))
    assert sorted(deliveries) == ["email", "inapp"]  # a unit without settings: e-mail and in-app
    assert Notification.objects.filter(user=world.caizheng_clerk, reminder=reminder).count() == 1
    assert Delivery.objects.get(reminder=reminder, channel="inapp").status == DeliveryStatus.SENT

    # Clicked again, and by a second member of the plan office: nothing more is sent.
    from access.roles import PLAN_OFFICE_GROUP
    from progress.tests.factories import role_user

    colleague = role_user(PLAN_OFFICE_GROUP, username="plan_office_2")
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url)
        client.force_login(colleague)
        third = client.post(url)
    assert any("今天已于" in m for m in _messages(again)) and any("今天已于" in m for m in _messages(third))
    assert Reminder.objects.filter(kind=ReminderKind.URGE).count() == 1
    assert Delivery.objects.filter(reminder__kind=ReminderKind.URGE).count() == 2
    assert Notification.objects.filter(user=world.caizheng_clerk).count() == 1
    page = client.get(reverse("progress:silent_units", args=[world.h2.pk])).content.decode()
    assert "今日已催办" in page and "催办市财政局" not in page


def test_urge_again_the_next_day_and_not_in_a_closed_period(mixed):
    from reminders.services.urge import urge_unit

    world = mixed
    now = timezone.now()
    first = urge_unit(period_id=world.h2.pk, department_id=world.caizheng.pk, user=world.plan_office, now=now)
    same_day = urge_unit(period_id=world.h2.pk, department_id=world.caizheng.pk, user=world.plan_office, now=now)
    next_day = urge_unit(
        period_id=world.h2.pk, department_id=world.caizheng.pk, user=world.plan_office, now=now + dt.timedelta(days=1)
    )
    assert (first.created, same_day.created, next_day.created) == (True, False, True)
    assert same_day.reminder.pk == first.reminder.pk != next_day.reminder.pk
    with pytest.raises(ApplicationError) as not_silent:
        urge_unit(period_id=world.h2.pk, department_id=world.gongxin.pk, user=world.plan_office, now=now)
    assert "没有未反馈的配合任务" in not_silent.value.message
    with pytest.raises(ApplicationError) as denied:
        urge_unit(period_id=world.h2.pk, department_id=world.fagai.pk, user=world.leader, now=now)
    assert denied.value.code == ErrorCode.PERMISSION_DENIED
    world.h2.status = PeriodStatus.CLOSED
    world.h2.save()
    with pytest.raises(ApplicationError) as closed:
        urge_unit(period_id=world.h2.pk, department_id=world.fagai.pk, user=world.plan_office, now=now)
    assert closed.value.code == ErrorCode.PERIOD_NOT_OPEN
    assert Reminder.objects.filter(kind=ReminderKind.URGE).count() == 2


def test_silent_units_query_count_does_not_grow(client, mixed):
    client.force_login(mixed.plan_office)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("progress:silent_units", args=[mixed.h2.pk]))
        assert response.status_code == 200
        return len(ctx), len(response.context["lines"])

    few, units = count()
    build_many_tasks(10, plan=mixed.plan)  # two more silent supporting units, ten tasks each
    many, more_units = count()
    assert more_units == units + 2
    assert few == many


# --- closing a period -----------------------------------------------------------------------------------


def test_closing_asks_first_and_shows_what_is_still_open(client, mixed):
    world = mixed
    client.force_login(world.plan_office)
    listing = client.get(reverse("progress:period_list")).content.decode()
    assert reverse("progress:period_close_confirm", args=[world.h2.pk]) in listing
    assert f'action="{reverse("progress:period_close", args=[world.h2.pk])}"' not in listing

    response = client.get(reverse("progress:period_close_confirm", args=[world.h2.pk]))
    assert response.status_code == 200
    items = response.context["open"]
    # Submitted: 工信's lead report on task 2 and 发改's contribution. Lead units that have not
    # delivered: 发改 (task 1, returned), 财政 (task 4, draft); task 3 is accepted, task 5 has no lead.
    assert (items.unreviewed_lead, items.unreviewed_supporting, items.unreported_tasks) == (1, 1, 2)
    board = client.get(reverse("progress:period_board", args=[world.h2.pk]), {"owed": "on"})
    assert board.context["row_count"] == items.unreported_tasks
    silent = sum(unit.count for unit in selectors.silent_units(world.h2))
    assert items.silent_cells == silent
    body = response.content.decode()
    assert "待审核的报告：<strong>2</strong>份" in body
    assert "牵头单位未报送的任务：<strong>2</strong>项" in body
    assert (
        ReviewPeriodFactory._meta.model.objects.get(pk=world.h2.pk).status == PeriodStatus.OPEN
    )  # asking closes nothing

    closed = client.post(reverse("progress:period_close", args=[world.h2.pk]))
    assert closed.status_code == 302
    world.h2.refresh_from_db()
    assert world.h2.status == PeriodStatus.CLOSED
    # A closed period is not closed again: the confirmation page sends back to the list.
    again = client.get(reverse("progress:period_close_confirm", args=[world.h2.pk]))
    assert again["Location"] == reverse("progress:period_list")


def test_close_confirmation_is_refused_to_leadership(client, world):
    client.force_login(world.leader)
    assert client.get(reverse("progress:period_close_confirm", args=[world.h2.pk])).status_code == 403


def test_report_page_shows_an_event_without_a_person_as_the_system(client, world):
    """An event whose person was deleted (or written by the system) names 系统 instead of failing."""
    report = _report(world, 2, world.gongxin, ReportStatus.SUBMITTED)
    ReportEvent.objects.create(
        report=report, type=ReportEventType.SUBMITTED, actor=None, to_status=ReportStatus.SUBMITTED
    )
    client.force_login(world.plan_office)
    response = client.get(reverse("progress:report_detail", args=[report.pk]), {"queue": "all"})
    assert response.status_code == 200
    assert "系统" in response.content.decode()


def test_the_waiting_counts_open_the_queue_of_lead_reports_they_count(client, queued):
    world = queued
    client.force_login(world.plan_office)
    queue = reverse("progress:review_queue", args=[world.h2.pk]) + "?role=lead"
    board = client.get(reverse("progress:period_board", args=[world.h2.pk]))
    periods = client.get(reverse("progress:period_list"))
    waiting = board.context["queue_total"]
    assert f'<a href="{queue}">{waiting}份牵头单位报告</a>' in board.content.decode()
    assert f'待审核<a href="{queue}">{waiting}</a>' in periods.content.decode()
    assert len(_queue_ids(client, world.h2, "lead")) == waiting == 2


def test_the_comparison_never_shows_another_units_draft(client, world):
    """市发改局 supports task 2 and reads 市工信局's submitted report, not its last-period draft."""
    draft = _report(
        world, 2, world.gongxin, ReportStatus.DRAFT, period=world.h1, progress_text="上期未报送的草稿内容。"
    )
    report = _report(world, 2, world.gongxin, ReportStatus.SUBMITTED, progress_text="本期报送的内容。")
    client.force_login(world.fagai_clerk)
    response = client.get(reverse("progress:report_detail", args=[report.pk]))
    assert response.status_code == 200
    assert response.context["comparison"].previous is None
    assert "上期未报送的草稿内容" not in response.content.decode()
    # Its own unit and the plan office do compare with it.
    for user in (world.gongxin_clerk, world.plan_office):
        client.force_login(user)
        response = client.get(reverse("progress:report_detail", args=[report.pk]))
        assert response.context["comparison"].previous == draft
        assert reverse("progress:report_detail", args=[draft.pk]) in response.content.decode()


def test_silent_units_page_lists_a_units_first_tasks_and_links_to_all(client, mixed, monkeypatch):
    from progress.views import review as review_views

    tasks = build_many_tasks(10, plan=mixed.plan)  # two more supporting units, silent on ten tasks each
    everything = {unit.department.pk: unit for unit in selectors.silent_units(mixed.h2)}
    first = {unit.department.pk: unit for unit in selectors.silent_units(mixed.h2, shown=3)}
    assert first.keys() == everything.keys()
    for pk, unit in first.items():
        assert unit.count == everything[pk].count == len(everything[pk].tasks)
        assert unit.tasks == everything[pk].tasks[:3]  # the lowest numbers
    busy = [unit for unit in first.values() if unit.count == 10]
    assert len(busy) == 2
    assert [number for _, number, _ in busy[0].tasks] == sorted(t.number for t in tasks)[:3]

    monkeypatch.setattr(review_views, "SILENT_TASKS_SHOWN", 3)
    client.force_login(mixed.plan_office)
    page = client.get(reverse("progress:silent_units", args=[mixed.h2.pk]))
    lines = {unit.department.pk: (unit, url) for unit, url in page.context["lines"]}
    unit, url = lines[busy[0].department.pk]
    assert (unit.count, len(unit.tasks)) == (10, 3)
    body = page.content.decode()
    row = body[body.index(f'id="unit-{unit.department.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "全部10项" in row and row.count("/tasks/") == 3
    assert f"共{sum(everything[pk].count for pk in everything)}项未反馈" in body
