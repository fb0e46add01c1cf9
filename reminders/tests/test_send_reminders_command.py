"""manage.py send_reminders: what a dry run lists (escalations, meetings, milestones), a day off and a
bad date. The runs that send (the jobs run after a real commit) and the dry run's "writes nothing"
are in ``test_send_reminders_command_commits``."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from progress.tests.factories import build_world
from reminders.models import Reminder, ReminderPolicy
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

# ``world``: built once for the module (xingping_tracker.tests.sharing), a copy for each test.
_module_world, world = module_fixtures(build_world, name="world")


def no_quiet_hours(world) -> None:
    """The command places deliveries by the wall clock (now), not by --date: without this, a run
    during the plan's quiet hours (20:00–08:30 Beijing time) would hold every delivery."""
    ReminderPolicy.objects.create(plan=world.plan, quiet_hours_start=dt.time(0, 0), quiet_hours_end=dt.time(0, 0))


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


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
