"""The stored task standings (progress.standing_store) always read as the computation does.

The oracle is :func:`progress.states.lead_cell_rows` itself, run on the data as it is now (what the
states computed without the store would read), against what :func:`progress.states.read_states`
reads through the store, after every kind of write of every input: the reports (factory save,
model save, queryset update, raw SQL, delete), the assignments (and so the effective-assignment
table), the task's closing (TaskProgress) and the period's due date.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from progress.models import (
    ProgressReport,
    ProgressStatus,
    ReportStatus,
    ReviewPeriod,
    StandingCell,
    StandingStamp,
    TaskProgress,
    TaskStatus,
)
from progress.states import lead_cell_rows, read_states, table_name
from progress.tests.factories import ProgressReportFactory
from tasks.models import Assignment, EffectiveAssignment
from tasks.services.effective_assignments import refresh_effective_assignments
from tasks.tests.factories import SupportingFactory, build_many_tasks
from xingping_tracker.tests.schema import trigger_names

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2025, 1, 15)


def _computed(period: ReviewPeriod) -> tuple[list, dict]:
    """The lead cells and silent counts of the period's plan, computed now (no store)."""
    rows = lead_cell_rows(period, task_condition="t.plan_id = %s", task_params=[period.plan_id])
    cells = sorted(
        (task_id, unit_id, status or "", on_time == 1, released == 1)
        for task_id, unit_id, status, _progress, _percent, on_time, released in rows
        if unit_id is not None
    )
    silent = {task_id: int(count) for task_id, unit_id, _s, _p, count, _o, _r in rows if unit_id is None}
    return cells, silent


def _fresh_states(period: ReviewPeriod, today: dt.date) -> dict:
    """The task states with the store emptied first (rolled back: the store is left as it was)."""
    with transaction.atomic():
        StandingCell.objects.all().delete()
        states = read_states(period, today=today, task_ids=None).states
        transaction.set_rollback(True)
    return states


def _assert_reads_as_computed(period: ReviewPeriod, today: dt.date = TODAY) -> None:
    reads = read_states(period, today=today, task_ids=None)
    cells, silent = _computed(period)
    assert sorted(reads.lead_cells) == cells
    assert reads.silent == silent
    assert reads.states == _fresh_states(period, today)


def _stamp(task_id: int) -> int:
    return StandingStamp.objects.filter(task_id=task_id).values_list("stamp", flat=True).first() or 0


# --- every kind of write, at random -------------------------------------------------------------


def _moment(rng: random.Random, period: ReviewPeriod) -> dt.datetime:
    day = period.report_due_on + dt.timedelta(days=rng.randint(-4, 3))
    return dt.datetime(day.year, day.month, day.day, rng.choice([9, 23]), tzinfo=SHANGHAI)


