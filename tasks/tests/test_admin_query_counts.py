"""The task changelist's query count does not grow with the rows.

Apart from test_admin.py, whose tests share one sample plan per module: these tests start from an
empty database (they count the rows the changelist lists).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.tests.factories import DepartmentFactory
from tasks.tests.factories import PlanFactory, build_many_tasks

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:tasks_task_changelist")


class TestTaskChangelist:
    @staticmethod
    def _count_queries(client, params=None) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(CHANGELIST, params or {})
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.context["cl"].result_list)

    def test_query_count_does_not_grow_with_rows(self, admin_client):
        plan = PlanFactory()
        build_many_tasks(20, plan=plan)
        small, rows = self._count_queries(admin_client)
        assert rows == 20
        build_many_tasks(100, plan=plan)
        large, rows = self._count_queries(admin_client)
        assert rows == 100  # the default page
        assert large == small
        second_page, rows = self._count_queries(admin_client, {"p": "2"})
        assert rows == 20
        assert second_page == small

    def test_filtered_query_count_does_not_grow_with_rows(self, admin_client):
        lead = DepartmentFactory()
        build_many_tasks(20, lead=lead)
        small, rows = self._count_queries(admin_client, {"lead": str(lead.pk)})
        assert rows == 20
        build_many_tasks(100, lead=lead)
        large, rows = self._count_queries(admin_client, {"lead": str(lead.pk)})
        assert rows == 100
        assert large == small
