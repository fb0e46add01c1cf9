"""Writing progress reports: start (pre-filled from the previous period), save, submit, accept, return.

Every function checks the permission rules (:mod:`access`) and the workflow table
(:mod:`progress.workflow`), locks the report row, and writes the change, its row history and its
event in one transaction; a refused call raises ``ApplicationError`` and writes nothing.

Saves carry the version the person started from: a save based on an older version is refused
with ``VERSION_CONFLICT`` (HTTP 412 in the API, a message on the page) instead of overwriting.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from access.actor import actor_for
from access.rules import (
    check_can_edit_report,
    check_can_review,
    check_can_start_report,
    check_can_submit_report,
    check_can_view_report,
    check_period_open,
)
from access.units import unit_roles_on_tasks
from progress import events, signals
from progress.models import (
    ActualState,
    ProgressReport,
    ProgressStatus,
    ReportEvent,
    ReportStatus,
    ReviewPeriod,
    TargetActual,
)
from progress.workflow import REPORT_TRANSITIONS, check_transition
from tasks.models import AssignmentRole, Target, Task
from xingping_tracker.core.changes import PROGRESS, announce
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode
from xingping_tracker.core.text import clean_text

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


def _new_report(
    *, task: Task, department_id: int, period: ReviewPeriod, role: str, user: Any, previous: ProgressReport | None
) -> ProgressReport:
    """An unsaved draft of the unit's report, pre-filled from ``previous`` (narratives, status, percent)."""
    report = ProgressReport(
        task=task, department_id=department_id, period=period, role=role, updated_by=user, prefilled_from=previous
    )
    if previous is not None:
        report.progress_status = previous.progress_status
        report.percent = previous.percent
        for name in NARRATIVE_FIELDS:
            setattr(report, name, getattr(previous, name))
    report._history_user = user
    return report


def start_report(*, task: Task, department_id: int, period: ReviewPeriod, user: Any) -> ProgressReport:
    """The unit's report on ``task`` for ``period``; created as a draft on first use, pre-filled
    from the unit's report of the previous period (narratives, status, percent). Target actuals are
    not copied: last period's value is shown beside the field, so a forgotten target cannot be
    submitted with last period's number."""
    return start_or_get_report(task=task, department_id=department_id, period=period, user=user)[0]


def start_or_get_report(
    *, task: Task, department_id: int, period: ReviewPeriod, user: Any
) -> tuple[ProgressReport, bool]:
    """:func:`start_report`, and whether this call created the report (False when it existed, also
    when someone of the unit started it at the same moment)."""
    actor = actor_for(user)
    existing = ProgressReport.objects.filter(task=task, department_id=department_id, period=period).first()
    if existing is not None:
        check_can_view_report(actor, existing)
        return existing, False
    role = check_can_start_report(actor, task=task, department_id=department_id)
    period = ReviewPeriod.objects.get(pk=period.pk)  # its status as stored now, not as the caller last saw it
    check_period_open(period)
    if period.plan_id != task.plan_id:
        raise ApplicationError(ErrorCode.INVALID, "填报期与任务不属于同一方案。")
    previous = previous_report(task_id=task.pk, department_id=department_id, period=period)
    try:
        with transaction.atomic():
            announce(PROGRESS)
            report = _new_report(
                task=task, department_id=department_id, period=period, role=role, user=user, previous=previous
            )
            report.save()
            events.report_created(report, actor=user)
    except IntegrityError:
        # Someone of the same unit started it at the same moment (the unique (task, unit, period)): use theirs.
        existing = ProgressReport.objects.get(task=task, department_id=department_id, period=period)
        check_can_view_report(actor, existing)
        return existing, False
    return report, True


def _validate_input(
    report: ProgressReport, data: ReportInput, *, target_ids: set[int] | None = None
) -> dict[str, list[str]]:
    """Field errors of ``data`` for ``report`` (Chinese); ``target_ids``: the task's targets, when already read."""
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
        if target_ids is None:
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


def _actual_changes(
    report: ProgressReport, current: dict[int, TargetActual], actuals: list[ActualInput]
) -> list[TargetActual]:
    """The report's actual rows to write for ``actuals`` (new ones unsaved, changed ones updated in
    memory); ``current``: its stored actuals by target id. Rows that would not change are left out."""
    rows = []
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
            rows.append(row)
    return rows


