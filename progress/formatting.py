"""How numbers are shown to people: stored decimals carry four places (4.2000), people read 4.2;
a target reads as the plan writes it ("不低于5%（2025年）")."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from tasks.models import TargetBasis, TargetDirection


def plain_decimal(value: object) -> str:
    """``value`` without trailing zeros and never in exponent form: 4.2000 → "4.2", 12.0000 → "12",
    0.3500 → "0.35", 1E+3 → "1000"; None → ""; what is not a number is returned as text."""
    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_DIRECTION_TEXT = {
    TargetDirection.AT_LEAST: "不低于",
    TargetDirection.AT_MOST: "不高于",
    TargetDirection.REDUCE_BY: "降低",
}
_BASIS_TEXT = {
    TargetBasis.LEVEL: "",
    TargetBasis.ANNUAL_GROWTH: "年均增长",
    TargetBasis.CUMULATIVE: "累计",
    TargetBasis.MULTIPLE: "较基期",
}


def target_text(
    *, direction: str, basis: str, value: Decimal, value_max: Decimal | None, unit: str, year: int | None
) -> str:
    """A target in words, as the dashboard, the ledger and the meeting pack show it: "不低于1.5%（2025年）",
    "累计降低12.5%（2025年）", "年均增长不低于6%"."""
    amount = plain_decimal(value) + (f"～{plain_decimal(value_max)}" if value_max is not None else "")
    text = f"{_BASIS_TEXT.get(basis, '')}{_DIRECTION_TEXT.get(direction, '')}{amount}{unit}"
    return f"{text}（{year}年）" if year else text
