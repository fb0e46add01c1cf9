"""Group robots against a local HTTP server that records every request and fails the first one:
the payload each vendor gets, the retry after backoff, and exactly one message that went through."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time

import pytest
from django.utils import timezone

from reminders.models import Channel, DeliveryStatus
from reminders.services.delivery import Outcome, deliver, sweep
from reminders.tests.delivery_helpers import RobotServer, make_delivery, make_reminder, robots

pytestmark = pytest.mark.django_db

SECRET = "SEC0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
FIRST_FAILS = {
    "http_500": ((500, "internal error"), "服务器暂时无法处理请求（HTTP 500）"),
    "errcode": ((200, {"errcode": -1, "errmsg": "system busy"}), "群机器人返回错误（errcode -1: system busy）"),
}


def _configure(world, server: RobotServer, channel: str) -> None:
    if channel == Channel.WECOM:
        robots(world.gongxin, wecom=server.wecom_url)
    else:
        robots(world.gongxin, dingtalk=server.dingtalk_url, secret=SECRET)


def _check_payload(request, channel: str, reminder) -> None:
    link = f"[打开督办台账查看](https://tracker.example.gov.cn/?period={reminder.period_id})"
    if channel == Channel.WECOM:
        assert request.path == "/cgi-bin/webhook/send" and set(request.query) == {"key"}
        assert request.json == {
            "msgtype": "markdown",
            "markdown": {"content": "\n".join([f"### {reminder.title}", *reminder.body.splitlines(), link])},
        }
    else:
        assert request.path == "/robot/send" and set(request.query) == {"access_token", "timestamp", "sign"}
        timestamp = request.query["timestamp"]
        digest = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
        assert request.query["sign"] == base64.b64encode(digest).decode()
        assert request.json == {
            "msgtype": "markdown",
            "markdown": {
                "title": reminder.title,
                "text": "\n\n".join([f"### {reminder.title}", *reminder.body.splitlines(), link]),
            },
        }


@pytest.mark.parametrize("channel", [Channel.WECOM, Channel.DINGTALK])
@pytest.mark.parametrize("failure", list(FIRST_FAILS))
def test_first_attempt_fails_then_the_retry_goes_through_once(world, channel, failure):
    reply, error = FIRST_FAILS[failure]
    with RobotServer(replies=[reply]) as server:
        _configure(world, server, channel)
        reminder = make_reminder(world)
        delivery = make_delivery(reminder, channel)

        first = deliver(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        # The failed attempt is visible: status, count, the reason, when it is tried again.
        assert (first.outcome, delivery.status, delivery.attempts) == (Outcome.RETRY, DeliveryStatus.FAILED, 1)
        assert delivery.not_before == first.retry_at
        assert delivery.last_error.startswith("第1次发送失败：") and error in delivery.last_error

        early = deliver(delivery_id=delivery.pk, now=first.retry_at - dt.timedelta(milliseconds=50))
        second = deliver(delivery_id=delivery.pk, now=first.retry_at)
        again = deliver(delivery_id=delivery.pk, now=first.retry_at + dt.timedelta(minutes=5))

    assert [early.outcome, second.outcome, again.outcome] == [Outcome.NOT_DUE, Outcome.SENT, Outcome.NOT_CLAIMED]
    assert len(server.requests) == 2
    assert [r.succeeded for r in server.requests] == [False, True]
    for request in server.requests:
        _check_payload(request, channel, reminder)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert delivery.sent_at is not None and delivery.not_before is None
    assert error in delivery.last_error  # the first attempt's reason stays on the row


def test_the_sweep_sends_a_retry_whose_job_was_lost(world, django_capture_on_commit_callbacks):
    with RobotServer(replies=[(503, "busy")]) as server:
        robots(world.gongxin, wecom=server.wecom_url)
        delivery = make_delivery(make_reminder(world), Channel.WECOM)
        first = deliver(delivery_id=delivery.pk)
        assert first.outcome == Outcome.RETRY

        with django_capture_on_commit_callbacks(execute=True):
            assert sweep(now=first.retry_at).delivery_ids == []  # its own job is still due to come
        time.sleep(max((first.retry_at - timezone.now()).total_seconds(), 0))  # the job runs on the real clock
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep(now=first.retry_at + dt.timedelta(minutes=5)).delivery_ids == [delivery.pk]

    assert [r.succeeded for r in server.requests] == [False, True]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
