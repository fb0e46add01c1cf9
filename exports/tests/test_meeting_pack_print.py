"""The meeting pack as it prints (issue 15): fonts, widths and print settings read back with openpyxl,
the capped attention sheet, the per-unit sheets, and choosing the sheets on the page and the API."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl.utils import get_column_letter

from exports import meeting_pack
from exports.layout import BODY_POINTS, LANDSCAPE_UNITS, PORTRAIT_UNITS
from exports.meeting_pack import DEFAULT_SHEETS, SHEET_KEYS, build_meeting_pack
from exports.tests.conftest import open_workbook

PACK_PAGE = reverse("exports:meeting_pack")
PACK_API = "/api/exports/meeting-pack/"
OPTIONS_PAGE = reverse("exports:meeting_pack_options")


def download(client, user, url, params):
    client.force_login(user)
    response = client.get(url, params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_what_a_person_sees_in_print(pack_world):
    """Every sheet of the printed pack prints at 100% on A4: its columns fit the page width (the
    fitting only shrinks), every written cell is at least 10 points, the header row repeats."""
    workbook = open_workbook(build_meeting_pack(pack_world.h2, today=pack_world.today).read())
    assert workbook._fonts[0].name == "Arial"  # the width unit: the same in Excel, WPS and LibreOffice
    for ws in workbook.worksheets:
        landscape = ws.page_setup.orientation == "landscape"
        last = max(cell.column for row in ws.iter_rows() for cell in row if cell.value is not None)
        widths = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, last + 1))
        assert widths <= (LANDSCAPE_UNITS if landscape else PORTRAIT_UNITS), (ws.title, widths)
        sizes = {cell.font.sz for row in ws.iter_rows() for cell in row if cell.value is not None}
        assert min(sizes) >= BODY_POINTS, (ws.title, sizes)
        if ws.title not in ("封面汇总", "各单位完成情况"):
            assert landscape and ws.print_title_rows == "$3:$3", ws.title
            assert ws["B4"].font.sz == BODY_POINTS
    # the cover prints on one page; the units sheet's charts start a page of their own
    cover = workbook["封面汇总"]
    assert (cover.page_setup.fitToWidth, cover.page_setup.fitToHeight) == (1, 1)
    units = workbook["各单位完成情况"]
    [page_break] = units.row_breaks.brk
    assert units.cell(row=page_break.id + 1, column=1).value.startswith("附图")


def test_the_attention_sheet_is_capped_most_pressing_first_and_says_what_it_left_out(pack_world, monkeypatch):
    # 2025-01-15: red 3 (overdue, not reported) and 4 (reported 滞后); yellow 1 (report late) and 5 (no lead unit)
    monkeypatch.setattr(meeting_pack, "ATTENTION_LIMITS", {"red": 1, "yellow": 1})
    workbook = open_workbook(build_meeting_pack(pack_world.h2, today=pack_world.today).read())
    ws = workbook["逾期及风险任务"]
    rows = [row for row in ws.iter_rows(min_row=4, values_only=True)]
    assert [row[0] for row in rows[:2]] == [4, 1]  # the delayed task before the unreported one; red before yellow
    assert rows[0][4] == "红灯\n进展滞后" and rows[0][7] == "资金缺口较大。"
    note = rows[2][0]
    assert "红灯2项，列出1项；黄灯2项，列出1项" in note and "未列出2项" in note and "其他单位" in note
    assert len(rows) == 3 and "未列出2项" in ws["A2"].value
    cover_text = " ".join(str(c) for row in workbook["封面汇总"].iter_rows(values_only=True) for c in row if c)
    assert "未列出2项" in cover_text
    # 市发改局 leads task 1 on the sheet and two tasks in all: its own sheet; 市财政局 (one task) is a row of 其他单位
    assert workbook.sheetnames[4:] == ["市发改局", "其他单位"]
    others = [row[0] for row in workbook["其他单位"].iter_rows(min_row=4, values_only=True)]
    assert others == ["市工信局", "市财政局"]


def test_without_a_cap_reached_nothing_is_said_left_out(pack_world):
    workbook = open_workbook(build_meeting_pack(pack_world.h2, today=pack_world.today).read())
    rows = list(workbook["逾期及风险任务"].iter_rows(min_row=4, values_only=True))
    assert sorted(row[0] for row in rows) == [1, 3, 4, 5]
    assert "未列出" not in workbook["逾期及风险任务"]["A2"].value


@pytest.mark.parametrize("url", [PACK_PAGE, PACK_API])
def test_the_download_takes_a_choice_of_sheets(pack_world, client, url):
    response, body = download(client, pack_world.leader, url, {"period": pack_world.h2.pk, "sheets": "binding,cover"})
    assert response.status_code == 200
    assert open_workbook(body).sheetnames == ["封面汇总", "约束性指标"]  # in the pack's order
    assert unquote(response["Content-Disposition"]).endswith("会议材料（所选表格）.xlsx")
    # repeated parameters (the options page's checkboxes) and the sheets' Chinese names
    client.force_login(pack_world.plan_office)
    response = client.get(url, {"period": pack_world.h2.pk, "sheets": ["ledger", "逾期及风险任务"]})
    body = b"".join(response.streaming_content)
    assert open_workbook(body).sheetnames == ["逾期及风险任务", "台账"]
    # without the parameter: the printed pack, without the full ledger
    response, body = download(client, pack_world.plan_office, url, {"period": pack_world.h2.pk})
    assert "台账" not in open_workbook(body).sheetnames
    assert tuple(key for key in SHEET_KEYS if key != "ledger") == DEFAULT_SHEETS


@pytest.mark.parametrize("url", [PACK_PAGE, PACK_API])
def test_an_unknown_sheet_is_refused_in_chinese(pack_world, client, url):
    for sheets, message in (
        ("cover,台帐,xyz", "会议材料中没有这些表：台帐、xyz。可选：cover（封面汇总）、"),
        (" , ", "请至少选择一张表"),
    ):
        response, body = download(client, pack_world.plan_office, url, {"period": pack_world.h2.pk, "sheets": sheets})
        assert response.status_code == 400
        assert message in body.decode()
    if url == PACK_API:
        assert "sheets" in response.json()["errors"]


@pytest.mark.parametrize("url", [PACK_PAGE, PACK_API, OPTIONS_PAGE])
def test_choosing_sheets_keeps_the_packs_access_rule(pack_world, client, url):
    """Unit staff may not see the pack whatever they choose: 404 before the choice is read."""
    for user in (pack_world.gongxin_clerk, pack_world.fagai_clerk, pack_world.nobody):
        for sheets in ("cover", "nonsense"):
            response, body = download(client, user, url, {"period": pack_world.h2.pk, "sheets": sheets})
            assert response.status_code == 404 and "无权查看" in body.decode()
    client.logout()
    assert client.get(url, {"period": pack_world.h2.pk}).status_code in (302, 401, 403)


def test_the_options_page_offers_every_sheet(pack_world, client):
    client.force_login(pack_world.plan_office)
    html = client.get(OPTIONS_PAGE, {"period": pack_world.h2.pk}).content.decode()
    assert f'action="{PACK_PAGE}"' in html and f'name="period" value="{pack_world.h2.pk}"' in html
    boxes = dict(re.findall(r'name="sheets" value="(\w+)"( checked)?', html))
    assert list(boxes) == list(SHEET_KEYS)
    assert {key for key, checked in boxes.items() if checked} == set(DEFAULT_SHEETS)
    assert "逾期及风险任务表最多列出红灯30项、黄灯10项" in html
    response = client.get(OPTIONS_PAGE, {"period": 999999})
    assert response.status_code == 400 and "找不到编号为999999的填报期" in response.content.decode()
    board = client.get(reverse("progress:period_board", args=[pack_world.h2.pk])).content.decode()
    assert f'{OPTIONS_PAGE}?period={pack_world.h2.pk}"' in board