def _write_actuals(report: ProgressReport, actuals: list[ActualInput]) -> None:
    current = {actual.target_id: actual for actual in report.actuals.order_by()}
    for row in _actual_changes(report, current, actuals):
        row.save()


def _is_blank(actual: ActualInput) -> bool:
    """A target row left as the form shows it empty: 已填报 (the default) with no value, date or note."""
    return (
        actual.state == ActualState.REPORTED
        and actual.value is None
        and actual.data_date is None
        and not actual.note.strip()
    )


def _cleaned(data: ReportInput) -> ReportInput:
    """``data`` with its texts cleaned of the characters no export could hold (``clean_text``):
    every save (portal form, API, uploaded template) passes here."""
    texts = {name: clean_text(getattr(data, name)) for name in NARRATIVE_FIELDS}
    if data.actuals is not None:
        texts["actuals"] = [replace(actual, note=clean_text(actual.note)) for actual in data.actuals]
    return replace(data, **texts)


def _without_blank_actuals(data: ReportInput) -> ReportInput:
    if data.actuals is None:
        return data
    return replace(data, actuals=[actual for actual in data.actuals if not _is_blank(actual)])


def _check_save(
    actor: Any,
    report: ProgressReport,
    expected_version: int | None,
    data: ReportInput,
    *,
    target_ids: set[int] | None = None,
    period_checked: bool = False,
) -> None:
    """What :func:`save_report` checks on the locked report before writing; raises ``ApplicationError``.
    ``period_checked``: the caller checked the report's period (and its plan) in this transaction."""
    check_can_edit_report(actor, report, period_checked=period_checked)
    if expected_version is None:
        raise ApplicationError(ErrorCode.INVALID, "缺少报告版本号，请重新打开报告后再保存。")
    if report.version != expected_version:
        raise _conflict(report, expected_version)
    errors = _validate_input(report, data, target_ids=target_ids)
    if errors:
        raise ApplicationError(ErrorCode.INVALID, "填报内容有误，请按提示修改。", extra={"errors": errors})


def _apply_content(report: ProgressReport, data: ReportInput, *, user: Any, version: int) -> None:
    report.progress_status = data.progress_status
    report.percent = data.percent
    for name in NARRATIVE_FIELDS:
        setattr(report, name, getattr(data, name).strip())
    report.version = version
    report.updated_by = user
    report._history_user = user


# The relations full_clean leaves alone on a save (they were checked when the report was started).
_SAVE_CLEAN_EXCLUDE = ["task", "department", "period", "prefilled_from"]
# In a batch the user relations are not checked either (one query each per report): ``updated_by``
# is the saving user and the other two are as stored.
_BATCH_CLEAN_EXCLUDE = [*_SAVE_CLEAN_EXCLUDE, "updated_by", "submitted_by", "reviewed_by"]


def _full_clean(report: ProgressReport, *, exclude: list[str]) -> None:
    try:
        report.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ApplicationError(
            ErrorCode.INVALID, "填报内容有误，请按提示修改。", extra={"errors": exc.message_dict}
        ) from exc


def save_report(*, report_id: int, user: Any, expected_version: int | None, data: ReportInput) -> ProgressReport:
    """Save the report's content (a draft or a returned report, in an open period).

    Target rows left blank (:func:`_is_blank`) are skipped, neither checked nor written (an actual
    already stored for that target stays): a draft may leave targets for later. Submitting still
    requires every target (:func:`missing_for_submission`)."""
    data = _without_blank_actuals(_cleaned(data))
    actor = actor_for(user)
    with transaction.atomic():
        announce(PROGRESS)
        report = _locked(report_id)
        _check_save(actor, report, expected_version, data)
        # A guarded write besides the row lock: even a database without row locks cannot lose an update.
        if not ProgressReport.objects.filter(pk=report.pk, version=expected_version).update(
            version=expected_version + 1
        ):
            raise _conflict(ProgressReport.objects.select_related("updated_by").get(pk=report.pk), expected_version)
        _apply_content(report, data, user=user, version=expected_version + 1)
        _full_clean(report, exclude=_SAVE_CLEAN_EXCLUDE)
        report.save()
        if data.actuals is not None:
            _write_actuals(report, data.actuals)
    return report


