"""The figures of a plan's evaluation report (中期评估 / 总结评估) as of a day: what the workbook
(:mod:`evaluation.workbook`) and the .docx draft (:mod:`evaluation.document`) both write, so they agree.

Every number is read from its one place:

- **Indicators**: each target of the plan with its actuals per year (``indicators.selectors.actual_series``)
  and its evaluation (``indicators.selectors.evaluations``: status, completion, met, explanation) as of
  the year of ``as_of``; binding (约束性) tasks first. 完成进度 is the evaluation's completion rate
  ("数据尚未发布" when there is no actual: never 0). The last column says 是否完成 once the rule has
  decided (``met``), else 预计能否完成 from the trajectory status.
- **Tasks**: the dashboard's task states (``dashboard.selectors.overview``) in the *reference period*
  (the latest period started by ``as_of``) read as of ``as_of``: 已完成 is ``TaskState.is_completed``,
  else the lead units' stated progress (正常推进 / 存在风险 / 滞后 / 未启动, or 未报送), with the light
  and its reason; grouped by chapter, with the lead unit's latest words (进展情况 of its latest
  delivered report in a period started by ``as_of``).
- **Units' record**: per lead unit and per period that was opened by ``as_of``, the dashboard's
  ``LeadUnitRow`` (reports on time, late, not delivered; silent supporting units on its tasks).
- **Unfinished tasks**: the tasks not completed, in number order.

Queries: a fixed number whatever the plan's size, plus four per evaluated period (the task states).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from dashboard.selectors.overview import lead_unit_record, lead_unit_rows, read_period
from evaluation.selectors import evaluated_periods, reference_period
from progress.formatting import plain_decimal, target_text
from progress.models import ProgressReport, ProgressStatus, ReviewPeriod
from progress.states import CLAIMED_LABEL, NOT_SUBMITTED_LABEL, TaskState, lead_report_q
from progress.workflow import DELIVERED_REPORT_STATES
from tasks.models import Plan, Section, Target, Task

MIDTERM = "中期评估"
FINAL = "总结评估"
NO_DATA_TEXT = "数据尚未发布"
TEXT_CHUNK = 1000  # report texts are read this many at a time
COMPLETED_LABEL = "已完成"

# 预计能否完成, from the trajectory status (indicators.trajectory.TrajectoryStatus values).
FORECAST_WORDS = {
    "ahead": "已提前完成",
    "on_track": "预计能完成",
    "behind": "完成难度较大",
    "no_data": "数据尚未发布，暂无法判断",
}


def report_kind(plan: Plan, *, as_of: dt.date) -> str:
    """总结评估 once the plan period is over (or the plan has ended), else 中期评估."""
    if plan.is_closed or (plan.period_end is not None and as_of >= plan.period_end):
        return FINAL
    return MIDTERM


def plan_years(plan: Plan, *, as_of: dt.date) -> list[int]:
    """The years whose actuals are shown: the plan period's, up to the year of ``as_of``."""
    first = plan.period_start.year if plan.period_start else None
    last = plan.period_end.year if plan.period_end else None
    if first is None or last is None:
        return []
    return list(range(first, min(last, as_of.year) + 1))


@dataclass(frozen=True)
class IndicatorRow:
    task_id: int
    task_number: int
    target_id: int
    binding: bool
    indicator: str
    responsible: str
    target_text: str  # 规划目标
    actuals: dict[int, Decimal]  # year → value (in the target's unit)
    unit: str
    completion: Decimal | None  # share achieved (1 = met); None without an actual
    status: str  # a TrajectoryStatus value
    status_label: str
    met: bool | None
    explanation: str

    @property
    def kind_label(self) -> str:
        return "约束性" if self.binding else "预期性"

    @property
    def completion_text(self) -> str:
        if self.completion is None:
            return NO_DATA_TEXT
        return f"{plain_decimal((self.completion * 100).quantize(Decimal('0.1')))}%"

    @property
    def verdict(self) -> str:
        """是否完成 once the rule has decided (``met``: the target year's reading, or met early), else
        预计能否完成 from the trajectory status."""
        if self.met is True:
            return FORECAST_WORDS["ahead"] if self.status == "ahead" else "已完成"
        if self.met is False:
            return "未完成"
        return FORECAST_WORDS.get(self.status, self.status_label)

    def actual_text(self, year: int) -> str:
        value = self.actuals.get(year)
        return "" if value is None else f"{plain_decimal(value)}{self.unit}"


@dataclass(frozen=True)
class TaskRow:
    task_id: int
    number: int
    chapter: str
    text: str
    lead_units: str
    deadline: dt.date | None
    binding: bool
    state_label: str  # 已完成, else the stated progress (or 未报送)
    light: str  # green / yellow / red
    light_label: str
    light_reason: str
    latest_words: str  # the lead unit's latest 进展情况
    latest_from: str  # "2025年下半年 市工信局"
    is_completed: bool


