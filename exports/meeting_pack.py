"""The meeting pack (会议材料): one .xlsx for the half-year 对标分析专题会 or the annual 年度总结专题会.

Sheets, in order:

1. **封面汇总** — plan, period, meeting date; headline numbers; the light rules; the status
   distribution; completion by lead unit and by chapter (tables, each with a native Excel bar
   chart over it); the trend across the plan's periods.
2. **台账** — every task of the plan (:mod:`exports.ledger`).
3. **逾期及风险任务** — the dashboard's attention list (red first, then by number).
4. **约束性指标** — the binding indicators: target, latest actual, data date, veto risk.
5. One sheet per lead unit (its led tasks), in the dashboard's unit order.

Every number comes from :func:`dashboard.selectors.overview.period_overview` (computed once), so
the pack and the dashboard agree. The workbook is write-only (streamed to temporary files): the
ledger rows are read in chunks and kept as small row objects, not model instances.
"""

from __future__ import annotations

from collections import defaultdict
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.utils import get_column_letter

from exports.layout import (
    Column,
    RowWriter,
    TableSheet,
    colour_style,
    prepare_sheet,
    register_styles,
    safe_sheet_title,
    setup_print,
)
from exports.ledger import plan_period_title, save_to_temporary, subtitle_for, write_ledger_sheet
from exports.selectors import LedgerFilters, LedgerRow, ledger_rows

HALF_YEAR_MEETING = "对标分析专题会"
ANNUAL_MEETING = "年度总结专题会"
COVER_TITLE = "封面汇总"
LEDGER_TITLE = "台账"
ATTENTION_TITLE = "逾期及风险任务"
BINDING_TITLE = "约束性指标"
COVER_COLUMNS = [Column("", 26), *[Column("", 10.5) for _ in range(9)]]
PERCENT = "xp_percent_value"  # a rate given as a percentage number (45.3 → 45.3%)
BINDING_COLUMNS = [
    Column("序号", 5.5, "xp_center"),
    Column("指标", 24),
    Column("责任单位", 14),
    Column("目标", 24),  # "累计降低12.5%（2025年）" on one line
    Column("最新实际值", 14, "xp_center"),
    Column("数据截至", 11, "xp_center"),
    Column("填报期", 12, "xp_center"),
    Column("灯", 8, "xp_center"),
    Column("一票否优风险", 9, "xp_center"),
    Column("说明", 24),
]
CM_PER_ROW = 0.5  # an empty row of the default height, for reserving room below a chart


def meeting_name(period: Any) -> str:
    return ANNUAL_MEETING if period.is_annual_summary else HALF_YEAR_MEETING


def pack_filename(period: Any) -> str:
    return f"{period.name}{meeting_name(period)}会议材料.xlsx"


def build_meeting_pack(period: Any, *, today: Any = None, overview: Any = None) -> IO[bytes]:
    """The meeting pack of ``period`` as .xlsx bytes in a (spooled) temporary file."""
    from dashboard.selectors.overview import period_overview

    overview = overview or period_overview(period, today=today)
    states = overview.states
    filters = LedgerFilters(period=period)
    rows: list[LedgerRow] = list(ledger_rows(filters, states=states, task_ids=list(states), whole_plan=True))
    by_id = {row.task_id: row for row in rows}

    workbook = Workbook(write_only=True)
    register_styles(workbook)
    _register_percent(workbook)
    taken = {COVER_TITLE, LEDGER_TITLE, ATTENTION_TITLE, BINDING_TITLE}
    heading = plan_period_title(filters)

    _write_cover(workbook, overview, heading=heading)
    rendered: dict[int, str] = {}  # each task's row XML, written on up to three sheets
    write_ledger_sheet(
        workbook, LEDGER_TITLE, heading=f"{heading}任务推进台账", subtitle=subtitle_for(filters, rows=len(rows), today=overview.today), rows=rows,
        rendered=rendered,
    )
    attention = [by_id[s.task_id] for s in overview.attention if s.task_id in by_id]
    write_ledger_sheet(
        workbook,
        ATTENTION_TITLE,
        heading=f"{heading}逾期及风险任务",
        subtitle=subtitle_for(filters, rows=len(attention), extra="红灯在前，按序号排列", today=overview.today),
        rows=attention,
        empty_note="本期没有逾期或存在风险的任务。",
        rendered=rendered,
    )
    _write_binding(workbook, overview, heading=heading, filters=filters)
    led: dict[int, list[LedgerRow]] = defaultdict(list)
    for row in rows:
        for unit_id in dict.fromkeys(row.lead_unit_ids):
            led[unit_id].append(row)
    for unit in overview.lead_units:
        unit_rows = led.get(unit.unit_id, [])
        write_ledger_sheet(
            workbook,
            safe_sheet_title(unit.name, taken=taken),
            heading=f"{heading}{unit.name}牵头任务",
            subtitle=subtitle_for(filters, rows=len(unit_rows), extra=f"牵头单位：{unit.name}", today=overview.today),
            rows=unit_rows,
            rendered=rendered,
        )
    return save_to_temporary(workbook)


