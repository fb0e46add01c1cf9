"""The clerk's loop on the portal: on to the next task after 报送 (the list's filters and position kept),
bulk 报送 of complete drafts (own unit's only), plausibility warnings on actuals, evidence with the
first save, and the context the form shows (last period's comment and plans, a pre-fill taken from a
returned report, the supporting units' contributions with 引用)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments.models import Department
from progress.models import Evidence, ProgressReport, ProgressStatus, ReportStatus, TargetActual
from progress.plausibility import value_warnings
from progress.services.reports import (
    ReportInput,
    ReportWrite,
    save_report,
    save_reports,
    start_report,
    submit_report,
    submit_reports,
)
from progress.tests.factories import ProgressReportFactory
from progress.tests.test_pages_unit import PDF, form_url, gongxin_report, post_data, write_counts
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

pytestmark = pytest.mark.django_db


def contribution_input(text="配合推进。") -> ReportInput:
    return ReportInput(progress_status=ProgressStatus.ON_TRACK, progress_text=text)


def fagai_draft(world, number: int, text="已推进。") -> ProgressReport:
    """A draft of 市发改局 on task ``number``, complete when ``text`` is given (tasks 1, 3 have no targets)."""
    report = start_report(task=world.tasks[number], department_id=world.fagai.pk, period=world.h2, user=world.fagai_clerk)
    return save_report(report_id=report.pk, user=world.fagai_clerk, expected_version=report.version,
                       data=contribution_input(text))


def submit_form(world, number: int, **extra) -> dict:
    return {"version": 0, "action": "submit", "progress_status": "on_track", "progress_text": f"任务{number}推进顺利。", **extra}


# --- after 报送: the next task ---------------------------------------------------------------------


def test_after_submitting_the_clerk_lands_on_the_next_task_to_write_and_is_told_how_many_remain(client, world):
    client.force_login(world.fagai_clerk)  # 市发改局: tasks 1, 3 (lead), 2, 5 (supporting)
    back = urlencode({"period": world.h2.pk})
    url = reverse("progress:report_form", args=[world.tasks[1].pk, world.h2.pk]) + "?" + urlencode({"back": back})
    response = client.post(url, submit_form(world, 1))
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("progress:report_form", args=[world.tasks[2].pk, world.h2.pk]) + "?" + urlencode({"back": back})
    )
    page = client.get(response["Location"]).content.decode()
    assert "任务1的进展报告已报送规划科。还有3项待填报，已为您打开任务2。" in page
    # The list link on the form goes back to the list with its filters, at the task's row.
    assert f'href="/?period={world.h2.pk}#task-{world.tasks[2].pk}"' in page


def test_the_next_task_follows_the_lists_filters_and_the_last_one_goes_back_to_the_list(client, world):
    client.force_login(world.fagai_clerk)
    back = urlencode({"period": world.h2.pk, "role": "lead"})
    query = "?" + urlencode({"back": back})
    first = client.post(reverse("progress:report_form", args=[world.tasks[1].pk, world.h2.pk]) + query, submit_form(world, 1))
    assert first["Location"] == reverse("progress:report_form", args=[world.tasks[3].pk, world.h2.pk]) + query
    last = client.post(first["Location"], submit_form(world, 3), follow=False)
    assert last["Location"] == f"/?period={world.h2.pk}&role=lead#task-{world.tasks[3].pk}"
    page = client.get(last["Location"]).content.decode()
    assert "本期符合筛选条件的任务已全部报送" in page


def test_the_list_links_carry_its_filters_and_rows_have_anchors(client, world):
    client.force_login(world.fagai_clerk)
    page = client.get(reverse("progress:home"), {"period": world.h2.pk, "role": "lead"}).content.decode()
    back = urlencode({"back": urlencode({"period": world.h2.pk, "role": "lead"})})
    assert f'href="{reverse("progress:report_form", args=[world.tasks[1].pk, world.h2.pk])}?{back}"'.replace("&", "&amp;") in page
    assert f'id="task-{world.tasks[1].pk}"' in page
    assert "<script" not in page


# --- bulk 报送 -------------------------------------------------------------------------------------


def test_bulk_submit_lists_complete_drafts_including_uploaded_ones_and_submits_them_after_one_confirmation(client, world):
    typed = fagai_draft(world, 1)
    fagai_draft(world, 3, text="")  # incomplete: no 进展情况
    # A draft saved by the offline upload (the batch service) counts as well.
    [uploaded] = save_reports(
        department_id=world.fagai.pk, period=world.h2, user=world.fagai_clerk,
        writes=[ReportWrite(task=world.tasks[5], expected_version=1, data=contribution_input("模板上传的配合情况。"))],
    )
    client.force_login(world.fagai_clerk)
    home = client.get(reverse("progress:home")).content.decode()
    assert "报送已填好的草稿（2项）" in home
    url = reverse("progress:bulk_submit", args=[world.h2.pk])
    page = client.get(url).content.decode()
    assert "以下2份草稿已填写完整" in page and "任务1." in page and "任务5." in page and "任务3." not in page
    response = client.post(url, {"report": [typed.pk, uploaded.report.pk]}, follow=True)
    assert "已报送2份报告：任务1、5。" in response.content.decode()
    statuses = dict(ProgressReport.objects.filter(department=world.fagai).values_list("task__number", "status"))
    assert statuses == {1: ReportStatus.SUBMITTED, 3: ReportStatus.DRAFT, 5: ReportStatus.SUBMITTED}


def test_a_clerk_cannot_bulk_submit_another_units_drafts(client, world):
    own = fagai_draft(world, 1)
    other = start_report(task=world.tasks[4], department_id=world.caizheng.pk, period=world.h2, user=world.caizheng_clerk)
    other = save_report(report_id=other.pk, user=world.caizheng_clerk, expected_version=other.version,
                        data=contribution_input("财政局的进展。"))
    before = write_counts()
    client.force_login(world.fagai_clerk)
    url = reverse("progress:bulk_submit", args=[world.h2.pk])
    assert client.post(url, {"report": [other.pk]}).status_code == 404  # another unit's draft: not even seen
    assert client.post(url, {"report": [own.pk, other.pk]}).status_code == 404  # mixed: all or none
    assert write_counts() == before
    with pytest.raises(ApplicationError) as caught:
        submit_reports(report_ids=[own.pk, other.pk], user=world.fagai_clerk)
    assert caught.value.code == ErrorCode.NOT_FOUND and "未报送任何报告" in caught.value.message
    assert ProgressReport.objects.get(pk=own.pk).status == ReportStatus.DRAFT
    # The plan office and leadership have no unit: the page refuses them.
    client.force_login(world.plan_office)
    assert client.post(url, {"report": [own.pk]}).status_code == 403
    assert ProgressReport.objects.get(pk=own.pk).status == ReportStatus.DRAFT


def test_bulk_submit_refuses_an_incomplete_or_submitted_report_and_the_heads_sign_off(client, world):
    complete = fagai_draft(world, 1)
    incomplete = fagai_draft(world, 3, text="")
    with pytest.raises(ApplicationError) as caught:
        submit_reports(report_ids=[complete.pk, incomplete.pk], user=world.fagai_clerk)
    assert "任务3" in caught.value.message and "请填写进展情况" in caught.value.message
    assert ProgressReport.objects.get(pk=complete.pk).status == ReportStatus.DRAFT  # rolled back
    submit_report(report_id=complete.pk, user=world.fagai_clerk)
    with pytest.raises(ApplicationError) as caught:
        submit_reports(report_ids=[complete.pk], user=world.fagai_clerk)
    assert "不能修改" in caught.value.message or "不是草稿" in caught.value.message

    gongxin_draft = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    Department.objects.filter(pk=world.gongxin.pk).update(head_signoff_required=True)
    client.force_login(world.gongxin_clerk)
    url = reverse("progress:bulk_submit", args=[world.h2.pk])
    assert "须由单位负责人审签" in client.get(url).content.decode()
    assert client.post(url, {"report": [gongxin_draft.pk]}).status_code == 403
    assert ProgressReport.objects.get(pk=gongxin_draft.pk).status == ReportStatus.DRAFT


# --- actuals -----------------------------------------------------------------------------------


@pytest.mark.no_rows
def test_value_warnings():
    assert value_warnings(value=Decimal("8.1"), unit="个", previous=Decimal("2650"))  # both reasons
    assert len(value_warnings(value=Decimal("8.1"), unit="个", previous=Decimal("2650"))) == 2
    assert value_warnings(value=Decimal("2700"), unit="个", previous=Decimal("2650")) == []
    assert value_warnings(value=Decimal("1.5"), unit="万人", previous=None) == []  # not a count unit
    assert value_warnings(value=Decimal("3"), unit="%", previous=Decimal("1")) == []  # exactly 3×: allowed
    assert value_warnings(value=Decimal("3.1"), unit="%", previous=Decimal("1"))
    assert value_warnings(value=Decimal("0.3"), unit="%", previous=Decimal("1"))  # a drop counts too
    assert value_warnings(value=Decimal("0"), unit="%", previous=Decimal("5")) == []


def test_a_suspicious_actual_asks_for_confirmation_and_saves_when_confirmed(client, world, settings):
    settings.PROGRESS_ACTUAL_JUMP_RATIO = 3.0
    type(world.target).objects.filter(pk=world.target.pk).update(unit="个")
    previous = ProgressReportFactory(task=world.tasks[2], department=world.gongxin, period=world.h1, status=ReportStatus.ACCEPTED)
    TargetActual.objects.create(report=previous, target=world.target, value=Decimal("2650"), data_date=dt.date(2024, 6, 30))
    client.force_login(world.gongxin_clerk)
    before = write_counts()
    key = f"actual-{world.target.pk}-value"
    response = client.post(form_url(world), post_data(world, version=0, action="submit", **{key: "8.1"}))
    assert response.status_code == 200 and write_counts() == before  # a warning, nothing written yet
    page = response.content.decode()
    assert "与上期的2650个相比变化超过3倍" in page and "实际值一般是整数" in page
    assert "数值无误，保存并报送" in page and 'value="8.1"' in page
    token = response.context["confirm_token"]
    # A value changed after the warning is checked again.
    changed = post_data(world, version=0, action="submit", confirm_actuals=token, **{key: "9.5"})
    assert client.post(form_url(world), changed).status_code == 200 and write_counts() == before
    confirmed = post_data(world, version=0, action="submit", confirm_actuals=token, **{key: "8.1"})
    assert client.post(form_url(world), confirmed).status_code == 302
    report = gongxin_report(world)
    assert report.status == ReportStatus.SUBMITTED and report.actuals.get().value == Decimal("8.1")


def test_a_value_confirmed_in_a_draft_is_not_asked_about_again(client, world, settings):
    settings.PROGRESS_ACTUAL_JUMP_RATIO = 3.0
    previous = ProgressReportFactory(task=world.tasks[2], department=world.gongxin, period=world.h1, status=ReportStatus.ACCEPTED)
    TargetActual.objects.create(report=previous, target=world.target, value=Decimal("1"), data_date=dt.date(2024, 6, 30))
    client.force_login(world.gongxin_clerk)
    key = f"actual-{world.target.pk}-value"
    warned = client.post(form_url(world), post_data(world, version=0, **{key: "40"}))
    assert warned.status_code == 200 and "变化超过3倍" in warned.content.decode()
    token = warned.context["confirm_token"]
    assert client.post(form_url(world), post_data(world, version=0, confirm_actuals=token, **{key: "40"})).status_code == 302
    report = gongxin_report(world)
    # Submitting the draft later with the same value goes through at once; a new odd value is asked about.
    assert client.post(form_url(world), post_data(world, version=report.version, **{key: "0.1"})).status_code == 200
    response = client.post(form_url(world), post_data(world, version=report.version, action="submit", **{key: "40"}))
    assert response.status_code == 302 and gongxin_report(world).status == ReportStatus.SUBMITTED


def test_a_plausible_actual_saves_at_once_and_the_ratio_is_a_setting(client, world, settings):
    previous = ProgressReportFactory(task=world.tasks[2], department=world.gongxin, period=world.h1, status=ReportStatus.ACCEPTED)
    TargetActual.objects.create(report=previous, target=world.target, value=Decimal("3"), data_date=dt.date(2024, 6, 30))
    client.force_login(world.gongxin_clerk)
    settings.PROGRESS_ACTUAL_JUMP_RATIO = 1.2
    response = client.post(form_url(world), post_data(world, version=0))  # 4.2 after 3: 1.4×
    assert response.status_code == 200 and "变化超过1.2倍" in response.content.decode()
    settings.PROGRESS_ACTUAL_JUMP_RATIO = 2.0
    assert client.post(form_url(world), post_data(world, version=0)).status_code == 302


# --- evidence with the first save -----------------------------------------------------------------


def test_evidence_can_be_attached_with_the_first_save(client, world, stored_files):
    client.force_login(world.gongxin_clerk)
    page = client.get(form_url(world)).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="evidence"' in page
    data = post_data(world, version=0, evidence=[SimpleUploadedFile("会议纪要.pdf", PDF, content_type="application/pdf")])
    response = client.post(form_url(world), data, follow=True)
    assert "已上传1个佐证材料" in response.content.decode()
    assert [e.original_name for e in gongxin_report(world).evidence.all()] == ["会议纪要.pdf"]


def test_a_refused_file_with_the_first_save_leaves_nothing(client, world, stored_files):
    client.force_login(world.gongxin_clerk)
    before = write_counts()
    bad = SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(form_url(world), post_data(world, version=0, evidence=[bad]))
    assert response.status_code >= 400 and write_counts() == before
    assert "请重新选择" in response.content.decode()
    assert not Evidence.objects.exists() and not list(stored_files.rglob("*.pdf"))


# --- the form's context ---------------------------------------------------------------------------


def test_the_form_shows_last_periods_comment_and_plans_and_flags_a_returned_prefill(client, world):
    ProgressReportFactory(
        task=world.tasks[2], department=world.gongxin, period=world.h1, status=ReportStatus.RETURNED,
        progress_text="上期进展。", next_steps_text="下半年引进两家企业。", review_comment="请下半年重点关注化工行业运行，按月报送增速",
    )
    client.force_login(world.gongxin_clerk)
    page = client.get(form_url(world)).content.decode()
    assert "审核意见：</strong>请下半年重点关注化工行业运行，按月报送增速" in page
    assert "上期下步打算：</strong>下半年引进两家企业。" in page
    assert "预填自本单位2024年上半年被规划科退回的报告" in page
    assert "第1版" not in page and "第0版" not in page


def test_the_lead_sees_contributions_beside_progress_with_a_quote_button(client, world):
    contribution = start_report(task=world.tasks[2], department_id=world.fagai.pk, period=world.h2, user=world.fagai_clerk)
    contribution = save_report(report_id=contribution.pk, user=world.fagai_clerk, expected_version=contribution.version,
                               data=contribution_input("发改局协调专项资金500万元。"))
    submit_report(report_id=contribution.pk, user=world.fagai_clerk)
    client.force_login(world.gongxin_clerk)
    page = client.get(form_url(world)).content.decode()
    inline = page.index('id="contributions-inline"')
    assert page.index('for="id_progress_text"') < inline < page.index('name="progress_text"')
    assert 'data-quote="市发改局：发改局协调专项资金500万元。"' in page and ">引用</button>" in page
    assert "progress/report_form.js" in page and "<script>" not in page


@pytest.fixture
def stored_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
