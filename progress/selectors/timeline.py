"""The task page's timeline: everything that happened to a task, newest first.

Merged from the row history (django-simple-history) of the task, its assignments (deleted ones
too), its running state, its reports and their target actuals (only the reports the viewer may
see), its extension requests (as far as the viewer may see them), the typed report and task
events, and the opening and closing of the plan's review periods.

Each history source is read in one query; an update's changed fields come from comparing
consecutive history rows of the same object in Python (not ``prev_record`` per row), so the
number of queries does not grow with the number of reports or changes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from access.actor import Actor
from access.querysets import extension_requests_visible_to, reports_visible_to
from departments.models import Department, DepartmentGroup
from progress.models import (
    ExtensionRequest,
    ProgressReport,
    ReportEvent,
    ReviewPeriod,
    TargetActual,
    TaskEvent,
    TaskProgress,
)
from tasks.models import Assignment, Task

# Fields whose change is bookkeeping, or is told by an event row already (the status of reports,
# extension requests and the task's running state: every move writes an event; periods are told apart).
_IGNORED_FIELDS = frozenset(
    {
        "id",
        "status",
        "version",
        "created_at",
        "updated_at",
        "updated_by",
        "submitted_at",
        "submitted_by",
        "reviewed_at",
        "reviewed_by",
        "review_comment",
        "decided_at",
        "decided_by",
        "requested_at",
        "requested_by",
        "completed_at",
        "completed_by",
        "opened_at",
        "closed_at",
        "prefilled_from",
        "is_demo",
        "source_sha256",
        "position",
    }
)
_EMPTY = "（空）"


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class TimelineEntry:
    when: dt.datetime
    who: str
    what: str
    kind: str  # "history" or "event": for styling
    comment: str = ""
    changes: list[FieldChange] = field(default_factory=list)
    order: int = 0  # ties at the same instant: later-read sources first


class _Names:
    """Display names of the related rows a history diff mentions, read in one query per model."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.names: dict[tuple[type[models.Model], Any], str] = {}

    def want(self, model: type[models.Model], pk: Any) -> None:
        if pk is not None:
            self.wanted[model].add(pk)

    def load(self) -> None:
        user_model = get_user_model()
        for model, pks in self.wanted.items():
            if model is user_model:
                rows = user_model.objects.filter(pk__in=pks)
                self.names.update(((model, u.pk), u.get_full_name() or u.get_username()) for u in rows)
            elif model in (Department, DepartmentGroup):
                self.names.update(((model, pk), name) for pk, name in model.objects.filter(pk__in=pks).values_list("pk", "name"))

    def name(self, model: type[models.Model], pk: Any) -> str:
        return self.names.get((model, pk), f"#{pk}")


def _user_label(user: Any) -> str:
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()


def _tracked_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in _IGNORED_FIELDS and not f.primary_key and f.name != "task"
    ]


def _format(field_: models.Field, value: Any, names: _Names) -> str:
    if value is None or value == "":
        return _EMPTY
    if field_.is_relation:
        return names.name(field_.related_model, value)
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value))
    if isinstance(field_, models.BooleanField):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _history_rows(queryset: models.QuerySet) -> dict[Any, list[Any]]:
    """History rows grouped per object, oldest first."""
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for row in queryset.select_related("history_user").order_by("history_date", "history_id"):
        grouped[row.id].append(row)
    return grouped


def _diffs(model: type[models.Model], grouped: dict[Any, list[Any]], names: _Names):
    """Yield (row, previous row or None, [(field, before, after)]) for each history row."""
    fields = _tracked_fields(model)
    for rows in grouped.values():
        previous = None
        for row in rows:
            changed = []
            if row.history_type == "~" and previous is not None:
                for f in fields:
                    before, after = getattr(previous, f.attname), getattr(row, f.attname)
                    if before != after:
                        changed.append((f, before, after))
                        if f.is_relation:
                            names.want(f.related_model, before)
                            names.want(f.related_model, after)
            yield row, previous, changed
            previous = row


