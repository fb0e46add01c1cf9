"""Load test: 50 simulated staff saving and submitting progress reports for 60 s against gunicorn + PostgreSQL.

``python -m bench.load_reports [--users 50] [--shared-units 5] [--seconds 60] [--workers 2] [--threads 8]
[--tasks 2000] [--departments 80] [--reports 20000] [--submit-share 0.1] [--conn-max-age 60]
[--postgres postgres://postgres@127.0.0.1:5432] [--database bench_load] [--seed 1]``

What it does, in order (the database is dropped and gunicorn stopped at the end, also on failure):

1. creates a fresh PostgreSQL database (``bench_load``; it refuses the name ``test``), migrates it and
   fills it with ``bench.synthetic.generate()`` (smaller than the benchmark size: 2,000 tasks, 80 units,
   20,000 reports, the last period open);
2. creates the staff: one reporter with an API token in each of the units with the most editable
   reports in the open period, except that ``--shared-units`` units get two colleagues each. Only a
   unit's own staff may edit its reports, so reports are shared (and conflicts happen) between two
   colleagues of one unit: with the defaults 40 staff work alone in 40 units and 10 staff in pairs in
   5 more units, 50 users and 50 threads in all;
3. starts gunicorn (``--workers`` processes of ``--threads`` threads, gthread) on a free port with the
   production settings, and waits until it answers;
4. runs one thread per staff member for ``--seconds``, each looping: list its unit's reports of the
   open period (``GET /api/reports/?unit=&period=``), pick an editable one (a draft or a returned
   report: at random when alone, among the two oldest when in a pair, so colleagues collide), read
   it (``GET /api/reports/{id}/``, version from the ETag), ``PATCH`` it with ``If-Match`` and a text
   that names the writer and the write, and with probability ``--submit-share`` submit it
   (``POST …/submit/`` with ``If-Match`` of the version just written). Every response's status and
   latency is recorded; 412 answers are the expected conflicts;
5. checks the database against what the clients saw: no 5xx and no connection errors; for every
   report, version == version before + successful writes (200 on PATCH or submit) seen for it, the
   versions the clients were given are exactly those numbers (none given twice), the stored text
   is the text of the last successful PATCH, a history row per successful write, and a SUBMITTED
   event per successful submit;
6. prints requests/s, latency p50/p95/p99 (all requests and per kind) and counts by status.

Exit status 0 when every check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.runtime import PROTECTED_DATABASES, REPO_ROOT, postgres_database, print_table, stopwatch

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432"
DEFAULT_DATABASE = "bench_load"
EDITABLE = {"draft", "returned"}
KINDS = ("list", "get", "patch", "submit")


@dataclass(frozen=True, slots=True)
class Staff:
    username: str
    token: str
    unit_id: int
    shared: bool  # works on the same reports as a colleague of the same unit


@dataclass(frozen=True, slots=True)
class Write:
    """A write the client saw succeed (HTTP 200)."""

    report_id: int
    kind: str  # patch | submit
    version: int
    text: str | None  # the progress_text written (None for submit)


@dataclass(slots=True)
class ClientLog:
    """What one thread saw: (kind, status, seconds) per request, its successful writes, idle loops."""

    requests: list[tuple[str, int, float]] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    idle: int = 0
    errors: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------
# Database and data set-up (Django configured on the load database)


def prepare_staff(*, users: int, shared_units: int) -> tuple[int, list[Staff]]:
    """Create the staff users (reporters with API tokens) in the busiest units; returns (open period id, staff)."""
    from django.db.models import Count, Q
    from rest_framework.authtoken.models import Token

    from bench.runtime import unit_clerk
    from departments.models import Department
    from progress.models import PeriodStatus, ReviewPeriod

    if shared_units * 2 > users:
        raise ValueError("--shared-units needs two users per shared unit")
    period = ReviewPeriod.objects.filter(status=PeriodStatus.OPEN).latest("starts_on")
    unit_count = users - shared_units
    units = list(
        Department.objects.annotate(
            editable=Count(
                "progress_reports",
                filter=Q(progress_reports__period=period, progress_reports__status__in=sorted(EDITABLE)),
            )
        )
        .filter(editable__gt=0)
        .order_by("-editable", "pk")[:unit_count]
    )
    if len(units) < unit_count:
        raise ValueError(f"only {len(units)} units have editable reports in the open period; {unit_count} needed")
    staff = []
    for index, unit in enumerate(units):
        colleagues = 2 if index < shared_units else 1
        for n in range(colleagues):
            user = unit_clerk(unit.pk, username=f"load{index:02d}{'ab'[n]}")
            token = Token.objects.create(user=user)
            staff.append(Staff(username=user.username, token=token.key, unit_id=unit.pk, shared=colleagues == 2))
    return period.pk, staff


def snapshot(period_id: int, unit_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """{report id: (version, progress_text)} for the units' reports in the period, before the run."""
    from progress.models import ProgressReport

    rows = ProgressReport.objects.filter(period_id=period_id, department_id__in=list(unit_ids))
    return {pk: (version, text) for pk, version, text in rows.values_list("pk", "version", "progress_text")}


