"""The leadership dashboard on the synthetic database (10,000 tasks, 80 units, 100,000 reports): median time and queries.

``python -m bench.bench_dashboard [--runs 3] [--repeats 10] [--warmups 2] [--database PATH | --postgres URL]``.
Without ``--database`` a throwaway SQLite file is migrated and filled by ``bench.synthetic.generate()``
(set-up, not timed); with ``--database`` a file made by ``python -m bench.synthetic`` (with reports)
is reused (a leadership user is added to it). With ``--postgres postgres://postgres@127.0.0.1:5432``
a fresh PostgreSQL database ``bench_dashboard`` is created, filled, analysed and dropped at the end.

Measured for the latest open period:

- ``period_overview`` (the shared selector: every task's light, the status distribution, chapters,
  lead units, binding indicators, the attention list and the trend over every earlier period), and
  ``task_states`` alone (what the meeting pack and the task list start from);
- the dashboard page ``dashboard:home`` and the click-through list ``dashboard:tasks?light=red``
  for a leadership account, through Django's test Client (``force_login``): the whole
  request/response cycle inside the process, template rendering included (no web server);
- ``GET /api/dashboard/``;
- ``dashboard:home`` and the API as the steady state: nothing changed since the last view, so the
  overview comes from the cache (:mod:`dashboard.selectors.cached`);
- ``…, after a change``: a report is changed (committed, untimed) before each call, so each call
  computes the overview afresh and stores it, as the first view after a clerk saves something;
- ``refresh_overview job``: what the Celery worker spends after a change (:mod:`dashboard.tasks`:
  the overview of the open periods computed and stored), and ``dashboard:home, after the refresh``:
  the page once that job has run (a report changed and the job run, untimed, before each call) —
  what a viewer sees a few seconds after a clerk's save when a broker is configured;
- ``dashboard:home, cold``: the page as the first request after the earlier periods closed (each
  closing stored its period's trend point when it committed; the points are stored again and a
  report changed before each call), ``closing's trend point``: what storing one closed period's
  point adds to its closing, and ``dashboard:home, trend points missing``: the page when they are
  not stored (deleted before each call), so the trend is computed and stored again.

The query count must not grow with the data: the script exits with 1 when the page's count differs
from the count on a tiny plan (``--tiny-queries``, measured by the smoke test) or the variants differ.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.runtime import (
    Summary,
    add_database_arguments,
    freeze_as_in_production,
    machine_reference_line,
    print_table,
    role_client,
    stopwatch,
)
from bench.runtime import prepared_database as runtime_prepared_database

POSTGRES_DATABASE = "bench_dashboard"
LEADER_USERNAME = "bench_dashboard_leader"


@dataclass(frozen=True)
class Figures:
    label: str
    summary: Summary
    queries: int
    size: int  # KiB of the response, 0 for a selector


def _measure(
    label: str, call: Callable[[], int], *, repeats: int, warmups: int, before: Callable[[], None] | None = None
) -> Figures:
    """``warmups`` untimed calls, one counting queries (every statement executed), then ``repeats`` timed
    calls; ``before`` (untimed, not counted) runs ahead of every call."""
    from django.db import connection

    before = before or (lambda: None)
    for _ in range(warmups):
        before()
        call()
    executed: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    # Counted by an execute wrapper rather than the debug query log, which a request's connection
    # handling can leave empty when DEBUG is off.
    before()
    with connection.execute_wrapper(count):
        size = call()
    timings = []
    for _ in range(repeats):
        before()
        with stopwatch() as elapsed:
            call()
        timings.append(elapsed())
    return Figures(label, Summary.of(timings), len(executed), size // 1024)


def leader_client() -> Any:
    from access.roles import LEADERSHIP_GROUP

    return role_client(LEADERSHIP_GROUP, username=LEADER_USERNAME)


def _get(client: Any, url: str) -> int:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    return len(response.content)


def measure(*, repeats: int = 10, warmups: int = 2) -> tuple[list[Figures], Any]:
    """The figures for the latest open period (the selectors, the page, the list, the API)."""
    from django.urls import reverse

    from dashboard.selectors.overview import period_overview
    from dashboard.tasks import refresh_overview
    from progress.selectors.review import latest_open_period
    from progress.states import task_states

    period = latest_open_period()
    if period is None:
        raise SystemExit("the database has no open period: make it with python -m bench.synthetic")
    client = leader_client()
    home = f"{reverse('dashboard:home')}?period={period.pk}"
    listing = f"{reverse('dashboard:tasks')}?period={period.pk}&light=red"
    api = f"/api/dashboard/?period={period.pk}"

    def overview() -> int:
        period_overview(period)
        return 0

    def states() -> int:
        task_states(period)
        return 0

    touch = change_a_report(period)

    def refresh() -> int:
        refresh_overview.run()  # the worker's job, run here (what it costs the worker)
        return 0

    def touched_and_refreshed() -> None:
        touch()
        refresh()

    figures = [
        _measure("period_overview()", overview, repeats=repeats, warmups=warmups),
        _measure("task_states()", states, repeats=repeats, warmups=warmups),
        _measure("dashboard:home", lambda: _get(client, home), repeats=repeats, warmups=warmups),
        _measure(
            "dashboard:home, after a change", lambda: _get(client, home), repeats=repeats, warmups=warmups, before=touch
        ),
        _measure("refresh_overview job", refresh, repeats=repeats, warmups=warmups, before=touch),
        _measure(
            "dashboard:home, after the refresh",
            lambda: _get(client, home),
            repeats=repeats,
            warmups=warmups,
            before=touched_and_refreshed,
        ),
        _measure("dashboard:tasks ?light=red", lambda: _get(client, listing), repeats=repeats, warmups=warmups),
        _measure("GET /api/dashboard/", lambda: _get(client, api), repeats=repeats, warmups=warmups),
        _measure(
            "GET /api/dashboard/, after a change",
            lambda: _get(client, api),
            repeats=repeats,
            warmups=warmups,
            before=touch,
        ),
    ]
    return figures, period


def change_a_report(period: Any) -> Callable[[], None]:
    """A committed change of one report of the period (its updated_at), announced as the report
    service announces a clerk's save: it moves the data stamp, so the next view computes the
    overview afresh."""
    from django.utils import timezone

    from progress.models import ProgressReport
    from xingping_tracker.core.changes import PROGRESS, announce

    report_id = ProgressReport.objects.filter(period=period).values_list("pk", flat=True).first()
    if report_id is None:
        raise SystemExit("the open period has no report: make the database with python -m bench.synthetic")

    def touch() -> None:
        ProgressReport.objects.filter(pk=report_id).update(updated_at=timezone.now())
        announce(PROGRESS)

    return touch


def measure_cold(period: Any, *, repeats: int = 10, warmups: int = 2) -> list[Figures]:
    """The dashboard page as the first request after the earlier periods closed, and what the
    closing itself adds:

    - ``dashboard:home, cold``: before each call (untimed) the stored trend points are deleted and
      each closed period's point stored again as its closing's commit stores it
      (:func:`dashboard.selectors.overview.store_closed_point`, what :mod:`dashboard.closings`
      calls), and a report changed: the first view after the closings, with nothing in the cache;
    - ``closing's trend point``: that store for the latest closed period alone (its point deleted
      before each call), the time a closing's request spends on it after its commit;
    - ``dashboard:home, trend points missing``: the points deleted and not stored again (a period
      closed before its due date had passed, or outside the service), so the page computes and
      stores them;
    - ``dashboard:home, a new day``: the stored task states read as of yesterday before each call
      (and a report changed): the first view of a day, as without a broker (whose job reads them
      at 00:05), where only the tasks whose deadline passed yesterday are computed again;
    - ``dashboard:home, a new day, all stale``: the same, each row lasting yesterday only, as on the
      day after the period's due date (and before the stored states lasted beyond their day)."""
    from django.db.models import F
    from django.urls import reverse
    from django.utils import timezone

    from dashboard.models import TrendSnapshot
    from dashboard.selectors.overview import store_closed_point
    from progress.models import PeriodStatus, ReviewPeriod, StoredState
    from progress.state_store import current_states

    client = leader_client()
    home = f"{reverse('dashboard:home')}?period={period.pk}"
    touch = change_a_report(period)
    closed = list(
        ReviewPeriod.objects.filter(plan_id=period.plan_id, status=PeriodStatus.CLOSED)
        .order_by("starts_on")
        .values_list("pk", flat=True)
    )
    if not closed:
        raise SystemExit("the plan has no closed period: make the database with python -m bench.synthetic")

    def closings() -> None:
        TrendSnapshot.objects.all().delete()
        for pk in closed:
            store_closed_point(pk)
        touch()

    def forget_latest() -> None:
        TrendSnapshot.objects.filter(period_id=closed[-1]).delete()

    def store_latest() -> int:
        if not store_closed_point(closed[-1]):
            raise RuntimeError(f"the point of period {closed[-1]} was not stored")
        return 0

    def forget() -> None:
        TrendSnapshot.objects.all().delete()
        touch()

    def page() -> int:
        return _get(client, home)

    def yesterday() -> None:
        if not current_states(period, today=timezone.localdate() - dt.timedelta(days=1)):
            raise RuntimeError("the task states were not stored")
        touch()

    def yesterday_only() -> None:
        yesterday()
        StoredState.objects.filter(period=period).update(valid_through=F("as_of"))

    return [
        _measure("dashboard:home, cold", page, repeats=repeats, warmups=warmups, before=closings),
        _measure("closing's trend point", store_latest, repeats=repeats, warmups=warmups, before=forget_latest),
        _measure("dashboard:home, trend points missing", page, repeats=repeats, warmups=warmups, before=forget),
        _measure("dashboard:home, a new day", page, repeats=repeats, warmups=warmups, before=yesterday),
        _measure("dashboard:home, a new day, all stale", page, repeats=repeats, warmups=warmups, before=yesterday_only),
    ]


