"""First run: `manage.py bootstrap` creates accounts, periods and demo reports; `demo_data --remove` removes them."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for
from departments.models import Department, Membership
from departments.tests.factories import UserFactory
from progress import demo
from progress.models import (
    Evidence,
    PeriodStatus,
    ProgressReport,
    ProgressStatus,
    ReportEvent,
    ReportEventType,
    ReportStatus,
    ReviewPeriod,
    TargetActual,
)
from progress.services import reports as report_service
from progress.tests.factories import ReviewPeriodFactory, unit_user
from tasks.models import AssignmentRole, Task
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

ACCOUNT = re.compile(r"用户名：(\S+)\n\s+密码：(\S+)")
ALL_USERNAMES = {"admin", *demo.DEMO_USERNAMES}


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def printed_accounts(output: str) -> dict[str, str]:
    return dict(ACCOUNT.findall(output))


def bootstrap() -> str:
    """`manage.py bootstrap` on a new database (units, the 兴平 plan, accounts, periods, demo): its output."""
    return run("bootstrap")


# ``first_run``: the output of a first run, whose rows every test here sees. Run once per module
# (xingping_tracker.tests.sharing); the cases that start from another database are in
# test_demo_special_cases.py. One test here deletes the demo evidence file from the (in-memory) file
# storage, which no rollback restores: it is the only one that looks at the file.
_module_first_run, first_run = module_fixtures(bootstrap, name="first_run")


def expected_periods() -> tuple[ReviewPeriod, ReviewPeriod]:
    periods = list(ReviewPeriod.objects.order_by("starts_on"))
    current = demo.current_period(periods, timezone.localdate())
    return periods[periods.index(current) - 1], current


def state() -> dict[str, object]:
    """What a second run must leave unchanged."""
    return {
        "users": sorted(get_user_model().objects.values_list("username", "password")),
        "reports": sorted(ProgressReport.objects.values_list("pk", "status", "version", "is_demo")),
        "events": ReportEvent.objects.count(),
        "periods": sorted(ReviewPeriod.objects.values_list("name", "status")),
        "tasks": Task.objects.count(),
    }


def signs_in(client: Client, username: str, password: str) -> bool:
    """Signs in through the login page (as a person does; the sign-in lock-out counts this request)."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


class TestFirstRun:
    def test_creates_the_accounts_in_one_block_with_working_passwords(self, first_run):
        accounts = printed_accounts(first_run)
        assert set(accounts) == ALL_USERNAMES
        assert first_run.count("密码仅显示这一次") == 1  # one block
        for username, password in accounts.items():
            assert signs_in(Client(), username, password), username
        for role in ("规划办", "市工信局填报员", "市工业园区填报员", "规划科", "市领导"):
            assert role in first_run
        assert "demo_data --remove" in first_run

    def test_demo_accounts_have_their_roles(self, first_run):
        users = {user.username: user for user in get_user_model().objects.all()}
        gongxin, yuanqu = actor_for(users["demo_gongxin"]), actor_for(users["demo_yuanqu"])
        guihua, lingdao = actor_for(users["demo_guihua"]), actor_for(users["demo_lingdao"])
        assert gongxin.department_id == Department.objects.get(name="市工信局").pk and not gongxin.is_reviewer
        assert yuanqu.department_id == Department.objects.get(name="市工业园区").pk and not yuanqu.can_view_all
        # The plan office has no unit, so it never writes a unit's report it then reviews.
        assert guihua.is_reviewer and guihua.department_id is None
        assert lingdao.is_leadership and not lingdao.is_reviewer
        assert all(users[name].last_name == demo.DEMO_MARKER for name in demo.DEMO_USERNAMES)
        assert users["admin"].last_name == "" and users["admin"].is_superuser
        assert not Membership.objects.filter(user__username__in=["admin", "demo_guihua", "demo_lingdao"]).exists()

    def test_each_account_logs_in_and_reaches_the_portal(self, first_run):
        home = reverse("progress:home")
        assert Client().get(home).status_code == 302  # anonymous: to the sign-in page
        for username, password in printed_accounts(first_run).items():
            client = Client()
            assert signs_in(client, username, password), username
            # The portal may send a role to its own start page (the plan office to the review page).
            response = client.get(home, follow=True)
            assert response.status_code == 200, username
            assert response.wsgi_request.user.username == username

    def test_creates_the_periods_past_closed_and_current_open(self, first_run):
        assert ReviewPeriod.objects.count() == 10  # 2021–2025, two a year
        assert ReviewPeriod.objects.filter(name="2021年上半年").exists()
        past, current = expected_periods()
        assert past.status == PeriodStatus.CLOSED
        assert current.status == PeriodStatus.OPEN
        assert list(ReviewPeriod.objects.filter(status=PeriodStatus.OPEN)) == [current]
        assert past.history.filter(status=PeriodStatus.OPEN).exists()  # opened, written, then closed

    def test_writes_the_demo_reports_through_the_workflow(self, first_run):
        past, _ = expected_periods()
        reports = ProgressReport.objects.filter(is_demo=True)
        assert set(reports.values_list("period_id", flat=True)) == {past.pk}
        assert reports.count() == 19
        assert Counter(reports.values_list("status", flat=True)) == {
            ReportStatus.ACCEPTED: 13,
            ReportStatus.SUBMITTED: 3,
            ReportStatus.RETURNED: 2,
            ReportStatus.DRAFT: 1,
        }
        gongxin, yuanqu = Department.objects.get(name="市工信局"), Department.objects.get(name="市工业园区")
        assert reports.filter(department=gongxin, role=AssignmentRole.LEAD).count() == 18
        contribution = reports.get(department=yuanqu)
        assert contribution.role == AssignmentRole.SUPPORTING and contribution.task.number == 71
        # 市招商局 supports task 71 and stays silent.
        assert not ProgressReport.objects.filter(department__name="市招商局").exists()
        # Every report has its creation event; the reviewed ones, their review with the comment.
        events = ReportEvent.objects.filter(report__in=reports)
        assert events.filter(type=ReportEventType.CREATED).count() == 19
        returned = reports.filter(status=ReportStatus.RETURNED)
        assert all(r.review_comment for r in returned)
        assert events.filter(type=ReportEventType.RETURNED, report__in=returned).exclude(comment="").count() == 2
        # Task 102 was returned, revised, resubmitted and accepted, with its evidence file.
        revised = reports.get(task__number=102)
        assert list(revised.events.values_list("type", flat=True)) == [
            "created", "evidence_added", "submitted", "returned", "submitted", "accepted",
        ]
        assert revised.history.count() >= 5
        assert revised.evidence.get().original_name == demo.DEMO_EVIDENCE_NAME
        # Indicators carry their actuals; unreleased statistics are a state, not a blank.
        assert TargetActual.objects.get(report__task__number=15, report__is_demo=True).value == Decimal("7.6")
        assert TargetActual.objects.get(report__task__number=20, report__is_demo=True).state == "not_released"

    def test_second_run_changes_nothing(self, first_run):
        before = state()

        output = run("bootstrap")

        assert state() == before
        assert not printed_accounts(output)

