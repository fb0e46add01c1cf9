"""The assessment rules (考核规则) as data: weights by task kind, the growth / control formulas'
bounds, deductions and bonus with their caps, the 一票否优 and 优秀 rules, grade thresholds or a
quota, and whether supporting units are scored.

:class:`Rules` is a plain frozen value the pure computation (:mod:`assessment.compute`) reads; a
plan's rules are stored in :class:`assessment.models.RuleSet` and default to :data:`XINGPING_RULES`,
read from the 兴平 plan's own text (一、(一): the 7 binding indicators are 一票否优 for the
responsible unit; 一、(二): vision targets reached early earn bonus points, an outstanding one goes
straight to 优秀 when no other veto applies). :func:`validate_rules` is the one check: every
problem a Chinese message, raised before anything is written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from tasks.models import TaskKind
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

HUNDRED = Decimal(100)

EXCELLENT, GOOD, FAIR, POOR = "excellent", "good", "fair", "poor"
GRADE_LABELS = {EXCELLENT: "优秀", GOOD: "良好", FAIR: "一般", POOR: "较差"}
GRADE_ORDER = (EXCELLENT, GOOD, FAIR, POOR)

THRESHOLDS, QUOTA = "thresholds", "quota"
GRADING_LABELS = {THRESHOLDS: "按分数线", QUOTA: "按比例（优秀名额）"}


@dataclass(frozen=True)
class Rules:
    """One plan's assessment rules. Points are on a 100-point base score."""

    # Task kind (tasks.TaskKind value) → weight; the weights add up to 100.
    weights: dict[str, Decimal] = field(
        default_factory=lambda: {
            TaskKind.POSITIONING: Decimal(10),
            TaskKind.INDICATOR: Decimal(40),
            TaskKind.VISION: Decimal(0),
            TaskKind.MEASURE: Decimal(50),
        }
    )
    # A completion rate counts at most this much (growth type: weight × rate; control type:
    # weight × (2 − rate), 0 beyond double).
    rate_cap: Decimal = Decimal("1.2")
    # Deductions (points each), capped in total.
    late_report_points: Decimal = Decimal("0.5")
    missing_report_points: Decimal = Decimal(1)
    delayed_task_points: Decimal = Decimal("0.5")
    deduction_cap: Decimal = Decimal(5)
    # Bonus for each vision (incentive) target reached before its year, capped in total.
    bonus_points: Decimal = Decimal(2)
    bonus_cap: Decimal = Decimal(5)
    # A vision target reached at least this many years early is outstanding: 优秀 when no veto.
    outstanding_years_early: int = 5
    outstanding_is_excellent: bool = True
    # A binding (约束性) indicator not met: the unit cannot be rated 优秀 that year.
    binding_veto: bool = True
    # Grades: by thresholds (score ≥ excellent → 优秀, ≥ good → 良好, ≥ fair → 一般, else 较差),
    # or by quota (the best ``excellent_quota`` per cent of units are 优秀, if they reach ``good``).
    grading: str = THRESHOLDS
    excellent: Decimal = Decimal(90)
    good: Decimal = Decimal(80)
    fair: Decimal = Decimal(60)
    excellent_quota: Decimal = Decimal(20)
    # Supporting units scored on the tasks they support, each counting ``supporting_share`` of a led task.
    score_supporting: bool = False
    supporting_share: Decimal = Decimal("0.5")

    def to_data(self) -> dict[str, Any]:
        """JSON-ready (Decimals as strings), for the frozen snapshot and the API."""
        data = asdict(self)
        data["weights"] = {kind: str(value) for kind, value in self.weights.items()}
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in data.items()}

    def kind_label(self, kind: str) -> str:
        return TaskKind(kind).label if kind in TaskKind.values else kind


XINGPING_RULES = Rules()

DECIMAL_FIELDS = (
    "rate_cap",
    "late_report_points",
    "missing_report_points",
    "delayed_task_points",
    "deduction_cap",
    "bonus_points",
    "bonus_cap",
    "excellent",
    "good",
    "fair",
    "excellent_quota",
    "supporting_share",
)
FIELD_LABELS = {
    "weights": "各类任务权重",
    "rate_cap": "完成率计分上限",
    "late_report_points": "逾期报送每次扣分",
    "missing_report_points": "未报送每次扣分",
    "delayed_task_points": "任务滞后每项扣分",
    "deduction_cap": "扣分上限",
    "bonus_points": "远景目标提前实现每项加分",
    "bonus_cap": "加分上限",
    "outstanding_years_early": "提前几年实现为特别突出",
    "excellent": "优秀分数线",
    "good": "良好分数线",
    "fair": "一般分数线",
    "excellent_quota": "优秀比例（%）",
    "supporting_share": "配合任务折算比例",
    "grading": "定等方式",
}


