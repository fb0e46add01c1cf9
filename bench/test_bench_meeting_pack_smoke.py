"""bench_meeting_pack must not rot: one pack and one bare workbook on a tiny synthetic database. No timing is asserted."""

from __future__ import annotations

import pytest

from bench.bench_meeting_pack import bare_sheets, build_bare, build_pack, open_period
from bench.synthetic import generate

pytestmark = pytest.mark.django_db


def test_the_pack_and_the_bare_workbook_are_built():
    generate(tasks=60, departments=12, reports=120, seed=1)
    period = open_period()
    size, queries = build_pack(period)
    assert size > 10_000 and 0 < queries < 60
    sheets = bare_sheets(period)
    assert [title for title, _ in sheets[:4]] == ["封面汇总", "台账", "逾期及风险任务", "约束性指标"]
    assert len(sheets[1][1]) == 60 + 3  # title, subtitle, header and one row per task
    assert build_bare(sheets) > 5_000
