"""The portal's search (/search/?q=…) on the synthetic database (10,000 tasks): median server time
per request and queries, for the plan office (sees every task) and a clerk of the busiest lead unit.

``python -m bench.bench_search [--repeats 15] [--warmups 2] [--database PATH] [--postgres URL]``.
Terms: a task number, a piece of a task's text, and the busiest unit's name. Requests go through
Django's test Client (no network, no web server); the query count must not depend on the term.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from bench.runtime import Summary, prepared_database, print_table, role_client, stopwatch, unit_clerk


def _terms() -> list[tuple[str, str]]:
    from django.db.models import Count

    from departments.models import Department
    from tasks.models import Assignment, AssignmentRole, Task

    tasks = Task.objects.order_by("pk")
    task = tasks[tasks.count() // 20]  # task 501 of the 10,000
    busiest = (
        Assignment.objects.filter(role=AssignmentRole.LEAD, department__isnull=False)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "department_id")
        .first()
    )
    unit = Department.objects.get(pk=busiest["department_id"])
    words = task.text.strip()
    return [("number", str(task.number)), ("text", words[2:8]), ("unit", unit.name)]


def _client_for_unit() -> Any:
    from django.test import Client

    from departments.models import Department

    unit = Department.objects.filter(effective_rows__role="lead").order_by("pk").first()
    client = Client()
    client.force_login(unit_clerk(unit.pk, username="bench_search_clerk"))
    return client


def measure(client: Any, term: str, *, repeats: int, warmups: int) -> tuple[Summary, int, int]:
    """(timings, queries of one request, tasks found) for ``/search/?q=term``."""
    from django.db import connection

    url = f"/search/?q={term}"
    for _ in range(warmups):
        client.get(url)
    statements: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    found = re.search(r"共(\d+)项", response.content.decode())
    timings = []
    for _ in range(repeats):
        with stopwatch() as elapsed:
            client.get(url)
        timings.append(elapsed())
    return Summary.of(timings), len(statements), int(found.group(1)) if found else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--database", type=Path, help="a database made by python -m bench.synthetic (reused)")
    parser.add_argument("--postgres", help="a PostgreSQL server URL: a fresh database bench_search is made there")
    args = parser.parse_args(argv)

    with prepared_database(args.database, args.postgres, postgres_name="bench_search") as (name, seconds, origin):
        from access.roles import PLAN_OFFICE_GROUP

        clients = [
            ("plan office", role_client(PLAN_OFFICE_GROUP, username="bench_search_office")),
            ("clerk", _client_for_unit()),
        ]
        rows = []
        for who, client in clients:
            for label, term in _terms():
                summary, queries, found = measure(
                    client, term, repeats=max(1, args.repeats), warmups=max(0, args.warmups)
                )
                rows.append((who, f"{label} {term}", summary.median_ms, summary.p95_ms, queries, found))
        from django.db import connections

        connections.close_all()

    print(f"/search/ on {name}: {origin} in {seconds:.1f} s (not timed); times in ms")
    print_table(["user", "term", "median", "p95", "queries", "found"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
