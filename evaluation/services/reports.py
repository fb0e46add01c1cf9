"""The evaluation report as the pages, the API and the command ask for it: permission (the plan
office and leadership, as the meeting pack: ``access.rules.check_can_view_board``), the as-of day,
the file and its name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO, Any

from django.utils import timezone

from access.actor import actor_for
from access.rules import check_can_view_board
from evaluation.document import DOCX_CONTENT_TYPE, build_document
from evaluation.report import EvaluationReport, build_report
from evaluation.selectors import get_plan
from evaluation.workbook import build_workbook
from exports.downloads import XLSX_CONTENT_TYPE
from tasks.models import Plan
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

FORMATS = {"xlsx": XLSX_CONTENT_TYPE, "docx": DOCX_CONTENT_TYPE}


@dataclass
class ReportFile:
    handle: IO[bytes]
    filename: str
    content_type: str


def parse_as_of(value: Any, *, plan: Plan | None = None) -> dt.date:
    """The as-of day from ``YYYY-MM-DD`` (today when empty); a Chinese error otherwise."""
    if value in (None, ""):
        return timezone.localdate()
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ApplicationError(
                ErrorCode.INVALID,
                "评估截止日期格式不正确，应为“年-月-日”，如2025-12-31。",
                extra={"errors": {"as_of": ["日期格式应为YYYY-MM-DD。"]}},
            ) from None
    if plan is not None and plan.period_start is not None and day < plan.period_start:
        raise ApplicationError(
            ErrorCode.INVALID,
            f"评估截止日期早于规划期起始日（{plan.period_start:%Y年%m月%d日}），请重新选择。",
            extra={"errors": {"as_of": ["早于规划期。"]}},
        )
    return day


def parse_format(value: Any) -> str:
    text = str(value or "xlsx").strip().lower()
    if text not in FORMATS:
        raise ApplicationError(
            ErrorCode.INVALID,
            "文件格式只能是 xlsx（工作簿）或 docx（报告初稿）。",
            extra={"errors": {"document": ["应为 xlsx 或 docx。"]}},
        )
    return text


def filename_for(report: EvaluationReport, fmt: str) -> str:
    return f"{report.plan.title}{report.kind}（截至{report.as_of:%Y年%m月%d日}）.{fmt}"


def render_report(report: EvaluationReport, fmt: str) -> ReportFile:
    build = build_workbook if fmt == "xlsx" else build_document
    return ReportFile(build(report), filename_for(report, fmt), FORMATS[fmt])


def evaluation_file(*, user: Any, plan_id: Any, as_of: Any = None, fmt: Any = "xlsx") -> ReportFile:
    """The report ``user`` asked for: the plan office and leadership only."""
    check_can_view_board(actor_for(user))
    plan = get_plan(plan_id)
    day = parse_as_of(as_of, plan=plan)
    return render_report(build_report(plan, as_of=day), parse_format(fmt))
