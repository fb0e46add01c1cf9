"""The plan office's bulk acceptance of supporting units' contributions (配合单位反馈).

A contribution is read by the lead unit while it writes; the plan office usually accepts it as it
stands, and one by one that was 477 clicks. :func:`accept_contributions` accepts many at once,
each through the one acceptance of :func:`progress.services.reports.accept_report` (its rule, row
history and event), all in one transaction: a refusal of any of them (no longer submitted, not a
contribution, another period) writes nothing and names the report.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from access.actor import actor_for
from access.rules import check_can_review
from progress.models import ProgressReport, ReportStatus, ReviewPeriod
from progress.services.reports import accept_report
from tasks.models import AssignmentRole
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

MAX_BULK = 1000


def accept_contributions(
    *, period: ReviewPeriod, report_ids: Iterable[int], user: Any, comment: str = ""
) -> list[ProgressReport]:
    """Accept the submitted contributions ``report_ids`` of ``period`` (the plan office only)."""
    check_can_review(actor_for(user))
    ids = sorted({int(pk) for pk in report_ids})
    if not ids:
        raise ApplicationError(ErrorCode.INVALID, "请先勾选要审核通过的配合单位反馈。")
    if len(ids) > MAX_BULK:
        raise ApplicationError(ErrorCode.INVALID, f"一次最多审核通过{MAX_BULK}份，请分批操作。")
    with transaction.atomic():
        reports = {
            report.pk: report
            for report in ProgressReport.objects.select_for_update(of=("self",))
            .select_related("task", "department")
            .filter(pk__in=ids)
        }
        for pk in ids:
            report = reports.get(pk)
            if report is None or report.period_id != period.pk:
                raise ApplicationError(ErrorCode.NOT_FOUND, "所选反馈中有一份找不到或不属于本填报期，请刷新后重试。")
            label = f"任务{report.task.number} · {report.department.name}"
            if report.role != AssignmentRole.SUPPORTING:
                raise ApplicationError(ErrorCode.INVALID, f"{label}是牵头单位报告，不能批量审核，请逐份审核。")
            if report.status != ReportStatus.SUBMITTED:
                raise ApplicationError(
                    ErrorCode.ILLEGAL_TRANSITION,
                    f"{label}的反馈当前为“{report.get_status_display()}”，不在待审核中：请刷新后重新选择。",
                )
        return [accept_report(report_id=pk, user=user, comment=comment) for pk in ids]