@dataclass(frozen=True, slots=True)
class Verification:
    reports_written: int
    lost_updates: list[str]

    @property
    def ok(self) -> bool:
        return not self.lost_updates


def verify(before: dict[int, tuple[int, str]], writes: Sequence[Write], *, started_at: Any) -> Verification:
    """Compare the database with the writes the clients saw (see the module docstring, step 5)."""
    from django.db.models import Count

    from progress.models import ProgressReport, ReportEvent, ReportEventType

    by_report: dict[int, list[Write]] = defaultdict(list)
    for write in writes:
        by_report[write.report_id].append(write)
    problems: list[str] = []
    stored = {
        pk: (version, text)
        for pk, version, text in ProgressReport.objects.filter(pk__in=list(before)).values_list(
            "pk", "version", "progress_text"
        )
    }
    history = dict(
        ProgressReport.history.filter(id__in=list(before), history_date__gte=started_at)
        .values("id")
        .annotate(n=Count("history_id"))
        .values_list("id", "n")
    )
    submitted = dict(
        ReportEvent.objects.filter(report_id__in=list(before), type=ReportEventType.SUBMITTED, at__gte=started_at)
        .values("report_id")
        .annotate(n=Count("pk"))
        .values_list("report_id", "n")
    )
    for report_id, (version_before, text_before) in before.items():
        seen = by_report.get(report_id, [])
        version, text = stored[report_id]
        expected_version = version_before + len(seen)
        if version != expected_version:
            problems.append(f"report {report_id}: version {version}, expected {version_before} + {len(seen)} writes")
        given = sorted(w.version for w in seen)
        if given != list(range(version_before + 1, expected_version + 1)):
            problems.append(f"report {report_id}: versions given to clients {given} after {version_before}")
        patches = [w for w in seen if w.kind == "patch"]
        expected_text = max(patches, key=lambda w: w.version).text if patches else text_before
        if text != expected_text:
            problems.append(f"report {report_id}: stored text {text[:40]!r} is not the last write {expected_text!r}")
        if history.get(report_id, 0) != len(seen):
            problems.append(f"report {report_id}: {history.get(report_id, 0)} history rows for {len(seen)} writes")
        submits = sum(1 for w in seen if w.kind == "submit")
        if submitted.get(report_id, 0) != submits:
            problems.append(f"report {report_id}: {submitted.get(report_id, 0)} SUBMITTED events for {submits} submits")
    unknown = set(by_report) - set(before)
    problems.extend(f"report {pk}: written but not among the staff's reports" for pk in sorted(unknown))
    return Verification(reports_written=len(by_report), lost_updates=problems)


# ---------------------------------------------------------------------------------------------------------
# HTTP clients (no Django here: plain http.client, one keep-alive connection per thread)


class ApiClient:
    def __init__(self, base_url: str, token: str, log: ClientLog) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.log = log
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def call(
        self, kind: str, method: str, path: str, *, body: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], Any]:
        """One request; returns (status, headers, parsed JSON or None). Connection errors give status 0."""
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {**self.headers, **(headers or {})}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        try:
            self.connection.request(method, self.prefix + path, body=payload, headers=all_headers)
            response = self.connection.getresponse()
            raw = response.read()
            status, response_headers = response.status, {k.lower(): v for k, v in response.getheaders()}
        except (OSError, http.client.HTTPException) as exc:
            self.log.requests.append((kind, 0, time.perf_counter() - start))
            self.log.errors.append(f"{method} {path}: {exc!r}")
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            return 0, {}, None
        self.log.requests.append((kind, status, time.perf_counter() - start))
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        if status >= 500:
            self.log.errors.append(f"{method} {path}: {status} {raw[:300]!r}")
        return status, response_headers, data

    def close(self) -> None:
        self.connection.close()


def _version(headers: dict[str, str], data: Any) -> int | None:
    if isinstance(data, dict) and isinstance(data.get("version"), int):
        return data["version"]
    etag = headers.get("etag", "").removeprefix("W/").strip('"')
    return int(etag) if etag.isdigit() else None


