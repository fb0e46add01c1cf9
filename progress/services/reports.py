"""Writing progress reports: start (pre-filled from the previous period), save, submit, accept, return.

Every function checks the permission rules (:mod:`progress.permissions`) and the workflow table
(:mod:`progress.workflow`), locks the report row, and writes the change, its row history and its
event in one transaction; a refused call raises ``ApplicationError`` and writes nothing.

Saves carry the version the person started from: a save based on an older version is refused
with ``VERSION_CONFLICT`` (HTTP 412 in the API, a message on the page) instead of overwriting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from progress import events
from progress.models import (
    ActualState,
    ProgressReport,
    ProgressStatus,
    ReportStatus,
    ReviewPeriod,
    TargetActual,
)
from progress.permissions import (
    actor_for,
    check_can_edit_report,
    check_can_review,
    check_can_start_report,
    check_can_submit_report,
    check_can_view_report,
    check_period_open,
)
from progress.workflow import REPORT_TRANSITIONS, check_transition
from tasks.models import AssignmentRole, Target, Task
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

TEXT_MAX_CHARS = 5000
NARRATIVE_FIELDS = ("progress_text", "problems_text", "next_steps_text")


@dataclass(frozen=True, kw_only=True)
class ActualInput:
    target_id: int
    state: str = ActualState.REPORTED
    value: Decimal | None = None
    data_date: dt.date | None = None
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class ReportInput:
    progress_status: str
    percent: int | None = None
    progress_text: str = ""
    problems_text: str = ""
    next_steps_text: str = ""
    # None: leave the report's actuals as they are; a list: the actuals to set (others kept).
    actuals: list[ActualInput] | None = field(default=None)


def _conflict(report: ProgressReport, expected_version: int | None) -> ApplicationError:
    who = report.updated_by.get_username() if report.updated_by_id and report.updated_by else "他人"
    when = timezone.localtime(report.updated_at).strftime("%Y-%m-%d %H:%M")
    return ApplicationError(
        ErrorCode.VERSION_CONFLICT,
        f"该报告已被{who}于{when}修改（当前为第{report.version}版，您打开的是第{expected_version}版），"
        "您的修改没有保存。请重新打开报告，在最新内容上修改。",
        extra={"current_version": report.version, "your_version": expected_version},
    )


def _locked(report_id: int) -> ProgressReport:
    try:
        return (
            ProgressReport.objects.select_for_update(of=("self",))
            .select_related("period", "task", "department", "updated_by")
            .get(pk=report_id)
        )
    except ProgressReport.DoesNotExist:
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该报告，或您无权查看。") from None


def previous_report(*, task_id: int, department_id: int, period: ReviewPeriod) -> ProgressReport | None:
    """The unit's report on the task in the latest earlier period of the same plan, if any."""
    return (
        ProgressReport.objects.filter(
            task_id=task_id,
            department_id=department_id,
            period__plan_id=period.plan_id,
            period__starts_on__lt=period.starts_on,
        )
        .select_related("period")
        .order_by("-period__starts_on")
        .first()
    )


def start_report(*, task: Task, department_id: int, period: ReviewPeriod, user: Any) -> ProgressReport:
    """The unit's report on ``task`` for ``period``; created as a draft on first use, pre-filled
    from the unit's report of the previous period (narratives, status, percent, target actuals)."""
    actor = actor_for(user)
    existing = ProgressReport.objects.filter(task=task, department_id=department_id, period=period).first()
    if existing is not None:
        check_can_view_report(actor, existing)
        return existing
    role = check_can_start_report(actor, task=task, department_id=department_id)
    period = ReviewPeriod.objects.get(pk=period.pk)  # its status as stored now, not as the caller last saw it
    check_period_open(period)
    if period.plan_id != task.plan_id:
        raise ApplicationError(ErrorCode.INVALID, "填报期与任务不属于同一方案。")
    previous = previous_report(task_id=task.pk, department_id=department_id, period=period)
    try:
        with transaction.atomic():
            report = ProgressReport(
                task=task, department_id=department_id, period=period, role=role, updated_by=user, prefilled_from=previous
            )
            if previous is not None:
                report.progress_status = previous.progress_status
                report.percent = previous.percent
                for name in NARRATIVE_FIELDS:
                    setattr(report, name, getattr(previous, name))
            report._history_user = user
            report.save()
            if previous is not None:
                TargetActual.objects.bulk_create(
                    TargetActual(
                        report=report,
                        target_id=actual.target_id,
                        state=actual.state,
                        value=actual.value,
                        data_date=actual.data_date,
                        note=actual.note,
                    )
                    for actual in previous.actuals.all()
                )
            events.report_created(report, actor=user)
    except IntegrityError:
        # Someone of the same unit started it at the same moment: use theirs.
        return ProgressReport.objects.get(task=task, department_id=department_id, period=period)
    return report


