"""Import the 兴平 seed plan into an empty database: median seconds from text to committed rows. Target ≤ 1 s.

``python -m bench.bench_import [--runs 7]``. Set-up, not timed: a throwaway SQLite database is
migrated and the units are loaded from the fixture once, then copied aside. Each run starts from a
fresh copy of it (no plan, no tasks) and times reading the unit directory from the database, parsing
the text and ``import_plan`` up to its commit. One untimed warm-up run counts the SQL queries of an
import (CaptureQueriesContext).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from bench.runtime import SEED_PLAN_PATH, Summary, close_connections, configure, migrate, print_table, stopwatch

TARGET_MEDIAN_S = 1.0


def import_seed(text: str) -> int:
    """Text → committed rows, as the upload does it; returns the number of tasks written."""
    from tasks.importer.parser import parse_plan_text
    from tasks.services.plan_documents import current_unit_directory
    from tasks.services.plan_import import import_plan

    result = parse_plan_text(text, directory=current_unit_directory())
    report = import_plan(result=result, source_text=text)
    return len(report.tasks_created)


def _restore(template: Path, database: Path) -> None:
    """Replace the working database by a fresh copy of the template (connections closed first)."""
    close_connections()
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, database)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    runs = max(1, args.runs)
    text = SEED_PLAN_PATH.read_text(encoding="utf-8")

    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        database, template = Path(tmp) / "bench.sqlite3", Path(tmp) / "template.sqlite3"
        configure(database)

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from departments.services import sync_units_from_fixture
        from tasks.models import Assignment, Task

        with stopwatch() as setup_seconds:
            migrate()
            sync_units_from_fixture()
            close_connections()  # folds the WAL into the file before copying it
            shutil.copyfile(database, template)

        _restore(template, database)
        with CaptureQueriesContext(connection) as queries:
            task_count = import_seed(text)
        query_count = len(queries.captured_queries)
        assignment_count = Assignment.objects.count()

        timings = []
        for _ in range(runs):
            _restore(template, database)
            connection.ensure_connection()  # opening the file is not part of the import
            with stopwatch() as elapsed:
                written = import_seed(text)
            timings.append(elapsed())
            if written != task_count or Task.objects.count() != task_count:
                raise SystemExit(f"run wrote {written} tasks, expected {task_count}")
        close_connections()

    summary = Summary.of(timings)
    print(f"Import the seed plan into an empty database ({task_count} tasks, {assignment_count} assignments)")
    print(f"Set-up (migrate, load units), not timed: {setup_seconds():.1f} s")
    print_table(
        ["figure", "value"],
        [
            ("runs", summary.runs),
            ("median ms", summary.median_ms),
            ("min ms", summary.min_ms),
            ("max ms", summary.max_ms),
            ("SQL queries per import", query_count),
        ],
    )
    verdict = "met" if summary.median_ms / 1000 <= TARGET_MEDIAN_S else "NOT met"
    print(f"Target: median ≤ {TARGET_MEDIAN_S:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
