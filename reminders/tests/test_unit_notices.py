"""A unit is told what happened to its work: a report returned (with the comment) or accepted, an
extension decided, a period opened or closed: in the notification centre of each of its users, written
with the change (nothing when it is refused), and listed once in the unit's next digest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from progress.models import ProgressStatus
from progress.services.periods import close_period, open_period
from progress.services.reports import (
    ReportInput,
    accept_report,
    return_report,
    save_report,
    start_report,
    submit_report,
)
from progress.services.task_review import approve_extension, refuse_extension, request_extension
from progress.tests.factories import unit_user
from reminders.models import NoticeKind, Notification, Reminder, UnitNotice, UnitReminderSettings
from reminders.services.scan import scan
from reminders.workdays import SHANGHAI
from xingping_tracker.core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db

SEVEN_BEFORE = dt.date(2024, 12, 31)
MORNING = dt.datetime(2024, 12, 31, 9, 0, tzinfo=SHANGHAI)


def submitted_contribution(world):
    """市发改局's contribution on task 2 (no targets to fill), submitted."""
    report = start_report(task=world.tasks[2], department_id=world.fagai.pk, period=world.h2, user=world.fagai_clerk)
    data = ReportInput(progress_status=ProgressStatus.ON_TRACK, progress_text="配合完成了产业招商对接。")
    report = save_report(report_id=report.pk, user=world.fagai_clerk, expected_version=report.version, data=data)
    return submit_report(report_id=report.pk, user=world.fagai_clerk)


def test_a_returned_report_notifies_every_user_of_its_unit_with_the_comment(world):
    second = unit_user(world.fagai, username="fagai_second")
    report = submitted_contribution(world)

    return_report(report_id=report.pk, user=world.plan_office, comment="请补充招商项目名称和金额")

    rows = Notification.objects.filter(kind=NoticeKind.REPORT_RETURNED).order_by("user__username")
    assert [n.user.username for n in rows] == ["fagai_clerk", "fagai_second"]
    note = rows[0]
    assert note.read_at is None and note.department_id == world.fagai.pk
    assert "任务2" in note.title and "退回" in note.title
    assert "请补充招商项目名称和金额" in note.body
    assert note.link == reverse("progress:report_form", args=[world.tasks[2].pk, world.h2.pk])
    # Nobody of another unit hears of it.
    assert not Notification.objects.filter(user__in=[world.gongxin_clerk, world.caizheng_clerk]).exists()
    assert second.notifications.count() == 1


def test_an_accepted_report_notifies_its_unit_and_the_badge_counts_it(world, client):
    report = submitted_contribution(world)
    accept_report(report_id=report.pk, user=world.plan_office, comment="很好")

    note = Notification.objects.get(user=world.fagai_clerk)
    assert note.kind == NoticeKind.REPORT_ACCEPTED and "审核通过" in note.title and "很好" in note.body
    client.force_login(world.fagai_clerk)
    page = client.get(reverse("reminders:notification_list")).content.decode()
    assert "任务2的配合情况已审核通过" in page


def test_a_refused_review_notifies_nobody(world):
    report = submitted_contribution(world)
    with pytest.raises(ApplicationError):
        return_report(report_id=report.pk, user=world.plan_office, comment="")  # a return needs a comment
    with pytest.raises(ApplicationError):
        accept_report(report_id=report.pk, user=world.fagai_clerk)  # a clerk may not review
    assert not Notification.objects.exists() and not UnitNotice.objects.exists()


def test_a_unit_without_the_in_app_channel_gets_no_notification_but_the_digest_still_lists_it(world):
    UnitReminderSettings.objects.create(department=world.fagai, inapp_enabled=False)
    report = submitted_contribution(world)
    return_report(report_id=report.pk, user=world.plan_office, comment="补充数据")
    assert not Notification.objects.exists()
    assert UnitNotice.objects.get().department_id == world.fagai.pk


def test_the_next_digest_lists_the_notices_once(world, django_capture_on_commit_callbacks):
    report = submitted_contribution(world)
    return_report(report_id=report.pk, user=world.plan_office, comment="请补充招商项目名称和金额")
    notice = UnitNotice.objects.get()

    with django_capture_on_commit_callbacks():
        scan(today=SEVEN_BEFORE, now=MORNING)

    digest = Reminder.objects.get(department=world.fagai)
    assert "自上次提醒以来" in digest.body and "请补充招商项目名称和金额" in digest.body
    notice.refresh_from_db()
    assert notice.digest_id == digest.pk
    # Other units' digests do not carry it.
    assert "自上次提醒以来" not in Reminder.objects.get(department=world.gongxin).body
    # The next digest of the unit does not repeat it.
    with django_capture_on_commit_callbacks():
        scan(today=dt.date(2025, 1, 7), now=dt.datetime(2025, 1, 7, 9, tzinfo=SHANGHAI))
    later = Reminder.objects.filter(department=world.fagai).exclude(pk=digest.pk).get()
    assert "自上次提醒以来" not in later.body


def test_an_extension_decision_notifies_the_requesting_unit(world):
    request = request_extension(
        task_id=world.tasks[2].pk,
        user=world.gongxin_clerk,
        requested_deadline=dt.date(2027, 6, 30),
        reason="资金未到位",
    )
    approve_extension(request_id=request.pk, user=world.plan_office, comment="同意")
    note = Notification.objects.get(user=world.gongxin_clerk)
    assert note.kind == NoticeKind.EXTENSION_DECIDED and "已同意" in note.title and "2027年6月30日" in note.title

    second = request_extension(
        task_id=world.tasks[2].pk, user=world.gongxin_clerk, requested_deadline=dt.date(2027, 12, 31), reason="再延"
    )
    refuse_extension(request_id=second.pk, user=world.plan_office, comment="不再延期")
    assert Notification.objects.filter(user=world.gongxin_clerk, title__contains="未同意").count() == 1


def test_closing_and_opening_a_period_tells_the_units_of_the_plan(world):
    close_period(period=world.h2, user=world.plan_office)
    closed = set(UnitNotice.objects.filter(kind=NoticeKind.PERIOD_CLOSED).values_list("department__name", flat=True))
    assert {"市工信局", "市发改局", "市财政局"} <= closed
    assert Notification.objects.filter(user=world.gongxin_clerk, kind=NoticeKind.PERIOD_CLOSED).count() == 1
    open_period(period=world.h2, user=world.plan_office)
    note = Notification.objects.get(user=world.gongxin_clerk, kind=NoticeKind.PERIOD_OPENED)
    assert "2024年下半年填报期已开放" in note.title and "2025年1月10日" in note.title


def test_the_admin_lists_notices_and_notifications_read_only(world, admin_client):
    report = submitted_contribution(world)
    return_report(report_id=report.pk, user=world.plan_office, comment="请补充")
    notice = UnitNotice.objects.get()
    assert admin_client.get(reverse("admin:reminders_unitnotice_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:reminders_unitnotice_change", args=[notice.pk])).content.decode()
    assert "请补充" in page and 'name="title"' not in page  # read-only
    assert admin_client.get(reverse("admin:reminders_notification_changelist"), {"kind": "report_returned"}).status_code == 200