def _register_percent(workbook: Workbook) -> None:
    from copy import copy

    from openpyxl.styles import NamedStyle

    if PERCENT in workbook.named_styles:
        return
    base = next(s for s in workbook._named_styles if s.name == "xp_center")
    style = NamedStyle(name=PERCENT, font=copy(base.font), alignment=copy(base.alignment), border=copy(base.border))
    style.number_format = '0.0"%"'
    workbook.add_named_style(style)


class _Cover:
    """Rows of the cover sheet, appended in order, remembering where each table is for the charts."""

    def __init__(self, workbook: Workbook):
        self.ws = workbook.create_sheet(COVER_TITLE)
        self.row = 0
        self.width = len(COVER_COLUMNS)
        prepare_sheet(self.ws, columns=COVER_COLUMNS, freeze=None)
        self.writer = RowWriter(self.ws)

    def append(self, values: list[tuple[Any, str]], *, merge_rest: bool = False, height: float | None = None) -> int:
        self.row += 1
        if height:
            self.ws.row_dimensions[self.row].height = height
        self.writer.append(values)
        if merge_rest:
            start = len(values)
            self.ws.merged_cells.add(f"{get_column_letter(start)}{self.row}:{get_column_letter(self.width)}{self.row}")
        return self.row

    def blank(self, count: int = 1) -> None:
        for _ in range(count):
            self.row += 1
            self.writer.append([])

    def heading(self, text: str) -> None:
        self.append([(text, "xp_heading")], merge_rest=True, height=22)


def _write_cover(workbook: Workbook, overview: Any, *, heading: str) -> None:
    from dashboard.selectors.overview import LIGHT_LABELS, LIGHT_RULES

    period, plan = overview.period, overview.plan
    cover = _Cover(workbook)
    ws = cover.ws
    cover.append([(f"{plan.title}\n{period.name}{meeting_name(period)}会议材料", "xp_title")], merge_rest=True, height=52)
    facts = [f"填报期：{period.name}（{period.starts_on:%Y年%m月%d日}—{period.ends_on:%Y年%m月%d日}）"]
    facts.append(f"报送截止：{period.report_due_on:%Y年%m月%d日}")
    facts.append(f"专题会日期：{period.meeting_on:%Y年%m月%d日}" if period.meeting_on else "专题会日期：待定")
    facts.append(f"统计日期：{overview.today:%Y年%m月%d日}")
    if plan.document_number:
        facts.insert(0, plan.document_number)
    cover.append([("　".join(facts), "xp_subtitle")], merge_rest=True, height=30)
    cover.blank()

    cover.heading("一、总体情况")
    headline = [
        ("任务总数", overview.total, "xp_number"),
        ("已完成", overview.completed, "xp_number"),
        ("完成率", overview.completion_rate, PERCENT),
        ("已报送", overview.submitted, "xp_number"),
        ("报送率", overview.submitted_rate, PERCENT),
        ("逾期未完成", overview.overdue, "xp_number"),
        ("报告逾期", overview.report_late, "xp_number"),
        *[(LIGHT_LABELS[light], overview.light_counts.get(light, 0), colour_style(light)) for light in ("red", "yellow", "green")],
    ]
    cover.append([(label, "xp_header") for label, _, _ in headline])
    cover.append([(value, style) for _, value, style in headline])
    cover.blank()

    cover.heading("二、红黄绿灯规则")
    for light, rule in LIGHT_RULES:
        cover.append([(LIGHT_LABELS[light], colour_style(light)), (rule, "xp_body")], merge_rest=True, height=30)
    cover.blank()

    cover.heading("三、推进状态分布")
    cover.append([("推进状态", "xp_header"), *[(s.label, "xp_header") for s in overview.status_counts]])
    cover.append([("任务数", "xp_center"), *[(s.count, colour_style(_status_colour_key(s.key))) for s in overview.status_counts]])
    cover.blank()

    cover.heading("四、各牵头单位完成情况")
    unit_header = ["牵头单位", "牵头任务", "已完成", "完成率", "按时报送", "逾期报送", "未报送", "红灯", "黄灯", "配合未反馈"]
    header_row = cover.append([(text, "xp_header") for text in unit_header])
    for unit in overview.lead_units:
        cover.append([
            (unit.name, "xp_body"), (unit.tasks, "xp_number"), (unit.completed, "xp_number"), (unit.rate, PERCENT),
            (unit.on_time, "xp_number"), (unit.late, "xp_number"), (unit.not_submitted, "xp_number"),
            (unit.red, "xp_number"), (unit.yellow, "xp_number"), (unit.silent, "xp_number"),
        ])
    units_table = (header_row, cover.row)
    cover.blank()

    cover.heading("五、各章节完成情况")
    chapter_header = ["章节", "任务数", "已完成", "完成率", "红灯", "黄灯", "绿灯"]
    header_row = cover.append([(text, "xp_header") for text in chapter_header])
    for chapter in overview.chapters:
        cover.append([
            (chapter.heading, "xp_body"), (chapter.total, "xp_number"), (chapter.completed, "xp_number"),
            (chapter.rate, PERCENT), (chapter.red, "xp_number"), (chapter.yellow, "xp_number"), (chapter.green, "xp_number"),
        ])
    chapters_table = (header_row, cover.row)
    cover.blank()

    if overview.trend:
        cover.heading("六、历次填报期对比")
        header_row = cover.append([(t, "xp_header") for t in ["填报期", "任务数", "已完成", "完成率", "已报送", "报送率", "红灯", "黄灯"]])
        for point in overview.trend:
            cover.append([
                (point.name, "xp_body"), (point.total, "xp_number"), (point.completed, "xp_number"),
                (point.completion_rate, PERCENT), (point.submitted, "xp_number"), (point.submitted_rate, PERCENT),
                (point.red, "xp_number"), (point.yellow, "xp_number"),
            ])
        cover.blank()

    cover.heading("附图：各牵头单位、各章节完成情况")
    charts = [
        ("各牵头单位任务完成情况", units_table, len(overview.lead_units)),
        ("各章节任务完成情况", chapters_table, len(overview.chapters)),
    ]
    for title, (header, last), count in charts:
        if count == 0:
            continue
        height = 9.0 if count <= 20 else 12.0
        chart = _completion_chart(ws, title, header_row=header, last_row=last, height=height)
        ws.add_chart(chart, f"A{cover.row + 1}")
        cover.blank(int(height / CM_PER_ROW) + 2)
    setup_print(ws, header_row=None, last_column=cover.width, landscape=False)


