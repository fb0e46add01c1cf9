"""manage.py send_reminders with real commits: --dry-run lists and writes nothing (no mail queued
after a commit either); without it the reminders are written and (no broker in the tests: Celery
runs inline) sent before the command ends, and the sweep sends what waited."""

from __future__ import annotations

import datetime as dt

import pytest

from progress.tests.factories import build_world
from reminders.models import Delivery, DeliveryStatus, Reminder, ReminderPolicy, UnitReminderSettings
from reminders.tests.test_send_reminders_command import no_quiet_hours, run

pytestmark = pytest.mark.django_db(transaction=True)  # the jobs run after a real commit


@pytest.fixture
def world():
    return build_world()


def test_dry_run_prints_each_reminder_and_writes_nothing(world, mailoutbox):
    UnitReminderSettings.objects.create(department=world.gongxin, wecom_webhook_url="https://qyapi.weixin.qq.com/x")
    output = run("--date", "2024-12-31", "--dry-run")
    lines = output.splitlines()
    assert lines[0] == "2024-12-31 试运行（不写入、不发送）：应发送 6 条提醒。"
    assert "  2024年下半年 · 市发改局 · 报送提醒（截止前第7个工作日） · 4项任务 · 电子邮件、站内通知" in lines
    assert "  2024年下半年 · 市工信局 · 报送提醒（截止前第7个工作日） · 1项任务 · 电子邮件、站内通知、企业微信群机器人" in lines
    assert len(lines) == 7
    assert not Reminder.objects.exists() and not Delivery.objects.exists() and not ReminderPolicy.objects.exists()
    assert mailoutbox == []


def test_sends_and_prints_what_it_created(world, mailoutbox):
    no_quiet_hours(world)
    output = run("--date", "2024-12-31")
    assert output.splitlines()[0] == "2024-12-31：已生成 6 条提醒。"
    assert "发送记录 12 条：已发送 8，无接收人 4。" in output  # 东城 and 西城 have no staff accounts
    assert Reminder.objects.count() == 6 and len(mailoutbox) == 4
    assert not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()

    again = run("--date", "2024-12-31")
    assert again.splitlines() == ["2024-12-31：已生成 0 条提醒，没有到期的提醒。"]
    assert Reminder.objects.count() == 6 and len(mailoutbox) == 4


def test_the_sweep_sends_what_waited(world, mailoutbox):
    no_quiet_hours(world)
    run("--date", "2024-12-31")
    waiting = Delivery.objects.filter(status=DeliveryStatus.SENT).first()
    # As if it had been held by the quiet hours and their end passed long ago.
    Delivery.objects.filter(pk=waiting.pk).update(
        status=DeliveryStatus.PENDING, not_before=dt.datetime(2025, 1, 1, 8, 30, tzinfo=dt.UTC), attempts=0
    )
    output = run("--date", "2025-01-02")
    assert "另补发到时未发出的发送记录 1 条。" in output
    waiting.refresh_from_db()
    assert waiting.status == DeliveryStatus.SENT
