"""Uploading a filled template: round trip, whole-file validation, refusals, permissions, conflicts."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from exports.cells import set_value
from offline import layout
from offline.identity import TemplateIdentity
from offline.tests.helpers import download, fill, fill_actual, open_book, save_book, upload
from progress.models import ProgressReport, ReportEvent, ReportStatus, TargetActual
from progress.services.reports import ReportInput, save_report, start_report, submit_report

pytestmark = pytest.mark.django_db


def _state():
    """What an upload may change: report rows, versions, history rows, actuals, events."""
    reports = sorted(ProgressReport.objects.values_list("pk", "version", "progress_text"))
    return (
        reports,
        ProgressReport.history.count(),
        sorted(TargetActual.objects.values_list("pk", "value", "state")),
        ReportEvent.objects.count(),
    )


def _previous(world):
    report = ProgressReport.objects.create(
        task=world.tasks[2], department=world.gongxin, period=world.h1, role="lead", status=ReportStatus.ACCEPTED,
        progress_status="on_track", percent=40, progress_text="上期进展", problems_text="上期问题", next_steps_text="上期打算",
    )
    TargetActual.objects.create(report=report, target=world.target, value=Decimal("4.2"), data_date=dt.date(2024, 6, 30))
    return report


def test_round_trip_creates_and_updates_drafts(world):
    _previous(world)
    book = open_book(download(world.gongxin_clerk, world.h2))
    fill(book, 2, status="存在风险", percent=60, problems_text="用地指标紧张")
    # Typed as text (as Excel does after an apostrophe): stays text, never a formula.
    ws = book[layout.MAIN_SHEET]
    set_value(ws.cell(row=3, column=10), "=SUM(A1:A3) 完成了三个项目\n第二行")
    set_value(ws.cell(row=3, column=12), "-加快审批")
    fill_actual(book, 2, 1, value=4.75, data_date=dt.date(2024, 12, 31), state="已填报", note="统计局快报")
    response = upload(world.gongxin_clerk, save_book(book))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created_count"], body["updated_count"], body["unchanged"]) == (1, 0, 0)
    report = ProgressReport.objects.get(task=world.tasks[2], department=world.gongxin, period=world.h2)
    assert report.status == ReportStatus.DRAFT and report.version == 2
    assert report.progress_status == "at_risk" and report.percent == 60
    assert report.progress_text == "=SUM(A1:A3) 完成了三个项目\n第二行"  # a formula-looking text stays text
    assert report.next_steps_text == "-加快审批"
    assert report.prefilled_from.period == world.h1
    actual = report.actuals.get()
    assert (actual.value, actual.data_date, actual.note) == (Decimal("4.75"), dt.date(2024, 12, 31), "统计局快报")
    assert report.history.count() == 2  # created (pre-filled), then saved
    assert list(report.events.values_list("type", flat=True)) == ["created"]
    assert report.history.first().history_user == world.gongxin_clerk
    assert body["created"][0]["url"] == reverse("progress:report_form", args=[world.tasks[2].pk, world.h2.pk])

    # Download again (pre-filled from the draft): formula text written back as text; change only the percent.
    book = open_book(download(world.gongxin_clerk, world.h2))
    ws = book[layout.MAIN_SHEET]
    assert ws.cell(row=3, column=10).value.startswith("=SUM") and ws.cell(row=3, column=10).data_type == "s"
    fill(book, 2, percent=70)
    body = upload(world.gongxin_clerk, save_book(book)).json()
    assert (body["created_count"], body["updated_count"]) == (0, 1)
    report.refresh_from_db()
    assert report.version == 3 and report.percent == 70 and report.progress_text.startswith("=SUM")
    assert report.actuals.get().value == Decimal("4.75")

    # The same file again: the content equals what is stored: nothing saved, no version bump.
    body = upload(world.gongxin_clerk, save_book(open_book(download(world.gongxin_clerk, world.h2)))).json()
    assert (body["created_count"], body["updated_count"], body["unchanged"]) == (0, 0, 1)
    report.refresh_from_db()
    assert report.version == 3


def test_untouched_template_writes_nothing(world):
    _previous(world)
    before = _state()
    body = upload(world.fagai_clerk, download(world.fagai_clerk, world.h2)).json()
    assert body["unchanged"] == 4 and body["created_count"] == 0
    assert _state() == before


def test_supporting_unit_writes_its_contribution(world):
    book = open_book(download(world.fagai_clerk, world.h2))
    fill(book, 2, status="正常推进", progress_text="配合提供了项目清单")
    body = upload(world.fagai_clerk, save_book(book)).json()
    assert body["created_count"] == 1
    report = ProgressReport.objects.get(task=world.tasks[2], department=world.fagai, period=world.h2)
    assert report.role == "supporting" and report.progress_text == "配合提供了项目清单"
    assert not report.actuals.exists()


def test_bad_upload_lists_every_error_and_changes_nothing(world):
    report = start_report(task=world.tasks[1], department_id=world.fagai.pk, period=world.h2, user=world.fagai_clerk)
    book = open_book(download(world.fagai_clerk, world.h2))
    fill(book, 1, progress_text="这一行本身没问题")
    fill(book, 2, status="进行中")
    fill(book, 3, percent=150)
    fill(book, 5, status="已完成", percent=80, problems_text="字" * 5001)
    before = _state()
    response = upload(world.fagai_clerk, save_book(book))
    assert response.status_code == 400
    errors = response.json()["errors"]
    found = {(e["number"], e["row"], e["column"]) for e in errors}
    assert (2, 4, "状态") in found
    assert (3, 5, "完成百分比") in found
    assert (5, 6, "完成百分比") in found and (5, 6, "存在问题") in found
    assert all(e["sheet"] == layout.MAIN_SHEET for e in errors)
    assert "0到100的整数" in next(e["message"] for e in errors if e["number"] == 3)
    assert _state() == before
    report.refresh_from_db()
    assert report.version == 1

    page = upload(world.fagai_clerk, save_book(book), api=False)
    assert page.status_code == 400
    html = page.content.decode()
    assert "未写入任何内容" in html and "第5行" in html and "完成百分比" in html and "序号" in html


def test_actual_errors_are_listed_by_row_and_column(world):
    book = open_book(download(world.gongxin_clerk, world.h2))
    fill(book, 2, progress_text="改了")
    fill_actual(book, 2, 1, value="约五", data_date="明年")
    errors = upload(world.gongxin_clerk, save_book(book)).json()["errors"]
    assert {(e["sheet"], e["row"], e["column"]) for e in errors} == {
        (layout.ACTUALS_SHEET, 3, "实际值"), (layout.ACTUALS_SHEET, 3, "数据截至日期"),
    }
    book = open_book(download(world.gongxin_clerk, world.h2))
    fill_actual(book, 2, 1, value=5, state="数据尚未发布")
    errors = upload(world.gongxin_clerk, save_book(book)).json()["errors"]
    assert errors[0]["column"] == "实际值" and "尚未发布" in errors[0]["message"]
    book = open_book(download(world.gongxin_clerk, world.h2))
    fill_actual(book, 2, 1, value=5)
    errors = upload(world.gongxin_clerk, save_book(book)).json()["errors"]
    assert errors[0]["column"] == "数据截至日期"
    assert not ProgressReport.objects.filter(period=world.h2).exists()


def test_version_conflict_names_who_changed_it(world):
    report = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    book = open_book(download(world.gongxin_clerk, world.h2))
    save_report(report_id=report.pk, user=world.gongxin_head, expected_version=1,
                data=ReportInput(progress_status="on_track", progress_text="负责人在网页上改了"))
    fill(book, 2, progress_text="离线填写的内容")
    before = _state()
    response = upload(world.gongxin_clerk, save_book(book))
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert "gongxin_head" in error["message"] and "第2版" in error["message"] and error["number"] == 2
    assert _state() == before
    # An untouched row is not a conflict: the web's change is kept.
    assert upload(world.gongxin_clerk, download(world.gongxin_clerk, world.h2)).status_code == 200


def test_report_started_on_the_web_after_download_is_a_conflict(world):
    book = open_book(download(world.gongxin_clerk, world.h2))
    report = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_head)
    save_report(report_id=report.pk, user=world.gongxin_head, expected_version=1,
                data=ReportInput(progress_status="on_track", progress_text="网页"))
    fill(book, 2, progress_text="离线")
    response = upload(world.gongxin_clerk, save_book(book))
    assert response.status_code == 400 and "开始填报" in response.json()["errors"][0]["message"]


def test_submitted_report_row_error_if_changed_skipped_if_not(world):
    report = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    TargetActual.objects.create(report=report, target=world.target, state="not_released")
    save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=1,
                data=ReportInput(progress_status="on_track", progress_text="已写好"))
    submit_report(report_id=report.pk, user=world.gongxin_head)
    content = download(world.gongxin_clerk, world.h2)
    assert upload(world.gongxin_clerk, content).json()["unchanged"] == 1
    book = open_book(content)
    fill(book, 2, progress_text="想改已报送的")
    response = upload(world.gongxin_clerk, save_book(book))
    assert response.status_code == 400 and "不能再修改" in response.json()["errors"][0]["message"]
    report.refresh_from_db()
    assert report.progress_text == "已写好" and report.status == ReportStatus.SUBMITTED


def test_closed_period_refused(world):
    content = download(world.gongxin_clerk, world.h2)
    world.h2.status = "closed"
    world.h2.save()
    response = upload(world.gongxin_clerk, content)
    assert response.status_code == 409 and "已关闭" in response.json()["detail"]


def test_another_units_template_is_refused(world):
    book = open_book(download(world.caizheng_clerk, world.h2))
    fill(book, 2, progress_text="冒充")
    response = upload(world.gongxin_clerk, save_book(book))
    assert response.status_code == 403 and "市财政局的填报模板" in response.json()["detail"]
    page = upload(world.gongxin_clerk, save_book(book), api=False)
    assert page.status_code == 403 and "只能上传本单位的模板" in page.content.decode()
    assert not ProgressReport.objects.filter(period=world.h2).exists()


@pytest.mark.parametrize("who", ["plan_office", "leader", "nobody"])
def test_only_unit_staff_upload(world, who):
    content = download(world.gongxin_clerk, world.h2)
    response = upload(getattr(world, who), content)
    assert response.status_code == 403
    assert upload(getattr(world, who), content, api=False).status_code == 403


def test_hand_edited_identity_is_refused(world):
    """Unit A edits the identity sheet to name unit B: the signature no longer matches."""
    book = open_book(download(world.gongxin_clerk, world.h2))
    ws = book[layout.IDENTITY_SHEET]
    ws["B4"] = world.caizheng.pk
    fill(book, 2, progress_text="改")
    response = upload(world.gongxin_clerk, save_book(book))
    assert response.status_code == 400 and "模板标识无效" in response.json()["detail"]
    # A signature edited by hand.
    book = open_book(download(world.gongxin_clerk, world.h2))
    token = book[layout.IDENTITY_SHEET]["B6"].value
    book[layout.IDENTITY_SHEET]["B6"] = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = upload(world.gongxin_clerk, save_book(book))
    assert response.status_code == 400 and "模板标识无效" in response.json()["detail"]
    # A payload re-signed without the key does not verify either; a missing identity sheet is refused.
    book = open_book(download(world.gongxin_clerk, world.h2))
    del book[layout.IDENTITY_SHEET]
    response = upload(world.gongxin_clerk, save_book(book))
    assert response.status_code == 400 and "缺少模板标识" in response.json()["detail"]
    assert not ProgressReport.objects.filter(period=world.h2).exists()


def test_another_periods_template_is_refused(world):
    book = open_book(download(world.gongxin_clerk, world.h2))
    world.h2.status = "closed"
    world.h2.save()
    from progress.tests.factories import ReviewPeriodFactory

    h3 = ReviewPeriodFactory(plan=world.plan, name="2025年上半年", starts_on=dt.date(2025, 1, 1))
    fill(book, 2, progress_text="上一期的模板")
    response = upload(world.gongxin_clerk, save_book(book))
    assert response.status_code == 409
    assert not ProgressReport.objects.filter(period=h3).exists()


def test_hidden_and_extra_sheets_are_ignored(world):
    book = open_book(download(world.gongxin_clerk, world.h2))
    extra = book.create_sheet("我的草稿")
    extra["A3"] = 2
    hidden = book.copy_worksheet(book[layout.MAIN_SHEET])
    hidden.title = "隐藏副本"
    hidden.sheet_state = "hidden"
    fill(book, 2, progress_text="正式内容")
    body = upload(world.gongxin_clerk, save_book(book)).json()
    assert body["created_count"] == 1
    assert ProgressReport.objects.get(period=world.h2).progress_text == "正式内容"


def test_unknown_and_duplicate_rows_are_errors(world):
    book = open_book(download(world.gongxin_clerk, world.h2))
    ws = book[layout.MAIN_SHEET]
    ws.cell(row=4, column=1).value = 4  # 市财政局's task
    ws.cell(row=5, column=1).value = 2
    ws.cell(row=5, column=8).value = "未启动"
    errors = upload(world.gongxin_clerk, save_book(book)).json()["errors"]
    assert {(e["row"], e["column"]) for e in errors} == {(4, "序号"), (5, "序号")}


# --- refused files -------------------------------------------------------------------------------


def _with_parts(content: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = (replace or {}).get(item.filename, source.read(item))
            target.writestr(item.filename, data)
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def test_xlsm_refused_by_content_and_by_name(world):
    content = download(world.gongxin_clerk, world.h2)
    types = zipfile.ZipFile(io.BytesIO(content)).read("[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    macro = _with_parts(content, replace={"[Content_Types].xml": types}, add={"xl/vbaProject.bin": b"\x00" * 64})
    response = upload(world.gongxin_clerk, macro, name="改名了.xlsx")
    assert response.status_code == 400 and "宏" in response.json()["detail"]
    xltm = _with_parts(content, replace={"[Content_Types].xml": types})
    assert ".xlsm" in upload(world.gongxin_clerk, xltm).json()["detail"]
    response = upload(world.gongxin_clerk, content, name="模板.xlsm")
    assert response.status_code == 400 and "“.xlsm”" in response.json()["detail"]


def test_csv_xls_and_garbage_refused(world):
    csv = "序号,状态\n2,正常推进\n".encode()
    for name in ("模板.csv", "模板.xlsx"):
        response = upload(world.gongxin_clerk, csv, name=name)
        assert response.status_code == 400 and "不是 Excel 工作簿" in response.json()["detail"]
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert ".xls" in upload(world.gongxin_clerk, ole, name="模板.xls").json()["detail"]
    assert "损坏" in upload(world.gongxin_clerk, b"PK\x03\x04garbage").json()["detail"]
    notbook = io.BytesIO()
    with zipfile.ZipFile(notbook, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "不是 Excel 工作簿" in upload(world.gongxin_clerk, notbook.getvalue()).json()["detail"]


@override_settings(OFFLINE_UPLOAD_MAX_BYTES=20_000)
def test_oversized_file_refused(world):
    content = download(world.gongxin_clerk, world.h2) + b"\x00" * 30_000
    response = upload(world.gongxin_clerk, content)
    assert response.status_code == 400 and "文件过大" in response.json()["detail"]
    page = upload(world.gongxin_clerk, content, api=False)
    assert page.status_code == 400 and "文件过大" in page.content.decode()


@override_settings(OFFLINE_UPLOAD_MAX_ROWS=3)
def test_too_many_rows_refused(world):
    book = open_book(download(world.gongxin_clerk, world.h2))
    ws = book[layout.MAIN_SHEET]
    for r in range(4, 9):
        ws.cell(row=r, column=1).value = 100 + r
    response = upload(world.gongxin_clerk, save_book(book))
    assert response.status_code == 400 and "超过3行" in response.json()["detail"]


def test_zip_bomb_refused_before_parsing(world, monkeypatch):
    content = download(world.gongxin_clerk, world.h2)
    bomb = _with_parts(content, add={"xl/media/padding.xml": b"<a>" + b" " * (20 * 1024 * 1024) + b"</a>"})
    assert len(bomb) < 200_000

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not parse a zip bomb")

    monkeypatch.setattr("openpyxl.load_workbook", never)
    response = upload(world.gongxin_clerk, bomb)
    assert response.status_code == 400 and "压缩比异常" in response.json()["detail"]


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def test_xml_bomb_refused(world):
    content = download(world.gongxin_clerk, world.h2)
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    body = sheet.split(b"?>", 1)[-1]
    bomb = _with_parts(content, replace={"xl/worksheets/sheet1.xml": BILLION_LAUGHS + body.replace(b"<v>2</v>", b"<v>&lol3;</v>", 1)})
    response = upload(world.gongxin_clerk, bomb)
    assert response.status_code == 400 and "DOCTYPE/ENTITY" in response.json()["detail"]
    assert not ProgressReport.objects.filter(period=world.h2).exists()


@pytest.mark.no_rows
def test_openpyxl_parses_with_defusedxml():
    """Even past the pre-scan, openpyxl's own parsers refuse (worksheets: defusedxml's iterparse) or
    do not expand (other parts: lxml without entity resolution) entity declarations."""
    import defusedxml
    from openpyxl.xml import DEFUSEDXML
    from openpyxl.xml.functions import fromstring, iterparse

    assert DEFUSEDXML is True
    with pytest.raises(defusedxml.DefusedXmlException):
        list(iterparse(io.BytesIO(BILLION_LAUGHS + b"<a>&lol3;</a>")))
    root = fromstring(BILLION_LAUGHS + b"<a>&lol3;</a>")
    assert len("".join(root.itertext())) < 100


def test_upload_page_for_a_phone(world):
    client = Client()
    client.force_login(world.gongxin_clerk)
    response = client.get(reverse("offline:template_upload"), {"period": world.h2.pk})
    html = response.content.decode()
    assert response.status_code == 200 and "正在校验…" in html and 'name="viewport"' in html
    assert reverse("offline:template_download") in html
    home = client.get(reverse("progress:home")).content.decode()
    assert "下载填报模板" in home and "上传填报模板" in home
    book = open_book(download(world.gongxin_clerk, world.h2))
    fill(book, 2, progress_text="网页上传")
    page = upload(world.gongxin_clerk, save_book(book), api=False)
    assert page.status_code == 200 and "新建草稿 1 项" in page.content.decode()


def test_identity_rows_match_reports(world):
    report = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    book = open_book(download(world.gongxin_clerk, world.h2))
    identity = TemplateIdentity.from_token(book[layout.IDENTITY_SHEET]["B6"].value)
    assert identity.rows[0].report_id == report.pk


def test_a_real_formula_is_an_error(world):
    book = open_book(download(world.gongxin_clerk, world.h2))
    fill(book, 2, percent="=40+10")
    (error,) = upload(world.gongxin_clerk, save_book(book)).json()["errors"]
    assert error["column"] == "完成百分比" and "公式" in error["message"]


def test_xml_bomb_past_the_prescan_is_refused_by_openpyxls_defused_parser(world, monkeypatch):
    content = download(world.gongxin_clerk, world.h2)
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    body = sheet.split(b"?>", 1)[-1]
    bomb = _with_parts(content, replace={"xl/worksheets/sheet1.xml": BILLION_LAUGHS + body.replace(b"<v>2</v>", b"<v>&lol3;</v>", 1)})
    monkeypatch.setattr("offline.safety._prescan_xml", lambda archive: None)
    response = upload(world.gongxin_clerk, bomb)
    assert response.status_code == 400 and "DOCTYPE/ENTITY" in response.json()["detail"]


def test_worksheet_with_a_doctype_is_refused_while_streamed_in_small_chunks(world, monkeypatch):
    monkeypatch.setattr("offline.safety.SCAN_CHUNK_BYTES", 100)
    content = download(world.gongxin_clerk, world.h2)
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    bomb = _with_parts(content, replace={"xl/worksheets/sheet1.xml": BILLION_LAUGHS + sheet.split(b"?>", 1)[-1]})
    response = upload(world.gongxin_clerk, bomb)
    assert response.status_code == 400 and "DOCTYPE/ENTITY" in response.json()["detail"]


def test_checking_an_upload_takes_the_same_queries_for_more_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from offline.upload import check_upload
    from tasks.tests.factories import LeadFactory, TaskFactory

    def queries_for_filled_template() -> tuple[int, int]:
        book = open_book(download(world.fagai_clerk, world.h2))
        ws = book[layout.MAIN_SHEET]
        for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1):
            ws.cell(row=r, column=10).value = f"第{r}行的进展"
        data = save_book(book)
        user = type(world.fagai_clerk).objects.get(pk=world.fagai_clerk.pk)  # roles read afresh
        with CaptureQueriesContext(connection) as queries:
            plan = check_upload(data=data, filename="t.xlsx", user=user)
        return len(queries), len(plan.writes)

    small, writes = queries_for_filled_template()
    assert writes == 4
    for n in range(15):
        LeadFactory(task=TaskFactory(plan=world.plan, section=world.chapter2, number=200 + n), department=world.fagai)
    large, writes = queries_for_filled_template()
    assert writes == 19 and large == small, (small, large)
