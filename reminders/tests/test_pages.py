"""The reminder pages through the Django test client: the notification centre (own rows only, unread
marks, opening and marking read, pagination, the nav badge) and the send log (roles, filters, counts per
status, retry, constant query counts)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from progress.tests.factories import ReviewPeriodFactory, build_world
from reminders.context_processors import unread_notifications
from reminders.models import Channel, Delivery, DeliveryStatus, Notification, ReminderKind, UnitReminderSettings
from reminders.pages import stage_label
from reminders.tests.page_helpers import (
    DIGEST_BODY,
    make_delivery,
    make_notification,
    make_reminder,
    needs_retry,
    needs_webhook_check,
)
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

ROLES = ["gongxin_clerk", "gongxin_head", "plan_office", "leader", "nobody", "anonymous"]


_module_world, world = module_fixtures(build_world, name="world")


def _client(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _at(notification_or_delivery, when: dt.datetime) -> None:
    type(notification_or_delivery).objects.filter(pk=notification_or_delivery.pk).update(created_at=when)


def _utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


# --- the notification centre ------------------------------------------------------------------


class TestNotificationCentre:
    url = reverse("reminders:notification_list")

    def test_lists_only_own_notifications_newest_first_with_unread_marked(self, client, world):
        older = make_notification(world.gongxin_clerk, title="较早的提醒", read=True)
        newer = make_notification(world.gongxin_clerk, title="最新的提醒")
        _at(older, _utc(2025, 1, 2, 1, 0))
        _at(newer, _utc(2025, 1, 6, 1, 30))
        make_notification(world.gongxin_head, title="负责人的提醒")
        make_notification(world.fagai_clerk, title="发改局的提醒")

        client.force_login(world.gongxin_clerk)
        response = client.get(self.url)

        assert response.status_code == 200
        assert [n.pk for n in response.context["page"].object_list] == [newer.pk, older.pk]
        html = response.content.decode()
        assert "负责人的提醒" not in html and "发改局的提醒" not in html
        assert html.index("最新的提醒") < html.index("较早的提醒")
        newer_card = html.split(f'id="n{newer.pk}"', 1)[1].split("</li>", 1)[0]
        older_card = html.split(f'id="n{older.pk}"', 1)[1].split("</li>", 1)[0]
        assert newer_card.startswith(' class="card notice is-unread"') and "未读" in newer_card
        assert older_card.startswith(' class="card notice is-read"') and "未读" not in older_card
        # Times in Asia/Shanghai (UTC+8).
        assert "2025-01-06 09:30" in newer_card and "2025-01-02 09:00" in older_card
        assert "共2条通知，其中<strong>1条未读</strong>" in html

    def test_the_digest_body_is_shown_line_by_line(self, client, world):
        make_notification(world.gongxin_clerk, body=DIGEST_BODY)
        client.force_login(world.gongxin_clerk)
        html = client.get(self.url).content.decode()
        assert "1. 任务2 数字经济核心产业增加值 · 草稿<br>2. 任务5 工业技改投资 · 未填报" in html

    def test_paginated_by_twenty(self, client, world):
        rows = [make_notification(world.gongxin_clerk, title=f"提醒{i:02d}") for i in range(25)]
        for i, row in enumerate(rows):
            _at(row, _utc(2025, 1, 1) + dt.timedelta(hours=i))
        client.force_login(world.gongxin_clerk)

        first = client.get(self.url)
        second = client.get(self.url, {"page": 2})

        assert [n.title for n in first.context["page"].object_list] == [f"提醒{i:02d}" for i in range(24, 4, -1)]
        assert [n.title for n in second.context["page"].object_list] == [f"提醒{i:02d}" for i in range(4, -1, -1)]
        assert "第1/2页" in first.content.decode() and "下一页" in first.content.decode()

    def test_empty(self, client, world):
        client.force_login(world.nobody)
        html = client.get(self.url).content.decode()
        assert "还没有通知" in html and "全部标为已读" not in html

    def test_buttons_follow_the_link_or_mark_read(self, client, world):
        linked = make_notification(world.gongxin_clerk, title="有链接")
        plain = make_notification(world.gongxin_clerk, title="无链接", link="")
        plain_read = make_notification(world.gongxin_clerk, title="无链接已读", link="", read=True)
        client.force_login(world.gongxin_clerk)
        html = client.get(self.url).content.decode()

        def card(n):
            return html.split(f'id="n{n.pk}"', 1)[1].split("</li>", 1)[0]

        assert 'aria-label="打开：有链接">去处理</button>' in card(linked)
        assert 'aria-label="标为已读：无链接">标为已读</button>' in card(plain)
        assert "<form" not in card(plain_read)

    def test_opening_marks_read_and_follows_the_link(self, client, world):
        link = f"{reverse('progress:home')}?period={world.h2.pk}"
        notification = make_notification(world.gongxin_clerk, link=link)
        client.force_login(world.gongxin_clerk)

        response = client.post(reverse("reminders:notification_open", args=[notification.pk]))

        assert response.status_code == 302 and response.url == link
        notification.refresh_from_db()
        assert notification.read_at is not None
        first_read = notification.read_at
        client.post(reverse("reminders:notification_open", args=[notification.pk]))
        notification.refresh_from_db()
        assert notification.read_at == first_read  # the first reading time stays

    def test_opening_needs_a_post(self, client, world):
        notification = make_notification(world.gongxin_clerk)
        client.force_login(world.gongxin_clerk)
        assert client.get(reverse("reminders:notification_open", args=[notification.pk])).status_code == 405
        notification.refresh_from_db()
        assert notification.read_at is None

    def test_opening_checks_csrf(self, world):
        notification = make_notification(world.gongxin_clerk)
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.gongxin_clerk)
        assert client.post(reverse("reminders:notification_open", args=[notification.pk])).status_code == 403
        assert client.post(reverse("reminders:notification_read_all")).status_code == 403
        notification.refresh_from_db()
        assert notification.read_at is None

    def test_somebody_elses_notification_is_not_found_and_stays_unread(self, client, world):
        theirs = make_notification(world.fagai_clerk)
        client.force_login(world.gongxin_clerk)
        assert client.post(reverse("reminders:notification_open", args=[theirs.pk])).status_code == 404
        assert client.post(reverse("reminders:notification_open", args=[999999])).status_code == 404
        theirs.refresh_from_db()
        assert theirs.read_at is None

    @pytest.mark.parametrize("link", ["", "https://evil.example/phish", "//evil.example/", "javascript:alert(1)"])
    def test_a_notification_without_a_local_link_goes_back_to_the_list(self, client, world, link):
        notification = make_notification(world.gongxin_clerk, link=link)
        client.force_login(world.gongxin_clerk)
        response = client.post(reverse("reminders:notification_open", args=[notification.pk]))
        assert response.status_code == 302
        assert response.url == f"{self.url}#n{notification.pk}"
        notification.refresh_from_db()
        assert notification.read_at is not None

    def test_read_all_marks_only_own_unread_rows(self, client, world):
        mine = [make_notification(world.gongxin_clerk) for _ in range(3)]
        already = make_notification(world.gongxin_clerk, read=True)
        theirs = make_notification(world.gongxin_head)
        client.force_login(world.gongxin_clerk)

        response = client.post(reverse("reminders:notification_read_all"), follow=True)

        assert "已将3条通知标为已读。" in _messages(response)
        assert not Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).exists()
        assert Notification.objects.get(pk=already.pk).read_at == already.read_at
        assert Notification.objects.get(pk=theirs.pk).read_at is None
        again = client.post(reverse("reminders:notification_read_all"), follow=True)
        assert "没有未读通知。" in _messages(again)

    @pytest.mark.parametrize(
        ("name", "method", "args"),
        [("notification_list", "get", []), ("notification_open", "post", [1]), ("notification_read_all", "post", [])],
    )
    def test_anonymous_is_sent_to_sign_in(self, client, world, name, method, args):
        response = getattr(client, method)(reverse(f"reminders:{name}", args=args))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))

    def test_query_count_is_constant(self, client, world):
        client.force_login(world.gongxin_clerk)

        def queries() -> int:
            client.get(self.url)  # warm the session
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(self.url)
            assert response.status_code == 200
            return len(ctx)

        for _ in range(5):
            make_notification(world.gongxin_clerk)
        few = queries()
        for i in range(45):
            make_notification(world.gongxin_clerk, read=bool(i % 2))
        many = queries()
        assert few == many <= 10  # 8 and the savepoint pair of ATOMIC_REQUESTS


# --- the nav badge ----------------------------------------------------------------------------


def _nav(html: str) -> str:
    return html.split('aria-label="主导航">', 1)[1].split("</nav>", 1)[0]


def test_nav_shows_the_unread_count_on_portal_pages(client, world):
    for _ in range(3):
        make_notification(world.gongxin_clerk)
    make_notification(world.gongxin_clerk, read=True)
    make_notification(world.fagai_clerk)
    client.force_login(world.gongxin_clerk)

    nav = _nav(client.get(reverse("progress:home")).content.decode())

    assert reverse("reminders:notification_list") in nav
    assert 'aria-label="通知（3条未读）"' in nav and '<span class="badge late">3</span>' in nav
    assert "发送记录" not in nav


def test_nav_has_no_badge_without_unread_notifications(client, world):
    make_notification(world.plan_office, read=True)
    client.force_login(world.plan_office)
    nav = _nav(client.get(reverse("progress:period_list")).content.decode())
    assert ">通知</a>" in nav and "条未读" not in nav
    assert reverse("reminders:delivery_list") in nav and "发送记录" in nav


def test_nav_send_log_link_for_leadership(client, world):
    client.force_login(world.leader)
    nav = _nav(client.get(reverse("progress:period_list")).content.decode())
    assert "发送记录" in nav


def test_the_badge_count_is_one_query_per_request_and_only_when_used(world):
    make_notification(world.gongxin_clerk)
    request = RequestFactory().get("/")
    request.user = world.gongxin_clerk
    with CaptureQueriesContext(connection) as ctx:
        context = unread_notifications(request)
    assert len(ctx) == 0  # nothing read until a template asks
    with CaptureQueriesContext(connection) as ctx:
        counts = [context["unread_notifications"]() for _ in range(3)]
    assert counts == [1, 1, 1]
    assert len(ctx) == 1


def test_the_badge_count_is_zero_for_an_anonymous_request(world):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with CaptureQueriesContext(connection) as ctx:
        assert unread_notifications(request)["unread_notifications"]() == 0
    assert len(ctx) == 0


# --- the send log -----------------------------------------------------------------------------

LOG = reverse("reminders:delivery_list")


@pytest.mark.parametrize(
    ("role", "expected"),
    [("gongxin_clerk", 403), ("gongxin_head", 403), ("plan_office", 200), ("leader", 200), ("nobody", 403),
     ("anonymous", 302)],
)
def test_send_log_per_role(client, world, role, expected):
    make_delivery(world, status=DeliveryStatus.FAILED)
    response = _client(client, world, role).get(LOG)
    assert response.status_code == expected
    body = response.content.decode()
    if expected == 403:
        assert "只有规划科和市领导可以查看提醒的发送记录。" in body
        assert "企业微信机器人返回错误" not in body
    if expected == 302:
        assert response.url.startswith(reverse("login"))
    if expected == 200:
        assert "企业微信机器人返回错误" in body
        assert ("重新发送</button>" in body) == (role == "plan_office")


def test_send_log_shows_who_when_which_channel_and_the_failure(client, world):
    reminder = make_reminder(world, stage="wd_before_3", title="市工信局：2024年下半年有2项任务待报送")
    sent = make_delivery(world, reminder=reminder, channel=Channel.EMAIL, status=DeliveryStatus.SENT,
                         sent_at=_utc(2025, 1, 6, 1, 2))
    failed = make_delivery(world, reminder=reminder, channel=Channel.WECOM, status=DeliveryStatus.FAILED,
                           attempts=3, recipients="市工信局工作群机器人")
    _at(sent, _utc(2025, 1, 6, 1, 0))
    _at(failed, _utc(2025, 1, 6, 1, 0))
    client.force_login(world.plan_office)

    response = client.get(LOG)

    html = response.content.decode()
    assert response.status_code == 200
    row = html.split("<tbody>", 1)[1]
    for text in ("市工信局：2024年下半年有2项任务待报送", "报送提醒 · 2024年下半年", "市工信局", "截止前第3个工作日",
                 "电子邮件", "企业微信群机器人", "gongxin_clerk@example.gov.cn、gongxin_head@example.gov.cn",
                 "市工信局工作群机器人", "已发送", "发送失败", "3次", "errcode 93000", "生成 <time",
                 "2025-01-06 09:00", "2025-01-06 09:02", "未发送"):
        assert text in row, text
    retry = reverse("reminders:delivery_retry", args=[failed.pk])
    assert retry in html and reverse("reminders:delivery_retry", args=[sent.pk]) not in html


def test_send_log_counts_per_status_and_filters(client, world):
    other_period = ReviewPeriodFactory(plan=world.plan, name="2025年上半年", starts_on=dt.date(2025, 1, 1))
    gx = make_reminder(world)
    fg = make_reminder(world, department=world.fagai, stage="last_day")
    esc = make_reminder(world, kind=ReminderKind.ESCALATION, stage="escalation", period=other_period)
    meeting = make_reminder(world, department=None, kind=ReminderKind.MEETING, stage="meeting", title="专题会通知")
    make_delivery(world, reminder=gx, channel=Channel.EMAIL, status=DeliveryStatus.SENT)
    make_delivery(world, reminder=gx, channel=Channel.WECOM, status=DeliveryStatus.FAILED)
    make_delivery(world, reminder=gx, channel=Channel.INAPP, status=DeliveryStatus.SENT)
    make_delivery(world, reminder=fg, channel=Channel.EMAIL, status=DeliveryStatus.SKIPPED, recipients="")
    make_delivery(world, reminder=fg, channel=Channel.DINGTALK, status=DeliveryStatus.PENDING)
    make_delivery(world, reminder=esc, channel=Channel.EMAIL, status=DeliveryStatus.FAILED)
    make_delivery(world, reminder=meeting, channel=Channel.INAPP, status=DeliveryStatus.SENT)
    client.force_login(world.leader)

    def shown(**params):
        response = client.get(LOG, params)
        assert response.status_code == 200
        log = response.context["log"]
        rows = {(d.reminder_id, d.channel) for d in response.context["page"].object_list}
        return rows, {c.status: c.count for c in log.counts}, log.total

    rows, counts, total = shown()
    assert len(rows) == 7 and total == 7
    assert counts == {"pending": 1, "sending": 0, "sent": 3, "failed": 2, "skipped": 1}

    rows, counts, total = shown(status="failed")
    assert rows == {(gx.pk, "wecom"), (esc.pk, "email")}
    assert counts["sent"] == 3 and total == 7  # the counts ignore the status chosen

    rows, counts, _ = shown(unit=world.gongxin.pk)
    assert rows == {(gx.pk, "wecom"), (gx.pk, "email"), (gx.pk, "inapp"), (esc.pk, "email")}
    assert counts == {"pending": 0, "sending": 0, "sent": 2, "failed": 2, "skipped": 0}

    assert shown(period=other_period.pk)[0] == {(esc.pk, "email")}
    assert shown(channel="inapp")[0] == {(gx.pk, "inapp"), (meeting.pk, "inapp")}
    assert shown(kind="meeting")[0] == {(meeting.pk, "inapp")}
    assert shown(kind="report_due", channel="email", status="skipped")[0] == {(fg.pk, "email")}


def test_send_log_ignores_an_invalid_filter_and_says_so(client, world):
    make_delivery(world)
    client.force_login(world.plan_office)
    response = client.get(LOG, {"unit": "999999", "status": "lost"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1
    form = response.context["form"]
    assert set(form.errors) == {"unit", "status"}
    assert "error" in response.content.decode()


def test_send_log_paginated_by_a_hundred(client, world):
    reminders = [make_reminder(world) for _ in range(26)]
    deliveries = [
        Delivery(reminder=r, channel=c, status=DeliveryStatus.SENT)
        for r in reminders for c in (Channel.EMAIL, Channel.INAPP, Channel.WECOM, Channel.DINGTALK)
    ][:101]
    Delivery.objects.bulk_create(deliveries)
    client.force_login(world.plan_office)
    first = client.get(LOG)
    assert len(first.context["page"].object_list) == 100
    assert len(client.get(LOG, {"page": 2}).context["page"].object_list) == 1


def _make_log_rows(world, count: int) -> None:
    units = [world.gongxin, world.fagai, world.caizheng, world.nancheng]
    for i in range(count):
        period = world.h1 if i % 2 else world.h2
        reminder = make_reminder(world, department=units[i % len(units)], period=period, stage=f"wd_before_{i % 9}")
        make_delivery(world, reminder=reminder, status=DeliveryStatus.FAILED if i % 3 else DeliveryStatus.SENT)


@pytest.mark.parametrize("role", ["plan_office", "leader"])
def test_send_log_query_count_is_constant(client, world, role):
    client.force_login(getattr(world, role))

    def queries(**params) -> tuple[int, int]:
        client.get(LOG, params)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(LOG, params)
        assert response.status_code == 200
        return len(ctx), len(response.context["page"].object_list)

    _make_log_rows(world, 5)
    few, rows_few = queries()
    few_filtered, _ = queries(unit=world.gongxin.pk, period=world.h2.pk, status="failed")
    _make_log_rows(world, 45)
    many, rows_many = queries()
    many_filtered, _ = queries(unit=world.gongxin.pk, period=world.h2.pk, status="failed")
    assert (rows_few, rows_many) == (5, 50)
    assert few == many <= 12  # 10 and the savepoint pair of ATOMIC_REQUESTS
    assert few_filtered == many_filtered


# --- sending again ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["gongxin_clerk", "gongxin_head", "leader", "nobody"])
def test_retry_refused_for_everyone_but_the_plan_office(client, world, role):
    failed = make_delivery(world, status=DeliveryStatus.FAILED, attempts=2)
    response = _client(client, world, role).post(reverse("reminders:delivery_retry", args=[failed.pk]))
    assert response.status_code == 403
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, 2)


def test_retry_anonymous_is_sent_to_sign_in(client, world):
    failed = make_delivery(world, status=DeliveryStatus.FAILED)
    response = client.post(reverse("reminders:delivery_retry", args=[failed.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_retry_needs_a_post(client, world):
    failed = make_delivery(world, status=DeliveryStatus.FAILED)
    client.force_login(world.plan_office)
    assert client.get(reverse("reminders:delivery_retry", args=[failed.pk])).status_code == 405


def test_retry_by_the_plan_office_sends_again_and_returns_to_the_filtered_log(client, world, mailoutbox):
    needs_retry()
    failed = make_delivery(world, status=DeliveryStatus.FAILED, channel=Channel.EMAIL, attempts=1)
    client.force_login(world.plan_office)
    back = f"{LOG}?status=failed"

    response = client.post(reverse("reminders:delivery_retry", args=[failed.pk]), {"next": back})

    assert response.status_code == 302 and response.url == back
    failed.refresh_from_db()
    assert failed.status != DeliveryStatus.FAILED or failed.attempts > 1
    assert any("重新" in m or "已" in m for m in _messages(response))


def test_retry_of_a_delivery_that_did_not_fail_is_refused_with_a_message(client, world):
    needs_retry()
    sent = make_delivery(world, status=DeliveryStatus.SENT, sent_at=timezone.now())
    client.force_login(world.plan_office)
    response = client.post(reverse("reminders:delivery_retry", args=[sent.pk]), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == LOG
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.SENT and sent.attempts == 1
    assert _messages(response)


# --- labels -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "label"),
    [
        ("before_14", "截止前14天"),
        ("wd_before_7", "截止前第7个工作日"),
        ("wd_before_3", "截止前第3个工作日"),
        ("last_day", "截止日"),
        ("overdue_1", "逾期第1个工作日"),
        ("overdue", "已逾期"),
        ("escalation", "逾期上报"),
        ("meeting", "会前通知"),
        ("milestone", "节点临近"),
        ("something_new", "something_new"),
    ],
)
@pytest.mark.no_rows
def test_stage_labels(stage, label):
    assert stage_label(stage) == label


# --- units' reminder settings -----------------------------------------------------------------

UNITS = reverse("reminders:unit_settings_list")
SECRET = "SEC4f1d0c2b9a8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3"
DINGTALK_URL = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"


def _edit_url(department):
    return reverse("reminders:unit_settings_edit", args=[department.pk])


def _unit_form(**overrides):
    data = {"email_enabled": "on", "inapp_enabled": "on", "wecom_webhook_url": "", "dingtalk_webhook_url": "",
            "dingtalk_secret": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "expected"),
    [("gongxin_clerk", 403), ("gongxin_head", 403), ("plan_office", 200), ("leader", 200), ("nobody", 403),
     ("anonymous", 302)],
)
def test_unit_settings_list_per_role(client, world, role, expected):
    UnitReminderSettings.objects.create(department=world.gongxin, email_enabled=False)
    response = _client(client, world, role).get(UNITS)
    assert response.status_code == expected
    if expected == 200:
        html = response.content.decode()
        row = html.split("市工信局", 1)[1].split("</tr>", 1)[0]
        assert "关闭" in row and "（默认）" not in row
        assert "市发改局 <span class=\"muted\">（默认）</span>" in html
        assert (_edit_url(world.gongxin) in html) == (role == "plan_office")


@pytest.mark.parametrize(
    ("role", "expected"),
    [("gongxin_clerk", 403), ("gongxin_head", 403), ("plan_office", 200), ("leader", 403), ("nobody", 403),
     ("anonymous", 302)],
)
def test_unit_settings_edit_per_role(client, world, role, expected):
    client = _client(client, world, role)
    assert client.get(_edit_url(world.gongxin)).status_code == expected
    response = client.post(_edit_url(world.gongxin), _unit_form(email_enabled=""))
    assert response.status_code == (302 if role in ("plan_office", "anonymous") else expected)
    saved = UnitReminderSettings.objects.filter(department=world.gongxin).first()
    if role == "plan_office":
        assert saved is not None and saved.email_enabled is False
    else:
        assert saved is None


def test_unit_settings_edit_of_an_unknown_unit_is_not_found(client, world):
    client.force_login(world.plan_office)
    assert client.get(reverse("reminders:unit_settings_edit", args=[999999])).status_code == 404


def test_unit_settings_page_offers_leadership_and_saves_the_choice(client, world):
    client.force_login(world.plan_office)
    html = client.get(_edit_url(world.gongxin)).content.decode()
    assert f'value="{world.leader.pk}"' in html
    assert f'value="{world.gongxin_clerk.pk}"' not in html

    response = client.post(_edit_url(world.gongxin), _unit_form(inapp_enabled="", supervising_leaders=[world.leader.pk]))

    assert response.status_code == 302 and response.url == UNITS
    saved = UnitReminderSettings.objects.get(department=world.gongxin)
    assert (saved.email_enabled, saved.inapp_enabled) == (True, False)
    assert list(saved.supervising_leaders.all()) == [world.leader]
    listing = client.get(UNITS).content.decode()
    assert "已保存市工信局的提醒设置。" in listing
    # Somebody outside leadership cannot be slipped in.
    response = client.post(_edit_url(world.gongxin), _unit_form(supervising_leaders=[world.gongxin_clerk.pk]))
    assert response.status_code == 200 and response.context["form"].errors["supervising_leaders"]
    assert list(saved.supervising_leaders.all()) == [world.leader]


def test_unit_settings_page_refuses_a_unit_without_any_channel(client, world):
    client.force_login(world.plan_office)
    response = client.post(_edit_url(world.gongxin), _unit_form(email_enabled="", inapp_enabled=""))
    assert response.status_code == 200
    assert "至少保留一个提醒渠道" in response.content.decode()
    assert not UnitReminderSettings.objects.exists()


def test_unit_settings_page_masks_keeps_and_clears_the_secret(client, world):
    needs_webhook_check()
    row = UnitReminderSettings.objects.create(
        department=world.gongxin, dingtalk_webhook_url=DINGTALK_URL, dingtalk_secret=SECRET
    )
    client.force_login(world.plan_office)
    html = client.get(_edit_url(world.gongxin)).content.decode()
    assert SECRET not in html and SECRET[4:-4] not in html
    assert f"已设置（SEC4…{SECRET[-4:]}）" in html

    client.post(_edit_url(world.gongxin), _unit_form(dingtalk_webhook_url=DINGTALK_URL))
    row.refresh_from_db()
    assert row.dingtalk_secret == SECRET
    client.post(_edit_url(world.gongxin), _unit_form(dingtalk_webhook_url=DINGTALK_URL, clear_dingtalk_secret="on"))
    row.refresh_from_db()
    assert row.dingtalk_secret == ""


def test_unit_settings_list_query_count_is_constant(client, world):
    from departments.tests.factories import DepartmentFactory

    client.force_login(world.plan_office)

    def queries() -> int:
        client.get(UNITS)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(UNITS).status_code == 200
        return len(ctx)

    UnitReminderSettings.objects.create(department=world.gongxin).supervising_leaders.add(world.leader)
    few = queries()
    for _ in range(20):
        row = UnitReminderSettings.objects.create(department=DepartmentFactory(), email_enabled=False)
        row.supervising_leaders.add(world.leader, world.plan_office)
    assert queries() == few


def test_the_settings_service_refuses_everyone_but_the_plan_office(world):
    from reminders.services.unit_settings import save_unit_reminder_settings
    from xingping_tracker.core.exceptions import ApplicationError

    for user in (world.leader, world.gongxin_head, world.nobody):
        with pytest.raises(ApplicationError) as excinfo:
            save_unit_reminder_settings(
                department_id=world.gongxin.pk, user=user, email_enabled=False, inapp_enabled=True,
                wecom_webhook_url="", dingtalk_webhook_url="", dingtalk_secret=None, supervising_leader_ids=[],
            )
        assert excinfo.value.code == "permission_denied"
    assert not UnitReminderSettings.objects.exists()
