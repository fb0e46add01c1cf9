"""The flush after a test that commits for real puts back what ``post_migrate`` wrote instead of
running its handlers again (xingping_tracker.tests.flushing), on both databases."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from access.roles import LEADERSHIP_GROUP, PLAN_OFFICE_GROUP
from departments.tests.factories import DepartmentFactory
from progress.tests.factories import build_world
from xingping_tracker.tests import flushing

pytestmark = pytest.mark.django_db(transaction=True)


def catalogue() -> dict[str, object]:
    """The rows the handlers write, by id and by what they mean."""
    return {
        "content_types": sorted(ContentType.objects.values_list("pk", "app_label", "model")),
        "permissions": sorted(Permission.objects.values_list("pk", "content_type_id", "codename", "name")),
        "groups": sorted(
            (group.pk, group.name, sorted(group.permissions.values_list("pk", flat=True)))
            for group in Group.objects.all()
        ),
    }


def test_a_flush_undoes_a_tests_changes_to_the_roles_without_running_the_handlers():
    call_command("flush", interactive=False, verbosity=0)  # the first in this process may run them
    fresh = catalogue()
    assert {name for _pk, name, _perms in fresh["groups"]} == {PLAN_OFFICE_GROUP, LEADERSHIP_GROUP}
    assert all(perms for _pk, _name, perms in fresh["groups"])

    Group.objects.get(name=PLAN_OFFICE_GROUP).permissions.clear()
    Group.objects.get(name=LEADERSHIP_GROUP).delete()
    Group.objects.create(name="临时组")
    Permission.objects.filter(codename="view_task").update(name="改过的名字")
    DepartmentFactory(name="市发改局")

    with CaptureQueriesContext(connection) as flushed:
        call_command("flush", interactive=False, verbosity=0)

    assert catalogue() == fresh
    assert not DepartmentFactory._meta.model.objects.exists()
    # The handlers look the content types and permissions up; the flush only introspects and writes.
    looked_up = [q["sql"] for q in flushed.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert looked_up and not [sql for sql in looked_up if "django_content_type" in sql or "auth_permission" in sql]


def test_what_is_put_back_is_what_the_handlers_leave():
    call_command("flush", interactive=False, verbosity=0)
    put_back = catalogue()

    emit_post_migrate_signal(0, False, connection.alias)  # Django's own, run on top: nothing to add

    assert catalogue() == put_back


CATALOGUE = {"django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}


def rows_outside_the_catalogue() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
            if table not in CATALOGUE:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
    return {table: count for table, count in counts.items() if count}


def delete_rows(tables: list[str]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:  # foreign keys checked at the commit
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


def test_only_the_handlers_rows_are_put_back_not_what_the_flush_itself_left():
    """Deleting a task's effective units moves its standing stamp (a trigger): a flush that empties
    the stamps before the units leaves stamp rows behind. Those are not the handlers' rows: put back
    by every later flush, they collided with the stamps of the next world (test databases reuse ids
    after a rollback). Here the handlers run with such stamps present, as after that flush."""
    build_world()
    fresh = catalogue()
    everything = connection.introspection.django_table_names(only_existing=True, include_views=False)
    stamps = "progress_standingstamp"
    delete_rows([table for table in everything if table != stamps])  # the units' deletes leave stamps
    assert stamps in rows_outside_the_catalogue()
    emit = flushing.post_migrate_once(emit_post_migrate_signal)
    emit(0, False, connection.alias)  # the first: the handlers write the catalogue again
    rewritten = catalogue()
    delete_rows([table for table in everything if table != stamps] + [stamps])

    emit(0, False, connection.alias)  # a later flush: the handlers' rows put back

    assert rows_outside_the_catalogue() == {}
    assert catalogue() == rewritten
    assert sorted((app, model) for _pk, app, model in rewritten["content_types"]) == sorted(
        (app, model) for _pk, app, model in fresh["content_types"]
    )
