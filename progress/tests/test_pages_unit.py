"""The unit staff's pages through the Django test client: the due list, the report form (GET writes
nothing, save, submit, return and resubmit, conflicts, field errors, closed periods), evidence,
the task page, extension requests, and the permission matrix of every route."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from progress.models import (
    Evidence,
    ExtensionRequest,
    ExtensionStatus,
    ProgressReport,
    ReportEvent,
    ReportStatus,
    TargetActual,
    TaskEvent,
)
from progress.services.evidence import add_evidence
from progress.services.reports import return_report, save_report, submit_report
from progress.services.task_review import request_extension
from progress.tests.factories import ProgressReportFactory
from progress.tests.test_services_reports import filled, started
from tasks.tests.factories import LeadFactory, TaskFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


def form_url(world, period=None, task=None, unit=None) -> str:
    url = reverse("progress:report_form", args=[(task or world.tasks[2]).pk, (period or world.h2).pk])
    return url + (f"?unit={unit.pk}" if unit is not None else "")


def post_data(world, *, version: int, action: str = "save", **overrides) -> dict:
    target = world.target.pk
    data = {
        "version": version,
        "action": action,
        "progress_status": "on_track",
        "percent": "60",
        "progress_text": "数字经济核心产业增加值占比达到4.2%。",
        "problems_text": "龙头企业偏少。",
        "next_steps_text": "加快引进数字企业。",
        f"actual-{target}-state": "reported",
        f"actual-{target}-value": "4.2",
        f"actual-{target}-data_date": "2024-06-30",
        f"actual-{target}-note": "",
    }
    data.update(overrides)
    return data


def gongxin_report(world) -> ProgressReport:
    return ProgressReport.objects.get(task=world.tasks[2], department=world.gongxin, period=world.h2)


def write_counts() -> tuple:
    return (
        ProgressReport.objects.count(),
        tuple(ProgressReport.objects.order_by("pk").values_list("version", "status")),
        TargetActual.objects.count(),
        Evidence.objects.count(),
        ReportEvent.objects.count(),
        TaskEvent.objects.count(),
        tuple(ExtensionRequest.objects.order_by("pk").values_list("status", flat=True)),
    )


# --- the report form -------------------------------------------------------------------------


def test_get_writes_nothing_and_shows_the_form_prefilled_from_the_previous_period(client, world):
    previous = ProgressReportFactory(
        task=world.tasks[2], department=world.gongxin, period=world.h1, status=ReportStatus.ACCEPTED,
        progress_text="上半年已引进数字企业3家。", problems_text="人才不足。", percent=40,
    )
    TargetActual.objects.create(report=previous, target=world.target, value=Decimal("3.9"), data_date=dt.date(2024, 3, 31))
    before = write_counts()
    client.force_login(world.gongxin_clerk)
    response = client.get(form_url(world))
    assert response.status_code == 200
    assert write_counts() == before
    page = response.content.decode()
    assert "上半年已引进数字企业3家。" in page and "人才不足。" in page
    assert 'name="version" value="0"' in page
    # Last period's actual is shown beside the field, not put in it; the date starts at the period's end.
    assert 'value="3.9' not in page and "上期：3.9" in page and "截至2024-03-31" in page
    assert f'name="actual-{world.target.pk}-value" inputmode="decimal"' in page
    assert 'value="2024-12-31"' in page
    assert "已按本单位2024年上半年的报告预先填好" in page
    # every input has a label
    assert f'for="id_actual-{world.target.pk}-value"' in page and 'for="id_progress_text"' in page


def test_save_creates_the_draft_and_redirects(client, world):
    client.force_login(world.gongxin_clerk)
    response = client.post(form_url(world), post_data(world, version=0))
    assert response.status_code == 302 and response["Location"] == form_url(world)
    report = gongxin_report(world)
    assert (report.status, report.version, report.percent) == (ReportStatus.DRAFT, 2, 60)
    assert report.progress_text == "数字经济核心产业增加值占比达到4.2%。"
    assert report.actuals.get().value == Decimal("4.2")
    page = client.get(form_url(world)).content.decode()
    # The version is kept for conflicts (hidden) but not shown to the clerk.
    assert "草稿已保存。" in page and 'name="version" value="2"' in page and "第2版" not in page


def test_submit_saves_then_submits_and_the_page_becomes_read_only(client, world):
    client.force_login(world.gongxin_clerk)
    response = client.post(form_url(world), post_data(world, version=0, action="submit"))
    assert response.status_code == 302
    report = gongxin_report(world)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == world.gongxin_clerk
    page = client.get(form_url(world)).content.decode()
    assert "报告已报送规划科" in page
    assert "不能修改" in page and 'name="progress_text"' not in page


def test_submitting_an_incomplete_new_report_leaves_nothing_behind(client, world):
    client.force_login(world.gongxin_clerk)
    before = write_counts()
    data = post_data(world, version=0, action="submit", progress_text="", problems_text="只写了问题。")
    response = client.post(form_url(world), data)
    assert response.status_code == 422 or response.status_code == 400
    page = response.content.decode()
    assert "未能报送" in page and "请填写进展情况" in page and "本期报告尚未保存" in page
    assert "只写了问题。" in page  # what was typed stays in the form
    assert write_counts() == before  # no empty draft


def test_submit_of_an_incomplete_draft_keeps_the_draft_and_says_what_is_missing(client, world):
    client.force_login(world.gongxin_clerk)
    client.post(form_url(world), post_data(world, version=0))
    report = gongxin_report(world)
    data = post_data(world, version=report.version, action="submit", progress_text="")
    response = client.post(form_url(world), data, follow=True)
    assert gongxin_report(world).status == ReportStatus.DRAFT
    assert "已保存为草稿，但未能报送" in response.content.decode() and "请填写进展情况" in response.content.decode()


def test_returned_report_shows_the_comment_and_can_be_revised_and_resubmitted(client, world):
    client.force_login(world.gongxin_clerk)
    client.post(form_url(world), post_data(world, version=0, action="submit"))
    returned = return_report(report_id=gongxin_report(world).pk, user=world.plan_office, comment="请补充企业名单。")
    page = client.get(form_url(world)).content.decode()
    assert "规划科退回意见" in page and "请补充企业名单。" in page and "plan_office" in page
    assert 'name="progress_text"' in page  # editable again
    response = client.post(
        form_url(world),
        post_data(world, version=returned.version, action="submit", progress_text="已引进企业：甲、乙、丙。"),
    )
    assert response.status_code == 302
    report = gongxin_report(world)
    assert report.status == ReportStatus.SUBMITTED and report.progress_text == "已引进企业：甲、乙、丙。"


def test_a_stale_version_is_a_conflict_that_keeps_what_was_typed(client, world):
    client.force_login(world.gongxin_clerk)
    client.post(form_url(world), post_data(world, version=0))  # version 2 now
    client.force_login(world.gongxin_head)
    client.post(form_url(world), post_data(world, version=2, progress_text="负责人改过的内容。"))  # version 3
    before = write_counts()
    client.force_login(world.gongxin_clerk)
    response = client.post(form_url(world), post_data(world, version=2, progress_text="我刚写的一大段新内容。"))
    assert response.status_code == 409
    assert write_counts() == before
    page = response.content.decode()
    assert "我刚写的一大段新内容。" in page  # nothing typed is lost
    assert "负责人改过的内容。" in page  # the stored text beside it
    assert 'name="version" value="3"' in page
    # The message says what the page does: nothing "reopened", the typed text kept, a new save goes on version 3.
    assert "请重新打开报告" not in page
    assert "您的修改没有保存：该报告已被gongxin_head于" in page and "保存为第3版（您打开的是第2版）" in page
    assert "下方列出了第3版的内容，您填写的内容仍保留在表单中；核对后再次保存，将在第3版的基础上保存您表单中的内容。" in page
    # ... and it does: saving again (the form now carries version 3) keeps what was typed.
    response = client.post(form_url(world), post_data(world, version=3, progress_text="我刚写的一大段新内容。"))
    assert response.status_code == 302
    assert (gongxin_report(world).version, gongxin_report(world).progress_text) == (4, "我刚写的一大段新内容。")
    before = write_counts()
    # A new report posted as version 0 when one exists is a conflict too.
    response = client.post(form_url(world), post_data(world, version=0, progress_text="另一段。"))
    assert response.status_code == 409 and write_counts() == before


def test_field_errors_are_shown_next_to_their_fields(client, world):
    client.force_login(world.gongxin_clerk)
    data = post_data(world, version=0, percent="150")
    data[f"actual-{world.target.pk}-value"] = ""
    data[f"actual-{world.target.pk}-note"] = "待统计局核实"  # a note without a value: not a blank row
    response = client.post(form_url(world), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "完成进度应在0到100之间。" in page
    assert "请填写实际值和数据截至日期" in page
    assert not ProgressReport.objects.exists()  # the start rolled back with the refused save
    response = client.post(form_url(world), post_data(world, version=0, percent="很多"))
    assert response.status_code == 400 and "完成进度请填写0到100之间的整数" in response.content.decode()


def test_a_draft_saves_with_target_rows_left_blank_and_submitting_still_needs_them(client, world):
    client.force_login(world.gongxin_clerk)
    blank = {f"actual-{world.target.pk}-value": "", f"actual-{world.target.pk}-data_date": ""}
    response = client.post(form_url(world), post_data(world, version=0, **blank))
    assert response.status_code == 302  # the state still reads 已填报 (the default), yet the draft is saved
    report = gongxin_report(world)
    assert report.status == ReportStatus.DRAFT and not report.actuals.exists()
    response = client.post(form_url(world), post_data(world, version=report.version, action="submit", **blank), follow=True)
    page = response.content.decode()
    assert "已保存为草稿，但未能报送" in page and "还有1项目标未填报实际值" in page
    assert gongxin_report(world).status == ReportStatus.DRAFT


def test_actual_values_show_without_trailing_zeros(client, world):
    type(world.target).objects.filter(pk=world.target.pk).update(value=Decimal("1.5"))  # stored as 1.5000
    client.force_login(world.gongxin_clerk)
    client.post(form_url(world), post_data(world, version=0, **{f"actual-{world.target.pk}-value": "12"}))
    assert gongxin_report(world).actuals.get().value == Decimal("12")
    page = client.get(form_url(world)).content.decode()
    assert f'name="actual-{world.target.pk}-value" value="12"' in page  # not "12.0000"
    assert "1.5%" in page and "1.5000" not in page  # the target itself (it was 1.5000%)
    TargetActual.objects.filter(report=gongxin_report(world)).update(value=Decimal("0.3500"))
    page = client.get(form_url(world)).content.decode()
    assert f'name="actual-{world.target.pk}-value" value="0.35"' in page
    report = gongxin_report(world)
    submit_report(report_id=report.pk, user=world.gongxin_clerk)
    page = client.get(form_url(world)).content.decode()  # read-only now: the stored value in the summary
    assert "0.35%（数据截至2024年6月30日）" in page and "0.3500" not in page
    client.force_login(world.plan_office)
    accepted = client.get(reverse("progress:task_detail", args=[world.tasks[2].pk])).content.decode()
    assert "0.35%" in accepted and "0.3500" not in accepted
    review = client.get(reverse("progress:report_detail", args=[report.pk])).content.decode()
    assert "0.35%" in review and "0.3500" not in review
    TargetActual.objects.filter(report=report).update(value=Decimal("12.0000"))
    review = client.get(reverse("progress:report_detail", args=[report.pk])).content.decode()
    assert ">12%" in review and "1.2E+1" not in review  # Decimal.normalize() would write 1.2E+1


def test_the_submit_button_is_only_for_the_head_when_the_unit_requires_the_heads_sign_off(client, world):
    world.gongxin.head_signoff_required = True
    world.gongxin.save()
    line = "本单位的报告须由单位负责人审签后报送"
    for stage in ("not started", "draft"):
        client.force_login(world.gongxin_clerk)
        page = client.get(form_url(world)).content.decode()
        assert 'value="submit"' not in page and "保存并报送" not in page, stage
        assert line in page and 'value="save"' in page, stage
        client.force_login(world.gongxin_head)
        page = client.get(form_url(world)).content.decode()
        assert 'value="submit"' in page and line not in page, stage
        if stage == "not started":
            client.force_login(world.gongxin_clerk)
            assert client.post(form_url(world), post_data(world, version=0)).status_code == 302
    # A unit without the rule: the clerk submits.
    client.force_login(world.fagai_clerk)
    page = client.get(form_url(world, task=world.tasks[1])).content.decode()
    assert 'value="submit"' in page and line not in page


def test_closed_period_is_read_only_with_the_reason(client, world):
    ProgressReportFactory(task=world.tasks[2], department=world.gongxin, period=world.h1, status=ReportStatus.DRAFT)
    client.force_login(world.gongxin_clerk)
    page = client.get(form_url(world, period=world.h1)).content.decode()
    assert "“2024年上半年”填报期已关闭，不能填报或修改" in page
    assert 'name="progress_text"' not in page
    before = write_counts()
    response = client.post(form_url(world, period=world.h1), post_data(world, version=1))
    assert response.status_code == 409 and write_counts() == before


def test_supporting_unit_writes_its_contribution_and_the_lead_sees_it_and_the_silent_unit(client, world):
    client.force_login(world.fagai_clerk)
    page = client.get(form_url(world)).content.decode()
    assert "配合情况" in page and "无需填报完成进度和目标实际值" in page and "报送后供牵头单位汇总" in page
    assert f"actual-{world.target.pk}-value" not in page
    assert 'name="percent"' not in page  # the task's 完成进度 is the lead unit's to give
    data = post_data(world, version=0, action="submit", progress_text="发改局已协调专项资金。")
    response = client.post(form_url(world), data, follow=True)
    assert "配合情况已报送，供牵头单位汇总" in response.content.decode() and "规划科" not in str(list(response.context["messages"]))
    contribution = ProgressReport.objects.get(department=world.fagai, task=world.tasks[2], period=world.h2)
    assert contribution.role == "supporting" and contribution.status == ReportStatus.SUBMITTED
    assert contribution.percent is None  # not asked, not stored
    client.force_login(world.gongxin_clerk)
    page = client.get(form_url(world)).content.decode()
    assert "发改局已协调专项资金。" in page
    assert "未报送</span> 市财政局" in page


# --- evidence --------------------------------------------------------------------------------


def upload(client, report, name, content, content_type="application/pdf"):
    return client.post(
        reverse("progress:evidence_upload", args=[report.pk]),
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def test_evidence_upload_download_and_delete_by_the_owner(client, world):
    report = started(world)
    client.force_login(world.gongxin_clerk)
    assert upload(client, report, "上半年工作总结.pdf", PDF).status_code == 302
    assert upload(client, report, "现场照片.png", png_bytes(), "image/png").status_code == 302
    pdf, png = Evidence.objects.order_by("pk")
    assert (pdf.original_name, pdf.content_type, png.content_type) == ("上半年工作总结.pdf", "application/pdf", "image/png")
    page = client.get(form_url(world)).content.decode()
    assert "上半年工作总结.pdf" in page and reverse("progress:evidence_download", args=[pdf.pk]) in page
    response = client.get(reverse("progress:evidence_download", args=[pdf.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    assert client.post(reverse("progress:evidence_delete", args=[png.pk])).status_code == 302
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["上半年工作总结.pdf"]


def test_an_exe_renamed_pdf_is_refused(client, world):
    report = started(world)
    client.force_login(world.gongxin_clerk)
    response = upload(client, report, "报告.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "不是可接受的佐证材料" in page


@override_settings(EVIDENCE_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused(client, world):
    report = started(world)
    client.force_login(world.gongxin_clerk)
    response = upload(client, report, "大文件.pdf", PDF + b"0" * 200)
    assert not Evidence.objects.exists()
    assert "超过单个文件" in client.get(response["Location"]).content.decode()


def test_draft_evidence_is_hidden_from_other_units_and_open_to_plan_office_and_leadership(client, world):
    report = started(world)
    evidence = add_evidence(
        report_id=report.pk, user=world.gongxin_clerk, upload=SimpleUploadedFile("a.pdf", PDF, "application/pdf")
    )
    url = reverse("progress:evidence_download", args=[evidence.pk])
    for user, status in [
        (world.fagai_clerk, 404),  # a supporting unit: the lead's draft is private
        (world.nancheng_clerk, 404),
        (world.nobody, 404),
        (world.plan_office, 200),
        (world.leader, 200),
        (world.gongxin_head, 200),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
    save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=report.version, data=filled(world))
    submit_report(report_id=report.pk, user=world.gongxin_clerk)
    client.force_login(world.fagai_clerk)
    assert client.get(url).status_code == 200  # submitted: the supporting unit may read it
    client.force_login(world.nancheng_clerk)
    assert client.get(url).status_code == 404


# --- home ------------------------------------------------------------------------------------


def test_home_lists_the_units_tasks_with_role_status_and_counts(client, world):
    ProgressReportFactory(
        task=world.tasks[1], department=world.fagai, period=world.h1, status=ReportStatus.ACCEPTED,
        progress_text="都市圈规划已上报。\n第二行。",
    )
    ProgressReportFactory(task=world.tasks[3], department=world.fagai, period=world.h2, status=ReportStatus.RETURNED)
    client.force_login(world.fagai_clerk)
    response = client.get(reverse("progress:home"))
    assert response.status_code == 200
    due = response.context["due"]
    # 待修改 (returned) first, then the rest still due.
    assert [(row.task.number, row.role, row.status) for row in due.rows] == [
        (3, "lead", "returned"), (1, "lead", "none"), (2, "supporting", "none"), (5, "supporting", "none"),
    ]
    page = response.content.decode()
    assert "待填报 3" in page and "待修改 1" in page
    assert page.index("待修改 1") < page.index("待填报 3")
    assert "都市圈规划已上报。" in page and "第二行。" not in page
    assert "约束性" in page  # task 2 is binding
    response = client.get(reverse("progress:home"), {"role": "lead", "status": "returned"})
    assert [row.task.number for row in response.context["due"].rows] == [3]
    assert "修改后重报" in response.content.decode()


def test_home_period_switcher_shows_a_closed_period(client, world):
    client.force_login(world.gongxin_clerk)
    response = client.get(reverse("progress:home"))
    assert response.context["period"] == world.h2
    response = client.get(reverse("progress:home"), {"period": world.h1.pk})
    assert response.context["period"] == world.h1 and "只能查看" in response.content.decode()
    assert client.get(reverse("progress:home"), {"period": 999999}).status_code == 404


def test_home_for_users_without_a_unit(client, world):
    client.force_login(world.plan_office)
    response = client.get(reverse("progress:home"))
    assert response.status_code == 302 and response["Location"] == reverse("progress:review_home")
    client.force_login(world.leader)
    assert client.get(reverse("progress:home"))["Location"] == reverse("dashboard:home")  # leadership lands on 领导看板
    client.force_login(world.nobody)
    response = client.get(reverse("progress:home"))
    assert response.status_code == 200 and "规划科" in response.content.decode()
    client.logout()
    assert client.get(reverse("progress:home")).status_code == 302


def _add_tasks(world, count: int) -> None:
    base = 100 + TaskFactory._meta.model.objects.count()
    for i in range(count):
        task = TaskFactory(plan=world.plan, number=base + i)
        LeadFactory(task=task, department=world.gongxin)
        ProgressReportFactory(task=task, department=world.gongxin, period=world.h1, status=ReportStatus.ACCEPTED)
        if i % 2:
            ProgressReportFactory(task=task, department=world.gongxin, period=world.h2)


def _home_queries(client, world, **params) -> tuple[int, int]:
    client.force_login(world.gongxin_clerk)
    client.get(reverse("progress:home"))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("progress:home"), params)
    assert response.status_code == 200
    return len(queries), len(response.context["due"].rows)


def test_home_query_count_is_constant(client, world):
    _add_tasks(world, 2)
    few, rows_few = _home_queries(client, world)
    _add_tasks(world, 27)
    many, rows_many = _home_queries(client, world)
    assert (rows_few, rows_many) == (3, 30)
    assert few == many
    assert many <= 14  # 12, the nav's unread notification count, the complete drafts (bulk 报送)
    _add_tasks(world, 40)  # 70 tasks: two pages
    assert _home_queries(client, world) == (many, 50)
    assert _home_queries(client, world, page=2) == (many, 20)
    assert _home_queries(client, world, page=2, role="lead") == (many, 20)


def test_home_pages_50_rows_still_due_first_keeping_the_filters(client, world):
    _add_tasks(world, 60)  # 61 tasks of 工信: 30 with a draft this period, the others not started
    for report in ProgressReport.objects.filter(department=world.gongxin, period=world.h2)[:5]:
        report.status = ReportStatus.SUBMITTED
        report.save()
    client.force_login(world.gongxin_clerk)
    first = client.get(reverse("progress:home"), {"role": "lead"})
    due = first.context["due"]
    assert len(due.rows) == 50 and due.page.paginator.count == 61
    assert all(row.status != "submitted" for row in due.rows)  # the 56 still due come first
    assert due.counts == {"none": 31, "draft": 25, "submitted": 5, "returned": 0, "accepted": 0}
    page = first.content.decode()
    assert "待填报 31" in page and "草稿 25" in page and "已报送 5" in page  # counts over every page
    assert "共 61 项" in page and "本页为第 1–50 项" in page and "第1/2页" in page
    assert 'href="?role=lead&amp;page=2"' in page  # the next page keeps the filter
    second = client.get(reverse("progress:home"), {"role": "lead", "page": 2})
    rows = second.context["due"].rows
    assert len(rows) == 11 and [row.status for row in rows][-5:] == ["submitted"] * 5
    assert "上一页" in second.content.decode() and "下一页" not in second.content.decode()
    # A page beyond the last shows the last one.
    assert client.get(reverse("progress:home"), {"page": 99}).context["due"].page.number == 2


# --- task page -------------------------------------------------------------------------------


def _task_page_queries(client, world) -> int:
    client.force_login(world.gongxin_clerk)
    url = reverse("progress:task_detail", args=[world.tasks[2].pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _add_reports(world, count: int) -> None:
    from progress.models import ReviewPeriod
    from progress.tests.factories import ReviewPeriodFactory

    for _ in range(count):
        year = 1980 + ReviewPeriod.objects.count()  # years the world's periods (2024) never use
        period = ReviewPeriodFactory(plan=world.plan, status="closed", starts_on=dt.date(year, 1, 1))
        report = ProgressReportFactory(
            task=world.tasks[2], department=world.gongxin, period=period, status=ReportStatus.ACCEPTED
        )
        TargetActual.objects.create(report=report, target=world.target, value=Decimal("1"), data_date=period.ends_on)
        report.progress_text = "改过"
        report.save()


def test_task_page_shows_the_task_and_its_query_count_is_constant(client, world):
    _add_reports(world, 2)
    few = _task_page_queries(client, world)
    _add_reports(world, 18)
    many = _task_page_queries(client, world)
    assert few == many
    client.force_login(world.gongxin_clerk)
    page = client.get(reverse("progress:task_detail", args=[world.tasks[2].pk])).content.decode()
    assert "数字经济核心产业增加值占GDP比重达到5%" in page and "约束性" in page
    assert "一、目标定位" in page or "目标定位" in page
    assert "牵头：市工信局" in page and "配合：市发改局" in page
    assert "办理记录" in page and "申请延期至" in page


def test_extension_request_and_withdraw_through_the_task_page(client, world):
    client.force_login(world.gongxin_clerk)
    url = reverse("progress:extension_request", args=[world.tasks[2].pk])
    wanted = timezone.localdate() + dt.timedelta(days=3 * 365)
    response = client.post(url, {"requested_deadline": wanted.isoformat(), "reason": "受疫情影响项目推迟。"})
    assert response.status_code == 302
    request = ExtensionRequest.objects.get()
    assert request.status == ExtensionStatus.PENDING and request.department == world.gongxin
    page = client.get(reverse("progress:task_detail", args=[world.tasks[2].pk])).content.decode()
    assert "受疫情影响项目推迟。" in page and "撤回申请" in page
    response = client.post(url, {"requested_deadline": wanted.isoformat(), "reason": "再来一次。"}, follow=True)
    assert "已有一份待审批的延期申请" in response.content.decode()
    response = client.post(reverse("progress:extension_withdraw", args=[request.pk]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ExtensionStatus.WITHDRAWN


# --- the permission matrix -------------------------------------------------------------------

ROLES = ["gongxin_clerk", "fagai_clerk", "nancheng_clerk", "plan_office", "leader", "nobody", "anonymous"]


def _setup(world) -> dict:
    """The lead's draft report with one evidence file, and a pending extension request."""
    report = started(world)
    evidence = add_evidence(
        report_id=report.pk, user=world.gongxin_clerk, upload=SimpleUploadedFile("a.pdf", PDF, "application/pdf")
    )
    extension = request_extension(
        task_id=world.tasks[2].pk, user=world.gongxin_clerk,
        requested_deadline=timezone.localdate() + dt.timedelta(days=800), reason="需要更多时间。",
    )
    return {"report": report, "evidence": evidence, "extension": extension}


