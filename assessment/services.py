"""Writes of the annual assessment: compute (or recompute) a draft, adjust a unit's score with a
written reason, finalise (freeze), publish; and a plan's rules. Each is one transaction: a refusal
(Chinese message) writes nothing.

A finalised assessment is frozen: its results are never recomputed. A later correction of an
actual shows as a difference (:func:`differences`: a live recompute beside the frozen results).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from access.actor import actor_for
from access.rules import check_can_manage_assessment
from assessment.compute import UnitOutcome, compute, plain
from assessment.models import Adjustment, Assessment, AssessmentState, RuleSet, UnitResult
from assessment.rules import Rules, rules_from_data
from assessment.selectors import adjustment_inputs, assessment_inputs, check_year, plan_rules
from tasks.models import Plan
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode
from xingping_tracker.core.text import clean_text

MAX_ADJUSTMENT = Decimal(100)
REASON_MAX = 2000

# Allowed moves: action → (from states, to state, Chinese name).
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "compute": (frozenset({AssessmentState.DRAFT}), AssessmentState.DRAFT, "重新计算"),
    "adjust": (frozenset({AssessmentState.DRAFT}), AssessmentState.DRAFT, "调整分数"),
    "finalise": (frozenset({AssessmentState.DRAFT}), AssessmentState.FINALISED, "定稿"),
    "publish": (frozenset({AssessmentState.FINALISED}), AssessmentState.PUBLISHED, "公布"),
}


def check_transition(action: str, current: str) -> str:
    sources, target, name = TRANSITIONS[action]
    if current not in sources:
        label = AssessmentState(current).label
        hint = "定稿后的考核结果已冻结，不能再调整或重新计算。" if current != AssessmentState.DRAFT else ""
        raise ApplicationError(
            ErrorCode.ILLEGAL_TRANSITION,
            f"该年度考核当前为“{label}”，不能{name}。{hint}",
            extra={"current_state": current, "action": action},
        )
    return target


def _rules_of(assessment: Assessment) -> Rules:
    return rules_from_data(assessment.rules) if assessment.rules else plan_rules(assessment.plan)


def outcomes_for(
    assessment: Assessment, *, today: dt.date | None = None, rules: Rules | None = None
) -> list[UnitOutcome]:
    """The assessment computed live from today's records (with its adjustments)."""
    rules = rules or _rules_of(assessment)
    units = assessment_inputs(assessment.plan, assessment.year, today=today)
    return compute(year=assessment.year, rules=rules, units=units, adjustments=adjustment_inputs(assessment))


def _lines_data(outcome: UnitOutcome) -> list[dict[str, Any]]:
    return [
        {"category": line.category, "text": line.text, "points": None if line.points is None else str(line.points)}
        for line in outcome.lines
    ]


def _store(assessment: Assessment, outcomes: list[UnitOutcome]) -> None:
    UnitResult.objects.filter(assessment=assessment).delete()
    UnitResult.objects.bulk_create(
        [
            UnitResult(
                assessment=assessment,
                department_id=o.unit_id,
                rank=o.rank,
                led=o.led,
                supported=o.supported,
                completion=o.completion,
                base_score=o.base_score,
                deduction=o.deduction,
                bonus=o.bonus,
                adjustment=o.adjustment,
                score=o.score,
                grade=o.grade,
                veto=o.veto,
                veto_reason="；".join(o.veto_causes),
                outstanding=o.outstanding,
                lines=_lines_data(o),
            )
            for o in outcomes
        ],
        batch_size=500,
    )


def _locked(assessment_id: int) -> Assessment:
    assessment = Assessment.objects.select_for_update().select_related("plan").filter(pk=assessment_id).first()
    if assessment is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该年度考核。")
    return assessment


def parse_year(raw: Any) -> int:
    text = str(raw if raw is not None else "").strip()
    if not text.isdecimal() or len(text) != 4:
        raise ApplicationError(
            ErrorCode.INVALID, f"考核年度应为四位年份，如2024，收到“{text}”。", extra={"field": "year"}
        )
    return int(text)


@transaction.atomic
def compute_draft(*, plan_id: int, year: int, user: Any, today: dt.date | None = None) -> Assessment:
    """Compute (or recompute) the draft assessment of ``plan_id`` for ``year``; its adjustments are kept."""
    check_can_manage_assessment(actor_for(user))
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该方案。")
    check_year(plan, year)
    assessment, _ = Assessment.objects.get_or_create(plan=plan, year=year)
    assessment = _locked(assessment.pk)
    check_transition("compute", assessment.state)
    rules = plan_rules(plan)
    outcomes = outcomes_for(assessment, today=today, rules=rules)
    _store(assessment, outcomes)
    assessment.rules = rules.to_data()
    assessment.computed_at = timezone.now()
    assessment.computed_by = user
    assessment.save(update_fields=["rules", "computed_at", "computed_by"])
    return assessment


def parse_delta(raw: Any) -> Decimal:
    text = str(raw if raw is not None else "").strip().replace("＋", "+").replace("－", "-")
    try:
        delta = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ApplicationError(
            ErrorCode.INVALID, f"调整分值应为数字（如 -2 或 1.5），收到“{text}”。", extra={"field": "delta"}
        ) from None
    if not delta.is_finite() or delta == 0:
        raise ApplicationError(ErrorCode.INVALID, "调整分值应为不等于0的数字。", extra={"field": "delta"})
    if abs(delta) > MAX_ADJUSTMENT or delta != delta.quantize(Decimal("0.01")):
        raise ApplicationError(
            ErrorCode.INVALID, "调整分值应在 -100 到 100 之间，最多两位小数。", extra={"field": "delta"}
        )
    return delta