# --- many reports of one unit in one period (the offline upload) ------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReportWrite:
    """One report of :func:`save_reports`: the unit's report on ``task``, started when there is
    none (a started report is at version 1), then saved with ``data`` based on ``expected_version``."""

    task: Task
    expected_version: int | None
    data: ReportInput


@dataclass(frozen=True)
class SavedReport:
    report: ProgressReport
    created: bool


def previous_reports(*, department_id: int, period: ReviewPeriod, task_ids: list[int]) -> dict[int, ProgressReport]:
    """{task id: :func:`previous_report`} for many tasks, in two queries (the (task, report) pairs
    light, newest period first, then the chosen reports with their period)."""
    if not task_ids:
        return {}
    latest: dict[int, int] = {}
    for task_id, report_id in (
        ProgressReport.objects.filter(
            department_id=department_id,
            period__plan_id=period.plan_id,
            period__starts_on__lt=period.starts_on,
            task_id__in=task_ids,
        )
        .order_by("task_id", "-period__starts_on")
        .values_list("task_id", "pk")
    ):
        latest.setdefault(task_id, report_id)
    if not latest:
        return {}
    return {
        report.task_id: report
        for report in ProgressReport.objects.filter(pk__in=list(latest.values())).select_related("period").order_by()
    }


def _rows_refused(problems: dict[int, ApplicationError]) -> ApplicationError:
    codes = {problem.code for problem in problems.values()}
    return ApplicationError(
        codes.pop() if len(codes) == 1 else ErrorCode.INVALID,
        f"有{len(problems)}项报告未能保存，未写入任何内容。",
        extra={
            "rows": {
                task_id: {"code": str(problem.code), "message": problem.message, **problem.extra}
                for task_id, problem in problems.items()
            }
        },
    )


_SAVED_FIELDS = [*NARRATIVE_FIELDS, "progress_status", "percent", "version", "updated_by", "updated_at"]


