"""The top bar's search and 修改密码 link and the print view of a task, in chromium on a phone: no
sideways scrolling, every control labelled; the print view prints without the top bar, at ≥ 10 pt."""

from __future__ import annotations

import pytest
from django.urls import reverse

from progress.tests.browser.conftest import (
    PHONE,
    SMALL_PHONE,
    assert_controls_labelled,
    assert_no_horizontal_scroll,
    login,
)

pytestmark = pytest.mark.browser


def test_search_from_the_top_bar_on_a_phone(open_page, browser_world, shot):
    page = open_page(viewport=SMALL_PHONE)
    login(page, "fagai_clerk")
    assert_no_horizontal_scroll(page)
    search = page.get_by_role("search").get_by_label("搜索任务")
    search.fill("市工信局")
    with page.expect_navigation():
        search.press("Enter")
    assert page.url.endswith(reverse("progress:search") + "?q=%E5%B8%82%E5%B7%A5%E4%BF%A1%E5%B1%80")
    results = page.locator(".search-results li")
    assert results.count() == 1 and "任务2" in results.first.inner_text()
    assert_no_horizontal_scroll(page)
    assert_controls_labelled(page)
    shot(page, "phone-search")
    with page.expect_navigation():
        results.first.get_by_role("link").click()
    assert page.url.endswith(reverse("progress:task_detail", args=[browser_world.tasks[2].pk]))


def test_password_change_on_a_phone_keeps_the_user_signed_in(open_page, browser_world, shot):
    page = open_page(viewport=PHONE)
    login(page, "gongxin_clerk")
    with page.expect_navigation():
        page.get_by_role("link", name="修改密码").click()
    assert_no_horizontal_scroll(page)
    assert_controls_labelled(page)
    page.get_by_label("旧密码").fill("wrong")
    page.get_by_label("新密码", exact=True).fill("兴平督办-2026春")
    page.get_by_label("新密码确认").fill("兴平督办-2026春")
    with page.expect_navigation():
        page.get_by_role("button", name="修改密码").click()
    assert "旧密码不正确" in page.get_by_role("alert").first.inner_text()
    shot(page, "phone-password-error")


def test_the_print_view_prints_without_the_top_bar(open_page, browser_world, shot):
    page = open_page(viewport=PHONE)
    login(page, "gongxin_clerk")
    page.goto(reverse("progress:task_print", args=[browser_world.tasks[2].pk]))
    assert_no_horizontal_scroll(page)
    assert page.locator(".topbar").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert not page.get_by_role("button", name="打印").is_visible()
    body_pt = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize) * 0.75")
    assert body_pt >= 10
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    shot(page, "phone-task-print")
