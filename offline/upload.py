"""Loading a filled template back (上传填报模板): validated as a whole, then written in one transaction.

:func:`check_upload` reads and checks everything and writes nothing; every problem is an entry
``{sheet, row, column, number, message}`` (Chinese). :func:`apply_upload` writes only when there
is none, through :mod:`progress.services.reports` with the portal's rules (``save_reports``: what
``start_report`` for a task without a report, then ``save_report`` with the version from the
template do, for all the rows at once), inside one transaction: if any save is refused, nothing is
written.

A row counts as changed when its content differs from what the template was filled with (a digest
signed in the template). Unchanged rows are left alone (a report changed on the web since the
download is not touched). A changed row is saved when its content differs from what is stored;
it is an error when its report changed on the web since the download (naming who), when the
report was submitted or accepted, or when the task is no longer the unit's.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import defusedxml
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for
from access.rules import check_can_use_templates, check_period_open
from departments.models import Department
from offline import layout, safety
from offline.content import ActualContent, RowContent, normal_text, report_content, same_stored
from offline.identity import SignedRow, TemplateIdentity
from offline.selectors import unit_task_roles
from progress.models import ActualState, ProgressReport, ProgressStatus, ReviewPeriod, TargetActual
from progress.services.reports import (
    TEXT_MAX_CHARS,
    ActualInput,
    ReportInput,
    ReportWrite,
    previous_reports,
    save_reports,
)
from progress.workflow import EDITABLE_REPORT_STATES
from tasks.models import AssignmentRole, Target, Task
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

NOTE_MAX_CHARS = 300
_MAX_ABS_VALUE = Decimal(10) ** 16


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str
    number: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "number": self.number, "message": self.message}

    def __str__(self) -> str:
        parts = [self.sheet] if self.sheet else []
        if self.number is not None:
            parts.append(f"序号 {self.number}")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        where = " / ".join(parts)
        what = f"{self.column}：{self.message}" if self.column else self.message
        return f"{where} / {what}" if where else what


class UploadInvalid(ApplicationError):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(
            ErrorCode.INVALID,
            f"上传的模板中有{len(errors)}处问题，未写入任何内容。请按提示修改后重新上传。",
            extra={"errors": [error.as_dict() for error in errors]},
        )


@dataclass
class ParsedRow:
    sheet_row: int
    signed: SignedRow
    status: str | None = None
    percent: int | None = None
    texts: dict[str, str] = field(default_factory=dict)
    actuals: dict[int, ActualContent] = field(default_factory=dict)  # by target id

    def content(self) -> RowContent:
        return RowContent(
            progress_status=self.status or "",
            percent=self.percent,
            progress_text=self.texts.get("progress_text", ""),
            problems_text=self.texts.get("problems_text", ""),
            next_steps_text=self.texts.get("next_steps_text", ""),
            actuals=tuple(self.actuals.get(t, ActualContent(target_id=t)) for t in self.signed.target_ids),
        )


@dataclass
class PlannedWrite:
    parsed: ParsedRow
    task: Task
    report: ProgressReport | None
    data: ReportInput


@dataclass
class UploadPlan:
    identity: TemplateIdentity
    period: ReviewPeriod
    department: Department
    writes: list[PlannedWrite]
    unchanged: int
    rows: int


@dataclass
class UploadResult:
    period: ReviewPeriod
    department: Department
    created: list[dict[str, Any]]
    updated: list[dict[str, Any]]
    unchanged: int
    rows: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.pk,
            "department": self.department.pk,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "created_count": len(self.created),
            "updated_count": len(self.updated),
        }


# --- reading the workbook -----------------------------------------------------------------------


def _open_workbook(data: bytes) -> Any:
    from openpyxl import load_workbook

    safety.ensure_defused_openpyxl()
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        cause: BaseException | None = exc
        while cause is not None:  # openpyxl wraps the parser's error in a ValueError
            if isinstance(cause, defusedxml.DefusedXmlException):
                raise safety.xml_declaration_refused() from None
            cause = cause.__cause__ or cause.__context__
        raise safety.refuse("工作簿无法读取（可能已损坏或不是本系统的填报模板）。" + safety.SAVE_AS_HINT) from None


def _identity(workbook: Any) -> TemplateIdentity:
    tampered = safety.refuse("模板标识无效（模板可能被修改过，或不是从本系统下载的）。请重新下载本单位的填报模板后填写上传。")
    if layout.IDENTITY_SHEET not in workbook.sheetnames:
        raise safety.refuse("这不是本系统的填报模板（缺少模板标识）。请在“本期待填报”页面下载本单位的填报模板，填写后上传。")
    ws = workbook[layout.IDENTITY_SHEET]
    ws.reset_dimensions()
    cells: dict[tuple[int, int], Any] = {}
    for row in ws.iter_rows(min_row=1, max_row=6 + 200, max_col=3):
        for cell in row:
            if getattr(cell, "value", None) is not None:
                cells[(cell.row, cell.column)] = cell.value
    if cells.get((1, 2)) != layout.IDENTITY_MARK:
        raise tampered
    chunks = []
    r = 6
    while isinstance(cells.get((r, 2)), str):
        chunks.append(cells[(r, 2)])
        r += 1
    try:
        identity = TemplateIdentity.from_token("".join(chunks))
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        raise tampered from None
    readable = (str(cells.get((2, 2))), str(cells.get((3, 2))), str(cells.get((4, 2))))
    if readable != (str(identity.plan_id), str(identity.period_id), str(identity.department_id)):
        raise tampered
    return identity


def _visible_sheet(workbook: Any, title: str) -> Any | None:
    if title not in workbook.sheetnames:
        return None
    ws = workbook[title]
    if getattr(ws, "sheet_state", "visible") != "visible":
        return None
    # Read the rows the sheet holds, not those its <dimension> claims (it may claim a million rows).
    ws.reset_dimensions()
    return ws


def _header_map(ws: Any, columns: list[layout.Column], sheet: str, errors: list[RowError]) -> dict[str, int] | None:
    header = next(
        ws.iter_rows(min_row=layout.HEADER_ROW, max_row=layout.HEADER_ROW, max_col=safety.SHEET_MAX_COLUMNS, values_only=True),
        (),
    )
    positions = {str(value).strip(): index for index, value in enumerate(header) if value is not None}
    found = {}
    for column in columns:
        if column.header not in positions:
            errors.append(RowError(sheet, layout.HEADER_ROW, column.header, "缺少该列（表头被修改或删除），请重新下载模板。"))
        else:
            found[column.key] = positions[column.header]
    return found if len(found) == len(columns) else None


def _data_rows(ws: Any, width: int, sheet: str) -> list[tuple[int, list[Any]]]:
    """(sheet row number, cells) of the rows below the header that hold anything, at most the row limit."""
    limit = safety.max_rows()
    rows = []
    for cells in ws.iter_rows(min_row=layout.FIRST_DATA_ROW, max_col=max(width, 1)):
        if not cells:
            continue
        if all(getattr(cell, "value", None) in (None, "") for cell in cells):
            continue
        rows.append((cells[0].row, list(cells)))
        if len(rows) > limit:
            raise safety.refuse(f"“{sheet}”超过{limit}行，超出上限。请分批上传，或联系规划科。")
    return rows


def _cell(cells: list[Any], index: int) -> Any:
    return cells[index] if index < len(cells) else None


def _is_formula(cell: Any) -> bool:
    return cell is not None and getattr(cell, "data_type", None) == "f"


def _raw(cell: Any) -> Any:
    value = getattr(cell, "value", None)
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _int_or_none(value: Any) -> int | None | str:
    """An integer, None for empty, or "bad"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "bad"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else "bad"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else "bad"
    text = str(value).strip().removesuffix("%").strip()
    return int(text) if text.isdecimal() else "bad"


