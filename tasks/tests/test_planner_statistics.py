"""PostgreSQL's extended statistics on the effective-assignment table (migration tasks 0007): the
planner is told how many distinct (unit, task) pairs there are, so that the pages filtering reports
by the one rule start from the reports rather than from every pair (the bench: review queue
``?role=supporting`` 424 → 15 ms for its page query)."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from tasks.models import EffectiveAssignment
from tasks.tests.factories import build_many_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NAME = "tasks_effectiveassignment_unit_task_stats"


def test_analyze_gives_the_planner_the_number_of_unit_task_pairs():
    build_many_tasks(30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tasks_effectiveassignment")
        cursor.execute("SELECT attnames, n_distinct FROM pg_stats_ext WHERE statistics_name = %s", [NAME])
        ((columns, distinct),) = cursor.fetchall()
    assert sorted(columns) == ["department_id", "task_id"]
    pairs = EffectiveAssignment.objects.values("department_id", "task_id").distinct().count()
    assert pairs > 30
    assert list(json.loads(distinct).values()) == [pairs]  # the whole table was sampled: exact
