"""The downloads (portal, API) opened back with openpyxl: layout, print settings, charts, rows,
permissions, formula injection, and the cover's numbers against the dashboard."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.selectors.overview import period_overview
from exports.meeting_pack import SHEET_KEYS, build_meeting_pack
from exports.tests.conftest import all_text, open_workbook, sheet_xml
from tasks.tests.factories import LeadFactory, TaskFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEDGER_URL = "/api/exports/ledger/"
PACK_URL = "/api/exports/meeting-pack/"
MALICIOUS = ['=HYPERLINK("http://evil.example/","点我")', "+1", "-1", "@SUM(A1:A2)"]


def download(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def ledger_numbers(content: bytes, sheet: str = "台账") -> list[str]:
    ws = open_workbook(content)[sheet]
    return [str(row[0]).rstrip("*") for row in ws.iter_rows(min_row=4, values_only=True) if row[0] is not None]


# --- the meeting pack's layout ----------------------------------------------------------------


@pytest.fixture
def pack(pack_world, client):
    response, body = download(client, pack_world.plan_office, reverse("exports:meeting_pack"), period=pack_world.h2.pk)
    assert response.status_code == 200, body[:500]
    return body


@pytest.fixture
def full_pack(pack_world, client):
    """The pack with every sheet, the full ledger included."""
    response, body = download(
        client, pack_world.plan_office, reverse("exports:meeting_pack"), period=pack_world.h2.pk, sheets=",".join(SHEET_KEYS)
    )
    assert response.status_code == 200, body[:500]
    return body


def test_the_pack_has_its_sheets_in_order(pack_world, pack, full_pack):
    # 市发改局 leads two tasks on the attention sheet: its own sheet; 市工信局 and 市财政局 lead one task each
    assert open_workbook(pack).sheetnames == ["封面汇总", "逾期及风险任务", "约束性指标", "各单位完成情况", "市发改局", "其他单位"]
    assert open_workbook(full_pack).sheetnames == [*open_workbook(pack).sheetnames, "台账"]


def test_the_cover_names_the_meeting_and_the_period(pack_world, pack):
    cover = open_workbook(pack)["封面汇总"]
    assert "年度总结专题会" in cover["A1"].value  # 2024年下半年 is the annual summary
    assert "2024年下半年" in cover["A1"].value and pack_world.plan.title in cover["A1"].value
    assert "专题会日期：2025年01月20日" in cover["A2"].value
    pack_world.h2.is_annual_summary = False
    pack_world.h2.save()
    half_year = open_workbook(build_meeting_pack(pack_world.h2).read())["封面汇总"]
    assert "对标分析专题会" in half_year["A1"].value


def test_every_table_sheet_has_the_official_layout(full_pack):
    workbook = open_workbook(full_pack)
    for ws in workbook.worksheets:
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert "A1:" in " ".join(str(r) for r in ws.merged_cells.ranges)  # merged title row
        if ws.title == "封面汇总":  # one page, portrait
            assert (ws.page_setup.orientation, ws.page_setup.fitToHeight) == ("portrait", 1)
            continue
        assert ws.page_setup.fitToHeight == 0  # fitted to the width only: as many pages as the rows need
        if ws.title == "各单位完成情况":
            assert ws.page_setup.orientation == "portrait"
            continue
        assert ws.page_setup.orientation == "landscape"
        assert ws.freeze_panes == "A4"
        assert ws.print_title_rows == "$3:$3"
        assert ws.auto_filter.ref.startswith("A3:")
        assert ws["A1"].font.name == "黑体" and ws["A4"].font.name == "宋体"
        assert ws["B4"].alignment.wrap_text
    ledger = workbook["台账"]
    assert [c.value for c in ledger[3]][:5] == ["序号", "章节", "任务内容", "牵头单位", "配合单位"]
    assert ledger.auto_filter.ref == "A3:N8"
    assert ledger.column_dimensions["C"].width > ledger.column_dimensions["A"].width


def test_the_ledger_sheets_offer_the_status_drop_down(full_pack):
    """The plan office may mark a status during the meeting: 推进状态 takes only the dashboard's statuses."""
    workbook = open_workbook(full_pack)
    for title in ("台账", "逾期及风险任务", "市发改局"):
        ws = workbook[title]
        [validation] = ws.data_validations.dataValidation
        status_column = [c.value for c in ws[3]].index("推进状态") + 1
        letter = ws.cell(row=3, column=status_column).column_letter
        assert str(validation.sqref) == f"{letter}4:{letter}{ws.max_row}", title
        assert validation.type == "list" and validation.showErrorMessage
        assert validation.formula1 == '"未启动,正常推进,存在风险,滞后,已完成,未报送"'
        assert validation.error.startswith("推进状态请从下拉列表中选择：未启动、")
        statuses = {row[0] for row in ws.iter_rows(min_row=4, min_col=status_column, max_col=status_column, values_only=True)}
        assert statuses <= set(validation.formula1.strip('"').split(","))  # what is written is allowed
    for title in ("约束性指标", "封面汇总", "各单位完成情况", "其他单位"):
        assert not workbook[title].data_validations.dataValidation


