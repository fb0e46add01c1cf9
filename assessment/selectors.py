"""Reads for the annual assessment: the inputs of :func:`assessment.compute.compute` for one plan
and year, in a fixed number of queries whatever the plan's size, and what each actor may see.

Where each input comes from (each rule read from its one place):

- the units and their role on each task: the primary rows of the effective-assignment table
  (:class:`tasks.models.EffectiveAssignment`: lead wins over supporting), active units only;
- each task's standing (closed, percent, 滞后) and each unit's reports delivered on time, late or
  not at all: :func:`dashboard.selectors.overview.read_period` and its ``lead_unit_rows`` (as
  ``period_standing``) for the year's last period (the annual summary, which gives the tasks'
  standing and which tasks have a delivered lead report to score) and
  :func:`dashboard.selectors.overview.period_report_counts` (the same lead cells and counts,
  without the tasks' states) for its earlier periods (the board's and the dashboard's definitions
  of delivered and late, from :mod:`progress.workflow`); a report not delivered counts as missing
  only once its period's due date has passed;
- the targets: :func:`indicators.selectors.actual_series` (the plan's actuals, selected by the plan
  in SQL) evaluated by :func:`indicators.trajectory.evaluate` (the one rule of "is a target met"
  and of the trajectory), as of the assessment year.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from access.actor import Actor
from access.rules.assessment import visible_states
from assessment.compute import AdjustmentInput, TargetInput, TaskInput, UnitInput
from assessment.models import Adjustment, Assessment, RuleSet
from assessment.rules import XINGPING_RULES, Rules, rules_from_data
from dashboard.selectors.overview import lead_unit_rows, period_report_counts, read_period
from departments.models import Department
from progress.models import ReviewPeriod
from progress.states import DELIVERED_STATES, RED
from tasks.models import AssignmentRole, EffectiveAssignment, Plan, Target, TargetDirection, Task
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

SUMMARY_CHARS = 30


def plan_years(plan: Plan) -> tuple[int, int] | None:
    """The plan period's first and last year (None when the plan states no period)."""
    if plan.period_start is None or plan.period_end is None:
        return None
    return plan.period_start.year, plan.period_end.year


def check_year(plan: Plan, year: int) -> None:
    """Raise a Chinese INVALID error when ``year`` is outside the plan period."""
    years = plan_years(plan)
    if years is None:
        raise ApplicationError(
            ErrorCode.INVALID, "该方案未设定规划期起止日期，请先在方案中填写规划期，再进行年度考核。"
        )
    first, last = years
    if not first <= year <= last:
        raise ApplicationError(
            ErrorCode.INVALID,
            f"考核年度应在规划期{first}—{last}年内，收到{year}年。",
            extra={"field": "year"},
        )


def plan_rules(plan: Plan) -> Rules:
    """The plan's stored rules, or 兴平's defaults."""
    stored = RuleSet.objects.filter(plan=plan).values_list("data", flat=True).first()
    return rules_from_data(stored) if stored else XINGPING_RULES


def year_periods(plan: Plan, year: int) -> list[ReviewPeriod]:
    """The plan's review periods ending in ``year``, in order (the last one closes the year)."""
    return list(ReviewPeriod.objects.filter(plan=plan, ends_on__year=year).order_by("ends_on", "starts_on", "pk"))