def staff_loop(
    client: ApiClient,
    staff: Staff,
    *,
    name: str,
    period_id: int,
    deadline: float,
    rng: random.Random,
    submit_share: float,
) -> None:
    """One simulated staff member until ``deadline`` (see the module docstring, step 4)."""
    log = client.log
    writes = 0
    while time.monotonic() < deadline:
        status, _, data = client.call(
            "list", "GET", f"/api/reports/?unit={staff.unit_id}&period={period_id}&page_size=100"
        )
        rows = data.get("results", []) if status == 200 and isinstance(data, dict) else []
        editable = sorted((r["id"] for r in rows if r.get("status") in EDITABLE), key=int)
        if not editable:
            log.idle += 1
            time.sleep(0.2)
            continue
        report_id = rng.choice(editable[:2]) if staff.shared else rng.choice(editable)
        status, headers, data = client.call("get", "GET", f"/api/reports/{report_id}/")
        version = _version(headers, data) if status == 200 else None
        if version is None:
            continue
        writes += 1
        text = f"{name} 第{writes}次保存：已按计划推进，完成阶段目标。"
        body = {
            "progress_status": rng.choice(["on_track", "at_risk", "delayed"]),
            "percent": rng.randrange(0, 100, 5),
            "progress_text": text,
            "problems_text": "资金保障压力较大。",
            "next_steps_text": "加快推进。",
        }
        status, headers, data = client.call(
            "patch", "PATCH", f"/api/reports/{report_id}/", body=body, headers={"If-Match": f'"{version}"'}
        )
        if status != 200:
            continue
        new_version = _version(headers, data)
        log.writes.append(Write(report_id, "patch", new_version if new_version is not None else -1, text))
        if rng.random() < submit_share and new_version is not None:
            status, headers, data = client.call(
                "submit", "POST", f"/api/reports/{report_id}/submit/", headers={"If-Match": f'"{new_version}"'}
            )
            if status == 200:
                submitted = _version(headers, data)
                log.writes.append(Write(report_id, "submit", submitted if submitted is not None else -1, None))


def run_clients(
    base_url: str,
    staff: Sequence[Staff],
    *,
    period_id: int,
    seconds: float,
    seed: int = 1,
    submit_share: float = 0.1,
) -> tuple[list[ClientLog], float]:
    """Run one thread per staff member for ``seconds``; returns the logs and the wall time taken."""
    logs = [ClientLog() for _ in staff]
    start_barrier = threading.Barrier(len(staff) + 1)
    deadline_box: list[float] = []

    def work(index: int) -> None:
        client = ApiClient(base_url, staff[index].token, logs[index])
        try:
            start_barrier.wait()
            staff_loop(
                client,
                staff[index],
                name=staff[index].username,
                period_id=period_id,
                deadline=deadline_box[0],
                rng=random.Random(seed * 1000 + index),
                submit_share=submit_share,
            )
        except Exception as exc:  # a client bug must not pass for a quiet server
            logs[index].errors.append(f"client crashed: {exc!r}")
        finally:
            client.close()

    threads = [threading.Thread(target=work, args=(i,), name=s.username) for i, s in enumerate(staff)]
    for thread in threads:
        thread.start()
    deadline_box.append(time.monotonic() + seconds)
    with stopwatch() as elapsed:
        start_barrier.wait()
        for thread in threads:
            thread.join()
    return logs, elapsed()


# ---------------------------------------------------------------------------------------------------------
# Figures


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (the smallest value with at least ``share`` of the series at or below it)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass(frozen=True, slots=True)
class LoadFigures:
    requests: int
    seconds: float
    by_kind: dict[str, dict[str, float]]  # kind (and "all") → n, p50, p95, p99 (ms)
    statuses: dict[str, Counter]  # kind → Counter(status)
    server_errors: int
    connection_errors: int
    writes: int
    idle_loops: int

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def figures_of(logs: Sequence[ClientLog], seconds: float) -> LoadFigures:
    records = [r for log in logs for r in log.requests]
    by_kind: dict[str, dict[str, float]] = {}
    statuses: dict[str, Counter] = {}
    for kind in (*KINDS, "all"):
        chosen = [r for r in records if kind == "all" or r[0] == kind]
        statuses[kind] = Counter(status for _, status, _ in chosen)
        times = [s * 1000 for _, _, s in chosen]
        if times:
            by_kind[kind] = {
                "n": len(times),
                "p50": percentile(times, 0.50),
                "p95": percentile(times, 0.95),
                "p99": percentile(times, 0.99),
            }
    return LoadFigures(
        requests=len(records),
        seconds=seconds,
        by_kind=by_kind,
        statuses=statuses,
        server_errors=sum(1 for _, status, _ in records if status >= 500),
        connection_errors=sum(1 for _, status, _ in records if status == 0),
        writes=sum(len(log.writes) for log in logs),
        idle_loops=sum(log.idle for log in logs),
    )


