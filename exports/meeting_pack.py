"""The meeting pack (会议材料): one .xlsx for the half-year 对标分析专题会 or the annual 年度总结专题会,
laid out to be printed on A4 with the body at 10 points (see :mod:`exports.layout`).

Sheets, in order (:data:`SHEETS`; the download may choose, :func:`parse_sheet_selection`; the
default is every sheet but the full ledger):

1. **封面汇总** (``cover``) — plan, period, meeting date; headline numbers; the light rules; the
   status distribution; completion by chapter; the trend across the plan's periods; what the pack
   holds. Portrait, fitted to one page.
2. **逾期及风险任务** (``attention``) — what the meeting must discuss: the dashboard's red tasks,
   then its yellow ones, each capped (:data:`ATTENTION_LIMITS`), the most pressing first
   (:func:`discussion_rank`); the sheet says how many were left out and where they are.
3. **约束性指标** (``binding``) — the binding indicators: target, latest actual, data date, veto risk.
4. **各单位完成情况** (``units``) — completion by lead unit and by chapter, each table with a
   native Excel bar chart below it.
5. **Per-unit sheets** (``unit_sheets``) — one sheet for each lead unit with a task on the
   attention sheet (its led tasks, those to discuss first); **其他单位** — the other lead units in
   one sheet, a row each with its counts and the numbers of its red and yellow tasks.
6. **台账** (``ledger``, only when chosen) — every task of the plan (:mod:`exports.ledger`): the
   wide ledger, for the screen or an appendix; it prints small.

Every number comes from :func:`dashboard.selectors.overview.period_overview` (computed once), so
the pack and the dashboard agree. The workbook is write-only (streamed to temporary files).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from exports.layout import (
    LINE_POINTS,
    Column,
    RowWriter,
    TableSheet,
    colour_style,
    prepare_sheet,
    register_styles,
    row_height,
    safe_sheet_title,
    setup_print,
    title_height,
)
from exports.ledger import plan_period_title, save_to_temporary, subtitle_for, write_ledger_sheet
from exports.selectors import STATUS_CHOICES, LedgerFilters, LedgerRow, ledger_rows
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

HALF_YEAR_MEETING = "对标分析专题会"
ANNUAL_MEETING = "年度总结专题会"
COVER_TITLE = "封面汇总"
LEDGER_TITLE = "台账"
ATTENTION_TITLE = "逾期及风险任务"
BINDING_TITLE = "约束性指标"
UNITS_TITLE = "各单位完成情况"
OTHER_UNITS_TITLE = "其他单位"


@dataclass(frozen=True)
class SheetChoice:
    key: str
    label: str
    description: str
    default: bool = True


SHEETS: tuple[SheetChoice, ...] = (
    SheetChoice("cover", COVER_TITLE, "总体情况、灯规则、推进状态、各章节、历次对比（一页）"),
    SheetChoice("attention", ATTENTION_TITLE, "需会议研究的红灯、黄灯任务（各有上限，注明未列出的项数）"),
    SheetChoice("binding", BINDING_TITLE, "约束性指标的目标、最新实际值和一票否优风险"),
    SheetChoice("units", UNITS_TITLE, "各牵头单位、各章节完成情况及柱状图"),
    SheetChoice("unit_sheets", "各单位分表", "有需研究任务的牵头单位各一张表，其余单位合为“其他单位”一张表"),
    SheetChoice("ledger", LEDGER_TITLE, "全部任务的完整台账（宽表，打印字号较小，适合屏幕查看）", default=False),
)
SHEET_KEYS = tuple(choice.key for choice in SHEETS)
DEFAULT_SHEETS = tuple(choice.key for choice in SHEETS if choice.default)
# The attention sheet's caps: the most pressing red tasks, then the most pressing yellow ones.
ATTENTION_LIMITS = {"red": 30, "yellow": 10}
# A lead unit of a task on the attention sheet gets its own sheet when it leads at least this many
# tasks; a unit with fewer is a row of 其他单位 (its task is on the attention sheet: no one-row sheets).
UNIT_SHEET_MIN_TASKS = 2

# Column widths in units of :mod:`exports.layout` (landscape sheets ≤ LANDSCAPE_UNITS, portrait ≤ PORTRAIT_UNITS).
STATUS_LABELS = tuple(label for _, label in STATUS_CHOICES)
ATTENTION_COLUMNS = [
    Column("序号", 5, "xp_center"),
    Column("任务内容", 36),
    Column("牵头单位", 9),
    Column("完成时限", 11, "xp_center"),
    Column("灯", 10, "xp_center"),
    Column("推进状态", 7, "xp_center", choices=STATUS_LABELS),
    Column("进展情况", 18),
    Column("存在问题", 14),
    Column("下步打算", 14),
]
UNIT_COLUMNS = [
    Column("序号", 5, "xp_center"),
    Column("任务内容", 45),
    Column("完成时限", 11, "xp_center"),
    Column("灯", 10, "xp_center"),
    Column("推进状态", 7, "xp_center", choices=STATUS_LABELS),
    Column("进展情况", 18),
    Column("存在问题", 14),
    Column("下步打算", 14),
]
OTHER_UNITS_COLUMNS = [
    Column("牵头单位", 16),
    Column("牵头任务", 7, "xp_number"),
    Column("已完成", 7, "xp_number"),
    Column("红灯", 7, "xp_number"),
    Column("黄灯", 7, "xp_number"),
    Column("未报送", 7, "xp_number"),
    Column("红灯、黄灯任务序号", 73),
]
BINDING_COLUMNS = [
    Column("序号", 5, "xp_center"),
    Column("指标", 22),
    Column("责任单位", 12),
    Column("目标", 22),
    Column("最新实际值", 12, "xp_center"),
    Column("数据截至", 10, "xp_center"),
    Column("填报期", 10, "xp_center"),
    Column("灯", 6, "xp_center"),
    Column("一票否优风险", 7, "xp_center"),
    Column("说明", 18),
]
# Portrait sheets (cover, units): a name column and nine number columns.
COVER_COLUMNS = [Column("", 17), *[Column("", 7.4) for _ in range(9)]]
PERCENT = "xp_percent_value"  # a rate given as a percentage number (45.3 → 45.3%)
CM_PER_ROW = LINE_POINTS * 2.54 / 72  # a row one line high, for reserving room below a chart (cm)


def meeting_name(period: Any) -> str:
    return ANNUAL_MEETING if period.is_annual_summary else HALF_YEAR_MEETING


def pack_filename(period: Any, sheets: Sequence[str] | None = None) -> str:
    suffix = "" if sheets is None or tuple(sheets) == DEFAULT_SHEETS else "（所选表格）"
    return f"{period.name}{meeting_name(period)}会议材料{suffix}.xlsx"


def sheet_choices_text() -> str:
    return "、".join(f"{choice.key}（{choice.label}）" for choice in SHEETS)


def parse_sheet_selection(params: Mapping[str, Any]) -> tuple[str, ...]:
    """The sheets ``?sheets=`` chooses (repeated, or comma-separated; keys of :data:`SHEETS`), in the
    pack's order; :data:`DEFAULT_SHEETS` without the parameter. A Chinese 400 for an unknown sheet or none."""
    getlist = getattr(params, "getlist", None)
    raw = getlist("sheets") if getlist else ([params["sheets"]] if "sheets" in params else [])
    if not raw:
        return DEFAULT_SHEETS
    asked = [part.strip() for value in raw for part in str(value).replace("，", ",").split(",") if part.strip()]
    if not asked:
        raise _invalid_sheets("请至少选择一张表（sheets 参数）。可选：" + sheet_choices_text() + "。")
    by_label = {choice.label: choice.key for choice in SHEETS}
    unknown = [name for name in asked if name not in SHEET_KEYS and name not in by_label]
    if unknown:
        names = "、".join(dict.fromkeys(unknown))
        raise _invalid_sheets(f"会议材料中没有这些表：{names}。可选：{sheet_choices_text()}。")
    chosen = {by_label.get(name, name) for name in asked}
    return tuple(key for key in SHEET_KEYS if key in chosen)


