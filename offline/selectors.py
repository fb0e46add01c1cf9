"""Reads for the offline template: the unit's tasks of an open period, each with what the template
pre-fills (this period's report when there is one, else the unit's report of the previous period)
and, for lead tasks, its targets with the actuals to pre-fill.

The task list is exactly 本期待填报's (:func:`progress.selectors.portal.due_list`: the same
effective-unit rules, lead wins over supporting); the rest is read in a fixed number of queries
whatever the number of tasks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from progress.models import ProgressReport, ReviewPeriod, TargetActual
from progress.selectors.portal import due_list, effective_deadline_of
from progress.services.reports import previous_reports
from progress.workflow import EDITABLE_REPORT_STATES
from tasks.models import AssignmentRole, Target, Task


@dataclass
class TemplateRow:
    """One task of the unit in the template."""

    task: Task
    role: str
    report: ProgressReport | None  # this period's report of the unit, if any
    previous: ProgressReport | None  # the unit's report of the latest earlier period, if any
    targets: list[Target] = field(default_factory=list)  # lead tasks only
    actuals: dict[int, TargetActual] = field(default_factory=dict)  # of ``source``, by target id

    @property
    def source(self) -> ProgressReport | None:
        """What the row is pre-filled with (the rule of ``progress.services.reports.start_report``)."""
        return self.report if self.report is not None else self.previous

    @property
    def editable(self) -> bool:
        return self.report is None or self.report.status in EDITABLE_REPORT_STATES

    @property
    def effective_deadline(self) -> dt.date | None:
        return effective_deadline_of(self.task)


def unit_task_roles(*, department_id: int, period: ReviewPeriod) -> dict[int, tuple[int, str]]:
    """{task id: (task number, role)} of the unit's tasks in the period's plan, as 本期待填报 lists them."""
    listing = due_list(department_id=department_id, period=period, per_page=1)
    return {entry.task_id: (entry.number, entry.role) for entry in listing.entries}


def template_rows(*, department_id: int, period: ReviewPeriod) -> list[TemplateRow]:
    """The template's rows, by task number."""
    roles = unit_task_roles(department_id=department_id, period=period)
    if not roles:
        return []
    ids = list(roles)
    tasks = {
        task.pk: task
        for task in Task.objects.filter(pk__in=ids)
        .select_related("progress")
        .only("pk", "plan_id", "number", "text", "binding", "deadline", "deadline_text", "progress__extended_deadline")
    }
    current = {
        report.task_id: report
        for report in ProgressReport.objects.filter(department_id=department_id, period=period, task_id__in=ids)
        .select_related("updated_by")
    }
    previous = previous_reports(department_id=department_id, period=period, task_ids=ids)
    lead_ids = [task_id for task_id, (_, role) in roles.items() if role == AssignmentRole.LEAD]
    targets: dict[int, list[Target]] = defaultdict(list)
    for target in Target.objects.filter(task_id__in=lead_ids).order_by("task_id", "position", "pk"):
        targets[target.task_id].append(target)
    rows = [
        TemplateRow(
            task=tasks[task_id],
            role=role,
            report=current.get(task_id),
            previous=previous.get(task_id),
            targets=targets.get(task_id, []),
        )
        for task_id, (_, role) in roles.items()
    ]
    source_ids = [row.source.pk for row in rows if row.source is not None and row.targets]
    by_report: dict[int, dict[int, TargetActual]] = defaultdict(dict)
    for actual in TargetActual.objects.filter(report_id__in=source_ids).order_by():
        by_report[actual.report_id][actual.target_id] = actual
    for row in rows:
        if row.source is not None and row.targets:
            row.actuals = by_report.get(row.source.pk, {})
    rows.sort(key=lambda row: (row.task.number, row.task.pk))
    return rows
