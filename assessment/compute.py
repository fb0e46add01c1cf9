"""The annual assessment (目标责任制考核), computed: a pure function of plain values (no ORM, no clock).

:func:`compute` takes, per unit, the tasks it leads (and supports) with what the year says of them
(:class:`TaskInput`: closed or not, the delivered percent, 滞后, and each target's evaluation by
:mod:`indicators.trajectory`, the one rule of "is a target met"), its late and missing reports, the
plan office's adjustments, and the plan's :class:`assessment.rules.Rules`; it returns per unit the
score, deductions, bonus, the 一票否优 flag with the binding indicator that caused it, the grade and
the rank, every number with a Chinese line saying where it comes from.

The score, out of 100 before bonus and deductions:

- a task's rate: with targets, the mean of its targets' factors (growth type: the completion rate;
  control type, lower is better: 2 − rate, 0 beyond double; both at most ``rate_cap``); a target
  without data is left out, never counted as 0, and the line says so; a task whose targets all lack
  data is not scored unless it is closed (办结). Without targets: 1 when closed or reported 已完成,
  else the delivered percent; no delivered report in the year counts 0 (the line says so);
- per task kind, the mean rate of the unit's tasks of that kind (a supported task counts
  ``supporting_share`` of a led one, when supporting units are scored) × the kind's weight; the
  weights of kinds the unit has no scored task in are shared out in proportion (the base is
  Σ weight × rate ÷ Σ weight of the kinds present × 100);
- minus deductions (late report, missing report, task 滞后, each in points, capped in total), plus
  the bonus (vision targets reached early, capped), plus the plan office's adjustments.

一票否优: a binding (约束性) target of a task the unit leads that is missed (its year reached, not met)
or behind its expected trajectory in the assessment year (滞后), by :mod:`indicators.trajectory`; a
target without data is no veto (the line says the data is not released). Bonus: each vision
(incentive) target the unit leads reached before its year (超前).

Units that only support tasks are assessed only when the rules score supporting units.

Grade: by thresholds, or by quota (the best ``excellent_quota`` % of graded units are 优秀 when
they reach the 良好 line); a 一票否优 unit is never 优秀; an outstanding vision target (reached
``outstanding_years_early`` years early) makes a unit 优秀 when no veto applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from assessment.rules import EXCELLENT, FAIR, GOOD, GRADE_LABELS, POOR, QUOTA, Rules  # noqa: F401 - GRADE_LABELS re-exported
from indicators.trajectory import endangers_veto
from tasks.models import TaskKind

ZERO, ONE, TWO, HUNDRED = Decimal(0), Decimal(1), Decimal(2), Decimal(100)
CENT = Decimal("0.01")
NOT_GRADED = "not_graded"
NOT_GRADED_LABEL = "不定等"
LEAD, SUPPORTING = "lead", "supporting"
KIND_ORDER = list(TaskKind.values)
AHEAD = "ahead"  # an indicators.trajectory.TrajectoryStatus value


class TargetInput(NamedTuple):
    """One target's evaluation for the year (from :func:`indicators.trajectory.evaluate`). The
    inputs a plan makes by the ten thousand are named tuples (cheap to make, immutable)."""

    target_id: int
    label: str  # the target as written (单位GDP能耗累计降低12.5%)
    control: bool  # lower is better (at most): scored 2 − rate
    status: str  # TrajectoryStatus value
    status_label: str
    met: bool | None
    rate: Decimal | None  # the completion rate the year is scored with (None: no data)
    explanation: str  # the rule's Chinese sentence
    years_early: int = 0  # years before its target year the target was met (a vision target)


class TaskInput(NamedTuple):
    task_id: int
    number: int
    kind: str  # tasks.TaskKind value
    summary: str  # the task's text, shortened
    role: str  # lead / supporting (the unit's role: lead wins)
    binding: bool = False
    incentive: bool = False
    closed: bool = False  # 办结, or every lead report accepted as 已完成
    percent: int | None = None  # the lowest delivered lead percent of the year's last period
    delivered: bool = False  # a lead report of the year's last period reached the plan office
    delayed: bool = False  # 滞后 (red light: overdue, or reported 滞后)
    delay_reason: str = ""
    targets: tuple[TargetInput, ...] = ()


@dataclass(frozen=True)
class UnitInput:
    unit_id: int
    name: str
    sort_order: int = 0
    tasks: tuple[TaskInput, ...] = ()
    late_reports: tuple[tuple[str, int], ...] = ()  # (period name, reports delivered after the due date)
    missing_reports: tuple[tuple[str, int], ...] = ()  # (period name, reports not delivered, past due)


@dataclass(frozen=True)
class AdjustmentInput:
    unit_id: int
    delta: Decimal
    reason: str
    by: str = ""


@dataclass(frozen=True)
class Line:
    """One explained number: ``category`` task / kind / base / deduction / bonus / veto / adjustment / grade."""

    category: str
    text: str
    points: Decimal | None = None


@dataclass
class UnitOutcome:
    unit_id: int
    name: str
    sort_order: int
    led: int
    supported: int
    completion: Decimal | None  # the mean rate of the scored tasks
    base_score: Decimal | None
    deduction: Decimal
    bonus: Decimal
    adjustment: Decimal
    score: Decimal | None
    veto: bool
    veto_causes: tuple[str, ...]
    outstanding: bool
    grade: str = NOT_GRADED
    rank: int | None = None
    lines: list[Line] = field(default_factory=list)

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS.get(self.grade, NOT_GRADED_LABEL)

    @property
    def reasons(self) -> str:
        """The lines that are not per task, for a ranking's reason column."""
        return "；".join(line.text for line in self.lines if line.category != "task")


