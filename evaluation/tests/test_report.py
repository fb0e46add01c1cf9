"""The evaluation report opened back: the workbook (openpyxl) and the .docx (python-docx) hold every
indicator and every task with the numbers of the selectors (computed here independently) and of a
small case checked by hand."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import docx
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from dashboard.selectors.overview import period_overview
from evaluation.report import build_report
from evaluation.services.reports import render_report
from evaluation.workbook import INDICATORS_TITLE, TASKS_TITLE, UNFINISHED_TITLE, UNITS_TITLE, VERDICT_HEADER
from indicators.selectors import evaluations
from progress.models import ProgressStatus, ReportStatus, TargetActual, TaskProgress, TaskStatus
from progress.states import task_states
from progress.tests.factories import ProgressReportFactory
from tasks.models import Target
from tasks.tests.factories import TargetFactory

AS_OF = dt.date(2025, 1, 31)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


@pytest.fixture
def evaluated(world):
    """The world with a small history, checked by hand:

    - 2024年上半年 (due 2024-07-10): 市发改局 on task 1 accepted 正常推进, sent 2024-07-05 (on time).
    - 2024年下半年 (due 2025-01-10): 市工信局 on task 2 submitted 正常推进 with 4.2 (% of GDP, 2024),
      sent 2025-01-05 (on time); 市财政局 on task 4 submitted 滞后, sent 2025-01-15 (late).
    - Task 3 closed (办结) on 2024-08-01. Task 2 has a second target without any actual.
    """
    ProgressReportFactory(
        task=world.tasks[1],
        department=world.fagai,
        period=world.h1,
        status=ReportStatus.ACCEPTED,
        progress_status=ProgressStatus.ON_TRACK,
        progress_text="都市圈规划已编制。",
        submitted_at=_at(dt.date(2024, 7, 5)),
    )
    report = ProgressReportFactory(
        task=world.tasks[2],
        department=world.gongxin,
        period=world.h2,
        status=ReportStatus.SUBMITTED,
        progress_status=ProgressStatus.ON_TRACK,
        progress_text="=数字经济占比4.2%",
        submitted_at=_at(dt.date(2025, 1, 5)),
    )
    TargetActual.objects.create(
        report=report, target=world.target, value=Decimal("4.2"), data_date=dt.date(2024, 12, 31)
    )
    ProgressReportFactory(
        task=world.tasks[4],
        department=world.caizheng,
        period=world.h2,
        status=ReportStatus.SUBMITTED,
        progress_status=ProgressStatus.DELAYED,
        progress_text="土地指标未落实。",
        submitted_at=_at(dt.date(2025, 1, 15)),
    )
    TaskProgress.objects.create(task=world.tasks[3], status=TaskStatus.COMPLETED, completed_at=_at(dt.date(2024, 8, 1)))
    world.second = TargetFactory(
        task=world.tasks[2],
        position=1,
        indicator="规上工业企业数",
        value=Decimal("120"),
        unit="户",
        source_text="规上工业企业达到120户",
    )
    return world


def _rows(sheet, header_row: int = 3) -> list[dict]:
    values = list(sheet.iter_rows(min_row=header_row, values_only=True))
    header = values[0]
    return [dict(zip(header, row, strict=False)) for row in values[1:]]


def _book(report):
    made = render_report(report, "xlsx")
    return load_workbook(io.BytesIO(made.handle.read()))


def test_workbook_indicators_match_the_rule_and_the_hand_checked_case(evaluated):
    world = evaluated
    report = build_report(world.plan, as_of=AS_OF)
    book = _book(report)
    rows = _rows(book[INDICATORS_TITLE])
    targets = list(Target.objects.filter(task__plan=world.plan))
    expected = evaluations(targets, as_of_year=AS_OF.year, as_of=AS_OF)
    assert len(rows) == len(targets) == 2
    by_indicator = {row["指标"]: row for row in rows}
    for target in targets:
        row = by_indicator[target.indicator]
        result = expected[target.pk]
        assert row["轨迹状态"] == result.status_label
        assert row["说明"] == result.explanation
        if result.completion is None:
            assert row["完成进度"] == "数据尚未发布"
        else:
            assert Decimal(row["完成进度"].rstrip("%")) == (result.completion * 100).quantize(Decimal("0.1"))
    # by hand: 4.2% of a 5% target in 2024 → 84%, on its way (no baseline: 正常); the other never 0
    digital = by_indicator["数字经济核心产业增加值占GDP比重"]
    assert (digital["任务序号"], digital["属性"], digital["2024年实际"], digital["完成进度"]) == (
        "2*",
        "约束性",
        "4.2%",
        "84%",
    )
    assert digital["规划目标"] == "不低于5%（2025年）" and digital[VERDICT_HEADER] == "预计能完成"
    assert digital["责任单位"] == "市工信局" and digital["2023年实际"] in (None, "")
    firms = by_indicator["规上工业企业数"]
    assert (firms["完成进度"], firms["轨迹状态"], firms[VERDICT_HEADER]) == (
        "数据尚未发布",
        "数据尚未发布",
        "数据尚未发布，暂无法判断",
    )
    assert book[INDICATORS_TITLE]["A1"].value == "测试市“十四五”规划任务分工方案中期评估主要指标完成情况"


def test_workbook_tasks_units_and_unfinished(evaluated):
    world = evaluated
    report = build_report(world.plan, as_of=AS_OF)
    book = _book(report)
    states = task_states(world.h2, today=AS_OF)
    task_rows = [row for row in _rows(book[TASKS_TITLE]) if row["任务内容"] is not None]
    assert sorted(str(r["序号"]).rstrip("*") for r in task_rows) == sorted(str(s.number) for s in states.values())
    by_number = {int(str(r["序号"]).rstrip("*")): r for r in task_rows}
    for state in states.values():
        row = by_number[state.number]
        assert row["推进状态"] == ("已完成" if state.is_completed else state.progress_status_label)
        assert row["灯"].startswith(state.light_label)
    # by hand
    assert {n: r["推进状态"] for n, r in by_number.items()} == {
        1: "未报送",
        2: "正常推进",
        3: "已完成",
        4: "滞后",
        5: "未报送",
    }
    assert (
        by_number[1]["牵头单位最新进展"] == "都市圈规划已编制。" and by_number[1]["进展来源"] == "2024年上半年 市发改局"
    )
    assert by_number[2]["牵头单位最新进展"] == "=数字经济占比4.2%"  # text, never a formula
    assert book[TASKS_TITLE].cell(row=3 + 1, column=1).value.startswith("一、目标定位")  # the chapter line first
    formula_cell = next(c for row in book[TASKS_TITLE].iter_rows() for c in row if c.value == "=数字经济占比4.2%")
    assert formula_cell.data_type == "s"

    units = {row["牵头单位"]: row for row in _rows(book[UNITS_TITLE])}
    # 应报, 按时, 逾期, 未报送 over 2024年上半年 and 2024年下半年; task 3 (市发改局) was closed on
    # 2024-08-01, before 2024年下半年's due date: no report owed there (progress.workflow.owes_report)
    assert {name: (r["应报（次）"], r["按时报送"], r["逾期报送"], r["未报送"]) for name, r in units.items()} == {
        "市发改局": (3, 1, 0, 2),
        "市工信局": (2, 1, 0, 1),
        "市财政局": (2, 0, 1, 1),
    }
    # and as the dashboard counts each period
    for period in (world.h1, world.h2):
        for lead in period_overview(period, today=AS_OF, with_trend=False).lead_units:
            cell = units[lead.name][f"{period.name}\n按时/逾期/未报"]
            assert cell == f"{lead.on_time}/{lead.late}/{lead.not_submitted}"
    unfinished = _rows(book[UNFINISHED_TITLE])
    assert [str(r["序号"]).rstrip("*") for r in unfinished] == ["1", "2", "4", "5"]


def test_docx_has_the_same_figures(evaluated):
    world = evaluated
    report = build_report(world.plan, as_of=AS_OF)
    made = render_report(report, "docx")
    assert made.filename == "测试市“十四五”规划任务分工方案中期评估（截至2025年01月31日）.docx"
    document = docx.Document(io.BytesIO(made.handle.read()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]
    assert headings[0] == "测试市“十四五”规划任务分工方案中期评估"
    assert headings[1:4] == ["一、总体情况", "二、主要指标完成情况", "三、重点任务推进情况"]
    assert "一、目标定位" in headings and "二、重要举措" in headings
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    indicator_table = tables[0]
    assert indicator_table[0][-2:] == ["完成进度", VERDICT_HEADER]
    assert [row[1] for row in indicator_table[1:]] == [r.indicator for r in report.indicators]
    assert indicator_table[1][indicator_table[0].index("2024年")] == "4.2%" and indicator_table[1][-2:] == [
        "84%",
        "预计能完成",
    ]
    task_cells = {row[0]: row for table in tables[1:3] for row in table[1:]}
    states = task_states(world.h2, today=AS_OF)
    assert sorted(n.rstrip("*") for n in task_cells) == sorted(str(s.number) for s in states.values())
    assert task_cells["4"][3] == "滞后" and task_cells["3"][3] == "已完成"
    units_table = next(t for t in tables if t[0][0] == "牵头单位")
    assert {row[0]: row[1:5] for row in units_table[1:]}["市财政局"] == ["2", "0", "1", "1"]
    unfinished_table = tables[-1]
    assert [row[0].rstrip("*") for row in unfinished_table[1:]] == ["1", "2", "4", "5"]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "未完成任务4项" in text and "已完成1项" in text


def test_summary_evaluation_after_the_plan_period(evaluated):
    report = build_report(evaluated.plan, as_of=dt.date(2026, 2, 1))
    assert report.kind == "总结评估" and report.years == [2021, 2022, 2023, 2024, 2025]


def test_pages_api_and_access(evaluated, django_assert_max_num_queries):
    world = evaluated
    office = Client()
    office.force_login(world.plan_office)
    url = reverse("evaluation:report", args=[world.plan.pk])
    with django_assert_max_num_queries(40):
        response = office.get(url, {"as_of": "2025-01-31", "document": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert INDICATORS_TITLE in book.sheetnames
    bad = office.get(url, {"as_of": "2025-13-01"})
    assert bad.status_code == 400 and "日期格式不正确" in bad.content.decode()
    api = office.get(f"/api/evaluation/plans/{world.plan.pk}/report/", {"as_of": "2025-01-31", "document": "docx"})
    assert api.status_code == 200 and "wordprocessingml" in api["Content-Type"]
    docx.Document(io.BytesIO(b"".join(api.streaming_content)))
    wrong = office.get(f"/api/evaluation/plans/{world.plan.pk}/report/", {"document": "pdf"})
    assert wrong.status_code == 400 and "docx" in wrong.json()["detail"]
    clerk = Client()
    clerk.force_login(world.gongxin_clerk)
    assert clerk.get(url).status_code == 404
    assert clerk.get(f"/api/evaluation/plans/{world.plan.pk}/report/").status_code == 404
    page = office.get(reverse("evaluation:plan_detail", args=[world.plan.pk]))
    assert page.status_code == 200 and "下载评估报告初稿" in page.content.decode()


def test_command_writes_both_files(evaluated, tmp_path):
    out = io.StringIO()
    call_command(
        "evaluation_report",
        str(tmp_path / "评估.xlsx"),
        plan=evaluated.plan.pk,
        as_of="2025-01-31",
        stdout=out,
        stderr=io.StringIO(),
    )
    written = out.getvalue().split()
    assert written == [str(tmp_path / "评估.xlsx"), str(tmp_path / "评估.docx")]
    assert INDICATORS_TITLE in load_workbook(tmp_path / "评估.xlsx").sheetnames
    docx.Document(str(tmp_path / "评估.docx"))
    out = io.StringIO()
    call_command(
        "evaluation_report",
        str(tmp_path),
        plan=evaluated.plan.pk,
        as_of="2025-01-31",
        only="docx",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue().strip().endswith("中期评估（截至2025年01月31日）.docx")


def test_a_claim_of_completion_is_not_counted_as_completed(world):
    """A submitted (not accepted) report stating 已完成 on an open task: the plan office has not
    confirmed it, so the evaluation reads 单位报告已完成, as the dashboard does, not 已完成."""
    from evaluation.report import COMPLETED_LABEL
    from progress.states import CLAIMED_LABEL

    ProgressReportFactory(
        task=world.tasks[4],
        department=world.caizheng,
        period=world.h2,
        status=ReportStatus.SUBMITTED,
        progress_status=ProgressStatus.COMPLETED,
        percent=100,
        submitted_at=_at(dt.date(2025, 1, 5)),
    )
    report = build_report(world.plan, as_of=AS_OF)
    states = task_states(world.h2, today=AS_OF)
    row = next(r for r in report.tasks if r.task_id == world.tasks[4].pk)
    assert not row.is_completed and row.state_label == CLAIMED_LABEL and row in report.unfinished
    assert report.state_count(COMPLETED_LABEL) == sum(s.is_completed for s in states.values())
    assert report.state_count(CLAIMED_LABEL) == 1
