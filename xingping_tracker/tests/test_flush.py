"""The flush after a test that commits for real, on PostgreSQL (conftest._postgresql_flush_by_delete):
every table emptied by DELETE in one transaction, TRUNCATE kept where the id sequences restart."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from departments.models import Department, Membership
from departments.tests.factories import DepartmentFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def tables() -> list[str]:
    return connection.introspection.django_table_names(only_existing=True, include_views=False)


def test_the_flush_deletes_from_every_table_and_leaves_them_empty():
    unit = DepartmentFactory(name="市发改局")
    Membership.objects.create(user=UserFactory(), department=unit)  # rows that refer to each other

    statements = connection.ops.sql_flush(no_style(), tables())
    call_command("flush", interactive=False, verbosity=0)

    assert statements == [f"DELETE FROM {connection.ops.quote_name(table)};" for table in tables()]
    assert not Department.objects.exists() and not Membership.objects.exists()
    assert Group.objects.exists()  # the roles are filled again after the flush, as after TRUNCATE


def test_a_flush_that_restarts_the_sequences_still_truncates():
    (statement,) = connection.ops.sql_flush(no_style(), tables(), reset_sequences=True)

    assert statement.startswith("TRUNCATE") and "RESTART IDENTITY" in statement
