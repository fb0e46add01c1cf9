"""The whole review loop in a real browser, as the two people see it.

The 市工信局 clerk (phone, 390×844) fills and submits the report on task 2; the plan office
(desktop, 1280×800) returns it with a comment; the clerk reads the comment, revises and
resubmits; the plan office accepts. Both sign in through the login page. Each step asserts what is on the screen and leaves a
screenshot in artifacts/browser/ (phone-*.jpg and desktop-*.jpg); the end asserts the database.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from progress.models import ActualState, ProgressReport, ProgressStatus, ReportEventType, ReportStatus
from progress.services.reports import ReportInput, save_report, start_report
from progress.tests.browser.conftest import DESKTOP, PHONE, login

pytestmark = pytest.mark.browser

TASK2_TEXT = "数字经济核心产业增加值"
TARGET = "数字经济核心产业增加值占GDP比重"
RETURN_COMMENT = "实际值与统计局公布数不一致，请核对后补充存在的问题。"
FIRST_PROGRESS = "引进数字经济项目3个，核心产业增加值占比4.2%。"
REVISED_PROGRESS = "引进数字经济项目3个，核心产业增加值占比4.1%（已按统计局公布数核对）。"
REVISED_PROBLEMS = "龙头企业少，数据要素市场尚未形成。"


def due_row(page):
    """Task 2's row on the clerk's 本期待填报 list."""
    return page.get_by_role("row").filter(has_text=TASK2_TEXT)


def board_row(page):
    """Task 2's row on the plan office's board."""
    return page.get_by_role("row").filter(has_text=TASK2_TEXT)


def test_report_submitted_returned_revised_and_accepted(open_page, browser_world, shot):
    world = browser_world
    data_date = min(timezone.localdate(), world.h2.ends_on)

    # --- the clerk, on a phone: 本期待填报 → task 2 → fill → 保存并报送 ---------------------------------
    clerk = open_page(viewport=PHONE)
    login(clerk, "gongxin_clerk", through_form=True)
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("本期待填报")
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("市工信局")
    row = due_row(clerk)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("牵头")
    expect(row).to_contain_text("未填报")
    shot(clerk, "phone-01-due-list")

    row.get_by_role("link", name="填报", exact=True).click()
    expect(clerk.get_by_role("heading", level=1)).to_have_text("2024年下半年 · 进展报告")
    clerk.get_by_label("推进状态").select_option(label="正常推进")
    clerk.get_by_label("完成进度").fill("60")
    clerk.get_by_label("进展情况").fill(FIRST_PROGRESS)
    clerk.get_by_label("存在问题").fill("项目落地慢。")
    clerk.get_by_label("下步打算").fill("加快项目建设。")
    target = clerk.get_by_role("group", name=re.compile(TARGET))
    target.get_by_label("填报状态").select_option(label="已填报")
    target.get_by_label("实际值").fill("4.2")
    target.get_by_label("数据截至日期").fill(data_date.isoformat())
    shot(clerk, "phone-02-report-filled")

    clerk.get_by_role("button", name="保存并报送").click()
    # Nothing else left to write: back on the list, at task 2's row, which reads 已报送.
    expect(clerk.get_by_role("status").first).to_contain_text("任务2的进展报告已报送规划科。本期任务已全部报送。")
    expect(due_row(clerk)).to_contain_text("已报送")
    due_row(clerk).get_by_role("link", name="查看", exact=True).click()
    # Submitted: the form is gone, the page says why it cannot be changed now.
    expect(clerk.get_by_role("button", name="保存并报送")).to_have_count(0)
    expect(clerk.locator("main")).to_contain_text("被退回后才能修改")
    shot(clerk, "phone-03-submitted")

    # --- the plan office, on a desktop: board → the report → 退回 with a comment ----------------------
    office = open_page(viewport=DESKTOP)
    login(office, "plan_office", through_form=True)
    # The plan office lands on its review queue; the board is one tab away.
    expect(office.get_by_role("heading", level=1)).to_contain_text("审核台：2024年下半年 · 待审核队列")
    office.get_by_role("link", name="各单位与任务").click()
    row = board_row(office)
    expect(row).to_contain_text("市工信局：已报送")
    expect(row).to_contain_text("未反馈")  # 市发改局 and 市财政局 have said nothing yet
    shot(office, "desktop-04-board")

    row.get_by_role("link", name="已报送").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("2024年下半年 · 市工信局的报告")
    expect(office.locator("main")).to_contain_text(FIRST_PROGRESS)
    expect(office.get_by_role("row").filter(has_text=TARGET)).to_contain_text("4.2%")
    office.get_by_label("退回意见").fill(RETURN_COMMENT)
    shot(office, "desktop-05-report-to-return")
    office.get_by_role("button", name="退回", exact=True).click()
    expect(office.get_by_role("status").first).to_contain_text("已退回任务2 · 市工信局的报告")
    expect(board_row(office)).to_contain_text("市工信局：已退回")
    shot(office, "desktop-06-returned")

    # --- the clerk sees the comment, revises, resubmits ----------------------------------------------
    clerk.goto("/")
    row = due_row(clerk)
    expect(row).to_contain_text("已退回")
    row.get_by_role("link", name="修改后重报").click()
    returned = clerk.get_by_role("alert").filter(has_text="规划科退回意见")
    expect(returned).to_contain_text(RETURN_COMMENT)
    expect(returned).to_contain_text("plan_office")
    # The form holds what was submitted: only what changed is edited.
    expect(clerk.get_by_label("进展情况")).to_have_value(FIRST_PROGRESS)
    expect(clerk.get_by_role("group", name=re.compile(TARGET)).get_by_label("实际值")).to_have_value(
        re.compile(r"^4\.20*$")  # the form shows the stored decimal places (4.2000)
    )
    shot(clerk, "phone-07-returned-comment")

    clerk.get_by_label("进展情况").fill(REVISED_PROGRESS)
    clerk.get_by_label("存在问题").fill(REVISED_PROBLEMS)
    clerk.get_by_role("group", name=re.compile(TARGET)).get_by_label("实际值").fill("4.1")
    clerk.get_by_role("button", name="保存并报送").click()
    expect(clerk.get_by_role("status").first).to_contain_text("任务2的进展报告已报送规划科。")
    expect(due_row(clerk)).to_contain_text("已报送")
    shot(clerk, "phone-08-resubmitted")

    # --- the plan office accepts ---------------------------------------------------------------------
    office.reload()
    row = board_row(office)
    expect(row).to_contain_text("市工信局：已报送")
    row.get_by_role("link", name="已报送").click()
    expect(office.locator("main")).to_contain_text(REVISED_PROGRESS)
    expect(office.locator("main")).to_contain_text(REVISED_PROBLEMS)
    expect(office.get_by_role("row").filter(has_text=TARGET)).to_contain_text("4.1%")
    office.get_by_role("button", name="审核通过").click()
    expect(office.get_by_role("status").first).to_contain_text("已审核通过任务2 · 市工信局的报告")
    expect(board_row(office)).to_contain_text("市工信局：已审核")
    shot(office, "desktop-09-accepted")

    clerk.goto("/")
    expect(due_row(clerk)).to_contain_text("已审核")
    shot(clerk, "phone-10-accepted")

    # --- what the database holds at the end ----------------------------------------------------------
    report = ProgressReport.objects.get(task=world.tasks[2], department=world.gongxin, period=world.h2)
    assert report.status == ReportStatus.ACCEPTED
    assert report.progress_status == ProgressStatus.ON_TRACK
    assert report.percent == 60
    assert (report.progress_text, report.problems_text) == (REVISED_PROGRESS, REVISED_PROBLEMS)
    assert report.review_comment == ""
    assert (report.submitted_by, report.reviewed_by) == (world.gongxin_clerk, world.plan_office)
    actual = report.actuals.get()
    assert (actual.target, actual.state, actual.value, actual.data_date) == (
        world.target,
        ActualState.REPORTED,
        Decimal("4.1"),
        data_date,
    )
    events = list(report.events.order_by("at", "pk").values_list("type", "actor__username", "to_status", "comment"))
    assert events == [
        (ReportEventType.CREATED, "gongxin_clerk", ReportStatus.DRAFT, ""),
        (ReportEventType.SUBMITTED, "gongxin_clerk", ReportStatus.SUBMITTED, ""),
        (ReportEventType.RETURNED, "plan_office", ReportStatus.RETURNED, RETURN_COMMENT),
        (ReportEventType.SUBMITTED, "gongxin_clerk", ReportStatus.SUBMITTED, ""),
        (ReportEventType.ACCEPTED, "plan_office", ReportStatus.ACCEPTED, ""),
    ]
    # Nobody else's report was touched on the way.
    assert ProgressReport.objects.count() == 1


CLERK_TEXT = "第一位同事写的进展：完成项目签约2个。"
HEAD_TEXT = "负责人写的进展：完成项目签约2个，开工1个。"
HEAD_PROBLEMS = "负责人补充的问题：用地指标紧张。"


@pytest.mark.parametrize("existing", [False, True], ids=["new-report", "existing-draft"])
def test_second_save_of_the_same_report_shows_the_conflict_and_keeps_the_typed_text(
    open_page, browser_world, shot, existing
):
    world = browser_world
    task, period = world.tasks[2], world.h2
    if existing:
        draft = start_report(task=task, department_id=world.gongxin.pk, period=period, user=world.gongxin_clerk)
        save_report(
            report_id=draft.pk,
            user=world.gongxin_clerk,
            expected_version=draft.version,
            data=ReportInput(progress_status=ProgressStatus.ON_TRACK, progress_text="初稿。"),
        )
    url = reverse("progress:report_form", args=[task.pk, period.pk])

    # Two people of 市工信局 open the same report in two browsers, and both type.
    clerk = open_page(viewport=PHONE)
    login(clerk, "gongxin_clerk")
    clerk.goto(url)
    head = open_page(viewport=PHONE)
    login(head, "gongxin_head")
    head.goto(url)
    clerk.get_by_label("进展情况").fill(CLERK_TEXT)
    head.get_by_label("进展情况").fill(HEAD_TEXT)
    head.get_by_label("存在问题").fill(HEAD_PROBLEMS)
    # Each target gets a state (a draft would skip a blank "已填报" row; this one is 数据尚未发布).
    for page in (clerk, head):
        page.get_by_role("group", name=re.compile(TARGET)).get_by_label("填报状态").select_option(label="数据尚未发布")

    # The clerk saves first: fine.
    clerk.get_by_role("button", name="保存草稿").click()
    expect(clerk.get_by_role("status").first).to_contain_text("草稿已保存")
    expect(clerk.get_by_label("进展情况")).to_have_value(CLERK_TEXT)

    # The head saves second: refused with the conflict message; nothing typed is lost.
    head.get_by_role("button", name="保存草稿").click()
    expect(head.get_by_role("alert").filter(has_text="您的修改没有保存")).to_contain_text("gongxin_clerk")
    expect(head.get_by_label("进展情况")).to_have_value(HEAD_TEXT)
    expect(head.get_by_label("存在问题")).to_have_value(HEAD_PROBLEMS)
    expect(head.locator("main")).to_contain_text(CLERK_TEXT)  # the stored version, shown beside the form
    shot(head, f"phone-conflict-{'existing' if existing else 'new'}")

    report = ProgressReport.objects.get(task=task, department=world.gongxin, period=period)
    assert report.progress_text == CLERK_TEXT
    assert report.updated_by == world.gongxin_clerk
    stored_version = report.version

    # Having seen the latest text, the head saves again: now based on the stored version, it goes through.
    head.get_by_role("button", name="保存草稿").click()
    expect(head.get_by_role("status").first).to_contain_text("草稿已保存")
    report.refresh_from_db()
    assert (report.progress_text, report.problems_text) == (HEAD_TEXT, HEAD_PROBLEMS)
    assert report.version == stored_version + 1
    assert report.updated_by == world.gongxin_head