def _decimal(value: Any) -> Decimal | None | str:
    if value is None:
        return None
    if isinstance(value, bool | dt.date):
        return "bad"
    try:
        number = Decimal(str(value).strip().replace(",", "").replace("，", "")) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        return "bad"
    if not number.is_finite():
        return "bad"
    return number


def _date(value: Any) -> dt.date | None | str:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(value).date()
        except (ValueError, OverflowError, TypeError):
            return "bad"
    text = str(value).strip().replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except (ValueError, TypeError):
        return "bad"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normal_text(str(value))


def _parse_main(ws: Any, identity: TemplateIdentity, errors: list[RowError]) -> dict[int, ParsedRow]:
    sheet = layout.MAIN_SHEET
    columns = layout.MAIN_COLUMNS
    positions = _header_map(ws, columns, sheet, errors)
    if positions is None:
        return {}
    signed = {row.number: row for row in identity.rows}
    parsed: dict[int, ParsedRow] = {}
    status_choices = "、".join(layout.STATUS_LABELS)
    for r, cells in _data_rows(ws, len(columns), sheet):
        number_value = _int_or_none(_raw(_cell(cells, positions["number"])))
        if not isinstance(number_value, int) or number_value not in signed:
            errors.append(RowError(sheet, r, "序号", "不是本模板中的任务序号（序号列不能修改，也不能增加行）。"))
            continue
        if number_value in parsed:
            errors.append(RowError(sheet, r, "序号", f"与第{parsed[number_value].sheet_row}行重复。", number_value))
            continue
        row = ParsedRow(sheet_row=r, signed=signed[number_value])
        parsed[number_value] = row

        def err(column: str, message: str, *, _r: int = r, _n: int = number_value) -> None:
            errors.append(RowError(sheet, _r, column, message, _n))

        formulas = set()
        for key in ("status", "percent", "progress_text", "problems_text", "next_steps_text"):
            if _is_formula(_cell(cells, positions[key])):
                formulas.add(key)
                err(next(c.header for c in columns if c.key == key), "不能使用公式，请直接填写内容。")
        if formulas:
            continue
        status_value = _raw(_cell(cells, positions["status"]))
        label = str(status_value).strip() if status_value is not None else ""
        if not label:
            err("状态", f"请选择状态（{status_choices}）。")
        elif label not in layout.STATUS_BY_LABEL:
            err("状态", f"“{label}”不是可选的状态，须为下拉列表中的一项：{status_choices}。")
        else:
            row.status = layout.STATUS_BY_LABEL[label]
        percent = _int_or_none(_raw(_cell(cells, positions["percent"])))
        if percent == "bad" or (isinstance(percent, int) and not 0 <= percent <= 100):
            err("完成百分比", "须为0到100的整数，或留空。")
        else:
            row.percent = percent
            if row.status == ProgressStatus.COMPLETED and percent is not None and percent != 100:
                err("完成百分比", "状态为“已完成”时，完成百分比应为100。")
        for key in ("progress_text", "problems_text", "next_steps_text"):
            text = _text(_raw(_cell(cells, positions[key])))
            header = next(c.header for c in columns if c.key == key)
            if len(text) > TEXT_MAX_CHARS:
                err(header, f"不能超过{TEXT_MAX_CHARS}字（现为{len(text)}字）。")
            row.texts[key] = text
    return parsed


