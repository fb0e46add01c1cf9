"""The pure computation: formulas, caps, veto, bonus, grades, adjustments, each explained."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from assessment.compute import AdjustmentInput, TargetInput, TaskInput, UnitInput, compute, target_factor
from assessment.rules import EXCELLENT, FAIR, GOOD, POOR, QUOTA, XINGPING_RULES

D = Decimal
RULES = XINGPING_RULES


def target(rate, *, control=False, status="on_track", met=None, early=0, label="指标达到1.5%", pk=1):
    return TargetInput(
        target_id=pk,
        label=label,
        control=control,
        status=status,
        status_label=status,
        met=met,
        rate=None if rate is None else D(rate),
        explanation="说明。",
        years_early=early,
    )


def task(number, *, kind="indicator", role="lead", targets=(), **kwargs):
    return TaskInput(
        task_id=number,
        number=number,
        kind=kind,
        summary=f"任务{number}内容",
        role=role,
        targets=tuple(targets),
        **kwargs,
    )


def unit(*tasks, pk=1, name="市甲局", late=(), missing=()):
    return UnitInput(
        unit_id=pk, name=name, sort_order=pk, tasks=tuple(tasks), late_reports=late, missing_reports=missing
    )


def one(*tasks, rules=RULES, adjustments=(), **kwargs):
    [outcome] = compute(year=2024, rules=rules, units=[unit(*tasks, **kwargs)], adjustments=adjustments)
    return outcome


def test_growth_type_scores_weight_times_completion_rate():
    outcome = one(task(12, targets=[target("0.8")]))
    assert outcome.base_score == D("80.00")  # the only kind present carries the whole base
    assert any("完成率80%，系数0.8" in line.text for line in outcome.lines)
    assert any("主要指标类1项，平均系数0.8 × 权重40 = 32分" in line.text for line in outcome.lines)


def test_control_type_scores_two_minus_rate_and_nothing_beyond_double():
    assert target_factor(target("1.5", control=True), RULES)[0] == D("0.5")
    assert target_factor(target("0.9", control=True), RULES)[0] == D("1.1")
    assert target_factor(target("0.5", control=True), RULES)[0] == RULES.rate_cap  # capped at 1.2
    factor, words = target_factor(target("2.5", control=True), RULES)
    assert factor == 0 and "超过目标一倍以上，得0" in words


def test_a_rate_counts_at_most_the_cap():
    factor, words = target_factor(target("1.5"), RULES)
    assert factor == D("1.2") and "封顶" in words
    assert target_factor(target("1.5"), replace(RULES, rate_cap=D("1.5")))[0] == D("1.5")


def test_a_target_without_data_is_never_scored_as_zero():
    outcome = one(task(12, targets=[target(None), target("0.6", pk=2)]))
    assert outcome.base_score == D("60.00")  # the mean of the target with data only
    only_missing = one(task(12, targets=[target(None)]), task(50, kind="measure", closed=True))
    assert only_missing.base_score == D("100.00")  # the indicator task is left out, not 0
    text = " ".join(line.text for line in only_missing.lines)
    assert "不计分（不按0计）" in text and "本年不计分" in text


def test_the_weights_of_absent_kinds_are_shared_out_in_proportion():
    outcome = one(
        task(12, targets=[target("1")]),
        task(50, kind="measure", delivered=True, percent=50),
    )
    assert outcome.base_score == D("72.22")  # (40 × 1 + 50 × 0.5) ÷ 90 × 100
    assert any("目标定位类任务，其权重按比例分配" in line.text for line in outcome.lines)


def test_a_measure_not_reported_counts_zero_and_says_so():
    outcome = one(task(50, kind="measure"))
    assert outcome.base_score == D("0.00")
    assert any("未报送进展，完成率按0计" in line.text for line in outcome.lines)


def test_deductions_are_itemised_and_capped():
    outcome = one(
        task(50, kind="measure", closed=True),
        task(51, kind="measure", delayed=True, delay_reason="逾期未完成"),
        task(52, kind="measure", delayed=True, delay_reason="进展滞后"),
        late=(("2024年上半年", 3),),
        missing=(("2024年下半年", 4),),
    )
    assert outcome.deduction == D("5.00")  # 1.5 + 4 + 1 = 6.5, capped at 5
    texts = [line.text for line in outcome.lines if line.category == "deduction"]
    assert "2024年上半年逾期报送3次，每次扣0.5分" in texts
    assert "2024年下半年未报送4次，每次扣1分" in texts
    assert any("任务51滞后（逾期未完成）" in t for t in texts)
    assert any("扣分合计6.5分，超过上限，按5分扣" in t for t in texts)
    uncapped = one(task(50, kind="measure", closed=True), late=(("2024年上半年", 1),))
    assert uncapped.deduction == D("0.50") and uncapped.score == D("99.50")


def test_vision_targets_reached_early_earn_a_capped_bonus():
    vision = [target("1.1", status="ahead", met=True, early=2, pk=n, label=f"远景{n}") for n in range(3)]
    outcome = one(task(50, kind="measure", closed=True), task(46, kind="vision", incentive=True, targets=vision))
    assert outcome.bonus == D("5.00")  # 3 × 2 = 6, capped at 5
    assert outcome.score == D("105.00")
    bonus_lines = [line.text for line in outcome.lines if line.category == "bonus"]
    assert sum("远景目标提前2年实现" in t for t in bonus_lines) == 3
    assert any("加分合计6分，超过上限，按5分加" in t for t in bonus_lines)
    assert not outcome.outstanding  # 2 years early is not 5


def test_a_binding_indicator_missed_is_a_veto_that_bars_excellent():
    missed = target("0.7", status="behind", met=False, label="单位GDP能耗累计降低12.5%")
    outcome = one(
        task(29, binding=True, targets=[missed]),
        task(50, kind="measure", closed=True),
        adjustments=[AdjustmentInput(unit_id=1, delta=D(40), reason="测试")],
    )
    assert outcome.veto
    assert outcome.veto_causes == ("任务29 单位GDP能耗累计降低12.5%：说明，一票否优",)
    assert outcome.score >= RULES.excellent
    assert outcome.grade == GOOD
    assert any("一票否优，不能评为优秀" in line.text for line in outcome.lines)


def test_a_supported_binding_task_is_no_veto_for_the_supporting_unit():
    missed = target("0.7", status="behind", met=False)
    outcome = one(task(29, role="supporting", binding=True, targets=[missed]), task(50, kind="measure", closed=True))
    assert not outcome.veto and outcome.supported == 1 and outcome.led == 1


def test_an_outstanding_vision_target_makes_the_unit_excellent_unless_vetoed():
    outstanding = target("1.3", status="ahead", met=True, early=10, label="研发经费占比达到2%")
    plain = one(
        task(50, kind="measure", delivered=True, percent=50),
        task(46, kind="vision", incentive=True, targets=[outstanding]),
    )
    assert plain.score == D("52.00") and plain.outstanding and plain.grade == EXCELLENT
    assert any("特别突出" in line.text for line in plain.lines)
    vetoed = one(
        task(50, kind="measure", delivered=True, percent=50),
        task(46, kind="vision", incentive=True, targets=[outstanding]),
        task(29, binding=True, targets=[target("0.5", status="behind", met=False)]),
    )
    assert vetoed.veto and vetoed.grade != EXCELLENT


def test_grades_by_thresholds_and_by_quota():
    units = [
        unit(task(50, kind="measure", delivered=True, percent=p), pk=i, name=f"单位{i}")
        for i, p in enumerate([95, 92, 85, 70, 40], start=1)
    ]
    by_threshold = compute(year=2024, rules=RULES, units=units)
    assert [o.grade for o in by_threshold] == [EXCELLENT, EXCELLENT, GOOD, FAIR, POOR]
    assert [o.rank for o in by_threshold] == [1, 2, 3, 4, 5]
    by_quota = compute(year=2024, rules=replace(RULES, grading=QUOTA, excellent_quota=D(20)), units=units)
    assert [o.grade for o in by_quota] == [EXCELLENT, GOOD, GOOD, FAIR, POOR]  # one place in five


def test_ties_share_a_rank():
    units = [unit(task(50, kind="measure", closed=True), pk=i, name=f"单位{i}") for i in (1, 2)]
    units.append(unit(task(50, kind="measure", delivered=True, percent=10), pk=3, name="单位3"))
    assert [o.rank for o in compute(year=2024, rules=RULES, units=units)] == [1, 1, 3]


def test_an_adjustment_moves_the_score_with_its_reason():
    outcome = one(
        task(50, kind="measure", delivered=True, percent=80),
        adjustments=[AdjustmentInput(unit_id=1, delta=D("-2.5"), reason="重大安全事故", by="规划科")],
    )
    assert outcome.adjustment == D("-2.50") and outcome.score == D("77.50") and outcome.grade == FAIR
    assert any(line.text == "规划科调整-2.5分（规划科）：重大安全事故" for line in outcome.lines)


def test_supporting_units_are_scored_only_by_rule():
    supported = task(60, kind="measure", role="supporting", delivered=True, percent=20)
    led = task(50, kind="measure", closed=True)
    assert one(led, supported).base_score == D("100.00")
    by_rule = one(led, supported, rules=replace(RULES, score_supporting=True))
    assert by_rule.base_score == D("73.33")  # (1 × 1 + 0.2 × 0.5) ÷ 1.5
    assert any(line.text.startswith("任务60（配合）") for line in by_rule.lines)


def test_a_unit_without_a_scored_task_is_not_graded():
    outcome = one(task(12, targets=[target(None)]))
    assert outcome.score is None and outcome.grade == "not_graded" and outcome.rank is None
    assert outcome.grade_label == "不定等"


def test_a_unit_that_only_supports_is_assessed_only_by_rule():
    supporter = unit(task(60, kind="measure", role="supporting", delivered=True, percent=20), pk=2, name="市乙局")
    leader = unit(task(50, kind="measure", closed=True))
    assert [o.name for o in compute(year=2024, rules=RULES, units=[leader, supporter])] == ["市甲局"]
    scored = compute(year=2024, rules=replace(RULES, score_supporting=True), units=[leader, supporter])
    assert [o.name for o in scored] == ["市甲局", "市乙局"] and scored[1].base_score == D("20.00")
