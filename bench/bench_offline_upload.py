"""Offline filling on the synthetic database: the template download and a 500-row upload, validated and written.

``python -m bench.bench_offline_upload [--rows 500] [--runs 3] [--database PATH | --postgres URL]``.
``--database``: a file made by ``python -m bench.synthetic``; it is copied first and the copy is
measured, so the file is never changed. ``--postgres``: a fresh database filled by ``generate()``
and dropped at the end. Neither: a throwaway SQLite file filled by ``generate()`` (set-up, not timed).

Set-up (not timed): the unit leading the most tasks; when fewer than ``--rows`` of its tasks in the
open period can be written (no report yet, or a draft or returned one), lead assignments on other
tasks are added to it until there are. Then, ``--runs`` times each:

- **download**: ``offline.template.build_template`` for a reporter of that unit (the workbook
  bytes, as the page and the API send them);
- **check**: ``offline.upload.check_upload`` of a template where ``--rows`` editable rows were
  filled programmatically (status, percent, the three texts, and every target's actual of those
  rows): reading and validating, no write;
- **upload**: ``offline.upload.apply_upload`` of the same file: validated and written (reports
  created or updated through ``progress.services.reports``, one transaction), inside an outer
  transaction rolled back afterwards so every run starts from the same state.

Prints the median and each run, and the queries of one upload. Exits 1 when an upload does not
write exactly the filled rows.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.runtime import add_database_arguments, print_table, stopwatch, unit_clerk
from bench.runtime import prepared_database as runtime_prepared_database

CLERK_USERNAME = "bench_offline_clerk"
POSTGRES_DATABASE = "bench_offline_upload"


class _Rollback(Exception):
    pass


def busiest_unit(period: Any) -> int:
    from django.db.models import Count

    from tasks.models import Assignment, AssignmentRole

    row = (
        Assignment.objects.filter(role=AssignmentRole.LEAD, department__isnull=False, task__plan_id=period.plan_id)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "department_id")
        .first()
    )
    return row["department_id"]


def ensure_writable_rows(department_id: int, period: Any, rows: int) -> tuple[int, int]:
    """Add lead assignments of the unit on tasks it has no report on in ``period`` until ``rows`` of its
    tasks can be written; returns (writable tasks, assignments added)."""
    from offline.selectors import template_rows
    from progress.models import ProgressReport
    from tasks.models import Assignment, AssignmentRole, Task
    from tasks.services.effective_assignments import refresh_effective_assignments

    writable = sum(1 for row in template_rows(department_id=department_id, period=period) if row.editable)
    if writable >= rows:
        return writable, 0
    mine = Assignment.objects.filter(department_id=department_id).values("task_id")
    reported = ProgressReport.objects.filter(period=period, department_id=department_id).values("task_id")
    candidates = list(
        Task.objects.filter(plan_id=period.plan_id).exclude(pk__in=mine).exclude(pk__in=reported)
        .order_by("number").values_list("pk", flat=True)[: rows - writable]
    )
    Assignment.objects.bulk_create(
        Assignment(task_id=task_id, role=AssignmentRole.LEAD, department_id=department_id, position=9,
                   name_as_written="基准测试单位")
        for task_id in candidates
    )
    refresh_effective_assignments(task_ids=candidates)
    return writable + len(candidates), len(candidates)


def filled_template(content: bytes, rows: int) -> tuple[bytes, int, int]:
    """``content`` with ``rows`` editable rows filled; returns (bytes, rows filled, actual rows filled)."""
    from openpyxl import load_workbook

    from exports.cells import set_value
    from offline import layout

    book = load_workbook(io.BytesIO(content))
    main = book[layout.MAIN_SHEET]
    col = {c.key: i for i, c in enumerate(layout.MAIN_COLUMNS, start=1)}
    filled: set[int] = set()
    for r in range(layout.FIRST_DATA_ROW, main.max_row + 1):
        if len(filled) >= rows:
            break
        if main.cell(row=r, column=col["progress_text"]).protection.locked:
            continue
        number = main.cell(row=r, column=col["number"]).value
        set_value(main.cell(row=r, column=col["status"]), "正常推进")
        main.cell(row=r, column=col["percent"]).value = 50 + r % 40
        set_value(main.cell(row=r, column=col["progress_text"]), f"离线填报：第{number}项任务本期完成投资{r}万元，进度正常。\n下半年继续推进。")
        set_value(main.cell(row=r, column=col["problems_text"]), "用地、资金要素保障仍需加强。")
        set_value(main.cell(row=r, column=col["next_steps_text"]), "=加快项目建设（以等号开头的文字）")
        filled.add(number)
    actuals = book[layout.ACTUALS_SHEET]
    acol = {c.key: i for i, c in enumerate(layout.ACTUAL_COLUMNS, start=1)}
    actual_rows = 0
    for r in range(layout.FIRST_DATA_ROW, actuals.max_row + 1):
        if actuals.cell(row=r, column=acol["number"]).value in filled:
            actuals.cell(row=r, column=acol["value"]).value = 12.5 + r
            actuals.cell(row=r, column=acol["data_date"]).value = dt.date(2025, 6, 30)
            set_value(actuals.cell(row=r, column=acol["state"]), "已填报")
            actual_rows += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), len(filled), actual_rows


def measure(user: Any, period: Any, *, rows: int, runs: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from offline.template import build_template
    from offline.upload import apply_upload, check_upload

    downloads, checks, uploads = [], [], []
    template = None
    for _ in range(runs):
        with stopwatch() as elapsed:
            template = build_template(user=user, period_id=period.pk)
        downloads.append(elapsed())
    data, filled, actual_rows = filled_template(template.content, rows)
    name = "模板.xlsx"
    for _ in range(runs):
        with stopwatch() as elapsed:
            plan = check_upload(data=data, filename=name, user=user)
        checks.append(elapsed())
    results = []
    queries = 0
    for run in range(runs):
        with contextlib.suppress(_Rollback), transaction.atomic():
            with CaptureQueriesContext(connection) as captured, stopwatch() as elapsed:
                result = apply_upload(data=data, filename=name, user=user)
            uploads.append(elapsed())
            if run == 0:
                queries = len(captured)
            results.append(result)
            raise _Rollback
    return {
        "template_rows": template.rows,
        "template_actual_rows": template.actual_rows,
        "template_kib": len(template.content) // 1024,
        "upload_kib": len(data) // 1024,
        "filled": filled,
        "actual_rows": actual_rows,
        "planned_writes": len(plan.writes),
        "written": [len(r.created) + len(r.updated) for r in results],
        "created": len(results[0].created),
        "updated": len(results[0].updated),
        "queries": queries,
        "download": downloads,
        "check": checks,
        "upload": uploads,
    }


@contextmanager
def prepared_database(database: Path | None, postgres: str | None) -> Iterator[tuple[str, float, str]]:
    """The database to measure (:func:`bench.runtime.prepared_database`, PostgreSQL database ``bench_offline_upload``)."""
    with runtime_prepared_database(database, postgres, postgres_name=POSTGRES_DATABASE, prefix="bench-offline-") as prepared:
        yield prepared


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_offline_upload", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    add_database_arguments(parser, reuse="copied, not changed")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-offline-") as tmp:
        copy = None
        if args.database:
            copy = Path(tmp) / "synthetic-copy.sqlite3"
            shutil.copyfile(args.database, copy)
        with prepared_database(copy, args.postgres) as (where_label, setup_seconds, origin):
            from django.db import connections

            from progress.models import PeriodStatus, ReviewPeriod

            period = ReviewPeriod.objects.filter(status=PeriodStatus.OPEN).latest("starts_on")
            unit_id = busiest_unit(period)
            writable, added = ensure_writable_rows(unit_id, period, args.rows)
            user = unit_clerk(unit_id, username=CLERK_USERNAME)
            figures = measure(user, period, rows=args.rows, runs=max(1, args.runs))
            connections.close_all()

    print(f"Offline template on {where_label}: {origin} in {setup_seconds:.1f} s (not timed)")
    print(
        f"Unit {unit_id}, period {period.name}: template of {figures['template_rows']} rows "
        f"({figures['template_actual_rows']} target rows, {figures['template_kib']} KiB); {writable} writable"
        f"{f' ({added} lead assignments added)' if added else ''}"
    )
    print(
        f"Upload of {figures['filled']} filled rows and {figures['actual_rows']} target rows ({figures['upload_kib']} KiB): "
        f"{figures['created']} created, {figures['updated']} updated, {figures['queries']} queries"
    )
    print_table(
        ["step", "median ms", "runs ms"],
        [
            (label, _ms(values), " ".join(f"{v * 1000:.0f}" for v in values))
            for label, values in (("download", figures["download"]), ("check (no write)", figures["check"]),
                                  ("upload (check + write)", figures["upload"]))
        ],
    )
    ok = all(n == figures["filled"] for n in figures["written"]) and figures["planned_writes"] == figures["filled"]
    print(f"Every run wrote exactly the filled rows: {'yes' if ok else 'NO'} {figures['written']}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