def _invalid_sheets(message: str) -> ApplicationError:
    return ApplicationError(ErrorCode.INVALID, message, extra={"errors": {"sheets": [message]}})


def discussion_rank(state: Any, row: LedgerRow | None) -> int:
    """How pressing a flagged task is for the meeting, within its light (0 first): a binding
    indicator (一票否优); the lead unit reports 滞后; reports 存在风险; reports a problem; has not
    reported; the rest (reported, on track, but past its deadline)."""
    from progress.models import ProgressStatus

    if state.binding:
        return 0
    if state.progress_status == ProgressStatus.DELAYED:
        return 1
    if state.progress_status == ProgressStatus.AT_RISK:
        return 2
    if row is not None and row.problems_text.strip():
        return 3
    if not state.delivered:
        return 4
    return 5


@dataclass
class AttentionList:
    rows: list[LedgerRow]  # listed, red first, most pressing first
    flagged: dict[str, int]  # red / yellow tasks in all
    listed: dict[str, int]

    @property
    def omitted(self) -> dict[str, int]:
        return {light: self.flagged[light] - self.listed[light] for light in self.flagged}


def attention_list(overview: Any, by_id: Mapping[int, LedgerRow]) -> AttentionList:
    """The dashboard's attention list (red, then yellow), each light capped at :data:`ATTENTION_LIMITS`,
    the most pressing first (:func:`discussion_rank`, then task number)."""
    from progress.states import LIGHTS

    by_light: dict[str, list[Any]] = defaultdict(list)
    for state in overview.attention:
        if state.task_id in by_id:
            by_light[state.light].append(state)
    rows: list[LedgerRow] = []
    flagged, listed = {}, {}
    for light in LIGHTS:
        if light not in ATTENTION_LIMITS:
            continue
        states = sorted(by_light[light], key=lambda s: (discussion_rank(s, by_id[s.task_id]), s.number, s.task_id))
        chosen = states[: ATTENTION_LIMITS[light]]
        rows.extend(by_id[s.task_id] for s in chosen)
        flagged[light], listed[light] = len(states), len(chosen)
    return AttentionList(rows=rows, flagged=flagged, listed=listed)


