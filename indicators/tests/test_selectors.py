"""Where actual values come from: delivered lead reports, and the plan office's entries that win."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from indicators.models import OfficialActual
from indicators.selectors import actual_series, evaluations, target_spec
from indicators.trajectory import Reading, TrajectoryStatus
from progress.models import ActualState, ReportStatus, TargetActual
from progress.tests.factories import ProgressReportFactory
from tasks.models import Target


def _report(world, department, status, *, period=None, role="lead"):
    return ProgressReportFactory(
        task=world.tasks[2], department=department, period=period or world.h2, role=role, status=status
    )


def _actual(report, target, value, data_date, state=ActualState.REPORTED):
    return TargetActual.objects.create(report=report, target=target, state=state, value=value, data_date=data_date)


def test_target_spec_fills_the_year_and_baseline_year_from_the_plan_period(world):
    target = world.target
    spec = target_spec(target)
    plan = world.plan
    assert spec.year == (target.year or plan.period_end.year)
    assert spec.baseline_year == (target.baseline_year or plan.period_start.year - 1)
    assert (spec.direction, spec.basis, spec.value) == (target.direction, target.basis, target.value)


def test_series_reads_delivered_lead_reports_only_and_official_entries_win(world, django_assert_num_queries):
    target = world.target
    accepted = _report(world, world.gongxin, ReportStatus.ACCEPTED, period=world.h1)
    _actual(accepted, target, Decimal("4.2"), dt.date(2024, 6, 30))
    draft = _report(world, world.gongxin, ReportStatus.DRAFT)
    _actual(draft, target, Decimal("9"), dt.date(2024, 12, 31))
    supporting = _report(world, world.fagai, ReportStatus.SUBMITTED, role="supporting")
    _actual(supporting, target, Decimal("8"), dt.date(2024, 12, 31))
    with django_assert_num_queries(2):
        series = actual_series([target.pk, 999_999])
    assert series == {target.pk: [Reading(2024, Decimal("4.2000"), dt.date(2024, 6, 30))], 999_999: []}

    draft.status = ReportStatus.SUBMITTED
    draft.save()
    assert [r.value for r in actual_series([target.pk])[target.pk]] == [Decimal("9")]
    # as of mid-2024 the year-end figure was not there yet
    assert [r.value for r in actual_series([target.pk], as_of=dt.date(2024, 7, 1))[target.pk]] == [Decimal("4.2")]

    OfficialActual.objects.create(
        target=target,
        year=2024,
        value=Decimal("4.8"),
        data_date=dt.date(2024, 12, 31),
        source="2024年统计公报",
        reason="统计公报更正",
        entered_by=world.plan_office,
        entered_at=timezone.now(),
    )
    OfficialActual.objects.create(
        target=target, year=2023, value=Decimal("3.9"), reason="补录", entered_at=timezone.now()
    )
    series = actual_series([target.pk])[target.pk]
    assert [(r.year, r.value) for r in series] == [(2023, Decimal("3.9")), (2024, Decimal("4.8"))]
    # the report's own figure is untouched
    assert TargetActual.objects.get(report=draft).value == Decimal("9")


def test_evaluations_in_bounded_queries_and_no_data_is_a_state(world, django_assert_num_queries):
    targets = list(type(world.target).objects.all())
    with django_assert_num_queries(3):
        result = evaluations(targets, as_of_year=2024)
    assert set(result) == {t.pk for t in targets}
    assert {e.status for e in result.values()} == {TrajectoryStatus.NO_DATA}
    assert all(e.completion is None for e in result.values())

    accepted = _report(world, world.gongxin, ReportStatus.ACCEPTED)
    _actual(accepted, world.target, Decimal("4.2"), dt.date(2024, 12, 31))
    evaluation = evaluations([world.target], as_of_year=2024)[world.target.pk]
    assert evaluation.latest.value == Decimal("4.2")
    assert evaluation.status != TrajectoryStatus.NO_DATA
    assert evaluations([world.target], as_of_year=2023)[world.target.pk].status == TrajectoryStatus.NO_DATA


def test_the_binding_board_shows_the_plan_office_entry_that_wins_in_the_same_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboard.selectors.overview import period_overview

    day = dt.date(2025, 1, 5)
    # A baseline, so that a figure short of the target can be behind its trajectory (4.9 in 2024).
    Target.objects.filter(pk=world.target.pk).update(baseline_value=Decimal("4.5"), baseline_year=2020)
    accepted = _report(world, world.gongxin, ReportStatus.ACCEPTED)
    _actual(accepted, world.target, Decimal("5.2"), dt.date(2024, 12, 31))
    period_overview(world.h2, today=day)  # the trend point and the stored standings written
    with CaptureQueriesContext(connection) as before:
        (row,) = period_overview(world.h2, today=day).binding
    assert (row.actual_value, row.veto_risk) == (Decimal("5.2"), False)

    OfficialActual.objects.create(
        target=world.target, year=2024, value=Decimal("4.6"), reason="统计公报更正", entered_at=timezone.now()
    )
    OfficialActual.objects.create(  # a year after the period shown: not yet on its board
        target=world.target, year=2025, value=Decimal("9"), reason="补录", entered_at=timezone.now()
    )
    with CaptureQueriesContext(connection) as after:
        (row,) = period_overview(world.h2, today=day).binding
    assert len(after.captured_queries) == len(before.captured_queries)
    assert (row.actual_value, row.actual_text, row.actual_period) == (Decimal("4.6"), "4.6%", "规划科录入（2024年）")
    assert row.veto_risk and row.veto_reason.startswith("指标滞后：2024年实际值4.6%")
    # an older entry does not hide a later report value
    OfficialActual.objects.filter(year=2024).update(year=2023)
    (row,) = period_overview(world.h2, today=day).binding
    assert row.actual_value == Decimal("5.2")


def test_a_long_list_of_targets_is_read_by_subquery_with_the_same_result(world, monkeypatch):
    from indicators import selectors

    accepted = _report(world, world.gongxin, ReportStatus.ACCEPTED)
    _actual(accepted, world.target, Decimal("4.2"), dt.date(2024, 12, 31))
    OfficialActual.objects.create(
        target=world.target, year=2023, value=Decimal("3.9"), reason="补录", entered_at=timezone.now()
    )
    ids = list(type(world.target).objects.values_list("pk", flat=True))
    by_list = actual_series(ids)
    monkeypatch.setattr(selectors, "_ID_LIST_LIMIT", 0)
    assert actual_series(ids) == by_list
    assert actual_series(ids, within=type(world.target).objects.filter(task__plan=world.plan)) == by_list
    assert [r.value for r in by_list[world.target.pk]] == [Decimal("3.9"), Decimal("4.2")]
