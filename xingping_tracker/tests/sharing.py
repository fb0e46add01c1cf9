"""Data built once for a test module instead of once per test (``shared_per_module``).

Building a world costs tens of queries; many modules build the same one for each of their tests. As
Django's ``TestCase.setUpTestData`` does for a class, a module whose database tests all use the
world builds it once inside an outer transaction; each test runs in a savepoint inside it (the
``db`` fixture) that is rolled back, and gets a deep copy of the world's objects, so a test that
changes them in memory does not change them for the next. The outer transaction is rolled back
after the module. A module with a test that uses the database without the world (it may expect an
empty database) or needs real commits (``transactional_db``, ``live_server``, Django
``TransactionTestCase``) builds the world for each test, as before.
"""

from __future__ import annotations

from typing import Any

import pytest

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
        if (marker is not None or "db" in names) and name not in names:
            return False
    return True


def shared_per_module(request: pytest.FixtureRequest, django_db_blocker: Any, name: str, build: Any) -> Any:
    """A module-scoped fixture's body: ``build()`` once in an outer transaction rolled back after the
    module (yields None when the module may not share it; see above)."""
    if not _module_may_share(request, name):
        yield None
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


