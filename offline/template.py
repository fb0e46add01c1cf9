"""The unit's Excel template for an open period (下载填报模板).

Sheet 填报表: one row per task of the unit (本期待填报's list), pre-filled with this period's report
when there is one, else with the unit's report of the previous period; locked columns for what the
unit must not change, a drop-down for 状态, whole-number validation for 完成百分比. Sheet 指标实际值:
one row per target of the unit's lead tasks. A very hidden sheet carries the signed identity
(:mod:`offline.identity`). Sheet protection is a convenience: the upload re-checks everything.
Every text goes into its cell through :mod:`exports.cells`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from access.actor import Actor, actor_for
from access.rules import check_can_use_templates, check_period_open
from departments.models import Department
from exports.cells import choice_validation, set_value
from offline import layout
from offline.content import report_content
from offline.identity import SignedRow, TemplateIdentity
from offline.selectors import TemplateRow, template_rows
from progress.formatting import plain_decimal
from progress.models import ActualState, ReportStatus, ReviewPeriod
from progress.selectors.portal import NOT_STARTED_LABEL, unit_periods
from tasks.models import AssignmentRole
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_EDIT_HEADER_FILL = PatternFill("solid", fgColor="FFF2CC")
_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_UNLOCKED = Protection(locked=False)
_AUTHOR = "督办台账"


def template_period(*, actor: Actor, period_id: Any) -> ReviewPeriod:
    """The open period of the actor's unit named by ``period_id`` (the unit's latest open one when empty)."""
    department_id = check_can_use_templates(actor)
    periods = unit_periods(department_id=department_id)
    if period_id in (None, ""):
        period = next((p for p in periods if p.is_open), None)
        if period is None:
            raise ApplicationError(ErrorCode.PERIOD_NOT_OPEN, "本单位目前没有开放的填报期，无需下载填报模板。")
        return period
    period = next((p for p in periods if str(p.pk) == str(period_id).strip()), None)
    if period is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该填报期，或本单位在该填报期没有任务。")
    check_period_open(period)
    return period


@dataclass
class TemplateFile:
    filename: str
    content: bytes
    rows: int
    actual_rows: int


def build_template(*, user: Any, period_id: Any) -> TemplateFile:
    actor = actor_for(user)
    period = template_period(actor=actor, period_id=period_id)
    department = Department.objects.only("pk", "name").get(pk=actor.department_id)
    rows = template_rows(department_id=department.pk, period=period)
    workbook = Workbook()
    _register_styles(workbook)
    main = workbook.active
    main.title = layout.MAIN_SHEET
    actuals = workbook.create_sheet(layout.ACTUALS_SHEET)
    identity_sheet = workbook.create_sheet(layout.IDENTITY_SHEET)
    title = f"{department.name} · {period.name} · 离线填报模板（{period.plan.title}）"
    _write_main(main, rows, title=title)
    actual_rows = _write_actuals(actuals, rows, title=f"{department.name} · {period.name} · 指标实际值")
    identity = TemplateIdentity(
        plan_id=period.plan_id,
        period_id=period.pk,
        department_id=department.pk,
        user_id=user.pk,
        rows=tuple(_signed_row(row) for row in rows),
    )
    _write_identity(identity_sheet, identity, department=department, period=period)
    buffer = io.BytesIO()
    workbook.save(buffer)
    filename = f"{department.name}-{period.name}-填报模板.xlsx"
    return TemplateFile(filename=filename, content=buffer.getvalue(), rows=len(rows), actual_rows=actual_rows)


def _signed_row(row: TemplateRow) -> SignedRow:
    content = report_content(row.source, targets=row.targets, actuals=row.actuals)
    return SignedRow(
        number=row.task.number,
        task_id=row.task.pk,
        report_id=row.report.pk if row.report else 0,
        version=row.report.version if row.report else 0,
        role=row.role,
        digest=content.digest(),
        target_ids=tuple(target.pk for target in row.targets),
    )


def _sheet_frame(ws: Any, columns: list[layout.Column], *, title: str) -> None:
    """Title row (merged), header row with comments, widths, frozen header, print setup, protection."""
    from openpyxl.utils import get_column_letter

    last = get_column_letter(len(columns))
    ws.merge_cells(f"A{layout.TITLE_ROW}:{last}{layout.TITLE_ROW}")
    title_cell = ws.cell(row=layout.TITLE_ROW, column=1)
    set_value(title_cell, title)
    title_cell.font = Font(bold=True, size=14)
    title_cell.alignment = _CENTER
    ws.row_dimensions[layout.TITLE_ROW].height = 30
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=layout.HEADER_ROW, column=index)
        set_value(cell, column.header)
        cell.font = Font(bold=True)
        cell.fill = _EDIT_HEADER_FILL if column.editable else _HEADER_FILL
        cell.alignment = _CENTER
        cell.border = _BORDER
        cell.comment = Comment(column.comment + ("（可填写）" if column.editable else "（锁定）"), _AUTHOR, width=260, height=110)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = ws.cell(row=layout.FIRST_DATA_ROW, column=1)
    ws.print_title_rows = f"{layout.HEADER_ROW}:{layout.HEADER_ROW}"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True
    # Column widths and row heights stay adjustable; everything else follows the lock of each cell.
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


EDIT_STYLE = "填报-可填写"
LOCKED_STYLE = "填报-锁定"
DATE_EDIT_STYLE = "填报-日期"
DATE_LOCKED_STYLE = "填报-日期锁定"


def _register_styles(workbook: Workbook) -> None:
    """Named styles for body cells: one style assignment per cell instead of four (the template
    of a unit with 1,000+ tasks is written in a fraction of the time)."""
    for name, fill, protection, number_format in (
        (EDIT_STYLE, None, _UNLOCKED, "General"),
        (LOCKED_STYLE, _LOCKED_FILL, Protection(locked=True), "General"),
        (DATE_EDIT_STYLE, None, _UNLOCKED, "yyyy-mm-dd"),
        (DATE_LOCKED_STYLE, _LOCKED_FILL, Protection(locked=True), "yyyy-mm-dd"),
    ):
        style = NamedStyle(name=name, alignment=_WRAP, border=_BORDER, protection=protection, number_format=number_format)
        if fill is not None:
            style.fill = fill
        workbook.add_named_style(style)


def _body(cell: Any, value: Any, *, editable: bool, date: bool = False) -> None:
    if date:
        cell.style = DATE_EDIT_STYLE if editable else DATE_LOCKED_STYLE
    else:
        cell.style = EDIT_STYLE if editable else LOCKED_STYLE
    set_value(cell, value)


def _deadline_text(row: TemplateRow) -> str:
    deadline = row.effective_deadline
    if deadline is None:
        return row.task.deadline_text or "—"
    text = f"{deadline.year}年{deadline.month}月"
    return text + ("（已延期）" if deadline != row.task.deadline else "")


def _report_status_label(row: TemplateRow) -> str:
    return row.report.get_status_display() if row.report is not None else NOT_STARTED_LABEL


def _write_main(ws: Any, rows: list[TemplateRow], *, title: str) -> None:
    columns = layout.MAIN_COLUMNS
    _sheet_frame(ws, columns, title=title)
    status_list = choice_validation(layout.STATUS_LABELS, title="状态", allow_blank=False, prompt=True)
    percent = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="完成百分比",
        error="请填写0到100之间的整数，或留空。",
    )
    ws.add_data_validation(status_list)
    ws.add_data_validation(percent)
    for offset, row in enumerate(rows):
        r = layout.FIRST_DATA_ROW + offset
        source = row.source
        editable = row.editable
        review = row.report.review_comment if row.report is not None and row.report.status == ReportStatus.RETURNED else ""
        values = {
            "number": row.task.number,
            "task": row.task.text,
            "role": AssignmentRole(row.role).label,
            "deadline": _deadline_text(row),
            "previous": row.previous.progress_text if row.previous is not None else "",
            "review": review,
            "report_status": _report_status_label(row),
            "status": source.get_progress_status_display() if source is not None else layout.STATUS_LABELS[0],
            "percent": source.percent if source is not None else None,
            "progress_text": source.progress_text if source is not None else "",
            "problems_text": source.problems_text if source is not None else "",
            "next_steps_text": source.next_steps_text if source is not None else "",
        }
        for index, column in enumerate(columns, start=1):
            _body(ws.cell(row=r, column=index), values[column.key], editable=column.editable and editable)
    if rows:
        last = layout.FIRST_DATA_ROW + len(rows) - 1
        status_list.add(f"{layout.letter(columns, 'status')}{layout.FIRST_DATA_ROW}:{layout.letter(columns, 'status')}{last}")
        percent.add(f"{layout.letter(columns, 'percent')}{layout.FIRST_DATA_ROW}:{layout.letter(columns, 'percent')}{last}")


def _target_text(target: Any) -> str:
    if target.value_max is not None:
        return f"{plain_decimal(target.value)}–{plain_decimal(target.value_max)}"
    return plain_decimal(target.value)


def _write_actuals(ws: Any, rows: list[TemplateRow], *, title: str) -> int:
    columns = layout.ACTUAL_COLUMNS
    _sheet_frame(ws, columns, title=title)
    decimal = DataValidation(
        type="decimal", allow_blank=True, showErrorMessage=True, errorTitle="实际值", error="请填写数字。",
        operator="between", formula1="-1000000000000000", formula2="1000000000000000",
    )
    date = DataValidation(
        type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)", allow_blank=True,
        showErrorMessage=True, errorTitle="数据截至日期", error="请填写日期，如 2024-06-30。",
    )
    state = choice_validation(layout.ACTUAL_STATE_LABELS, title="数据状态")
    for validation in (decimal, date, state):
        ws.add_data_validation(validation)
    r = layout.FIRST_DATA_ROW
    for row in rows:
        if row.role != AssignmentRole.LEAD:
            continue
        # A new report starts without actuals (progress.services.reports.start_report copies the text,
        # status and percent of the unit's last report, not its actuals): last period's value is a
        # note on the cell, as the portal's form shows it beside the field, never a value to upload.
        fresh = row.report is None
        for position, target in enumerate(row.targets, start=1):
            actual = None if fresh else row.actuals.get(target.pk)
            earlier = row.actuals.get(target.pk) if fresh else None
            reported = actual is not None and actual.state == ActualState.REPORTED
            values = {
                "number": row.task.number,
                "position": position,
                "indicator": target.indicator,
                "target": _target_text(target),
                "unit": target.unit,
                "value": actual.value if reported else None,
                "data_date": actual.data_date if actual is not None else None,
                "state": actual.get_state_display() if actual is not None else "",
                "note": actual.note if actual is not None else "",
            }
            for index, column in enumerate(columns, start=1):
                _body(ws.cell(row=r, column=index), values[column.key], editable=column.editable and row.editable,
                      date=column.key == "data_date")
            if earlier is not None and row.previous is not None:
                ws.cell(row=r, column=layout.column_index(columns, "value")).comment = Comment(
                    _earlier_words(earlier, unit=target.unit, period_name=row.previous.period.name),
                    _AUTHOR, width=260, height=70,
                )
            r += 1
    count = r - layout.FIRST_DATA_ROW
    if count:
        last = r - 1
        for validation, key in ((decimal, "value"), (date, "data_date"), (state, "state")):
            col = layout.letter(columns, key)
            validation.add(f"{col}{layout.FIRST_DATA_ROW}:{col}{last}")
    return count


def _earlier_words(actual: Any, *, unit: str, period_name: str) -> str:
    """上期（2024年上半年）：4.2%，截至2024-06-30。本期请重新填写。"""
    if actual.state != ActualState.REPORTED or actual.value is None:
        stated = "数据尚未发布"
    else:
        stated = f"{plain_decimal(actual.value)}{unit}"
        if actual.data_date is not None:
            stated += f"，截至{actual.data_date:%Y-%m-%d}"
    return f"上期（{period_name}）：{stated}。本期请重新填写。"


def _write_identity(ws: Any, identity: TemplateIdentity, *, department: Department, period: ReviewPeriod) -> None:
    ws.sheet_state = "veryHidden"
    token = identity.to_token()
    rows = [
        ("格式", layout.IDENTITY_MARK, layout.IDENTITY_FORMAT),
        ("方案", identity.plan_id, period.plan.title),
        ("填报期", identity.period_id, period.name),
        ("单位", identity.department_id, department.name),
    ]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            set_value(ws.cell(row=r, column=c), value)
    set_value(ws.cell(row=6, column=1), "签名")
    chunks = [token[i : i + layout.TOKEN_CHUNK] for i in range(0, len(token), layout.TOKEN_CHUNK)]
    for offset, chunk in enumerate(chunks):
        set_value(ws.cell(row=6 + offset, column=2), chunk)
    ws.protection.sheet = True
