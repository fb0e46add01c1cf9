"""The ledger (台账) workbook: one sheet, one row per task, for any filter of a period.

The same sheet is the 台账 sheet of the meeting pack and, restricted, its per-unit and attention
sheets (:func:`write_ledger_sheet`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZipFile

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from exports.layout import Column, TableSheet, colour_style, register_styles
from exports.selectors import STATUS_CHOICES, LedgerFilters, LedgerRow, ledger_rows, ledger_task_ids

LEDGER_COLUMNS = [
    Column("序号", 5.5, "xp_center"),
    Column("章节", 12),
    Column("任务内容", 34),
    Column("牵头单位", 11),
    Column("配合单位", 14),
    Column("完成时限", 12, "xp_center"),
    Column("进展情况", 34),
    Column("存在问题", 20),
    Column("下步打算", 20),
    Column("审核状态", 7, "xp_center"),
    Column("推进状态", 7, "xp_center", choices=tuple(label for _, label in STATUS_CHOICES)),
    Column("灯", 9, "xp_center"),
    Column("指标及目标", 16),
    Column("本期实际值", 14),
]
SPOOL_BYTES = 16 * 1024 * 1024  # a workbook up to this size stays in memory; a larger one goes to a temporary file


def ledger_values(row: LedgerRow) -> list[tuple[Any, str | None]]:
    number = f"{row.number}*" if row.binding else row.number  # the plan marks binding indicators with *
    light = f"{row.light_label}\n{row.light_reason}" if row.light_reason else row.light_label
    return [
        (number, None),
        (row.chapter, None),
        (row.text, None),
        (row.lead_units, None),
        (row.supporting_units, None),
        (row.deadline, None),
        (row.progress_text, None),
        (row.problems_text, None),
        (row.next_steps_text, None),
        (row.report_status, None),
        (row.status, colour_style(row.status_key)),
        (light, colour_style(row.light)),
        (row.targets_text, None),
        (row.actuals_text, None),
    ]


def plan_period_title(filters: LedgerFilters) -> str:
    return f"{filters.period.plan.title}（{filters.period.name}）"


def subtitle_for(filters: LedgerFilters, *, rows: int | None = None, extra: str = "", today: Any = None) -> str:
    parts = []
    if filters.period.plan.document_number:
        parts.append(filters.period.plan.document_number)
    parts.append(f"统计日期：{(today or timezone.localdate()):%Y年%m月%d日}")
    if filters.description:
        parts.append(f"筛选：{filters.description}")
    if rows is not None:
        parts.append(f"共{rows}项任务")
    if extra:
        parts.append(extra)
    parts.append("注：序号带*的为约束性指标；进展情况等取自牵头单位已报送的本期报告。")
    return "　".join(parts)


def write_ledger_sheet(
    workbook: Workbook,
    title: str,
    *,
    heading: str,
    subtitle: str,
    rows: Iterable[LedgerRow],
    empty_note: str = "没有符合条件的任务。",
    rendered: dict[int, str] | None = None,
) -> TableSheet:
    """A ledger sheet of ``rows``. ``rendered``: a cache of row XML by task id shared by the sheets of
    one workbook (the meeting pack writes each task on up to three sheets; it is rendered once)."""
    sheet = TableSheet(workbook, title, heading=heading, subtitle=subtitle, columns=LEDGER_COLUMNS)
    for row in rows:
        if rendered is None:
            sheet.append(ledger_values(row))
            continue
        xml = rendered.get(row.task_id)
        if xml is None:
            xml = rendered[row.task_id] = sheet.render(ledger_values(row))
        sheet.append_rendered(xml)
    if sheet.rows_written == 0:
        sheet.append_note(empty_note)
    sheet.finish()
    return sheet


def save_to_temporary(workbook: Workbook) -> IO[bytes]:
    """The workbook's bytes in a spooled temporary file, rewound (never in media storage)."""
    handle = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    # openpyxl's save_workbook with a faster compression level: deflating 10 MB of sheet XML at
    # the default level 6 costs seconds; level 1 is three times faster for a file ~15% larger.
    with ZipFile(handle, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=1) as archive:
        ExcelWriter(workbook, archive).save()
    handle.seek(0)
    return handle


def _ledger_workbook(filters: LedgerFilters, *, task_ids: list[int], states: Mapping[int, Any], extra: str = "") -> IO[bytes]:
    """One 台账 sheet of ``task_ids`` (in that order), saved to a temporary file."""
    workbook = Workbook(write_only=True)
    register_styles(workbook)
    write_ledger_sheet(
        workbook,
        "台账",
        heading=f"{plan_period_title(filters)}任务推进台账",
        subtitle=subtitle_for(filters, rows=len(task_ids), extra=extra),
        rows=ledger_rows(filters, states=states, task_ids=task_ids),
    )
    return save_to_temporary(workbook)


def build_ledger(filters: LedgerFilters, *, states: Mapping[int, Any] | None = None) -> IO[bytes]:
    """The ledger workbook for ``filters`` (a write-only workbook in a temporary file)."""
    from progress.states import task_states

    if states is None:
        states = task_states(filters.period)
    return _ledger_workbook(filters, task_ids=ledger_task_ids(filters, states=states), states=states)


def build_ledger_for_ids(filters: LedgerFilters, *, task_ids: list[int], states: Mapping[int, Any]) -> IO[bytes]:
    """The ledger of the given tasks (of the period's plan), in task-number order."""
    from tasks.models import Task

    ordered = list(
        Task.objects.filter(pk__in=task_ids, plan_id=filters.period.plan_id).order_by("number", "pk").values_list("pk", flat=True)
    )
    return _ledger_workbook(filters, task_ids=ordered, states=states, extra="所选任务")


def ledger_filename(filters: LedgerFilters) -> str:
    suffix = f"（{filters.description}）" if filters.description else ""
    return f"{filters.period.name}任务台账{suffix}.xlsx"
