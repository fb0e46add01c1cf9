"""The target page's chart: the figures it draws, and an SVG with nothing inline."""

from __future__ import annotations

from decimal import Decimal

from indicators.chart import chart_data, trajectory_svg
from indicators.trajectory import Reading, TargetSpec, expected_at


def test_annual_growth_draws_levels_compounded_from_the_baseline_and_chained_actuals():
    spec = TargetSpec(
        direction="at_least",
        basis="annual_growth",
        value=Decimal("7"),
        unit="%",
        year=2025,
        baseline_value=Decimal("200"),
        baseline_year=2020,
    )
    readings = [Reading(2021, Decimal("10")), Reading(2022, Decimal("5")), Reading(2024, Decimal("6"))]
    data = chart_data(spec, readings)
    assert data.years == list(range(2020, 2026))
    assert data.expected == {y: expected_at(spec, y) for y in range(2020, 2026)}
    assert data.expected[2022] == Decimal("228.9800")  # 200 × 1.07²
    # 200 × 1.10 × 1.05; 2023 has no reading, so the chained line stops there
    assert data.actual == {2020: Decimal("200"), 2021: Decimal("220.0000"), 2022: Decimal("231.0000")}


def test_without_a_baseline_value_growth_is_an_index_and_a_reduction_its_own_path():
    growth = TargetSpec(
        direction="at_least", basis="annual_growth", value=Decimal("8"), unit="%", year=2025, baseline_year=2020
    )
    assert chart_data(growth, []).expected[2020] == Decimal("100.0000")
    assert chart_data(growth, []).unit == "指数（基期=100）"
    reduction = TargetSpec(
        direction="reduce_by", basis="cumulative", value=Decimal("12.5"), unit="%", year=2025, baseline_year=2020
    )
    data = chart_data(reduction, [Reading(2023, Decimal("6.1"))])
    assert data.expected[2023] == Decimal("7.5000") and data.actual == {2023: Decimal("6.1")}


def test_the_svg_escapes_its_title_and_has_no_inline_style_or_script():
    spec = TargetSpec(
        direction="at_most",
        basis="level",
        value=Decimal("53"),
        unit="微克/立方米",
        year=2025,
        baseline_value=Decimal("60"),
        baseline_year=2020,
    )
    svg = str(trajectory_svg(spec, [Reading(2022, Decimal("55"))], title="PM2.5<b>"))
    assert svg.startswith('<svg class="trajectory"') and "PM2.5&lt;b&gt;" in svg and "<b>" not in svg
    assert "style" not in svg and "<script" not in svg
    assert svg.count("<polyline") == 2
    empty = str(trajectory_svg(TargetSpec(direction="at_least", basis="level", value=Decimal("1")), []))
    assert "暂无可绘制的数据" in empty