def _decimal(name: str, value: Any) -> Decimal:
    label = FIELD_LABELS.get(name, name)
    if isinstance(value, bool) or value is None or value == "":
        raise ApplicationError(ErrorCode.INVALID, f"{label}应为数字。", extra={"field": name})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(ErrorCode.INVALID, f"{label}应为数字，收到“{value}”。", extra={"field": name}) from None
    if not number.is_finite():
        raise ApplicationError(ErrorCode.INVALID, f"{label}应为数字，收到“{value}”。", extra={"field": name})
    return number


def rules_from_data(data: dict[str, Any], *, base: Rules = XINGPING_RULES) -> Rules:
    """:class:`Rules` from JSON-like data (missing keys keep ``base``'s values), validated."""
    if not isinstance(data, dict):
        raise ApplicationError(ErrorCode.INVALID, "考核规则应为键值对象。")
    unknown = sorted(set(data) - set(Rules.__dataclass_fields__))
    if unknown:
        raise ApplicationError(ErrorCode.INVALID, f"考核规则中有无法识别的项：{'、'.join(unknown)}。")
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if name == "weights":
            if not isinstance(value, dict):
                raise ApplicationError(ErrorCode.INVALID, "各类任务权重应为“类别: 权重”的对象。", extra={"field": name})
            changes[name] = {str(kind): _decimal(name, weight) for kind, weight in value.items()}
        elif name in DECIMAL_FIELDS:
            changes[name] = _decimal(name, value)
        elif name == "outstanding_years_early":
            number = _decimal(name, value)
            if number != number.to_integral_value():
                raise ApplicationError(ErrorCode.INVALID, "提前几年实现为特别突出应为整数。", extra={"field": name})
            changes[name] = int(number)
        elif name == "grading":
            changes[name] = str(value)
        else:  # the booleans
            if not isinstance(value, bool):
                raise ApplicationError(ErrorCode.INVALID, f"“{name}”应为 true 或 false。", extra={"field": name})
            changes[name] = value
    rules = replace(base, **changes)
    validate_rules(rules)
    return rules


def validate_rules(rules: Rules) -> None:
    """Raise ``ApplicationError(INVALID)`` with every problem of ``rules`` in Chinese."""
    problems: list[str] = []
    kinds = set(TaskKind.values)
    unknown = sorted(set(rules.weights) - kinds)
    if unknown:
        problems.append(f"权重中有未知的任务类别：{'、'.join(unknown)}（应为 {'、'.join(sorted(kinds))}）")
    negative = [rules.kind_label(k) for k, w in rules.weights.items() if w < 0]
    if negative:
        problems.append(f"权重不能为负数：{'、'.join(negative)}")
    total = sum(rules.weights.values(), Decimal(0))
    if total != HUNDRED:
        parts = "，".join(f"{rules.kind_label(k)}{_plain(w)}" for k, w in rules.weights.items())
        problems.append(f"各类任务权重之和应为100，现为{_plain(total)}（{parts}）")
    for name in DECIMAL_FIELDS:
        if getattr(rules, name) < 0:
            problems.append(f"{FIELD_LABELS[name]}不能为负数")
    if rules.rate_cap < 1:
        problems.append("完成率计分上限不能低于1（完成目标应得满分）")
    if not (HUNDRED >= rules.excellent > rules.good > rules.fair >= 0):
        problems.append(
            f"分数线应满足 100 ≥ 优秀 > 良好 > 一般 ≥ 0，现为优秀{_plain(rules.excellent)}、良好{_plain(rules.good)}、"
            f"一般{_plain(rules.fair)}"
        )
    if rules.grading not in GRADING_LABELS:
        problems.append(f"定等方式应为 {THRESHOLDS}（按分数线）或 {QUOTA}（按比例）")
    if not (0 <= rules.excellent_quota <= HUNDRED):
        problems.append("优秀比例应在0到100之间")
    if rules.supporting_share > 1:
        problems.append("配合任务折算比例不能超过1")
    if rules.outstanding_years_early < 0:
        problems.append("提前几年实现为特别突出不能为负数")
    if problems:
        raise ApplicationError(
            ErrorCode.INVALID, "考核规则有误：" + "；".join(problems) + "。", extra={"problems": problems}
        )


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