def task_timeline(task: Task, *, actor: Actor) -> list[TimelineEntry]:
    """Everything that happened to ``task`` that ``actor`` may see, newest first (a fixed number of queries)."""
    names = _Names()
    pending: list[tuple[Any, str, str, list, str]] = []  # (row, what, kind, changes, comment)

    def add_history(model, grouped, label, *, show_created=True, show_deleted=True, created_text=None):
        for row, _previous, changed in _diffs(model, grouped, names):
            if row.history_type == "+":
                if show_created:
                    pending.append((row, f"新增{label(row)}", "history", [], created_text(row) if created_text else ""))
            elif row.history_type == "-":
                if show_deleted:
                    pending.append((row, f"删除{label(row)}", "history", [], ""))
            elif changed:
                pending.append((row, f"修改{label(row)}", "history", changed, ""))

    # The task itself.
    add_history(Task, _history_rows(Task.history.filter(id=task.pk)), lambda r: "任务", created_text=lambda r: "导入任务")

    # Its assignments, deleted ones included.
    role_labels = dict(Assignment._meta.get_field("role").flatchoices)

    def assignment_label(row) -> str:
        return f"分工（{role_labels.get(row.role, row.role)}：{row.name_as_written}）"

    add_history(Assignment, _history_rows(Assignment.history.filter(task_id=task.pk)), assignment_label)

    # Its running state (办结, extended deadline).
    add_history(
        TaskProgress,
        _history_rows(TaskProgress.history.filter(task_id=task.pk)),
        lambda r: "办理状态",
        show_created=False,
    )

    # Reports the actor may see, and their target actuals.
    reports = {
        report.pk: report
        for report in reports_visible_to(ProgressReport.objects.filter(task=task), user=actor.user).select_related(
            "period", "department"
        )
    }

    def report_label(report_id: int) -> str:
        report = reports[report_id]
        kind = "配合情况" if report.is_contribution else "报告"
        return f"{report.department.name}{report.period.name}{kind}"

    add_history(
        ProgressReport,
        _history_rows(ProgressReport.history.filter(id__in=list(reports))),
        lambda r: report_label(r.id),
        show_created=False,  # the CREATED event says it
    )
    targets = {target.pk: target for target in task.targets.all()}

    def actual_label(row) -> str:
        target = targets.get(row.target_id)
        indicator = target.indicator if target is not None else f"目标#{row.target_id}"
        return f"实际值（{indicator}，{report_label(row.report_id)}）"

    def actual_created(row) -> str:
        if row.value is None:
            return "数据尚未发布"
        return f"{_format(TargetActual._meta.get_field('value'), row.value, names)}（截至{row.data_date}）"

    add_history(
        TargetActual,
        _history_rows(TargetActual.history.filter(report_id__in=list(reports))),
        actual_label,
        created_text=actual_created,
    )

    # Extension requests the actor may see (their decisions are told by task events too).
    visible_requests = extension_requests_visible_to(ExtensionRequest.objects.filter(task=task), user=actor.user)
    add_history(
        ExtensionRequest,
        _history_rows(ExtensionRequest.history.filter(id__in=visible_requests.values("pk"))),
        lambda r: "延期申请",
        created_text=lambda r: f"申请延期至{r.requested_deadline}：{r.reason}",
    )

    # Opening and closing of the plan's periods.
    status_field = ReviewPeriod._meta.get_field("status")
    for rows in _history_rows(ReviewPeriod.history.filter(plan_id=task.plan_id)).values():
        previous = None
        for row in rows:
            before = previous.status if previous is not None else None
            if row.history_type != "-" and row.status != before and (before is not None or row.status != "planned"):
                state = _format(status_field, row.status, names)
                pending.append((row, f"填报期“{row.name}”{state}", "period", [], ""))
            previous = row

    names.load()
    entries: list[TimelineEntry] = []
    for row, what, kind, changed, comment in pending:
        entries.append(
            TimelineEntry(
                when=row.history_date,
                who=_user_label(row.history_user),
                what=what,
                kind=kind,
                comment=comment,
                changes=[
                    FieldChange(str(f.verbose_name), _format(f, before, names), _format(f, after, names))
                    for f, before, after in changed
                ],
            )
        )

    for event in ReportEvent.objects.filter(report_id__in=list(reports)).select_related("actor"):
        entries.append(
            TimelineEntry(
                when=event.at,
                who=_user_label(event.actor),
                what=f"{report_label(event.report_id)}：{event.get_type_display()}",
                kind="event",
                comment=event.comment,
                order=1,
            )
        )
    for event in TaskEvent.objects.filter(task=task).select_related("actor"):
        entries.append(
            TimelineEntry(
                when=event.at,
                who=_user_label(event.actor),
                what=f"任务{event.get_type_display()}",
                kind="event",
                comment=event.comment,
                order=1,
            )
        )
    entries.sort(key=lambda e: (e.when, e.order), reverse=True)
    return entries