@dataclass
class ChapterBlock:
    heading: str
    rows: list[TaskRow] = field(default_factory=list)

    def count(self, label: str) -> int:
        return sum(1 for row in self.rows if row.state_label == label)


@dataclass(frozen=True)
class UnitCounts:
    tasks: int  # reports due (应报): the unit's lead tasks less those closed by the due date unreported
    on_time: int
    late: int
    not_submitted: int
    silent: int


@dataclass
class UnitRecord:
    unit_id: int
    name: str
    sort_order: int
    periods: dict[int, UnitCounts] = field(default_factory=dict)  # period id → its counts

    def total(self, name: str) -> int:
        return sum(getattr(counts, name) for counts in self.periods.values())

    @property
    def on_time_rate(self) -> float:
        due = self.total("tasks")
        return round(100.0 * self.total("on_time") / due, 1) if due else 0.0


@dataclass
class EvaluationReport:
    plan: Plan
    as_of: dt.date
    kind: str
    period: ReviewPeriod | None  # the reference period
    years: list[int]
    indicators: list[IndicatorRow]
    chapters: list[ChapterBlock]
    periods: list[ReviewPeriod]  # the periods of the units' record
    units: list[UnitRecord]
    generated_at: dt.datetime
    state_labels: list[str] = field(default_factory=list)  # the task table's state columns, in order

    @property
    def title(self) -> str:
        return f"{self.plan.title}{self.kind}"

    @property
    def tasks(self) -> Iterator[TaskRow]:
        for chapter in self.chapters:
            yield from chapter.rows

    @property
    def unfinished(self) -> list[TaskRow]:
        return sorted((row for row in self.tasks if not row.is_completed), key=lambda r: (r.number, r.task_id))

    @property
    def task_total(self) -> int:
        return sum(len(c.rows) for c in self.chapters)

    def state_count(self, label: str) -> int:
        return sum(c.count(label) for c in self.chapters)

    @property
    def subtitle(self) -> str:
        period = f"，任务状态按{self.period.name}" if self.period else ""
        return (
            f"{self.kind} · 数据截至{self.as_of:%Y年%m月%d日}{period} · "
            f"生成于{timezone.localtime(self.generated_at):%Y年%m月%d日 %H:%M}"
        )


def _state_label(state: TaskState) -> str:
    """已完成 only as the plan office confirmed it (TaskState.is_completed); a unit's claim not yet
    confirmed reads 单位报告已完成 (progress.states.CLAIMED_LABEL), as on the dashboard."""
    if state.is_completed:
        return COMPLETED_LABEL
    if state.progress_status == ProgressStatus.COMPLETED:
        return CLAIMED_LABEL
    return state.progress_status_label


def _state_labels() -> list[str]:
    labels = [COMPLETED_LABEL, CLAIMED_LABEL]
    labels += [label for value, label in ProgressStatus.choices if value != ProgressStatus.COMPLETED]
    labels.append(NOT_SUBMITTED_LABEL)
    return labels


def _latest_words(task_ids: list[int], *, as_of: dt.date) -> dict[int, tuple[str, str, str]]:
    """Each task's latest delivered lead report up to ``as_of``: (进展情况, period name, unit name)."""
    latest = (
        ProgressReport.objects.filter(
            lead_report_q(),
            task_id=OuterRef("pk"),
            status__in=DELIVERED_REPORT_STATES,
            period__starts_on__lte=as_of,
        )
        .order_by("-period__starts_on", "-submitted_at", "-pk")
        .values("pk")[:1]
    )
    found: dict[int, tuple[str, str, str]] = {}
    for start in range(0, len(task_ids), TEXT_CHUNK):
        chunk = task_ids[start : start + TEXT_CHUNK]
        report_of = dict(
            Task.objects.filter(pk__in=chunk).annotate(latest=Subquery(latest)).values_list("pk", "latest")
        )
        wanted = [pk for pk in report_of.values() if pk is not None]
        rows = ProgressReport.objects.filter(pk__in=wanted).values_list(
            "task_id", "progress_text", "period__name", "department__name"
        )
        for task_id, text, period_name, unit_name in rows:
            found[task_id] = (text, period_name, unit_name)
    return found


def _chapter_heading(section_id: int | None, sections: dict[int, Section]) -> str:
    section = sections.get(section_id) if section_id is not None else None
    return section.heading if section is not None else "未分章节"