def _validate_input(report: ProgressReport, data: ReportInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.progress_status not in ProgressStatus.values:
        errors["progress_status"] = ["请选择推进状态（未启动、正常推进、存在风险、滞后、已完成）。"]
    if data.percent is not None:
        if not 0 <= data.percent <= 100:
            errors["percent"] = ["完成进度应在0到100之间。"]
        elif data.progress_status == ProgressStatus.COMPLETED and data.percent != 100:
            errors["percent"] = ["推进状态为“已完成”时，完成进度应为100%。"]
    for name in NARRATIVE_FIELDS:
        if len(getattr(data, name)) > TEXT_MAX_CHARS:
            label = ProgressReport._meta.get_field(name).verbose_name
            errors[name] = [f"{label}不能超过{TEXT_MAX_CHARS}字。"]
    if data.actuals is not None:
        target_ids = set(Target.objects.filter(task_id=report.task_id).values_list("pk", flat=True))
        for actual in data.actuals:
            key = f"actuals.{actual.target_id}"
            if actual.target_id not in target_ids:
                errors[key] = ["该目标不属于本任务。"]
            elif actual.state not in ActualState.values:
                errors[key] = ["请选择“已填报”或“数据尚未发布”。"]
            elif actual.state == ActualState.REPORTED and (actual.value is None or actual.data_date is None):
                errors[key] = ["请填写实际值和数据截至日期；统计数据尚未发布的，请选择“数据尚未发布”。"]
            elif actual.state == ActualState.NOT_RELEASED and actual.value is not None:
                errors[key] = ["选择“数据尚未发布”时不填实际值。"]
            elif actual.data_date is not None and actual.data_date > timezone.localdate():
                errors[key] = ["数据截至日期不能晚于今天。"]
            elif len(actual.note) > 300:
                errors[key] = ["说明不能超过300字。"]
    return errors


def _write_actuals(report: ProgressReport, actuals: list[ActualInput]) -> None:
    current = {actual.target_id: actual for actual in report.actuals.all()}
    for given in actuals:
        row = current.get(given.target_id) or TargetActual(report=report, target_id=given.target_id)
        value = given.value if given.state == ActualState.REPORTED else None
        changed = (
            row.pk is None
            or row.state != given.state
            or row.value != value
            or row.data_date != given.data_date
            or row.note != given.note
        )
        if changed:
            row.state, row.value, row.data_date, row.note = given.state, value, given.data_date, given.note
            row.save()


def _is_blank(actual: ActualInput) -> bool:
    """A target row left as the form shows it empty: 已填报 (the default) with no value, date or note."""
    return (
        actual.state == ActualState.REPORTED
        and actual.value is None
        and actual.data_date is None
        and not actual.note.strip()
    )


def save_report(*, report_id: int, user: Any, expected_version: int | None, data: ReportInput) -> ProgressReport:
    """Save the report's content (a draft or a returned report, in an open period).

    Target rows left blank (:func:`_is_blank`) are skipped, neither checked nor written (an actual
    already stored for that target stays): a draft may leave targets for later. Submitting still
    requires every target (:func:`missing_for_submission`)."""
    if data.actuals is not None:
        data = replace(data, actuals=[actual for actual in data.actuals if not _is_blank(actual)])
    actor = actor_for(user)
    with transaction.atomic():
        report = _locked(report_id)
        check_can_edit_report(actor, report)
        if expected_version is None:
            raise ApplicationError(ErrorCode.INVALID, "缺少报告版本号，请重新打开报告后再保存。")
        if report.version != expected_version:
            raise _conflict(report, expected_version)
        errors = _validate_input(report, data)
        if errors:
            raise ApplicationError(ErrorCode.INVALID, "填报内容有误，请按提示修改。", extra={"errors": errors})
        # A guarded write besides the row lock: even a database without row locks cannot lose an update.
        if not ProgressReport.objects.filter(pk=report.pk, version=expected_version).update(version=expected_version + 1):
            raise _conflict(ProgressReport.objects.select_related("updated_by").get(pk=report.pk), expected_version)
        report.progress_status = data.progress_status
        report.percent = data.percent
        for name in NARRATIVE_FIELDS:
            setattr(report, name, getattr(data, name).strip())
        report.version = expected_version + 1
        report.updated_by = user
        report._history_user = user
        try:
            report.full_clean(exclude=["task", "department", "period", "prefilled_from"])
        except ValidationError as exc:
            raise ApplicationError(ErrorCode.INVALID, "填报内容有误，请按提示修改。", extra={"errors": exc.message_dict}) from exc
        report.save()
        if data.actuals is not None:
            _write_actuals(report, data.actuals)
    return report


def missing_for_submission(report: ProgressReport) -> list[str]:
    """What must still be filled before the report can be submitted (Chinese, one line each)."""
    missing = []
    if not report.progress_text.strip():
        missing.append("请填写进展情况。")
    if report.role == AssignmentRole.LEAD:
        target_ids = set(Target.objects.filter(task_id=report.task_id).values_list("pk", flat=True))
        given = set(report.actuals.values_list("target_id", flat=True))
        if target_ids - given:
            missing.append(f"还有{len(target_ids - given)}项目标未填报实际值（数据尚未发布的请选择“数据尚未发布”）。")
    return missing


def submit_report(*, report_id: int, user: Any, expected_version: int | None = None) -> ProgressReport:
    """Submit (or resubmit, after a return) the report to the plan office."""
    actor = actor_for(user)
    with transaction.atomic():
        report = _locked(report_id)
        check_can_view_report(actor, report)
        check_period_open(report.period)
        if expected_version is not None and report.version != expected_version:
            raise _conflict(report, expected_version)
        transition = check_transition(REPORT_TRANSITIONS, "submit", report.status)
        check_can_submit_report(actor, report)
        missing = missing_for_submission(report)
        if missing:
            raise ApplicationError(ErrorCode.REPORT_INCOMPLETE, "报告还不完整：" + "".join(missing), extra={"missing": missing})
        from_status = report.status
        report.status = transition.target
        report.submitted_at = timezone.now()
        report.submitted_by = user
        report.version += 1
        report.updated_by = user
        report._history_user = user
        report.save()
        events.report_submitted(report, actor=user, from_status=from_status)
    return report


def _review(report_id: int, action: str, *, user: Any, comment: str) -> ProgressReport:
    actor = actor_for(user)
    check_can_review(actor)
    with transaction.atomic():
        report = _locked(report_id)
        transition = check_transition(REPORT_TRANSITIONS, action, report.status, comment=comment)
        if action == "return" and report.status == ReportStatus.ACCEPTED:
            from progress.models import TaskProgress, TaskStatus

            if TaskProgress.objects.filter(
                task_id=report.task_id, status=TaskStatus.COMPLETED, completion_report=report
            ).exists():
                raise ApplicationError(
                    ErrorCode.ILLEGAL_TRANSITION, "该任务已依据此报告办结，请先重新开启任务，再退回报告。"
                )
        if len(comment) > TEXT_MAX_CHARS:
            raise ApplicationError(ErrorCode.INVALID, f"审核意见不能超过{TEXT_MAX_CHARS}字。")
        from_status = report.status
        report.status = transition.target
        report.reviewed_at = timezone.now()
        report.reviewed_by = user
        report.review_comment = comment.strip()
        report.version += 1
        report._history_user = user
        report.save()
        if action == "accept":
            events.report_accepted(report, actor=user, from_status=from_status, comment=report.review_comment)
        else:
            events.report_returned(report, actor=user, from_status=from_status, comment=report.review_comment)
    return report


def accept_report(*, report_id: int, user: Any, comment: str = "") -> ProgressReport:
    return _review(report_id, "accept", user=user, comment=comment)


def return_report(*, report_id: int, user: Any, comment: str) -> ProgressReport:
    """Return the report to its unit with a comment (required) saying what to revise."""
    return _review(report_id, "return", user=user, comment=comment)
