"""Writes for drafting: a draft from a work report, edits of its candidate tasks, and its acceptance into a plan.

A draft becomes a plan through the importer's own service (``tasks.services.plan_import.import_plan``): the
accepted tasks are turned into a ``ParseResult`` — units resolved by the same directory, targets read again
from the edited text — so the rules about units, assignments and targets exist once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from drafting.models import Draft, DraftStatus, DraftTask, split_names
from drafting.report import ReportDraft, split_report
from drafting.suggest import Suggester, Suggestion
from tasks.importer.targets import extract_targets
from tasks.importer.types import ParsedPlan, ParsedTask, ParseResult
from tasks.models import Plan
from tasks.services.plan_documents import current_unit_directory
from tasks.services.plan_import import import_plan
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

# A suggested supporting unit is pre-filled only when at least this share of the similar tasks' votes had it.
SUPPORTING_MIN_CONFIDENCE = 0.15
SUPPORTING_MAX = 3
MAX_REPORT_CHARS = 1_000_000


@dataclass(slots=True)
class DraftedReport:
    report: ReportDraft
    suggestions: list[Suggestion]

    def as_json(self) -> dict[str, Any]:
        data = self.report.as_json()
        for candidate, suggestion in zip(data["candidates"], self.suggestions, strict=True):
            candidate["suggestion"] = suggestion.as_json()
        return data


def draft_report(*, text: str, suggester: Suggester, year: int | None = None) -> DraftedReport:
    """Candidate tasks of a work report with suggested units (pure: nothing is written)."""
    if not text or not text.strip():
        raise ApplicationError(ErrorCode.IMPORT_EMPTY, "工作报告内容为空，请选择政府工作报告的正文文件。")
    if len(text) > MAX_REPORT_CHARS:
        raise ApplicationError(ErrorCode.IMPORT_TOO_LARGE, "工作报告过长（超过100万字），请只上传报告正文。")
    report = split_report(text, year=year)
    if not report.candidates:
        raise ApplicationError(
            ErrorCode.IMPORT_NO_TASKS,
            "报告中没有找到可作为任务的内容（含数量目标或明确举措的句子）。请确认上传的是政府工作报告的重点工作部分。",
        )
    suggestions = suggester.suggest_many([c.query for c in report.candidates])
    return DraftedReport(report=report, suggestions=suggestions)


def _supporting(suggestion: Suggestion) -> list[str]:
    return [u.name for u in suggestion.supporting if u.confidence >= SUPPORTING_MIN_CONFIDENCE][:SUPPORTING_MAX]


@transaction.atomic
def create_draft(
    *, text: str, title: str, suggester: Suggester, source_name: str = "", year: int | None = None, user: Any = None
) -> Draft:
    """A draft with one candidate task per commitment of the report, pre-filled with the suggested units."""
    title = title.strip()
    if not title:
        raise ApplicationError(ErrorCode.INVALID, "请填写方案名称。")
    drafted = draft_report(text=text, suggester=suggester, year=year)
    draft = Draft(
        title=title[:300],
        year=drafted.report.year,
        source_name=source_name[:200],
        source_text=text,
        created_by=user if getattr(user, "pk", None) else None,
    )
    draft.full_clean()
    draft.save()
    DraftTask.objects.bulk_create(
        DraftTask(
            draft=draft,
            position=candidate.position,
            text=candidate.text,
            sentence=candidate.sentence,
            section=candidate.section[:300],
            topic=candidate.topic[:300],
            targets=[t.as_json() for t in candidate.targets],
            lead=suggestion.lead[0].name if suggestion.lead else "",
            supporting="、".join(_supporting(suggestion)),
            confidence=suggestion.confidence,
            suggestion=suggestion.as_json(),
        )
        for candidate, suggestion in zip(drafted.report.candidates, drafted.suggestions, strict=True)
    )
    return draft


def _editable(draft: Draft) -> None:
    if draft.status != DraftStatus.DRAFT:
        raise ApplicationError(ErrorCode.ILLEGAL_TRANSITION, "该草稿已生成方案，不能再修改。请在方案中修改任务。")


@transaction.atomic
def update_draft_task(*, task: DraftTask, text: str, lead: str, supporting: str, included: bool) -> DraftTask:
    """The plan office's edit of one candidate: text and units (names separated by "、"), kept or dropped."""
    task = DraftTask.objects.select_for_update().select_related("draft").get(pk=task.pk)
    _editable(task.draft)
    text = text.strip()
    if included and not text:
        raise ApplicationError(
            ErrorCode.INVALID, f"第{task.position}条：任务内容不能为空；不要的任务请取消“纳入方案”。"
        )
    lead_names, supporting_names = split_names(lead), split_names(supporting)
    if included and not lead_names:
        raise ApplicationError(ErrorCode.INVALID, f"第{task.position}条：请填写牵头单位。")
    task.text = text or task.text
    task.lead = "、".join(lead_names)[:300]
    task.supporting = "、".join(n for n in supporting_names if n not in lead_names)[:1000]
    task.included = included
    if text:
        task.targets = [t.as_json() for t in extract_targets(text, default_year=task.draft.year)]
    task.full_clean()
    task.save()
    return task