def _parse_actuals(
    ws: Any | None, identity: TemplateIdentity, parsed: dict[int, ParsedRow], errors: list[RowError]
) -> None:
    sheet = layout.ACTUALS_SHEET
    lead_rows = {n: row for n, row in parsed.items() if row.signed.role == AssignmentRole.LEAD and row.signed.target_ids}
    if ws is None:
        if lead_rows:
            errors.append(RowError(sheet, None, "", "缺少“指标实际值”工作表，请勿删除或隐藏该表。"))
        return
    columns = layout.ACTUAL_COLUMNS
    positions = _header_map(ws, columns, sheet, errors)
    if positions is None:
        return
    signed = {row.number: row for row in identity.rows}
    seen: dict[tuple[int, int], int] = {}
    today = timezone.localdate()
    state_choices = "、".join(layout.ACTUAL_STATE_LABELS)
    for r, cells in _data_rows(ws, len(columns), sheet):
        number = _int_or_none(_raw(_cell(cells, positions["number"])))
        position = _int_or_none(_raw(_cell(cells, positions["position"])))
        signed_row = signed.get(number) if isinstance(number, int) else None
        if signed_row is None or not isinstance(position, int) or not 1 <= position <= len(signed_row.target_ids):
            errors.append(RowError(sheet, r, "序号", "不是本模板中的指标（序号、指标编号列不能修改，也不能增加行）。"))
            continue
        if (number, position) in seen:
            errors.append(RowError(sheet, r, "指标编号", f"与第{seen[(number, position)]}行重复。", number))
            continue
        seen[(number, position)] = r
        row = parsed.get(number)
        if row is None:
            continue  # the task's row was left out of 填报表: its actuals are not loaded either

        def err(column: str, message: str, *, _r: int = r, _n: int = number) -> None:
            errors.append(RowError(sheet, _r, column, message, _n))

        formulas = False
        for key in ("value", "data_date", "state", "note"):
            if _is_formula(_cell(cells, positions[key])):
                formulas = True
                err(next(c.header for c in columns if c.key == key), "不能使用公式，请直接填写内容。")
        if formulas:
            continue
        value = _decimal(_raw(_cell(cells, positions["value"])))
        data_date = _date(_raw(_cell(cells, positions["data_date"])))
        state_raw = _raw(_cell(cells, positions["state"]))
        state_label = str(state_raw).strip() if state_raw is not None else ""
        note = _text(_raw(_cell(cells, positions["note"])))
        ok = True
        if value == "bad":
            err("实际值", "须为数字（如 4.2），不要带单位或文字。")
            ok = False
        elif isinstance(value, Decimal) and (abs(value) >= _MAX_ABS_VALUE or -value.as_tuple().exponent > 4):
            err("实际值", "数值过大或小数超过4位。")
            ok = False
        if data_date == "bad":
            err("数据截至日期", "须为日期，如 2024-06-30。")
            ok = False
        elif isinstance(data_date, dt.date) and data_date > today:
            err("数据截至日期", "不能晚于今天。")
            ok = False
        if state_label and state_label not in layout.ACTUAL_STATE_BY_LABEL:
            err("数据状态", f"“{state_label}”不是可选的数据状态，须为：{state_choices}。")
            ok = False
        if len(note) > NOTE_MAX_CHARS:
            err("说明", f"不能超过{NOTE_MAX_CHARS}字。")
            ok = False
        if not ok:
            continue
        state = layout.ACTUAL_STATE_BY_LABEL.get(state_label, ActualState.REPORTED)
        actual = ActualContent(
            target_id=row.signed.target_ids[position - 1], state=state, value=value, data_date=data_date, note=note
        )
        if state == ActualState.NOT_RELEASED and value is not None:
            err("实际值", "数据状态为“数据尚未发布”时不填实际值。")
            continue
        if state == ActualState.REPORTED and not actual.blank and (value is None or data_date is None):
            err("实际值" if value is None else "数据截至日期", "请填写实际值和数据截至日期；统计数据尚未发布的，数据状态请选择“数据尚未发布”。")
            continue
        row.actuals[actual.target_id] = actual
    for number, row in lead_rows.items():
        missing = [i for i, _ in enumerate(row.signed.target_ids, start=1) if (number, i) not in seen]
        if missing:
            errors.append(
                RowError(sheet, None, "", f"缺少第{'、'.join(map(str, missing))}项指标的行，请勿删除行。", number)
            )


