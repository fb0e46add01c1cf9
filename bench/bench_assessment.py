"""The annual assessment's draft (目标责任制考核) on the synthetic database (10,000 tasks, 80 units,
100,000 reports): median time and queries.

``python -m bench.bench_assessment [--runs 5] [--year YYYY] [--database PATH | --postgres URL]``.
The database is chosen as in ``bench.bench_meeting_pack`` (a throwaway SQLite file filled by
``bench.synthetic.generate()``, a file made by ``python -m bench.synthetic`` reused, or a fresh
PostgreSQL database ``bench_assessment`` dropped at the end).

Measured, ``--runs`` times each after one warm-up, for the year of the latest open period:

- **inputs + compute**: ``assessment.selectors.assessment_inputs`` (every period of the year's
  standing, the effective units, the targets' evaluations) and ``assessment.compute.compute`` —
  the draft for every unit, without writing it;
- **compute_draft**: the service the page and the API call (the above, and the results stored in
  one transaction);
- **GET /api/assessments/{id}/**: the stored draft read back by the plan office.

The process is measured as the web and worker processes run: the start-up heap frozen
(``xingping_tracker.core.heap.freeze_startup_heap``, called by ``xingping_tracker.wsgi`` and the
Celery worker) before the warm-up; ``--no-freeze`` measures without it (every full garbage
collection then rescans Django's ~125,000 start-up objects: about a fifth slower).

Target (issue 13): the draft for 80 units ≤ 1 s median, in a number of queries that does not grow
with the data (the smoke test compares it with a tiny plan's).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from bench.runtime import (
    Summary,
    add_database_arguments,
    freeze_as_in_production,
    machine_reference_line,
    print_table,
    role_client,
    stopwatch,
)
from bench.runtime import prepared_database as runtime_prepared_database

POSTGRES_DATABASE = "bench_assessment"
OFFICE_USERNAME = "bench_assessment_office"
TARGET_MS = 1000.0


def plan_and_year(year: int | None = None) -> tuple[Any, int]:
    from progress.models import PeriodStatus, ReviewPeriod

    period = (
        ReviewPeriod.objects.filter(status=PeriodStatus.OPEN).select_related("plan").order_by("-starts_on").first()
        or ReviewPeriod.objects.select_related("plan").order_by("-starts_on").first()
    )
    if period is None:
        raise SystemExit("the database has no review period: make it with python -m bench.synthetic")
    return period.plan, year or period.ends_on.year


def counted(call: Callable[[], Any]) -> tuple[Any, int, float]:
    """(result, queries, seconds) of one call; queries counted by an execute wrapper."""
    from django.db import connection

    executed: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count), stopwatch() as elapsed:
        result = call()
    return result, len(executed), elapsed()


def measure(*, runs: int, warmups: int = 1, year: int | None = None) -> list[tuple[str, Summary, int, int]]:
    """(label, timings, queries of the last run, units) per measurement."""
    from django.contrib.auth import get_user_model

    from access.roles import PLAN_OFFICE_GROUP
    from assessment.compute import compute
    from assessment.selectors import assessment_inputs, plan_rules
    from assessment.services import compute_draft

    plan, year = plan_and_year(year)
    client = role_client(PLAN_OFFICE_GROUP, username=OFFICE_USERNAME)
    office = get_user_model().objects.get(username=OFFICE_USERNAME)
    rules = plan_rules(plan)

    def draft_only() -> int:
        return len(compute(year=year, rules=rules, units=assessment_inputs(plan, year)))

    def service() -> int:
        return compute_draft(plan_id=plan.pk, year=year, user=office).results.count()

    assessment_id: list[int] = []

    def read_back() -> int:
        if not assessment_id:
            from assessment.models import Assessment

            assessment_id.append(Assessment.objects.get(plan=plan, year=year).pk)
        response = client.get(f"/api/assessments/{assessment_id[0]}/")
        assert response.status_code == 200, response.status_code
        return len(response.json()["results"])

    figures = []
    for label, call in (
        ("inputs + compute", draft_only),
        ("compute_draft (stored)", service),
        ("GET /api/assessments/{id}/", read_back),
    ):
        for _ in range(warmups):
            call()
        times, queries, units = [], 0, 0
        for _ in range(runs):
            units, queries, seconds = counted(call)
            times.append(seconds)
        figures.append((label, Summary.of(times), queries, units))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_assessment", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--year", type=int, help="the assessment year (default: the latest open period's)")
    parser.add_argument(
        "--no-freeze", action="store_true", help="leave the start-up heap unfrozen (not as the web and worker processes)"
    )
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    with runtime_prepared_database(
        args.database, args.postgres, postgres_name=POSTGRES_DATABASE, prefix="bench-assessment-"
    ) as (name, setup_seconds, origin):
        from tasks.models import Task

        plan, year = plan_and_year(args.year)
        print(
            f"{name} ({origin}, set-up {setup_seconds:.1f} s): {Task.objects.filter(plan=plan).count()} tasks, year {year}"
        )
        print(freeze_as_in_production(skip=args.no_freeze))
        print(machine_reference_line())
        figures = measure(runs=max(1, args.runs), year=args.year)
        print_table(
            ["measurement", "units", "median ms", "p95 ms", "min ms", "max ms", "queries"],
            [
                (label, units, s.median_ms, s.p95_ms, s.min_ms, s.max_ms, queries)
                for label, s, queries, units in figures
            ],
        )
        draft = figures[0][1].median_ms
        print(
            f"target: draft ≤ {TARGET_MS:.0f} ms median: {'met' if draft <= TARGET_MS else 'MISSED'} ({draft:.0f} ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
