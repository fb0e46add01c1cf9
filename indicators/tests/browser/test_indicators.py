"""On a phone, the plan office opens 指标监测, opens a binding indicator, enters the year's value
from the statistics bulletin and sees it counted; a unit clerk sees its own indicator only."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from progress.tests.browser.conftest import PHONE, assert_controls_labelled, assert_no_horizontal_scroll, login

pytestmark = pytest.mark.browser


def test_plan_office_enters_a_value_on_a_phone(open_page, browser_world, shot):
    w = browser_world
    page = open_page(viewport=PHONE)
    login(page, "plan_office")
    page.get_by_role("link", name="指标监测").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("指标监测")
    assert_no_horizontal_scroll(page)
    assert_controls_labelled(page)
    row = page.locator(f'tr[data-target="{w.target.pk}"]')
    expect(row).to_contain_text("数据尚未发布")
    shot(page, "indicators-list-phone")

    row.get_by_role("link").click()
    expect(page.locator("[data-status]").first).to_have_text("数据尚未发布")
    assert page.locator("svg.trajectory").count() == 1
    page.get_by_label("年份", exact=True).fill("2024")
    page.get_by_role("textbox", name="实际值").fill("5.3")
    page.get_by_label("数据来源").fill("2024年统计公报")
    page.get_by_label("录入或更正理由").fill("依据2024年统计公报")
    page.get_by_role("button", name="保存实际值").click()
    expect(page.locator(".messages")).to_contain_text("已保存实际值")
    expect(page.locator("tr[data-origin=official]")).to_contain_text("5.3%")
    expect(page.locator("[data-status]").first).to_have_text("超前")
    assert_no_horizontal_scroll(page)
    shot(page, "indicator-detail-phone")


def test_a_unit_clerk_sees_its_own_indicator(open_page, browser_world):
    page = open_page(viewport=PHONE)
    login(page, "gongxin_clerk")
    page.get_by_role("link", name="指标监测").click()
    rows = page.locator("tr[data-target]")
    expect(rows).to_have_count(1)
    assert page.get_by_role("button", name="保存实际值").count() == 0
