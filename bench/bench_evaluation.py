"""The plan's evaluation report (总结评估) on the synthetic database (10,000 tasks, 100,000 reports, ten periods).

``python -m bench.bench_evaluation [--runs 3] [--as-of YYYY-MM-DD] [--database PATH | --postgres URL]``.
The database is chosen as in ``bench.bench_meeting_pack`` (a throwaway SQLite file filled by
``bench.synthetic.generate()``, a file made by ``python -m bench.synthetic`` reused, or a fresh
PostgreSQL database dropped at the end). The as-of day defaults to 2026-01-31: after the plan period,
so every one of its ten periods is read (the largest report).

Measured, ``--runs`` times each (medians):

- **figures**: ``evaluation.report.build_report`` — the indicators with their evaluations, the task
  states of the reference period, the latest words, the units' record over every period (queries);
- **workbook**: figures + ``evaluation.workbook.build_workbook`` (the .xlsx bytes) — the target;
- **docx**: ``evaluation.document.build_document`` of one report (not a target; said for the record);
- **memory**: ``tracemalloc`` peak of one workbook build, and the peak resident set of a fresh child
  process during one (Linux ``VmHWM``, reset just before it; see ``bench.bench_meeting_pack.child``).

Targets (issue 13): workbook ≤ 5 s median, peak memory ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench.runtime import (
    MB,
    add_database_arguments,
    fresh_process_line,
    peak_rss_of,
    prepared_database,
    print_table,
    stopwatch,
)

DEFAULT_AS_OF = dt.date(2026, 1, 31)
POSTGRES_DATABASE = "bench_evaluation"


def the_plan() -> Any:
    from tasks.models import Plan

    plan = Plan.objects.defer("source_text").order_by("-pk").first()
    if plan is None:
        raise SystemExit("the database has no plan: make it with python -m bench.synthetic")
    return plan


def build_figures(plan: Any, as_of: dt.date) -> tuple[Any, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluation.report import build_report

    with CaptureQueriesContext(connection) as queries:
        report = build_report(plan, as_of=as_of)
    return report, len(queries)


def build_workbook(plan: Any, as_of: dt.date) -> tuple[int, int]:
    """Figures and workbook: (bytes, queries)."""
    from evaluation.workbook import build_workbook as write

    report, queries = build_figures(plan, as_of)
    handle = write(report)
    size = len(handle.read())
    handle.close()
    return size, queries


def build_docx(report: Any) -> int:
    from evaluation.document import build_document

    handle = build_document(report)
    size = len(handle.read())
    handle.close()
    return size


def child(database_url: str, as_of: str) -> dict[str, float]:
    """In a fresh process: Django set up and the modules imported, then one workbook; its peak RSS."""
    from bench.runtime import configure_url

    configure_url(database_url)
    plan = the_plan()
    import evaluation.report  # noqa: F401 - imports and the connection, not the workbook
    import evaluation.workbook  # noqa: F401

    return peak_rss_of(lambda: build_workbook(plan, dt.date.fromisoformat(as_of)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_evaluation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--as-of", dest="as_of", default=DEFAULT_AS_OF.isoformat())
    parser.add_argument("--no-child", action="store_true", help="skip the fresh-process RSS measurement")
    parser.add_argument("--no-docx", action="store_true", help="skip the .docx measurement")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: a database URL
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.as_of)))
        return 0

    as_of = dt.date.fromisoformat(args.as_of)
    runs = max(1, args.runs)
    with prepared_database(args.database, args.postgres, postgres_name=POSTGRES_DATABASE, prefix="bench-eval-") as (
        path,
        setup_seconds,
        origin,
    ):
        from django.conf import settings
        from django.db import connections

        plan = the_plan()
        report, figure_queries = build_figures(plan, as_of)  # warm-up (imports, SQLite page cache)
        figures_times, workbook_times, workbook_cpu, sizes, queries = [], [], [], [], []
        for _ in range(runs):
            with stopwatch() as elapsed:
                build_figures(plan, as_of)
            figures_times.append(elapsed())
            cpu = time.process_time()
            with stopwatch() as elapsed:
                size, count = build_workbook(plan, as_of)
            workbook_times.append(elapsed())
            workbook_cpu.append(time.process_time() - cpu)
            sizes.append(size)
            queries.append(count)
        docx_times, docx_size = [], 0
        if not args.no_docx:
            for _ in range(runs):
                with stopwatch() as elapsed:
                    docx_size = build_docx(report)
                docx_times.append(elapsed())
        del report
        tracemalloc.start()
        build_workbook(plan, as_of)
        traced_peak = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()
        child_figures: dict[str, float] = {}
        if not args.no_child:
            database = settings.DATABASES["default"]
            url = (
                f"sqlite:///{database['NAME']}"
                if database["ENGINE"].endswith("sqlite3")
                else os.environ["DATABASE_URL"]
            )
            result = subprocess.run(
                [sys.executable, "-m", "bench.bench_evaluation", "--child", url, "--as-of", as_of.isoformat()],
                capture_output=True,
                text=True,
                check=False,
                cwd=Path(__file__).resolve().parent.parent,
            )
            if result.returncode == 0:
                child_figures = json.loads(result.stdout.strip().splitlines()[-1])
            else:
                print(f"The fresh-process measurement failed:\n{result.stderr[-2000:]}", file=sys.stderr)
        tasks = plan.tasks.count()
        connections.close_all()

    workbook_median = statistics.median(workbook_times)
    print(f"Evaluation report on the synthetic database, {path} ({tasks} tasks): {origin} in {setup_seconds:.1f} s")
    print(f"As of {as_of}; {runs} timed runs after one warm-up; load average {os.getloadavg()[0]:.2f}")
    rows = [
        (
            "figures",
            f"{statistics.median(figures_times):.2f}",
            f"{min(figures_times):.2f}",
            f"{max(figures_times):.2f}",
            figure_queries,
            "",
        ),
        (
            "workbook (figures + .xlsx)",
            f"{workbook_median:.2f}",
            f"{min(workbook_times):.2f}",
            f"{max(workbook_times):.2f}",
            queries[0],
            sizes[0] // 1024,
        ),
    ]
    if docx_times:
        rows.append(
            (
                "docx (from the figures)",
                f"{statistics.median(docx_times):.2f}",
                f"{min(docx_times):.2f}",
                f"{max(docx_times):.2f}",
                0,
                docx_size // 1024,
            )
        )
    print_table(["measure", "median s", "min s", "max s", "queries", "KiB"], rows)
    print(
        f"Workbook CPU time of this process (SQLite runs in it): median {statistics.median(workbook_cpu):.2f} s "
        f"(wall / CPU {workbook_median / statistics.median(workbook_cpu):.1f}: the rest is waiting for a core or the disk)"
    )
    print(f"tracemalloc peak of one workbook build: {traced_peak:.1f} MB")
    if child_figures:
        print(fresh_process_line(child_figures))
    ok = workbook_median <= 5.0 and traced_peak <= 300 and child_figures.get("rss_peak_mb", 0) <= 300
    print(f"Targets (workbook ≤ 5 s median, ≤ 300 MB peak): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
