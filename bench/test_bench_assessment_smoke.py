"""bench_assessment must not rot: one pass of each measurement on a tiny synthetic database, with
the query count of a tiny plan equal to a larger one's (bounded queries). No timing is asserted."""

from __future__ import annotations

import pytest

from bench.bench_assessment import measure
from bench.synthetic import generate

pytestmark = pytest.mark.django_db


def test_the_assessment_measurements_run_with_bounded_queries():
    generate(tasks=60, departments=12, reports=300, seed=1)
    figures = measure(runs=1, warmups=0)
    assert [label for label, *_ in figures] == [
        "inputs + compute",
        "compute_draft (stored)",
        "GET /api/assessments/{id}/",
    ]
    draft_units = figures[0][3]
    assert draft_units > 5
    assert figures[1][3] == figures[2][3] == draft_units
    assert 0 < figures[0][2] <= 20


def test_the_draft_queries_do_not_grow_with_the_plan():
    from assessment.compute import compute
    from assessment.selectors import assessment_inputs, plan_rules
    from bench.bench_assessment import counted, plan_and_year
    from departments.tests.factories import DepartmentFactory
    from tasks.models import TaskKind
    from tasks.tests.factories import LeadFactory, SupportingFactory, TargetFactory, TaskFactory

    generate(tasks=30, departments=8, reports=100, seed=2)
    plan, year = plan_and_year()

    def draft() -> int:
        return len(compute(year=year, rules=plan_rules(plan), units=assessment_inputs(plan, year)))

    units_before, small, _ = counted(draft)
    for index in range(40):  # more tasks, units, targets and supporting cells
        task = TaskFactory(plan=plan, number=1000 + index, kind=TaskKind.INDICATOR, binding=index % 3 == 0)
        LeadFactory(task=task, department=DepartmentFactory())
        SupportingFactory(task=task, department=DepartmentFactory())
        TargetFactory(task=task)
    units_after, large, _ = counted(draft)
    assert units_after >= units_before + 40
    assert small == large
