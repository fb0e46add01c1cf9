"""The units' admin pages: their query counts do not grow with the rows.

Apart from test_admin.py, whose tests share one sample plan per module: these tests start from an
empty database.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Department
from departments.tests.factories import DepartmentAliasFactory, DepartmentFactory, DepartmentGroupFactory
from tasks.tests.factories import LeadFactory, SupportingFactory, TaskFactory, build_many_tasks

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:departments_department_changelist")


@pytest.fixture(autouse=True)
def _unit_content_type_cached(db):
    """The change page asks for the unit's content type, which Django caches for the process: looked
    up before a test counts, as the change pages of test_admin.py did when these tests ran after them
    there (the first count would otherwise hold one query the second does not)."""
    ContentType.objects.get_for_model(Department)


class TestDepartmentChangelist:
    def test_query_count_does_not_grow_with_rows(self, admin_client):
        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                response = admin_client.get(CHANGELIST)
            assert response.status_code == 200
            return len(ctx.captured_queries)

        group = DepartmentGroupFactory(members=[DepartmentFactory(), DepartmentFactory()])
        build_many_tasks(3, group=group)
        small = count()
        for _ in range(120):
            department = DepartmentFactory(host=DepartmentFactory())
            DepartmentAliasFactory(department=department)
            LeadFactory(department=department)
        build_many_tasks(5, group=group)
        assert count() == small


class TestDepartmentChangePage:
    def test_query_count_does_not_grow_with_tasks(self, admin_client):
        department = DepartmentFactory()
        url = reverse("admin:departments_department_change", args=[department.pk])

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                response = admin_client.get(url)
            assert response.status_code == 200
            return len(ctx.captured_queries)

        build_many_tasks(2, lead=department)
        SupportingFactory(task=TaskFactory(), department=department)
        small = count()
        build_many_tasks(60, lead=department)
        for _ in range(40):
            SupportingFactory(task=TaskFactory(), department=department)
        assert count() == small
