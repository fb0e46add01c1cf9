"""GET /api/reports/ on the synthetic database (10,000 tasks, 80 units, 100,000 reports): median server time and queries.

``python -m bench.bench_api_reports [--repeats 20] [--warmups 3] [--database PATH | --postgres URL]``.
Without ``--database`` a throwaway SQLite file is migrated and filled by ``bench.synthetic.generate()``
(set-up, not timed). With ``--database`` a file made by ``python -m bench.synthetic`` (with reports)
is reused; the users below are added to it. With ``--postgres postgres://postgres@127.0.0.1:5432``
a fresh PostgreSQL database ``bench_reports`` is created, filled, analysed, and dropped at the end.

Two users, both through Django's test Client (``force_login``) asking for JSON, so the time is the
whole request/response cycle inside the process (no network, no web server):

- the plan office (group 规划科: sees all 100,000 reports): pages 1, 2 and the last page of the
  default page size, then the filters unit (the unit with the most reports), period (the open one),
  status=submitted, overdue=true, binding=true, and period + status + role together;
- a reporter of the unit with the most reports in the open period (sees its own reports and the
  non-draft reports on its tasks): page 1, the last page, and ``?unit=<own>&period=<open>`` (what the
  load test's staff ask for).

The query count of a list must not depend on the page or on the data: the script exits with 1 when
the plan office's pages 1, 2 and last differ, or the clerk's pages do.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.bench_api_tasks import measure_requests
from bench.runtime import add_database_arguments, print_table, role_client, unit_clerk
from bench.runtime import prepared_database as runtime_prepared_database

POSTGRES_DATABASE = "bench_reports"

PLAN_OFFICE_USERNAME = "bench_plan_office"
CLERK_USERNAME = "bench_report_clerk"


def plan_office_client() -> Any:
    from access.roles import PLAN_OFFICE_GROUP

    return role_client(PLAN_OFFICE_GROUP, username=PLAN_OFFICE_USERNAME)


def clerk_client(department_id: int) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(unit_clerk(department_id, username=CLERK_USERNAME))
    return client


def report_urls(*, page_size: int | None = None) -> tuple[list[tuple[str, str]], list[tuple[str, str]], int]:
    """(the plan office's URLs, the clerk's URLs, the clerk's unit id) for the reports in the database."""
    from django.conf import settings
    from django.db.models import Count

    from access.querysets import reports_visible_to
    from progress.models import PeriodStatus, ProgressReport, ReviewPeriod

    size = page_size or settings.REST_FRAMEWORK["PAGE_SIZE"]
    suffix = f"&page_size={page_size}" if page_size else ""
    total = ProgressReport.objects.count()
    last = max(1, -(-total // size))
    period = ReviewPeriod.objects.filter(status=PeriodStatus.OPEN).latest("starts_on")
    busiest = (
        ProgressReport.objects.values("department_id").annotate(n=Count("pk")).order_by("-n", "department_id").first()
    )
    in_period = (
        ProgressReport.objects.filter(period=period)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "department_id")
        .first()
    )
    office = [
        ("office page 1", f"/api/reports/?page=1{suffix}"),
        ("office page 2", f"/api/reports/?page=2{suffix}"),
        (f"office page {last} (last)", f"/api/reports/?page={last}{suffix}"),
        (f"office unit={busiest['department_id']} ({busiest['n']})", f"/api/reports/?unit={busiest['department_id']}"),
        (f"office period={period.pk} (open)", f"/api/reports/?period={period.pk}{suffix}"),
        ("office status=submitted", f"/api/reports/?status=submitted{suffix}"),
        ("office overdue=true", f"/api/reports/?overdue=true{suffix}"),
        ("office binding=true", f"/api/reports/?binding=true{suffix}"),
        ("office period+status+role", f"/api/reports/?period={period.pk}&status=submitted&role=lead{suffix}"),
    ]
    unit = in_period["department_id"]
    client = clerk_client(unit)  # creates the clerk, so its visible reports can be counted
    visible = reports_visible_to(ProgressReport.objects.all(), user=client_user(client)).count()
    clerk_last = max(1, -(-visible // size))
    clerk = [
        (f"clerk page 1 ({visible} visible)", f"/api/reports/?page=1{suffix}"),
        (f"clerk page {clerk_last} (last)", f"/api/reports/?page={clerk_last}{suffix}"),
        (f"clerk unit+period ({in_period['n']})", f"/api/reports/?unit={unit}&period={period.pk}&page_size=100"),
        ("clerk overdue=true", f"/api/reports/?overdue=true{suffix}"),
    ]
    return office, clerk, unit


def client_user(client: Any) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


@contextmanager
def prepared_database(database: Path | None, postgres: str | None) -> Iterator[tuple[str, float, str]]:
    """The database to measure (:func:`bench.runtime.prepared_database`, PostgreSQL database ``bench_reports``)."""
    with runtime_prepared_database(database, postgres, postgres_name=POSTGRES_DATABASE, prefix="bench-reports-") as prepared:
        yield prepared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_api_reports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--warmups", type=int, default=3)
    add_database_arguments(parser)
    args = parser.parse_args(argv)

    with prepared_database(args.database, args.postgres) as (path, setup_seconds, origin):
        from progress.models import ProgressReport

        reports = ProgressReport.objects.count()
        if not reports:
            raise SystemExit(f"{path} holds no progress reports: make it with python -m bench.synthetic (with reports)")
        office_urls, clerk_urls, unit = report_urls()
        repeats, warmups = max(1, args.repeats), max(0, args.warmups)
        office = measure_requests(plan_office_client(), office_urls, repeats=repeats, warmups=warmups)
        clerk = measure_requests(clerk_client(unit), clerk_urls, repeats=repeats, warmups=warmups)
        from django.db import connections

        connections.close_all()

    print(f"GET /api/reports/ on the synthetic database, {path} ({reports} reports): {origin} in {setup_seconds:.1f} s")
    print(f"{args.repeats} timed requests each after {args.warmups} warm-ups; times in ms")
    figures = office + clerk
    print_table(
        ["request", "median", "p95", "min", "queries", "rows"],
        [(f.label, f.summary.median_ms, f.summary.p95_ms, f.summary.min_ms, f.queries, f.rows) for f in figures],
    )
    office_pages = {f.queries for f in office[:3]}
    clerk_pages = {f.queries for f in clerk[:2]}
    same = len(office_pages) == 1 and len(clerk_pages) == 1
    print(
        f"Queries per page the same on every page: {'yes' if same else 'NO'} "
        f"(plan office {sorted(office_pages)}, clerk {sorted(clerk_pages)})"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
