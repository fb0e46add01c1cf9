"""The evaluation report as a workbook, in the official layout of the meeting pack (:mod:`exports.layout`:
merged title rows, frozen and repeated header, A4 landscape, 宋体/黑体, lights coloured). Write-only and
streamed: every cell goes through the exports row writer (clean text, never a formula).

Sheets: 概况 (headline counts), 指标完成情况 (binding first), 任务推进情况 (by chapter), 分章节汇总,
单位报送情况 (per period), 未完成任务. The figures are :func:`evaluation.report.build_report`'s.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from openpyxl import Workbook

from evaluation.report import EvaluationReport, TaskRow
from exports.layout import Column, TableSheet, colour_style, register_styles
from exports.ledger import save_to_temporary

SUMMARY_TITLE = "概况"
INDICATORS_TITLE = "指标完成情况"
TASKS_TITLE = "任务推进情况"
CHAPTERS_TITLE = "分章节汇总"
UNITS_TITLE = "单位报送情况"
UNFINISHED_TITLE = "未完成任务"
VERDICT_HEADER = "预计能否完成/是否完成"
TASK_COLUMNS = [
    Column("序号", 5.5, "xp_center"),
    Column("章节", 14),
    Column("任务内容", 40),
    Column("牵头单位", 12),
    Column("完成时限", 12, "xp_center"),
    Column("推进状态", 8, "xp_center"),
    Column("灯", 9, "xp_center"),
    Column("牵头单位最新进展", 44),
    Column("进展来源", 14),
]


def day_text(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "未规定"


def task_number(row: TaskRow) -> Any:
    return f"{row.number}*" if row.binding else row.number  # the plan marks binding indicators with *


def task_values(row: TaskRow) -> list[tuple[Any, str | None]]:
    light = f"{row.light_label}\n{row.light_reason}" if row.light_reason else row.light_label
    return [
        (task_number(row), None),
        (row.chapter, None),
        (row.text, None),
        (row.lead_units or "未落实", None),
        (day_text(row.deadline), None),
        (row.state_label, None),
        (light, colour_style(row.light)),
        (row.latest_words or "（尚无已报送的进展）", None),
        (row.latest_from, None),
    ]


def _summary(workbook: Workbook, report: EvaluationReport) -> None:
    sheet = TableSheet(
        workbook,
        SUMMARY_TITLE,
        heading=report.title,
        subtitle=report.subtitle,
        columns=[Column("项目", 30), Column("数量", 10, "xp_number"), Column("说明", 50)],
    )
    total = report.task_total
    sheet.append(
        [
            ("任务总数", None),
            (total, None),
            (f"按{report.period.name}的推进状态" if report.period else "尚无填报期", None),
        ]
    )
    for label in report.state_labels:
        sheet.append([(f"其中：{label}", None), (report.state_count(label), None), ("", None)])
    sheet.append([("未完成任务", None), (len(report.unfinished), None), ("见“未完成任务”表", None)])
    indicators = report.indicators
    sheet.append([("量化指标（目标）数", None), (len(indicators), None), ("约束性指标在前", None)])
    binding = [row for row in indicators if row.binding]
    sheet.append([("其中：约束性", None), (len(binding), None), ("未完成的，责任单位年度考核一票否优", None)])
    for verdict in sorted({row.verdict for row in indicators}):
        sheet.append(
            [(f"指标：{verdict}", None), (sum(1 for r in indicators if r.verdict == verdict), None), ("", None)]
        )
    sheet.append(
        [("评估期内填报期", None), (len(report.periods), None), ("、".join(p.name for p in report.periods), None)]
    )
    sheet.finish()


def _indicators(workbook: Workbook, report: EvaluationReport) -> None:
    columns = [
        Column("任务序号", 6, "xp_center"),
        Column("指标", 22),
        Column("属性", 7, "xp_center"),
        Column("责任单位", 12),
        Column("规划目标", 20),
        *[Column(f"{year}年实际", 10, "xp_center") for year in report.years],
        Column("完成进度", 9, "xp_center"),
        Column("轨迹状态", 9, "xp_center"),
        Column(VERDICT_HEADER, 12, "xp_center"),
        Column("说明", 40),
    ]
    sheet = TableSheet(
        workbook, INDICATORS_TITLE, heading=f"{report.title}主要指标完成情况", subtitle=report.subtitle, columns=columns
    )
    status_colour = {"ahead": "green", "on_track": "green", "behind": "red", "no_data": "unreported"}
    for row in report.indicators:
        colour = colour_style(status_colour.get(row.status, ""))
        sheet.append(
            [
                (f"{row.task_number}*" if row.binding else row.task_number, None),
                (row.indicator, None),
                (row.kind_label, None),
                (row.responsible, None),
                (row.target_text, None),
                *[(row.actual_text(year), None) for year in report.years],
                (row.completion_text, None),
                (row.status_label, colour),
                (row.verdict, colour),
                (row.explanation, None),
            ]
        )
    if not report.indicators:
        sheet.append_note("本方案没有量化指标。")
    sheet.finish()


def _tasks(workbook: Workbook, report: EvaluationReport) -> dict[int, str]:
    """The task sheet; returns the unfinished tasks' rendered rows, written again on their own sheet."""
    sheet = TableSheet(
        workbook, TASKS_TITLE, heading=f"{report.title}重点任务推进情况", subtitle=report.subtitle, columns=TASK_COLUMNS
    )
    unfinished: dict[int, str] = {}
    for chapter in report.chapters:
        counts = "，".join(f"{label}{chapter.count(label)}项" for label in report.state_labels if chapter.count(label))
        sheet.append_note(f"{chapter.heading}（共{len(chapter.rows)}项：{counts}）")
        for row in chapter.rows:
            rendered = sheet.render(task_values(row))
            sheet.append_rendered(rendered)
            if not row.is_completed:
                unfinished[row.task_id] = rendered
    if not report.chapters:
        sheet.append_note("本方案尚无填报期，没有任务推进情况。")
    sheet.finish()
    return unfinished


