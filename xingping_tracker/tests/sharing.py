"""Data built once for a test module instead of once per test (``shared_per_module``).

Building a world costs tens of queries; many modules build the same one for each of their tests. As
Django's ``TestCase.setUpTestData`` does for a class, a module whose database tests all use the
world builds it once inside an outer transaction; each test runs in a savepoint inside it (the
``db`` fixture) that is rolled back, and gets a deep copy of the world's objects, so a test that
changes them in memory does not change them for the next. The outer transaction is rolled back
after the module. A module with a test that uses the database without the world (it may expect an
empty database) or needs real commits (``transactional_db``, ``live_server``, Django
``TransactionTestCase``) builds the world for each test, as before. A test marked
``@pytest.mark.no_rows`` (a database-marked module's check that reads and writes no rows) does not
stop its module from sharing; the root conftest fails such a test if it runs any SQL
(:func:`recording_sql`).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest

# What the module-level fixture yields when the module may not share (``build()`` may return None).
NOT_SHARED = object()

_REAL_COMMITS = {"transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


def _module_may_share(request: pytest.FixtureRequest, name: str) -> bool:
    from django.test import TransactionTestCase

    module = request.module
    for item in request.session.items:
        if getattr(item, "module", None) is not module:
            continue
        names = set(getattr(item, "fixturenames", ()))
        marker = item.get_closest_marker("django_db")
        if names & _REAL_COMMITS or (marker is not None and marker.kwargs.get("transaction")):
            return False
        cls = getattr(item, "cls", None)
        if cls is not None and issubclass(cls, TransactionTestCase):
            return False
        if (marker is not None or "db" in names) and name not in names and not item.get_closest_marker("no_rows"):
            return False
    return True


def shared_per_module(request: pytest.FixtureRequest, django_db_blocker: Any, name: str, build: Any) -> Any:
    """A module-scoped fixture's body: ``build()`` once in an outer transaction rolled back after the
    module (yields :data:`NOT_SHARED` when the module may not share it; see above)."""
    if not _module_may_share(request, name):
        yield NOT_SHARED
        return
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            value = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield value
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def module_fixtures(build: Any, *, name: str) -> tuple[Any, Any]:
    """The pair of fixtures for data shared as above, for a conftest or a test module::

        _module_world, world = module_fixtures(build_world, name="world")

    ``_module_{name}`` (module scope) builds it once where the module may share it; ``name`` gives
    each test a copy (or builds it for the test where the module may not share)."""
    module_name = f"_module_{name}"

    @pytest.fixture(scope="module", name=module_name)
    def module_level(request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any) -> Any:
        yield from shared_per_module(request, django_db_blocker, name, build)

    def per_test(**fixtures: Any) -> Any:
        shared = fixtures[module_name]
        return build() if shared is NOT_SHARED else copy.deepcopy(shared)

    # The module's data is a parameter, not asked for inside: pytest then sets it up (module scope)
    # before the test's transaction (``db``, and the django_db marker's autouse fixture), so the
    # test's savepoint opens inside the module's transaction, not the other way round.
    per_test.__signature__ = inspect.Signature(
        [inspect.Parameter(arg, inspect.Parameter.KEYWORD_ONLY) for arg in (module_name, "db")]
    )
    per_test = pytest.fixture(name=name)(per_test)

    return module_level, per_test


@contextmanager
def recording_sql() -> Iterator[list[str]]:
    """The SQL statements run on any open database connection inside the block, in order."""
    from django.db import connections

    executed: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    with ExitStack() as stack:
        for connection in connections.all(initialized_only=True):
            stack.enter_context(connection.execute_wrapper(record))
        yield executed
