"""The assessment of the 兴平 plan, end to end: veto by each binding indicator, bonus for a vision
target, adjustments, finalisation, later corrections as differences, years outside the plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from assessment.models import Adjustment, Assessment, AssessmentState, UnitResult
from assessment.selectors import assessment_inputs
from assessment.services import adjust, compute_draft, differences, finalise, publish
from assessment.tests.conftest import periods_of
from indicators.models import OfficialActual
from tasks.models import TargetDirection
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)
BINDING = (29, 30, 31, 32, 33, 34, 43)
VISION = (45, 46, 47, 48)


def enter(target, *, year, value, who=None):
    return OfficialActual.objects.update_or_create(
        target=target,
        year=year,
        defaults={
            "value": Decimal(value),
            "data_date": dt.date(year, 12, 31),
            "reason": "统计公报",
            "entered_by": who,
            "entered_at": timezone.now(),
        },
    )[0]


def missing(target) -> Decimal:
    """A value that misses the target in its direction."""
    if target.direction == TargetDirection.AT_MOST:
        return (target.value_max or target.value) + 10
    return target.value / 2


def meeting(target) -> Decimal:
    if target.direction == TargetDirection.AT_MOST:
        return target.value - 1
    return target.value * Decimal("1.1")


def result(assessment, department) -> UnitResult:
    return UnitResult.objects.get(assessment=assessment, department=department)


def test_the_xingping_binding_and_vision_tasks_are_as_the_plan_says(xingping):
    assert sorted(n for n, t in xingping.tasks.items() if t.binding) == list(BINDING)
    assert sorted(n for n, t in xingping.tasks.items() if t.incentive) == [45, 46, 47, 48, 49]


@pytest.mark.parametrize("number", BINDING)
def test_each_binding_indicator_missed_vetoes_its_responsible_unit(xingping, number):
    periods_of(xingping.plan, 2025)
    task = xingping.tasks[number]
    lead = task.assignments.get(role="lead").department
    for binding in BINDING:  # every other binding indicator met: only this one vetoes
        for target in xingping.tasks[binding].targets.all():
            enter(target, year=2025, value=missing(target) if binding == number else meeting(target))
    assessment = compute_draft(plan_id=xingping.plan.pk, year=2025, user=xingping.plan_office, today=TODAY)
    vetoed = UnitResult.objects.filter(assessment=assessment, veto=True)
    assert {r.department_id for r in vetoed} == {lead.pk}
    mine = result(assessment, lead)
    [target] = task.targets.all()
    assert mine.veto_reason.startswith(f"任务{number} {target.source_text}：")
    assert "未完成" in mine.veto_reason and mine.veto_reason.endswith("一票否优")
    assert mine.grade != "excellent"
    assert any(line["category"] == "veto" for line in mine.lines)


def test_the_issue_example_reads_as_written(xingping):
    periods_of(xingping.plan, 2025)
    [target] = xingping.tasks[29].targets.all()
    enter(target, year=2025, value="9.8")
    assessment = compute_draft(plan_id=xingping.plan.pk, year=2025, user=xingping.plan_office, today=TODAY)
    reason = result(assessment, xingping.fagai).veto_reason
    assert reason.startswith("任务29 单位GDP能耗累计降低12.5%：2025年实际累计降低9.8%")
    assert "未完成" in reason and reason.endswith("，一票否优")


def test_vision_targets_reached_early_earn_capped_bonus_and_outstanding_is_excellent(xingping):
    [rd] = xingping.tasks[46].targets.all()  # 研发经费支出占比达到2%以上（2035年）
    enter(rd, year=2024, value="2.3")
    assessment = compute_draft(plan_id=xingping.plan.pk, year=2024, user=xingping.plan_office, today=TODAY)
    fagai = result(assessment, xingping.fagai)
    assert fagai.bonus == Decimal("2.00") and fagai.outstanding
    assert fagai.grade == "excellent"  # reached 11 years early: straight to 优秀, no veto
    texts = [line["text"] for line in fagai.lines]
    assert any(t.startswith("远景目标提前11年实现：任务46 ") and t.endswith("加2分") for t in texts)
    assert any("特别突出" in t for t in texts)

    for number in VISION:  # four targets reached early: 8 points, capped at 5
        for target in xingping.tasks[number].targets.all():
            enter(target, year=2024, value=meeting(target))
    assessment = compute_draft(plan_id=xingping.plan.pk, year=2024, user=xingping.plan_office, today=TODAY)
    fagai = result(assessment, xingping.fagai)
    assert fagai.bonus == Decimal("5.00")
    assert any("超过上限，按5分加" in line["text"] for line in fagai.lines)

    # A binding indicator of the same unit behind its trajectory: vetoed, no longer 优秀.
    [energy] = xingping.tasks[29].targets.all()
    enter(energy, year=2024, value="2")
    assessment = compute_draft(plan_id=xingping.plan.pk, year=2024, user=xingping.plan_office, today=TODAY)
    fagai = result(assessment, xingping.fagai)
    assert fagai.veto and fagai.grade != "excellent" and "任务29" in fagai.veto_reason


def test_missing_reports_are_deducted_and_capped(xingping):
    assessment = compute_draft(plan_id=xingping.plan.pk, year=2024, user=xingping.plan_office, today=TODAY)
    fagai = result(assessment, xingping.fagai)
    assert fagai.deduction == Decimal("5.00")  # leads dozens of tasks, reported none: capped
    assert any("未报送" in line["text"] for line in fagai.lines)
    assert any("超过上限，按5分扣" in line["text"] for line in fagai.lines)
    # Before the second period's due date its reports are not yet missing.
    early = compute_draft(plan_id=xingping.plan.pk, year=2024, user=xingping.plan_office, today=dt.date(2025, 1, 5))
    texts = [line["text"] for line in result(early, xingping.fagai).lines]
    assert not any(t.startswith("2024年下半年未报送") for t in texts)
    assert any(t.startswith("2024年上半年未报送") for t in texts)


def test_an_adjustment_needs_a_reason_and_is_kept_in_the_history(xingping):
    assessment = compute_draft(plan_id=xingping.plan.pk, year=2024, user=xingping.plan_office, today=TODAY)
    before = result(assessment, xingping.fagai).score
    with pytest.raises(ApplicationError) as caught:
        adjust(
            assessment_id=assessment.pk,
            department_id=xingping.fagai.pk,
            delta="3",
            reason="  ",
            user=xingping.plan_office,
        )
    assert caught.value.message == "调整分数必须写明理由。"
    with pytest.raises(ApplicationError) as caught:
        adjust(
            assessment_id=assessment.pk,
            department_id=xingping.fagai.pk,
            delta="三",
            reason="x",
            user=xingping.plan_office,
        )
    assert "调整分值应为数字" in caught.value.message
    with pytest.raises(ApplicationError) as caught:
        adjust(
            assessment_id=assessment.pk, department_id=xingping.fagai.pk, delta="3", reason="x", user=xingping.leader
        )
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    assert not Adjustment.objects.exists()

    adjust(
        assessment_id=assessment.pk,
        department_id=xingping.fagai.pk,
        delta="3",
        reason="牵头完成规划中期评估",
        user=xingping.plan_office,
        today=TODAY,
    )
    adjust(
        assessment_id=assessment.pk,
        department_id=xingping.fagai.pk,
        delta="-1",
        reason="材料报送质量不高",
        user=xingping.plan_office,
        today=TODAY,
    )
    after = result(assessment, xingping.fagai)
    assert after.score == before + 2 and after.adjustment == Decimal("2.00")
    adjustments = [line["text"] for line in after.lines if line["category"] == "adjustment"]
    assert len(adjustments) == 2 and "牵头完成规划中期评估" in adjustments[0] and "材料报送质量不高" in adjustments[1]
    assert list(Adjustment.objects.values_list("delta", "reason")) == [
        (Decimal("3.00"), "牵头完成规划中期评估"),
        (Decimal("-1.00"), "材料报送质量不高"),
    ]
    # Recomputing the draft keeps the adjustments.
    compute_draft(plan_id=xingping.plan.pk, year=2024, user=xingping.plan_office, today=TODAY)
    assert result(assessment, xingping.fagai).adjustment == Decimal("2.00")


def test_finalisation_freezes_and_a_later_correction_shows_as_a_difference(xingping):
    [rd] = xingping.tasks[46].targets.all()
    actual = enter(rd, year=2024, value="2.3")
    assessment = compute_draft(plan_id=xingping.plan.pk, year=2024, user=xingping.plan_office, today=TODAY)
    assessment = finalise(assessment_id=assessment.pk, user=xingping.plan_office)
    assert assessment.state == AssessmentState.FINALISED
    frozen = {
        r.department_id: (r.score, r.grade, r.bonus, r.lines) for r in UnitResult.objects.filter(assessment=assessment)
    }
    assert differences(assessment, today=TODAY) == []

    with pytest.raises(ApplicationError) as caught:
        adjust(
            assessment_id=assessment.pk,
            department_id=xingping.fagai.pk,
            delta="1",
            reason="补记",
            user=xingping.plan_office,
        )
    assert caught.value.code == ErrorCode.ILLEGAL_TRANSITION
    assert "已定稿" in caught.value.message and "不能调整分数" in caught.value.message
    with pytest.raises(ApplicationError) as caught:
        compute_draft(plan_id=xingping.plan.pk, year=2024, user=xingping.plan_office, today=TODAY)
    assert caught.value.code == ErrorCode.ILLEGAL_TRANSITION
    assert not Adjustment.objects.exists()

    # The statistics office corrects the actual: the frozen result stays, the difference shows.
    actual.value = Decimal("1.2")
    actual.save()
    after = {
        r.department_id: (r.score, r.grade, r.bonus, r.lines) for r in UnitResult.objects.filter(assessment=assessment)
    }
    assert after == frozen
    [difference] = differences(assessment, today=TODAY)
    assert difference.department_id == xingping.fagai.pk
    assert difference.frozen_score == frozen[xingping.fagai.pk][0]
    assert difference.live_score == frozen[xingping.fagai.pk][0] - 2
    assert difference.frozen_grade == "优秀" and difference.live_grade != "优秀"
    assert "得分：定稿" in difference.text

    publish(assessment_id=assessment.pk, user=xingping.plan_office)
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.PUBLISHED and assessment.published_at
    with pytest.raises(ApplicationError) as caught:
        publish(assessment_id=assessment.pk, user=xingping.plan_office)
    assert caught.value.code == ErrorCode.ILLEGAL_TRANSITION


def test_a_year_outside_the_plan_is_refused_and_nothing_written(xingping):
    for year in (2020, 2026, 2035):
        with pytest.raises(ApplicationError) as caught:
            compute_draft(plan_id=xingping.plan.pk, year=year, user=xingping.plan_office)
        assert caught.value.code == ErrorCode.INVALID
        assert caught.value.message == f"考核年度应在规划期2021—2025年内，收到{year}年。"
    with pytest.raises(ApplicationError) as caught:
        compute_draft(plan_id=xingping.plan.pk, year=2023, user=xingping.plan_office)
    assert "2023年没有填报期" in caught.value.message
    assert not Assessment.objects.exists()


def test_the_inputs_are_read_in_bounded_queries(xingping, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        units = assessment_inputs(xingping.plan, 2024, today=TODAY)
    assert len(units) > 50
    led = {t.number for u in units if u.unit_id == xingping.fagai.pk for t in u.tasks if t.role == "lead"}
    assert {29, 45, 46, 210} <= led


def test_the_stored_lines_keep_chinese_text_and_are_inserted_as_values_rows(xingping):
    """The explanation lines are stored as characters (not \\uXXXX escapes) and the draft's rows are
    inserted as one multi-row VALUES statement, not through UNNEST of arrays (see
    xingping_tracker.core.json)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assessment = compute_draft(plan_id=xingping.plan.pk, year=2024, user=xingping.plan_office, today=TODAY)
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('INSERT INTO "assessment_unitresult"')]
    assert len(inserts) == 1
    assert "UNNEST" not in inserts[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CAST(lines AS TEXT) FROM assessment_unitresult WHERE assessment_id = %s AND department_id = %s",
            [assessment.pk, xingping.fagai.pk],
        )
        (stored,) = cursor.fetchone()
    assert "任务29" in stored
    assert "\\u" not in stored
    assert result(assessment, xingping.fagai).lines[0]["text"].startswith("任务")