def _target_inputs(plan: Plan, year: int) -> dict[int, list[TargetInput]]:
    """Each task's targets (by task id) with their evaluation as of ``year``."""
    from indicators.selectors import SPEC_FIELDS, actual_series, target_spec
    from indicators.trajectory import Reading, TrajectoryStatus, completion_rate, evaluate

    plan_targets = Target.objects.filter(task__plan=plan)
    target_row = namedtuple("target_row", ("pk", "task_id", "source_text", "indicator", *SPEC_FIELDS))
    ordered = plan_targets.order_by("task_id", "position", "pk")  # tuples, not 7,000 model instances
    targets = [target_row(*values) for values in ordered.values_list(*target_row._fields)]
    if not targets:
        return {}
    # The plan's actuals selected by the plan's targets in SQL, not by a list of thousands of ids.
    series = actual_series([t.pk for t in targets], within=plan_targets)
    years = plan_years(plan) or (None, None)
    by_task: dict[int, list[TargetInput]] = {}
    status_labels = dict(TrajectoryStatus.choices)  # not evaluation.status_label: an enum call per target
    for target in targets:
        spec = target_spec(target, years=years)
        evaluation = evaluate(spec, series[target.pk], as_of_year=year)
        rate = evaluation.completion
        explanation = evaluation.explanation
        latest = evaluation.latest
        if (
            latest is not None
            and evaluation.achieved is not None
            and evaluation.expected is not None
            and spec.year is not None
            and latest.year < spec.year
            and evaluation.met is not True
        ):
            # Before the target year a year is scored against that year's point of the trajectory.
            yearly = completion_rate(
                replace(spec, value=evaluation.expected, value_max=None),
                Reading(year=latest.year, value=evaluation.achieved, data_date=latest.data_date),
            )
            if yearly is not None:
                rate = yearly
                explanation += f"对照{latest.year}年进度要求计完成率；"
        years_early = 0
        if evaluation.status == TrajectoryStatus.AHEAD and latest is not None and spec.year is not None:
            years_early = max(spec.year - latest.year, 0)
        by_task.setdefault(target.task_id, []).append(
            TargetInput(
                target_id=target.pk,
                label=(target.source_text or target.indicator)[:60],
                control=target.direction == TargetDirection.AT_MOST,
                status=str(evaluation.status),
                status_label=status_labels.get(evaluation.status, str(evaluation.status)),
                met=evaluation.met,
                rate=rate,
                explanation=explanation,
                years_early=years_early,
            )
        )
    return by_task


def assessment_inputs(plan: Plan, year: int, *, today: dt.date | None = None) -> list[UnitInput]:
    """Every active unit named on the plan's tasks with its tasks, reports and targets for ``year``."""
    check_year(plan, year)
    today = today or timezone.localdate()
    periods = year_periods(plan, year)
    if not periods:
        raise ApplicationError(
            ErrorCode.INVALID, f"{year}年没有填报期，无法计算年度考核。请先在“填报期”中生成该年度的填报期。"
        )
    late: dict[int, list[tuple[str, int]]] = {}
    missing: dict[int, list[tuple[str, int]]] = {}
    # Every task's standing only in the year's last period, which closes the year; the earlier
    # periods are read for their lead units' report counts only.
    reads = read_period(periods[-1], today=today)
    states, last_rows = reads.states, lead_unit_rows(reads)
    # A task's progress is scored when a lead report of the last period reached the plan office (with
    # several lead units, one is enough: the task's percent is then the lowest delivered one).
    reported = {task_id for task_id, _unit, status, _on_time, _released in reads.lead_cells if status in DELIVERED_STATES}
    for period in periods:
        rows = last_rows if period is periods[-1] else period_report_counts(period).values()
        past_due = today > period.report_due_on
        for row in rows:
            late.setdefault(row.unit_id, []).append((period.name, row.late))
            missing.setdefault(row.unit_id, []).append((period.name, row.not_submitted if past_due else 0))
    tasks = {
        pk: (number, kind, binding, incentive, text)
        for pk, number, kind, binding, incentive, text in Task.objects.filter(plan=plan).values_list(
            # One character more than the summary shows: enough to know whether the text is longer.
            "pk",
            "number",
            "kind",
            "binding",
            "incentive",
            Substr("text", 1, SUMMARY_CHARS + 1),
        )
    }
    targets = _target_inputs(plan, year)
    units = {
        pk: (name, order)
        for pk, name, order in Department.objects.filter(is_active=True).values_list("pk", "name", "sort_order")
    }
    cells = EffectiveAssignment.objects.filter(task__plan=plan, is_primary=True).values_list(
        "task_id", "department_id", "role"
    )
    per_unit: dict[int, list[TaskInput]] = {}
    made: dict[tuple[int, str], TaskInput] = {}
    for task_id, unit_id, role in cells:
        if unit_id not in units:
            continue
        task_input = made.get((task_id, role))
        if task_input is None:
            number, kind, binding, incentive, text = tasks[task_id]
            state = states.get(task_id)
            summary = text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "…"
            task_input = made[(task_id, role)] = TaskInput(
                task_id=task_id,
                number=number,
                kind=kind,
                summary=summary,
                role=AssignmentRole.LEAD if role == AssignmentRole.LEAD else AssignmentRole.SUPPORTING,
                binding=bool(binding),
                incentive=bool(incentive),
                closed=bool(state and state.is_completed),
                percent=state.percent if state else None,
                delivered=task_id in reported,
                delayed=bool(state and state.light == RED),
                delay_reason=state.light_reason if state and state.light == RED else "",
                targets=tuple(targets.get(task_id, ())),
            )
        per_unit.setdefault(unit_id, []).append(task_input)
    return [
        UnitInput(
            unit_id=unit_id,
            name=units[unit_id][0],
            sort_order=units[unit_id][1],
            tasks=tuple(task_list),
            late_reports=tuple(late.get(unit_id, ())),
            missing_reports=tuple(missing.get(unit_id, ())),
        )
        for unit_id, task_list in per_unit.items()
    ]


