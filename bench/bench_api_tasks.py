"""GET /api/tasks/ on the synthetic database (10,000 tasks): median server time per request and queries per page.

``python -m bench.bench_api_tasks [--repeats 20] [--warmups 3] [--database PATH]``. Without
``--database`` a throwaway SQLite file is migrated and filled by ``bench.synthetic.generate()``
(set-up, not timed). With ``--database`` a file made by ``python -m bench.synthetic`` is reused (a
superuser named ``bench`` is added to it); a missing file is created and kept.

Requests go through Django's test Client, logged in with ``force_login`` as a superuser, asking for
JSON: the time is the whole request/response cycle inside the process (no network, no web server).
Pages 1, 2, 50 and 100 of ``?page_size=100``, then the busiest lead unit's tasks
(``?lead=<id>&page_size=100``). The query count of a page must not depend on which page it is.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.runtime import Summary, configure, migrate, print_table, stopwatch

PAGE_SIZE = 100
PAGES = (1, 2, 50, 100)
BENCH_USERNAME = "bench"


@dataclass(frozen=True, slots=True)
class RequestFigures:
    label: str
    url: str
    summary: Summary
    queries: int
    rows: int


def measure_requests(
    client: Any, urls: Sequence[tuple[str, str]], *, repeats: int = 20, warmups: int = 3
) -> list[RequestFigures]:
    """For each (label, url): ``warmups`` untimed GETs, one counting queries, then ``repeats`` timed GETs.

    Raises RuntimeError when a response is not 200.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    figures = []
    for label, url in urls:
        for _ in range(warmups):
            _get(client, url)
        with CaptureQueriesContext(connection) as queries:
            body = _get(client, url)
        query_count = len(queries)  # now: the next request resets the connection's query log
        timings = []
        for _ in range(repeats):
            with stopwatch() as elapsed:
                _get(client, url)
            timings.append(elapsed())
        figures.append(
            RequestFigures(
                label=label,
                url=url,
                summary=Summary.of(timings),
                queries=query_count,
                rows=len(body["results"]),
            )
        )
    return figures


def _get(client: Any, url: str) -> dict[str, Any]:
    response = client.get(url, HTTP_ACCEPT="application/json")
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    return response.json()


def logged_in_client() -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client

    User = get_user_model()
    user = User.objects.filter(username=BENCH_USERNAME).first()
    if user is None:
        user = User.objects.create_superuser(username=BENCH_USERNAME, email="", password=None)
    client = Client()
    client.force_login(user)
    return client


def task_urls(*, pages: Sequence[int] = PAGES, page_size: int = PAGE_SIZE) -> list[tuple[str, str]]:
    """The page URLs that exist for the tasks in the database, then the busiest lead unit's first page."""
    from django.db.models import Count

    from tasks.models import Assignment, AssignmentRole, Task

    last_page = max(1, -(-Task.objects.count() // page_size))
    urls = [(f"page {page}", f"/api/tasks/?page_size={page_size}&page={page}") for page in pages if page <= last_page]
    busiest = (
        Assignment.objects.filter(role=AssignmentRole.LEAD, department__isnull=False)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "department_id")
        .first()
    )
    if busiest is not None:
        urls.append(
            (
                f"lead={busiest['department_id']} ({busiest['n']} tasks)",
                f"/api/tasks/?lead={busiest['department_id']}&page_size={page_size}",
            )
        )
    return urls


def _prepare(database: Path | None, tmp: str) -> tuple[Path, float, str]:
    """Configure Django on the database to use; build it when needed. Returns (path, set-up seconds, origin)."""
    from bench import synthetic

    path = database or Path(tmp) / "synthetic.sqlite3"
    existed = path.exists()
    configure(path)
    with stopwatch() as elapsed:
        if existed:
            from tasks.models import Plan

            if not Plan.objects.filter(document_number=synthetic.SYNTHETIC_DOCUMENT_NUMBER).exists():
                raise SystemExit(f"{path} was not made by bench.synthetic: refusing to use it")
            migrate()  # a file made by older code: its schema brought up to date (nothing when it is)
            origin = "reused"
        else:
            migrate()
            counts = synthetic.generate()
            origin = f"generated ({counts['tasks']} tasks, {counts['assignments']} assignments)"
    return path, elapsed(), origin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_api_tasks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument("--database", type=Path, help="a database made by python -m bench.synthetic (reused)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        path, setup_seconds, origin = _prepare(args.database, tmp)
        client = logged_in_client()
        figures = measure_requests(client, task_urls(), repeats=max(1, args.repeats), warmups=max(0, args.warmups))
        from django.db import connections

        connections.close_all()

    print(f"GET /api/tasks/ on the synthetic database: {origin} in {setup_seconds:.1f} s (not timed)")
    print(f"{args.repeats} timed requests each after {args.warmups} warm-ups; times in ms")
    print_table(
        ["request", "median", "p95", "min", "queries", "rows"],
        [(f.label, f.summary.median_ms, f.summary.p95_ms, f.summary.min_ms, f.queries, f.rows) for f in figures],
    )
    page_queries = {f.queries for f in figures if f.label.startswith("page ")}
    same = len(page_queries) == 1
    print(f"Queries per page the same on every page: {'yes' if same else 'NO'} ({sorted(page_queries)})")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