@contextmanager
def prepared(database: Path | None, postgres: str | None) -> Iterator[tuple[str, float, str]]:
    """The database to measure (:func:`bench.runtime.prepared_database`, PostgreSQL database ``bench_dashboard``)."""
    with runtime_prepared_database(
        database, postgres, postgres_name=POSTGRES_DATABASE, prefix="bench-dashboard-"
    ) as prepared:
        yield prepared


def settle_stores() -> str:
    """Set-up, not timed: the stored standings and task states of the open period written once (as
    after the first view of a day), then, on PostgreSQL, the database analysed again, as its
    autovacuum does within a minute of that first fill; the statistics taken before the stores had
    rows would mislead the planner (a scan of every stored cell for a page of tasks). Returns the line
    to print."""
    from django.db import connection

    from dashboard.selectors.overview import period_overview
    from progress.selectors.review import latest_open_period

    period = latest_open_period()
    if period is None:
        return "no open period: nothing stored"
    period_overview(period, with_states=False, attention=0, with_trend=False)
    if connection.vendor != "postgresql":
        return "stored states of the open period written (set-up)"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return "stored states of the open period written and the database analysed again (set-up)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_dashboard", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="measure this many times (one table per run)")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--tiny-queries", type=int, help="the page's query count on a tiny plan, to compare with")
    add_database_arguments(parser)
    parser.add_argument(
        "--no-freeze", action="store_true", help="leave the start-up heap unfrozen (not as the web and worker processes)"
    )
    args = parser.parse_args(argv)

    with prepared(args.database, args.postgres) as (name, setup_seconds, origin):
        from progress.models import ProgressReport
        from tasks.models import Task

        print(freeze_as_in_production(skip=args.no_freeze))
        print(machine_reference_line())

        tasks, reports = Task.objects.count(), ProgressReport.objects.count()
        print(settle_stores())
        runs = []
        for _ in range(max(1, args.runs)):
            figures, period = measure(repeats=max(1, args.repeats), warmups=max(0, args.warmups))
            # Then the first request after the periods close, and the page again once the points are stored.
            figures.extend(measure_cold(period, repeats=max(1, args.repeats), warmups=max(0, args.warmups)))
            runs.append((figures, period))
        from dashboard.models import TrendSnapshot

        stored = TrendSnapshot.objects.count()
        load = _load_average()
        from django.db import connections

        connections.close_all()

    period = runs[0][1]
    print(f"Leadership dashboard on {name} ({tasks} tasks, {reports} reports): {origin} in {setup_seconds:.1f} s")
    print(f"Period {period.name}; {args.repeats} timed calls each after {args.warmups} warm-ups; times in ms")
    print(
        "dashboard:home is the steady state (nothing changed since the last view: the cached overview; "
        f"the closed periods' trend points stored: {stored} at the end); 'after a change' changes a report "
        "before each call (the overview computed afresh); 'cold' is the first view after the closings, "
        "which stored their trend points; 'trend points missing' deletes them"
    )
    ok = True
    page_medians = []
    changed_medians = []
    refreshed_medians = []
    for index, (figures, _period) in enumerate(runs, start=1):
        print(f"Run {index}:")
        print_table(
            ["what", "median", "p95", "min", "queries", "KiB"],
            [(f.label, f.summary.median_ms, f.summary.p95_ms, f.summary.min_ms, f.queries, f.size) for f in figures],
        )
        by_label = {f.label: f for f in figures}
        page = by_label["dashboard:home"]
        page_medians.append(page.summary.median_ms)
        changed_medians.append(by_label["dashboard:home, after a change"].summary.median_ms)
        refreshed_medians.append(by_label["dashboard:home, after the refresh"].summary.median_ms)
        if args.tiny_queries is not None and page.queries != args.tiny_queries:
            print(f"Page queries grew with the data: {args.tiny_queries} on the tiny plan, {page.queries} here")
            ok = False
    counts = {f.label: {run[0][i].queries for run in runs} for i, f in enumerate(runs[0][0])}
    if any(len(values) > 1 for values in counts.values()):
        print(f"Query counts differ between runs: {counts}")
        ok = False
    median = sorted(page_medians)[len(page_medians) // 2]
    verdict = "met" if median <= 200 else "missed"
    print(f"Load average at the end: {load}")
    print(f"Page median of the runs' medians {median:.0f} ms (target 200 ms): {verdict}")
    changed = sorted(changed_medians)[len(changed_medians) // 2]
    print(f"Page after a change, median of the runs' medians: {changed:.0f} ms")
    refreshed = sorted(refreshed_medians)[len(refreshed_medians) // 2]
    print(f"Page after a change once the worker's refresh has run (with a broker): {refreshed:.0f} ms")
    return 0 if ok else 1


def _load_average() -> str:
    try:
        import os

        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
