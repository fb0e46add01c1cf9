"""One small function per event type: what happened to a report or a task, by whom, with what comment.

Called by the services inside their transaction, so an event exists exactly when its change does.
"""

from __future__ import annotations

from typing import Any

from progress.models import ProgressReport, ReportEvent, ReportEventType, TaskEvent, TaskEventType
from tasks.models import Task


def _report_event(
    report: ProgressReport, type_: str, *, actor: Any, from_status: str = "", to_status: str = "", comment: str = ""
) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report, type=type_, actor=actor, from_status=from_status, to_status=to_status, comment=comment
    )


def unsaved_report_created(report: ProgressReport, *, actor: Any) -> ReportEvent:
    """The "created" event, not yet saved (batch saves bulk-create them)."""
    comment = f"沿用{report.prefilled_from.period.name}的报告内容" if report.prefilled_from_id else ""
    return ReportEvent(report=report, type=ReportEventType.CREATED, actor=actor, to_status=report.status, comment=comment)


def report_created(report: ProgressReport, *, actor: Any) -> ReportEvent:
    event = unsaved_report_created(report, actor=actor)
    event.save()
    return event


def report_submitted(report: ProgressReport, *, actor: Any, from_status: str) -> ReportEvent:
    return _report_event(report, ReportEventType.SUBMITTED, actor=actor, from_status=from_status, to_status=report.status)


def report_accepted(report: ProgressReport, *, actor: Any, from_status: str, comment: str) -> ReportEvent:
    return _report_event(
        report, ReportEventType.ACCEPTED, actor=actor, from_status=from_status, to_status=report.status, comment=comment
    )


def report_returned(report: ProgressReport, *, actor: Any, from_status: str, comment: str) -> ReportEvent:
    return _report_event(
        report, ReportEventType.RETURNED, actor=actor, from_status=from_status, to_status=report.status, comment=comment
    )


def evidence_added(report: ProgressReport, *, actor: Any, name: str) -> ReportEvent:
    return _report_event(report, ReportEventType.EVIDENCE_ADDED, actor=actor, comment=name)


def evidence_removed(report: ProgressReport, *, actor: Any, name: str) -> ReportEvent:
    return _report_event(report, ReportEventType.EVIDENCE_REMOVED, actor=actor, comment=name)


def _task_event(task: Task | int, type_: str, *, actor: Any, comment: str = "") -> TaskEvent:
    task_id = task.pk if isinstance(task, Task) else task
    return TaskEvent.objects.create(task_id=task_id, type=type_, actor=actor, comment=comment)


def task_completed(task: Task | int, *, actor: Any, comment: str) -> TaskEvent:
    return _task_event(task, TaskEventType.COMPLETED, actor=actor, comment=comment)


def task_reopened(task: Task | int, *, actor: Any, comment: str) -> TaskEvent:
    return _task_event(task, TaskEventType.REOPENED, actor=actor, comment=comment)


def extension_requested(task: Task | int, *, actor: Any, comment: str) -> TaskEvent:
    return _task_event(task, TaskEventType.EXTENSION_REQUESTED, actor=actor, comment=comment)


def extension_approved(task: Task | int, *, actor: Any, comment: str) -> TaskEvent:
    return _task_event(task, TaskEventType.EXTENSION_APPROVED, actor=actor, comment=comment)


def extension_refused(task: Task | int, *, actor: Any, comment: str) -> TaskEvent:
    return _task_event(task, TaskEventType.EXTENSION_REFUSED, actor=actor, comment=comment)


def extension_withdrawn(task: Task | int, *, actor: Any, comment: str) -> TaskEvent:
    return _task_event(task, TaskEventType.EXTENSION_WITHDRAWN, actor=actor, comment=comment)
