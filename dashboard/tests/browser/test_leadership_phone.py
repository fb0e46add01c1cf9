"""Leadership on a phone (390×844): from login to the red tasks in at most two actions, chart labels
that do not overlap, and tables whose 红灯/黄灯 columns are on screen without scrolling."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from progress.models import PeriodStatus, ProgressStatus, ReportStatus
from progress.states import RED, task_states
from progress.tests.browser.conftest import PHONE, login
from progress.tests.factories import ProgressReportFactory, ReviewPeriodFactory
from tasks.models import AssignmentRole

pytestmark = pytest.mark.browser

MAX_ACTIONS_TO_RED = 2

# Each visible SVG text of the chart as its (possibly rotated) box: four corners in page pixels.
# Two boxes overlap when no separating axis exists (convex polygons); touching edges do not count.
OVERLAPS_JS = """
(id) => {
  const root = document.getElementById(id);
  const boxes = [];
  for (const t of root.querySelectorAll("svg text")) {
    const style = getComputedStyle(t);
    if (!t.textContent.trim() || style.display === "none" || style.visibility === "hidden" || Number(style.opacity) === 0) continue;
    const b = t.getBBox();
    if (!b.width || !b.height) continue;
    const m = t.getScreenCTM();
    const pt = (x, y) => ({ x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f });
    boxes.push({ text: t.textContent, corners: [pt(b.x, b.y), pt(b.x + b.width, b.y), pt(b.x + b.width, b.y + b.height), pt(b.x, b.y + b.height)] });
  }
  const axes = (c) => c.map((p, i) => { const q = c[(i + 1) % 4]; return { x: -(q.y - p.y), y: q.x - p.x }; });
  const project = (c, a) => c.map((p) => (p.x * a.x + p.y * a.y) / Math.hypot(a.x, a.y));
  const overlap = (u, v) => [...axes(u), ...axes(v)].every((a) => {
    if (!a.x && !a.y) return true;
    const pu = project(u, a), pv = project(v, a);
    return Math.min(Math.max(...pu), Math.max(...pv)) - Math.max(Math.min(...pu), Math.min(...pv)) > 1;
  });
  const found = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      if (overlap(boxes[i].corners, boxes[j].corners)) found.push([boxes[i].text, boxes[j].text]);
  return { texts: boxes.length, overlaps: found };
}
"""


@pytest.fixture
def crowded_world(browser_world):
    """Eight earlier half-years that were opened (a crowded trend), one never opened, and reports."""
    w = browser_world
    w.h1.delete()
    for index in range(8):
        year, half = 2020 + index // 2, index % 2
        starts = dt.date(year, 7 if half else 1, 1)
        ReviewPeriodFactory(
            plan=w.plan,
            name=f"{year}年{'下' if half else '上'}半年",
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=180),
            report_due_on=starts + dt.timedelta(days=190),
            status=PeriodStatus.CLOSED,
        )
    ReviewPeriodFactory(
        plan=w.plan,
        name="2024年上半年",
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2024, 6, 30),
        report_due_on=dt.date(2024, 7, 10),
        status=PeriodStatus.PLANNED,
    )
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
            problems_text="征地进度慢" if number == 1 else "",
        )
    return w


class ActionCounter:
    """Counts what a person does on the page (clicks, fills, selects) once signed in."""

    def __init__(self, page):
        self.page, self.actions = page, []

    def click(self, locator, what: str) -> None:
        self.actions.append(f"click {what}")
        locator.click()


def test_leadership_reaches_the_red_tasks_on_a_phone_in_two_actions(open_page, crowded_world, shot):
    w = crowded_world
    red = sorted(s.number for s in task_states(w.h2).values() if s.light == RED)
    assert red
    page = open_page(viewport=PHONE)
    login(page, "leader")  # signing in is not counted
    actions = ActionCounter(page)
    # Leadership lands on the dashboard (or reaches it from the top bar).
    if not page.url.rstrip("/").endswith("/dashboard"):
        actions.click(page.get_by_role("link", name="领导看板"), "领导看板")
    expect(page.get_by_role("heading", level=1)).to_contain_text("领导看板")
    red_count = page.locator('a[data-kpi="red"]')
    expect(red_count).to_be_in_viewport()  # on the first screen, no scrolling
    actions.click(red_count, "红灯")
    rows = page.locator("table.dash-tasklist tbody tr")
    expect(rows).to_have_count(len(red))
    expect(rows.first).to_be_in_viewport()  # the tasks come before the filters, on the first screen
    assert [int(n) for n in rows.evaluate_all("rows => rows.map(r => r.dataset.task)")] == red
    expect(page.locator("table.dash-tasklist")).to_contain_text("征地进度慢")  # 存在问题 shown
    shot(page, "dashboard-red-tasks-phone-leadership")
    assert len(actions.actions) <= MAX_ACTIONS_TO_RED, actions.actions
    print(f"leadership, login to red tasks on a phone: {len(actions.actions)} action(s): {actions.actions}")


def test_on_a_phone_labels_do_not_overlap_and_red_yellow_columns_show(open_page, crowded_world, shot):
    page = open_page(viewport=PHONE)
    login(page, "leader")
    page.goto(f"/dashboard/?period={crowded_world.h2.pk}")
    expect(page.locator("html")).to_have_attribute("data-charts", "4")
    # The trend holds the nine opened periods, not the one never opened.
    expect(page.locator("table.dash-trend tbody tr")).to_have_count(9)
    expect(page.locator("table.dash-trend")).not_to_contain_text("2024年上半年")
    for chart in ("chart-lights", "chart-status", "chart-chapters", "chart-trend"):
        result = page.evaluate(OVERLAPS_JS, chart)
        assert result["texts"] >= 3, (chart, result)
        assert not result["overlaps"], (chart, result["overlaps"])
    width = page.viewport_size["width"]
    for table in ("table.dash-chapters", "table.dash-units", "table.dash-trend"):
        for label in ("红灯", "黄灯"):
            header = page.locator(f"{table} thead th", has_text=label).first
            header.scroll_into_view_if_needed()
            box = header.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (table, label, box)
    shot(page, "dashboard-phone-crowded")
