"""The portal on a 360 px phone: no sideways scrolling, and every form control labelled."""

from __future__ import annotations

import pytest

from progress.tests.browser.conftest import (
    SMALL_PHONE,
    assert_controls_labelled,
    assert_no_horizontal_scroll,
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
