"""The evaluation report as a .docx draft (python-docx): the same figures as the workbook
(:func:`evaluation.report.build_report`) as headings, paragraphs and tables, for the plan office to
write the 评估报告 from. Section 六 is left for the plan office's own words.

Table rows are written as WordprocessingML text and parsed by lxml a batch at a time (python-docx's
``add_row`` and cell access walk the whole table per cell, and an element per node is slow: minutes
for a 10,000-task plan); text goes through ``clean_text`` (characters XML cannot hold are dropped)
and is escaped.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import IO, Any

from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt

from evaluation.report import EvaluationReport, TaskRow
from evaluation.workbook import VERDICT_HEADER, day_text, task_number
from xingping_tracker.core.text import clean_text

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SPOOL_BYTES = 16 * 1024 * 1024
BODY_FONT = "宋体"
CHAPTER_NUMERALS = "一二三四五六七八九十"


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ROWS_PER_PARSE = 200
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _cell_xml(value: Any) -> str:
    lines = clean_text("" if value is None else str(value)).split("\n")
    paragraphs = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{line.translate(_ESCAPES)}</w:t></w:r></w:p>' for line in lines
    )
    return f"<w:tc>{paragraphs}</w:tc>"


def _table(document: Any, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Any:
    """A "Table Grid" table: the header row by python-docx, the rows as XML text parsed a batch at a time."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, header, strict=True):
        cell.text = title
        for run in cell.paragraphs[0].runs:
            run.bold = True
    tbl = table._tbl
    batch: list[str] = []

    def flush() -> None:
        if batch:
            parsed = parse_xml(f'<w:tbl xmlns:w="{W_NS}">{"".join(batch)}</w:tbl>')
            tbl.extend(list(parsed))
            batch.clear()

    for values in rows:
        batch.append("<w:tr>" + "".join(_cell_xml(value) for value in values) + "</w:tr>")
        if len(batch) >= ROWS_PER_PARSE:
            flush()
    flush()
    return table


def _bullets(document: Any, texts: Iterable[str]) -> None:
    """Paragraphs in the "List Bullet" style, written as XML a batch at a time (``add_paragraph`` with a
    style looks the style up among all of them per paragraph: seconds for thousands of targets)."""
    style_id = document.styles["List Bullet"].style_id
    body = document.element.body
    anchor = body.sectPr  # the document's last child: paragraphs go before it
    batch: list[str] = []

    def flush() -> None:
        if batch:
            for paragraph in list(parse_xml(f'<w:body xmlns:w="{W_NS}">{"".join(batch)}</w:body>')):
                if anchor is not None:
                    anchor.addprevious(paragraph)
                else:
                    body.append(paragraph)
            batch.clear()

    for text in texts:
        batch.append(
            f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>'
            f'<w:r><w:t xml:space="preserve">{clean_text(text).translate(_ESCAPES)}</w:t></w:r></w:p>'
        )
        if len(batch) >= ROWS_PER_PARSE:
            flush()
    flush()


def _task_cells(row: TaskRow) -> list[Any]:
    return [
        task_number(row),
        row.text,
        row.lead_units or "未落实",
        row.state_label,
        f"{row.light_label}（{row.light_reason}）" if row.light_reason else row.light_label,
        row.latest_words or "（尚无已报送的进展）",
    ]


TASK_HEADER = ("序号", "任务内容", "牵头单位", "推进状态", "灯", "牵头单位最新进展")


def build_document(report: EvaluationReport) -> IO[bytes]:
    """The .docx draft in a (spooled) temporary file, rewound."""
    import docx

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = BODY_FONT
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)
    document.add_heading(clean_text(report.title), level=0)
    document.add_paragraph(clean_text(report.subtitle))

    numbering = iter(CHAPTER_NUMERALS)
    document.add_heading(f"{next(numbering)}、总体情况", level=1)
    counts = "，".join(f"{label}{report.state_count(label)}项" for label in report.state_labels)
    period = f"（按{report.period.name}的推进状态）" if report.period else ""
    document.add_paragraph(
        f"截至{report.as_of:%Y年%m月%d日}，{clean_text(report.plan.title)}共有任务{report.task_total}项{period}：{counts}；"
        f"未完成任务{len(report.unfinished)}项。量化指标（目标）{len(report.indicators)}项，"
        f"其中约束性{sum(1 for r in report.indicators if r.binding)}项。"
    )

    document.add_heading(f"{next(numbering)}、主要指标完成情况", level=1)
    if report.indicators:
        verdicts: dict[str, int] = {}
        for row in report.indicators:
            verdicts[row.verdict] = verdicts.get(row.verdict, 0) + 1
        document.add_paragraph(
            "；".join(f"{verdict}{n}项" for verdict, n in sorted(verdicts.items())) + "。约束性指标列在前。"
        )
        _table(
            document,
            ["序号", "指标", "属性", "规划目标", *[f"{year}年" for year in report.years], "完成进度", VERDICT_HEADER],
            (
                [
                    f"{row.task_number}*" if row.binding else row.task_number,
                    row.indicator,
                    row.kind_label,
                    row.target_text,
                    *[row.actual_text(year) for year in report.years],
                    row.completion_text,
                    row.verdict,
                ]
                for row in report.indicators
            ),
        )
        document.add_paragraph("说明：")
        _bullets(document, (f"任务{row.task_number} {row.indicator}：{row.explanation}" for row in report.indicators))
    else:
        document.add_paragraph("本方案没有量化指标。")

    document.add_heading(f"{next(numbering)}、重点任务推进情况", level=1)
    for chapter in report.chapters:
        document.add_heading(clean_text(chapter.heading), level=2)
        counts = "，".join(f"{label}{chapter.count(label)}项" for label in report.state_labels if chapter.count(label))
        document.add_paragraph(f"共{len(chapter.rows)}项：{counts}。")
        _table(document, TASK_HEADER, (_task_cells(row) for row in chapter.rows))
    if not report.chapters:
        document.add_paragraph("本方案尚无填报期，没有任务推进情况。")

    document.add_heading(f"{next(numbering)}、各单位报送情况", level=1)
    if report.units:
        document.add_paragraph(f"评估期内的填报期：{'、'.join(p.name for p in report.periods)}。")
        _table(
            document,
            ("牵头单位", "应报（次）", "按时报送", "逾期报送", "未报送", "按时率", "配合单位未反馈"),
            (
                [
                    unit.name,
                    unit.total("tasks"),
                    unit.total("on_time"),
                    unit.total("late"),
                    unit.total("not_submitted"),
                    f"{unit.on_time_rate:.1f}%",
                    unit.total("silent"),
                ]
                for unit in report.units
            ),
        )
    else:
        document.add_paragraph("评估期内没有开放过的填报期。")

    document.add_heading(f"{next(numbering)}、未完成任务", level=1)
    unfinished = report.unfinished
    if unfinished:
        document.add_paragraph(f"共{len(unfinished)}项，按序号排列。")
        _table(
            document,
            ("序号", "章节", "任务内容", "牵头单位", "完成时限", "推进状态", "牵头单位最新进展"),
            (
                [
                    task_number(row),
                    row.chapter,
                    row.text,
                    row.lead_units or "未落实",
                    day_text(row.deadline),
                    row.state_label,
                    row.latest_words or "（尚无已报送的进展）",
                ]
                for row in unfinished
            ),
        )
    else:
        document.add_paragraph("没有未完成的任务。")

    document.add_heading(f"{next(numbering)}、存在问题和下步建议", level=1)
    document.add_paragraph("（请规划科根据以上情况撰写。）")

    handle = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    document.save(handle)
    handle.seek(0)
    return handle
