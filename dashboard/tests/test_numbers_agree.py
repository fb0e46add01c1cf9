"""Numbers that agree (issue 15, part 6): every link of the dashboard opens exactly the tasks it
counts, periods never opened stay out of the trend, 已完成 is shown in its two labelled meanings,
the red list shows 存在问题, and an overdue task whose report says 已完成 says why."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from dashboard.selectors.tasks import TASK_PAGE_SIZE
from exports.tests.conftest import open_workbook
from progress.models import PeriodStatus, ProgressReport, ProgressStatus, ReportStatus
from progress.selectors.review import board_summary
from progress.states import (
    REASON_OVERDUE,
    REASON_OVERDUE_PARTLY,
    REASON_OVERDUE_UNCONFIRMED,
    RED,
    task_states,
)
from progress.tests.factories import ProgressReportFactory, ReviewPeriodFactory
from tasks.models import AssignmentRole
from tasks.tests.factories import LeadFactory, SupportingFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOME = reverse("dashboard:home")
LIST = reverse("dashboard:tasks")
AFTER_DUE = dt.date(2025, 1, 15)  # h2's reports were due 2025-01-10


def _report(world, number, department, status=ReportStatus.SUBMITTED, *, role=AssignmentRole.LEAD, **kw):
    kw.setdefault("submitted_at", dt.datetime(2025, 1, 5, 10, tzinfo=SHANGHAI))
    return ProgressReportFactory(
        task=world.tasks[number], department=department, period=world.h2, role=role, status=status, **kw
    )


@pytest.fixture
def reported(world):
    _report(world, 1, world.fagai, progress_status=ProgressStatus.DELAYED, percent=20, problems_text="征地进度慢")
    _report(world, 2, world.gongxin, ReportStatus.ACCEPTED, progress_status=ProgressStatus.AT_RISK, percent=50)
    _report(world, 2, world.fagai, ReportStatus.SUBMITTED, role=AssignmentRole.SUPPORTING)
    # Task 3 is overdue; its unit says 已完成 but the plan office has not confirmed it.
    _report(world, 3, world.fagai, progress_status=ProgressStatus.COMPLETED, percent=100, problems_text="无")
    _report(
        world,
        4,
        world.caizheng,
        ReportStatus.DRAFT,
        progress_status=ProgressStatus.COMPLETED,
        problems_text="DRAFT-ONLY",
        submitted_at=None,
    )
    # A period never opened, before the one shown (a plan office set up the calendar ahead).
    world.never = ReviewPeriodFactory(
        plan=world.plan,
        name="2023年下半年",
        starts_on=dt.date(2023, 7, 1),
        ends_on=dt.date(2023, 12, 31),
        report_due_on=dt.date(2024, 1, 10),
        status=PeriodStatus.PLANNED,
    )
    return world


class _Links(HTMLParser):
    """Every link of the page's main part: (href, its attributes, the text of its table cell)."""

    def __init__(self):
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.in_main = False

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        if tag == "a" and self.in_main:
            self.links.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False


def _list_links(body: str) -> list[dict[str, str]]:
    parser = _Links()
    parser.feed(body)
    return [a for a in parser.links if a.get("href", "").startswith(LIST)]


def _rows_of(client, url: str) -> tuple[int, int]:
    """(the total the list states, the rows found by walking every page of it)."""
    first = client.get(url)
    assert first.status_code == 200, url
    listing = first.context["listing"]
    rows, page = len(listing.rows), listing.page
    while page.has_next():
        response = client.get(
            url, {**{k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}, "page": page.next_page_number()}
        )
        rows += len(response.context["listing"].rows)
        page = response.context["listing"].page
    return listing.total, rows


@pytest.mark.parametrize("viewer", ["plan_office", "leader"])
def test_every_link_opens_exactly_the_tasks_it_counts(client, reported, viewer, settings):
    client.force_login(getattr(reported, viewer))
    body = client.get(HOME, {"period": reported.h2.pk}).content.decode()
    links = _list_links(body)
    assert len(links) > 60
    for a in links:
        assert "data-count" in a, a  # every link to a list says how many tasks it opens
        total, rows = _rows_of(client, a["href"])
        assert total == rows == int(a["data-count"]), a["href"]
    # The charts' bars open the same lists: each bar's number is its list's length.
    charts = client.get(HOME, {"period": reported.h2.pk}).context["chart_data"]
    bars = [(i["url"], i["value"]) for key in ("lights", "statuses") for i in charts[key]]
    bars += [(c["url"], c["total"]) for c in charts["chapters"]]
    assert len(bars) >= 9
    for url, value in bars:
        assert _rows_of(client, url) == (value, value), url
    # The silent supporting units: the link counts tasks; the 人次 beside it are the list's cells.
    silent = [a for a in links if "silent=1" in a["href"]]
    assert silent
    for a in silent:
        listing = client.get(a["href"]).context["listing"]
        assert listing.total == int(a["data-count"])
        cells = sum(len(row.silent_units) for row in listing.rows)
        assert cells == listing.silent_cells
        if cells:
            assert f'data-silent="{cells}"' in body


