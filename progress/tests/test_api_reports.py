"""The progress API's report endpoints: list and filters, retrieve with ETag, create, update with
If-Match (428 / 412 / 400), the workflow actions, contributions and evidence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from progress.models import (
    Evidence,
    PeriodStatus,
    ProgressReport,
    ReportEvent,
    ReportStatus,
    TargetActual,
)
from progress.services.reports import save_report, start_report, submit_report
from progress.tests.factories import ProgressReportFactory, ReviewPeriodFactory, empty_file_storage, stored_file_names
from progress.tests.test_services_evidence import PDF
from progress.tests.test_services_reports import filled

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def lead_report(world, user=None) -> ProgressReport:
    return start_report(
        task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=user or world.gongxin_clerk
    )


def submitted_lead_report(world) -> ProgressReport:
    report = lead_report(world)
    report = save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=report.version, data=filled(world))
    return submit_report(report_id=report.pk, user=world.gongxin_clerk)


def contribution(world, unit="fagai", *, submit=True) -> ProgressReport:
    user = getattr(world, f"{unit}_clerk")
    department = getattr(world, unit)
    report = start_report(task=world.tasks[2], department_id=department.pk, period=world.h2, user=user)
    report = save_report(
        report_id=report.pk, user=user, expected_version=report.version, data=filled(world, actuals=None)
    )
    return submit_report(report_id=report.pk, user=user) if submit else report


UPDATE = {
    "progress_status": "on_track",
    "percent": 60,
    "progress_text": "数字经济核心产业增加值占比达到4.2%。",
    "problems_text": "龙头企业偏少。",
    "next_steps_text": "加快引进数字企业。",
}


def actuals_payload(world, value="4.2"):
    return [{"target": world.target.pk, "state": "reported", "value": value, "data_date": "2024-12-31", "note": ""}]


@pytest.fixture
def stored_files():
    """The names in the test settings' in-memory file storage, which starts empty for the test."""
    empty_file_storage()
    return stored_file_names


def history_count(report) -> int:
    return ProgressReport.history.filter(id=report.pk).count()


# --- list and filters ----------------------------------------------------------------------------


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_list_shows_what_the_user_may_see(world):
    draft = lead_report(world)
    fagai_draft = contribution(world, submit=False)
    caizheng_submitted = contribution(world, "caizheng")
    everything = {draft.pk, fagai_draft.pk, caizheng_submitted.pk}
    assert ids(api(world.plan_office).get("/api/reports/")) == everything
    assert ids(api(world.leader).get("/api/reports/")) == everything
    # own unit's draft, and the supporting unit's submitted contribution; not fagai's draft
    assert ids(api(world.gongxin_clerk).get("/api/reports/")) == {draft.pk, caizheng_submitted.pk}
    assert ids(api(world.nancheng_clerk).get("/api/reports/")) == set()
    assert ids(api(world.nobody).get("/api/reports/")) == set()


def test_list_filters(world):
    lead = submitted_lead_report(world)
    fagai = contribution(world)
    caizheng_draft = contribution(world, "caizheng", submit=False)
    old = ProgressReportFactory(task=world.tasks[1], department=world.fagai, period=world.h1, status=ReportStatus.ACCEPTED)
    client = api(world.plan_office)

    def listed(**params) -> set[int]:
        return ids(client.get("/api/reports/", params))

    assert listed(unit=world.gongxin.pk) == {lead.pk}
    assert listed(unit=world.fagai.pk) == {fagai.pk, old.pk}
    assert listed(role="supporting") == {fagai.pk, caizheng_draft.pk}
    assert listed(role="lead") == {lead.pk, old.pk}
    assert listed(period=world.h1.pk) == {old.pk}
    assert listed(status="submitted") == {lead.pk, fagai.pk}
    assert listed(status="draft") == {caizheng_draft.pk}
    assert listed(progress_status="not_started") == {old.pk}
    assert listed(binding="true") == {lead.pk, fagai.pk, caizheng_draft.pk}
    assert listed(binding="false") == {old.pk}
    assert listed(task=world.tasks[1].pk) == {old.pk}
    assert listed(plan=world.plan.pk) == {lead.pk, fagai.pk, caizheng_draft.pk, old.pk}
    # h2's due date (2025-01-10) has passed: only the unsubmitted draft is overdue
    assert listed(overdue="true") == {caizheng_draft.pk}
    assert listed(overdue="false") == {lead.pk, fagai.pk, old.pk}
    row = client.get(f"/api/reports/{caizheng_draft.pk}/").json()
    assert row["overdue"] is True


