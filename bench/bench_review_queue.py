"""The plan office's review pages of issue 15 on the synthetic database (10,000 tasks, 80 units,
100,000 reports): server time and queries.

``python -m bench.bench_review_queue [--repeats 10] [--warmups 2] [--database PATH | --postgres URL]``
(the database is chosen as in ``bench.bench_api_reports``). Requests go through Django's test Client
logged in as the plan office, template rendering included:

- the review queue of the open period (all, ``?role=supporting``, its last page) and a report opened
  from it (``?queue=all``: its place, previous/next, the comparison with last period);
- the board with every unit (``?show=all&sort=late``) and one unit count link
  (``?unit=&role=supporting&silent=on``);
- the silent supporting units and the close confirmation.

The query count must not grow with the data: the script exits with 1 when the queue's pages differ.
"""

from __future__ import annotations

import argparse
import sys

from bench.bench_portal_due import busiest_lead_unit, measure_pages
from bench.runtime import add_database_arguments, print_table


def review_urls(department_id: int) -> list[tuple[str, str]]:
    from django.urls import reverse

    from progress.models import PeriodStatus, ProgressReport, ReportStatus, ReviewPeriod

    period = ReviewPeriod.objects.filter(status=PeriodStatus.OPEN).latest("starts_on")
    queue = reverse("progress:review_queue", args=[period.pk])
    board = reverse("progress:period_board", args=[period.pk])
    urls = [
        ("queue (all)", queue),
        ("queue ?role=supporting", f"{queue}?role=supporting"),
        ("queue ?page=999 (the last)", f"{queue}?page=999"),
    ]
    waiting = (
        ProgressReport.objects.filter(period=period, status=ReportStatus.SUBMITTED)
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)
    )
    middle = list(waiting[: max(1, waiting.count() // 2)])[-1:] if waiting.exists() else []
    if middle:
        urls.append(("report ?queue=all (middle)", reverse("progress:report_detail", args=[middle[0]]) + "?queue=all"))
    urls += [
        ("board ?show=all&sort=late", f"{board}?show=all&sort=late"),
        (
            "board unit count (silent)",
            f"{board}?unit={department_id}&role=supporting&silent=on",
        ),
        ("silent units", reverse("progress:silent_units", args=[period.pk])),
        ("close confirmation", reverse("progress:period_close_confirm", args=[period.pk])),
    ]
    return urls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_review_queue", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmups", type=int, default=2)
    add_database_arguments(parser)
    args = parser.parse_args(argv)

    from bench.bench_api_reports import prepared_database

    with prepared_database(args.database, args.postgres) as (path, setup_seconds, origin):
        from django.db import connections

        from bench.bench_api_reports import plan_office_client
        from progress.models import ProgressReport

        reports = ProgressReport.objects.count()
        unit_id, _, _ = busiest_lead_unit()
        figures = measure_pages(
            plan_office_client(), review_urls(unit_id), repeats=max(1, args.repeats), warmups=max(0, args.warmups)
        )
        connections.close_all()

    print(f"Review pages on the synthetic database, {path} ({reports} reports): {origin} in {setup_seconds:.1f} s")
    print(f"{args.repeats} timed requests each after {args.warmups} warm-ups; times in ms; size in KiB of HTML")
    print_table(
        ["page", "median", "p95", "min", "queries", "KiB"],
        [(f.label, f.summary.median_ms, f.summary.p95_ms, f.summary.min_ms, f.queries, f.rows) for f in figures],
    )
    queue_queries = sorted({f.queries for f in figures if f.label.startswith("queue")})
    constant = len(queue_queries) <= 1
    print(f"Queue queries the same for every variant: {'yes' if constant else 'NO'} {queue_queries}")
    return 0 if constant else 1


if __name__ == "__main__":
    sys.exit(main())
