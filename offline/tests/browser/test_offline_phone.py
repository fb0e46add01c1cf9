"""A clerk on a phone downloads the unit's template, fills it offline and loads it back: a bad file
is refused with every problem listed and nothing written; the corrected file becomes a draft."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import expect

from exports.cells import set_value
from progress.models import ProgressReport, ReportStatus
from progress.tests.browser.conftest import SMALL_PHONE, assert_controls_labelled, assert_no_horizontal_scroll, login

pytestmark = pytest.mark.browser


def _columns(sheet, header_row: int = 2) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[header_row] if cell.value}


def _row_of(sheet, number: int, header_row: int = 2) -> int:
    for row in sheet.iter_rows(min_row=header_row + 1):
        if str(row[0].value) == str(number):
            return row[0].row
    raise AssertionError(f"task {number} is not in sheet {sheet.title}")


def _fill(template, out, *, percent: int) -> None:
    workbook = openpyxl.load_workbook(template)
    form = workbook["填报表"]
    cols, row = _columns(form), _row_of(form, 2)
    form.cell(row=row, column=cols["状态"]).value = "正常推进"
    form.cell(row=row, column=cols["完成百分比"]).value = percent
    # Typed in Excel as '=… (a text, not a formula): a string cell with quotePrefix.
    set_value(form.cell(row=row, column=cols["进展情况"]), "=离线填写：新签约项目3个")
    actuals = workbook["指标实际值"]
    cols, row = _columns(actuals), _row_of(actuals, 2)
    actuals.cell(row=row, column=cols["实际值"]).value = 12.5
    actuals.cell(row=row, column=cols["数据截至日期"]).value = dt.date(2024, 12, 31)  # a date cell, as Excel stores one typed in
    actuals.cell(row=row, column=cols["数据状态"]).value = "已填报"
    workbook.save(out)


def _upload(page, path) -> None:
    page.get_by_label("填写好的填报模板（.xlsx）").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并校验").click()


def test_a_clerk_on_a_phone_fills_the_template_offline_and_loads_it_back(open_page, browser_world, shot, tmp_path):
    w = browser_world
    page = open_page(viewport=SMALL_PHONE)
    login(page, "gongxin_clerk")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载填报模板").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    assert download.value.suggested_filename.endswith(".xlsx")

    # A percent of 150: refused as a whole, the problem named by sheet, task, row and column.
    _fill(template, tmp_path / "bad.xlsx", percent=150)
    page.get_by_role("link", name="上传填报模板").click()
    assert_controls_labelled(page)
    _upload(page, tmp_path / "bad.xlsx")
    expect(page.get_by_text("未写入任何内容")).to_be_visible()
    expect(page.get_by_text("完成百分比").first).to_be_visible()
    expect(page.get_by_text("须为0到100的整数")).to_be_visible()
    assert_no_horizontal_scroll(page)
    shot(page, "phone-offline-upload-errors")
    assert not ProgressReport.objects.filter(task=w.tasks[2], department=w.gongxin, period=w.h2).exists()

    # Corrected: the row becomes a draft, exactly what was typed (the leading "=" kept as text).
    _fill(template, tmp_path / "good.xlsx", percent=60)
    _upload(page, tmp_path / "good.xlsx")
    expect(page.get_by_text("上传成功")).to_be_visible()
    expect(page.get_by_text("新建草稿 1 项")).to_be_visible()
    assert_no_horizontal_scroll(page)
    shot(page, "phone-offline-upload-done")
    report = ProgressReport.objects.get(task=w.tasks[2], department=w.gongxin, period=w.h2)
    assert report.status == ReportStatus.DRAFT
    assert (report.progress_status, report.percent) == ("on_track", 60)
    assert report.progress_text == "=离线填写：新签约项目3个"
    actual = report.actuals.get(target=w.target)
    assert (actual.value, actual.data_date) == (Decimal("12.5"), dt.date(2024, 12, 31))

    # The result links the report; it opens in the portal with the uploaded text.
    page.get_by_role("link", name="任务 2").click()
    expect(page.get_by_text("=离线填写：新签约项目3个").first).to_be_visible()