def test_list_is_ordered_by_id_and_its_pages_cover_every_visible_report_once(world):
    _many_reports(world, 25, first_year=2030)
    draft = ProgressReportFactory(task=world.tasks[4], department=world.fagai, period=world.h2)  # fagai's own draft
    hidden = ProgressReportFactory(task=world.tasks[4], department=world.caizheng, period=world.h2)  # a draft elsewhere
    for user, expected in [
        (world.plan_office, set(ProgressReport.objects.values_list("pk", flat=True))),
        # fagai: its own reports, the others' non-drafts on tasks 1, 2, 3 and 5 (not on task 4)
        (world.fagai_clerk, set(
            ProgressReport.objects.filter(department=world.fagai).values_list("pk", flat=True)
        ) | set(
            ProgressReport.objects.exclude(status=ReportStatus.DRAFT)
            .filter(task__number__in=[1, 2, 3, 5])
            .values_list("pk", flat=True)
        )),
    ]:
        client = api(user)
        seen: list[int] = []
        page = client.get("/api/reports/", {"page_size": 7}).json()
        while True:
            seen += [row["id"] for row in page["results"]]
            assert all(row["task"]["number"] and row["department"]["name"] for row in page["results"])
            if not page["next"]:
                break
            page = client.get(page["next"]).json()
        assert seen == sorted(expected) and page["count"] == len(expected), user.username
        # Past the last page: 404, as for any list; a page size the same way.
        last = -(-len(expected) // 7)
        assert client.get("/api/reports/", {"page_size": 7, "page": last + 1}).status_code == 404
        assert client.get("/api/reports/", {"page_size": 7, "page": "x"}).status_code == 404
        assert client.get("/api/reports/", {"page_size": 7, "page": "0"}).status_code == 404
        assert client.get("/api/reports/", {"page": "last"}).json()["count"] == len(expected)
    assert draft.pk in seen and hidden.pk not in seen


def test_list_overdue_needs_a_passed_due_date(world):
    today = timezone.localdate()
    future = ReviewPeriodFactory(
        plan=world.plan,
        name="未来一期",
        starts_on=today + dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=100),
        report_due_on=today + dt.timedelta(days=110),
    )
    draft = ProgressReportFactory(task=world.tasks[2], department=world.gongxin, period=future)
    assert draft.pk not in ids(api(world.plan_office).get("/api/reports/", {"overdue": "true"}))


