"""bench_dashboard must not rot: one pass of each measurement on a tiny synthetic database. No timing is asserted."""

from __future__ import annotations

import pytest

from bench.bench_dashboard import measure
from bench.synthetic import generate

pytestmark = pytest.mark.django_db


def test_the_dashboard_measurements_run_with_bounded_queries():
    generate(tasks=60, departments=12, seed=1)
    figures, period = measure(repeats=1, warmups=0)
    by_label = {f.label: f for f in figures}
    assert list(by_label) == [
        "period_overview()",
        "task_states()",
        "dashboard:home",
        "dashboard:tasks ?light=red",
        "GET /api/dashboard/",
    ]
    assert period.is_open
    assert by_label["period_overview()"].queries == 10
    assert by_label["task_states()"].queries == 5
    assert by_label["dashboard:home"].size > 10  # KiB of HTML: the page was rendered
    assert 0 < by_label["dashboard:home"].queries <= 25