def adjustment_inputs(assessment: Assessment) -> list[AdjustmentInput]:
    rows = (
        Adjustment.objects.filter(assessment=assessment)
        .order_by("created_at", "pk")
        .values_list("department_id", "delta", "reason", "created_by__username", "created_at")
    )
    return [
        AdjustmentInput(
            unit_id=unit_id,
            delta=Decimal(delta),
            reason=reason,
            by=f"{who or ''} {timezone.localtime(at):%Y-%m-%d %H:%M}".strip(),
        )
        for unit_id, delta, reason, who, at in rows
    ]


def assessments_visible_to(actor: Actor) -> QuerySet[Assessment]:
    """The assessments ``actor`` may open (see :func:`access.rules.assessment.visible_states`)."""
    states = visible_states(actor)
    return Assessment.objects.filter(state__in=states).select_related("plan").order_by("-year", "plan_id")


class AssessmentView:
    """What one actor reads of one assessment: the stored results in its scope (the ranking, or the
    unit's own result), the adjustments of those units, in rank order. The page, the API and the
    Excel export all render this, so they agree."""

    def __init__(self, assessment: Assessment, *, unit_id: int | None) -> None:
        from assessment.models import UnitResult

        self.assessment = assessment
        self.unit_id = unit_id  # None: every unit (the ranking)
        results = UnitResult.objects.filter(assessment=assessment).select_related("department")
        adjustments = Adjustment.objects.filter(assessment=assessment).select_related("department", "created_by")
        if unit_id is not None:
            results = results.filter(department_id=unit_id)
            adjustments = adjustments.filter(department_id=unit_id)
        self.results = sorted(
            results, key=lambda r: (r.rank is None, r.rank or 0, r.department.sort_order, r.department.name)
        )
        self.adjustments = list(adjustments.order_by("created_at", "pk"))

    @property
    def is_ranking(self) -> bool:
        return self.unit_id is None


def assessment_view(assessment: Assessment, *, actor: Actor) -> AssessmentView:
    """The assessment as ``actor`` may read it (raises NOT_FOUND when not at all)."""
    from access.rules import result_scope

    return AssessmentView(assessment, unit_id=result_scope(actor, state=assessment.state))


def get_assessment(pk: Any, *, actor: Actor) -> Assessment:
    """The assessment ``pk`` when ``actor`` may open it, else NOT_FOUND (as if it did not exist)."""
    if not str(pk).isdecimal():
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该年度考核，或您无权查看。")
    found = assessments_visible_to(actor).filter(pk=int(pk)).first()
    if found is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该年度考核，或您无权查看。")
    return found