def _status_colour_key(key: str) -> str:
    from dashboard.selectors.overview import NOT_SUBMITTED

    return "unreported" if key == NOT_SUBMITTED else key


def _completion_chart(ws: Any, title: str, *, header_row: int, last_row: int, height: float) -> BarChart:
    """A clustered column chart of 任务数 (column B) and 已完成 (column C) per row of a cover table."""
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = title
    chart.y_axis.title = "任务数（项）"
    chart.y_axis.majorGridlines = chart.y_axis.majorGridlines  # keep the default gridlines
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    data = Reference(ws, min_col=2, max_col=3, min_row=header_row, max_row=last_row)
    categories = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    chart.legend.position = "b"
    if last_row - header_row <= 20:
        chart.dataLabels = DataLabelList(
            showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
        )
    chart.width = 17.0
    chart.height = height
    return chart


def _write_binding(workbook: Workbook, overview: Any, *, heading: str, filters: LedgerFilters) -> None:
    from dashboard.selectors.overview import LIGHT_LABELS

    sheet = TableSheet(
        workbook,
        BINDING_TITLE,
        heading=f"{heading}约束性指标",
        subtitle=subtitle_for(filters, rows=None, extra=f"共{len(overview.binding)}项指标；约束性指标未完成的，责任单位年度考核一票否优", today=overview.today),
        columns=BINDING_COLUMNS,
    )
    for row in overview.binding:
        units = "、".join(name for name in overview.unit_names(row.lead_unit_ids) if name)
        sheet.append([
            (f"{row.number}*", None),
            (row.indicator, None),
            (units, None),
            (row.target_text, None),
            (row.actual_text, None),
            (f"{row.data_date:%Y-%m-%d}" if row.data_date else "", None),
            (row.actual_period, None),
            (LIGHT_LABELS.get(row.light, ""), colour_style(row.light)),
            ("是" if row.veto_risk else "否", "xp_red" if row.veto_risk else None),
            (row.veto_reason, None),
        ])
    if sheet.rows_written == 0:
        sheet.append_note("本方案没有约束性指标。")
    sheet.finish()

