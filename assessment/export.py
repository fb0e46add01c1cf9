"""The assessment as .xlsx for the 年度总结专题会, in the official layout of the meeting pack
(:mod:`exports.layout`: merged title and subtitle rows, a frozen header row repeated on every
printed page, A4 landscape, 宋体 / 黑体; every cell through the exports cell helpers).

Sheets: **考核结果** (one row per unit in rank order: scores, 一票否优 and its cause, grade, the
reasons beside the score) and **计算明细** (every explained line of every unit). Both are rendered
from the stored results an actor may read (:class:`assessment.selectors.AssessmentView`), the rows
the page and the API show.
"""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from django.utils import timezone
from openpyxl import Workbook

from assessment.compute import GRADE_LABELS, NOT_GRADED_LABEL
from assessment.selectors import AssessmentView
from exports.layout import Column, TableSheet, register_styles
from exports.ledger import save_to_temporary

RESULT_TITLE = "考核结果"
DETAIL_TITLE = "计算明细"
RESULT_COLUMNS = [
    Column("名次", 5.5, "xp_center"),
    Column("单位", 16),
    Column("牵头任务", 7, "xp_center"),
    Column("配合任务", 7, "xp_center"),
    Column("基础得分", 8, "xp_center"),
    Column("扣分", 6.5, "xp_center"),
    Column("加分", 6.5, "xp_center"),
    Column("调整", 6.5, "xp_center"),
    Column("得分", 7, "xp_center"),
    Column("等次", 6.5, "xp_center"),
    Column("一票否优", 8, "xp_center"),
    Column("说明", 60),
]
DETAIL_COLUMNS = [
    Column("名次", 5.5, "xp_center"),
    Column("单位", 16),
    Column("项目", 8, "xp_center"),
    Column("计算说明", 90),
    Column("分值", 8, "xp_center"),
]
CATEGORY_LABELS = {
    "task": "任务",
    "kind": "分类得分",
    "base": "基础得分",
    "deduction": "扣分",
    "bonus": "加分",
    "veto": "一票否优",
    "adjustment": "调整",
    "score": "得分",
    "grade": "等次",
}
GRADE_STYLES = {"excellent": "xp_green", "good": "xp_green", "fair": "xp_yellow", "poor": "xp_red"}


def filename(view: AssessmentView) -> str:
    return f"{view.assessment.year}年度目标责任制考核结果.xlsx"


def _subtitle(view: AssessmentView, *, rows: int) -> str:
    assessment = view.assessment
    parts = []
    if assessment.plan.document_number:
        parts.append(assessment.plan.document_number)
    parts.append(f"状态：{assessment.get_state_display()}")
    if assessment.computed_at:
        parts.append(f"计算时间：{timezone.localtime(assessment.computed_at):%Y年%m月%d日 %H:%M}")
    parts.append(f"导出日期：{timezone.localdate():%Y年%m月%d日}")
    parts.append(f"共{rows}个单位")
    parts.append("注：约束性指标未完成的，责任单位一票否优；远景目标提前实现的予以加分。年度总结专题会材料。")
    return "　".join(parts)


def build_workbook(view: AssessmentView) -> IO[bytes]:
    """The assessment as .xlsx bytes in a (spooled) temporary file."""
    assessment = view.assessment
    heading = f"{assessment.plan.title}{assessment.year}年度目标责任制考核结果"
    workbook = Workbook(write_only=True)
    register_styles(workbook)
    sheet = TableSheet(
        workbook,
        RESULT_TITLE,
        heading=heading,
        subtitle=_subtitle(view, rows=len(view.results)),
        columns=RESULT_COLUMNS,
    )
    for result in view.results:
        reasons = "；".join(line["text"] for line in result.lines if line["category"] != "task")
        sheet.append(
            [
                (result.rank, None),
                (result.department.name, None),
                (result.led, None),
                (result.supported, None),
                (result.base_score, None),
                (result.deduction, None),
                (result.bonus, None),
                (result.adjustment, None),
                (result.score, None),
                (GRADE_LABELS.get(result.grade, NOT_GRADED_LABEL), GRADE_STYLES.get(result.grade)),
                ("是" if result.veto else "否", "xp_red" if result.veto else None),
                (reasons, None),
            ]
        )
    if not view.results:
        sheet.append_note("没有可显示的考核结果。")
    sheet.finish()

    detail = TableSheet(
        workbook,
        DETAIL_TITLE,
        heading=f"{heading}（计算明细）",
        subtitle=_subtitle(view, rows=len(view.results)),
        columns=DETAIL_COLUMNS,
    )
    for result in view.results:
        for line in result.lines:
            detail.append(
                [
                    (result.rank, None),
                    (result.department.name, None),
                    (CATEGORY_LABELS.get(line["category"], line["category"]), None),
                    (line["text"], None),
                    (Decimal(line["points"]) if line["points"] is not None else None, None),
                ]
            )
    if not view.results:
        detail.append_note("没有可显示的考核结果。")
    detail.finish()
    return save_to_temporary(workbook)