def test_a_long_list_is_walked_page_by_page(client, reported):
    """The walk counts rows on every page, not only the first (a plan with more tasks than a page)."""
    from tasks.tests.factories import build_many_tasks

    build_many_tasks(TASK_PAGE_SIZE + 5, plan=reported.plan)
    client.force_login(reported.leader)
    body = client.get(HOME, {"period": reported.h2.pk}).content.decode()
    total_link = next(a for a in _list_links(body) if a.get("data-count") and "&" not in a["href"])
    total, rows = _rows_of(client, total_link["href"])
    assert total == rows == int(total_link["data-count"]) > TASK_PAGE_SIZE


def test_periods_never_opened_are_not_in_the_trend(client, reported):
    client.force_login(reported.leader)
    response = client.get(HOME, {"period": reported.h2.pk})
    trend = response.context["trend"]
    assert [t["point"].name for t in trend] == ["2024年上半年", "2024年下半年"]
    body = response.content.decode()
    assert "2023年下半年" not in body.split('id="trend-title"', 1)[1]
    chart = response.context["chart_data"]["trend"]
    assert [p["name"] for p in chart] == ["2024年上半年", "2024年下半年"]
    # Every trend link goes to its own period, never to the one shown by default.
    for t in trend:
        assert f"period={t['point'].period_id}" in t["red_url"]


def test_the_period_shown_never_opened_is_marked_without_links(client, reported):
    client.force_login(reported.leader)
    response = client.get(HOME, {"period": reported.never.pk})
    assert response.status_code == 200
    (row,) = response.context["trend"]
    assert row["point"].opened is False and "red_url" not in row
    assert "本期尚未开放填报，没有数据" in response.content.decode()
    assert response.context["chart_data"]["trend"] == []


def test_completed_is_shown_in_its_two_meanings(client, reported):
    client.force_login(reported.leader)
    response = client.get(HOME, {"period": reported.h2.pk})
    overview = response.context["overview"]
    body = response.content.decode()
    assert overview.completed == 0  # nothing closed or accepted as 已完成
    assert overview.claimed_completed == 1  # task 3's unit says 已完成 (task 4's is a draft)
    assert 'data-kpi="confirmed" href=' in body and "规划科确认完成" in body
    assert f'data-count="{overview.claimed_completed}" data-kpi="claimed"' in body and "单位报告已完成" in body
    assert ">已完成<" not in body  # no bare 已完成 left on the page
    # Accepting the claim makes it the plan office's too.
    report = ProgressReport.objects.get(task=reported.tasks[3], period=reported.h2)
    report.status = ReportStatus.ACCEPTED
    report.save()
    from dashboard.selectors.overview import period_overview

    again = period_overview(reported.h2, today=overview.today)
    assert (again.completed, again.claimed_completed) == (1, 1)


def test_the_api_has_the_same_labelled_numbers(client, reported):
    client.force_login(reported.leader)
    data = client.get("/api/dashboard/", {"period": reported.h2.pk}).json()
    assert (data["completed"], data["claimed_completed"], data["binding_tasks"]) == (0, 1, 1)
    assert [(p["name"], p["opened"]) for p in data["trend"]] == [("2024年上半年", True), ("2024年下半年", True)]
    page = client.get(HOME, {"period": reported.h2.pk}).context["overview"]
    assert [(u["unit_id"], u["silent"], u["silent_tasks"]) for u in data["lead_units"]] == [
        (u.unit_id, u.silent, u.silent_tasks) for u in page.lead_units
    ]
    assert any(u["silent_tasks"] for u in data["lead_units"])


def test_the_red_list_and_the_attention_list_show_the_problems(client, reported):
    client.force_login(reported.leader)
    listing = client.get(LIST, {"period": reported.h2.pk, "light": RED})
    rows = {row.state.number: row for row in listing.context["listing"].rows}
    assert rows[1].problems == ["征地进度慢"]
    body = listing.content.decode()
    assert "存在问题" in body and "征地进度慢" in body
    home = client.get(HOME, {"period": reported.h2.pk}).content.decode()
    assert "存在问题：<span>征地进度慢</span>" in home
    # A draft's text is not shown anywhere (only what reached the plan office).
    assert "DRAFT-ONLY" not in body and "DRAFT-ONLY" not in home


def test_several_lead_units_name_their_problems(reported):
    from dashboard.selectors.tasks import lead_problems

    LeadFactory(task=reported.tasks[1], department=reported.gongxin)
    _report(reported, 1, reported.gongxin, progress_status=ProgressStatus.ON_TRACK, problems_text="资金缺口")
    states = task_states(reported.h2, today=AFTER_DUE, task_ids=[reported.tasks[1].pk])
    names = {reported.fagai.pk: reported.fagai.name, reported.gongxin.pk: reported.gongxin.name}
    (problems,) = lead_problems(reported.h2, list(states.values()), names=names).values()
    assert sorted(problems) == sorted([f"{reported.fagai.name}：征地进度慢", f"{reported.gongxin.name}：资金缺口"])


