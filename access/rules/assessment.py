"""The annual assessment (目标责任制考核): the plan office computes, adjusts, finalises and
publishes it; leadership reads the ranking once finalised; a unit reads its own result once
finalised and the whole ranking once published; drafts are the plan office's only. To anyone else
an assessment does not exist (404)."""

from __future__ import annotations

from access.actor import Actor
from access.rules._errors import denied, not_found

DRAFT, FINALISED, PUBLISHED = "draft", "finalised", "published"  # assessment.models.AssessmentState values
MANAGE_REFUSAL = "只有规划科可以计算、调整、定稿和公布年度考核。"
NOT_FOUND = "找不到该年度考核，或您无权查看。"


def can_manage_assessment(actor: Actor) -> bool:
    return actor.is_reviewer


def check_can_manage_assessment(actor: Actor) -> None:
    if not can_manage_assessment(actor):
        raise denied(MANAGE_REFUSAL)


def visible_states(actor: Actor) -> tuple[str, ...]:
    """The assessment states ``actor`` may open (empty: none)."""
    if actor.is_reviewer:
        return (DRAFT, FINALISED, PUBLISHED)
    if actor.sees_everything or actor.is_unit_staff:
        return (FINALISED, PUBLISHED)
    return ()


def check_can_view_assessments(actor: Actor) -> None:
    """The assessment pages exist for the plan office, leadership and unit staff."""
    if not visible_states(actor):
        raise not_found(NOT_FOUND)


def result_scope(actor: Actor, *, state: str) -> int | None:
    """Which results of an assessment in ``state`` ``actor`` reads: None for every unit (the
    ranking), a unit id for that unit's own only; raises NOT_FOUND when none."""
    if state not in visible_states(actor):
        raise not_found(NOT_FOUND)
    if actor.sees_everything:
        return None
    if state == PUBLISHED:
        return None
    assert actor.department_id is not None
    return actor.department_id