def _kind_order(kind: str) -> int:
    """Kinds in the plan's order (目标定位, 主要指标, 远景目标, 重要举措), whatever order the rules list them in."""
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(rate: Decimal) -> str:
    return f"{plain((rate * HUNDRED).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP))}%"


def target_factor(target: TargetInput, rules: Rules) -> tuple[Decimal | None, str]:
    """(factor, Chinese words): growth type rate, control type 2 − rate (0 beyond double), ≤ rate_cap."""
    if target.rate is None:
        return None, "无实际值，不计分（不按0计）"
    rate = target.rate
    if target.control:
        if rate > TWO:
            return ZERO, f"控制类完成率{percent(rate)}，超过目标一倍以上，得0"
        factor = min(TWO - rate, rules.rate_cap)
        return factor, f"控制类按2−完成率{percent(rate)}计，系数{plain(q(factor))}"
    factor = min(rate, rules.rate_cap)
    capped = "（封顶）" if rate > rules.rate_cap else ""
    return factor, f"完成率{percent(rate)}，系数{plain(q(factor))}{capped}"


def task_rate(task: TaskInput, rules: Rules) -> tuple[Decimal | None, str]:
    """A task's rate for the year and its explanation (None: not scored)."""
    head = f"任务{task.number}{'（配合）' if task.role == SUPPORTING else ''}"
    if task.targets:
        factors, words = [], []
        for target in task.targets:
            factor, how = target_factor(target, rules)
            words.append(f"{target.label}：{target.explanation}{how}")
            if factor is not None:
                factors.append(factor)
        if factors:
            rate = sum(factors, ZERO) / len(factors)
            return rate, f"{head} " + "；".join(words) + f"；任务计分系数{plain(q(rate))}"
        if task.closed:
            return ONE, f"{head} " + "；".join(words) + "；任务已办结，按1计"
        return None, f"{head} " + "；".join(words) + "；本年不计分"
    if task.closed:
        return ONE, f"{head} {task.summary}：已完成，系数1"
    if task.delivered and task.percent is not None:
        rate = Decimal(task.percent) / HUNDRED
        return rate, f"{head} {task.summary}：报告完成进度{task.percent}%，系数{plain(q(rate))}"
    if task.delivered:
        return None, f"{head} {task.summary}：报告未填完成进度，不计分"
    return ZERO, f"{head} {task.summary}：本年末期未报送进展，完成率按0计"


