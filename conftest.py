"""Test harness shared by every app.

- ``@pytest.mark.postgres``: runs only when the active database is PostgreSQL; on SQLite the
  test is skipped ("runs in the PostgreSQL pass": scripts/run_tests.sh runs that pass).
- ``@pytest.mark.redis``: needs Redis at REDIS_URL (default redis://127.0.0.1:6379/15).
  Unreachable: skipped on a laptop, a failure when CI=true.
- ``artifacts_dir``: the repo's artifacts/ folder (gitignored) for screenshots and other outputs.
- Under pytest-xdist (``make test`` runs two workers) each worker has its own test databases
  (pytest-django's suffix) and its own Redis database (:func:`redis_url`).
- ``heard``: the topics of each change announcement (``data_changed``) sent during the test.
- ``@pytest.mark.slow``: a test that alone takes many seconds; its module is handed out first
  (:func:`pytest_collection_modifyitems`).
- ``TEST_DB_SUFFIX=xyz``: suffix for the PostgreSQL test database name, so two runs against the
  same server (two engineers, one machine) do not drop each other's test database.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from xingping_tracker.tests.sharing import module_fixtures

REPO_ROOT = Path(__file__).resolve().parent
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
POSTGRES_SKIP_REASON = "runs in the PostgreSQL pass"

_redis_problem_cache: dict[str, str | None] = {}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def redis_url() -> str:
    """REDIS_URL, with a database of its own for each pytest-xdist worker (gw0 keeps the given one,
    gw1 the one below it, …), so two workers never share keys."""
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    base, _, database = url.rpartition("/")
    if not database.isdigit():
        return url
    return f"{base}/{(int(database) - int(worker[2:])) % 16}"


def active_database_is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def redis_problem(url: str) -> str | None:
    """None when Redis answers PING at ``url``; otherwise a short reason. Checked once per URL."""
    if url not in _redis_problem_cache:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
            _redis_problem_cache[url] = None
        except Exception as exc:  # any failure means "not usable"; the reason is reported
            _redis_problem_cache[url] = f"{type(exc).__name__}: {exc}"
        finally:
            client.close()
    return _redis_problem_cache[url]


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and not active_database_is_postgres():
        pytest.skip(POSTGRES_SKIP_REASON)
    if item.get_closest_marker("redis"):
        url = redis_url()
        problem = redis_problem(url)
        if problem:
            message = f"Redis is unreachable at {url} ({problem})"
            if in_ci():
                pytest.fail(f"{message}; CI=true requires Redis", pytrace=False)
            pytest.skip(f"{message}; start Redis to run this test")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """A test marked ``no_rows`` (it may run inside a module's shared world: xingping_tracker.tests.sharing)
    must run no SQL at all: checked, not trusted."""
    if item.get_closest_marker("no_rows") is None:
        return (yield)
    from xingping_tracker.tests.sharing import recording_sql

    with recording_sql() as executed:
        result = yield
    if executed:
        pytest.fail(f"marked no_rows but ran {len(executed)} SQL statement(s), first: {executed[0][:200]}", pytrace=False)
    return result


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Test modules in the order pytest-xdist hands them out by default (the modules with the most
    tests first), except that a module with a test marked ``slow`` comes before all others; each
    module's tests keep their order. ``scripts/run_tests.sh`` runs xdist with
    ``--no-loadscope-reorder``, so this is its order: the fuzz test (one test, 20 s on SQLite, 45 s
    on PostgreSQL) came last by xdist's own order, and one worker then ran it alone at the end."""
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    ordered = sorted(
        modules.values(),  # sorted() is stable: equal modules keep the collection order
        key=lambda tests: (not any(test.get_closest_marker("slow") for test in tests), -len(tests)),
    )
    items[:] = [item for tests in ordered for item in tests]


# Young objects the garbage collector lets pile up before a collection (CPython's default is 700).
GC_YOUNG_THRESHOLD = 50_000


def pytest_collection_finish(session: pytest.Session) -> None:
    """The test process's heap as the web and worker processes keep theirs (:mod:`xingping_tracker.core.heap`):
    what start-up and collection loaded (Django, the apps, every test module) is frozen, so the
    collector's full passes no longer rescan it; and the youngest generation is collected after
    50,000 new objects instead of 700 (a test's requests and factories make hundreds of thousands).
    Measured on 1,361 tests on PostgreSQL: the collector's time 11–13 s → 6–7 s of the workers'.
    Cycles are still collected; only less often."""
    import gc

    from xingping_tracker.core.heap import freeze_startup_heap

    freeze_startup_heap()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


@pytest.fixture(scope="session", autouse=True)
def _postgresql_flush_by_delete() -> Any:
    """After a test that commits for real (``transactional_db``, ``live_server``), pytest-django
    empties every table with Django's ``flush``. On PostgreSQL that is one ``TRUNCATE`` of all 76
    tables, about 200 ms (a new file for every table and index); ``DELETE FROM`` each table, in the
    same one transaction (the foreign keys are deferred to its commit), takes a few milliseconds for
    the rows a test leaves. The tables end up as empty either way; a flush that must also restart the
    id sequences (``reset_sequences``) keeps the ``TRUNCATE``. Tests only: production never flushes."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(
        self: Any, style: Any, tables: list[str], *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        if reset_sequences or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]

    DatabaseOperations.sql_flush = sql_flush
    try:
        yield
    finally:
        DatabaseOperations.sql_flush = truncate


@pytest.fixture(scope="session", autouse=True)
def _flush_puts_back_what_post_migrate_wrote() -> Any:
    """After the first flush of a test process, a flush puts back the rows the ``post_migrate``
    handlers wrote (content types, permissions, role groups) instead of running them again:
    :mod:`xingping_tracker.tests.flushing`."""
    from xingping_tracker.tests import flushing

    uninstall = flushing.install()
    try:
        yield
    finally:
        uninstall()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    suffix = os.environ.get("TEST_DB_SUFFIX", "").strip()
    if not suffix:
        return
    from django.conf import settings

    for db_settings in settings.DATABASES.values():
        if db_settings["ENGINE"] == "django.db.backends.sqlite3":
            continue  # in memory: nothing shared
        test_settings = db_settings.setdefault("TEST", {})
        base_name = test_settings.get("NAME") or f"test_{db_settings['NAME']}"
        test_settings["NAME"] = f"{base_name}_{suffix}"


@pytest.fixture(scope="session", name="redis_url")
def redis_url_fixture() -> str:
    """The Redis URL tests marked ``redis`` use (database 15 by default, not the app's 0)."""
    return redis_url()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = REPO_ROOT / "artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _forget_outages() -> None:
    """A broker or cache outage staged by one test must not hold back the next test's refreshes
    (``dashboard.freshness`` leaves a failed service alone for a while)."""
    from dashboard import freshness

    freshness.reset_back_off()


@pytest.fixture
def heard() -> Any:
    """The topics of each ``data_changed`` sent during the test (xingping_tracker.core.changes), in order."""
    from xingping_tracker.core.changes import data_changed

    received: list[frozenset[str]] = []

    def receiver(sender: Any = None, topics: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        received.append(topics)

    data_changed.connect(receiver, dispatch_uid="test-heard")
    yield received
    data_changed.disconnect(dispatch_uid="test-heard")


# --- the world, shared by a test module where it may be (xingping_tracker.tests.sharing) ----------


def _build_world() -> Any:
    from progress.tests.factories import build_world

    return build_world()


# ``world``: the small world most tests share (``progress.tests.factories.build_world``: the sample
# plan, two periods, one user per role). Defined once here for every app; a test module that needs
# another world defines its own fixture of that name. Built once per module where it may be; each
# test gets its own copy of the objects.
_module_world, world = module_fixtures(_build_world, name="world")
