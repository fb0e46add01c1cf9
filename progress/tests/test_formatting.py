"""How numbers and targets read: stored decimals without their padding, targets as the plan writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from progress.formatting import plain_decimal, target_text
from tasks.models import TargetBasis, TargetDirection


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("4.2000"), "4.2"),
        (Decimal("12.0000"), "12"),
        (Decimal("0.3500"), "0.35"),
        (Decimal("1E+3"), "1000"),
        (Decimal("-0.0000"), "0"),
        (None, ""),
        ("", ""),
        ("数据尚未发布", "数据尚未发布"),
        (7, "7"),
    ],
)
def test_plain_decimal(value, text):
    assert plain_decimal(value) == text


@pytest.mark.parametrize(
    ("target", "text"),
    [
        (
            {
                "direction": TargetDirection.AT_LEAST,
                "basis": TargetBasis.LEVEL,
                "value": Decimal("5.0000"),
                "unit": "%",
                "year": 2025,
            },
            "不低于5%（2025年）",
        ),
        (
            {
                "direction": TargetDirection.AT_LEAST,
                "basis": TargetBasis.ANNUAL_GROWTH,
                "value": Decimal("6.5"),
                "unit": "%",
                "year": None,
            },
            "年均增长不低于6.5%",
        ),
        (
            {
                "direction": TargetDirection.REDUCE_BY,
                "basis": TargetBasis.CUMULATIVE,
                "value": Decimal("12.5"),
                "unit": "%",
                "year": 2025,
            },
            "累计降低12.5%（2025年）",
        ),
        (
            {
                "direction": TargetDirection.AT_MOST,
                "basis": TargetBasis.LEVEL,
                "value": Decimal("3"),
                "value_max": Decimal("3.5"),
                "unit": "%",
                "year": 2022,
            },
            "不高于3～3.5%（2022年）",
        ),
        (
            {
                "direction": TargetDirection.AT_LEAST,
                "basis": TargetBasis.MULTIPLE,
                "value": Decimal("2"),
                "unit": "倍",
                "year": 2025,
            },
            "较基期不低于2倍（2025年）",
        ),
    ],
)
def test_a_target_reads_as_the_plan_writes_it(target, text):
    assert target_text(**{"value_max": None, **target}) == text