# --- checking against the database -----------------------------------------------------------------


def _conflict_message(report: ProgressReport, signed: SignedRow) -> str:
    user = report.updated_by
    who = (user.get_full_name() or user.get_username()) if user is not None else "他人"
    when = timezone.localtime(report.updated_at).strftime("%Y-%m-%d %H:%M")
    if signed.report_id == 0:
        return f"下载模板后，{who}已于{when}在网页上开始填报该任务（当前第{report.version}版）。请重新下载模板，在最新内容上填写。"
    return (
        f"下载模板后，该报告已被{who}于{when}修改（当前第{report.version}版，模板中为第{signed.version}版）。"
        "请重新下载模板，在最新内容上填写。"
    )


def check_upload(*, data: bytes, filename: str, user: Any) -> UploadPlan:
    """Everything an upload would write, checked; raises ``ApplicationError`` (``UploadInvalid`` with
    every problem) and writes nothing."""
    actor = actor_for(user)
    department_id = check_can_use_templates(actor)
    safety.check_workbook_bytes(data, filename=filename)
    workbook = _open_workbook(data)
    try:
        identity = _identity(workbook)
        if identity.department_id != department_id:
            other = Department.objects.filter(pk=identity.department_id).values_list("name", flat=True).first()
            raise ApplicationError(
                ErrorCode.PERMISSION_DENIED,
                f"这是{other or '其他单位'}的填报模板，只能上传本单位的模板。请在“本期待填报”页面下载本单位的模板。",
            )
        period = ReviewPeriod.objects.select_related("plan").filter(pk=identity.period_id, plan_id=identity.plan_id).first()
        if period is None:
            raise safety.refuse("模板对应的填报期已不存在，请重新下载填报模板。")
        check_period_open(period)
        errors: list[RowError] = []
        main = _visible_sheet(workbook, layout.MAIN_SHEET)
        if main is None:
            raise safety.refuse("缺少“填报表”工作表（或已被隐藏），请使用下载的模板填写。")
        try:
            parsed = _parse_main(main, identity, errors)
            _parse_actuals(_visible_sheet(workbook, layout.ACTUALS_SHEET), identity, parsed, errors)
        except defusedxml.DefusedXmlException:
            raise safety.xml_declaration_refused() from None
    finally:
        workbook.close()
    writes, unchanged = _plan_writes(parsed, identity=identity, period=period, department_id=department_id, errors=errors)
    if errors:
        errors.sort(key=lambda e: (e.sheet != layout.MAIN_SHEET, e.row or 0))
        raise UploadInvalid(errors)
    return UploadPlan(
        identity=identity,
        period=period,
        department=Department.objects.get(pk=department_id),
        writes=writes,
        unchanged=unchanged,
        rows=len(parsed),
    )