def _unit_outcome(unit: UnitInput, rules: Rules, adjustments: Sequence[AdjustmentInput], year: int) -> UnitOutcome:
    lines: list[Line] = []
    by_kind: dict[str, list[tuple[Decimal, Decimal]]] = {}  # kind → [(rate, share)]
    led = sum(1 for t in unit.tasks if t.role == LEAD)
    supported = len(unit.tasks) - led
    veto_causes: list[str] = []
    bonus_items: list[tuple[str, int]] = []
    delayed: list[TaskInput] = []
    # A supported task matters only when supporting units are scored (no veto, bonus or deduction).
    relevant = unit.tasks if rules.score_supporting else [t for t in unit.tasks if t.role == LEAD]
    for task in sorted(relevant, key=lambda t: (t.role != LEAD, t.number)):
        rate, text = task_rate(task, rules)
        share = ONE if task.role == LEAD else rules.supporting_share
        if rate is not None and rules.weights.get(task.kind, ZERO) > 0 and share > 0:
            by_kind.setdefault(task.kind, []).append((rate, share))
        elif rate is not None and rules.weights.get(task.kind, ZERO) == 0:
            text += f"（{rules.kind_label(task.kind)}类权重为0，不计入得分）"
        lines.append(Line("task", text, q(rate) if rate is not None else None))
        if task.role != LEAD:
            continue
        if task.delayed:
            delayed.append(task)
        if task.binding and rules.binding_veto:
            for target in task.targets:
                if endangers_veto(target.met, target.status):
                    veto_causes.append(
                        f"任务{task.number} {target.label}：{target.explanation.rstrip('。；')}，一票否优"
                    )
        if task.incentive:
            for target in task.targets:
                if target.status == AHEAD and target.met and target.years_early > 0:
                    bonus_items.append((f"任务{task.number} {target.label}：{target.explanation}", target.years_early))

    # Base score by kind.
    present = {kind: rows for kind, rows in by_kind.items() if rows}
    weight_sum = sum((rules.weights[k] for k in present), ZERO)
    rates = [rate for rows in present.values() for rate, _ in rows]
    completion = q(sum(rates, ZERO) / len(rates)) if rates else None
    base: Decimal | None = None
    if weight_sum > 0:
        total = ZERO
        for kind in sorted(present, key=_kind_order):
            rows = present[kind]
            mean = sum((r * s for r, s in rows), ZERO) / sum((s for _, s in rows), ZERO)
            weight = rules.weights[kind]
            total += weight * mean
            lines.append(
                Line(
                    "kind",
                    f"{rules.kind_label(kind)}类{len(rows)}项，平均系数{plain(q(mean))} × 权重{plain(weight)} = {plain(q(weight * mean))}分",
                    q(weight * mean),
                )
            )
        base = q(total / weight_sum * HUNDRED)
        missing = [
            rules.kind_label(k)
            for k in sorted(rules.weights, key=_kind_order)
            if rules.weights[k] > 0 and k not in present
        ]
        shared = f"（本单位无可计分的{'、'.join(missing)}类任务，其权重按比例分配）" if missing else ""
        lines.append(Line("base", f"基础得分{plain(base)}分{shared}", base))
    else:
        lines.append(Line("base", "本单位本年没有可计分的任务，不计基础得分、不定等", None))

    # Deductions.
    items: list[tuple[str, Decimal]] = []
    for name, count in unit.late_reports:
        if count:
            items.append(
                (
                    f"{name}逾期报送{count}次，每次扣{plain(rules.late_report_points)}分",
                    rules.late_report_points * count,
                )
            )
    for name, count in unit.missing_reports:
        if count:
            items.append(
                (
                    f"{name}未报送{count}次，每次扣{plain(rules.missing_report_points)}分",
                    rules.missing_report_points * count,
                )
            )
    for task in delayed:
        reason = f"（{task.delay_reason}）" if task.delay_reason else ""
        items.append(
            (f"任务{task.number}滞后{reason}，扣{plain(rules.delayed_task_points)}分", rules.delayed_task_points)
        )
    raw_deduction = sum((points for _, points in items), ZERO)
    deduction = q(min(raw_deduction, rules.deduction_cap))
    for text, points in items:
        lines.append(Line("deduction", text, -q(points)))
    if raw_deduction > rules.deduction_cap:
        lines.append(
            Line(
                "deduction",
                f"扣分合计{plain(q(raw_deduction))}分，超过上限，按{plain(rules.deduction_cap)}分扣",
                -deduction,
            )
        )

    # Bonus.
    raw_bonus = rules.bonus_points * len(bonus_items)
    bonus = q(min(raw_bonus, rules.bonus_cap))
    for text, early in bonus_items:
        lines.append(
            Line("bonus", f"远景目标提前{early}年实现：{text}加{plain(rules.bonus_points)}分", q(rules.bonus_points))
        )
    if raw_bonus > rules.bonus_cap:
        lines.append(Line("bonus", f"加分合计{plain(q(raw_bonus))}分，超过上限，按{plain(rules.bonus_cap)}分加", bonus))
    outstanding = rules.outstanding_is_excellent and any(
        early >= rules.outstanding_years_early for _, early in bonus_items
    )

    # Adjustments, in the order made.
    adjustment = ZERO
    for item in adjustments:
        adjustment += item.delta
        sign = "+" if item.delta >= 0 else ""
        who = f"（{item.by}）" if item.by else ""
        lines.append(Line("adjustment", f"规划科调整{sign}{plain(q(item.delta))}分{who}：{item.reason}", q(item.delta)))
    adjustment = q(adjustment)

    for cause in veto_causes:
        lines.append(Line("veto", cause, None))
    score = q(base - deduction + bonus + adjustment) if base is not None else None
    if score is not None:
        lines.append(
            Line(
                "score",
                f"{year}年度得分{plain(score)}分 = 基础得分{plain(base)} − 扣分{plain(deduction)} + 加分{plain(bonus)}"
                + (f" + 调整{plain(adjustment)}" if adjustment else ""),
                score,
            )
        )
    return UnitOutcome(
        unit_id=unit.unit_id,
        name=unit.name,
        sort_order=unit.sort_order,
        led=led,
        supported=supported,
        completion=completion,
        base_score=base,
        deduction=deduction,
        bonus=bonus,
        adjustment=adjustment,
        score=score,
        veto=bool(veto_causes),
        veto_causes=tuple(veto_causes),
        outstanding=outstanding,
        lines=lines,
    )


