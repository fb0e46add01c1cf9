"""The progress admin: read-only workflow fields, period moves through the services, constant query counts."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from progress.models import (
    ExtensionRequest,
    PeriodStatus,
    ProgressReport,
    ReportEvent,
    ReportStatus,
    ReviewCadence,
    TaskEvent,
    TaskProgress,
)
from progress.services import reports as report_service
from progress.tests.factories import ProgressReportFactory, ReviewPeriodFactory
from tasks.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db

_SEQ = itertools.count(1)
WORKFLOW_FIELDS = ["status", "version", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by"]


def staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def make_rows(world, count: int) -> None:
    """``count`` reports (with an event each), extension requests, task events and progress rows."""
    units = [world.gongxin, world.fagai, world.caizheng]
    tasks = list(world.tasks.values())
    combos = itertools.product(range(count), tasks, units)
    for index, (_, task, unit) in enumerate(combos):
        if index >= count:
            break
        seq = next(_SEQ)
        period = ReviewPeriodFactory(plan=world.plan, name=f"测试期{seq}", starts_on=dt.date(1000 + seq, 1, 1))
        report = ProgressReportFactory(
            task=task, department=unit, period=period, submitted_by=world.gongxin_clerk, reviewed_by=world.plan_office
        )
        ReportEvent.objects.create(report=report, type="created", actor=world.gongxin_clerk)
        ExtensionRequest.objects.create(
            task=task, department=unit, requested_deadline=dt.date(2030, 1, 1), reason="理由", status="refused",
            requested_by=world.gongxin_clerk, decided_by=world.plan_office,
        )
        TaskEvent.objects.create(task=task, type="completed", actor=world.plan_office)
        ReviewCadence.objects.create(plan=PlanFactory(document_number=f"测试文号{seq}"))
    for task in tasks:
        TaskProgress.objects.get_or_create(task=task, defaults={"completed_by": world.plan_office})


CHANGELISTS = [
    "progress_progressreport",
    "progress_reviewperiod",
    "progress_extensionrequest",
    "progress_reportevent",
    "progress_taskevent",
    "progress_taskprogress",
    "progress_reviewcadence",
]


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelist_query_count_is_constant(admin_client, world, name):
    url = reverse(f"admin:{name}_changelist")
    make_rows(world, 3)
    admin_client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    make_rows(world, 30)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= (5 if name == "progress_taskprogress" else 30)
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


class TestProgressReportAdmin:
    @pytest.fixture
    def report(self, world):
        report = report_service.start_report(
            task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk
        )
        return report

    def test_change_form_shows_workflow_fields_read_only(self, admin_client, report):
        response = admin_client.get(reverse("admin:progress_progressreport_change", args=[report.pk]))
        html = response.content.decode()
        assert response.status_code == 200
        for name in [*WORKFLOW_FIELDS, "progress_text", "review_comment"]:
            assert f'name="{name}"' not in html, name
        for label in ("审核状态", "版本", "报送时间", "审核人", "目标实际值", "事件"):
            assert label in html
        assert "草稿" in html

    def test_a_post_cannot_change_status_or_version(self, admin_client, report):
        response = admin_client.post(
            reverse("admin:progress_progressreport_change", args=[report.pk]),
            {"status": ReportStatus.ACCEPTED, "version": 99, "progress_text": "改过"},
        )
        assert response.status_code == 403
        report.refresh_from_db()
        assert (report.status, report.version, report.progress_text) == (ReportStatus.DRAFT, 1, "")

    def test_no_add_or_delete(self, admin_client, report):
        assert admin_client.get(reverse("admin:progress_progressreport_add")).status_code == 403
        assert admin_client.post(reverse("admin:progress_progressreport_delete", args=[report.pk])).status_code == 403
        assert ProgressReport.objects.filter(pk=report.pk).exists()

    def test_filters_and_task_number_search(self, admin_client, world, report):
        url = reverse("admin:progress_progressreport_changelist")
        html = admin_client.get(url).content.decode()
        for label in ("以 填报期", "以 审核状态", "以 推进状态", "以 身份", "以 演示数据"):
            assert label in html
        assert list(admin_client.get(url, {"q": "2"}).context["cl"].result_list) == [report]
        assert list(admin_client.get(url, {"q": "4"}).context["cl"].result_list) == []
        assert list(admin_client.get(url, {"status__exact": "accepted"}).context["cl"].result_list) == []

    def test_plan_office_staff_views_but_cannot_change(self, client, world, report):
        client.force_login(staff(world.plan_office))
        assert client.get(reverse("admin:progress_progressreport_change", args=[report.pk])).status_code == 200
        assert client.post(
            reverse("admin:progress_progressreport_change", args=[report.pk]), {"status": "accepted"}
        ).status_code == 403


class TestReviewPeriodAdmin:
    def test_status_is_read_only_and_dates_are_editable(self, admin_client, world):
        url = reverse("admin:progress_reviewperiod_change", args=[world.h2.pk])
        html = admin_client.get(url).content.decode()
        assert 'name="status"' not in html and 'name="opened_at"' not in html and 'name="plan"' not in html
        response = admin_client.post(
            url,
            {
                "name": world.h2.name,
                "starts_on": "2024-07-01",
                "ends_on": "2024-12-31",
                "report_due_on": "2025-01-15",
                "meeting_on": "2025-01-25",
                "is_annual_summary": "on",
                "status": PeriodStatus.CLOSED,
            },
        )
        assert response.status_code == 302
        world.h2.refresh_from_db()
        assert world.h2.report_due_on == dt.date(2025, 1, 15)
        assert world.h2.status == PeriodStatus.OPEN

    def test_actions_open_and_close_through_the_service(self, client, world):
        client.force_login(staff(world.plan_office))
        url = reverse("admin:progress_reviewperiod_changelist")

        response = client.post(
            url, {"action": "close_periods", "_selected_action": [world.h2.pk, world.h1.pk]}, follow=True
        )

        world.h1.refresh_from_db()
        world.h2.refresh_from_db()
        assert world.h2.status == PeriodStatus.CLOSED and world.h2.closed_at is not None
        assert world.h2.history.first().history_user == world.plan_office
        assert world.h1.status == PeriodStatus.CLOSED
        html = response.content.decode()
        assert "已关闭：2024年下半年" in html
        assert "“2024年上半年”：当前状态为“已关闭”，不能关闭" in html

        client.post(url, {"action": "open_periods", "_selected_action": [world.h1.pk]})
        world.h1.refresh_from_db()
        assert world.h1.status == PeriodStatus.OPEN

    def test_leadership_has_no_period_actions(self, client, world):
        client.force_login(staff(world.leader))
        url = reverse("admin:progress_reviewperiod_changelist")
        response = client.get(url)
        assert response.status_code == 200
        assert "close_periods" not in response.content.decode()
        client.post(url, {"action": "close_periods", "_selected_action": [world.h2.pk]})
        world.h2.refresh_from_db()
        assert world.h2.status == PeriodStatus.OPEN


@pytest.mark.parametrize("name", ["progress_extensionrequest", "progress_reportevent", "progress_taskevent"])
def test_requests_and_events_are_read_only(admin_client, world, name):
    make_rows(world, 1)
    model = {"progress_extensionrequest": ExtensionRequest, "progress_reportevent": ReportEvent}.get(name, TaskEvent)
    obj = model.objects.first()
    change = reverse(f"admin:{name}_change", args=[obj.pk])
    html = admin_client.get(change).content.decode()
    assert 'name="status"' not in html and 'name="type"' not in html
    assert admin_client.post(change, {"status": "approved", "type": "accepted"}).status_code == 403
    assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 403
