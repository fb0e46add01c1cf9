"""The dashboard page and its click-through list: who may see them, what they show, their queries."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.selectors.overview import period_overview
from progress.models import ProgressStatus, ReportStatus
from progress.states import RED
from progress.tests.factories import ProgressReportFactory
from tasks.models import AssignmentRole
from tasks.tests.factories import build_many_tasks

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOME = reverse("dashboard:home")
LIST = reverse("dashboard:tasks")
NUMBER_LINK = re.compile(r'<a class="num[^"]*" data-count="(\d+)"(?: data-light="\w+")? href="([^"]+)"')
SILENT_LINK = re.compile(
    r'<a class="num[^"]*" data-count="(\d+)" href="([^"]+)">\d+</a><span class="small muted" data-silent="(\d+)">'
)


def _report(world, number, department, status=ReportStatus.SUBMITTED, *, role=AssignmentRole.LEAD, **kw):
    kw.setdefault("submitted_at", dt.datetime(2025, 1, 5, 10, tzinfo=SHANGHAI))
    return ProgressReportFactory(
        task=world.tasks[number], department=department, period=world.h2, role=role, status=status, **kw
    )


@pytest.fixture
def reported(world):
    _report(world, 1, world.fagai, progress_status=ProgressStatus.DELAYED, percent=20)
    _report(world, 2, world.gongxin, ReportStatus.ACCEPTED, progress_status=ProgressStatus.AT_RISK, percent=50)
    _report(world, 2, world.fagai, ReportStatus.SUBMITTED, role=AssignmentRole.SUPPORTING)
    _report(
        world,
        4,
        world.caizheng,
        ReportStatus.SUBMITTED,
        progress_status=ProgressStatus.ON_TRACK,
        submitted_at=dt.datetime(2025, 1, 12, 9, tzinfo=SHANGHAI),
    )
    return world


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


# --- who may see them ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [HOME, LIST, "/api/dashboard/"])
def test_anonymous_is_sent_to_sign_in_or_refused(client, world, url):
    response = client.get(url)
    if url.startswith("/api/"):
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("who", ["gongxin_clerk", "gongxin_head", "fagai_clerk", "nancheng_clerk", "nobody"])
@pytest.mark.parametrize("url", [HOME, LIST, "/api/dashboard/"])
def test_unit_staff_and_nobody_are_refused(client, world, who, url):
    response = _client(client, getattr(world, who)).get(url, {"period": world.h2.pk})
    assert response.status_code == 403
    body = response.content.decode()
    assert "仅供规划科和市领导查看" in body
    assert "市工信局" not in body and "数字经济" not in body  # nothing of any unit's data


@pytest.mark.parametrize("who", ["plan_office", "leader"])
@pytest.mark.parametrize("url", [HOME, LIST, "/api/dashboard/"])
def test_plan_office_and_leadership_see_it(client, reported, who, url):
    response = _client(client, getattr(reported, who)).get(url, {"period": reported.h2.pk})
    assert response.status_code == 200


def test_unknown_or_bad_period_is_a_clear_error(client, world):
    c = _client(client, world.leader)
    response = c.get(HOME, {"period": "99999"})
    assert response.status_code == 404 and "找不到该填报期" in response.content.decode()
    response = c.get(LIST, {"period": "abc"})
    assert response.status_code == 404 and "填报期编号应为数字" in response.content.decode()


def test_bad_filters_are_listed_in_chinese(client, world):
    response = _client(client, world.leader).get(LIST, {"period": world.h2.pk, "light": "blue", "on": "2025/1/1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "“红黄绿灯”的取值无效" in body and "统计日期应为“年-月-日”格式" in body


def test_nav_link_for_the_plan_office_and_leadership_only(client, world):
    assert "领导看板" in _client(client, world.leader).get(reverse("progress:period_list")).content.decode()
    client.logout()
    assert "领导看板" not in _client(client, world.gongxin_clerk).get(reverse("progress:home")).content.decode()


# --- what they show --------------------------------------------------------------------------


def test_page_numbers_equal_the_selector(client, reported):
    response = _client(client, reported.leader).get(HOME)  # default: the latest open period (h2)
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.period == reported.h2
    expected = period_overview(reported.h2, today=overview.today)
    assert (overview.total, overview.completed, overview.light_counts) == (
        expected.total,
        expected.completed,
        expected.light_counts,
    )
    assert [(u.unit_id, u.tasks, u.on_time, u.late, u.silent) for u in overview.lead_units] == [
        (u.unit_id, u.tasks, u.on_time, u.late, u.silent) for u in expected.lead_units
    ]
    body = unescape(response.content.decode())
    for light, label, count in expected.light_items:
        assert re.search(rf'data-count="{count}" data-light="{light}"', body), label
    assert "红灯：超过完成时限" in body  # the rules are on the page
    assert "dashboard/vendor/echarts.min.js" in body and "https://" not in body.split("<main", 1)[1]


def test_every_number_clicks_through_to_exactly_its_tasks(client, reported):
    c = _client(client, reported.plan_office)
    body = unescape(c.get(HOME, {"period": reported.h2.pk}).content.decode())
    links = NUMBER_LINK.findall(body)
    assert len(links) > 40
    for count, url in links:
        listed = c.get(url)
        assert listed.status_code == 200, url
        assert listed.context["listing"].total == int(count), url
    # 配合单位未反馈: the link counts the tasks it opens; the 人次 beside it are the list's cells.
    silent = SILENT_LINK.findall(body)
    assert silent
    for count, url, cells in silent:
        listing = c.get(url).context["listing"]
        assert (listing.total, listing.silent_cells) == (int(count), int(cells)), url


def test_red_count_lists_exactly_the_red_tasks(client, reported):
    c = _client(client, reported.leader)
    overview = period_overview(reported.h2)
    red = sorted(s.number for s in overview.states.values() if s.light == RED)
    assert red  # 1 (滞后) and 3 (逾期)
    response = c.get(LIST, {"period": reported.h2.pk, "light": RED})
    assert [row.state.number for row in response.context["listing"].rows] == red
    body = response.content.decode()
    assert body.count('class="light-row-red"') == len(red)
    assert reverse("progress:task_detail", args=[reported.tasks[1].pk]) in body


def test_list_filters_by_unit_section_status_and_earlier_period_date(client, reported):
    c = _client(client, reported.leader)

    def numbers(**params):
        response = c.get(LIST, {"period": reported.h2.pk, **params})
        assert response.status_code == 200, response.content.decode()[:500]
        return [row.state.number for row in response.context["listing"].rows]

    assert numbers() == [1, 2, 3, 4, 5]
    assert numbers(unit=reported.fagai.pk) == [1, 3]
    assert numbers(section=reported.chapter1.pk) == [1, 2, 3]
    assert numbers(section=reported.section11.pk) == [2, 3]
    assert numbers(status="at_risk") == [2]
    assert numbers(status="not_submitted") == [3, 5]
    assert numbers(report="late") == [4]
    assert numbers(binding="on") == [2]
    assert numbers(silent="on", unit=reported.gongxin.pk) == [2]  # 财政 silent on task 2
    # As of 2024-12-01 the h2 reports were not due yet and task 1 not yet overdue... only 3 was.
    assert numbers(light="red", on="2024-12-01") == [1, 3]


# --- queries ---------------------------------------------------------------------------------


def _count(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_plan(client, reported):
    c = _client(client, reported.leader)
    params = {"period": reported.h2.pk}
    small = (_count(c, HOME, params), _count(c, LIST, params), _count(c, LIST, {**params, "light": "red"}))
    tasks = build_many_tasks(60, plan=reported.plan)
    for task in tasks[:20]:
        lead = task.assignments.get(role=AssignmentRole.LEAD).department
        ProgressReportFactory(
            task=task,
            department=lead,
            period=reported.h2,
            status=ReportStatus.SUBMITTED,
            progress_status=ProgressStatus.DELAYED,
        )
    big = (_count(c, HOME, params), _count(c, LIST, params), _count(c, LIST, {**params, "light": "red"}))
    assert big == small
    # session, user, roles, notifications, periods, the overview (14), texts; the first page after a
    # change also computes and stores the changed tasks' standings and states (progress.standing_store,
    # progress.state_store: 12 more)
    assert max(big) <= 36


def test_names_and_headings_are_escaped(client, reported):
    reported.gongxin.name = "<b>市工信局</b>"
    reported.gongxin.save()
    reported.section11.title = "<script>alert(1)</script>"
    reported.section11.save()
    body = _client(client, reported.leader).get(HOME, {"period": reported.h2.pk}).content.decode()
    assert "&lt;b&gt;市工信局&lt;/b&gt;" in body and "<b>市工信局</b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
