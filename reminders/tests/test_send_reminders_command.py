"""manage.py send_reminders: --dry-run lists and writes nothing; without it the reminders are written
and (no broker in the tests: Celery runs inline) sent before the command ends."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from progress.tests.factories import build_world
from reminders.models import Delivery, DeliveryStatus, Reminder, ReminderPolicy, UnitReminderSettings

pytestmark = pytest.mark.django_db(transaction=True)  # the jobs run after a real commit


@pytest.fixture
def world():
    return build_world()


def no_quiet_hours(world) -> None:
    """The command places deliveries by the wall clock (now), not by --date: without this, a run
    during the plan's quiet hours (20:00–08:30 Beijing time) would hold every delivery."""
    ReminderPolicy.objects.create(plan=world.plan, quiet_hours_start=dt.time(0, 0), quiet_hours_end=dt.time(0, 0))


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


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


def test_escalation_and_meeting_lines(world):
    output = run("--date", "2025-01-20", "--dry-run")
    assert "  2024年下半年 · 规划科和市工信局的分管领导 · 逾期上报（逾期上报） · 1项任务 · 电子邮件、站内通知" in output
    assert "  2024年下半年 · 市领导 · 专题会通知（会前通知） · 电子邮件、站内通知" in output


def test_milestone_lines(world):
    output = run("--date", "2022-12-19", "--dry-run")
    assert output.splitlines() == ["2022-12-19 试运行（不写入、不发送）：应发送 1 条提醒。", "  市发改局 · 节点提醒（节点临近） · 1个节点 · 电子邮件、站内通知"]


def test_a_day_off(world):
    assert run("--date", "2025-10-01") == "2025-10-01 不是工作日，不发送提醒。\n"
    assert not Reminder.objects.exists()


def test_a_bad_date(world):
    with pytest.raises(CommandError, match="请写成 YYYY-MM-DD"):
        run("--date", "2025/01/06")


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
