"""bench_evaluation must not rot: one report, its workbook and its .docx on a tiny synthetic database. No timing is asserted."""

from __future__ import annotations

import pytest

from bench.bench_evaluation import DEFAULT_AS_OF, build_docx, build_figures, build_workbook, the_plan
from bench.synthetic import generate

pytestmark = pytest.mark.django_db


def test_the_report_workbook_and_docx_are_built():
    generate(tasks=60, departments=12, reports=120, seed=1)
    plan = the_plan()
    report, queries = build_figures(plan, DEFAULT_AS_OF)
    assert report.kind == "总结评估" and report.task_total == 60 and len(report.periods) == 10
    assert report.indicators and report.units
    # a fixed number of queries whatever the plan's size: a few, plus four per period
    assert 0 < queries <= 12 + 4 * len(report.periods)
    size, _ = build_workbook(plan, DEFAULT_AS_OF)
    assert size > 10_000
    assert build_docx(report) > 10_000
