"""The progress API's periods, extension requests and task closing endpoints, and the schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from progress.models import ExtensionRequest, PeriodStatus, ProgressStatus, ReviewPeriod, TaskEvent, TaskProgress
from progress.services.reports import accept_report, save_report, submit_report
from progress.services.task_review import request_extension
from progress.tests.test_api_reports import api, lead_report
from progress.tests.test_services_reports import filled

pytestmark = pytest.mark.django_db


# --- periods ------------------------------------------------------------------------------------


def test_periods_list_and_filters(world):
    client = api(world.gongxin_clerk)
    rows = client.get("/api/periods/", {"plan": world.plan.pk}).json()["results"]
    assert [(row["name"], row["status"], row["status_display"]) for row in rows] == [
        ("2024年上半年", "closed", "已关闭"),
        ("2024年下半年", "open", "填报中"),
    ]
    rows = client.get("/api/periods/", {"status": "open"}).json()["results"]
    assert [row["id"] for row in rows] == [world.h2.pk]
    assert client.get(f"/api/periods/{world.h1.pk}/").json()["report_due_on"] == "2024-07-10"
    assert client.get("/api/periods/999999/").status_code == 404


def test_the_plan_office_opens_and_closes_periods(world):
    client = api(world.plan_office)
    response = client.post(f"/api/periods/{world.h2.pk}/close/")
    assert (response.status_code, response.json()["status"]) == (200, "closed")
    response = client.post(f"/api/periods/{world.h2.pk}/close/")
    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")
    response = client.post(f"/api/periods/{world.h1.pk}/open/")
    assert (response.status_code, response.json()["status"]) == (200, "open")
    assert ReviewPeriod.objects.get(pk=world.h1.pk).status == PeriodStatus.OPEN


@pytest.mark.parametrize("who", ["gongxin_clerk", "leader", "nobody"])
def test_others_cannot_open_or_close_periods(world, who):
    response = api(getattr(world, who)).post(f"/api/periods/{world.h2.pk}/close/")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert "规划科" in response.json()["detail"]
    assert ReviewPeriod.objects.get(pk=world.h2.pk).status == PeriodStatus.OPEN


# --- extension requests -------------------------------------------------------------------------


def later(days=200) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_extension_request_lifecycle(world):
    clerk, office = api(world.gongxin_clerk), api(world.plan_office)
    payload = {"task": world.tasks[2].pk, "requested_deadline": later(), "reason": "统计口径调整，需延期。"}
    response = clerk.post("/api/extension-requests/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["department"]["name"], body["task"]["number"]) == ("pending", "市工信局", 2)
    # one pending request per task
    response = clerk.post("/api/extension-requests/", payload, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "extension_pending")
    request_id = body["id"]
    # refuse needs a comment
    response = office.post(f"/api/extension-requests/{request_id}/refuse/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "comment_required")
    response = office.post(f"/api/extension-requests/{request_id}/approve/", {"comment": "同意。"}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "approved")
    assert TaskProgress.objects.get(task=world.tasks[2]).extended_deadline.isoformat() == payload["requested_deadline"]
    task_progress = clerk.get(f"/api/task-progress/{world.tasks[2].pk}/").json()
    assert task_progress["effective_deadline"] == payload["requested_deadline"]
    # a decided request cannot be decided again or withdrawn
    response = office.post(f"/api/extension-requests/{request_id}/refuse/", {"comment": "不同意。"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")
    response = clerk.post(f"/api/extension-requests/{request_id}/withdraw/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")


def test_extension_withdraw_and_refuse(world):
    clerk, office = api(world.gongxin_clerk), api(world.plan_office)
    first = request_extension(task_id=world.tasks[2].pk, user=world.gongxin_clerk, requested_deadline=dt.date(2099, 1, 1), reason="理由")
    response = clerk.post(f"/api/extension-requests/{first.pk}/withdraw/", {}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")
    second = request_extension(task_id=world.tasks[2].pk, user=world.gongxin_clerk, requested_deadline=dt.date(2099, 1, 1), reason="理由")
    response = office.post(f"/api/extension-requests/{second.pk}/refuse/", {"comment": "按原时限推进。"}, format="json")
    assert (response.status_code, response.json()["decision_comment"]) == (200, "按原时限推进。")
    assert not TaskProgress.objects.filter(task=world.tasks[2], extended_deadline__isnull=False).exists()


def test_extension_create_refusals(world):
    payload = {"task": world.tasks[2].pk, "requested_deadline": later(), "reason": "理由"}
    # a supporting unit may not ask
    response = api(world.fagai_clerk).post("/api/extension-requests/", payload, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    # an unrelated unit does not see the task
    response = api(world.nancheng_clerk).post("/api/extension-requests/", payload, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    # bad input
    response = api(world.gongxin_clerk).post(
        "/api/extension-requests/", {"task": world.tasks[2].pk, "requested_deadline": "明年", "reason": ""}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "日期格式错误" in errors["requested_deadline"][0]
    assert errors["reason"] == ["请填写延期理由。"]
    response = api(world.gongxin_clerk).post(
        "/api/extension-requests/", {**payload, "requested_deadline": "2000-01-01"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert "晚于今天" in response.json()["detail"]
    assert not ExtensionRequest.objects.exists()


def test_extension_list_visibility(world):
    mine = request_extension(task_id=world.tasks[2].pk, user=world.gongxin_clerk, requested_deadline=dt.date(2099, 1, 1), reason="理由")
    theirs = request_extension(task_id=world.tasks[4].pk, user=world.caizheng_clerk, requested_deadline=dt.date(2099, 1, 1), reason="理由")

    def listed(user) -> set[int]:
        return {row["id"] for row in api(user).get("/api/extension-requests/").json()["results"]}

    assert listed(world.plan_office) == listed(world.leader) == {mine.pk, theirs.pk}
    assert listed(world.gongxin_clerk) == {mine.pk}
    assert listed(world.fagai_clerk) == listed(world.nobody) == set()
    assert api(world.fagai_clerk).get(f"/api/extension-requests/{mine.pk}/").status_code == 404
    assert api(world.plan_office).get("/api/extension-requests/", {"status": "approved"}).json()["count"] == 0


# --- task closing -------------------------------------------------------------------------------


def accepted_completed_report(world):
    report = lead_report(world)
    report = save_report(
        report_id=report.pk, user=world.gongxin_clerk, expected_version=report.version,
        data=filled(world, progress_status=ProgressStatus.COMPLETED, percent=100),
    )
    submit_report(report_id=report.pk, user=world.gongxin_clerk)
    return accept_report(report_id=report.pk, user=world.plan_office)


def test_task_progress_complete_and_reopen(world):
    office = api(world.plan_office)
    task_id = world.tasks[2].pk
    body = office.get(f"/api/task-progress/{task_id}/").json()
    assert (body["status"], body["completion_report"], body["task"]["number"]) == ("open", None, 2)
    # no accepted completed report yet
    response = office.post(f"/api/task-progress/{task_id}/complete/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "completion_not_allowed")
    report = accepted_completed_report(world)
    response = office.post(f"/api/task-progress/{task_id}/complete/", {"comment": "同意销号。"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["completion_report"]["id"], body["completed_by"]) == ("completed", report.pk, "plan_office")
    response = office.post(f"/api/task-progress/{task_id}/complete/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")
    response = office.post(f"/api/task-progress/{task_id}/reopen/", {"comment": ""}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "comment_required")
    response = office.post(f"/api/task-progress/{task_id}/reopen/", {"comment": "发现数据有误。"}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "open")
    assert list(TaskEvent.objects.filter(task_id=task_id).values_list("type", flat=True)) == ["completed", "reopened"]


def test_task_progress_visibility(world):
    task_id = world.tasks[2].pk
    assert api(world.fagai_clerk).get(f"/api/task-progress/{task_id}/").status_code == 200
    assert api(world.nancheng_clerk).get(f"/api/task-progress/{task_id}/").status_code == 404
    assert api(world.plan_office).get("/api/task-progress/999999/").status_code == 404
    response = api(world.nancheng_clerk).post(f"/api/task-progress/{task_id}/complete/", {}, format="json")
    assert response.status_code == 404


# --- schema -------------------------------------------------------------------------------------


@pytest.mark.no_rows
def test_the_schema_documents_the_progress_api(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text(encoding="utf-8")
    for path in (
        "/api/periods/{id}/open/",
        "/api/reports/",
        "/api/reports/{id}/submit/",
        "/api/reports/{id}/return/",
        "/api/reports/{id}/contributions/",
        "/api/reports/{id}/evidence/",
        "/api/evidence/{id}/download/",
        "/api/extension-requests/{id}/approve/",
        "/api/task-progress/{task_id}/complete/",
    ):
        assert f"{path}:" in schema
    for text in ("进展填报", "进展报告列表", "If-Match", "version_conflict", "'412':", "'428':", "name: overdue"):
        assert text in schema