@transaction.atomic
def adjust(
    *, assessment_id: int, department_id: int, delta: Any, reason: str, user: Any, today: dt.date | None = None
) -> Adjustment:
    """Adjust one unit's score of a draft by ``delta`` with a written reason; the draft is recomputed."""
    check_can_manage_assessment(actor_for(user))
    assessment = _locked(assessment_id)
    check_transition("adjust", assessment.state)
    amount = parse_delta(delta)
    reason = clean_text(str(reason or "")).strip()
    if not reason:
        raise ApplicationError(ErrorCode.COMMENT_REQUIRED, "调整分数必须写明理由。", extra={"field": "reason"})
    if len(reason) > REASON_MAX:
        raise ApplicationError(ErrorCode.INVALID, f"理由不能超过{REASON_MAX}字。", extra={"field": "reason"})
    if not UnitResult.objects.filter(assessment=assessment, department_id=department_id).exists():
        raise ApplicationError(
            ErrorCode.INVALID, "该单位不在本年度考核中，请从考核结果表中选择单位。", extra={"field": "department"}
        )
    adjustment = Adjustment.objects.create(
        assessment=assessment, department_id=department_id, delta=amount, reason=reason, created_by=user
    )
    rules = _rules_of(assessment)
    _store(assessment, outcomes_for(assessment, today=today, rules=rules))
    assessment.computed_at = timezone.now()
    assessment.computed_by = user
    assessment.save(update_fields=["computed_at", "computed_by"])
    return adjustment


@transaction.atomic
def finalise(*, assessment_id: int, user: Any) -> Assessment:
    """Freeze the draft: its results are kept as they are; later changes show as differences only."""
    check_can_manage_assessment(actor_for(user))
    assessment = _locked(assessment_id)
    assessment.state = check_transition("finalise", assessment.state)
    if not UnitResult.objects.filter(assessment=assessment).exists():
        raise ApplicationError(ErrorCode.INVALID, "考核结果为空，请先计算草稿再定稿。")
    assessment.finalised_at = timezone.now()
    assessment.finalised_by = user
    assessment.save(update_fields=["state", "finalised_at", "finalised_by"])
    return assessment


@transaction.atomic
def publish(*, assessment_id: int, user: Any) -> Assessment:
    """Publish a finalised assessment: every unit then sees the ranking."""
    check_can_manage_assessment(actor_for(user))
    assessment = _locked(assessment_id)
    assessment.state = check_transition("publish", assessment.state)
    assessment.published_at = timezone.now()
    assessment.published_by = user
    assessment.save(update_fields=["state", "published_at", "published_by"])
    return assessment


@transaction.atomic
def save_rules(*, plan_id: int, data: dict[str, Any], user: Any) -> RuleSet:
    """Store a plan's rules (missing keys keep 兴平's defaults); invalid rules write nothing."""
    check_can_manage_assessment(actor_for(user))
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该方案。")
    rules = rules_from_data(data)
    rule_set, _ = RuleSet.objects.update_or_create(plan=plan, defaults={"data": rules.to_data(), "updated_by": user})
    return rule_set


@dataclass(frozen=True)
class Difference:
    """A unit whose live result differs from the frozen one."""

    department_id: int
    name: str
    frozen_score: Decimal | None
    live_score: Decimal | None
    frozen_grade: str
    live_grade: str
    frozen_veto: bool
    live_veto: bool
    changed_lines: tuple[str, ...]  # lines of the live computation not in the frozen one

    @property
    def text(self) -> str:
        parts = []
        if self.frozen_score != self.live_score:
            parts.append(f"得分：定稿{plain(self.frozen_score) or '—'}，按现有数据{plain(self.live_score) or '—'}")
        if self.frozen_grade != self.live_grade:
            parts.append(f"等次：定稿{self.frozen_grade}，按现有数据{self.live_grade}")
        if self.frozen_veto != self.live_veto:
            parts.append(
                f"一票否优：定稿{'是' if self.frozen_veto else '否'}，按现有数据{'是' if self.live_veto else '否'}"
            )
        return "；".join(parts) or "计算说明有变化"


def differences(assessment: Assessment, *, today: dt.date | None = None) -> list[Difference]:
    """For a finalised or published assessment: the units whose result computed from today's records
    (same rules, same adjustments) differs from the frozen one. The frozen results are not touched."""
    if assessment.state == AssessmentState.DRAFT:
        return []
    from assessment.compute import GRADE_LABELS, NOT_GRADED_LABEL

    live = {o.unit_id: o for o in outcomes_for(assessment, today=today)}
    frozen = list(UnitResult.objects.filter(assessment=assessment).select_related("department"))
    found = []
    for result in frozen:
        outcome = live.get(result.department_id)
        live_lines = [line.text for line in outcome.lines] if outcome else []
        frozen_lines = {line["text"] for line in result.lines}
        changed = tuple(text for text in live_lines if text not in frozen_lines)
        live_score = outcome.score if outcome else None
        live_grade = GRADE_LABELS.get(outcome.grade, NOT_GRADED_LABEL) if outcome else NOT_GRADED_LABEL
        frozen_grade = GRADE_LABELS.get(result.grade, NOT_GRADED_LABEL)
        live_veto = outcome.veto if outcome else False
        if live_score != result.score or live_grade != frozen_grade or live_veto != result.veto or changed:
            found.append(
                Difference(
                    department_id=result.department_id,
                    name=result.department.name,
                    frozen_score=result.score,
                    live_score=live_score,
                    frozen_grade=frozen_grade,
                    live_grade=live_grade,
                    frozen_veto=result.veto,
                    live_veto=live_veto,
                    changed_lines=changed,
                )
            )
    return found
