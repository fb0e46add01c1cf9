"""xingping_tracker.tests.sharing: a module's data built once, each test isolated from the others.

The tests of this module run in file order (pytest keeps a module's order; pytest-xdist's
``--dist loadfile`` keeps a module on one worker)."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth import get_user_model

from xingping_tracker.tests.sharing import _module_may_share, module_fixtures, recording_sql

BUILDS: list[int] = []


def build_shared() -> SimpleNamespace:
    BUILDS.append(1)
    user = get_user_model().objects.create(username="shared-user", first_name="原名")
    return SimpleNamespace(user=user)


# Every database test of this module uses the fixture: it is shared.
_module_shared, shared = module_fixtures(build_shared, name="shared")


def test_first_test_changes_the_rows_and_the_objects(shared):
    assert len(BUILDS) == 1
    shared.user.first_name = "改名"
    shared.user.save()
    get_user_model().objects.create(username="made-by-the-first-test")
    assert get_user_model().objects.filter(username="made-by-the-first-test").exists()


def test_the_next_test_sees_neither_change_and_nothing_is_built_again(shared):
    assert len(BUILDS) == 1
    assert shared.user.first_name == "原名"
    assert get_user_model().objects.get(username="shared-user").first_name == "原名"
    assert not get_user_model().objects.filter(username="made-by-the-first-test").exists()


def test_recording_sql_sees_each_statement_the_no_rows_check_refuses(shared):
    """What the root conftest's check of ``no_rows`` tests reads: any SQL at all."""
    with recording_sql() as executed:
        pass
    assert executed == []
    with recording_sql() as executed:
        assert get_user_model().objects.filter(username="shared-user").exists()
    assert len(executed) == 1 and "auth_user" in executed[0]


def _item(module, *, names=(), marker=None, no_rows=False, cls=None):
    markers = {"django_db": marker, "no_rows": SimpleNamespace(kwargs={}) if no_rows else None}
    return SimpleNamespace(
        module=module, fixturenames=list(names), cls=cls, get_closest_marker=lambda name: markers.get(name)
    )


def _request(*items):
    module = items[0].module if items else object()
    return SimpleNamespace(module=module, session=SimpleNamespace(items=list(items)))


DB = SimpleNamespace(kwargs={})
COMMITS = SimpleNamespace(kwargs={"transaction": True})


def test_who_may_share():
    from django.test import TestCase, TransactionTestCase

    here, elsewhere = object(), object()
    uses = _item(here, names=("world", "db"), marker=DB)
    assert _module_may_share(_request(uses, _item(elsewhere, names=("db",), marker=DB)), "world")
    assert _module_may_share(_request(uses, _item(here)), "world")  # no database at all
    assert _module_may_share(_request(uses, _item(here, marker=DB, no_rows=True)), "world")
    # A database test without the world may expect an empty database.
    assert not _module_may_share(_request(uses, _item(here, marker=DB)), "world")
    assert not _module_may_share(_request(uses, _item(here, names=("db",))), "world")
    # Real commits cannot run inside the module's transaction.
    assert not _module_may_share(_request(_item(here, names=("world", "db"), marker=COMMITS)), "world")
    assert not _module_may_share(_request(_item(here, names=("world", "live_server"))), "world")
    assert not _module_may_share(_request(_item(here, names=("world",), cls=TransactionTestCase)), "world")
    assert not _module_may_share(_request(_item(here, names=("world",), cls=TestCase)), "world")