def draft_as_result(draft: Draft, tasks: Sequence[DraftTask]) -> ParseResult:
    """The accepted tasks as a parse result, numbered 1… in order, units resolved like an imported plan's."""
    directory = current_unit_directory()
    year = draft.year
    plan = ParsedPlan(
        title=draft.title,
        period_start=dt.date(year, 1, 1) if year else None,
        period_end=dt.date(year, 12, 31) if year else None,
    )
    parsed = []
    for number, task in enumerate((t for t in tasks if t.included), start=1):
        parsed.append(
            ParsedTask(
                number=number,
                text=task.text,
                label=f"{number}.",
                lead=[directory.resolve(name) for name in task.lead_names],
                supporting=[directory.resolve(name) for name in task.supporting_names],
                deadline=plan.period_end,
                deadline_text="年内" if year else "",
                targets=extract_targets(task.text, default_year=year),
                annotation=_annotation(task),
            )
        )
    return ParseResult(plan=plan, tasks=parsed)


def _annotation(task: DraftTask) -> str:
    parts = [f"牵头单位：{task.lead}"] + ([f"配合单位：{task.supporting}"] if task.supporting else [])
    return f"（{'；'.join(parts)}）"


def render_plan_text(draft: Draft, tasks: Sequence[DraftTask]) -> str:
    """The accepted draft as a 分工方案 text the importer reads back (kept as the plan's source text)."""
    lines = [draft.title, ""]
    section = None
    number = 0
    for task in tasks:
        if not task.included:
            continue
        if task.section and task.section != section:
            section = task.section
            lines.append(section)
        number += 1
        lines.append(f"{number}.{task.text.rstrip('。')}。{_annotation(task)}")
    return "\n".join(lines) + "\n"


@transaction.atomic
def accept_draft(*, draft: Draft, user: Any = None) -> Plan:
    """Create the plan from the draft's included tasks. Refuses a draft already accepted, one without tasks,
    a task without a lead unit, and a title an existing plan already has (it would be updated, not created)."""
    draft = Draft.objects.select_for_update().get(pk=draft.pk)
    _editable(draft)
    tasks = list(draft.tasks.order_by("position"))
    included = [t for t in tasks if t.included]
    if not included:
        raise ApplicationError(ErrorCode.INVALID, "没有纳入方案的任务，请至少保留一条。")
    missing = [str(t.position) for t in included if not t.lead_names]
    if missing:
        raise ApplicationError(ErrorCode.INVALID, f"第{'、'.join(missing)}条没有牵头单位，请补充后再生成方案。")
    if Plan.objects.filter(title=draft.title).exists():
        raise ApplicationError(ErrorCode.INVALID, f"已有同名方案“{draft.title}”，请修改草稿的方案名称。")
    result = draft_as_result(draft, tasks)
    report = import_plan(result=result, source_text=render_plan_text(draft, tasks), user=user)
    draft.plan = report.plan
    draft.status = DraftStatus.ACCEPTED
    draft.accepted_at = timezone.now()
    draft.save(update_fields=["plan", "status", "accepted_at"])
    return report.plan
