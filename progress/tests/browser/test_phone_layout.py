"""The portal on a 360 px phone: no sideways scrolling, and every form control labelled."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from progress.models import ActualState, ProgressStatus
from progress.services.reports import ActualInput, ReportInput, return_report, save_report, start_report, submit_report
from progress.tests.browser.conftest import (
    SMALL_PHONE,
    assert_controls_labelled,
    assert_no_horizontal_scroll,
    login,
)

pytestmark = pytest.mark.browser


def test_login_page_fits_a_phone_and_labels_its_fields(open_page, browser_world, shot):
    page = open_page(viewport=SMALL_PHONE)
    page.goto("/accounts/login/")
    assert page.evaluate("window.innerWidth") == 360
    assert_no_horizontal_scroll(page)
    assert assert_controls_labelled(page) >= 3  # user name, password, the button

    page.get_by_label("用户名").fill("gongxin_clerk")
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    alert = page.get_by_role("alert")
    assert "用户名或密码不正确" in alert.inner_text()
    shot(page, "phone-login-error")


def test_layout_checks_catch_sideways_scroll_and_unlabelled_controls(open_page):
    # The checks above must be able to fail: a page too wide for the phone and a field without a label.
    page = open_page(viewport=SMALL_PHONE)
    page.set_content(
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<table id="wide" style="width:600px"><tr><td>宽表格</td></tr></table>'
        '<label for="ok">有标签</label><input id="ok"><input name="percent" placeholder="只有占位文字">'
        '<select name="status"><option>正常推进</option></select><button type="submit"></button>'
    )
    with pytest.raises(AssertionError, match=r"table#wide"):
        assert_no_horizontal_scroll(page)
    with pytest.raises(AssertionError) as excinfo:
        assert_controls_labelled(page)
    message = str(excinfo.value)
    assert "input[name=percent]" in message and "select[name=status]" in message and "button[name=]" in message
    assert "#ok" not in message


# A long address pasted into a report: it must wrap, not push the page sideways.
LONG_TOKEN = "https://www.xingping.gov.cn/zwgk/tzgg/202412/t20241231_5f3a9c0e7b2d4a1f8e6c.html"


def _submitted(world, *, task, department, user, text):
    report = start_report(task=task, department_id=department.pk, period=world.h2, user=user)
    actuals = [ActualInput(target_id=target.pk, state=ActualState.NOT_RELEASED) for target in task.targets.all()]
    report = save_report(
        report_id=report.pk,
        user=user,
        expected_version=report.version,
        data=ReportInput(
            progress_status=ProgressStatus.AT_RISK,
            percent=40,
            progress_text=text,
            problems_text="存在的问题。" * 20,
            next_steps_text="下步打算。" * 20,
            actuals=actuals if report.role == "lead" else None,
        ),
    )
    return submit_report(report_id=report.pk, user=user)


@pytest.fixture
def filled_world(browser_world):
    """市工信局's report on task 2 returned with a comment (an editable form with every part shown),
    市发改局's contribution to it submitted, 市财政局's report on task 4 waiting for review."""
    world = browser_world
    gongxin = _submitted(
        world, task=world.tasks[2], department=world.gongxin, user=world.gongxin_clerk, text=f"进展情况。{LONG_TOKEN}"
    )
    return_report(report_id=gongxin.pk, user=world.plan_office, comment=f"请补充数据来源：{LONG_TOKEN}")
    _submitted(world, task=world.tasks[2], department=world.fagai, user=world.fagai_clerk, text="配合情况。" * 30 + LONG_TOKEN)
    world.caizheng_report = _submitted(
        world, task=world.tasks[4], department=world.caizheng, user=world.caizheng_clerk, text="城乡融合。" * 30 + LONG_TOKEN
    )
    return world


def _check_pages(page, shot, pages):
    for name, url, heading in pages:
        response = page.goto(url)
        assert response.status == 200, f"{url} answered {response.status}"
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_no_horizontal_scroll(page)
        assert assert_controls_labelled(page) > 0
        shot(page, f"phone-360-{name}")


def test_unit_pages_fit_a_small_phone(open_page, filled_world, shot):
    world = filled_world
    page = open_page(viewport=SMALL_PHONE)
    login(page, "gongxin_clerk")
    _check_pages(
        page,
        shot,
        [
            ("due-list", reverse("progress:home"), "本期待填报"),
            ("report-form", reverse("progress:report_form", args=[world.tasks[2].pk, world.h2.pk]), "进展报告"),
            ("task-detail", reverse("progress:task_detail", args=[world.tasks[2].pk]), "任务2"),
        ],
    )
    # The returned report's form is the page with the most parts: all of them are there.
    page.goto(reverse("progress:report_form", args=[world.tasks[2].pk, world.h2.pk]))
    expect(page.get_by_role("alert").filter(has_text="规划科退回意见")).to_be_visible()
    expect(page.get_by_role("button", name="保存并报送")).to_be_visible()
    expect(page.locator("main")).to_contain_text("配合情况。")


def test_plan_office_pages_fit_a_small_phone(open_page, filled_world, shot):
    world = filled_world
    page = open_page(viewport=SMALL_PHONE)
    login(page, "plan_office")
    _check_pages(
        page,
        shot,
        [
            ("board", reverse("progress:period_board", args=[world.h2.pk]), "审核台"),
            ("report-detail", reverse("progress:report_detail", args=[world.caizheng_report.pk]), "市财政局的报告"),
            ("period-list", reverse("progress:period_list"), "填报期"),
            ("review-queue", reverse("progress:review_queue", args=[world.h2.pk]), "待审核队列"),
            ("silent-units", reverse("progress:silent_units", args=[world.h2.pk]), "配合单位未反馈"),
            ("close-confirm", reverse("progress:period_close_confirm", args=[world.h2.pk]), "关闭"),
            ("report-in-queue", reverse("progress:report_detail", args=[world.caizheng_report.pk]) + "?queue=all", "市财政局的报告"),
            ("assessment-home", reverse("assessment:home"), "年度考核"),
            ("assessment-rules", reverse("assessment:rules", args=[world.plan.pk]), "考核规则"),
        ],
    )
    # The review forms are on the report page (it is waiting for review).
    page.goto(reverse("progress:report_detail", args=[world.caizheng_report.pk]))
    expect(page.get_by_role("button", name="审核通过")).to_be_visible()
    expect(page.get_by_label("退回意见")).to_be_visible()
