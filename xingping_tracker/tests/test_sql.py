"""The shared pieces of hand-written SQL (xingping_tracker.core.sql)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Department
from departments.tests.factories import DepartmentFactory
from progress.states import table_name
from tasks.models import Target
from tasks.tests.factories import TargetFactory
from xingping_tracker.core.sql import ids_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [1, 3, 1200])
def test_ids_in_selects_exactly_the_given_ids(size):
    """The id condition (one array on PostgreSQL, placeholders elsewhere) finds exactly its rows, for
    one id, a few, and more than SQLite's old limit of 999 parameters (ids not in the table included)."""
    units = [DepartmentFactory().pk for _ in range(4)]
    wanted = [units[0], units[2], *range(10**6, 10**6 + size - 2)][:size]
    condition, params = ids_in("d.id", wanted)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT d.id FROM {table_name(Department)} d WHERE {condition}", params)
        found = sorted(row[0] for row in cursor.fetchall())
    assert found == sorted(pk for pk in wanted if pk in units)
    assert ("ANY" in condition) == (connection.vendor == "postgresql")


@pytest.mark.parametrize("size", [1, 3, 1200])
def test_the_in_ids_lookup_selects_exactly_the_given_rows(size):
    """The ORM's form, on a primary key and on a foreign key's column, with one array parameter on
    PostgreSQL whatever the number of ids."""
    units = [DepartmentFactory().pk for _ in range(4)]
    wanted = [units[0], units[2], *range(10**6, 10**6 + size - 2)][:size]
    with CaptureQueriesContext(connection) as ctx:
        found = sorted(Department.objects.filter(pk__in_ids=wanted).values_list("pk", flat=True))
    assert found == sorted(pk for pk in wanted if pk in units)
    (query,) = ctx.captured_queries
    assert ("= ANY(" in query["sql"]) == (connection.vendor == "postgresql")
    targets = [TargetFactory(), TargetFactory(), TargetFactory()]
    chosen = [targets[0].task_id, targets[2].task_id, *range(10**6, 10**6 + size - 2)][:size]
    by_task = Target.objects.filter(task_id__in_ids=chosen).values_list("pk", flat=True)
    assert sorted(by_task) == sorted(t.pk for t in targets if t.task_id in chosen)


def test_the_in_ids_lookup_of_no_ids_selects_nothing_without_a_query():
    DepartmentFactory()
    with CaptureQueriesContext(connection) as ctx:
        assert list(Department.objects.filter(pk__in_ids=[])) == []
    assert ctx.captured_queries == []


def test_insert_rows_writes_every_value_in_one_statement_on_postgresql():
    """Many rows at once (one ``unnest`` statement on PostgreSQL, ``executemany`` elsewhere), NULLs,
    dates and booleans as given; with ``ON CONFLICT DO NOTHING`` a row already there stays."""
    import datetime as dt

    from progress.models import StandingCell
    from progress.tests.factories import ReviewPeriodFactory
    from tasks.tests.factories import PlanFactory, TaskFactory
    from xingping_tracker.core.sql import insert_rows

    period = ReviewPeriodFactory(plan=PlanFactory())
    tasks = [TaskFactory(plan=period.plan).pk for _ in range(3)]
    columns = (
        *("period_id", "task_id", "unit_id", "stamp", "due_on"),
        *("status", "progress_status", "percent", "on_time", "released", "silent"),
    )
    due = dt.date(2025, 7, 10)
    rows = [
        (period.pk, task, 7, 1, due, "submitted", "正常推进", None if i else 40, i == 1, False, i)
        for i, task in enumerate(tasks)
    ]
    with CaptureQueriesContext(connection) as ctx, connection.cursor() as cursor:
        insert_rows(cursor, StandingCell, columns, rows)
        insert_rows(cursor, StandingCell, columns, [])  # nothing to write: no statement
    ((query,),) = [ctx.captured_queries]  # one statement (an executemany is one, of many rows)
    assert ("unnest" in query["sql"]) == (connection.vendor == "postgresql")
    stored = list(StandingCell.objects.order_by("task_id").values_list(*columns))
    assert stored == rows
    again = [
        (period.pk, tasks[0], 7, 1, due, "draft", "", 99, True, True, 0),
        (period.pk, tasks[0], 8, 1, due, "", "", None, False, False, 0),
    ]
    with connection.cursor() as cursor:
        insert_rows(cursor, StandingCell, columns, again, suffix=" ON CONFLICT DO NOTHING")
    assert StandingCell.objects.get(task_id=tasks[0], unit_id=7).status == "submitted"  # kept
    assert StandingCell.objects.filter(task_id=tasks[0], unit_id=8).exists()
