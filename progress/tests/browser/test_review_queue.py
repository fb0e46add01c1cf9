"""The plan office's day in a real browser (issue 15): from signing in to returning a report through
the review queue, counting the actions (clicks and fills, signing in excluded), then moving on to
the next report and chasing a silent supporting unit with one click (催办)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from progress.models import ProgressReport, ProgressStatus, ReportStatus
from progress.services.reports import ReportInput, save_report, start_report, submit_report
from progress.tests.browser.conftest import DESKTOP, login
from reminders.models import Delivery, Reminder, ReminderKind

pytestmark = pytest.mark.browser

RETURN_COMMENT = "请补充核心产业增加值的数据来源。"
# From the queue: open the first report, write the comment, press 退回.
MAX_ACTIONS_TO_RETURN = 3


def _submit(world, *, task, department, user, text):
    report = start_report(task=task, department_id=department.pk, period=world.h2, user=user)
    report = save_report(
        report_id=report.pk,
        user=user,
        expected_version=report.version,
        data=ReportInput(progress_status=ProgressStatus.ON_TRACK, percent=50, progress_text=text),
    )
    return submit_report(report_id=report.pk, user=user)


def test_plan_office_returns_a_report_in_three_actions_and_moves_on(open_page, browser_world, shot):
    world = browser_world
    first = _submit(world, task=world.tasks[1], department=world.fagai, user=world.fagai_clerk, text="先报送的报告。")
    second = _submit(
        world, task=world.tasks[4], department=world.caizheng, user=world.caizheng_clerk, text="后报送的报告。"
    )

    office = open_page(viewport=DESKTOP)
    login(office, "plan_office")
    actions = 0
    expect(office.get_by_role("heading", level=1)).to_contain_text("待审核队列")
    expect(office.locator("main")).to_contain_text("待审核 2 份")
    shot(office, "desktop-queue-01")

    office.get_by_role("link", name="从第1份开始审核").click()
    actions += 1
    expect(office.get_by_role("navigation", name="待审核队列")).to_contain_text("第1/2份")
    expect(office.locator("main")).to_contain_text("先报送的报告。")
    expect(office.locator("main")).to_contain_text("与上期对比")
    office.get_by_label("退回意见").fill(RETURN_COMMENT)
    actions += 1
    office.get_by_role("button", name="退回", exact=True).click()
    actions += 1
    shot(office, "desktop-queue-02-next")

    assert actions <= MAX_ACTIONS_TO_RETURN, f"{actions} actions from the queue to a returned report"
    # Returned, and the next report of the queue is open: its position kept, no trip back to a list.
    expect(office.get_by_role("status").first).to_contain_text("已退回任务1 · 市发改局的报告")
    expect(office.get_by_role("heading", level=1)).to_contain_text("市财政局的报告")
    expect(office.get_by_role("navigation", name="待审核队列")).to_contain_text("第1/1份")
    first.refresh_from_db()
    assert (first.status, first.review_comment) == (ReportStatus.RETURNED, RETURN_COMMENT)
    assert ProgressReport.objects.get(pk=second.pk).status == ReportStatus.SUBMITTED

    # 催办 a silent supporting unit: one click on its row; a second click is not offered.
    office.get_by_role("link", name="审核台").first.click()
    office.get_by_role("link", name="配合单位未反馈").click()
    row = office.get_by_role("row").filter(has_text="市财政局")
    row.get_by_role("button", name="催办市财政局").click()
    expect(office.get_by_role("status").first).to_contain_text("已向市财政局催办")
    expect(office.get_by_role("row").filter(has_text="市财政局")).to_contain_text("今日已催办")
    shot(office, "desktop-queue-03-urged")
    reminder = Reminder.objects.get(kind=ReminderKind.URGE)
    assert reminder.department == world.caizheng
    assert Delivery.objects.filter(reminder=reminder).count() == 2
