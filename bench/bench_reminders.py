"""The reminder scan on the synthetic database (10,000 tasks, 80 units, 100,000 reports): time and queries.

``python -m bench.bench_reminders [--runs 7] [--warmups 1] [--database PATH | --postgres URL]``.
The database is chosen as in ``bench.bench_api_reports``: a throwaway SQLite file filled by
``bench.synthetic.generate()`` (set-up, not timed), a file made by ``python -m bench.synthetic``
(reused, left unchanged), or a fresh PostgreSQL database ``bench_reminders`` dropped at the end.

Two days of the open period (2025年下半年, due 2026-01-10) are scanned, when most units owe something:

- the 7th working day before the due date (stage ``wd_before_7``: one digest per owing unit);
- the escalation day (the working day after 5 working days overdue, catching up: ``overdue_1`` and
  ``escalation`` for every owing unit, and the meeting notice).

Each scan is timed as a dry run (decide only) and as a real scan (decide, write the reminders and
their deliveries). A real scan runs inside a transaction that is rolled back afterwards, so every run
starts from the same database and no delivery job is enqueued (jobs run only after a commit): the
time is the scan's own, not the sending. One untimed run counts the SQL queries.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.runtime import Summary, add_database_arguments, print_table, stopwatch
from bench.runtime import prepared_database as runtime_prepared_database

TARGET_MS = 2000
POSTGRES_DATABASE = "bench_reminders"


class _RollBack(Exception):
    """Raised to undo a real scan after it was measured."""


@dataclass(frozen=True)
class ScanFigures:
    label: str
    summary: Summary
    queries: int
    per_stage: dict[str, int]
    units: int
    items: int


def scan_days() -> list[tuple[str, Any]]:
    """(label, day) of the open period's 7th working day before the due date and its escalation day."""
    from progress.models import PeriodStatus, ReviewPeriod
    from reminders import schedule, workdays

    period = ReviewPeriod.objects.filter(status=PeriodStatus.OPEN).latest("starts_on")
    due = period.report_due_on
    return [
        (f"wd_before_7 ({workdays.nth_working_day_before(due, 7)})", workdays.nth_working_day_before(due, 7)),
        (f"escalation ({schedule.escalation_day(due, schedule.DEFAULT_POLICY)})",
         schedule.escalation_day(due, schedule.DEFAULT_POLICY)),
    ]


def _once(day: Any, *, dry_run: bool) -> Any:
    from django.db import transaction

    from reminders.services.scan import scan

    if dry_run:
        return scan(today=day, dry_run=True)
    result = None
    try:
        with transaction.atomic():
            result = scan(today=day)
            raise _RollBack
    except _RollBack:
        pass
    return result


def measure(label: str, day: Any, *, dry_run: bool, runs: int, warmups: int) -> ScanFigures:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmups):
        _once(day, dry_run=dry_run)
    with CaptureQueriesContext(connection) as queries:
        result = _once(day, dry_run=dry_run)
    timings = []
    for _ in range(runs):
        with stopwatch() as elapsed:
            _once(day, dry_run=dry_run)
        timings.append(elapsed())
    return ScanFigures(
        label=f"{label} {'dry run' if dry_run else 'real'}",
        summary=Summary.of(timings),
        queries=len(queries),
        per_stage=result.per_stage,
        units=len({r.department_id for r in result.due if r.department_id is not None}),
        items=sum(len(r.items) for r in result.due),
    )


def check_one_digest_per_unit_and_stage(day: Any) -> bool:
    """The real scan writes one reminder per (unit, stage, period) (a unit's milestones in one digest) and a
    delivery per channel: checked in a rolled-back run."""
    from django.db import transaction

    from reminders.models import Delivery, Reminder
    from reminders.services.scan import scan

    ok = False
    try:
        with transaction.atomic():
            result = scan(today=day)
            rows = list(Reminder.objects.values_list("department_id", "stage", "period_id"))
            ok = (
                len(rows) == len(set(rows)) == len(result.due) == len(result.created)
                and Delivery.objects.count() == len(result.deliveries) >= len(result.created)
            )
            raise _RollBack
    except _RollBack:
        pass
    return ok


@contextmanager
def _database(database: Path | None, postgres: str | None) -> Iterator[tuple[str, float, str]]:
    """The database to measure (:func:`bench.runtime.prepared_database`, PostgreSQL database ``bench_reminders``)."""
    with runtime_prepared_database(database, postgres, postgres_name=POSTGRES_DATABASE, prefix="bench-reminders-") as prepared:
        yield prepared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_reminders", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmups", type=int, default=1)
    add_database_arguments(parser, reuse="reused, unchanged")
    args = parser.parse_args(argv)
    runs, warmups = max(5, args.runs), max(0, args.warmups)

    with _database(args.database, args.postgres) as (path, setup_seconds, origin):
        from progress.models import ProgressReport
        from reminders.models import Reminder
        from tasks.models import Task

        reports, tasks = ProgressReport.objects.count(), Task.objects.count()
        if not reports:
            raise SystemExit(f"{path} holds no progress reports: make it with python -m bench.synthetic (with reports)")
        if Reminder.objects.exists():
            raise SystemExit(f"{path} already holds reminders: use a database made by python -m bench.synthetic")
        figures: list[ScanFigures] = []
        checks: list[tuple[str, Callable[[], bool]]] = []
        for label, day in scan_days():
            for dry_run in (True, False):
                figures.append(measure(label, day, dry_run=dry_run, runs=runs, warmups=warmups))
            checks.append((label, lambda day=day: check_one_digest_per_unit_and_stage(day)))
        checked = [(label, check()) for label, check in checks]
        from django.db import connections

        connections.close_all()

    print(f"Reminder scan on the synthetic database, {path} ({tasks} tasks, {reports} reports): {origin} "
          f"in {setup_seconds:.1f} s (not timed)")
    print(f"{runs} timed scans each after {warmups} warm-up(s); times in ms; real scans rolled back after timing")
    print_table(
        ["scan", "median", "p95", "min", "queries", "units", "tasks listed", "reminders per stage"],
        [
            (f.label, f.summary.median_ms, f.summary.p95_ms, f.summary.min_ms, f.queries, f.units, f.items,
             ", ".join(f"{stage} {n}" for stage, n in sorted(f.per_stage.items())))
            for f in figures
        ],
    )
    met = all(f.summary.median_ms <= TARGET_MS for f in figures)
    print(f"Target median <= {TARGET_MS} ms: {'met' if met else 'MISSED'}")
    for label, ok in checked:
        print(f"One reminder per unit and stage, deliveries per channel ({label}): {'yes' if ok else 'NO'}")
    return 0 if met and all(ok for _, ok in checked) else 1


if __name__ == "__main__":
    sys.exit(main())