def _random_write(rng: random.Random, world, tasks: list, periods: list[ReviewPeriod]) -> str:
    task = rng.choice(tasks)
    period = rng.choice(periods)
    units = list(EffectiveAssignment.objects.filter(task=task).order_by("pk").values_list("department_id", flat=True)) or [
        world.gongxin.pk
    ]
    reports = list(ProgressReport.objects.filter(period__in=periods).order_by("pk").values_list("pk", flat=True))
    kind = rng.choice(
        ["create", "create", "update", "save", "raw", "delete", "support", "unassign", "close", "reopen", "due"]
    )
    status = rng.choice(list(ReportStatus.values))
    if kind == "create":
        unit = rng.choice(units)
        if not ProgressReport.objects.filter(task=task, department_id=unit, period=period).exists():
            ProgressReportFactory(
                task=task,
                department_id=unit,
                period=period,
                status=status,
                progress_status=rng.choice(list(ProgressStatus.values)),
                percent=rng.choice([None, 10, 60, 100]),
                submitted_at=_moment(rng, period) if status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED) else None,
            )
    elif kind == "update" and reports:
        ProgressReport.objects.filter(pk=rng.choice(reports)).update(
            status=status, progress_status=rng.choice(list(ProgressStatus.values)), submitted_at=_moment(rng, period)
        )
    elif kind == "save" and reports:
        report = ProgressReport.objects.get(pk=rng.choice(reports))
        report.status, report.percent = status, rng.choice([None, 5, 95])
        report.save()
    elif kind == "raw" and reports:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table_name(ProgressReport)} SET status = %s WHERE id = %s", [status, rng.choice(reports)]
            )
    elif kind == "delete" and reports:
        ProgressReport.objects.filter(pk=rng.choice(reports)).delete()
    elif kind == "support":
        SupportingFactory(task=task, department=rng.choice([world.fagai, world.caizheng, world.nancheng, world.gongxin]))
    elif kind == "unassign":
        assignments = list(Assignment.objects.filter(task=task).order_by("pk"))
        if assignments:  # drawn by the seeded generator, so that a seed replays the same writes
            rng.choice(assignments).delete()
            refresh_effective_assignments(task_ids=[task.pk])
    elif kind == "close":
        TaskProgress.objects.update_or_create(
            task=task, defaults={"status": TaskStatus.COMPLETED, "completed_at": _moment(rng, period)}
        )
    elif kind == "reopen":
        TaskProgress.objects.filter(task=task).update(status=TaskStatus.OPEN, completed_at=None)
    elif kind == "due":
        ReviewPeriod.objects.filter(pk=period.pk).update(
            report_due_on=period.report_due_on + dt.timedelta(days=rng.choice([-3, 2]))
        )
    return kind


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_stored_read_equals_the_computation_through_every_kind_of_write(world, seed):
    rng = random.Random(seed)
    tasks = [*world.tasks.values(), *build_many_tasks(6, plan=world.plan)]
    done = set()
    for _ in range(45):
        periods = list(ReviewPeriod.objects.filter(plan=world.plan).order_by("starts_on"))
        done.add(_random_write(rng, world, tasks, periods))
        for period in ReviewPeriod.objects.filter(plan=world.plan):
            _assert_reads_as_computed(period, rng.choice([TODAY, dt.date(2024, 7, 11), dt.date(2025, 12, 1)]))
    assert len(done) >= 9  # the writes drawn cover the kinds (each seed)
    assert StandingCell.objects.exists()


# --- what is computed again, and what is not --------------------------------------------------------


def test_only_the_changed_task_is_computed_again(world):
    first, second = world.tasks[1], world.tasks[2]
    read_states(world.h2, today=TODAY, task_ids=None)
    kept = set(StandingCell.objects.filter(period=world.h2, task=second).values_list("pk", flat=True))
    before = set(StandingCell.objects.filter(period=world.h2, task=first).values_list("pk", flat=True))
    assert kept and before
    stamp = _stamp(first.pk)
    ProgressReportFactory(task=first, department=world.fagai, period=world.h2, status=ReportStatus.SUBMITTED)
    assert _stamp(first.pk) == stamp + 1  # the trigger, in the same transaction as the insert
    _assert_reads_as_computed(world.h2)
    assert set(StandingCell.objects.filter(period=world.h2, task=second).values_list("pk", flat=True)) == kept
    assert not before & set(StandingCell.objects.filter(period=world.h2, task=first).values_list("pk", flat=True))


def test_rows_computed_before_a_concurrent_write_are_never_read(world):
    """A reader computes, then a write commits, then the reader stores what it computed: its rows
    carry the stamp read before the write, so the next reader computes again instead of reading them."""
    from progress.standing_store import store

    task = world.tasks[1]
    condition, params = "t.plan_id = %s AND t.id = %s", [world.plan.pk, task.pk]
    stamps = {task.pk: _stamp(task.pk)}
    old = lead_cell_rows(world.h2, task_condition=condition, task_params=params)
    ProgressReportFactory(task=task, department=world.fagai, period=world.h2, status=ReportStatus.ACCEPTED)
    store(world.h2, old, stamps, [task.pk], whole_plan=False)
    assert StandingCell.objects.filter(period=world.h2, task=task).exists()
    _assert_reads_as_computed(world.h2)
    (status,) = [c[2] for c in read_states(world.h2, today=TODAY, task_ids=[task.pk]).lead_cells]
    assert status == ReportStatus.ACCEPTED


