"""The meeting pack (会议材料) of the open period on the synthetic database (10,000 tasks, 100,000 reports).

``python -m bench.bench_meeting_pack [--runs 3] [--database PATH | --postgres URL]``. The database
is chosen as in ``bench.bench_api_reports`` (a throwaway SQLite file filled by
``bench.synthetic.generate()``, a file made by ``python -m bench.synthetic`` reused, or a fresh
PostgreSQL database dropped at the end).

Measured, ``--runs`` times each:

- **pack**: ``exports.meeting_pack.build_meeting_pack(period, sheets=SHEET_KEYS)`` — the dashboard's
  overview, the ledger rows, every sheet (the full 台账 included, which the printed default pack
  leaves out), the .xlsx bytes (wall time, queries);
- **bare**: an openpyxl write-only workbook with the same sheets and cell values (the ledger rows
  read once beforehand, not timed) and no styles, merged cells, print settings or charts — what
  openpyxl itself costs; the ratio pack / bare says what the layout and the reads add;
- **memory**: ``tracemalloc`` peak of one build (a separate run: tracing slows Python down), and
  the peak resident set of a fresh child process (``--child``) during one build (Linux ``VmHWM``,
  reset just before it), which also counts lxml's buffers and the database driver's.

Targets (issue 5): pack ≤ 5 s median, peak memory ≤ 300 MB, ratio aim ≤ 2.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.runtime import MB, add_database_arguments, fresh_process_line, peak_rss_of, print_table, stopwatch
from bench.runtime import prepared_database as runtime_prepared_database


def open_period() -> Any:
    from progress.models import PeriodStatus, ReviewPeriod

    period = (
        ReviewPeriod.objects.filter(status=PeriodStatus.OPEN).select_related("plan").order_by("-starts_on").first()
        or ReviewPeriod.objects.select_related("plan").order_by("-starts_on").first()
    )
    if period is None:
        raise SystemExit("the database has no review period: make it with python -m bench.synthetic")
    return period


def build_pack(period: Any) -> tuple[int, int]:
    """One pack: (bytes, queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from exports.meeting_pack import SHEET_KEYS, build_meeting_pack

    with CaptureQueriesContext(connection) as queries:
        handle = build_meeting_pack(period, sheets=SHEET_KEYS)
        size = len(handle.read())
        handle.close()
    return size, len(queries)


def bare_sheets(period: Any) -> list[tuple[str, list[list[Any]]]]:
    """The pack's sheets as plain cell values (read once, outside the timing)."""
    from dashboard.selectors.overview import period_overview
    from exports.ledger import LEDGER_COLUMNS, ledger_values
    from exports.selectors import LedgerFilters, ledger_rows

    overview = period_overview(period)
    rows = list(ledger_rows(LedgerFilters(period=period), states=overview.states, task_ids=list(overview.states)))
    header = [column.header for column in LEDGER_COLUMNS]

    def table(selected: list[Any]) -> list[list[Any]]:
        return [["标题"], ["副标题"], header, *[[value for value, _ in ledger_values(row)] for row in selected]]

    by_id = {row.task_id: row for row in rows}
    sheets = [("封面汇总", [[u.name, u.tasks, u.completed, u.rate] for u in overview.lead_units])]
    sheets.append(("台账", table(rows)))
    sheets.append(("逾期及风险任务", table([by_id[s.task_id] for s in overview.attention if s.task_id in by_id])))
    sheets.append(("约束性指标", [[b.number, b.indicator, b.target_text, b.actual_text] for b in overview.binding]))
    for unit in overview.lead_units:
        sheets.append((unit.name[:31], table([row for row in rows if unit.unit_id in row.lead_unit_ids])))
    return sheets


def build_bare(sheets: list[tuple[str, list[list[Any]]]]) -> int:
    """The same values in a write-only workbook without styles: bytes written."""
    import tempfile

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for title, rows in sheets:
        name, n = title, 2
        while name in taken:
            name, n = f"{title[:27]}({n})", n + 1
        taken.add(name)
        ws = workbook.create_sheet(name)
        for row in rows:
            ws.append(row)
    with tempfile.SpooledTemporaryFile(max_size=16 * MB) as handle:
        workbook.save(handle)
        return handle.tell()


def child(database_url: str) -> dict[str, float]:
    """In a fresh process: Django set up and the modules imported, then one pack; its peak RSS
    (:func:`bench.runtime.peak_rss_of`: the bench's own process holds the bare workbook's cells)."""
    from bench.runtime import configure_url

    configure_url(database_url)
    period = open_period()
    import dashboard.selectors.overview  # noqa: F401 - imports and the connection, not the pack
    import exports.meeting_pack  # noqa: F401

    return peak_rss_of(lambda: build_pack(period))


POSTGRES_DATABASE = "bench_meeting_pack"  # its own database: other benches may run at the same time


@contextmanager
def _database(database: Path | None, postgres: str | None) -> Iterator[tuple[str, float, str]]:
    """The database to measure (:func:`bench.runtime.prepared_database`, PostgreSQL database ``bench_meeting_pack``)."""
    with runtime_prepared_database(database, postgres, postgres_name=POSTGRES_DATABASE, prefix="bench-pack-") as prepared:
        yield prepared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_meeting_pack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-child", action="store_true", help="skip the fresh-process RSS measurement")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: a database URL
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return 0

    runs = max(1, args.runs)
    with _database(args.database, args.postgres) as (path, setup_seconds, origin):
        from django.conf import settings

        from tasks.models import Task

        period = open_period()
        tasks = Task.objects.filter(plan_id=period.plan_id).count()
        build_pack(period)  # warm-up (imports, SQLite page cache)
        pack_times, sizes, queries = [], [], []
        for _ in range(runs):
            with stopwatch() as elapsed:
                size, count = build_pack(period)
            pack_times.append(elapsed())
            sizes.append(size)
            queries.append(count)
        sheets = bare_sheets(period)
        cells = sum(len(row) for _, rows in sheets for row in rows)
        bare_times = []
        for _ in range(runs):
            with stopwatch() as elapsed:
                build_bare(sheets)
            bare_times.append(elapsed())
        del sheets
        tracemalloc.start()
        build_pack(period)
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
                [sys.executable, "-m", "bench.bench_meeting_pack", "--child", url],
                capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parent.parent,
            )
            if result.returncode == 0:
                child_figures = json.loads(result.stdout.strip().splitlines()[-1])
            else:
                print(f"The fresh-process measurement failed:\n{result.stderr[-2000:]}", file=sys.stderr)
        from django.db import connections

        connections.close_all()

    pack_median, bare_median = statistics.median(pack_times), statistics.median(bare_times)
    print(f"Meeting pack on the synthetic database, {path} ({tasks} tasks): {origin} in {setup_seconds:.1f} s")
    print(f"Period {period.name}; {runs} timed runs after one warm-up; load average {os.getloadavg()[0]:.2f}")
    print_table(
        ["measure", "median s", "min s", "max s", "queries", "KiB"],
        [
            ("pack", f"{pack_median:.2f}", f"{min(pack_times):.2f}", f"{max(pack_times):.2f}", queries[0], sizes[0] // 1024),
            (f"bare write-only ({cells} cells)", f"{bare_median:.2f}", f"{min(bare_times):.2f}", f"{max(bare_times):.2f}", 0, ""),
        ],
    )
    print(f"Ratio pack / bare: {pack_median / bare_median:.2f}")
    print(f"tracemalloc peak of one build: {traced_peak:.1f} MB")
    if child_figures:
        print(fresh_process_line(child_figures))
    ok = pack_median <= 5.0 and traced_peak <= 300 and child_figures.get("rss_peak_mb", 0) <= 300
    print(f"Targets (≤ 5 s median, ≤ 300 MB peak): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
