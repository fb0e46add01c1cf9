"""The scan on the real database: what each unit owes (the effective-unit rules), the reminders and
deliveries it writes, exactly once, jobs only after commit, quiet hours, dry run and a constant number
of queries. Two scans at once on PostgreSQL (real commits) are in ``test_scan_concurrent``.

The world (``build_world``): period 2024年下半年 open, due Fri 2025-01-10, meeting Mon 2025-01-20;
2024-12-31 is the 7th working day before the due date (New Year's Day is off).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from departments.tests.factories import DepartmentFactory
from progress.models import ReportStatus, TaskProgress, TaskStatus
from progress.tests.factories import ProgressReportFactory, build_world
from reminders import selectors
from reminders.models import Channel, Delivery, DeliveryStatus, Reminder, ReminderPolicy, UnitReminderSettings
from reminders.schedule import PeriodInput
from reminders.services.scan import in_quiet_hours, scan, send_after
from reminders.workdays import SHANGHAI
from tasks.models import Milestone, Task
from tasks.selectors import filter_tasks_by_unit
from tasks.tests.factories import LeadFactory, SupportingFactory, TaskFactory
from xingping_tracker.tests.sharing import module_fixtures

D = dt.date
SEVEN_BEFORE = D(2024, 12, 31)
MORNING = dt.datetime(2024, 12, 31, 9, 0, tzinfo=SHANGHAI)


# Built once for the module (every database test here asks for it); each test gets its own copy.
_module_world, world = module_fixtures(build_world, name="world")


def owed_map(world, period=None) -> dict[str, list[tuple[int, str]]]:
    period = period or world.h2
    owed = selectors.owed_by_unit(periods=[_period_input(period)])
    return {unit.department_name: [(item.number, item.status) for item in unit.items] for unit in owed}


def _period_input(period) -> PeriodInput:
    return PeriodInput(period.pk, period.plan_id, period.name, period.report_due_on, period.meeting_on, period.status)


def report(world, task_number, unit, status, period=None):
    return ProgressReportFactory(task=world.tasks[task_number], department=unit, period=period or world.h2, status=status)


# --- what each unit owes ------------------------------------------------------------------------------


def test_every_effective_unit_owes_its_tasks(world):
    assert owed_map(world) == {
        "市发改局": [(1, "none"), (2, "none"), (3, "none"), (5, "none")],  # 5: named, and 市级相关部门 expanded to it
        "市工信局": [(2, "none")],  # its lead's expansion to 南城 is ignored: a unit is named
        "市财政局": [(2, "none"), (4, "none")],
        "东城街道办": [(1, "none"), (4, "none")],  # 各镇办 (fixed) on task 1, expanded to it on task 4
        "西城街道办": [(1, "none")],
        "南城镇": [(3, "none")],  # 相关镇办 expanded to it
    }


def test_owed_tasks_agree_with_the_task_selectors(world):
    owed = {unit.department_id: {item.task_id for item in unit.items} for unit in
            selectors.owed_by_unit(periods=[_period_input(world.h2)])}
    for unit in (world.fagai, world.gongxin, world.caizheng, world.dongcheng, world.xicheng, world.nancheng):
        expected = set(filter_tasks_by_unit(Task.objects.filter(plan=world.plan), department=unit).values_list("pk", flat=True))
        assert owed[unit.pk] == expected, unit.name


def test_submitted_and_accepted_reports_are_owed_no_more(world):
    report(world, 2, world.gongxin, ReportStatus.SUBMITTED)
    report(world, 1, world.fagai, ReportStatus.ACCEPTED)
    report(world, 3, world.fagai, ReportStatus.DRAFT)
    report(world, 5, world.fagai, ReportStatus.RETURNED)
    report(world, 2, world.fagai, ReportStatus.SUBMITTED, period=world.h1)  # another period: no effect
    owed = owed_map(world)
    assert "市工信局" not in owed
    assert owed["市发改局"] == [(2, "none"), (3, "draft"), (5, "returned")]


def test_completed_tasks_and_inactive_units_owe_nothing(world):
    TaskProgress.objects.create(task=world.tasks[4], status=TaskStatus.COMPLETED)
    world.xicheng.is_active = False
    world.xicheng.save()
    owed = owed_map(world)
    assert owed["市财政局"] == [(2, "none")] and owed["东城街道办"] == [(1, "none")]
    assert "西城街道办" not in owed


def test_long_task_texts_are_listed_short(world):
    Task.objects.filter(pk=world.tasks[2].pk).update(text="加快发展数字经济，" * 10)
    [item] = next(u for u in selectors.owed_by_unit(periods=[_period_input(world.h2)]) if u.department_id == world.gongxin.pk).items
    assert item.text == ("加快发展数字经济，" * 5)[:40] + "…"


def test_unit_channels(world):
    UnitReminderSettings.objects.create(department=world.gongxin, wecom_webhook_url="https://qyapi.weixin.qq.com/x")
    UnitReminderSettings.objects.create(
        department=world.caizheng, email_enabled=False, dingtalk_webhook_url="https://oapi.dingtalk.com/robot/send"
    )
    assert selectors.unit_channels([world.gongxin.pk, world.caizheng.pk, world.fagai.pk]) == {
        world.gongxin.pk: ("email", "inapp", "wecom"),
        world.caizheng.pk: ("inapp", "dingtalk"),
        world.fagai.pk: ("email", "inapp"),
    }


# --- the scan writes --------------------------------------------------------------------------------------


def test_scan_writes_one_digest_per_owing_unit_with_a_delivery_per_channel(world, django_capture_on_commit_callbacks):
    UnitReminderSettings.objects.create(department=world.gongxin, wecom_webhook_url="https://qyapi.weixin.qq.com/x")
    report(world, 1, world.dongcheng, ReportStatus.SUBMITTED)
    report(world, 4, world.dongcheng, ReportStatus.ACCEPTED)  # 东城 has submitted everything

    with django_capture_on_commit_callbacks() as callbacks:
        result = scan(today=SEVEN_BEFORE, now=MORNING)

    reminders = {r.department.name: r for r in Reminder.objects.select_related("department")}
    assert sorted(reminders) == sorted(["市发改局", "市工信局", "市财政局", "西城街道办", "南城镇"])
    fagai = reminders["市发改局"]
    assert (fagai.kind, fagai.stage, fagai.dedupe_key) == ("report_due", "wd_before_7", f"report_due:p{world.h2.pk}:u{world.fagai.pk}:wd_before_7")
    assert (fagai.period_id, fagai.decided_on) == (world.h2.pk, SEVEN_BEFORE)
    assert fagai.title == "市发改局：2024年下半年有4项任务待报送（2025年1月10日截止）"
    assert fagai.link == f"{reverse('progress:home')}?period={world.h2.pk}"
    assert [item["number"] for item in fagai.items] == [1, 2, 3, 5]
    assert fagai.items[0] == {
        "task_id": world.tasks[1].pk, "number": 1, "status": "none", "role": "lead",
    }  # the texts are in the body
    assert fagai.items[1]["role"] == "supporting"
    assert "1. 任务1：聚力建设都市圈核心区。（未填报）" in fagai.body

    channels = sorted(Delivery.objects.values_list("reminder__department__name", "channel"))
    assert channels == sorted(
        [(unit, channel) for unit in reminders for channel in ("email", "inapp")] + [("市工信局", "wecom")]
    )
    assert set(Delivery.objects.values_list("status", "not_before")) == {(DeliveryStatus.PENDING, MORNING)}
    assert sorted(result.created) == sorted(r.pk for r in reminders.values())
    assert sorted(result.deliveries) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert result.per_stage == {"wd_before_7": 5}
    assert len(callbacks) == len(result.deliveries)  # one job per delivery, registered for after commit


def test_scan_is_idempotent_and_moves_on_by_stage(world, django_capture_on_commit_callbacks):
    scan(today=SEVEN_BEFORE, now=MORNING)
    count = Reminder.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        again = scan(today=SEVEN_BEFORE, now=MORNING)
    assert (again.due, again.created, again.deliveries, callbacks) == ([], [], [], [])
    assert scan(today=D(2025, 1, 2)).due == []  # the 6th working day before: no new stage
    assert Reminder.objects.count() == count

    report(world, 2, world.gongxin, ReportStatus.SUBMITTED)  # 工信 is done before the next stage
    third = scan(today=D(2025, 1, 7), now=MORNING)
    assert {r.stage for r in third.due} == {"wd_before_3"}
    assert world.gongxin.pk not in {r.department_id for r in third.due}
    assert len(third.due) == count - 1


def test_jobs_run_after_commit_and_send_the_digest(world, django_capture_on_commit_callbacks, mailoutbox):
    world.gongxin_clerk.email = "clerk@gongxin.example.cn"
    world.gongxin_clerk.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = scan(today=SEVEN_BEFORE, now=MORNING)
    assert mailoutbox == [] and not Delivery.objects.exclude(status=DeliveryStatus.PENDING).exists()

    for callback in callbacks:  # the commit: Celery runs inline without a broker (the test settings)
        callback()

    gongxin = Reminder.objects.get(department=world.gongxin)
    [mail] = [m for m in mailoutbox if "clerk@gongxin.example.cn" in m.to]
    assert gongxin.title in mail.subject and f"?period={world.h2.pk}" in mail.body
    assert Delivery.objects.get(reminder=gongxin, channel=Channel.INAPP).status == DeliveryStatus.SENT
    # One e-mail per unit with staff (东城 and 西城 have no accounts: nobody to send to).
    assert len(mailoutbox) == Delivery.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.SENT).count() == 4
    assert world.gongxin_clerk.notifications.get().title == gongxin.title
    assert len(result.deliveries) == Delivery.objects.exclude(status=DeliveryStatus.PENDING).count()


def test_a_rolled_back_scan_sends_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        assert scan(today=SEVEN_BEFORE, now=MORNING).deliveries
        raise RuntimeError("the caller's transaction fails")
    assert callbacks == [] and not Reminder.objects.exists() and not Delivery.objects.exists()


def test_quiet_hours_hold_deliveries_until_they_end(world, django_capture_on_commit_callbacks, mailoutbox):
    # An evening still ahead (the delivery compares its time with the real clock).
    tomorrow = timezone.now().astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    evening = dt.datetime.combine(tomorrow, dt.time(21, 15), tzinfo=SHANGHAI)
    with django_capture_on_commit_callbacks(execute=True):
        scan(today=SEVEN_BEFORE, now=evening)
    end = dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time(8, 30), tzinfo=SHANGHAI)
    assert set(Delivery.objects.values_list("not_before", flat=True)) == {end}
    # Without a broker the job ran at once, found the row not due and left it for the sweep.
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING} and mailoutbox == []


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ((9, 0), (12, 31, 9, 0)),
        ((20, 0), (1, 1, 8, 30)),
        ((23, 59), (1, 1, 8, 30)),
        ((0, 10), (12, 31, 8, 30)),
        ((8, 29), (12, 31, 8, 30)),
        ((8, 30), (12, 31, 8, 30)),
        ((19, 59), (12, 31, 19, 59)),
    ],
)
def test_send_after_the_quiet_hours(local, expected):
    now = dt.datetime(2024, 12, 31, *local, tzinfo=SHANGHAI)
    month, day, hour, minute = expected
    year = 2025 if month == 1 else 2024
    assert send_after(now, dt.time(20, 0), dt.time(8, 30)) == dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)
    # The same instant given in UTC is placed the same way.
    assert send_after(now.astimezone(dt.UTC), dt.time(20, 0), dt.time(8, 30)) == dt.datetime(
        year, month, day, hour, minute, tzinfo=SHANGHAI
    )


def test_quiet_hours_within_one_day_and_none():
    assert in_quiet_hours(dt.time(13, 0), dt.time(12, 0), dt.time(14, 0))
    assert not in_quiet_hours(dt.time(14, 0), dt.time(12, 0), dt.time(14, 0))
    assert not in_quiet_hours(dt.time(3, 0), dt.time(8, 0), dt.time(8, 0))


def test_escalation_and_meeting_go_to_people_by_email_and_in_app(world):
    UnitReminderSettings.objects.create(department=world.gongxin, email_enabled=False, wecom_webhook_url="https://qyapi.weixin.qq.com/x")
    result = scan(today=D(2025, 1, 20), now=dt.datetime(2025, 1, 20, 9, tzinfo=SHANGHAI))
    kinds = sorted((r.kind, r.stage) for r in Reminder.objects.filter(department=world.gongxin))
    assert kinds == [("escalation", "escalation"), ("report_due", "overdue_1")]  # caught up: no earlier stages
    escalation = Reminder.objects.get(kind="escalation", department=world.gongxin)
    assert escalation.link == f"{reverse('progress:period_board', args=[world.h2.pk])}?unit={world.gongxin.pk}"
    assert sorted(escalation.deliveries.values_list("channel", flat=True)) == ["email", "inapp"]
    digest = Reminder.objects.get(kind="report_due", department=world.gongxin)
    assert sorted(digest.deliveries.values_list("channel", flat=True)) == ["inapp", "wecom"]
    meeting = Reminder.objects.get(kind="meeting")
    assert (meeting.dedupe_key, meeting.department_id, meeting.period_id) == (f"meeting:p{world.h2.pk}", None, world.h2.pk)
    assert meeting.link == f"{reverse('dashboard:home')}?period={world.h2.pk}"
    assert sorted(meeting.deliveries.values_list("channel", flat=True)) == ["email", "inapp"]
    assert result.per_stage == {"overdue_1": 6, "escalation": 6, "meeting": 1}


def test_milestone_reminder_for_the_lead_unit(world):
    # Task 3 (lead 市发改局) has a milestone on 2022-12-31; 14 days before is Sat Dec 17 → Mon Dec 19.
    assert scan(today=D(2022, 12, 16)).due == []
    result = scan(today=D(2022, 12, 19))
    [reminder] = Reminder.objects.all()
    assert (reminder.kind, reminder.department_id, reminder.milestone_id) == ("milestone", world.fagai.pk, world.tasks[3].milestones.get().pk)
    assert reminder.link == reverse("progress:task_detail", args=[world.tasks[3].pk])
    assert result.per_stage == {"milestone": 1}
    assert scan(today=D(2022, 12, 20)).due == []


def test_milestones_of_a_unit_come_in_one_digest_and_once(world):
    Milestone.objects.create(task=world.tasks[1], due_on=D(2022, 12, 30), text="到2022年，建成示范区。")
    scan(today=D(2022, 12, 19))
    [digest] = Reminder.objects.all()
    assert (digest.department_id, digest.dedupe_key) == (world.fagai.pk, f"milestone:u{world.fagai.pk}:2022-12-19")
    assert [item["number"] for item in digest.items] == [1, 3] and digest.link == reverse("progress:home")
    assert scan(today=D(2022, 12, 20)).due == []  # read back from the digest's items: not announced again
    late = Milestone.objects.create(task=world.tasks[3], due_on=D(2022, 12, 31), text="到2022年，完成验收。")
    [again] = scan(today=D(2022, 12, 21)).due
    assert [(item.milestone_id, item.number) for item in again.items] == [(late.pk, 3)]


def test_no_milestone_reminder_for_a_completed_task(world):
    TaskProgress.objects.create(task=world.tasks[3], status=TaskStatus.COMPLETED)
    assert scan(today=D(2022, 12, 19)).due == []


def test_the_plan_policy_is_created_with_defaults_and_followed(world):
    assert not ReminderPolicy.objects.exists()
    scan(today=D(2024, 12, 27))  # a day with nothing due still sets up the policy
    policy = ReminderPolicy.objects.get(plan=world.plan)
    policy.working_day_offsets = [5]
    policy.save()
    assert {r.stage for r in scan(today=SEVEN_BEFORE).due} == set()  # before_14 went out on Dec 27
    assert {r.stage for r in scan(today=D(2025, 1, 3)).due} == {"wd_before_5"}
    policy.enabled = False
    policy.save()
    assert scan(today=D(2025, 1, 10)).due == []


def test_dry_run_writes_nothing(world, django_capture_on_commit_callbacks):
    UnitReminderSettings.objects.create(department=world.gongxin, dingtalk_webhook_url="https://oapi.dingtalk.com/robot/send")
    with django_capture_on_commit_callbacks() as callbacks:
        result = scan(today=SEVEN_BEFORE, dry_run=True)
    assert len(result.due) == 6 and result.created == [] and result.deliveries == [] and callbacks == []
    assert not Reminder.objects.exists() and not Delivery.objects.exists() and not ReminderPolicy.objects.exists()
    gongxin = next(r for r in result.due if r.department_id == world.gongxin.pk)
    assert result.channels[gongxin.dedupe_key] == ("email", "inapp", "dingtalk")


def test_nothing_on_a_day_off(world):
    result = scan(today=D(2025, 1, 1))
    assert (result.working_day, result.due) == (False, [])
    assert not Reminder.objects.exists() and not ReminderPolicy.objects.exists()


def test_closed_periods_get_no_report_reminders(world):
    # 2024年上半年 is closed: its due date (2024-07-10) passed without reminders; scanning then decides nothing.
    assert scan(today=D(2024, 7, 10)).due == []


# --- queries -------------------------------------------------------------------------------------------------


def _grow(world, extra_tasks: int) -> None:
    units = [DepartmentFactory(name=f"新增单位{i}") for i in range(5)]
    for i in range(extra_tasks):
        task = TaskFactory(plan=world.plan, number=100 + i, text=f"新增任务{i}")
        LeadFactory(task=task, department=units[i % 5])
        SupportingFactory(task=task, department=None, group=world.all_towns)
        if i % 2:
            ProgressReportFactory(task=task, department=units[i % 5], period=world.h2, status=ReportStatus.DRAFT)


def _scan_queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        scan(**kwargs)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_data(world):
    ReminderPolicy.objects.create(plan=world.plan)
    small = _scan_queries(today=SEVEN_BEFORE, now=MORNING, dry_run=True)
    small_write = _scan_queries(today=SEVEN_BEFORE, now=MORNING)
    Reminder.objects.all().delete()
    _grow(world, 40)
    assert _scan_queries(today=SEVEN_BEFORE, now=MORNING, dry_run=True) == small
    assert _scan_queries(today=SEVEN_BEFORE, now=MORNING) == small_write
    assert Reminder.objects.count() == 11  # six units of the world and five new ones
    assert small <= 12 and small_write <= 22