class TestWalkThrough:
    def test_the_lead_clerk_starts_the_current_report_prefilled_from_the_demo_one(self, first_run):
        _, current = expected_periods()
        clerk = get_user_model().objects.get(username="demo_gongxin")
        task = Task.objects.get(number=15)

        report = report_service.start_report(
            task=task, department_id=actor_for(clerk).department_id, period=current, user=clerk
        )

        assert report.prefilled_from.is_demo
        assert report.progress_status == ProgressStatus.AT_RISK
        # Last period's actuals are not copied (the form shows them beside the field).
        assert report.prefilled_from.actuals.exists() and not report.actuals.exists()


class TestRemove:
    def test_removes_demo_rows_and_what_demo_accounts_wrote_and_nothing_else(
        self, first_run, django_capture_on_commit_callbacks
    ):
        _, current = expected_periods()
        gongxin = Department.objects.get(name="市工信局")
        # A real clerk of 市工信局 writes a real report (prefilled from a demo one); a demo clerk starts
        # another (the 20th demo report: a walk-through report goes with the demo).
        real_clerk = unit_user(gongxin, username="wang_gongxin")
        real = report_service.start_report(
            task=Task.objects.get(number=15), department_id=gongxin.pk, period=current, user=real_clerk
        )
        walk = report_service.start_report(
            task=Task.objects.get(number=19),
            department_id=gongxin.pk,
            period=current,
            user=get_user_model().objects.get(username="demo_gongxin"),
        )
        real_user_with_demo_like_name = UserFactory(username="demo_gongxin_real")
        stored_file = Evidence.objects.get().file.name
        assert default_storage.exists(stored_file)
        periods_before = sorted(ReviewPeriod.objects.values_list("name", "status"))

        with django_capture_on_commit_callbacks(execute=True):
            output = run("demo_data", "--remove")

        assert "演示报告 20 份" in output and "演示账号 4 个" in output
        assert list(ProgressReport.objects.values_list("pk", flat=True)) == [real.pk]
        real.refresh_from_db()
        assert real.prefilled_from is None and real.progress_status == ProgressStatus.AT_RISK
        assert not ProgressReport.objects.filter(pk=walk.pk).exists()
        assert set(ReportEvent.objects.values_list("report_id", flat=True)) == {real.pk}
        assert set(ProgressReport.history.values_list("id", flat=True)) == {real.pk}
        assert not Evidence.objects.exists()
        assert not default_storage.exists(stored_file)
        assert set(get_user_model().objects.values_list("username", flat=True)) == {
            "admin", "wang_gongxin", real_user_with_demo_like_name.username,
        }
        assert Membership.objects.filter(user=real_clerk).exists()
        assert sorted(ReviewPeriod.objects.values_list("name", "status")) == periods_before

        again = run("demo_data", "--remove")

        assert "没有演示数据" in again
        assert ProgressReport.objects.count() == 1

    def test_demo_data_recreates_accounts_and_reports_after_removal(self, first_run):
        run("demo_data", "--remove")

        output = run("demo_data")

        assert set(printed_accounts(output)) == set(demo.DEMO_USERNAMES)
        assert "已创建演示账号" in output
        assert ProgressReport.objects.filter(is_demo=True).count() == 19
        past, current = expected_periods()
        past.refresh_from_db()
        assert past.status == PeriodStatus.CLOSED and current.status == PeriodStatus.OPEN
        assert "已有演示报告" in run("demo_data")  # idempotent
        assert ProgressReport.objects.filter(is_demo=True).count() == 19


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2023, 3, 15), "2023年上半年"),
        (dt.date(2023, 7, 1), "2023年下半年"),
        (dt.date(2026, 11, 22), "2025年下半年"),
        (dt.date(2019, 1, 1), "2021年上半年"),
    ],
)
@pytest.mark.no_rows
def test_current_period_is_the_half_year_of_today_within_the_plan(today, expected):
    periods = [
        ReviewPeriodFactory.build(name=f"{year}年{half}半年", starts_on=start, ends_on=end)
        for year in range(2021, 2026)
        for half, start, end in (
            ("上", dt.date(year, 1, 1), dt.date(year, 6, 30)),
            ("下", dt.date(year, 7, 1), dt.date(year, 12, 31)),
        )
    ]
    assert demo.current_period(periods, today).name == expected
