"""The dashboard's overview counted in SQL from the stored task states (``period_overview(...,
with_states=False)``, :mod:`progress.state_store`) is the overview computed in Python from every
task's state: on generated plans, for every period and several days, and after each kind of change
that moves a task's light; a store that fails falls back to the Python count."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest
from django.db import connection
from django.utils import timezone

from dashboard.selectors.overview import period_overview
from progress.models import ProgressReport, ProgressStatus, ReportStatus, ReviewPeriod, StoredState, TaskProgress
from progress.state_store import current_states, stale_task_ids
from progress.states import RED, YELLOW
from tasks.models import Task

pytestmark = pytest.mark.django_db


def _assert_counted_equals_full(period: ReviewPeriod, today: dt.date, *, attention: int | None = None) -> None:
    full = period_overview(period, today=today, with_trend=False)
    counted = period_overview(period, today=today, with_trend=False, with_states=False, attention=attention)
    assert not counted.states
    expected = dataclasses.replace(
        full, states={}, attention=full.attention if attention is None else full.attention[:attention]
    )
    assert counted == expected, period.name
    # Every task's stored state is current for that day: the counts above came from the table.
    assert stale_task_ids(period, today=today) == []
    covering = StoredState.objects.filter(period=period, as_of__lte=today, valid_through__gte=today)
    assert covering.count() == full.total


def _days(period: ReviewPeriod) -> list[dt.date]:
    due = period.report_due_on
    return [period.starts_on, due, due + dt.timedelta(days=1), due + dt.timedelta(days=400)]


@pytest.mark.parametrize("seed", [11, 12])
def test_counted_overview_is_the_full_overview_on_generated_plans(seed):
    from bench.synthetic import generate

    generate(tasks=90, departments=12, seed=seed)
    periods = list(ReviewPeriod.objects.order_by("starts_on"))
    checked = {RED: 0, YELLOW: 0, "binding": 0, "silent": 0}
    for period in (periods[0], periods[len(periods) // 2], periods[-1]):
        for today in _days(period):
            _assert_counted_equals_full(period, today)
            overview = period_overview(period, today=today, with_trend=False, with_states=False)
            checked[RED] += overview.light_counts[RED]
            checked[YELLOW] += overview.light_counts[YELLOW]
            checked["binding"] += len(overview.binding)
            checked["silent"] += sum(row.silent for row in overview.lead_units)
    # The generated plans have every kind of task the counts tell apart.
    assert all(checked.values()), checked


def test_the_attention_list_is_cut_after_the_same_tasks():
    from bench.synthetic import generate

    generate(tasks=60, departments=8, seed=13)
    period = ReviewPeriod.objects.order_by("starts_on").last()
    today = period.report_due_on + dt.timedelta(days=30)
    full = period_overview(period, today=today, with_trend=False)
    assert full.attention_total > 7
    _assert_counted_equals_full(period, today, attention=7)
    _assert_counted_equals_full(period, today, attention=0)


def _changes(world) -> list[tuple[str, object]]:
    """Each change that moves a task's standing, as (its name, a function making it)."""
    numbers = sorted(world.tasks)
    tasks = {i: world.tasks[numbers[(i - 1) % len(numbers)]] for i in range(1, 8)}

    def report():
        ProgressReport.objects.create(
            task=tasks[1],
            department=world.fagai,
            period=world.h2,
            status=ReportStatus.SUBMITTED,
            progress_status=ProgressStatus.DELAYED,
            submitted_at=timezone.now(),
        )

    def deadline():
        Task.objects.filter(pk=tasks[2].pk).update(deadline=dt.date(2024, 3, 1))

    def section():
        other = Task.objects.exclude(section_id=tasks[3].section_id).exclude(section=None).first()
        Task.objects.filter(pk=tasks[3].pk).update(section_id=other.section_id)

    def binding():
        Task.objects.filter(pk=tasks[4].pk).update(binding=not tasks[4].binding)

    def number():
        Task.objects.filter(pk=tasks[5].pk).update(number=9000)

    def extension():
        TaskProgress.objects.update_or_create(task=tasks[6], defaults={"extended_deadline": dt.date(2030, 1, 1)})

    def closing():
        TaskProgress.objects.update_or_create(
            task=tasks[7], defaults={"status": "completed", "completed_at": timezone.now() - dt.timedelta(days=1)}
        )

    return [
        ("report", report),
        ("deadline", deadline),
        ("section", section),
        ("binding", binding),
        ("number", number),
        ("extension", extension),
        ("closing", closing),
    ]