def _plan_writes(
    parsed: dict[int, ParsedRow], *, identity: TemplateIdentity, period: ReviewPeriod, department_id: int,
    errors: list[RowError],
) -> tuple[list[PlannedWrite], int]:
    failed_rows = {(e.number) for e in errors if e.number is not None}
    changed = [row for n, row in parsed.items() if n not in failed_rows and row.content().digest() != row.signed.digest]
    unchanged = sum(1 for n, row in parsed.items() if n not in failed_rows) - len(changed)
    if not changed:
        return [], unchanged
    task_ids = [row.signed.task_id for row in changed]
    roles = unit_task_roles(department_id=department_id, period=period)
    tasks = {task.pk: task for task in Task.objects.filter(pk__in=task_ids, plan_id=period.plan_id)}
    reports = {
        report.task_id: report
        for report in ProgressReport.objects.filter(department_id=department_id, period=period, task_id__in=task_ids)
        .select_related("updated_by")
    }
    previous_ids = previous_reports(
        department_id=department_id, period=period, task_ids=[t for t in task_ids if t not in reports]
    )
    compared = [*reports.values(), *previous_ids.values()]
    actuals: dict[int, dict[int, TargetActual]] = defaultdict(dict)
    for actual in TargetActual.objects.filter(report__in=[r.pk for r in compared]).order_by():
        actuals[actual.report_id][actual.target_id] = actual
    targets: dict[int, list[Target]] = defaultdict(list)
    for target in Target.objects.filter(task_id__in=task_ids).order_by("task_id", "position", "pk"):
        targets[target.task_id].append(target)
    writes = []
    for row in changed:
        signed = row.signed
        task = tasks.get(signed.task_id)

        def err(message: str, *, _row: ParsedRow = row) -> None:
            errors.append(RowError(layout.MAIN_SHEET, _row.sheet_row, "", message, _row.signed.number))

        current_role = roles.get(signed.task_id, (None, None))[1]
        if task is None or current_role is None:
            err("本单位已不是该任务的牵头或配合单位，无需填报；请重新下载模板。")
            continue
        if current_role != signed.role:
            err(f"本单位在该任务中的身份已调整为“{AssignmentRole(current_role).label}”，请重新下载模板。")
            continue
        if [t.pk for t in targets.get(task.pk, [])] != list(signed.target_ids) and signed.role == AssignmentRole.LEAD:
            err("该任务的量化指标已调整，请重新下载模板。")
            continue
        content = row.content()
        report = reports.get(task.pk)
        if report is not None:
            stored = report_content(report, targets=targets.get(task.pk, []), actuals=actuals.get(report.pk, {}))
        else:
            source = previous_ids.get(task.pk)
            stored = report_content(source, targets=targets.get(task.pk, []), actuals=actuals.get(source.pk, {}) if source else {})
        if same_stored(content, stored):
            unchanged += 1
            continue
        if report is not None and (report.pk != signed.report_id or report.version != signed.version):
            err(_conflict_message(report, signed))
            continue
        if report is None and signed.report_id:
            err("下载模板后该报告已被删除，请重新下载模板。")
            continue
        if report is not None and report.status not in EDITABLE_REPORT_STATES:
            err(f"报告已{report.get_status_display().removeprefix('已')}，不能再修改；该行请保持下载时的内容。如需修改，请联系规划科退回。")
            continue
        data = ReportInput(
            progress_status=content.progress_status,
            percent=content.percent,
            progress_text=content.progress_text,
            problems_text=content.problems_text,
            next_steps_text=content.next_steps_text,
            actuals=[
                ActualInput(target_id=a.target_id, state=a.state, value=a.value, data_date=a.data_date, note=a.note)
                for a in content.actuals
            ]
            if signed.role == AssignmentRole.LEAD and signed.target_ids
            else None,
        )
        writes.append(PlannedWrite(parsed=row, task=task, report=report, data=data))
    return writes, unchanged