def test_lights_and_statuses_are_coloured(pack_world, full_pack):
    workbook = open_workbook(full_pack)
    ledger = workbook["台账"]
    rows = {str(r[0].value).rstrip("*"): r for r in ledger.iter_rows(min_row=4)}
    light = rows["4"][11]
    assert light.value.startswith("红灯") and light.fill.fgColor.rgb.endswith("FFC7CE")
    assert rows["4"][10].value == "滞后" and rows["4"][10].fill.fgColor.rgb.endswith("FFC7CE")
    attention = {str(r[0].value): r for r in workbook["逾期及风险任务"].iter_rows(min_row=4) if r[0].value}
    assert attention["4"][4].value.startswith("红灯") and attention["4"][4].fill.fgColor.rgb.endswith("FFC7CE")
    assert attention["5"][4].value == "黄灯\n未落实牵头单位" and attention["5"][4].fill.fgColor.rgb.endswith("FFEB9C")


def test_the_units_sheet_has_native_bar_charts(pack):
    parts = sheet_xml(pack)
    charts = [name for name in parts if re.match(r"xl/charts/chart\d+\.xml", name)]
    assert len(charts) == 2
    assert all(re.search(r"<(c:)?barChart>", parts[name]) for name in charts)
    assert all("各单位完成情况" in parts[name] for name in charts)  # the series read the units sheet's tables
    drawing_rels = [name for name in parts if name.startswith("xl/drawings/_rels/")]
    assert drawing_rels and "charts/chart" in parts[drawing_rels[0]]


def test_the_ledger_sheets_hold_every_task_with_its_units(pack_world, full_pack):
    workbook = open_workbook(full_pack)
    assert ledger_numbers(full_pack) == ["1", "2", "3", "4", "5"]
    rows = {str(r[0]).rstrip("*"): r for r in workbook["台账"].iter_rows(min_row=4, values_only=True)}
    assert rows["2"][3:5] == ("市工信局", "市发改局、市财政局")
    assert rows["2"][0] == "2*"  # binding, as the plan marks it
    assert rows["2"][13] == "4.2%（截至2024-12-31）"
    # a unit's sheet: its led tasks, red before yellow
    unit_rows = list(workbook["市发改局"].iter_rows(min_row=4, values_only=True))
    assert sorted(str(r[0]) for r in unit_rows) == ["1", "3"]
    lights = [r[3].split("\n")[0] for r in unit_rows]
    assert lights == sorted(lights, key=["红灯", "黄灯", "绿灯"].index)
    # the other lead units: a row each, with the numbers of their red and yellow tasks
    others = {r[0]: r for r in workbook["其他单位"].iter_rows(min_row=4, values_only=True)}
    assert others["市财政局"][1:] == (1, 0, 1, 0, 0, "红灯：4")
    assert others["市工信局"][0] == "市工信局"
    binding = list(workbook["约束性指标"].iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in binding] == ["2*"] and binding[0][2] == "市工信局"


