"""Leadership opens the dashboard, clicks the red count and lands on exactly the red tasks."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from dashboard.selectors.overview import period_overview
from progress.models import ProgressStatus, ReportStatus
from progress.states import RED
from progress.tests.browser.conftest import (
    DESKTOP,
    SMALL_PHONE,
    assert_controls_labelled,
    assert_no_horizontal_scroll,
    login,
)
from progress.tests.factories import ProgressReportFactory
from tasks.models import AssignmentRole

pytestmark = pytest.mark.browser

TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def reported_world(browser_world):
    w = browser_world
    at = dt.datetime(2025, 1, 5, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    for number, unit, status, progress in [
        (1, w.fagai, ReportStatus.SUBMITTED, ProgressStatus.DELAYED),
        (2, w.gongxin, ReportStatus.ACCEPTED, ProgressStatus.AT_RISK),
        (4, w.caizheng, ReportStatus.SUBMITTED, ProgressStatus.ON_TRACK),
    ]:
        ProgressReportFactory(
            task=w.tasks[number],
            department=unit,
            period=w.h2,
            role=AssignmentRole.LEAD,
            status=status,
            progress_status=progress,
            submitted_at=at,
        )
    return w


def test_leadership_clicks_the_red_count_and_sees_the_red_tasks(open_page, reported_world, shot):
    w = reported_world
    red = sorted(s.number for s in period_overview(w.h2).states.values() if s.light == RED)
    assert red

    page = open_page(viewport=DESKTOP)
    login(page, "leader")
    page.get_by_role("link", name="领导看板").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("领导看板：2024年下半年")
    expect(page.locator("html")).to_have_attribute("data-charts", "4")  # ECharts drew its four charts
    assert page.locator("#chart-lights svg").count() == 1
    red_link = page.locator('a[data-light="red"]')
    expect(red_link).to_have_text(str(len(red)))
    shot(page, "dashboard-desktop")

    red_link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("任务清单")
    rows = page.locator("table.dash-tasklist tbody tr")
    expect(rows).to_have_count(len(red))
    assert [int(n) for n in rows.evaluate_all("rows => rows.map(r => r.dataset.task)")] == red
    assert page.locator("tr.light-row-red").count() == len(red)
    expect(page.locator("[data-total]")).to_have_text(str(len(red)))
    shot(page, "dashboard-red-tasks-desktop")

    # A row leads to the existing task page.
    page.locator(f'tr[data-task="{red[0]}"] td a').first.click()
    expect(page).to_have_url(re.compile(rf"/tasks/{w.tasks[red[0]].pk}/$"))


@pytest.mark.parametrize(("viewport", "name"), [(TABLET, "tablet"), (SMALL_PHONE, "phone")])
def test_dashboard_fits_a_tablet_and_a_phone(open_page, reported_world, shot, viewport, name):
    page = open_page(viewport=viewport)
    login(page, "leader")
    page.goto("/dashboard/")
    expect(page.locator("html")).to_have_attribute("data-charts", "4")
    assert_no_horizontal_scroll(page)
    shot(page, f"dashboard-{name}")
    page.locator('a[data-light="red"]').click()
    expect(page.locator("table.dash-tasklist")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert assert_controls_labelled(page) >= 10
    shot(page, f"dashboard-red-tasks-{name}")