def _route(world, state, name):
    task2 = world.tasks[2].pk
    report = state["report"]
    future = (timezone.localdate() + dt.timedelta(days=900)).isoformat()
    return {
        "home": ("get", reverse("progress:home"), None),
        "report_form_get": ("get", form_url(world), None),
        "lead_report_get": ("get", form_url(world, unit=world.gongxin), None),
        "report_form_post": ("post", form_url(world, unit=world.gongxin), post_data(world, version=report.version)),
        "evidence_upload": (
            "post", reverse("progress:evidence_upload", args=[report.pk]),
            {"file": SimpleUploadedFile("b.pdf", PDF, "application/pdf")},
        ),
        "evidence_download": ("get", reverse("progress:evidence_download", args=[state["evidence"].pk]), None),
        "evidence_delete": ("post", reverse("progress:evidence_delete", args=[state["evidence"].pk]), {}),
        "task_detail": ("get", reverse("progress:task_detail", args=[task2]), None),
        "extension_request": (
            "post", reverse("progress:extension_request", args=[task2]),
            {"requested_deadline": future, "reason": "再申请一次。"},
        ),
        "extension_withdraw": ("post", reverse("progress:extension_withdraw", args=[state["extension"].pk]), {}),
    }[name]


# role → expected status, in ROLES order
MATRIX = {
    "home": [200, 200, 200, 302, 302, 200, 302],
    "report_form_get": [200, 200, 404, 200, 200, 404, 302],
    "lead_report_get": [200, 404, 404, 200, 200, 404, 302],
    "report_form_post": [302, 404, 404, 403, 403, 404, 302],
    "evidence_upload": [302, 404, 404, 403, 403, 404, 302],
    "evidence_download": [200, 404, 404, 200, 200, 404, 302],
    "evidence_delete": [302, 404, 404, 403, 403, 404, 302],
    "task_detail": [200, 200, 404, 200, 200, 404, 302],
    # gongxin: refused with a message (one request already pending), redirected back, nothing written
    "extension_request": [302, 403, 404, 403, 403, 404, 302],
    "extension_withdraw": [302, 404, 404, 403, 403, 404, 302],
}
WRITES = {"report_form_post", "evidence_upload", "evidence_delete", "extension_withdraw"}


@pytest.mark.parametrize("route", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, route, role):
    state = _setup(world)
    method, url, data = _route(world, state, route)
    if role != "anonymous":
        client.force_login(getattr(world, role))
    before = write_counts()
    response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
    expected = MATRIX[route][ROLES.index(role)]
    assert response.status_code == expected, response.content.decode()[:500]
    if role == "anonymous":
        assert "/login" in response["Location"] or "login" in response["Location"]
    if route in WRITES and role == "gongxin_clerk":
        assert write_counts() != before
    else:
        assert write_counts() == before
