"""Shared set-up for the benchmark scripts: a throwaway SQLite database, Django, and summary figures.

The scripts never use the developer's database: ``configure`` points ``DATABASE_URL`` at a file the
caller names (normally inside a temporary directory) before Django is set up.
"""

from __future__ import annotations

import math
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xingping_tracker.core.standalone import (  # noqa: F401 - the scripts' set-up, re-exported
    close_connections,
    configure,
    configure_url,
    migrate,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_PLAN_PATH = REPO_ROOT / "fixtures" / "plans" / "xingping-14th-five-year-plan.txt"


# Databases the benchmark scripts never create or drop.
PROTECTED_DATABASES = frozenset({"test", "postgres", "template0", "template1"})


@contextmanager
def postgres_database(server_url: str, name: str) -> Iterator[str]:
    """A fresh PostgreSQL database ``name`` on ``server_url`` (``postgres://user@host:port``), dropped on exit
    (also on failure); yields its URL. An existing database of that name is dropped first."""
    import psycopg
    from psycopg import sql

    if name in PROTECTED_DATABASES:
        raise ValueError(f"refusing to create and drop the database {name!r}")
    server_url = server_url.rstrip("/")

    def run(*statements: str) -> None:
        with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
            for statement in statements:
                connection.execute(sql.SQL(statement).format(sql.Identifier(name)))

    drop = "DROP DATABASE IF EXISTS {} WITH (FORCE)"
    run(drop, "CREATE DATABASE {}")
    try:
        yield f"{server_url}/{name}"
    finally:
        close_connections_if_configured()
        run(drop)


def close_connections_if_configured() -> None:
    from django.conf import settings

    if settings.configured:
        close_connections()


def unit_clerk(department_id: int, *, username: str, role: str = "reporter") -> Any:
    """A user of the unit (a ``Membership``: reporter by default, or ``head``), made once per username."""
    from django.contrib.auth import get_user_model

    from departments.models import Membership

    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        Membership.objects.create(user=user, department_id=department_id, role=role)
    return user


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    """``with stopwatch() as elapsed: ...``; ``elapsed()`` gives seconds (also after the block)."""
    start = time.perf_counter()
    end: list[float] = []

    def elapsed() -> float:
        return (end[0] if end else time.perf_counter()) - start

    try:
        yield elapsed
    finally:
        end.append(time.perf_counter())


@dataclass(frozen=True, slots=True)
class Summary:
    """Figures of a series of timings, in milliseconds."""

    runs: int
    median_ms: float
    p95_ms: float
    min_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Summary:
        if not seconds:
            raise ValueError("no timings to summarise")
        ordered = sorted(s * 1000 for s in seconds)
        # Nearest-rank percentile: the smallest value with at least 95% of the series at or below it.
        p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
        return cls(
            runs=len(ordered),
            median_ms=statistics.median(ordered),
            p95_ms=p95,
            min_ms=ordered[0],
            max_ms=ordered[-1],
        )


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain aligned table (figures formatted by the caller)."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        print(
            "  ".join(
                value.rjust(width) if i else value.ljust(width)
                for i, (value, width) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            print("  ".join("-" * width for width in widths))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


@contextmanager
def prepared_database(
    database: Path | None, postgres: str | None, *, postgres_name: str, prefix: str = "bench-"
) -> Iterator[tuple[str, float, str]]:
    """Django configured on the database to measure; yields (its name, set-up seconds, origin).

    ``postgres``: a fresh PostgreSQL database ``postgres_name`` (each script its own, so one
    benchmark never drops another's), filled by ``bench.synthetic.generate()``, vacuumed and analysed, and
    dropped on exit. Otherwise the SQLite file ``database`` (reused) or a throwaway one in a
    temporary directory (see ``bench.bench_api_tasks._prepare``)."""
    if postgres:
        with postgres_database(postgres, postgres_name) as url:
            configure_url(url)
            from django.db import connection

            from bench import synthetic

            with stopwatch() as elapsed:
                migrate()
                counts = synthetic.generate()
                with connection.cursor() as cursor:
                    # A database in use has been vacuumed: the visibility map lets PostgreSQL read
                    # covering indexes without the table, and autovacuum does not start on the
                    # freshly written rows in the middle of the measurements.
                    cursor.execute("VACUUM ANALYZE")
            yield (
                f"PostgreSQL {connection.pg_version // 10000} database {postgres_name}",
                elapsed(),
                f"generated ({counts['reports']} reports)",
            )
        return
    import tempfile

    from bench.bench_api_tasks import _prepare

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        path, seconds, origin = _prepare(database, tmp)
        yield f"SQLite {path.name}", seconds, origin


MB = 1024 * 1024


def _proc_status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux: ``VmHWM``); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_of(build: Callable[[], Any]) -> dict[str, float]:
    """Run ``build()`` (in a fresh process, after its imports) and measure its memory: RSS before,
    peak RSS during it, the growth, and the seconds taken.

    ``ru_maxrss`` would not do: Linux carries the parent's peak across exec, so the bench's own
    process would show through. ``VmHWM`` is reset here just before the build and read after it
    (``ru_maxrss`` only where that is not possible)."""
    import resource

    before = (_proc_status_kib("VmRSS") or 0) * 1024
    reset = _reset_peak()
    with stopwatch() as elapsed:
        build()
    peak = (_proc_status_kib("VmHWM") or 0) * 1024 if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "rss_before_mb": before / MB,
        "rss_peak_mb": peak / MB,
        "rss_growth_mb": (peak - before) / MB,
        "seconds": elapsed(),
    }