def build_meeting_pack(
    period: Any, *, today: Any = None, overview: Any = None, sheets: Sequence[str] | None = None
) -> IO[bytes]:
    """The meeting pack of ``period`` as .xlsx bytes in a (spooled) temporary file: ``sheets`` (keys of
    :data:`SHEETS`, default :data:`DEFAULT_SHEETS`), always in the pack's order."""
    from dashboard.selectors.overview import period_overview

    chosen = set(DEFAULT_SHEETS if sheets is None else sheets)
    overview = overview or period_overview(period, today=today)
    states = overview.states
    filters = LedgerFilters(period=period)
    rows: list[LedgerRow] = list(ledger_rows(filters, states=states, task_ids=list(states), whole_plan=True))
    by_id = {row.task_id: row for row in rows}
    attention = attention_list(overview, by_id)

    workbook = Workbook(write_only=True)
    register_styles(workbook)
    _register_percent(workbook)
    taken = {choice.label for choice in SHEETS} | {OTHER_UNITS_TITLE}
    heading = plan_period_title(filters)

    if "cover" in chosen:
        _write_cover(workbook, overview, heading=heading, attention=attention, chosen=chosen)
    if "attention" in chosen:
        _write_attention(workbook, overview, heading=heading, filters=filters, attention=attention, chosen=chosen)
    if "binding" in chosen:
        _write_binding(workbook, overview, heading=heading, filters=filters)
    if "units" in chosen:
        _write_units(workbook, overview, heading=heading, filters=filters)
    if "unit_sheets" in chosen:
        _write_unit_sheets(
            workbook, overview, heading=heading, filters=filters, rows=rows, attention=attention, taken=taken
        )
    if "ledger" in chosen:
        write_ledger_sheet(
            workbook,
            LEDGER_TITLE,
            heading=f"{heading}任务推进台账",
            subtitle=subtitle_for(filters, rows=len(rows), today=overview.today),
            rows=rows,
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


class _Portrait:
    """A portrait sheet of rows appended in order (the cover, the units' tables), each row as high
    as its text needs, remembering where each table is for the charts."""

    def __init__(self, workbook: Workbook, title: str):
        self.ws = workbook.create_sheet(title)
        self.row = 0
        self.widths = [column.width for column in COVER_COLUMNS]
        self.width = len(COVER_COLUMNS)
        prepare_sheet(self.ws, columns=COVER_COLUMNS, freeze=None)
        self.writer = RowWriter(self.ws)

    def append(self, values: list[tuple[Any, str]], *, merge_rest: bool = False, height: float | None = None) -> int:
        self.row += 1
        widths = list(self.widths)
        if merge_rest:  # the last value spans the rest of the row
            start = len(values)
            widths[start - 1] = sum(widths[start - 1 :])
            self.ws.merged_cells.add(f"{get_column_letter(start)}{self.row}:{get_column_letter(self.width)}{self.row}")
        self.writer.append(values, height=height or row_height(values, widths))
        return self.row

    def blank(self, count: int = 1, *, height: float = 5) -> None:
        for _ in range(count):
            self.row += 1
            self.writer.append([], height=height)

    def heading(self, text: str) -> None:
        self.append([(text, "xp_heading")], merge_rest=True, height=18)

    def table(self, header: list[str], rows: Iterable[list[tuple[Any, str]]]) -> tuple[int, int]:
        """A header row and its rows: (header row, last row)."""
        first = self.append([(text, "xp_header") for text in header])
        for values in rows:
            self.append(values)
        return first, self.row


def _write_cover(
    workbook: Workbook, overview: Any, *, heading: str, attention: AttentionList, chosen: set[str]
) -> None:
    from progress.states import LIGHT_LABELS, LIGHT_RULES

    period, plan = overview.period, overview.plan
    cover = _Portrait(workbook, COVER_TITLE)
    title = f"{plan.title}\n{period.name}{meeting_name(period)}会议材料"
    cover.append([(title, "xp_title")], merge_rest=True, height=title_height(title, sum(cover.widths)))
    facts = [f"填报期：{period.name}（{period.starts_on:%Y年%m月%d日}—{period.ends_on:%Y年%m月%d日}）"]
    facts.append(f"报送截止：{period.report_due_on:%Y年%m月%d日}")
    facts.append(f"专题会日期：{period.meeting_on:%Y年%m月%d日}" if period.meeting_on else "专题会日期：待定")
    facts.append(f"统计日期：{overview.today:%Y年%m月%d日}")
    if plan.document_number:
        facts.insert(0, plan.document_number)
    cover.append([("　".join(facts), "xp_subtitle")], merge_rest=True)

    cover.heading("一、总体情况")
    headline = [
        ("任务总数", overview.total, "xp_number"),
        ("已完成", overview.completed, "xp_number"),
        ("完成率", overview.completion_rate, PERCENT),
        ("已报送", overview.submitted, "xp_number"),
        ("报送率", overview.submitted_rate, PERCENT),
        ("逾期未完成", overview.overdue, "xp_number"),
        ("报告逾期", overview.report_late, "xp_number"),
        *[
            (LIGHT_LABELS[light], overview.light_counts.get(light, 0), colour_style(light))
            for light in ("red", "yellow", "green")
        ],
    ]
    cover.table([label for label, _, _ in headline], [[(value, style) for _, value, style in headline]])

    cover.heading("二、红黄绿灯规则")
    for light, rule in LIGHT_RULES:
        cover.append([(LIGHT_LABELS[light], colour_style(light)), (rule, "xp_body")], merge_rest=True)

    cover.heading("三、推进状态分布")
    cover.append([("推进状态", "xp_header"), *[(s.label, "xp_header") for s in overview.status_counts]])
    cover.append(
        [("任务数", "xp_center"), *[(s.count, colour_style(_status_colour_key(s.key))) for s in overview.status_counts]]
    )

    cover.heading("四、各章节完成情况")
    cover.table(CHAPTER_HEADER, [_chapter_values(chapter) for chapter in overview.chapters])

    if overview.trend:
        cover.heading("五、历次填报期对比")
        cover.table(
            ["填报期", "任务数", "已完成", "完成率", "已报送", "报送率", "红灯", "黄灯"],
            [
                [
                    (point.name, "xp_body"),
                    (point.total, "xp_number"),
                    (point.completed, "xp_number"),
                    (point.completion_rate, PERCENT),
                    (point.submitted, "xp_number"),
                    (point.submitted_rate, PERCENT),
                    (point.red, "xp_number"),
                    (point.yellow, "xp_number"),
                ]
                for point in overview.trend
            ],
        )

    contents = _contents(overview, attention, chosen)
    if contents:
        cover.heading("本材料说明")
    for label, text in contents:
        cover.append([(label, "xp_body"), (text, "xp_body")], merge_rest=True)
    setup_print(cover.ws, header_row=None, last_column=cover.width, landscape=False, one_page=True)


def _contents(overview: Any, attention: AttentionList, chosen: set[str]) -> list[tuple[str, str]]:
    """Where to find what the attention sheet leaves out (the cover's last table; the other sheets say what they are)."""
    lines = []
    if "attention" in chosen:
        lines.append((ATTENTION_TITLE, _attention_summary(attention)))
    if "unit_sheets" in chosen:
        discussed = len(_discussed_units(overview, attention))
        lines.append(
            (
                "各单位分表",
                f"逾期及风险任务表所列任务的{discussed}个牵头单位各一张表（牵头{UNIT_SHEET_MIN_TASKS}项以上的）；其余{len(overview.lead_units) - discussed}个单位见“{OTHER_UNITS_TITLE}”表。",
            )
        )
    if "ledger" in chosen:
        lines.append((LEDGER_TITLE, f"全部{overview.total}项任务的完整台账。"))
    return lines


def _attention_summary(attention: AttentionList) -> str:
    from progress.states import LIGHT_LABELS

    parts = [
        f"{LIGHT_LABELS[light]}{attention.flagged[light]}项，列出{attention.listed[light]}项"
        for light in attention.flagged
    ]
    omitted = sum(attention.omitted.values())
    text = "；".join(parts) + "。"
    if omitted:
        text += f"未列出{omitted}项，见各单位分表、“{OTHER_UNITS_TITLE}”表（任务序号）或完整台账（下载时选择“台账”表，或在督办看板查看）。"
    return text


CHAPTER_HEADER = ["章节", "任务数", "已完成", "完成率", "红灯", "黄灯", "绿灯"]


def _chapter_values(chapter: Any) -> list[tuple[Any, str]]:
    return [
        (chapter.heading, "xp_body"),
        (chapter.total, "xp_number"),
        (chapter.completed, "xp_number"),
        (chapter.rate, PERCENT),
        (chapter.red, "xp_number"),
        (chapter.yellow, "xp_number"),
        (chapter.green, "xp_number"),
    ]


def _write_units(workbook: Workbook, overview: Any, *, heading: str, filters: LedgerFilters) -> None:
    sheet = _Portrait(workbook, UNITS_TITLE)
    title = f"{heading}各单位完成情况"
    sheet.append([(title, "xp_title")], merge_rest=True, height=title_height(title, sum(sheet.widths)))
    sheet.append([(subtitle_for(filters, rows=None, today=overview.today), "xp_subtitle")], merge_rest=True)
    sheet.heading("一、各牵头单位完成情况")
    unit_header = [
        "牵头单位",
        "牵头任务",
        "已完成",
        "完成率",
        "按时报送",
        "逾期报送",
        "未报送",
        "红灯",
        "黄灯",
        "配合未反馈",
    ]
    units_table = sheet.table(
        unit_header,
        [
            [
                (unit.name, "xp_body"),
                (unit.tasks, "xp_number"),
                (unit.completed, "xp_number"),
                (unit.rate, PERCENT),
                (unit.on_time, "xp_number"),
                (unit.late, "xp_number"),
                (unit.not_submitted, "xp_number"),
                (unit.red, "xp_number"),
                (unit.yellow, "xp_number"),
                (unit.silent, "xp_number"),
            ]
            for unit in overview.lead_units
        ],
    )
    sheet.blank()
    sheet.heading("二、各章节完成情况")
    chapters_table = sheet.table(CHAPTER_HEADER, [_chapter_values(chapter) for chapter in overview.chapters])
    sheet.ws.row_breaks.append(Break(id=sheet.row))  # the charts on a page of their own
    sheet.heading("附图：各牵头单位、各章节完成情况")
    charts = [
        ("各牵头单位任务完成情况", units_table, len(overview.lead_units)),
        ("各章节任务完成情况", chapters_table, len(overview.chapters)),
    ]
    for title, (header, last), count in charts:
        if count == 0:
            continue
        height = 8.0 if count <= 10 else 12.0
        chart = _completion_chart(sheet.ws, title, header_row=header, last_row=last, height=height)
        sheet.ws.add_chart(chart, f"A{sheet.row + 1}")
        sheet.blank(int(height / CM_PER_ROW) + 2, height=LINE_POINTS)
    setup_print(sheet.ws, header_row=None, last_column=sheet.width, landscape=False)


def _write_attention(
    workbook: Workbook,
    overview: Any,
    *,
    heading: str,
    filters: LedgerFilters,
    attention: AttentionList,
    chosen: set[str],
) -> None:
    order = "排列：红灯在前、黄灯在后，同色中约束性指标、报告滞后、存在风险、填写了存在问题、未报送的在前，再按序号"
    sheet = TableSheet(
        workbook,
        ATTENTION_TITLE,
        heading=f"{heading}逾期及风险任务（需会议研究）",
        subtitle=subtitle_for(
            filters, rows=None, extra=f"{_attention_summary(attention)}{order}。", today=overview.today
        ),
        columns=ATTENTION_COLUMNS,
    )
    for row in attention.rows:
        sheet.append(_task_cells(row, with_lead_units=True))
    if sheet.rows_written == 0:
        sheet.append_note("本期没有逾期或存在风险的任务。")
    elif sum(attention.omitted.values()):
        sheet.append_note(_attention_summary(attention))
    sheet.finish()


def _light_text(row: LedgerRow) -> str:
    return f"{row.light_label}\n{row.light_reason}" if row.light_reason else row.light_label


def _task_cells(row: LedgerRow, *, with_lead_units: bool) -> list[tuple[Any, str | None]]:
    """One task's cells on the attention sheet (ATTENTION_COLUMNS, with its lead units) or on a
    unit's sheet (UNIT_COLUMNS, without them)."""
    cells: list[tuple[Any, str | None]] = [
        (row.number if not row.binding else f"{row.number}*", None),
        (row.text, None),
    ]
    if with_lead_units:
        cells.append((row.lead_units, None))
    return [
        *cells,
        (row.deadline, None),
        (_light_text(row), colour_style(row.light)),
        (row.status, colour_style(row.status_key)),
        (row.progress_text, None),
        (row.problems_text, None),
        (row.next_steps_text, None),
    ]


def _discussed_units(overview: Any, attention: AttentionList) -> list[Any]:
    """The lead units of the tasks on the attention sheet, in the dashboard's unit order."""
    listed = {unit_id for row in attention.rows for unit_id in row.lead_unit_ids}
    return [unit for unit in overview.lead_units if unit.unit_id in listed and unit.tasks >= UNIT_SHEET_MIN_TASKS]


def _write_unit_sheets(
    workbook: Workbook,
    overview: Any,
    *,
    heading: str,
    filters: LedgerFilters,
    rows: list[LedgerRow],
    attention: AttentionList,
    taken: set[str],
) -> None:
    from progress.states import LIGHT_LABELS, LIGHT_ORDER

    led: dict[int, list[LedgerRow]] = defaultdict(list)
    for row in rows:
        for unit_id in dict.fromkeys(row.lead_unit_ids):
            led[unit_id].append(row)
    discussed = _discussed_units(overview, attention)
    for unit in discussed:
        unit_rows = sorted(
            led.get(unit.unit_id, []),
            key=lambda r: (LIGHT_ORDER.get(r.light, 3), discussion_rank(overview.states[r.task_id], r), r.number),
        )
        counts = f"牵头{unit.tasks}项：红灯{unit.red}项、黄灯{unit.yellow}项、已完成{unit.completed}项、未报送{unit.not_submitted}项"
        sheet = TableSheet(
            workbook,
            safe_sheet_title(unit.name, taken=taken),
            heading=f"{heading}{unit.name}牵头任务",
            subtitle=subtitle_for(
                filters, rows=None, extra=f"牵头单位：{unit.name}　{counts}；红灯、黄灯在前", today=overview.today
            ),
            columns=UNIT_COLUMNS,
        )
        for row in unit_rows:
            sheet.append(_task_cells(row, with_lead_units=False))
        if sheet.rows_written == 0:
            sheet.append_note("本单位没有牵头任务。")
        sheet.finish()

    shown = {unit.unit_id for unit in discussed}
    others = [unit for unit in overview.lead_units if unit.unit_id not in shown]
    sheet = TableSheet(
        workbook,
        OTHER_UNITS_TITLE,
        heading=f"{heading}其他牵头单位",
        subtitle=subtitle_for(
            filters,
            rows=None,
            extra=f"共{len(others)}个单位（未单独成表的牵头单位）；各任务全文见完整台账（下载时选择“台账”表）",
            today=overview.today,
        ),
        columns=OTHER_UNITS_COLUMNS,
    )
    for unit in others:
        numbers = []
        for light in ("red", "yellow"):
            found = [_number(r) for r in led.get(unit.unit_id, []) if r.light == light]
            if found:
                numbers.append(f"{LIGHT_LABELS[light]}：{'、'.join(found)}")
        sheet.append(
            [
                (unit.name, None),
                (unit.tasks, None),
                (unit.completed, None),
                (unit.red, None),
                (unit.yellow, None),
                (unit.not_submitted, None),
                ("；".join(numbers) or "无", None),
            ]
        )
    if sheet.rows_written == 0:
        sheet.append_note("各牵头单位均已单独成表。")
    sheet.finish()


def _number(row: LedgerRow) -> str:
    return f"{row.number}*" if row.binding else str(row.number)


def _status_colour_key(key: str) -> str:
    from progress.states import NOT_SUBMITTED

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
    chart.width = 16.0
    chart.height = height
    return chart


def _write_binding(workbook: Workbook, overview: Any, *, heading: str, filters: LedgerFilters) -> None:
    from progress.states import LIGHT_LABELS

    sheet = TableSheet(
        workbook,
        BINDING_TITLE,
        heading=f"{heading}约束性指标",
        subtitle=subtitle_for(
            filters,
            rows=None,
            extra=f"共{len(overview.binding)}项指标；约束性指标未完成的，责任单位年度考核一票否优",
            today=overview.today,
        ),
        columns=BINDING_COLUMNS,
    )
    for row in overview.binding:
        units = "、".join(name for name in overview.unit_names(row.lead_unit_ids) if name)
        sheet.append(
            [
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
            ]
        )
    if sheet.rows_written == 0:
        sheet.append_note("本方案没有约束性指标。")
    sheet.finish()
