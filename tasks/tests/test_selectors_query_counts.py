"""Task selectors: the task list's query count does not grow with the tasks.

Apart from test_selectors.py, whose tests share one sample plan per module: this test starts from
an empty database (it counts every task).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks import selectors
from tasks.models import Task
from tasks.tests.factories import build_many_tasks

pytestmark = pytest.mark.django_db


def test_task_list_query_count_does_not_grow_with_tasks():
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            for task in selectors.task_list():
                selectors.task_assignments_by_role(task)
                for assignment in task.assignments.all():
                    selectors.assignment_effective_departments(assignment)
                list(task.milestones.all())
                list(task.targets.all())
                selectors.section_heading_path(task.section)
        return len(ctx.captured_queries)

    build_many_tasks(3)
    small = count_queries()
    build_many_tasks(40)
    assert Task.objects.count() == 43
    assert count_queries() == small