def _threshold_grade(score: Decimal, rules: Rules) -> str:
    if score >= rules.excellent:
        return EXCELLENT
    if score >= rules.good:
        return GOOD
    if score >= rules.fair:
        return FAIR
    return POOR


def _grade(outcomes: list[UnitOutcome], rules: Rules) -> None:
    graded = [o for o in outcomes if o.score is not None]
    quota_winners: set[int] = set()
    if rules.grading == QUOTA:
        places = int((Decimal(len(graded)) * rules.excellent_quota / HUNDRED).to_integral_value(rounding="ROUND_FLOOR"))
        eligible = [o for o in graded if not o.veto and o.score is not None and o.score >= rules.good]
        quota_winners = {o.unit_id for o in eligible[:places]}  # graded is in rank order
    for outcome in outcomes:
        if outcome.score is None:
            outcome.grade = NOT_GRADED
            outcome.lines.append(Line("grade", "无可计分任务，不定等", None))
            continue
        score = outcome.score
        if rules.grading == QUOTA:
            grade = EXCELLENT if outcome.unit_id in quota_winners else _threshold_grade(score, rules)
            if grade == EXCELLENT and outcome.unit_id not in quota_winners:
                grade = GOOD
            why = (
                f"按比例定等：优秀名额为前{plain(rules.excellent_quota)}%，本单位排名第{outcome.rank}"
                if outcome.unit_id in quota_winners
                else f"按比例定等，未进入优秀名额，按分数线为{GRADE_LABELS[grade]}"
            )
        else:
            grade = _threshold_grade(score, rules)
            why = f"按分数线（优秀≥{plain(rules.excellent)}，良好≥{plain(rules.good)}，一般≥{plain(rules.fair)}）为{GRADE_LABELS[grade]}"
        if outcome.outstanding and not outcome.veto:
            grade = EXCELLENT
            why = f"远景目标提前{rules.outstanding_years_early}年以上实现，特别突出，且无否决情形，直接评为优秀"
        elif outcome.veto and grade == EXCELLENT:
            grade = GOOD
            why += "；因约束性指标一票否优，不能评为优秀，定为良好"
        elif outcome.veto:
            why += "；约束性指标一票否优（本年不能评为优秀）"
        outcome.grade = grade
        outcome.lines.append(Line("grade", f"等次：{GRADE_LABELS[grade]}（{why}）", None))


def rank_key(outcome: UnitOutcome) -> tuple:
    return (outcome.score is None, -(outcome.score or ZERO), outcome.sort_order, outcome.name, outcome.unit_id)


def compute(
    *, year: int, rules: Rules, units: Iterable[UnitInput], adjustments: Iterable[AdjustmentInput] = ()
) -> list[UnitOutcome]:
    """Every unit's outcome for ``year``, in rank order (the best score first; ties share a rank)."""
    by_unit: dict[int, list[AdjustmentInput]] = {}
    for item in adjustments:
        by_unit.setdefault(item.unit_id, []).append(item)
    # A unit that only supports tasks is assessed only when the rules score supporting units.
    assessed = [u for u in units if rules.score_supporting or any(t.role == LEAD for t in u.tasks)]
    outcomes = [_unit_outcome(unit, rules, by_unit.get(unit.unit_id, ()), year) for unit in assessed]
    outcomes.sort(key=rank_key)
    previous: Decimal | None = None
    for position, outcome in enumerate(outcomes, start=1):
        if outcome.score is None:
            outcome.rank = None
            continue
        outcome.rank = position if outcome.score != previous else outcomes[position - 2].rank
        previous = outcome.score
    _grade(outcomes, rules)
    return outcomes