def _chapters(workbook: Workbook, report: EvaluationReport) -> None:
    columns = [
        Column("章节", 30),
        Column("任务数", 8, "xp_number"),
        *[Column(label, 8, "xp_number") for label in report.state_labels],
        Column("完成率", 9, "xp_center"),
    ]
    sheet = TableSheet(
        workbook, CHAPTERS_TITLE, heading=f"{report.title}分章节汇总", subtitle=report.subtitle, columns=columns
    )
    for chapter in [*report.chapters]:
        total = len(chapter.rows)
        done = chapter.count(report.state_labels[0])
        sheet.append(
            [
                (chapter.heading, None),
                (total, None),
                *[(chapter.count(label), None) for label in report.state_labels],
                (f"{100.0 * done / total:.1f}%" if total else "—", None),
            ]
        )
    total = report.task_total
    done = report.state_count(report.state_labels[0])
    sheet.append(
        [
            ("合计", None),
            (total, None),
            *[(report.state_count(label), None) for label in report.state_labels],
            (f"{100.0 * done / total:.1f}%" if total else "—", None),
        ]
    )
    sheet.finish()


def _units(workbook: Workbook, report: EvaluationReport) -> None:
    columns = [
        Column("牵头单位", 16),
        Column("应报（次）", 8, "xp_number"),
        Column("按时报送", 8, "xp_number"),
        Column("逾期报送", 8, "xp_number"),
        Column("未报送", 8, "xp_number"),
        Column("按时率", 8, "xp_center"),
        Column("配合单位未反馈", 9, "xp_number"),
        *[Column(f"{p.name}\n按时/逾期/未报", 12, "xp_center") for p in report.periods],
    ]
    sheet = TableSheet(
        workbook, UNITS_TITLE, heading=f"{report.title}各牵头单位报送情况", subtitle=report.subtitle, columns=columns
    )
    for unit in report.units:
        per_period = []
        for period in report.periods:
            counts = unit.periods.get(period.pk)
            per_period.append((f"{counts.on_time}/{counts.late}/{counts.not_submitted}" if counts else "—", None))
        sheet.append(
            [
                (unit.name, None),
                (unit.total("tasks"), None),
                (unit.total("on_time"), None),
                (unit.total("late"), None),
                (unit.total("not_submitted"), None),
                (f"{unit.on_time_rate:.1f}%", None),
                (unit.total("silent"), None),
                *per_period,
            ]
        )
    if not report.units:
        sheet.append_note("评估期内没有开放过的填报期。")
    sheet.finish()


def _unfinished(workbook: Workbook, report: EvaluationReport, rendered: dict[int, str]) -> None:
    """The unfinished tasks in number order, as their rows on the task sheet (rendered once)."""
    sheet = TableSheet(
        workbook,
        UNFINISHED_TITLE,
        heading=f"{report.title}未完成任务清单",
        subtitle=report.subtitle,
        columns=TASK_COLUMNS,
    )
    rows = report.unfinished
    for row in rows:
        sheet.append_rendered(rendered[row.task_id])
    if not rows:
        sheet.append_note("没有未完成的任务。")
    sheet.finish()


def build_workbook(report: EvaluationReport) -> IO[bytes]:
    """The report as .xlsx bytes in a (spooled) temporary file, rewound."""
    workbook = Workbook(write_only=True)
    register_styles(workbook)
    _summary(workbook, report)
    _indicators(workbook, report)
    unfinished = _tasks(workbook, report)
    _chapters(workbook, report)
    _units(workbook, report)
    _unfinished(workbook, report, unfinished)
    return save_to_temporary(workbook)