def test_the_cover_numbers_are_the_dashboards(pack_world, pack, client):
    overview = period_overview(pack_world.h2)
    workbook = open_workbook(pack)
    cover = workbook["封面汇总"]
    values = {row[0].value: [c.value for c in row] for row in cover.iter_rows() if row[0].value}
    headline_header = next(row for row in cover.iter_rows(values_only=True) if row[0] == "任务总数")
    headline = list(cover.iter_rows(values_only=True))[[r[0] for r in cover.iter_rows(values_only=True)].index("任务总数") + 1]
    numbers = dict(zip(headline_header, headline, strict=True))
    assert numbers["任务总数"] == overview.total
    assert numbers["已完成"] == overview.completed
    assert numbers["完成率"] == overview.completion_rate
    assert (numbers["红灯"], numbers["黄灯"], numbers["绿灯"]) == tuple(overview.light_counts[k] for k in ("red", "yellow", "green"))
    units = {row[0].value: [c.value for c in row] for row in workbook["各单位完成情况"].iter_rows() if row[0].value}
    for unit in overview.lead_units:
        assert units[unit.name][1:10] == [unit.tasks, unit.completed, unit.rate, unit.on_time, unit.late,
                                          unit.not_submitted, unit.red, unit.yellow, unit.silent]
    for chapter in overview.chapters:
        assert values[chapter.heading][1:4] == [chapter.total, chapter.completed, chapter.rate]
        assert units[chapter.heading][1:4] == [chapter.total, chapter.completed, chapter.rate]
    # and the dashboard's API says the same
    client.force_login(pack_world.leader)
    api = client.get("/api/dashboard/", {"period": pack_world.h2.pk}).json()
    assert (api["total"], api["completed"], api["completion_rate"]) == (numbers["任务总数"], numbers["已完成"], numbers["完成率"])
    api_units = {u["name"]: u for u in api["lead_units"]}
    for unit in overview.lead_units:
        assert units[unit.name][1:3] == [api_units[unit.name]["tasks"], api_units[unit.name]["completed"]]
    assert {light["light"]: light["count"] for light in api["lights"]} == overview.light_counts


def test_the_pack_queries_do_not_grow_with_the_plan(pack_world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            build_meeting_pack(pack_world.h2).close()
        return len(queries)

    small = count()
    for n in range(30):
        LeadFactory(task=TaskFactory(plan=pack_world.plan, section=pack_world.chapter2, number=200 + n), department=pack_world.fagai)
    assert count() == small


# --- formula injection ------------------------------------------------------------------------


def test_people_text_stays_inert_text_in_every_cell(pack_world, client):
    report = pack_world.r2
    report.progress_text, report.problems_text, report.next_steps_text = MALICIOUS[0], MALICIOUS[1], MALICIOUS[2]
    report.save()
    pack_world.gongxin.name = MALICIOUS[3]
    pack_world.gongxin.save()
    for url, user in ((reverse("exports:meeting_pack"), pack_world.plan_office), (LEDGER_URL, pack_world.leader)):
        response, body = download(client, user, url, period=pack_world.h2.pk)
        assert response.status_code == 200
        sheets = {name: xml for name, xml in sheet_xml(body).items() if name.startswith("xl/worksheets/sheet")}
        assert len(sheets) == len(open_workbook(body).sheetnames)
        for name, xml in sheets.items():
            assert "<f>" not in xml and "<f " not in xml, name
        workbook = open_workbook(body)
        found = {}
        for ws in workbook.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value in MALICIOUS:
                        found[cell.value] = cell
                        assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)
        assert set(found) == set(MALICIOUS), url


# --- downloads and permissions -----------------------------------------------------------------


def test_the_file_comes_as_an_xlsx_attachment_with_a_chinese_name(pack_world, client):
    response, body = download(client, pack_world.plan_office, PACK_URL, period=pack_world.h2.pk)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    assert unquote(disposition.split("filename*=utf-8''")[1]) == "2024年下半年年度总结专题会会议材料.xlsx"
    assert body[:2] == b"PK"
    response, _ = download(client, pack_world.plan_office, reverse("exports:ledger"), period=pack_world.h2.pk, unit=pack_world.fagai.pk)
    assert "%E5%B8%82%E5%8F%91%E6%94%B9%E5%B1%80" in response["Content-Disposition"]  # 市发改局 in the name


@pytest.mark.parametrize("url", [reverse("exports:meeting_pack"), PACK_URL])
def test_the_pack_is_for_the_plan_office_and_leadership(pack_world, client, url):
    for user in (pack_world.plan_office, pack_world.leader):
        assert download(client, user, url, period=pack_world.h2.pk)[0].status_code == 200
    for user in (pack_world.gongxin_clerk, pack_world.fagai_clerk, pack_world.nobody):
        response, body = download(client, user, url, period=pack_world.h2.pk)
        assert response.status_code == 404 and "无权查看" in body.decode()
    client.logout()
    assert client.get(url, {"period": pack_world.h2.pk}).status_code in (302, 401, 403)


