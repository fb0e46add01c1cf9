"""How numbers are shown to people: stored decimals carry four places (4.2000), people read 4.2."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


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
