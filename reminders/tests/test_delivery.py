"""Delivery: the claim (exactly once, stale claims taken over), backoff, one channel failing alone,
the plan office's 重新发送 and the sweep. Two workers racing on PostgreSQL (real commits) are in
``test_delivery_concurrent``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from progress.tests.factories import build_world
from reminders.models import Channel, Delivery, DeliveryStatus, Notification
from reminders.services.delivery import (
    Outcome,
    claim_delivery,
    deliver,
    enqueue_delivery,
    retry_delay,
    retry_delivery,
    sweep,
)
from reminders.tests.delivery_helpers import RobotServer, make_delivery, make_reminder, robots
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

LEASE = dt.timedelta(seconds=600)


# Built once for the module (every database test here asks for it); each test gets its own copy.
_module_world, world = module_fixtures(build_world, name="world")


def _row(delivery: Delivery) -> tuple:
    delivery.refresh_from_db()
    return delivery.status, delivery.attempts


# --- the claim ----------------------------------------------------------------------------------


def test_a_due_delivery_is_sent_once_and_then_left_alone(world, mailoutbox):
    delivery = make_delivery(make_reminder(world), Channel.EMAIL)
    assert deliver(delivery_id=delivery.pk).outcome == Outcome.SENT
    assert deliver(delivery_id=delivery.pk).outcome == Outcome.NOT_CLAIMED  # beat fired twice, a job re-run
    assert len(mailoutbox) == 1
    assert _row(delivery) == (DeliveryStatus.SENT, 1)


def test_a_delivery_waits_for_its_time(world, mailoutbox):
    later = timezone.now() + dt.timedelta(hours=2)  # e.g. the end of the quiet hours
    delivery = make_delivery(make_reminder(world), Channel.EMAIL, not_before=later)

    result = deliver(delivery_id=delivery.pk)

    assert (result.outcome, result.retry_at) == (Outcome.NOT_DUE, later)
    assert _row(delivery) == (DeliveryStatus.PENDING, 0) and mailoutbox == []
    assert deliver(delivery_id=delivery.pk, now=later).outcome == Outcome.SENT


def test_a_claim_abandoned_by_a_dead_worker_is_taken_over(world, mailoutbox):
    now = timezone.now()
    delivery = make_delivery(
        make_reminder(world), Channel.EMAIL, status=DeliveryStatus.SENDING, attempts=1, claimed_at=now - LEASE - dt.timedelta(seconds=1)
    )
    assert deliver(delivery_id=delivery.pk, now=now).outcome == Outcome.SENT
    assert _row(delivery) == (DeliveryStatus.SENT, 2) and len(mailoutbox) == 1


def test_a_live_claim_is_not_taken(world, mailoutbox):
    now = timezone.now()
    delivery = make_delivery(
        make_reminder(world), Channel.EMAIL, status=DeliveryStatus.SENDING, attempts=1, claimed_at=now - LEASE + dt.timedelta(seconds=5)
    )
    assert deliver(delivery_id=delivery.pk, now=now).outcome == Outcome.NOT_CLAIMED
    assert _row(delivery) == (DeliveryStatus.SENDING, 1) and mailoutbox == []


@pytest.mark.parametrize("status", [DeliveryStatus.SENT, DeliveryStatus.SKIPPED, DeliveryStatus.FAILED])
def test_finished_rows_are_not_claimed(world, mailoutbox, status):
    # FAILED without a retry time: failed for good, waiting for the plan office.
    delivery = make_delivery(make_reminder(world), Channel.EMAIL, status=status, not_before=None, attempts=1)
    assert deliver(delivery_id=delivery.pk).outcome == Outcome.NOT_CLAIMED
    assert _row(delivery) == (status, 1) and mailoutbox == []


def test_a_missing_delivery_is_not_claimed(world):
    assert deliver(delivery_id=999_999).outcome == Outcome.NOT_CLAIMED


def test_the_claim_is_a_single_update(world):
    delivery = make_delivery(make_reminder(world), Channel.EMAIL)
    with CaptureQueriesContext(connection) as queries:
        assert claim_delivery(delivery_id=delivery.pk, now=timezone.now())
    statements = [q["sql"].split()[0].upper() for q in queries if "SAVEPOINT" not in q["sql"].upper()]
    assert statements == ["UPDATE"]
    assert _row(delivery) == (DeliveryStatus.SENDING, 1)


def test_an_unknown_channel_fails_for_good(world):
    delivery = make_delivery(make_reminder(world), "fax")
    assert deliver(delivery_id=delivery.pk).outcome == Outcome.FAILED
    delivery.refresh_from_db()
    assert "未知的发送渠道" in delivery.last_error and delivery.not_before is None


# --- backoff ------------------------------------------------------------------------------------


@override_settings(REMINDER_RETRY_BASE_SECONDS=60, REMINDER_RETRY_MAX_SECONDS=300)
@pytest.mark.no_rows
def test_retry_delays_double_up_to_the_maximum():
    assert [retry_delay(n).total_seconds() for n in range(1, 6)] == [60, 120, 240, 300, 300]


@override_settings(REMINDER_MAX_ATTEMPTS=3)
def test_failures_back_off_until_the_last_attempt(world):
    with RobotServer(replies=[(502, "bad gateway")] * 5) as server:
        robots(world.gongxin, wecom=server.wecom_url)
        delivery = make_delivery(make_reminder(world), Channel.WECOM)
        start = timezone.now()
        first = deliver(delivery_id=delivery.pk, now=start)
        assert deliver(delivery_id=delivery.pk, now=first.retry_at - dt.timedelta(milliseconds=1)).outcome == Outcome.NOT_DUE
        second = deliver(delivery_id=delivery.pk, now=first.retry_at)
        third = deliver(delivery_id=delivery.pk, now=second.retry_at)

    assert [first.outcome, second.outcome, third.outcome] == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED]
    # 0.2 s, then 0.4 s (the test settings' base), measured from when each failure was recorded.
    assert dt.timedelta(seconds=0.2) <= first.retry_at - start < dt.timedelta(seconds=1)
    assert dt.timedelta(seconds=0.4) <= second.retry_at - first.retry_at
    assert len(server.requests) == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.not_before) == (DeliveryStatus.FAILED, 3, None)
    assert delivery.last_error.startswith("第3次发送失败：企业微信服务器暂时无法处理请求（HTTP 502）")
    assert "不再重试" in delivery.last_error


def test_one_failing_channel_does_not_stop_the_others(world, mailoutbox, django_capture_on_commit_callbacks):
    with RobotServer(replies=[(500, "down")] * 3) as broken, RobotServer() as working:
        robots(world.gongxin, wecom=broken.wecom_url, dingtalk=working.dingtalk_url)
        reminder = make_reminder(world)
        deliveries = {
            channel: make_delivery(reminder, channel)
            for channel in (Channel.WECOM, Channel.EMAIL, Channel.INAPP, Channel.DINGTALK)
        }
        # As the scan does: jobs enqueued after commit (inline here: no broker in the tests).
        with django_capture_on_commit_callbacks(execute=True):
            for delivery in deliveries.values():
                enqueue_delivery(delivery.pk)

    statuses = {channel: _row(delivery)[0] for channel, delivery in deliveries.items()}
    assert statuses == {
        Channel.WECOM: DeliveryStatus.FAILED, Channel.EMAIL: DeliveryStatus.SENT,
        Channel.INAPP: DeliveryStatus.SENT, Channel.DINGTALK: DeliveryStatus.SENT,
    }
    assert deliveries[Channel.WECOM].not_before is not None  # tried again later
    assert len(mailoutbox) == 1 and Notification.objects.filter(reminder=reminder).count() == 2
    assert len(working.requests) == 1 and len(broken.requests) == 1


# --- the plan office's 重新发送 -------------------------------------------------------------------


def test_only_the_plan_office_retries(world):
    delivery = make_delivery(make_reminder(world), Channel.EMAIL, status=DeliveryStatus.FAILED, attempts=5, not_before=None)
    for user in (world.leader, world.gongxin_head, world.nobody):
        with pytest.raises(ApplicationError) as caught:
            retry_delivery(delivery_id=delivery.pk, user=user)
        assert caught.value.code == ErrorCode.PERMISSION_DENIED
    assert _row(delivery) == (DeliveryStatus.FAILED, 5)


@pytest.mark.parametrize("status", [DeliveryStatus.SENT, DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.SKIPPED])
def test_only_failed_rows_are_retried(world, status):
    delivery = make_delivery(make_reminder(world), Channel.EMAIL, status=status, attempts=1)
    with pytest.raises(ApplicationError) as caught:
        retry_delivery(delivery_id=delivery.pk, user=world.plan_office)
    assert caught.value.code == ErrorCode.ILLEGAL_TRANSITION and caught.value.http_status == 409
    assert "只有发送失败的记录可以重新发送" in caught.value.message
    assert _row(delivery) == (status, 1)


def test_retrying_a_missing_row_is_not_found(world):
    with pytest.raises(ApplicationError) as caught:
        retry_delivery(delivery_id=999_999, user=world.plan_office)
    assert caught.value.code == ErrorCode.NOT_FOUND


def test_a_retry_is_sent_after_commit(world, mailoutbox, django_capture_on_commit_callbacks):
    error = "第5次发送失败：邮件发送失败（ConnectionRefusedError）。已自动尝试5次，不再重试；可在发送记录中重新发送。"
    delivery = make_delivery(
        make_reminder(world), Channel.EMAIL, status=DeliveryStatus.FAILED, attempts=5, not_before=None, last_error=error
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        returned = retry_delivery(delivery_id=delivery.pk, user=world.plan_office)
        assert returned.status == DeliveryStatus.PENDING and mailoutbox == []  # nothing leaves before the commit
        with pytest.raises(ApplicationError):  # a second click while it waits
            retry_delivery(delivery_id=delivery.pk, user=world.plan_office)
    assert len(callbacks) == 1 and len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 6, error)


# --- the sweep ----------------------------------------------------------------------------------


def test_the_sweep_enqueues_what_was_lost_and_nothing_else(world, mailoutbox, django_capture_on_commit_callbacks):
    now = timezone.now()
    ago = lambda **kw: now - dt.timedelta(**kw)  # noqa: E731
    rows = {
        "pending, 10 min late": dict(status=DeliveryStatus.PENDING, not_before=ago(minutes=10)),
        "pending, just due": dict(status=DeliveryStatus.PENDING, not_before=ago(seconds=10)),
        "pending, later": dict(status=DeliveryStatus.PENDING, not_before=now + dt.timedelta(hours=1)),
        "retry, 5 min late": dict(status=DeliveryStatus.FAILED, not_before=ago(minutes=5), attempts=1),
        "failed for good": dict(status=DeliveryStatus.FAILED, not_before=None, attempts=5),
        "abandoned": dict(status=DeliveryStatus.SENDING, claimed_at=ago(seconds=660), attempts=1),
        "sending": dict(status=DeliveryStatus.SENDING, claimed_at=ago(seconds=10), attempts=1),
        "sent": dict(status=DeliveryStatus.SENT, not_before=ago(hours=1), attempts=1),
    }
    made = {name: make_delivery(make_reminder(world), Channel.EMAIL, **fields) for name, fields in rows.items()}

    with django_capture_on_commit_callbacks(execute=True):
        result = sweep(now=now)

    assert result.due == [made["pending, 10 min late"].pk, made["retry, 5 min late"].pk]
    assert result.abandoned == [made["abandoned"].pk]
    sent = {name for name, delivery in made.items() if _row(delivery)[0] == DeliveryStatus.SENT}
    assert sent == {"pending, 10 min late", "retry, 5 min late", "abandoned", "sent"}
    assert len(mailoutbox) == 3