def fresh_process_line(figures: dict[str, float]) -> str:
    """The figures of :func:`peak_rss_of` in one line."""
    return (
        f"Fresh process: RSS {figures['rss_before_mb']:.1f} MB before the build, peak "
        f"{figures['rss_peak_mb']:.1f} MB during it (+{figures['rss_growth_mb']:.1f} MB; "
        f"build {figures['seconds']:.2f} s)"
    )


def freeze_as_in_production(*, skip: bool = False) -> str:
    """Freeze the start-up heap as the web and worker processes do (``xingping_tracker.wsgi`` and the
    Celery worker call ``xingping_tracker.core.heap.freeze_startup_heap``), unless ``skip``
    (``--no-freeze``); returns the line to print."""
    if skip:
        return "start-up heap not frozen (--no-freeze)"
    from xingping_tracker.core.heap import freeze_startup_heap

    return f"start-up heap frozen as in the web and worker processes: {freeze_startup_heap()} objects"


REFERENCE_ROWS = 20_000
REFERENCE_RUNS = 9


def reference_workload() -> int:
    """A fixed piece of work of the kind the benchmarks measure, independent of the project's code and
    data: an in-memory SQLite join and aggregate over 20,000 cells (each looked up in a table of their
    reports, as the board and the dashboard do), then Python building a tuple and an HTML cell for each.
    Returns a number that depends on all of it, so that nothing is skipped."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE TABLE cell (task INTEGER, unit INTEGER, role INTEGER)")
        db.execute("CREATE TABLE report (task INTEGER, unit INTEGER, status TEXT, PRIMARY KEY (task, unit))")
        cells = [(i // 6, (i * 7) % 80, i % 6 == 0) for i in range(REFERENCE_ROWS)]
        db.executemany("INSERT INTO cell VALUES (?, ?, ?)", cells)
        db.executemany(
            "INSERT OR IGNORE INTO report VALUES (?, ?, ?)",
            [(task, unit, ("draft", "submitted", "accepted")[task % 3]) for task, unit, _ in cells[::2]],
        )
        groups = db.execute(
            "SELECT c.unit, c.role, COALESCE(r.status, 'none'), COUNT(*) FROM cell c"
            " LEFT JOIN report r ON r.task = c.task AND r.unit = c.unit GROUP BY 1, 2, 3"
        ).fetchall()
    finally:
        db.close()
    rows = [(task, unit, f"<td><a href=\"?unit={unit}&amp;task={task}\">{task}</a></td>") for task, unit, _ in cells]
    return len(groups) + len("".join(html for _, _, html in rows)) % 7


def machine_reference_line(*, runs: int = REFERENCE_RUNS) -> str:
    """The median and the fastest time of :func:`reference_workload` on this machine now, as a line to print.

    The same machine runs the same code up to about 1.6 times slower on one day than on another (a
    shared virtual machine); a benchmark's figures are comparable between two days through this line."""
    reference_workload()  # warm-up: the first run also pays for the allocator and SQLite's first connection
    timings = []
    for _ in range(runs):
        with stopwatch() as elapsed:
            reference_workload()
        timings.append(elapsed())
    return (
        f"Machine reference: {statistics.median(timings) * 1000:.1f} ms median, {min(timings) * 1000:.1f} ms fastest"
        f" of {runs} (a fixed SQLite and Python workload: compare figures of two days through it)"
    )


def add_database_arguments(parser: Any, *, reuse: str = "reused") -> None:
    """``--database PATH`` (a file made by ``python -m bench.synthetic``; ``reuse`` says what
    happens to it) or ``--postgres URL`` (a database made and dropped), one or the other."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", type=Path, help=f"a database made by python -m bench.synthetic ({reuse})")
    where.add_argument("--postgres", help="PostgreSQL server URL without a database name (a database is made)")


def role_client(group_name: str, *, username: str) -> Any:
    """A Django test Client signed in as ``username``, a member of the role group ``group_name``."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from access.roles import ensure_role_groups

    ensure_role_groups()
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.groups.add(Group.objects.get(name=group_name))
    client = Client()
    client.force_login(user)
    return client