def print_figures(figures: LoadFigures, verification: Verification | None) -> None:
    print(
        f"{figures.requests} requests in {figures.seconds:.1f} s: {figures.requests_per_second:.1f} requests/s; "
        f"{figures.writes} successful writes; {figures.idle_loops} loops found nothing to edit"
    )
    print_table(
        ["requests", "n", "p50 ms", "p95 ms", "p99 ms", "statuses"],
        [
            (
                kind,
                int(row["n"]),
                row["p50"],
                row["p95"],
                row["p99"],
                " ".join(f"{status}:{n}" for status, n in sorted(figures.statuses[kind].items())),
            )
            for kind, row in figures.by_kind.items()
        ],
    )
    print(f"5xx responses: {figures.server_errors}; connection errors: {figures.connection_errors}")
    if verification is not None:
        print(
            f"Lost updates: {len(verification.lost_updates)} "
            f"({verification.reports_written} reports written, checked against the database)"
        )
        for problem in verification.lost_updates[:20]:
            print(f"  {problem}")


# ---------------------------------------------------------------------------------------------------------
# PostgreSQL and gunicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(*, database_url: str, port: int, workers: int, threads: int, log_path: Path) -> subprocess.Popen:
    """gunicorn with the production settings (no TLS cookies: plain HTTP on the loopback), gthread workers."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xingping_tracker.settings.production",
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-not-a-secret"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        # The workers share one cache (the dashboard's stamp), as in production.
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14"),
    }
    env.pop("CELERY_BROKER_URL", None)  # jobs inline: no Redis needed
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "xingping_tracker.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=gthread",
        "--timeout=120",
        "--keep-alive=75",
    ]
    with log_path.open("wb") as log:
        return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(port: int, process: subprocess.Popen, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------------------------------------------------
# CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_reports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated staff (threads)")
    parser.add_argument("--shared-units", type=int, default=5, help="units whose two colleagues share reports")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--departments", type=int, default=80)
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--submit-share", type=float, default=0.1, help="share of successful saves then submitted")
    parser.add_argument("--conn-max-age", type=int, default=60, help="Django persistent connections (seconds)")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="server URL without a database name")
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="database to create and drop")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.database in PROTECTED_DATABASES:
        print(f"Refusing to create and drop the database {args.database!r}: give another name.", file=sys.stderr)
        return 2

    with postgres_database(args.postgres, args.database) as database_url:
        return _run(args, database_url)


def _run(args: argparse.Namespace, database_url: str) -> int:
    from bench import synthetic
    from bench.runtime import close_connections, configure_url, migrate

    configure_url(database_url)
    with stopwatch() as setup_seconds:
        migrate()
        counts = synthetic.generate(
            tasks=args.tasks, departments=args.departments, reports=args.reports, seed=args.seed
        )
        period_id, staff = prepare_staff(users=args.users, shared_units=args.shared_units)
        before = snapshot(period_id, sorted({s.unit_id for s in staff}))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    close_connections()
    print(
        f"Database {args.database}: {counts['tasks']} tasks, {counts['departments']} units, "
        f"{counts['reports']} reports; {len(staff)} staff in {len({s.unit_id for s in staff})} units "
        f"({sum(s.shared for s in staff)} sharing reports in pairs), {len(before)} of their reports "
        f"in the open period; set-up {setup_seconds():.1f} s"
    )

    port = free_port()
    log_path = Path(tempfile.gettempdir()) / f"{args.database}-gunicorn.log"
    gunicorn = start_gunicorn(
        database_url=f"{database_url}?conn_max_age={args.conn_max_age}",
        port=port,
        workers=args.workers,
        threads=args.threads,
        log_path=log_path,
    )
    try:
        wait_until_up(port, gunicorn)
        print(
            f"gunicorn: {args.workers} workers x {args.threads} threads (gthread), production settings, "
            f"conn_max_age={args.conn_max_age}; {args.users} client threads for {args.seconds:.0f} s; "
            f"load average before: {os.getloadavg()[0]:.2f}"
        )
        from django.utils import timezone

        started_at = timezone.now()
        client_cpu = time.process_time()
        logs, seconds = run_clients(
            f"http://127.0.0.1:{port}",
            staff,
            period_id=period_id,
            seconds=args.seconds,
            seed=args.seed,
            submit_share=args.submit_share,
        )
        client_cpu = time.process_time() - client_cpu
        print(
            f"load average after: {os.getloadavg()[0]:.2f}; the clients used {client_cpu:.1f} s of CPU "
            f"({client_cpu / seconds:.2f} of a core) on the same machine"
        )
    finally:
        stop_gunicorn(gunicorn)

    figures = figures_of(logs, seconds)
    verification = verify(before, [w for log in logs for w in log.writes], started_at=started_at)
    close_connections()
    print_figures(figures, verification)
    errors = [e for log in logs for e in log.errors]
    for error in errors[:10]:
        print(f"  error: {error}")
    if errors:
        print(f"  (gunicorn's log: {log_path})")
    ok = figures.server_errors == 0 and figures.connection_errors == 0 and verification.ok and not errors
    print(f"Result: {'PASS' if ok else 'FAIL'} (zero 5xx, zero connection errors, zero lost updates)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
