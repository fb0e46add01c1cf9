"""The target page's chart, rendered on the server as SVG (no script, no inline style: the colours
are classes in indicators/static/indicators/indicators.css).

What is drawn (the same figures the rule compares, :mod:`indicators.trajectory`):

- annual growth: the indicator's level, the expected one compounded from the baseline value
  (:func:`~indicators.trajectory.expected_at`) and the actual one chained from the yearly rates;
  without a baseline value, an index (基期=100). A year without a reading breaks the actual line.
- the other bases: the reading itself and the expected path (cumulative change, multiple, level).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .trajectory import ANNUAL_GROWTH, HUNDRED, ONE, Reading, TargetSpec, expected_at, expected_figure

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 20, 48


@dataclass(frozen=True)
class ChartData:
    years: list[int]
    expected: dict[int, Decimal]
    actual: dict[int, Decimal]
    unit: str  # what the vertical axis shows


def chart_data(spec: TargetSpec, readings: list[Reading]) -> ChartData:
    reading_years = [r.year for r in readings]
    first = spec.baseline_year if spec.baseline_year is not None else min(reading_years, default=spec.year or 0)
    last = max([y for y in [spec.year, *reading_years] if y is not None], default=first)
    if not first:
        first = last
    years = list(range(first, last + 1))
    by_year = {r.year: r.value for r in readings}
    expected: dict[int, Decimal] = {}
    actual: dict[int, Decimal] = {}
    if spec.basis == ANNUAL_GROWTH:
        base = spec.baseline_value if spec.baseline_value is not None else HUNDRED
        unit = "指数（基期=100）" if spec.baseline_value is None else "水平值"
        indexed = TargetSpec(**{**spec.__dict__, "baseline_value": base})
        for year in years:
            value = expected_at(indexed, year)
            if value is not None:
                expected[year] = value
        if spec.baseline_year is not None:
            level = base
            actual[spec.baseline_year] = base
            for year in years[1:]:
                if year not in by_year:
                    break
                level = level * (ONE + by_year[year] / HUNDRED)
                actual[year] = level.quantize(Decimal("0.0001"))
    else:
        unit = spec.unit
        for year in years:
            value = expected_figure(spec, year)
            if value is not None:
                expected[year] = value
        actual = {y: v for y, v in by_year.items() if y in set(years)}
    return ChartData(years=years, expected=expected, actual=actual, unit=unit)


def _fmt(value: Decimal) -> str:
    text = format(value.quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def trajectory_svg(spec: TargetSpec, readings: list[Reading], *, title: str = "") -> SafeString:
    """The chart as an ``<svg>`` element (every text escaped)."""
    data = chart_data(spec, readings)
    values = [*data.expected.values(), *data.actual.values()]
    label = escape(title or "实际值与预期轨迹")
    if not data.years or not values:
        return mark_safe(  # noqa: S308 - built from escaped values
            f'<svg class="trajectory" viewBox="0 0 {WIDTH} 80" role="img" aria-label="{label}">'
            f'<text x="10" y="45" class="axis-label">暂无可绘制的数据（未录入基期值或尚无实际值）。</text></svg>'
        )
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) / 10
    low, high = low - pad, high + pad
    span_years = max(len(data.years) - 1, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(year: int) -> float:
        return LEFT + plot_w * (year - data.years[0]) / span_years

    def y(value: Decimal) -> float:
        return TOP + plot_h * float((high - value) / (high - low))

    parts = [
        f'<svg class="trajectory" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}">',
        f"<title>{label}</title>",
        f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>',
    ]
    for tick in range(5):
        value = low + (high - low) * Decimal(tick) / 4
        parts.append(
            f'<text class="axis-label" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{_fmt(value)}</text>'
        )
    step = 1 if len(data.years) <= 12 else 2
    for year in data.years[::step]:
        parts.append(
            f'<text class="axis-label" x="{x(year):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{year}</text>'
        )
    parts.append(f'<text class="axis-label" x="{LEFT}" y="{HEIGHT - 6}">{escape(data.unit)}</text>')

    def line(points: dict[int, Decimal], css: str, name: str) -> None:
        if not points:
            return
        coords = " ".join(f"{x(year):.1f},{y(value):.1f}" for year, value in sorted(points.items()))
        parts.append(f'<polyline class="{css}" points="{coords}"><title>{name}</title></polyline>')
        for year, value in sorted(points.items()):
            parts.append(
                f'<circle class="{css}-dot" cx="{x(year):.1f}" cy="{y(value):.1f}" r="4">'
                f"<title>{year}年{name}：{_fmt(value)}</title></circle>"
            )

    line(data.expected, "expected", "预期")
    line(data.actual, "actual", "实际")
    parts.append(
        f'<g class="legend"><line class="expected" x1="{WIDTH - 200}" y1="{TOP + 4}" x2="{WIDTH - 176}" y2="{TOP + 4}"/>'
        f'<text class="axis-label" x="{WIDTH - 170}" y="{TOP + 8}">预期轨迹</text>'
        f'<line class="actual" x1="{WIDTH - 110}" y1="{TOP + 4}" x2="{WIDTH - 86}" y2="{TOP + 4}"/>'
        f'<text class="axis-label" x="{WIDTH - 80}" y="{TOP + 8}">实际</text></g>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped values and numbers