def test_each_change_makes_its_task_stale_and_the_counts_follow(world):
    period, today = world.h2, dt.date(2025, 1, 15)
    _assert_counted_equals_full(period, today)
    for name, change in _changes(world):
        change()
        stale = stale_task_ids(period, today=today)
        assert len(stale) == 1, name
        _assert_counted_equals_full(period, today)
    # A new day: only the tasks whose deadline passed since their rows (lights depend on the day),
    # and the task closed above: its closing is dated now, after the day read, so its row lasts
    # that day only. The world's other deadlines are years ahead, its due date (10 January) behind.
    tasks = Task.objects.filter(plan=period.plan)
    (closing,) = TaskProgress.objects.filter(status="completed").values_list("task_id", flat=True)
    extended = TaskProgress.objects.exclude(extended_deadline=None).values_list("task_id", flat=True)
    chosen = tasks.exclude(pk__in=[closing, *extended]).exclude(binding=True).order_by("number").first()
    tasks.filter(pk=chosen.pk).update(deadline=today)
    assert stale_task_ids(period, today=today) == [chosen.pk]  # a changed deadline, as above
    _assert_counted_equals_full(period, today)
    later = today + dt.timedelta(days=200)
    assert stale_task_ids(period, today=today + dt.timedelta(days=1)) == sorted([chosen.pk, closing])
    assert stale_task_ids(period, today=later) == sorted([chosen.pk, closing])
    _assert_counted_equals_full(period, later)
    assert StoredState.objects.get(period=period, task=chosen).light == RED  # overdue now
    # An earlier day than a row was computed for: that row again (the two read as of the later day).
    assert stale_task_ids(period, today=today) == sorted([chosen.pk, closing])
    # A new due date: every task. The rows then last until that day (but the two above), and the
    # day after it every task is read again (reports become late).
    ReviewPeriod.objects.filter(pk=period.pk).update(report_due_on=dt.date(2025, 1, 20))
    period.refresh_from_db()
    assert len(stale_task_ids(period, today=today)) == tasks.count()
    _assert_counted_equals_full(period, today)
    assert stale_task_ids(period, today=dt.date(2025, 1, 20)) == sorted([chosen.pk, closing])  # as above
    assert len(stale_task_ids(period, today=dt.date(2025, 1, 21))) == tasks.count()
    _assert_counted_equals_full(period, dt.date(2025, 1, 21))


def test_a_current_table_is_read_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    period, today = world.h2, dt.date(2025, 1, 15)
    assert current_states(period, today=today)
    period_overview(period, today=today, with_states=False, attention=5)  # trend points stored
    # The stale check, the plan, the counts, the units' counts, the attention and binding ids, the
    # four of read_states (sections, units, tasks, cells) of those tasks, the periods, the binding
    # board's targets, actuals and their reports.
    with django_assert_num_queries(14):
        period_overview(period, today=today, with_states=False, attention=5)


def test_a_store_that_fails_falls_back_to_the_python_count(world, caplog):
    period, today = world.h2, dt.date(2025, 1, 15)
    table = connection.ops.quote_name(StoredState._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER refuse_states BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_states() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN RAISE EXCEPTION 'refused'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_states BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_states()"
            )
    full = period_overview(period, today=today, with_trend=False)
    with caplog.at_level(logging.WARNING, logger="progress.state_store"):
        counted = period_overview(period, today=today, with_trend=False, with_states=False)
    assert counted == dataclasses.replace(full, states={})
    assert "not written" in caplog.text
    assert not StoredState.objects.exists()


def _listing_rows(listing) -> tuple:
    return (
        listing.total,
        listing.page.number,
        listing.silent_cells,
        [
            (row.state, row.text, row.url, row.section_heading, row.lead_units, row.silent_units, row.problems)
            for row in listing.rows
        ],
    )


def test_the_click_through_list_from_the_stored_states_is_the_list_filtered_in_python(monkeypatch):
    from django.db.models import Count

    from bench.synthetic import generate
    from dashboard.selectors import tasks as listing_module
    from dashboard.selectors.tasks import STATUS_CHOICES, TaskFilters, task_listing
    from tasks.models import AssignmentRole, EffectiveAssignment, Section

    generate(tasks=90, departments=12, seed=14)
    period = ReviewPeriod.objects.order_by("starts_on").last()
    chapter = Section.objects.filter(plan=period.plan, parent=None).order_by("position").first()
    unit = (  # the unit leading the most tasks
        EffectiveAssignment.objects.filter(role=AssignmentRole.LEAD, is_primary=True)
        .values("department_id")
        .annotate(tasks=Count("task_id"))
        .order_by("-tasks", "department_id")
        .first()
    )
    variants = [
        TaskFilters(),
        *(TaskFilters(light=light) for light in (RED, YELLOW, "green")),
        *(TaskFilters(status=status) for status, _label in STATUS_CHOICES),
        TaskFilters(section_id=chapter.pk),
        TaskFilters(unit_id=unit["department_id"]),
        TaskFilters(unit_id=unit["department_id"], light=RED),
        TaskFilters(completed=True),
        TaskFilters(completed=False, overdue=True),
        TaskFilters(binding=True),
        TaskFilters(silent=True),
        TaskFilters(attention=True, section_id=chapter.pk),
    ]
    stored_listing = listing_module._stored_listing
    empty = set()
    for today in (period.report_due_on, period.report_due_on + dt.timedelta(days=200)):
        for filters in variants:
            for page in (1, 2):
                monkeypatch.setattr(listing_module, "_stored_listing", stored_listing)
                stored = task_listing(period, filters=filters, page=page, per_page=7, today=today)
                monkeypatch.setattr(listing_module, "_stored_listing", lambda *args, **kwargs: None)
                python = task_listing(period, filters=filters, page=page, per_page=7, today=today)
                assert _listing_rows(stored) == _listing_rows(python), (filters, page, today)
                if not python.total:
                    empty.add(filters)
    assert len(empty) <= 2, empty  # the variants compare real lists, not empty ones
    # The stored path did answer (the report filter alone is Python's).
    monkeypatch.setattr(listing_module, "_stored_listing", stored_listing)
    assert stored_listing(period, filters=TaskFilters(light=RED), page=1, per_page=7, today=today) is not None
    assert stored_listing(period, filters=TaskFilters(report="late"), page=1, per_page=7, today=today) is None