def test_list_refuses_bad_filters_with_chinese_field_errors(world):
    response = api(world.plan_office).get("/api/reports/", {"status": "bogus", "unit": "999999"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"status", "unit"}
    assert "选择" in body["errors"]["status"][0]


def _many_reports(world, count: int, *, first_year: int) -> None:
    """``count`` submitted reports (each with one evidence row, task 2's with an actual) in new periods."""
    units = [world.fagai, world.gongxin, world.caizheng, world.dongcheng, world.xicheng, world.nancheng]
    made = 0
    year = first_year
    while made < count:
        period = ReviewPeriodFactory(plan=world.plan, name=f"{year}年上半年", starts_on=dt.date(year, 1, 1))
        year += 1
        for task in world.tasks.values():
            for unit in units:
                if made == count:
                    return
                report = ProgressReportFactory(task=task, department=unit, period=period, status=ReportStatus.SUBMITTED)
                if task == world.tasks[2]:
                    TargetActual.objects.create(report=report, target=world.target, value=1, data_date=dt.date(2024, 1, 1))
                Evidence.objects.create(
                    report=report, file="evidence/x.pdf", original_name="x.pdf", content_type="application/pdf",
                    size=1, sha256="0" * 64,
                )
                made += 1


@pytest.mark.parametrize("who", ["plan_office", "fagai_clerk"])
def test_list_runs_a_constant_number_of_queries(world, who):
    def count_queries(n: int, first_year: int) -> tuple[int, int]:
        ProgressReport.objects.all().delete()
        _many_reports(world, n, first_year=first_year)
        user = type(world.plan_office).objects.get(pk=getattr(world, who).pk)  # no cached roles
        client = api(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/reports/", {"page_size": 100})
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    small, small_rows = count_queries(3, 2030)
    large, large_rows = count_queries(30, 2040)
    # fagai sees its own reports and the others' on tasks 1, 2, 3 and 5 (not task 4's 5 other reports)
    assert (small_rows, large_rows) == {"plan_office": (3, 30), "fagai_clerk": (3, 25)}[who]
    # session, user, membership, two permission reads, count, the page's ids, its rows, actuals, evidence
    # (+ request savepoints)
    assert small == large <= 12


# --- retrieve, create ----------------------------------------------------------------------------


def test_retrieve_sends_the_version_as_etag(world):
    report = lead_report(world)
    response = api(world.gongxin_clerk).get(f"/api/reports/{report.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == f'"{report.version}"'
    body = response.json()
    assert body["version"] == report.version
    assert (body["task"]["number"], body["department"]["name"], body["period"]["name"]) == (2, "市工信局", "2024年下半年")
    assert (body["status"], body["status_display"]) == ("draft", "草稿")


def test_create_starts_the_units_report_then_returns_it(world):
    client = api(world.gongxin_clerk)
    first = client.post("/api/reports/", {"task": world.tasks[2].pk, "period": world.h2.pk}, format="json")
    assert first.status_code == 201, first.content
    report = ProgressReport.objects.get()
    assert (report.department, report.role, first.json()["id"]) == (world.gongxin, "lead", report.pk)
    assert first["ETag"] == '"1"'
    again = client.post("/api/reports/", {"task": world.tasks[2].pk, "period": world.h2.pk}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == report.pk
    assert ProgressReport.objects.count() == 1
    # a supporting unit starts its contribution
    response = api(world.fagai_clerk).post("/api/reports/", {"task": world.tasks[2].pk, "period": world.h2.pk})
    assert response.status_code == 201
    assert response.json()["role"] == "supporting"


def test_create_refusals(world):
    payload = {"task": world.tasks[2].pk, "period": world.h2.pk}
    # a unit not on the task: the task is not visible to it
    response = api(world.nancheng_clerk).post("/api/reports/", payload, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    # a closed period
    response = api(world.gongxin_clerk).post("/api/reports/", {**payload, "period": world.h1.pk}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "period_not_open")
    assert "规划科" in response.json()["detail"]
    # bad input
    response = api(world.gongxin_clerk).post("/api/reports/", {"task": "abc"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"task", "period"}
    assert "该字段是必填项" in response.json()["errors"]["period"][0]
    assert ProgressReport.objects.count() == 0


# --- update with If-Match ------------------------------------------------------------------------


def test_update_saves_with_the_right_version(world):
    report = lead_report(world)
    client = api(world.gongxin_clerk)
    response = client.put(
        f"/api/reports/{report.pk}/", {**UPDATE, "actuals": actuals_payload(world)}, format="json",
        HTTP_IF_MATCH=f'"{report.version}"',
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"{report.version + 1}"'
    report.refresh_from_db()
    assert (report.version, report.progress_text, report.percent) == (2, UPDATE["progress_text"], 60)
    assert str(report.actuals.get().value) == "4.2000"
    assert response.json()["actuals"][0]["value"] == "4.2000"


def test_patch_changes_only_what_is_given(world):
    report = lead_report(world)
    report = save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=report.version, data=filled(world))
    response = api(world.gongxin_clerk).patch(
        f"/api/reports/{report.pk}/", {"problems_text": "新的问题。"}, format="json", HTTP_IF_MATCH=str(report.version)
    )
    assert response.status_code == 200, response.content
    after = ProgressReport.objects.get(pk=report.pk)
    assert after.problems_text == "新的问题。"
    assert (after.progress_text, after.percent, after.progress_status) == (
        report.progress_text, report.percent, report.progress_status,
    )
    assert after.actuals.count() == 1


def test_update_without_if_match_is_428_and_writes_nothing(world):
    report = lead_report(world)
    before = history_count(report)
    response = api(world.gongxin_clerk).put(f"/api/reports/{report.pk}/", UPDATE, format="json")
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"
    assert "If-Match" in response.json()["detail"]
    report.refresh_from_db()
    assert (report.version, report.progress_text, history_count(report)) == (1, "", before)


def test_update_with_a_stale_version_is_412_with_the_current_report(world):
    report = lead_report(world)
    save_report(report_id=report.pk, user=world.gongxin_head, expected_version=1, data=filled(world, progress_text="负责人的版本"))
    before = history_count(report)
    response = api(world.gongxin_clerk).put(
        f"/api/reports/{report.pk}/", {**UPDATE, "progress_text": "办事员的版本"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 412
    body = response.json()
    assert (body["code"], body["current_version"], body["your_version"]) == ("version_conflict", 2, 1)
    assert body["current"]["progress_text"] == "负责人的版本"
    assert body["current"]["version"] == 2
    assert "gongxin_head" in body["detail"]
    report.refresh_from_db()
    assert (report.version, report.progress_text, history_count(report)) == (2, "负责人的版本", before)


@pytest.mark.parametrize(
    ("payload", "field", "phrase"),
    [
        ({**UPDATE, "percent": 150}, "percent", "100"),
        ({**UPDATE, "progress_status": "done"}, "progress_status", "不是合法选项"),
        ({"percent": 10}, "progress_status", "必填"),
        ({**UPDATE, "progress_status": "completed", "percent": 50}, "percent", "100%"),
        ({**UPDATE, "actuals": [{"target": 999999, "state": "reported", "value": "1", "data_date": "2024-01-01"}]},
         "actuals.999999", "不属于本任务"),
        ({**UPDATE, "actuals": [{"target": 1, "state": "reported", "value": "x"}]}, "actuals", "数"),
    ],
)
def test_update_refuses_bad_input_with_chinese_field_errors(world, payload, field, phrase):
    report = lead_report(world)
    response = api(world.gongxin_clerk).put(f"/api/reports/{report.pk}/", payload, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    assert phrase in str(body["errors"][field])
    report.refresh_from_db()
    assert report.version == 1


def test_a_malformed_if_match_is_refused(world):
    report = lead_report(world)
    response = api(world.gongxin_clerk).put(f"/api/reports/{report.pk}/", UPDATE, format="json", HTTP_IF_MATCH="*")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert "版本号" in response.json()["detail"]


def test_a_submitted_report_cannot_be_edited(world):
    report = submitted_lead_report(world)
    response = api(world.gongxin_clerk).put(
        f"/api/reports/{report.pk}/", UPDATE, format="json", HTTP_IF_MATCH=f'"{report.version}"'
    )
    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")
    # without If-Match the same answer: the edit is not possible at all
    response = api(world.gongxin_clerk).put(f"/api/reports/{report.pk}/", UPDATE, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")


# --- workflow actions ----------------------------------------------------------------------------


def test_submit_return_resubmit_accept(world):
    report = lead_report(world)
    clerk, office = api(world.gongxin_clerk), api(world.plan_office)
    response = clerk.put(
        f"/api/reports/{report.pk}/", {**UPDATE, "actuals": actuals_payload(world)}, format="json", HTTP_IF_MATCH='"1"'
    )
    response = clerk.post(f"/api/reports/{report.pk}/submit/", HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    # submitting again is an illegal move
    response = clerk.post(f"/api/reports/{report.pk}/submit/")
    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")
    # return needs a comment
    response = office.post(f"/api/reports/{report.pk}/return/", {"comment": "  "}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "comment_required")
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    response = office.post(f"/api/reports/{report.pk}/return/", {"comment": "请补充数据来源。"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["review_comment"]) == ("returned", "请补充数据来源。")
    # accepting a returned report is illegal
    response = office.post(f"/api/reports/{report.pk}/accept/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")
    version = response_version = clerk.get(f"/api/reports/{report.pk}/")["ETag"]
    response = clerk.patch(
        f"/api/reports/{report.pk}/", {"progress_text": "已补充数据来源。"}, format="json", HTTP_IF_MATCH=version
    )
    assert response.status_code == 200
    assert response["ETag"] != response_version
    assert clerk.post(f"/api/reports/{report.pk}/submit/").status_code == 200
    response = office.post(f"/api/reports/{report.pk}/accept/", {"comment": "同意。"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    types = list(ReportEvent.objects.filter(report=report).values_list("type", flat=True))
    assert types == ["created", "submitted", "returned", "submitted", "accepted"]


def test_submit_with_a_stale_if_match_is_412(world):
    report = lead_report(world)
    report = save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=1, data=filled(world))
    response = api(world.gongxin_clerk).post(f"/api/reports/{report.pk}/submit/", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert response.json()["current"]["status"] == "draft"
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_an_incomplete_report_is_not_submitted(world):
    report = lead_report(world)
    response = api(world.gongxin_clerk).post(f"/api/reports/{report.pk}/submit/")
    assert (response.status_code, response.json()["code"]) == (400, "report_incomplete")
    assert "请填写进展情况" in response.json()["detail"]
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_no_submission_in_a_closed_period(world):
    report = lead_report(world)
    save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=1, data=filled(world))
    world.h2.status = PeriodStatus.CLOSED
    world.h2.save()
    response = api(world.gongxin_clerk).post(f"/api/reports/{report.pk}/submit/")
    assert (response.status_code, response.json()["code"]) == (409, "period_not_open")


# --- contributions ------------------------------------------------------------------------------


def test_contributions_and_silent_units(world):
    report = lead_report(world)
    fagai = contribution(world)
    contribution(world, "caizheng", submit=False)
    response = api(world.gongxin_clerk).get(f"/api/reports/{report.pk}/contributions/")
    assert response.status_code == 200
    body = response.json()
    assert body["report"] == report.pk
    assert [row["id"] for row in body["contributions"]] == [fagai.pk]
    assert body["contributions"][0]["department"]["name"] == "市发改局"
    assert [unit["name"] for unit in body["silent_units"]] == ["市财政局"]


# --- evidence -----------------------------------------------------------------------------------


def test_evidence_upload_list_download_delete(world, stored_files, django_capture_on_commit_callbacks):
    report = lead_report(world)
    client = api(world.gongxin_clerk)
    response = client.post(
        f"/api/reports/{report.pk}/evidence/", {"file": SimpleUploadedFile("进展材料.pdf", PDF)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    item = response.json()
    assert (item["original_name"], item["size"], item["content_type"]) == ("进展材料.pdf", len(PDF), "application/pdf")
    listed = client.get(f"/api/reports/{report.pk}/evidence/").json()
    assert [row["id"] for row in listed] == [item["id"]]
    download = client.get(item["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    # the plan office may read it too
    assert api(world.plan_office).get(item["download_url"]).status_code == 200
    assert len(stored_files()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"/api/evidence/{item['id']}/")
    assert response.status_code == 204
    assert not Evidence.objects.exists()
    assert stored_files() == []


def test_evidence_upload_refusals(world, stored_files):
    report = lead_report(world)
    client = api(world.gongxin_clerk)
    response = client.post(
        f"/api/reports/{report.pk}/evidence/", {"file": SimpleUploadedFile("病毒.pdf", b"MZ" + b"\x00" * 30)},
        format="multipart",
    )
    assert (response.status_code, response.json()["code"]) == (400, "evidence_bad_type")
    response = client.post(f"/api/reports/{report.pk}/evidence/", {}, format="multipart")
    assert response.status_code == 400
    assert "请选择要上传的文件" in response.json()["errors"]["file"][0]
    assert not Evidence.objects.exists()
    assert stored_files() == []


# --- sessions need CSRF --------------------------------------------------------------------------


def test_session_writes_need_the_csrf_token(world):
    report = lead_report(world)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.gongxin_clerk)
    response = client.patch(f"/api/reports/{report.pk}/", {"percent": 10}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert ProgressReport.objects.get(pk=report.pk).version == 1
