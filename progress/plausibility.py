"""Plausibility of a target's actual value: warnings the clerk confirms, never refusals.

- a value that differs from last period's by more than ``settings.PROGRESS_ACTUAL_JUMP_RATIO``
  (either way; "8.1个" after 2,650 last half-year);
- a fraction for a unit that counts things (个, 家, 座, 人 …).

The form shows the warnings and saves only when the clerk confirms exactly the values warned about
(:func:`confirmation_token`): a value changed after the warning is checked again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.conf import settings

from progress.formatting import plain_decimal

# Units whose values are whole numbers of things (a value of "万人" or "亿元" may well be a fraction).
COUNT_UNITS = frozenset(
    [
        "个",
        "家",
        "座",
        "人",
        "户",
        "项",
        "台",
        "辆",
        "所",
        "件",
        "次",
        "处",
        "套",
        "栋",
        "幢",
        "名",
        "位",
        "条",
        "艘",
        "架",
        "只",
        "头",
        "张",
        "间",
        "部",
        "株",
        "棵",
        "场",
        "批",
        "宗",
        "篇",
        "门",
        "口",
        "颗",
    ]
)


def is_count_unit(unit: str) -> bool:
    return unit.strip() in COUNT_UNITS


def jump_ratio() -> Decimal:
    return Decimal(str(settings.PROGRESS_ACTUAL_JUMP_RATIO))


def value_warnings(*, value: Decimal, unit: str, previous: Decimal | None) -> list[str]:
    """Why ``value`` (in ``unit``) looks wrong, given last period's ``previous`` value (Chinese)."""
    warnings = []
    unit = unit.strip()
    if is_count_unit(unit) and value != value.to_integral_value():
        warnings.append(f"单位为“{unit}”，实际值一般是整数，您填的是{plain_decimal(value)}。")
    if previous is not None and previous != 0 and value != 0:
        ratio = jump_ratio()
        change = abs(value) / abs(previous)
        if change > ratio or change < 1 / ratio:
            warnings.append(
                f"与上期的{plain_decimal(previous)}{unit}相比变化超过{plain_decimal(ratio)}倍"
                f"（本期{plain_decimal(value)}{unit}），请核对单位和数值。"
            )
    return warnings


def actual_warnings(
    *, values: Mapping[int, Decimal | None], units: Mapping[int, str], previous: Mapping[int, Decimal | None]
) -> dict[int, list[str]]:
    """{target id: its warnings} for the values given ({target id: value}); targets without warnings left out."""
    result = {}
    for target_id, value in values.items():
        if value is None:
            continue
        found = value_warnings(value=value, unit=units.get(target_id, ""), previous=previous.get(target_id))
        if found:
            result[target_id] = found
    return result


def confirmation_token(values: Mapping[int, Decimal | None], warned: Iterable[int]) -> str:
    """What the form carries back when the clerk confirms: the warned targets and their values."""
    return ";".join(f"{target_id}={plain_decimal(values[target_id])}" for target_id in sorted(warned))