def _indicator_rows(
    plan: Plan, *, as_of: dt.date, units: dict[int, tuple[str, int]], lead_ids: dict[int, tuple[int, ...]]
) -> list[IndicatorRow]:
    from indicators.selectors import actual_series, target_spec
    from indicators.trajectory import evaluate

    targets = list(
        Target.objects.filter(task__plan=plan)
        .select_related("task")
        .only("task__number", "task__binding", *[f.attname for f in Target._meta.concrete_fields])
        .order_by("task__number", "position", "pk")
    )
    targets.sort(key=lambda t: (not t.task.binding, t.task.number, t.position, t.pk))
    # indicators.selectors.evaluations(targets, as_of_year=, as_of=), with the series read once for
    # both the evaluation and the actuals per year (every target is of this plan: its years).
    series = actual_series([t.pk for t in targets], as_of=as_of, within=Target.objects.filter(task__plan=plan))
    years = (plan.period_start.year if plan.period_start else None, plan.period_end.year if plan.period_end else None)
    last_year = years[1]
    rows = []
    for target in targets:
        result = evaluate(target_spec(target, years=years), series[target.pk], as_of_year=as_of.year)
        target_year = target.year or last_year
        rows.append(
            IndicatorRow(
                task_id=target.task_id,
                task_number=target.task.number,
                target_id=target.pk,
                binding=target.task.binding,
                indicator=target.indicator,
                responsible="、".join(units.get(pk, ("", 0))[0] for pk in lead_ids.get(target.task_id, ())),
                target_text=target_text(
                    direction=target.direction,
                    basis=target.basis,
                    value=target.value,
                    value_max=target.value_max,
                    unit=target.unit,
                    year=target_year,
                ),
                actuals={reading.year: reading.value for reading in series.get(target.pk, [])},
                unit=target.unit,
                completion=result.completion,
                status=str(result.status),
                status_label=result.status_label,
                met=result.met,
                explanation=result.explanation,
            )
        )
    return rows


def build_report(plan: Plan, *, as_of: dt.date | None = None) -> EvaluationReport:
    """The evaluation report's figures for ``plan`` as of ``as_of`` (default: today)."""
    as_of = as_of or timezone.localdate()
    period = reference_period(plan, as_of=as_of)
    chapters: dict[int | None, ChapterBlock] = {}
    units: dict[int, tuple[str, int]] = {}
    lead_ids: dict[int, tuple[int, ...]] = {}
    sections: dict[int, Section] = {}
    reference_reads = None
    if period is not None:
        reads = reference_reads = read_period(period, today=as_of)
        units, sections = reads.units, reads.sections
        states = reads.states
        tasks = dict(Task.objects.filter(plan=plan).values_list("pk", "text"))
        words = _latest_words(list(states), as_of=as_of)
        for task_id, state in states.items():
            chapter_id = state.chapter_id if state.chapter_id in sections else None
            block = chapters.get(chapter_id)
            if block is None:
                heading = _chapter_heading(chapter_id, sections)
                block = chapters[chapter_id] = ChapterBlock(heading)
            text, from_period, from_unit = words.get(task_id, ("", "", ""))
            lead_ids[task_id] = state.lead_unit_ids
            block.rows.append(
                TaskRow(
                    task_id=task_id,
                    number=state.number,
                    chapter=block.heading,
                    text=tasks.get(task_id, ""),
                    lead_units="、".join(units.get(pk, ("", 0))[0] for pk in state.lead_unit_ids),
                    deadline=state.deadline,
                    binding=state.binding,
                    state_label=_state_label(state),
                    light=state.light,
                    light_label=state.light_label,
                    light_reason=state.light_reason,
                    latest_words=text,
                    latest_from=f"{from_period} {from_unit}".strip(),
                    is_completed=state.is_completed,
                )
            )
    # Chapters in the plan's order ("未分章节" last).
    ordered = [
        chapters[pk]
        for pk in sorted(chapters, key=lambda pk: (pk is None, sections[pk].position if pk is not None else 0, pk or 0))
    ]
    periods = evaluated_periods(plan, as_of=as_of)
    records: dict[int, UnitRecord] = {}
    for each in periods:
        same = reference_reads is not None and period is not None and each.pk == period.pk
        for row in lead_unit_rows(reference_reads) if same else lead_unit_record(each):
            record = records.get(row.unit_id)
            if record is None:
                record = records[row.unit_id] = UnitRecord(row.unit_id, row.name, row.sort_order)
            record.periods[each.pk] = UnitCounts(row.due, row.on_time, row.late, row.not_submitted, row.silent)
    return EvaluationReport(
        plan=plan,
        as_of=as_of,
        kind=report_kind(plan, as_of=as_of),
        period=period,
        years=plan_years(plan, as_of=as_of),
        indicators=_indicator_rows(plan, as_of=as_of, units=units, lead_ids=lead_ids),
        chapters=ordered,
        periods=periods,
        units=sorted(records.values(), key=lambda r: (r.sort_order, r.name, r.unit_id)),
        generated_at=timezone.now(),
        state_labels=_state_labels(),
    )
