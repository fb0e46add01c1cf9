"""API permission matrix: every progress endpoint × every role.

Roles: the lead unit's clerk (工信), a supporting unit's clerk (发改), an unrelated unit's clerk
(南城), the plan office, leadership, a user with no unit or role, and an anonymous client.
An object the user may not see answers 404; a refused write changes no row (counted before and after).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from progress.models import (
    Evidence,
    ExtensionRequest,
    ProgressReport,
    ProgressStatus,
    ReportEvent,
    ReviewPeriod,
    TaskEvent,
    TaskProgress,
)
from progress.services.evidence import add_evidence
from progress.services.reports import accept_report, save_report, submit_report
from progress.services.task_review import complete_task, request_extension
from progress.tests.test_api_reports import api, contribution, lead_report, stored_files  # noqa: F401 (a fixture)
from progress.tests.test_services_evidence import PDF
from progress.tests.test_services_reports import filled

pytestmark = pytest.mark.django_db

ROLES = ["gongxin_clerk", "fagai_clerk", "nancheng_clerk", "plan_office", "leader", "nobody", "anonymous"]


@dataclass
class Call:
    method: str
    url: str
    data: Any = None
    format: str = "json"
    headers: dict | None = None


def draft_with_evidence(world) -> tuple[ProgressReport, Evidence]:
    report = lead_report(world)
    report = save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=report.version, data=filled(world))
    item = add_evidence(report_id=report.pk, user=world.gongxin_clerk, upload=SimpleUploadedFile("材料.pdf", PDF))
    return ProgressReport.objects.get(pk=report.pk), item


def submitted(world) -> ProgressReport:
    report, _ = draft_with_evidence(world)
    return submit_report(report_id=report.pk, user=world.gongxin_clerk)


def pending_extension(world) -> ExtensionRequest:
    return request_extension(
        task_id=world.tasks[2].pk, user=world.gongxin_clerk, requested_deadline=dt.date(2099, 1, 1), reason="理由"
    )


def accepted_completed(world) -> int:
    """Task 2 with an accepted lead report that says completed (the ground for closing it)."""
    report, _ = draft_with_evidence(world)
    report = save_report(
        report_id=report.pk, user=world.gongxin_clerk, expected_version=report.version,
        data=filled(world, progress_status=ProgressStatus.COMPLETED, percent=100),
    )
    submit_report(report_id=report.pk, user=world.gongxin_clerk)
    accept_report(report_id=report.pk, user=world.plan_office)
    return report.task_id


# Each endpoint: how to set up its object, the call, and the status each role gets.
def _calls(world) -> dict[str, Any]:
    return {
        "report-list": lambda: Call("get", "/api/reports/"),
        "report-retrieve": lambda: Call("get", f"/api/reports/{draft_with_evidence(world)[0].pk}/"),
        "report-contributions": lambda: Call("get", f"/api/reports/{draft_with_evidence(world)[0].pk}/contributions/"),
        "evidence-list": lambda: Call("get", f"/api/reports/{draft_with_evidence(world)[0].pk}/evidence/"),
        "evidence-download": lambda: Call("get", f"/api/evidence/{draft_with_evidence(world)[1].pk}/download/"),
        "period-list": lambda: Call("get", "/api/periods/"),
        "period-retrieve": lambda: Call("get", f"/api/periods/{world.h2.pk}/"),
        "extension-list": lambda: Call("get", "/api/extension-requests/"),
        "extension-retrieve": lambda: Call("get", f"/api/extension-requests/{pending_extension(world).pk}/"),
        "task-progress": lambda: Call("get", f"/api/task-progress/{world.tasks[2].pk}/"),
        "report-create": lambda: Call("post", "/api/reports/", {"task": world.tasks[1].pk, "period": world.h2.pk}),
        "report-update": lambda: (
            lambda r: Call("put", f"/api/reports/{r.pk}/", {"progress_status": "delayed", "progress_text": "改"},
                           headers={"HTTP_IF_MATCH": f'"{r.version}"'})
        )(draft_with_evidence(world)[0]),
        "report-patch": lambda: (
            lambda r: Call("patch", f"/api/reports/{r.pk}/", {"progress_text": "改"}, headers={"HTTP_IF_MATCH": f'"{r.version}"'})
        )(draft_with_evidence(world)[0]),
        "report-submit": lambda: Call("post", f"/api/reports/{draft_with_evidence(world)[0].pk}/submit/"),
        "evidence-upload": lambda: Call(
            "post", f"/api/reports/{draft_with_evidence(world)[0].pk}/evidence/",
            {"file": SimpleUploadedFile("新材料.pdf", PDF)}, format="multipart",
        ),
        "evidence-delete": lambda: Call("delete", f"/api/evidence/{draft_with_evidence(world)[1].pk}/"),
        "report-accept": lambda: Call("post", f"/api/reports/{submitted(world).pk}/accept/", {"comment": "同意"}),
        "report-return": lambda: Call("post", f"/api/reports/{submitted(world).pk}/return/", {"comment": "请补充"}),
        "period-open": lambda: Call("post", f"/api/periods/{world.h1.pk}/open/"),
        "period-close": lambda: Call("post", f"/api/periods/{world.h2.pk}/close/"),
        "extension-create": lambda: Call(
            "post", "/api/extension-requests/", {"task": world.tasks[2].pk, "requested_deadline": "2099-01-01", "reason": "理由"}
        ),
        "extension-approve": lambda: Call("post", f"/api/extension-requests/{pending_extension(world).pk}/approve/", {}),
        "extension-refuse": lambda: Call(
            "post", f"/api/extension-requests/{pending_extension(world).pk}/refuse/", {"comment": "不同意"}
        ),
        "extension-withdraw": lambda: Call("post", f"/api/extension-requests/{pending_extension(world).pk}/withdraw/", {}),
        "task-complete": lambda: Call("post", f"/api/task-progress/{accepted_completed(world)}/complete/", {"comment": "办结"}),
        "task-reopen": lambda: (
            lambda task_id: (complete_task(task_id=task_id, user=world.plan_office),
                             Call("post", f"/api/task-progress/{task_id}/reopen/", {"comment": "重开"}))[1]
        )(accepted_completed(world)),
    }


#                          gongxin fagai nancheng plan leader nobody anonymous
MATRIX: dict[str, tuple[int, ...]] = {
    "report-list":          (200, 200, 200, 200, 200, 200, 401),
    # the lead unit's DRAFT: its own unit, the plan office and leadership read it; nobody else learns it exists
    "report-retrieve":      (200, 404, 404, 200, 200, 404, 401),
    "report-contributions": (200, 404, 404, 200, 200, 404, 401),
    "evidence-list":        (200, 404, 404, 200, 200, 404, 401),
    "evidence-download":    (200, 404, 404, 200, 200, 404, 401),
    "period-list":          (200, 200, 200, 200, 200, 200, 401),
    "period-retrieve":      (200, 200, 200, 200, 200, 200, 401),
    "extension-list":       (200, 200, 200, 200, 200, 200, 401),
    "extension-retrieve":   (200, 404, 404, 200, 200, 404, 401),
    "task-progress":        (200, 200, 404, 200, 200, 404, 401),
    # task 1: led by 发改; 工信 and 南城 are not on it (so do not see it)
    "report-create":        (404, 201, 404, 403, 403, 404, 401),
    "report-update":        (200, 404, 404, 403, 403, 404, 401),
    "report-patch":         (200, 404, 404, 403, 403, 404, 401),
    "report-submit":        (200, 404, 404, 403, 403, 404, 401),
    "evidence-upload":      (201, 404, 404, 403, 403, 404, 401),
    "evidence-delete":      (204, 404, 404, 403, 403, 404, 401),
    # a SUBMITTED lead report: the supporting unit reads it but cannot review it
    "report-accept":        (403, 403, 404, 200, 403, 404, 401),
    "report-return":        (403, 403, 404, 200, 403, 404, 401),
    "period-open":          (403, 403, 403, 200, 403, 403, 401),
    "period-close":         (403, 403, 403, 200, 403, 403, 401),
    "extension-create":     (201, 403, 404, 403, 403, 404, 401),
    # 工信's pending request: other units do not see it
    "extension-approve":    (403, 404, 404, 200, 403, 404, 401),
    "extension-refuse":     (403, 404, 404, 200, 403, 404, 401),
    "extension-withdraw":   (200, 404, 404, 403, 403, 404, 401),
    "task-complete":        (403, 403, 404, 200, 403, 404, 401),
    "task-reopen":          (403, 403, 404, 200, 403, 404, 401),
}

CASES = [(endpoint, role, expected) for endpoint, row in MATRIX.items() for role, expected in zip(ROLES, row, strict=True)]


def snapshot(files) -> tuple:
    """Every row (and stored file) a progress write could touch."""
    return (
        list(ProgressReport.objects.order_by("pk").values_list("pk", "status", "version", "progress_text")),
        ProgressReport.history.count(),
        ReportEvent.objects.count(),
        list(Evidence.objects.order_by("pk").values_list("pk", flat=True)),
        sorted(files()),
        list(ExtensionRequest.objects.order_by("pk").values_list("pk", "status")),
        list(TaskProgress.objects.order_by("pk").values_list("pk", "status", "extended_deadline")),
        TaskEvent.objects.count(),
        list(ReviewPeriod.objects.order_by("pk").values_list("pk", "status")),
    )


def client_for(world, role: str) -> APIClient:
    return APIClient() if role == "anonymous" else api(getattr(world, role))


# matrix row → the route name (router basename-action) and HTTP method it exercises
ROUTES = {
    "report-list": ("report-list", "get"),
    "report-create": ("report-list", "post"),
    "report-retrieve": ("report-detail", "get"),
    "report-update": ("report-detail", "put"),
    "report-patch": ("report-detail", "patch"),
    "report-contributions": ("report-contributions", "get"),
    "report-submit": ("report-submit", "post"),
    "report-accept": ("report-accept", "post"),
    "report-return": ("report-return", "post"),
    "evidence-list": ("report-evidence", "get"),
    "evidence-upload": ("report-evidence", "post"),
    "evidence-download": ("evidence-download", "get"),
    "evidence-delete": ("evidence-detail", "delete"),
    "period-list": ("period-list", "get"),
    "period-retrieve": ("period-detail", "get"),
    "period-open": ("period-open", "post"),
    "period-close": ("period-close", "post"),
    "extension-list": ("extension-request-list", "get"),
    "extension-create": ("extension-request-list", "post"),
    "extension-retrieve": ("extension-request-detail", "get"),
    "extension-approve": ("extension-request-approve", "post"),
    "extension-refuse": ("extension-request-refuse", "post"),
    "extension-withdraw": ("extension-request-withdraw", "post"),
    "task-progress": ("task-progress-detail", "get"),
    "task-complete": ("task-progress-complete", "post"),
    "task-reopen": ("task-progress-reopen", "post"),
}


@pytest.mark.no_rows
def test_the_matrix_covers_every_progress_route_and_method():
    from progress.api.urls import router

    served = {(pattern.name, method) for pattern in router.urls for method in pattern.callback.actions}
    assert served == set(ROUTES.values())
    assert set(ROUTES) == set(MATRIX)


@pytest.mark.parametrize(("endpoint", "role", "expected"), CASES, ids=[f"{e}-{r}" for e, r, _ in CASES])
def test_permission_matrix(world, stored_files, endpoint, role, expected):  # noqa: F811
    call = _calls(world)[endpoint]()
    client = client_for(world, role)
    before = snapshot(stored_files)
    response = getattr(client, call.method)(call.url, call.data, format=call.format, **(call.headers or {}))
    assert response.status_code == expected, (endpoint, role, getattr(response, "content", b"")[:300])
    if expected >= 400:
        assert snapshot(stored_files) == before, "a refused request changed something"
        body = response.json()
        assert body["detail"]
        if expected == 401:
            assert "WWW-Authenticate" in response.headers
        else:
            assert body["code"] == {403: "permission_denied", 404: "not_found"}[expected]
    elif call.method != "get":
        assert snapshot(stored_files) != before, "an accepted write changed nothing"


def test_the_lead_unit_cannot_touch_a_supporting_units_draft(world, stored_files):  # noqa: F811
    """Drafts stay in their unit even from the lead unit of the same task (every report route)."""
    draft = contribution(world, submit=False)
    item = add_evidence(report_id=draft.pk, user=world.fagai_clerk, upload=SimpleUploadedFile("配合.pdf", PDF))
    client = api(world.gongxin_clerk)
    before = snapshot(stored_files)
    calls = [
        client.get(f"/api/reports/{draft.pk}/"),
        client.put(f"/api/reports/{draft.pk}/", {"progress_status": "delayed"}, format="json", HTTP_IF_MATCH=f'"{draft.version}"'),
        client.patch(f"/api/reports/{draft.pk}/", {"progress_text": "x"}, format="json"),
        client.post(f"/api/reports/{draft.pk}/submit/"),
        client.get(f"/api/reports/{draft.pk}/evidence/"),
        client.post(f"/api/reports/{draft.pk}/evidence/", {"file": SimpleUploadedFile("b.pdf", PDF)}, format="multipart"),
        client.get(f"/api/evidence/{item.pk}/download/"),
        client.delete(f"/api/evidence/{item.pk}/"),
        client.get(f"/api/reports/{draft.pk}/contributions/"),
    ]
    assert [response.status_code for response in calls] == [404] * len(calls)
    # the same answer as for something that does not exist
    assert calls[0].json() == client.get("/api/reports/999999/").json()
    assert calls[6].json() == client.get("/api/evidence/999999/download/").json()
    assert draft.pk not in {row["id"] for row in client.get("/api/reports/").json()["results"]}
    assert snapshot(stored_files) == before
    # once submitted, the lead unit reads it (and its contributions list shows it), still cannot change it
    submit_report(report_id=draft.pk, user=world.fagai_clerk)
    assert client.get(f"/api/reports/{draft.pk}/").status_code == 200
    assert client.get(f"/api/evidence/{item.pk}/download/").status_code == 200
    response = client.patch(f"/api/reports/{draft.pk}/", {"progress_text": "x"}, format="json", HTTP_IF_MATCH='"9"')
    assert response.status_code == 403