def test_a_changed_due_date_is_read_as_computed(world):
    report = ProgressReportFactory(
        task=world.tasks[1],
        department=world.fagai,
        period=world.h2,
        status=ReportStatus.SUBMITTED,
        submitted_at=dt.datetime(2025, 1, 12, 10, tzinfo=SHANGHAI),
    )
    on_time = {c[1]: c[3] for c in read_states(world.h2, today=TODAY, task_ids=[report.task_id]).lead_cells}
    assert on_time == {world.fagai.pk: False}
    ReviewPeriod.objects.filter(pk=world.h2.pk).update(report_due_on=dt.date(2025, 1, 13))
    world.h2.refresh_from_db()
    on_time = {c[1]: c[3] for c in read_states(world.h2, today=TODAY, task_ids=[report.task_id]).lead_cells}
    assert on_time == {world.fagai.pk: True}
    _assert_reads_as_computed(world.h2)


@pytest.mark.parametrize(
    "write",
    ["report insert", "report update", "report delete", "assignment", "closing insert", "closing update"],
)
def test_every_write_of_an_input_moves_the_task_stamp(world, write):
    task, other = world.tasks[1], world.tasks[4]
    report = ProgressReportFactory(task=task, department=world.fagai, period=world.h2)
    if write == "closing update":
        TaskProgress.objects.create(task=task)
    stamp, other_stamp = _stamp(task.pk), _stamp(other.pk)
    if write == "report insert":
        ProgressReportFactory(task=task, department=world.caizheng, period=world.h2)
    elif write == "report update":
        ProgressReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    elif write == "report delete":
        report.delete()
    elif write == "assignment":
        SupportingFactory(task=task, department=world.nancheng)
    elif write == "closing insert":
        TaskProgress.objects.create(task=task, status=TaskStatus.COMPLETED)
    elif write == "closing update":
        TaskProgress.objects.filter(task=task).update(status=TaskStatus.COMPLETED)
    assert _stamp(task.pk) > stamp
    assert _stamp(other.pk) == other_stamp  # another task's stored standing stays current


def test_a_store_that_fails_is_logged_and_the_read_still_answers(world, caplog):
    """The store refused by the database itself (a trigger that aborts every insert into it)."""
    cells = table_name(StandingCell)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION pg_temp.refuse() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN RAISE EXCEPTION 'refused'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_cells BEFORE INSERT ON {cells} FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse()"
            )
        else:
            cursor.execute(f"CREATE TEMP TRIGGER refuse_cells BEFORE INSERT ON {cells} BEGIN SELECT RAISE(ABORT, 'refused'); END")
    try:
        with caplog.at_level(logging.WARNING, logger="progress.standing_store"):
            _assert_reads_as_computed(world.h2)
        assert not StandingCell.objects.exists()
        assert "not written" in caplog.text
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER refuse_cells{' ON ' + cells if connection.vendor == 'postgresql' else ''}")



def test_every_stamp_trigger_is_in_the_migrated_database():
    """SQLite drops a table's triggers when a migration rebuilds the table: a later migration of one of
    these tables must create its trigger again, or the stores would read stale rows as current."""
    expected = {
        f"{table}_standing_{event}"
        for table in ("progress_progressreport", "tasks_effectiveassignment", "progress_taskprogress")
        for event in ("ins", "upd", "del")
    } | {"tasks_task_standing_upd"}
    assert expected <= trigger_names()


def test_the_tasks_own_fields_move_its_stamp_and_other_fields_do_not(world):
    from tasks.models import Task

    task = world.tasks[1]

    def stamp() -> int:
        return StandingStamp.objects.filter(task_id=task.pk).values_list("stamp", flat=True).first() or 0

    before = stamp()
    Task.objects.filter(pk=task.pk).update(annotation="备注", deadline_text="2025年底前")
    assert stamp() == before
    other = world.tasks[2].section_id if world.tasks[2].section_id != task.section_id else None
    for change in ({"number": 9001}, {"section_id": other}, {"binding": not task.binding}, {"deadline": dt.date(2031, 1, 1)}):
        Task.objects.filter(pk=task.pk).update(**change)
        assert stamp() == before + 1, change
        before += 1
    Task.objects.filter(pk=task.pk).update(number=9001)  # the same value again: nothing changed
    assert stamp() == before
