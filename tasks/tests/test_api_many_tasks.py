"""The task API over many tasks: the list's query count does not grow with them, the page size is capped.

Apart from test_api.py, whose tests share one sample plan per module: these tests start from an
empty database (they count every task).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tasks.tests.factories import build_many_tasks
from tasks.tests.test_api import TASKS_URL, client, viewer  # noqa: F401 - fixtures: the plan office and its API client

pytestmark = pytest.mark.django_db


class TestTaskRepresentation:
    def test_list_query_count_does_not_grow_with_tasks(self, viewer):  # noqa: F811
        token = Token.objects.create(user=viewer).key

        def count(n_expected: int) -> int:
            api = APIClient()  # token auth: every request loads its user and permissions afresh
            api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            with CaptureQueriesContext(connection) as ctx:
                response = api.get(TASKS_URL, {"page_size": 100})
            assert response.status_code == 200
            assert len(response.json()["results"]) == n_expected
            return len(ctx.captured_queries)

        build_many_tasks(10)
        small = count(10)
        build_many_tasks(140)
        assert count(100) == small

    def test_page_size_is_capped(self, client):  # noqa: F811
        build_many_tasks(3)
        response = client.get(TASKS_URL, {"page_size": 1})
        assert response.json()["count"] == 3
        assert len(response.json()["results"]) == 1
