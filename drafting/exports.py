"""The accepted draft as a 分工方案 document (.docx) and as an Excel 台账 (.xlsx).

Both list the included tasks numbered 1… with 牵头单位, 配合单位, 完成时限 and the targets. Every text cell
of the workbook goes through ``exports.cells.set_value``, so no task text or unit name becomes a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from drafting.models import Draft, DraftTask
from exports.cells import set_value

COLUMNS = ("序号", "重点任务", "牵头单位", "配合单位", "完成时限", "量化目标")
_WIDTHS = (6, 60, 18, 30, 14, 30)


def _deadline(draft: Draft) -> str:
    return f"{draft.year}年12月底前" if draft.year else "按方案要求"


def _targets(task: DraftTask) -> str:
    return "；".join(f"{t['indicator']}：{t['value']}{t['unit']}" for t in task.targets if t.get("indicator"))


def _rows(draft: Draft, tasks: Sequence[DraftTask]) -> list[tuple[object, ...]]:
    included = [t for t in tasks if t.included]
    return [
        (number, task.text, task.lead, task.supporting, _deadline(draft), _targets(task))
        for number, task in enumerate(included, start=1)
    ]


def draft_docx(draft: Draft, tasks: Sequence[DraftTask]) -> bytes:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    document.add_heading(draft.title, level=1)
    document.add_paragraph(
        "各有关单位：现将重点工作任务分工如下，请牵头单位会同配合单位抓好落实，并按要求报送进展情况。"
        "列第一位的为牵头单位。"
    )
    rows = _rows(draft, tasks)
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = title
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(12)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def draft_xlsx(draft: Draft, tasks: Sequence[DraftTask]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "任务台账"
    set_value(sheet.cell(row=1, column=1), draft.title).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    for column, title in enumerate(COLUMNS, start=1):
        set_value(sheet.cell(row=2, column=column), title).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS[column - 1]
    for row_index, row in enumerate(_rows(draft, tasks), start=3):
        for column, value in enumerate(row, start=1):
            cell = set_value(sheet.cell(row=row_index, column=column), value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