def _update_rows(
    model: Any, objs: list[Any], field_names: list[str], *, expected_versions: dict[int, int] | None = None
) -> int:
    """UPDATE the rows of ``objs`` (``field_names`` as in memory) by primary key, one statement per row
    sent in one ``executemany``; with ``expected_versions`` ({pk: version}) a row is written only at
    that version. Returns the number of rows written. (Django's ``bulk_update`` builds a CASE per
    field and row: seconds of Python for a few hundred reports.)"""
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in field_names]
    pk = model._meta.pk
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)}"
        f" WHERE {quote(pk.column)} = %s"
    )
    if expected_versions is not None:
        sql += f" AND {quote(model._meta.get_field('version').column)} = %s"
    params = []
    for obj in objs:
        row = [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
        row.append(pk.get_db_prep_save(obj.pk, connection))
        if expected_versions is not None:
            row.append(expected_versions[obj.pk])
        params.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        return cursor.rowcount


def save_reports(
    *, department_id: int, period: ReviewPeriod, user: Any, writes: list[ReportWrite]
) -> list[SavedReport]:
    """:func:`start_report` (when the unit has no report on the task yet) then :func:`save_report`
    for many tasks of one unit in one period, with the same checks, validation, version rule,
    pre-fill, row history and events, in a number of queries that does not grow with the rows
    (besides the database's own batching of bulk writes).

    A refusal of the unit or the period raises as the single calls do; refused rows raise one
    ``ApplicationError`` with ``extra["rows"]`` = {task id: {code, message, ...its extra}}. Nothing
    is written then (call it inside the caller's transaction to roll back the caller's writes too).
    Returns the saved reports in the order of ``writes``."""
    if not writes:
        return []
    task_ids = [write.task.pk for write in writes]
    if len(set(task_ids)) != len(task_ids):
        raise ValueError("save_reports: each task at most once")
    actor = actor_for(user)
    writes = [replace(write, data=_without_blank_actuals(_cleaned(write.data))) for write in writes]
    with transaction.atomic():
        announce(PROGRESS)
        period = ReviewPeriod.objects.get(pk=period.pk)  # its status as stored now
        existing = {
            report.task_id: report
            for report in ProgressReport.objects.select_for_update(of=("self",))
            .select_related("updated_by")
            .filter(department_id=department_id, period=period, task_id__in=task_ids)
            .order_by("pk")
        }
        for report in existing.values():
            report.period = period
        # The rules per unit and period, once: the same refusals as the single calls.
        if actor.department_id is None or actor.department_id != department_id:
            if existing:
                check_can_edit_report(actor, next(iter(existing.values())))
            check_can_start_report(actor, task=writes[0].task, department_id=department_id)
        check_period_open(period)

        new_ids = [t for t in task_ids if t not in existing]
        roles = unit_roles_on_tasks(department_id=department_id, task_ids=new_ids) if new_ids else {}
        previous = previous_reports(department_id=department_id, period=period, task_ids=new_ids)
        stored_actuals: dict[int, dict[int, TargetActual]] = defaultdict(dict)
        source_ids = [r.pk for r in existing.values()]
        for actual in TargetActual.objects.filter(report_id__in=source_ids).order_by():
            stored_actuals[actual.report_id][actual.target_id] = actual
        targets: dict[int, set[int]] = defaultdict(set)
        for task_id, target_id in Target.objects.filter(task_id__in=task_ids).order_by().values_list("task_id", "pk"):
            targets[task_id].add(target_id)

        problems: dict[int, ApplicationError] = {}
        started: list[ProgressReport] = []
        reports: list[ProgressReport] = []
        now = timezone.now()
        for write in writes:
            task = write.task
            report = existing.get(task.pk)
            try:
                if report is None:
                    if task.plan_id != period.plan_id:
                        raise ApplicationError(ErrorCode.INVALID, "填报期与任务不属于同一方案。")
                    role = roles.get(task.pk)
                    if role is None:
                        raise ApplicationError(
                            ErrorCode.NOT_ASSIGNED, f"本单位不是任务{task.number}的牵头或配合单位，无需填报。"
                        )
                    report = _new_report(
                        task=task,
                        department_id=department_id,
                        period=period,
                        role=role,
                        user=user,
                        previous=previous.get(task.pk),
                    )
                    report.updated_at = now  # what a conflict message would name
                    started.append(report)
                _check_save(
                    actor, report, write.expected_version, write.data, target_ids=targets[task.pk], period_checked=True
                )
            except ApplicationError as exc:
                problems[task.pk] = exc
                continue
            reports.append(report)
        if problems:
            raise _rows_refused(problems)

        # Start the new reports as start_report does: the draft (row history "+") and the "created" event.
        if started:
            try:
                with transaction.atomic():
                    bulk_create_with_history(started, ProgressReport, default_user=user)
            except IntegrityError:
                raise ApplicationError(
                    ErrorCode.VERSION_CONFLICT, "有人同时开始填报了其中的报告，未写入任何内容。请重新打开后再保存。"
                ) from None
            ReportEvent.objects.bulk_create(events.unsaved_report_created(report, actor=user) for report in started)

        # Save them all as save_report does: the content with the guarded version step (one UPDATE
        # per row, sent at once), then its row history ("~").
        expected = {report.pk: report.version for report in reports}
        now = timezone.now()
        for report, write in zip(reports, writes, strict=True):
            _apply_content(report, write.data, user=user, version=report.version + 1)
            report.updated_at = now  # written here, not by auto_now
            try:
                _full_clean(report, exclude=_BATCH_CLEAN_EXCLUDE)
            except ApplicationError as exc:
                problems[report.task_id] = exc
        if problems:
            raise _rows_refused(problems)
        if _update_rows(ProgressReport, reports, _SAVED_FIELDS, expected_versions=expected) != len(reports):
            current = ProgressReport.objects.select_related("updated_by").in_bulk(list(expected))
            gone = ApplicationError(ErrorCode.NOT_FOUND, "找不到该报告，或您无权查看。")
            raise _rows_refused(
                {
                    report.task_id: _conflict(current[report.pk], expected[report.pk]) if report.pk in current else gone
                    for report in reports
                    if report.pk not in current or current[report.pk].version != report.version
                }
            )
        get_history_manager_for_model(ProgressReport).bulk_history_create(
            reports, update=True, default_user=user, default_change_reason=None
        )

        new_actuals: list[TargetActual] = []
        changed_actuals: list[TargetActual] = []
        for report, write in zip(reports, writes, strict=True):
            if write.data.actuals is None:
                continue
            for row in _actual_changes(report, stored_actuals.get(report.pk, {}), write.data.actuals):
                (changed_actuals if row.pk else new_actuals).append(row)
        if new_actuals:
            bulk_create_with_history(new_actuals, TargetActual)
        if changed_actuals:
            _update_rows(TargetActual, changed_actuals, ["state", "value", "data_date", "note"])
            get_history_manager_for_model(TargetActual).bulk_history_create(
                changed_actuals, update=True, default_change_reason=None
            )
    created = {report.pk for report in started}
    return [SavedReport(report, report.pk in created) for report in reports]


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
        announce(PROGRESS)
        report = _locked(report_id)
        check_can_view_report(actor, report)
        check_period_open(report.period)
        if expected_version is not None and report.version != expected_version:
            raise _conflict(report, expected_version)
        transition = check_transition(REPORT_TRANSITIONS, "submit", report.status)
        check_can_submit_report(actor, report)
        missing = missing_for_submission(report)
        if missing:
            raise ApplicationError(
                ErrorCode.REPORT_INCOMPLETE, "报告还不完整：" + "".join(missing), extra={"missing": missing}
            )
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
    comment = clean_text(comment)
    with transaction.atomic():
        announce(PROGRESS)
        report = _locked(report_id)
        check_can_review(actor, report)  # and the plan has not ended
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
        # The unit is told in the same transaction: it hears of the change when (and only if) it commits.
        signals.report_reviewed.send(sender=ProgressReport, report=report, accepted=action == "accept")
    return report


def accept_report(*, report_id: int, user: Any, comment: str = "") -> ProgressReport:
    return _review(report_id, "accept", user=user, comment=comment)


def return_report(*, report_id: int, user: Any, comment: str) -> ProgressReport:
    """Return the report to its unit with a comment (required) saying what to revise."""
    return _review(report_id, "return", user=user, comment=comment)


def submit_reports(*, report_ids: list[int], user: Any) -> list[ProgressReport]:
    """Submit many of the unit's drafts at once (the clerk's bulk 报送), each as :func:`submit_report`
    would, in one transaction: a report the user may not submit (another unit's, not a draft, still
    incomplete, the head's sign-off) refuses them all, naming its task, and nothing is submitted."""
    ids = list(dict.fromkeys(report_ids))
    if not ids:
        raise ApplicationError(ErrorCode.INVALID, "请选择要报送的报告。")
    actor = actor_for(user)
    submitted = []
    with transaction.atomic():
        announce(PROGRESS)
        reports = {
            report.pk: report
            for report in ProgressReport.objects.select_related("task", "department", "period").filter(pk__in=ids)
        }
        for report_id in ids:
            report = reports.get(report_id)
            if report is None:
                raise ApplicationError(ErrorCode.NOT_FOUND, "找不到所选的报告，或您无权查看。未报送任何报告。")
            # Only the user's own unit's reports (the one rule of access): another unit's is refused
            # (its draft answers NOT_FOUND, as it would alone) before anything else is looked at.
            try:
                check_can_submit_report(actor, report)
            except ApplicationError as exc:
                if exc.code == ErrorCode.NOT_FOUND:
                    raise ApplicationError(exc.code, "找不到所选的报告，或您无权查看。未报送任何报告。") from exc
                if report.department_id != actor.department_id or exc.code == ErrorCode.PERMISSION_DENIED:
                    raise ApplicationError(exc.code, f"{exc.message}未报送任何报告。", extra=exc.extra) from exc
                raise ApplicationError(exc.code, f"任务{report.task.number}：{exc.message}未报送任何报告。") from exc
            if report.status != ReportStatus.DRAFT:
                raise ApplicationError(
                    ErrorCode.ILLEGAL_TRANSITION,
                    f"任务{report.task.number}的报告当前为“{report.get_status_display()}”，不是草稿。未报送任何报告。",
                )
            try:
                submitted.append(submit_report(report_id=report.pk, user=user))
            except ApplicationError as exc:
                raise ApplicationError(
                    exc.code, f"任务{report.task.number}：{exc.message}未报送任何报告。", extra=exc.extra
                ) from exc
    return submitted
