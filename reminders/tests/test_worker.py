"""The jobs on a real broker: Redis and a real Celery worker (in a thread of this process, on the
PostgreSQL test database), with a local robot server.

- jobs enqueued after commit are delivered by the worker and the send log (Delivery rows) says so;
- a robot that fails the first time is retried by the worker after the backoff, once through;
- the same delivery enqueued many times (beat twice, a retried job, the sweep) is sent once, with
  four worker threads racing;
- the scan enqueues, the worker delivers; two scans at once deliver each reminder once.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from progress.tests.factories import build_world
from reminders.models import Channel, Delivery, DeliveryStatus, Notification, ReminderPolicy
from reminders.services.delivery import enqueue_delivery
from reminders.tasks import deliver_reminder, roll_over_periods, scan_reminders, sweep_deliveries
from reminders.tests.delivery_helpers import RobotServer, make_delivery, make_reminder, robots
from xingping_tracker.celery import app
from xingping_tracker.tests.celery_worker import redis_worker, wait_for
from xingping_tracker.tests.racing import race

FINISHED = (DeliveryStatus.SENT, DeliveryStatus.SKIPPED, DeliveryStatus.FAILED)


# --- the Celery configuration (no broker needed) -------------------------------------------------


def test_jobs_are_json_and_named():
    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]
    assert app.conf.timezone == "Asia/Shanghai"
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    names = [task.name for task in (scan_reminders, deliver_reminder, sweep_deliveries, roll_over_periods)]
    assert names == ["reminders.scan", "reminders.deliver", "reminders.sweep", "reminders.roll_over_periods"]


def test_a_delivery_job_is_acknowledged_late_and_bounded_in_time():
    assert deliver_reminder.acks_late and deliver_reminder.reject_on_worker_lost
    assert deliver_reminder.soft_time_limit < deliver_reminder.time_limit
    # A claim can be taken over only after the worker holding it has surely been killed.
    assert deliver_reminder.time_limit < settings.REMINDER_DELIVERY_LEASE_SECONDS
    assert settings.CELERY_TASK_TIME_LIMIT < settings.REMINDER_DELIVERY_LEASE_SECONDS


# --- embedded mode: no broker, jobs run inline ----------------------------------------------------


@pytest.mark.django_db
def test_without_a_broker_the_scan_job_delivers_inline(mailoutbox, django_capture_on_commit_callbacks):
    assert app.conf.task_always_eager  # the test settings, like `make run`, configure no broker
    world = build_world()
    # No quiet hours, so the deliveries are due whatever the time of day the test runs.
    ReminderPolicy.objects.create(plan=world.plan, quiet_hours_start=dt.time(0), quiet_hours_end=dt.time(0))
    with django_capture_on_commit_callbacks(execute=True):
        summary = scan_reminders.delay(SCAN_DAY.isoformat()).get()
    assert summary.startswith("2024-12-31: ") and "wd_before_7" in summary
    statuses = set(Delivery.objects.values_list("status", flat=True))
    assert statuses == {DeliveryStatus.SENT, DeliveryStatus.SKIPPED}
    assert len(mailoutbox) == 4  # 市工信局, 市发改局, 市财政局, 南城镇 have people; the two 街道办 have none


@pytest.mark.django_db
def test_the_roll_over_job_creates_the_next_period():
    world = build_world()
    summary = roll_over_periods.delay("2024-12-15").get()
    assert "created" in summary
    assert world.plan.review_periods.filter(starts_on=dt.date(2025, 1, 1)).exists()


# --- a real worker ------------------------------------------------------------------------------


def finished(ids: list[int]) -> Callable[[], bool]:
    def check() -> bool:
        return Delivery.objects.filter(pk__in=ids, status__in=FINISHED, not_before__isnull=True).count() == len(ids)

    return check


worker_test = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class TestWorker:
    pytestmark = worker_test

    def test_jobs_enqueued_after_commit_are_delivered_by_the_worker(self, redis_url, mailoutbox):
        world = build_world()
        with RobotServer() as server, redis_worker(redis_url):
            robots(world.gongxin, wecom=server.wecom_url, dingtalk=server.dingtalk_url, secret="SECabc")
            reminder = make_reminder(world)
            ids = [make_delivery(reminder, channel).pk for channel in Channel.values]
            for delivery_id in ids:
                enqueue_delivery(delivery_id)  # autocommit here: straight to Redis
            wait_for(finished(ids), what="the four deliveries")

        rows = dict(Delivery.objects.filter(pk__in=ids).values_list("channel", "status"))
        assert rows == dict.fromkeys(Channel.values, DeliveryStatus.SENT)
        assert len(mailoutbox) == 1 and Notification.objects.filter(reminder=reminder).count() == 2
        assert sorted(r.path for r in server.requests) == ["/cgi-bin/webhook/send", "/robot/send"]

    def test_the_worker_retries_a_failed_robot_after_the_backoff(self, redis_url):
        world = build_world()
        with RobotServer(replies=[(500, "down")]) as server, redis_worker(redis_url):
            robots(world.gongxin, wecom=server.wecom_url)
            delivery = make_delivery(make_reminder(world), Channel.WECOM)
            enqueue_delivery(delivery.pk)
            wait_for(finished([delivery.pk]), what="the retried delivery")

        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
        assert "第1次发送失败：企业微信服务器暂时无法处理请求（HTTP 500）" in delivery.last_error
        assert [r.succeeded for r in server.requests] == [False, True]

    def test_the_same_delivery_enqueued_many_times_is_sent_once(self, redis_url):
        world = build_world()
        with RobotServer(delay=0.2) as server, redis_worker(redis_url, concurrency=4):
            robots(world.gongxin, wecom=server.wecom_url)
            deliveries = [make_delivery(make_reminder(world), Channel.WECOM) for _ in range(3)]
            for _round in range(4):
                for delivery in deliveries:
                    deliver_reminder.delay(delivery.pk)
            ids = [d.pk for d in deliveries]
            wait_for(finished(ids), what="three deliveries")
            time.sleep(0.5)  # let the duplicate jobs run out

        assert len(server.requests) == 3
        assert set(Delivery.objects.filter(pk__in=ids).values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}

    def test_the_sweep_job_re_sends_an_abandoned_claim(self, redis_url, mailoutbox):
        world = build_world()
        abandoned = timezone.now() - dt.timedelta(seconds=settings.REMINDER_DELIVERY_LEASE_SECONDS + 1)
        delivery = make_delivery(
            make_reminder(world), Channel.EMAIL, status=DeliveryStatus.SENDING, attempts=1, claimed_at=abandoned
        )
        with redis_worker(redis_url):
            sweep_deliveries.delay()
            wait_for(finished([delivery.pk]), what="the abandoned delivery")
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2) and len(mailoutbox) == 1


# --- the scan on the worker ---------------------------------------------------------------------


def check_scanned_deliveries(server: RobotServer, mailoutbox: list) -> None:
    """Every delivery the scan decided went out once: sent where its unit has people (or a robot),
    skipped where it has nobody; one e-mail per unit, one notice per person, one robot message."""
    from departments.models import Membership

    staffed = set(Membership.objects.filter(user__is_active=True).values_list("department_id", flat=True))
    rows = list(Delivery.objects.values_list("reminder__department_id", "channel", "status", "attempts"))
    assert rows and len({(unit, channel) for unit, channel, _, _ in rows}) == len(rows)
    for unit, channel, status, attempts in rows:
        expected = DeliveryStatus.SENT if channel == Channel.WECOM or unit in staffed else DeliveryStatus.SKIPPED
        assert (status, attempts) == (expected, 1), (unit, channel)
    reminded = {unit for unit, _, _, _ in rows}
    assert len(mailoutbox) == len(reminded & staffed)
    assert Notification.objects.count() == Membership.objects.filter(department_id__in=reminded).count()
    assert len(server.requests) == 1 and server.requests[0].succeeded


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_scan_enqueues_and_the_worker_delivers(redis_url, mailoutbox):
    from reminders.services.scan import scan

    world = build_world()
    with RobotServer() as server, redis_worker(redis_url):
        robots(world.gongxin, wecom=server.wecom_url)
        result = scan(today=SCAN_DAY, now=SCAN_TIME)
        assert len(result.created) >= 4 and result.deliveries  # the units that owe reports in 2024年下半年
        wait_for(finished(result.deliveries), what="the scanned deliveries")

    assert sorted(Delivery.objects.values_list("pk", flat=True)) == sorted(result.deliveries)
    check_scanned_deliveries(server, mailoutbox)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_deliver_each_reminder_once(redis_url, mailoutbox):
    from reminders.services.scan import scan

    world = build_world()
    with RobotServer(delay=0.1) as server, redis_worker(redis_url, concurrency=4):
        robots(world.gongxin, wecom=server.wecom_url)
        results = race(*[lambda: scan(today=SCAN_DAY, now=SCAN_TIME)] * 2)
        errors = [result for result in results if isinstance(result, BaseException)]
        assert not errors
        ids = list(Delivery.objects.values_list("pk", flat=True))
        wait_for(finished(ids), what="the scanned deliveries")
        time.sleep(0.5)  # any duplicate job would run now

    # One scan decided everything, the other found it decided.
    assert sorted(len(result.deliveries) for result in results) == [0, len(ids)]
    check_scanned_deliveries(server, mailoutbox)


# A working day inside the open period 2024年下半年 (due 2025-01-10): seven working days before it,
# at 10:00 in Shanghai (outside the quiet hours, so the deliveries are due at once).
SCAN_DAY = dt.date(2024, 12, 31)
SCAN_TIME = dt.datetime(2024, 12, 31, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
