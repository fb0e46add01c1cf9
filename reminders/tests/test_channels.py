"""The channels one by one: the robot address check, recipients, e-mail, in-app notices, the robots'
message formats and how each kind of failure is classified."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from departments.tests.factories import UserFactory
from progress.tests.factories import build_world
from reminders.channels import ChannelError, validate_webhook_url
from reminders.channels.dingtalk import sign, signed_url
from reminders.channels.messages import ROBOT_MARKDOWN_MAX_BYTES, robot_markdown
from reminders.models import Channel, DeliveryStatus, Notification, ReminderKind
from reminders.services.delivery import Outcome, deliver
from reminders.services.recipients import recipients_for
from reminders.tests.delivery_helpers import RobotServer, make_delivery, make_reminder, robots
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"
SECRET = "SECa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"


# Built once for the module (every database test here asks for it); each test gets its own copy.
_module_world, world = module_fixtures(build_world, name="world")


# --- the robot address check (called by the admin form and the settings page) ------------------


@pytest.mark.parametrize(
    ("url", "channel"),
    [
        (WECOM, "wecom"),
        (DINGTALK, "dingtalk"),
        ("https://OAPI.dingtalk.com/robot/send?access_token=abc", "dingtalk"),
        ("http://127.0.0.1:8123/robot/send?access_token=abc", "dingtalk"),  # the test settings' local robot
        (WECOM, None),
    ],
)
@pytest.mark.no_rows
def test_robot_addresses_accepted(url, channel):
    validate_webhook_url(url, channel=channel)


@pytest.mark.parametrize(
    ("url", "channel", "message"),
    [
        ("https://evil.example/cgi-bin/webhook/send?key=1", "wecom", "只能是企业微信"),
        ("https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=1", "wecom", "只能是企业微信"),
        ("https://sub.qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", "wecom", "只能是企业微信"),
        ("https://qyapi.weixin.qq.com@10.0.0.5/cgi-bin/webhook/send?key=1", "wecom", "只能是企业微信"),
        ("https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", "wecom", "只能是企业微信"),
        ("https://127.0.0.2:8443/robot/send?access_token=1", "dingtalk", "只能是企业微信"),
        ("https://169.254.169.254/latest/meta-data", None, "只能是企业微信"),
        ("ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", "wecom", "https://"),
        ("https://qyapi.weixin.qq.com:99999/cgi-bin/webhook/send?key=1", "wecom", "格式不正确"),
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "wecom", "企业微信群机器人的地址"),
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=", "wecom", "企业微信群机器人的地址"),
        (DINGTALK, "wecom", "企业微信群机器人的地址"),
        (WECOM, "dingtalk", "钉钉群机器人的地址"),
    ],
)
@pytest.mark.no_rows
def test_robot_addresses_refused(url, channel, message):
    with pytest.raises(ValidationError) as caught:
        validate_webhook_url(url, channel=channel)
    assert message in " ".join(caught.value.messages)


@override_settings(REMINDER_WEBHOOK_REQUIRE_HTTPS=True, REMINDER_WEBHOOK_ALLOWED_HOSTS=["qyapi.weixin.qq.com"])
@pytest.mark.no_rows
def test_production_rules_refuse_plain_http_and_other_hosts():
    with pytest.raises(ValidationError, match="https://"):
        validate_webhook_url("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", channel="wecom")
    with pytest.raises(ValidationError):
        validate_webhook_url("https://127.0.0.1/robot/send?access_token=1", channel="dingtalk")
    validate_webhook_url(WECOM, channel="wecom")


# --- recipients ---------------------------------------------------------------------------------


def test_report_reminders_go_to_the_units_active_users(world):
    gone = UserFactory(username="gongxin_gone", is_active=False)
    from departments.tests.factories import MembershipFactory

    MembershipFactory(user=gone, department=world.gongxin)
    reminder = make_reminder(world)
    with CaptureQueriesContext(connection) as queries:
        names = [r.username for r in recipients_for(reminder)]
    assert names == ["gongxin_clerk", "gongxin_head"]
    assert len(queries) == 1


def test_escalation_goes_to_the_plan_office_and_the_supervising_leaders(world):
    deputy = UserFactory(username="deputy_mayor")
    robots(world.gongxin).supervising_leaders.add(deputy)
    robots(world.fagai).supervising_leaders.add(world.leader)  # another unit's leader: not told
    reminder = make_reminder(world, kind=ReminderKind.ESCALATION, stage="escalation", department=world.gongxin)
    with CaptureQueriesContext(connection) as queries:
        names = [r.username for r in recipients_for(reminder)]
    assert names == ["deputy_mayor", "plan_office"]
    assert len(queries) == 1


def test_meeting_notice_goes_to_leadership(world):
    reminder = make_reminder(world, kind=ReminderKind.MEETING, stage="meeting", department=None)
    assert [r.username for r in recipients_for(reminder)] == ["leader"]


# --- e-mail -------------------------------------------------------------------------------------


def test_email_is_one_message_to_the_units_addresses_with_an_absolute_link(world, mailoutbox):
    UserFactory(username="no_mail", email="")  # not in the unit: irrelevant
    world.gongxin_head.email = ""
    world.gongxin_head.save()
    reminder = make_reminder(world)
    delivery = make_delivery(reminder, Channel.EMAIL)

    assert deliver(delivery_id=delivery.pk).outcome == Outcome.SENT

    [message] = mailoutbox
    assert message.to == ["gongxin_clerk@example.com"]
    assert message.subject == f"【督办台账】{reminder.title}"
    assert "任务2 数字经济核心产业增加值 · 草稿" in message.body
    assert f"https://tracker.example.gov.cn/?period={world.h2.pk}" in message.body
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.recipients) == (DeliveryStatus.SENT, 1, "gongxin_clerk@example.com")
    assert delivery.sent_at is not None


def test_email_without_any_address_is_skipped_not_failed(world, mailoutbox):
    for user in (world.gongxin_clerk, world.gongxin_head):
        user.email = ""
        user.save()
    delivery = make_delivery(make_reminder(world), Channel.EMAIL)

    assert deliver(delivery_id=delivery.pk).outcome == Outcome.SKIPPED

    assert mailoutbox == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SKIPPED
    assert "没有填写电子邮件地址" in delivery.last_error


@override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=9,
                   EMAIL_TIMEOUT=2)
def test_an_unreachable_mail_server_is_a_failure_that_is_retried(world):
    delivery = make_delivery(make_reminder(world), Channel.EMAIL)
    result = deliver(delivery_id=delivery.pk)
    assert result.outcome == Outcome.RETRY
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.not_before == result.retry_at
    assert delivery.last_error.startswith("第1次发送失败：邮件发送失败（ConnectionRefusedError")


# --- in-app notices -----------------------------------------------------------------------------


def test_inapp_creates_one_notification_per_user_even_when_run_again(world):
    reminder = make_reminder(world)
    delivery = make_delivery(reminder, Channel.INAPP)

    assert deliver(delivery_id=delivery.pk).outcome == Outcome.SENT
    # A worker that died after writing the rows, before recording "sent": the claim is taken again.
    type(delivery).objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING)
    assert deliver(delivery_id=delivery.pk).outcome == Outcome.SENT

    rows = Notification.objects.filter(reminder=reminder).order_by("user__username")
    assert [(n.user.username, n.title, n.link, n.department_id) for n in rows] == [
        (name, reminder.title, reminder.link, world.gongxin.pk) for name in ("gongxin_clerk", "gongxin_head")
    ]
    delivery.refresh_from_db()
    assert delivery.recipients.splitlines() == ["gongxin_clerk", "gongxin_head"]
    assert delivery.attempts == 2


# --- the robots' formats ------------------------------------------------------------------------


def test_wecom_posts_markdown_and_succeeds_on_errcode_zero(world):
    with RobotServer() as server:
        robots(world.gongxin, wecom=server.wecom_url)
        reminder = make_reminder(world)
        delivery = make_delivery(reminder, Channel.WECOM)
        assert deliver(delivery_id=delivery.pk).outcome == Outcome.SENT

    [request] = server.requests
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == {"key": "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa"}
    assert request.headers["content-type"].startswith("application/json")
    body = request.json
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"content"}
    assert body["markdown"]["content"] == "\n".join([
        f"### {reminder.title}",
        "市工信局有2项任务尚未报送（截止2025年1月10日）：",
        "1. 任务2 数字经济核心产业增加值 · 草稿",
        "2. 任务5 工业技改投资 · 未填报",
        f"[打开督办台账查看](https://tracker.example.gov.cn/?period={world.h2.pk})",
    ])
    delivery.refresh_from_db()
    assert delivery.recipients == "企业微信群机器人（…5aaa）"


def test_dingtalk_posts_signed_markdown(world):
    with RobotServer() as server:
        robots(world.gongxin, dingtalk=server.dingtalk_url, secret=SECRET)
        reminder = make_reminder(world)
        assert deliver(delivery_id=make_delivery(reminder, Channel.DINGTALK).pk).outcome == Outcome.SENT

    [request] = server.requests
    assert request.path == "/robot/send"
    assert set(request.query) == {"access_token", "timestamp", "sign"}
    # The signature DingTalk checks: base64(HMAC-SHA256(secret, "timestamp\nsecret")), URL-encoded once.
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{request.query['timestamp']}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request.query["sign"] == expected  # parse_qs undid the URL encoding
    body = request.json
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == reminder.title
    assert body["markdown"]["text"].startswith(f"### {reminder.title}\n\n市工信局有2项任务尚未报送")
    assert body["markdown"]["text"].endswith(f"(https://tracker.example.gov.cn/?period={world.h2.pk})")


@pytest.mark.no_rows
def test_dingtalk_signature_is_url_encoded():
    value = sign(SECRET, 1700000000000)
    raw = base64.b64encode(hmac.new(SECRET.encode(), f"1700000000000\n{SECRET}".encode(), hashlib.sha256).digest())
    assert value == urllib.parse.quote_plus(raw.decode()) and "+" not in value and "/" not in value
    assert signed_url(DINGTALK, SECRET, timestamp_ms=1700000000000) == f"{DINGTALK}&timestamp=1700000000000&sign={value}"
    assert signed_url(DINGTALK, "") == DINGTALK


def test_dingtalk_without_a_secret_sends_no_signature(world):
    with RobotServer() as server:
        robots(world.gongxin, dingtalk=server.dingtalk_url)
        assert deliver(delivery_id=make_delivery(make_reminder(world), Channel.DINGTALK).pk).outcome == Outcome.SENT
    assert set(server.requests[0].query) == {"access_token"}


def test_a_long_digest_is_cut_to_the_robot_limit_and_says_how_many_tasks(world):
    lines = [f"{n}. 任务{n} 推进重点产业链招商引资和项目建设工作（{'很长的说明' * 6}） · 未填报" for n in range(1, 301)]
    reminder = make_reminder(world, body="市工信局有300项任务尚未报送（截止2025年1月10日）：\n" + "\n".join(lines))
    content = robot_markdown(reminder)
    assert len(content.encode("utf-8")) <= ROBOT_MARKDOWN_MAX_BYTES
    assert content.startswith(f"### {reminder.title}\n市工信局有300项任务尚未报送")
    assert "\n1. 任务1 " in content and "\n300. 任务300 " not in content
    assert content.endswith(f"……等 300 项\n[打开督办台账查看](https://tracker.example.gov.cn/?period={world.h2.pk})")
    short = robot_markdown(make_reminder(world))
    assert "……等" not in short


def test_a_digest_that_fits_exactly_is_not_cut(world):
    reminder = make_reminder(world, body="x")
    full = robot_markdown(reminder)
    assert robot_markdown(reminder, max_bytes=len(full.encode())) == full
    cut = robot_markdown(reminder, max_bytes=len(full.encode()) - 1)
    assert len(cut.encode()) < len(full.encode()) and "……" in cut


# --- failures and how they are classified -------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "retryable", "error"),
    [
        ((500, {"errcode": -1}), True, "企业微信服务器暂时无法处理请求（HTTP 500）"),
        ((429, "slow down"), True, "（HTTP 429）"),
        ((404, "not found"), False, "企业微信服务器拒绝了请求（HTTP 404）"),
        ((200, {"errcode": 45009, "errmsg": "api freq out of limit"}), True, "errcode 45009: api freq out of limit"),
        ((200, {"errcode": 93000, "errmsg": "invalid webhook url"}), False, "机器人地址无效"),
        ((200, "<html>proxy error</html>"), True, "答复无法识别"),
        ((302, ""), False, "地址发生跳转"),
    ],
)
def test_wecom_failures(world, reply, retryable, error):
    with RobotServer(replies=[reply]) as server:
        robots(world.gongxin, wecom=server.wecom_url)
        delivery = make_delivery(make_reminder(world), Channel.WECOM)
        result = deliver(delivery_id=delivery.pk)
    assert len(server.requests) == 1  # a redirect is not followed
    assert result.outcome == (Outcome.RETRY if retryable else Outcome.FAILED)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert (delivery.not_before is not None) == retryable
    assert error in delivery.last_error
    assert delivery.last_error.startswith("第1次发送失败：")


def test_dingtalk_security_mismatch_is_not_retried(world):
    with RobotServer(replies=[(200, {"errcode": 310000, "errmsg": "sign not match"})]) as server:
        robots(world.gongxin, dingtalk=server.dingtalk_url, secret="SECwrong")
        delivery = make_delivery(make_reminder(world), Channel.DINGTALK)
        assert deliver(delivery_id=delivery.pk).outcome == Outcome.FAILED
    delivery.refresh_from_db()
    assert "不符合机器人的安全设置" in delivery.last_error and "errcode 310000: sign not match" in delivery.last_error


def test_a_robot_that_does_not_answer_is_retried(world):
    with RobotServer() as server:
        url = server.wecom_url
    robots(world.gongxin, wecom=url)  # the server is gone: connection refused
    delivery = make_delivery(make_reminder(world), Channel.WECOM)
    assert deliver(delivery_id=delivery.pk).outcome == Outcome.RETRY
    delivery.refresh_from_db()
    assert "连接企业微信服务器失败" in delivery.last_error


def test_a_stored_address_that_fails_the_check_is_never_called(world):
    robots(world.gongxin, wecom="http://10.0.0.5/cgi-bin/webhook/send?key=internal")  # written around the form
    delivery = make_delivery(make_reminder(world), Channel.WECOM)
    assert deliver(delivery_id=delivery.pk).outcome == Outcome.FAILED
    delivery.refresh_from_db()
    assert "企业微信群机器人地址不可用" in delivery.last_error and delivery.not_before is None


def test_a_robot_removed_after_the_scan_is_skipped(world):
    robots(world.gongxin)  # no robot addresses any more
    delivery = make_delivery(make_reminder(world), Channel.DINGTALK)
    assert deliver(delivery_id=delivery.pk).outcome == Outcome.SKIPPED
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SKIPPED and "不再使用钉钉群机器人" in delivery.last_error


@pytest.mark.no_rows
def test_channel_error_text():
    assert ChannelError("发送失败", technical="HTTP 500").describe() == "发送失败（HTTP 500）"
    assert ChannelError("发送失败").describe() == "发送失败"
