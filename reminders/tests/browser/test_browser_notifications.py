"""The notification centre on a phone: a clerk sees the unread badge, opens the centre, reads a digest
and follows its link to the portal page; the plan office's send log and a unit's reminder settings fit a
phone too."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from progress.tests.browser.conftest import SMALL_PHONE, assert_controls_labelled, assert_no_horizontal_scroll, login
from reminders.models import Channel, DeliveryStatus, Notification, UnitReminderSettings
from reminders.tests.page_helpers import DIGEST_BODY, make_delivery, make_notification, make_reminder

pytestmark = pytest.mark.browser

TITLE = "市工信局：2024年下半年还有2项任务未报送"


def test_clerk_reads_a_digest_on_a_phone_and_follows_its_link(open_page, browser_world, shot):
    world = browser_world
    make_notification(world.gongxin_clerk, title="较早的提醒：已读", read=True)
    reminder = make_reminder(world, title=TITLE)
    link = f"{reverse('progress:home')}?period={world.h2.pk}"
    notification = make_notification(world.gongxin_clerk, reminder=reminder, title=TITLE, body=DIGEST_BODY, link=link)
    make_notification(world.fagai_clerk, title="发给市发改局的提醒")

    page = open_page(viewport=SMALL_PHONE)
    login(page, "gongxin_clerk")
    nav = page.get_by_role("navigation", name="主导航")
    badge_link = nav.get_by_role("link", name="通知（1条未读）")
    expect(badge_link).to_be_visible()
    badge_link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("通知中心")
    card = page.locator(f"#n{notification.pk}")
    expect(card).to_contain_text(TITLE)
    expect(card).to_contain_text("未读")
    expect(card).to_contain_text("1. 任务2 数字经济核心产业增加值 · 草稿")
    expect(card).to_contain_text("2. 任务5 工业技改投资 · 未填报")
    expect(page.locator("main")).not_to_contain_text("发给市发改局的提醒")
    assert_no_horizontal_scroll(page)
    assert assert_controls_labelled(page) >= 2
    shot(page, "phone-360-notifications")

    with page.expect_navigation():
        card.get_by_role("button", name=f"打开：{TITLE}").click()
    assert page.url.endswith(link), page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("本期待填报")
    shot(page, "phone-360-notification-link")
    notification.refresh_from_db()
    assert notification.read_at is not None
    # Read now: the badge is gone and the card is no longer marked.
    expect(nav.get_by_role("link", name="通知", exact=True)).to_be_visible()
    page.goto(reverse("reminders:notification_list"))
    expect(page.locator(f"#n{notification.pk}")).not_to_contain_text("未读")
    assert Notification.objects.filter(user=world.gongxin_clerk, read_at__isnull=True).count() == 0


def test_send_log_fits_a_phone(open_page, browser_world, shot):
    world = browser_world
    reminder = make_reminder(world, title=TITLE)
    make_delivery(world, reminder=reminder, channel=Channel.EMAIL, status=DeliveryStatus.SENT)
    make_delivery(world, reminder=reminder, channel=Channel.WECOM, status=DeliveryStatus.FAILED, attempts=5,
                  last_error="企业微信机器人返回错误：errcode 93000（机器人地址无效）" + "x" * 200)
    page = open_page(viewport=SMALL_PHONE)
    login(page, "plan_office")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="发送记录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("发送记录")
    expect(page.locator("main")).to_contain_text("发送失败 1")
    expect(page.get_by_role("button", name=re.compile("^重新发送"))).to_have_count(1)
    assert_no_horizontal_scroll(page)
    assert assert_controls_labelled(page) >= 6
    shot(page, "phone-360-send-log")

    page.get_by_role("link", name="单位提醒设置").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("单位提醒设置")
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name="设置市工信局的提醒").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("市工信局的提醒设置")
    page.get_by_label("站内通知").uncheck()
    page.get_by_label(world.leader.get_full_name() or world.leader.get_username()).check()
    assert_no_horizontal_scroll(page)
    assert assert_controls_labelled(page) >= 7
    shot(page, "phone-360-unit-settings")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("已保存市工信局的提醒设置。")
    saved = UnitReminderSettings.objects.get(department=world.gongxin)
    assert (saved.email_enabled, saved.inapp_enabled) == (True, False)
    assert list(saved.supervising_leaders.all()) == [world.leader]