@pytest.mark.parametrize("url", [reverse("exports:ledger"), LEDGER_URL])
def test_unit_staff_get_only_their_units_tasks_and_no_other_units_drafts(pack_world, client, url):
    # 市财政局 leads task 4 and supports 2 (with a draft contribution); 市发改局 has a draft on task 1
    response, body = download(client, pack_world.caizheng_clerk, url, period=pack_world.h2.pk)
    assert response.status_code == 200
    assert ledger_numbers(body) == ["2", "4"]
    text = all_text(body)
    assert "FAGAI-DRAFT" not in text and "CAIZHENG-CONTRIB-DRAFT" not in text
    assert "推进城乡融合发展" in text and "聚力建设都市圈核心区" not in text  # task 1 is 市发改局's and the towns'
    response, body = download(client, pack_world.caizheng_clerk, url, period=pack_world.h2.pk, unit=pack_world.fagai.pk)
    assert response.status_code == 403 and "只能导出本单位" in body.decode()
    # 市发改局's own clerk does not see its own draft in the ledger either: the ledger shows sent reports
    response, body = download(client, pack_world.fagai_clerk, url, period=pack_world.h2.pk)
    assert ledger_numbers(body) == ["1", "2", "3", "5"] and "FAGAI-DRAFT" not in all_text(body)
    response, body = download(client, pack_world.nobody, url, period=pack_world.h2.pk)
    assert response.status_code == 404


@pytest.mark.parametrize("url", [reverse("exports:ledger"), LEDGER_URL])
def test_the_ledger_filters_and_its_chinese_errors(pack_world, client, url):
    response, body = download(client, pack_world.leader, url, period=pack_world.h2.pk, section=pack_world.section11.pk)
    assert ledger_numbers(body) == ["2", "3"]
    response, body = download(client, pack_world.leader, url, period=pack_world.h2.pk, unit=pack_world.fagai.pk, role="lead")
    assert ledger_numbers(body) == ["1", "3"]
    response, body = download(client, pack_world.leader, url, period=pack_world.h2.pk, status="delayed")
    assert ledger_numbers(body) == ["4"]
    for params, message in (
        ({"period": 999999}, "找不到编号为999999的填报期"),
        ({"period": pack_world.h2.pk, "status": "x"}, "状态参数不正确"),
        ({"period": pack_world.h2.pk, "light": "blue"}, "灯色参数不正确"),
    ):
        response, body = download(client, pack_world.leader, url, **params)
        assert response.status_code == 400 and message in body.decode()


def test_an_empty_selection_still_makes_a_sheet(pack_world, client):
    response, body = download(client, pack_world.leader, LEDGER_URL, period=pack_world.h2.pk, light="green", status="delayed")
    ws = open_workbook(body)["台账"]
    assert ws["A4"].value == "没有符合条件的任务。"


def test_the_schema_documents_the_binary_responses(client, pack_world):
    client.force_login(pack_world.plan_office)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (LEDGER_URL, PACK_URL):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert content[XLSX]["schema"] == {"type": "string", "format": "binary"}
        assert "400" in schema["paths"][path]["get"]["responses"]


def test_text_comes_back_exactly_as_written(pack_world, client):
    tricky = ["a<b>&c \"q\" 'x'\r\nd", "  前后空格  ", "\t=1+1", "第一行\n第二行", "\x01控制字符被去掉"]
    report = pack_world.r2
    report.progress_text, report.problems_text, report.next_steps_text = tricky[0], tricky[1], tricky[2]
    report.save()
    pack_world.tasks[2].text = tricky[3] + tricky[4]
    pack_world.tasks[2].save()
    _, body = download(client, pack_world.leader, LEDGER_URL, period=pack_world.h2.pk)
    row = next(r for r in open_workbook(body)["台账"].iter_rows(min_row=4) if r[0].value == "2*")
    assert [row[6].value, row[7].value, row[8].value] == tricky[:3]
    assert row[8].quotePrefix and not row[6].quotePrefix
    assert row[2].value == "第一行\n第二行控制字符被去掉"


def test_the_unit_home_page_links_the_units_own_ledger(pack_world, client):
    client.force_login(pack_world.caizheng_clerk)
    page = client.get(reverse("progress:home"), {"period": pack_world.h2.pk}).content.decode()
    links = re.findall(r'href="([^"]*/exports/ledger/[^"]*)"[^>]*>下载本单位台账<', page)
    assert len(links) == 1
    href = links[0].replace("&amp;", "&")
    response = client.get(href)
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert ledger_numbers(body) == ["2", "4"]
