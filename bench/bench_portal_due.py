"""The portal's pages on the synthetic database (10,000 tasks, 80 units, 100,000 reports): server time and queries.

``python -m bench.bench_portal_due [--repeats 10] [--warmups 2] [--database PATH | --postgres URL] [--no-freeze]``.
The database is chosen as in ``bench.bench_api_reports``: a throwaway SQLite file filled by
``bench.synthetic.generate()`` (set-up, not timed), a file made by ``python -m bench.synthetic``
(reused), or a fresh PostgreSQL database dropped at the end.

The start-up heap is frozen first, as the web processes do (``xingping_tracker.wsgi``; ``--no-freeze``
leaves it). Requests go through Django's test Client (``force_login``), so the time is the whole
request/response cycle inside the process, template rendering included (no network, no web server):

- 本期待填报 (``progress:home``) for a reporter of the unit that leads the most tasks (市发改局 in
  the synthetic plan): the open period, ``?role=lead``, ``?status=`` the first status filter, the
  last closed period (``?period=``), and the open period's last page;
- the plan office's board of the open period (``progress:period_board``), when the page exists:
  its last page, filtered by that unit and 只看逾期, and its first page.

The query count of a page must not grow with the data: the script exits with 1 when the home
page's variants differ by more than the one query a filter may add, or the board's differ at all.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from typing import Any

from bench.bench_api_tasks import RequestFigures
from bench.runtime import (
    Summary,
    add_database_arguments,
    freeze_as_in_production,
    machine_reference_line,
    print_table,
    stopwatch,
    unit_clerk,
)

CLERK_USERNAME = "bench_portal_clerk"


def measure_pages(
    client: Any, urls: Sequence[tuple[str, str]], *, repeats: int = 10, warmups: int = 2
) -> list[RequestFigures]:
    """For each (label, url): ``warmups`` untimed GETs, one counting queries, then ``repeats`` timed GETs.

    ``rows`` is the size of the HTML in KiB. Raises RuntimeError when a response is not 200.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    figures = []
    for label, url in urls:
        for _ in range(warmups):
            _get(client, url)
        with CaptureQueriesContext(connection) as queries:
            size = len(_get(client, url))
        query_count = len(queries)
        timings = []
        for _ in range(repeats):
            with stopwatch() as elapsed:
                _get(client, url)
            timings.append(elapsed())
        figures.append(RequestFigures(label, url, Summary.of(timings), query_count, size // 1024))
    return figures


def _get(client: Any, url: str) -> bytes:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    return response.content


def busiest_lead_unit() -> tuple[int, str, int]:
    """(id, name, lead tasks) of the unit leading the most tasks."""
    from django.db.models import Count

    from tasks.models import Assignment, AssignmentRole

    row = (
        Assignment.objects.filter(role=AssignmentRole.LEAD, department__isnull=False)
        .values("department_id", "department__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "department_id")
        .first()
    )
    return row["department_id"], row["department__name"], row["n"]


def portal_urls(department_id: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(the clerk's home page URLs, the plan office's URLs) for the database."""
    from django.urls import NoReverseMatch, reverse

    from progress.models import PeriodStatus, ReviewPeriod
    from progress.views.unit import DUE_STATUS_CHOICES

    home = reverse("progress:home")
    open_period = ReviewPeriod.objects.filter(status=PeriodStatus.OPEN).latest("starts_on")
    closed = ReviewPeriod.objects.filter(status=PeriodStatus.CLOSED).order_by("-starts_on").first()
    first_status = DUE_STATUS_CHOICES[0][0]
    clerk = [
        ("home (open period)", home),
        ("home ?role=lead", f"{home}?role=lead"),
        (f"home ?status={first_status}", f"{home}?status={first_status}"),
    ]
    if closed is not None:
        clerk.append((f"home ?period={closed.pk} (closed)", f"{home}?period={closed.pk}"))
    clerk.append(("home ?page=999 (the last)", f"{home}?page=999"))
    office = []
    with contextlib.suppress(NoReverseMatch):
        board = reverse("progress:period_board", args=[open_period.pk])
        office += [
            ("period_board ?page=999 (the last)", f"{board}?page=999"),
            (f"period_board ?unit={department_id}&late=on", f"{board}?unit={department_id}&late=on"),
            ("period_board (open period)", board),
        ]
    return clerk, office


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_portal_due", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmups", type=int, default=2)
    add_database_arguments(parser)
    parser.add_argument(
        "--no-freeze", action="store_true", help="leave the start-up heap unfrozen (not as the web and worker processes)"
    )
    args = parser.parse_args(argv)

    from bench.bench_api_reports import prepared_database

    with prepared_database(args.database, args.postgres) as (path, setup_seconds, origin):
        from django.test import Client

        from bench.bench_api_reports import plan_office_client
        from progress.models import ProgressReport

        print(freeze_as_in_production(skip=args.no_freeze))
        print(machine_reference_line())
        reports = ProgressReport.objects.count()
        if not reports:
            raise SystemExit(f"{path} holds no progress reports: make it with python -m bench.synthetic (with reports)")
        unit_id, unit_name, lead_tasks = busiest_lead_unit()
        clerk_urls, office_urls = portal_urls(unit_id)
        clerk_client = Client()
        clerk_client.force_login(unit_clerk(unit_id, username=CLERK_USERNAME))
        repeats, warmups = max(1, args.repeats), max(0, args.warmups)
        figures = measure_pages(clerk_client, clerk_urls, repeats=repeats, warmups=warmups)
        figures += measure_pages(plan_office_client(), office_urls, repeats=repeats, warmups=warmups)
        from django.db import connections

        connections.close_all()

    print(f"Portal pages on the synthetic database, {path} ({reports} reports): {origin} in {setup_seconds:.1f} s")
    print(f"Clerk of {unit_name} (leads {lead_tasks} tasks); {args.repeats} timed requests each after")
    print(f"{args.warmups} warm-ups; times in ms; size in KiB of HTML")
    print_table(
        ["page", "median", "p95", "min", "queries", "KiB"],
        [(f.label, f.summary.median_ms, f.summary.p95_ms, f.summary.min_ms, f.queries, f.rows) for f in figures],
    )
    home_queries = sorted({f.queries for f in figures if f.label.startswith("home")})
    constant = home_queries[-1] - home_queries[0] <= 1
    print(
        f"Home page queries the same for every variant (±1 for a filter): {'yes' if constant else 'NO'} {home_queries}"
    )
    board_queries = sorted({f.queries for f in figures if f.label.startswith("period_board")})
    board_constant = len(board_queries) <= 1
    print(f"Board queries the same for every variant: {'yes' if board_constant else 'NO'} {board_queries}")
    return 0 if constant and board_constant else 1


if __name__ == "__main__":
    sys.exit(main())
