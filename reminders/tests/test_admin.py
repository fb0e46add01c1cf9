"""The reminders admin: policy validation, unit channels with the secret masked, read-only reminders,
deliveries and notifications, the retry action, who may do what, constant query counts."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.tests.factories import DepartmentFactory, UserFactory
from progress.tests.factories import build_world
from reminders.forms import mask_secret, parse_offsets, quiet_hours_error
from reminders.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Notification,
    Reminder,
    ReminderPolicy,
    UnitReminderSettings,
)
from reminders.tests.page_helpers import (
    make_delivery,
    make_notification,
    make_reminder,
    needs_retry,
    needs_webhook_check,
)
from tasks.tests.factories import PlanFactory
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

_SEQ = itertools.count(1)

SECRET = "SEC4f1d0c2b9a8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3"
WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DINGTALK_URL = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"


_module_world, world = module_fixtures(build_world, name="world")


def staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the policy -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7, 3", [7, 3]),
        ("7，3", [7, 3]),
        ("10、5、2", [10, 5, 2]),
        ("7 3", [7, 3]),
        ("[7, 3]", [7, 3]),
        ("60", [60]),
        ("", []),
        ("[]", []),
    ],
)
@pytest.mark.no_rows
def test_offsets_parse(text, expected):
    assert parse_offsets(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3, 7", "从大到小"),
        ("7, 7", "不要重复"),
        ("0", "1 到 60"),
        ("61", "1 到 60"),
        ("-3", "不是正整数"),
        ("七", "不是正整数"),
        ("7.5", "不是正整数"),
        ("[7, true]", "不是正整数"),
        ("[7, 3", "用逗号分隔"),
    ],
)
@pytest.mark.no_rows
def test_offsets_refused(text, message):
    with pytest.raises(ValidationError) as excinfo:
        parse_offsets(text)
    assert message in " ".join(excinfo.value.messages)


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        ((20, 0), (8, 30), True),
        ((22, 0), (7, 0), True),
        ((18, 0), (9, 30), True),
        ((0, 0), (7, 0), True),
        ((12, 0), (13, 30), False),  # lunch break inside the working day
        ((8, 0), (20, 0), False),  # start and end swapped
        ((17, 0), (11, 0), False),  # reaches into the morning
        ((15, 0), (8, 0), False),  # starts in the afternoon
        ((20, 0), (20, 0), False),  # no window at all
    ],
)
@pytest.mark.no_rows
def test_quiet_hours(start, end, ok):
    assert (quiet_hours_error(dt.time(*start), dt.time(*end)) is None) == ok


def _policy_data(plan, **overrides):
    data = {
        "plan": plan.pk,
        "enabled": "on",
        "first_notice_days": 14,
        "working_day_offsets": "7, 3",
        "remind_on_last_working_day": "on",
        "remind_first_overdue_day": "on",
        "escalate_after_working_days": 5,
        "meeting_notice_working_days": 3,
        "milestone_notice_days": 14,
        "quiet_hours_start": "20:00",
        "quiet_hours_end": "08:30",
    }
    data.update(overrides)
    return data


class TestReminderPolicyAdmin:
    def test_add_with_offsets_as_text(self, admin_client, world):
        response = admin_client.post(
            reverse("admin:reminders_reminderpolicy_add"), _policy_data(world.plan, working_day_offsets="10，5，2")
        )
        assert response.status_code == 302
        policy = ReminderPolicy.objects.get(plan=world.plan)
        assert policy.working_day_offsets == [10, 5, 2]
        assert (policy.quiet_hours_start, policy.quiet_hours_end) == (dt.time(20, 0), dt.time(8, 30))

    def test_change_form_shows_offsets_as_text_and_plan_read_only(self, admin_client, world):
        policy = ReminderPolicy.objects.create(plan=world.plan)
        html = admin_client.get(reverse("admin:reminders_reminderpolicy_change", args=[policy.pk])).content.decode()
        assert 'value="7, 3"' in html
        assert 'name="plan"' not in html
        for label in ("再次提醒：报送截止日前第几个工作日", "免打扰开始", "逾期几个工作日后上报规划科和分管领导"):
            assert label in html

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"working_day_offsets": "3, 7"}, "working_day_offsets", "从大到小"),
            ({"working_day_offsets": "90"}, "working_day_offsets", "1 到 60"),
            ({"quiet_hours_start": "08:00", "quiet_hours_end": "20:00"}, "quiet_hours_end", "占用了工作时间"),
            ({"quiet_hours_start": "20:00", "quiet_hours_end": "20:00"}, "quiet_hours_end", "相同"),
            ({"escalate_after_working_days": 0}, "escalate_after_working_days", "1 到 60"),
            ({"first_notice_days": 0}, "first_notice_days", "1 到 60"),
        ],
    )
    def test_invalid_settings_are_refused_with_nothing_saved(self, admin_client, world, overrides, field, message):
        policy = ReminderPolicy.objects.create(plan=world.plan)
        url = reverse("admin:reminders_reminderpolicy_change", args=[policy.pk])
        response = admin_client.post(url, _policy_data(world.plan, **overrides))
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert message in " ".join(errors[field])
        policy.refresh_from_db()
        assert policy.working_day_offsets == [7, 3]
        assert (policy.quiet_hours_start, policy.escalate_after_working_days) == (dt.time(20, 0), 5)

    def test_empty_offsets_mean_no_repeat_reminders(self, admin_client, world):
        policy = ReminderPolicy.objects.create(plan=world.plan)
        url = reverse("admin:reminders_reminderpolicy_change", args=[policy.pk])
        assert admin_client.post(url, _policy_data(world.plan, working_day_offsets="")).status_code == 302
        policy.refresh_from_db()
        assert policy.working_day_offsets == []

    def test_plan_office_edits_and_leadership_only_if_given_the_right(self, client, world):
        policy = ReminderPolicy.objects.create(plan=world.plan)
        url = reverse("admin:reminders_reminderpolicy_change", args=[policy.pk])
        client.force_login(staff(world.plan_office))
        assert client.post(url, _policy_data(world.plan, working_day_offsets="5")).status_code == 302
        policy.refresh_from_db()
        assert policy.working_day_offsets == [5]

        client.force_login(staff(world.leader))
        assert client.get(url).status_code == 403
        assert client.post(url, _policy_data(world.plan, working_day_offsets="9")).status_code == 403
        policy.refresh_from_db()
        assert policy.working_day_offsets == [5]


# --- a unit's channels ------------------------------------------------------------------------


def _settings_data(department, **overrides):
    data = {
        "department": department.pk,
        "email_enabled": "on",
        "inapp_enabled": "on",
        "wecom_webhook_url": "",
        "dingtalk_webhook_url": "",
        "dingtalk_secret": "",
    }
    data.update(overrides)
    return data


@pytest.mark.no_rows
def test_mask_secret():
    assert mask_secret(SECRET) == f"SEC4…{SECRET[-4:]}"
    assert SECRET[8:-4] not in mask_secret(SECRET)
    assert mask_secret("") == "" and mask_secret("SEC12") == "………"


class TestUnitReminderSettingsAdmin:
    add_url = reverse("admin:reminders_unitremindersettings_add")

    def _change_url(self, settings_row):
        return reverse("admin:reminders_unitremindersettings_change", args=[settings_row.pk])

    def test_add_with_robots_and_leaders(self, admin_client, world):
        needs_webhook_check()
        leader = UserFactory(username="fgld", first_name="分管", last_name="副市长")
        response = admin_client.post(
            self.add_url,
            _settings_data(
                world.gongxin, email_enabled="", wecom_webhook_url=WECOM_URL, dingtalk_webhook_url=DINGTALK_URL,
                dingtalk_secret=SECRET, supervising_leaders=[leader.pk],
            ),
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        row = UnitReminderSettings.objects.get(department=world.gongxin)
        assert (row.email_enabled, row.inapp_enabled) == (False, True)
        assert (row.wecom_webhook_url, row.dingtalk_webhook_url, row.dingtalk_secret) == (WECOM_URL, DINGTALK_URL, SECRET)
        assert list(row.supervising_leaders.all()) == [leader]

    def test_the_secret_is_never_shown_and_kept_when_left_empty(self, admin_client, world):
        needs_webhook_check()
        row = UnitReminderSettings.objects.create(
            department=world.gongxin, dingtalk_webhook_url=DINGTALK_URL, dingtalk_secret=SECRET
        )
        html = admin_client.get(self._change_url(row)).content.decode()
        assert SECRET not in html and SECRET[4:-4] not in html
        assert f"已设置（{mask_secret(SECRET)}）" in html
        assert 'name="clear_dingtalk_secret"' in html
        list_html = admin_client.get(reverse("admin:reminders_unitremindersettings_changelist")).content.decode()
        assert SECRET not in list_html and f"加签 {mask_secret(SECRET)}" in list_html

        response = admin_client.post(
            self._change_url(row), _settings_data(world.gongxin, dingtalk_webhook_url=DINGTALK_URL)
        )
        assert response.status_code == 302
        row.refresh_from_db()
        assert row.dingtalk_secret == SECRET

    def test_a_new_secret_replaces_and_clearing_removes_it(self, admin_client, world):
        needs_webhook_check()
        row = UnitReminderSettings.objects.create(
            department=world.gongxin, dingtalk_webhook_url=DINGTALK_URL, dingtalk_secret=SECRET
        )
        admin_client.post(
            self._change_url(row),
            _settings_data(world.gongxin, dingtalk_webhook_url=DINGTALK_URL, dingtalk_secret="SECnew0123456789"),
        )
        row.refresh_from_db()
        assert row.dingtalk_secret == "SECnew0123456789"
        admin_client.post(
            self._change_url(row),
            _settings_data(world.gongxin, dingtalk_webhook_url=DINGTALK_URL, clear_dingtalk_secret="on"),
        )
        row.refresh_from_db()
        assert row.dingtalk_secret == ""

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"dingtalk_secret": SECRET}, "dingtalk_webhook_url", "没有填写钉钉群机器人地址"),
            ({"dingtalk_webhook_url": DINGTALK_URL, "dingtalk_secret": "abc"}, "dingtalk_secret", "以 SEC 开头"),
            ({"email_enabled": "", "inapp_enabled": ""}, "__all__", "至少保留一个提醒渠道"),
        ],
    )
    def test_invalid_channels_are_refused(self, admin_client, world, overrides, field, message):
        if any(name.endswith("_url") for name in overrides):
            needs_webhook_check()
        response = admin_client.post(self.add_url, _settings_data(world.gongxin, **overrides))
        assert response.status_code == 200
        assert message in " ".join(response.context["adminform"].form.errors[field])
        assert not UnitReminderSettings.objects.exists()

    @pytest.mark.parametrize(
        ("field", "url"),
        [
            ("wecom_webhook_url", "https://evil.example/cgi-bin/webhook/send?key=1"),
            ("dingtalk_webhook_url", "https://127.0.0.2:8443/robot/send?access_token=1"),
            ("wecom_webhook_url", "http://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=1"),
        ],
    )
    def test_robot_addresses_pass_the_webhook_check(self, admin_client, world, field, url):
        needs_webhook_check()
        response = admin_client.post(self.add_url, _settings_data(world.gongxin, **{field: url}))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors[field]
        assert not UnitReminderSettings.objects.exists()

    def test_plan_office_edits_a_unit(self, client, world):
        row = UnitReminderSettings.objects.create(department=world.gongxin)
        client.force_login(staff(world.plan_office))
        response = client.post(self._change_url(row), _settings_data(world.gongxin, email_enabled=""))
        assert response.status_code == 302
        row.refresh_from_db()
        assert row.email_enabled is False

    def test_leadership_and_unit_staff_cannot(self, client, world):
        row = UnitReminderSettings.objects.create(department=world.gongxin)
        for user in (world.leader, world.gongxin_head):
            client.force_login(staff(user))
            assert client.post(self._change_url(row), _settings_data(world.gongxin, email_enabled="")).status_code == 403
        row.refresh_from_db()
        assert row.email_enabled is True


# --- read-only rows and the retry action ------------------------------------------------------


@pytest.mark.parametrize("model", [Reminder, Delivery, Notification])
def test_written_rows_are_read_only(admin_client, world, model):
    delivery = make_delivery(world, status=DeliveryStatus.FAILED)
    notification = make_notification(world.gongxin_clerk, reminder=delivery.reminder)
    obj = {Reminder: delivery.reminder, Delivery: delivery, Notification: notification}[model]
    name = f"admin:reminders_{model._meta.model_name}"
    html = admin_client.get(reverse(f"{name}_change", args=[obj.pk])).content.decode()
    assert 'name="title"' not in html and 'name="status"' not in html
    assert admin_client.post(reverse(f"{name}_change", args=[obj.pk]), {"title": "改", "status": "sent"}).status_code == 403
    assert admin_client.get(reverse(f"{name}_add")).status_code == 403
    assert admin_client.post(reverse(f"{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_reminder_page_lists_its_deliveries(admin_client, world):
    reminder = make_reminder(world, stage="wd_before_3")
    make_delivery(world, reminder=reminder, channel=Channel.EMAIL, status=DeliveryStatus.SENT)
    make_delivery(world, reminder=reminder, channel=Channel.DINGTALK, status=DeliveryStatus.FAILED)
    html = admin_client.get(reverse("admin:reminders_reminder_change", args=[reminder.pk])).content.decode()
    for text in ("发送记录", "电子邮件", "钉钉群机器人", "已发送", "发送失败", "errcode 93000"):
        assert text in html
    listing = admin_client.get(reverse("admin:reminders_reminder_changelist")).content.decode()
    assert "截止前第3个工作日" in listing


def test_delivery_list_filters(admin_client, world):
    make_delivery(world, status=DeliveryStatus.FAILED, channel=Channel.WECOM)
    make_delivery(world, status=DeliveryStatus.SENT)
    url = reverse("admin:reminders_delivery_changelist")
    html = admin_client.get(url).content.decode()
    for label in ("以 状态", "以 渠道", "以 类型", "以 填报期", "以 单位"):
        assert label in html, label
    result = admin_client.get(url, {"status__exact": "failed"}).context["cl"].result_list
    assert [d.channel for d in result] == ["wecom"]


def test_notification_list_filters_read(admin_client, world):
    make_notification(world.gongxin_clerk, title="未读的")
    make_notification(world.gongxin_clerk, title="已读的", read=True)
    url = reverse("admin:reminders_notification_changelist")
    assert [n.title for n in admin_client.get(url, {"read": "no"}).context["cl"].result_list] == ["未读的"]
    assert [n.title for n in admin_client.get(url, {"read": "yes"}).context["cl"].result_list] == ["已读的"]


def test_retry_action_for_the_plan_office(client, world, mailoutbox):
    needs_retry()
    failed = make_delivery(world, status=DeliveryStatus.FAILED, channel=Channel.EMAIL)
    sent = make_delivery(world, status=DeliveryStatus.SENT, channel=Channel.INAPP, reminder=failed.reminder)
    client.force_login(staff(world.plan_office))
    url = reverse("admin:reminders_delivery_changelist")
    assert "retry_failed" in client.get(url).content.decode()

    response = client.post(url, {"action": "retry_failed", "_selected_action": [failed.pk, sent.pk]}, follow=True)

    messages = _messages(response)
    assert "已重新安排发送1条失败的记录。" in messages
    assert "另有1条记录不是“发送失败”状态，未处理。" in messages
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.status != DeliveryStatus.FAILED or failed.attempts > 1
    assert sent.status == DeliveryStatus.SENT and sent.attempts == 1


def test_no_retry_action_for_leadership(client, world):
    from django.contrib.auth.models import Permission

    failed = make_delivery(world, status=DeliveryStatus.FAILED)
    leader = staff(world.leader)
    leader.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    client.force_login(leader)
    url = reverse("admin:reminders_delivery_changelist")
    response = client.get(url)
    assert response.status_code == 200 and "retry_failed" not in response.content.decode()
    client.post(url, {"action": "retry_failed", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, 1)


# --- query counts -----------------------------------------------------------------------------


def _make_rows(world, count: int) -> None:
    leader = world.leader
    units = [world.gongxin, world.fagai, world.caizheng, world.nancheng]
    for i in range(count):
        reminder = make_reminder(world, department=units[i % len(units)], stage=f"wd_before_{i % 9 + 1}")
        make_delivery(world, reminder=reminder, status=DeliveryStatus.FAILED if i % 2 else DeliveryStatus.SENT)
        make_notification(world.gongxin_clerk, reminder=reminder, department=world.gongxin)
        ReminderPolicy.objects.create(plan=PlanFactory(document_number=f"提醒测试{next(_SEQ)}号"))
        row = UnitReminderSettings.objects.create(department=DepartmentFactory(), dingtalk_secret=SECRET)
        row.supervising_leaders.add(leader)


@pytest.mark.parametrize(
    "name", ["reminderpolicy", "unitremindersettings", "reminder", "delivery", "notification"]
)
def test_changelist_query_count_is_constant(admin_client, world, name):
    url = reverse(f"admin:reminders_{name}_changelist")
    _make_rows(world, 3)
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    _make_rows(world, 30)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