def test_an_overdue_task_whose_unit_says_completed_says_why(reported):
    task = reported.tasks[3]
    state = task_states(reported.h2, today=AFTER_DUE, task_ids=[task.pk])[task.pk]
    assert state.is_overdue and state.light == RED
    assert state.progress_status == ProgressStatus.COMPLETED
    assert state.light_reason == REASON_OVERDUE_UNCONFIRMED != REASON_OVERDUE
    # With a second lead unit that has not said 已完成: only some did.
    LeadFactory(task=task, department=reported.gongxin)
    state = task_states(reported.h2, today=AFTER_DUE, task_ids=[task.pk])[task.pk]
    assert state.light_reason == REASON_OVERDUE_PARTLY
    # Accepted for every lead unit: completed, green.
    _report(reported, 3, reported.gongxin, ReportStatus.ACCEPTED, progress_status=ProgressStatus.COMPLETED)
    ProgressReport.objects.filter(task=task, department=reported.fagai).update(status=ReportStatus.ACCEPTED)
    state = task_states(reported.h2, today=AFTER_DUE, task_ids=[task.pk])[task.pk]
    assert state.is_completed and not state.is_overdue and state.light_reason == "已完成"


def test_an_overdue_task_without_a_claim_keeps_the_plain_reason(reported):
    SupportingFactory(task=reported.tasks[3], department=reported.gongxin)
    ProgressReport.objects.filter(task=reported.tasks[3]).delete()
    state = task_states(reported.h2, today=AFTER_DUE, task_ids=[reported.tasks[3].pk])[reported.tasks[3].pk]
    assert state.light_reason == REASON_OVERDUE


def test_the_ledger_says_why_beside_the_claim(client, reported):
    client.force_login(reported.leader)
    response = client.get(reverse("exports:ledger"), {"period": reported.h2.pk})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    ws = open_workbook(body)["台账"]
    rows = [[str(v) if v is not None else "" for v in row] for row in ws.iter_rows(min_row=4, values_only=True)]
    (row3,) = [r for r in rows if r[0].rstrip("*") == "3"]
    cells = "\n".join(row3)
    assert "已完成" in cells  # the unit's claim is printed...
    assert "逾期未完成（单位报告已完成，待规划科审核确认或办结）" in cells  # ...and why it is still overdue
    assert not any(c.endswith("逾期未完成") for c in row3)


def test_query_counts_of_the_pages_touched(client, reported, django_assert_max_num_queries):
    client.force_login(reported.leader)
    params = {"period": reported.h2.pk}
    client.get(HOME, params)  # the trend points of closed periods stored once
    # session, user, permissions (2), the period, the overview counted from the stored task states
    # (their check, the plan, two counts, the attention and binding tasks' ids, those tasks' states
    # (4), periods, the binding board's targets, actuals and their reports), the period list, the
    # attention texts and their 存在问题 (one query)
    with django_assert_max_num_queries(22):
        assert client.get(HOME, params).status_code == 200
    # savepoints, session, user, permissions (2), period, choices (2), periods, states (5), texts,
    # silent units, problems
    with django_assert_max_num_queries(19):
        assert client.get(LIST, {**params, "light": RED}).status_code == 200


def test_a_returned_supporting_report_is_silent_on_the_dashboard_as_on_the_review_board(client, world):
    """Delivered has one definition (progress.workflow): a returned report is owed again, so its
    supporting unit is 未反馈 on the dashboard, its task list and the review board alike."""
    _report(world, 2, world.fagai, ReportStatus.RETURNED, role=AssignmentRole.SUPPORTING)
    _report(world, 2, world.caizheng, ReportStatus.SUBMITTED, role=AssignmentRole.SUPPORTING)

    board = {s.department.pk: s.silent for s in board_summary(world.h2)}
    assert board[world.fagai.pk] == 2  # task 2 (returned) and task 5 (nothing)
    assert world.caizheng.pk not in board or board[world.caizheng.pk] == 0

    client.force_login(world.leader)
    listing = client.get(LIST, {"period": world.h2.pk, "silent": "on"}).context["listing"]
    by_number = {row.state.number: row.silent_units for row in listing.rows}
    assert by_number[2] == ["市发改局"]
    assert listing.silent_cells == sum(board.values())
    overview = client.get(HOME, {"period": world.h2.pk}).context["overview"]
    gongxin = next(row for row in overview.lead_units if row.unit_id == world.gongxin.pk)
    assert (gongxin.silent_tasks, gongxin.silent) == (1, 1)  # task 2 led by 工信局: 发改局 owes its part