# --- writing ------------------------------------------------------------------------------------------


def _row_message(exc: ApplicationError) -> str:
    message = exc.message
    field_errors = exc.extra.get("errors")
    if isinstance(field_errors, dict):
        message += " " + "；".join(m for messages in field_errors.values() for m in messages)
    return message


def apply_upload(*, data: bytes, filename: str, user: Any) -> UploadResult:
    """Check the upload (:func:`check_upload`) and write it in one transaction, or nothing."""
    plan = check_upload(data=data, filename=filename, user=user)
    writes = [
        ReportWrite(
            task=write.task,
            # A report started by the save is at version 1; one started on the web since the check
            # at a later version is a conflict.
            expected_version=1 if write.report is None else write.parsed.signed.version,
            data=write.data,
        )
        for write in plan.writes
    ]
    try:
        with transaction.atomic():
            saved = save_reports(department_id=plan.department.pk, period=plan.period, user=user, writes=writes)
    except ApplicationError as exc:
        rows = exc.extra.get("rows")
        errors = []
        for write in plan.writes:
            if isinstance(rows, dict):
                problem = rows.get(write.task.pk)
                if problem is None:
                    continue
                message = _row_message(ApplicationError(exc.code, problem["message"], extra=problem))
            else:  # refused for the unit or the period: every row was
                message = _row_message(exc)
            errors.append(RowError(layout.MAIN_SHEET, write.parsed.sheet_row, "", message, write.parsed.signed.number))
        raise UploadInvalid(errors) from None
    created: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    for write, result in zip(plan.writes, saved, strict=True):
        (created if result.created else updated).append(
            {
                "number": write.parsed.signed.number,
                "task": write.task.pk,
                "report": result.report.pk,
                "version": result.report.version,
                "url": reverse("progress:report_form", args=[write.task.pk, plan.period.pk]),
            }
        )
    return UploadResult(
        period=plan.period,
        department=plan.department,
        created=created,
        updated=updated,
        unchanged=plan.unchanged,
        rows=plan.rows,
    )
