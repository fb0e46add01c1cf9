"""A report's stored role follows its unit's effective role (progress.services.report_roles): when
the plan office corrects a task's lead unit (re-import, admin), the readers that filter reports by
their stored role (the review queue, the indicators' series) and the task states, which read the
effective role, keep agreeing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from indicators.selectors import actual_series
from progress.models import ProgressReport, ReportStatus, TargetActual
from progress.selectors.review import review_queue
from progress.services.report_roles import align_report_roles
from progress.states import task_states
from progress.tests.factories import ProgressReportFactory
from tasks.models import Assignment, AssignmentRole
from tasks.services.effective_assignments import refresh_effective_assignments

pytestmark = pytest.mark.django_db


def _swap_lead(task, *, new_lead, old_lead) -> None:
    """What a corrected re-import or the admin writes: the lead assignment names ``new_lead``, the old
    lead becomes a supporting unit; then the effective rows are refreshed, as those services do."""
    Assignment.objects.filter(task=task, role=AssignmentRole.LEAD, department=old_lead).update(department=new_lead)
    Assignment.objects.filter(task=task, role=AssignmentRole.SUPPORTING, department=new_lead).update(
        department=old_lead
    )
    refresh_effective_assignments(task_ids=[task.pk])


@pytest.fixture
def reported(world):
    """市工信局 leads task 2 (one target) and 市发改局 supports it; both reported in h2 and h1."""
    lead = ProgressReportFactory(
        task=world.tasks[2], department=world.gongxin, period=world.h2, status=ReportStatus.SUBMITTED
    )
    TargetActual.objects.create(report=lead, target=world.target, value=Decimal("4.2"), data_date=dt.date(2024, 12, 31))
    support = ProgressReportFactory(
        task=world.tasks[2],
        department=world.fagai,
        period=world.h2,
        role=AssignmentRole.SUPPORTING,
        status=ReportStatus.SUBMITTED,
    )
    earlier = ProgressReportFactory(
        task=world.tasks[2], department=world.gongxin, period=world.h1, status=ReportStatus.ACCEPTED
    )
    world.lead_report, world.support_report, world.earlier_report = lead, support, earlier
    return world


def test_a_corrected_lead_moves_the_reports_roles_with_it(reported):
    world = reported
    _swap_lead(world.tasks[2], new_lead=world.fagai, old_lead=world.gongxin)
    roles = dict(ProgressReport.objects.filter(task=world.tasks[2]).values_list("pk", "role"))
    assert roles == {
        world.lead_report.pk: AssignmentRole.SUPPORTING,
        world.support_report.pk: AssignmentRole.LEAD,
        world.earlier_report.pk: AssignmentRole.SUPPORTING,  # every period: the states read them so too
    }
    # The readers agree: the states' lead is 市发改局 with its delivered report ...
    state = task_states(world.h2)[world.tasks[2].pk]
    assert state.lead_unit_ids == (world.fagai.pk,) and state.report_status == ReportStatus.SUBMITTED
    # ... the review queue's lead reports are the same one ...
    assert list(review_queue(world.h2, role="lead").filter(task=world.tasks[2]).values_list("pk", flat=True)) == [
        world.support_report.pk
    ]
    # ... and 市工信局's figure, now a supporting unit's, leaves the target's series.
    assert actual_series([world.target.pk])[world.target.pk] == []


def test_a_unit_no_longer_on_the_task_keeps_its_reports_role(reported):
    world = reported
    Assignment.objects.filter(task=world.tasks[2], department=world.fagai).delete()
    refresh_effective_assignments(task_ids=[world.tasks[2].pk])
    world.support_report.refresh_from_db()
    assert world.support_report.role == AssignmentRole.SUPPORTING


def test_the_roles_change_with_the_assignment_or_not_at_all(reported):
    world = reported
    with pytest.raises(RuntimeError), transaction.atomic():
        _swap_lead(world.tasks[2], new_lead=world.fagai, old_lead=world.gongxin)
        raise RuntimeError("the import fails later in the same transaction")
    world.lead_report.refresh_from_db()
    assert world.lead_report.role == AssignmentRole.LEAD


def test_aligning_agreeing_roles_writes_nothing(reported):
    world = reported
    assert align_report_roles([world.tasks[2].pk, world.tasks[1].pk]) == 0


def test_a_unit_removed_from_the_task_has_no_lead_report_anywhere(reported):
    """市工信局 reported on task 2 (accepted, 已完成, with a figure), then the plan office replaced it
    as the task's lead with another unit: its report keeps its role, but no reader takes it as the
    task's lead report any more (progress.states.lead_report_q), as the task states do not."""
    from departments.tests.factories import DepartmentFactory
    from evaluation.report import build_report
    from exports.selectors import LedgerFilters, ledger_rows
    from progress.models import ProgressStatus
    from progress.services.task_review import completion_basis

    world = reported
    ProgressReport.objects.filter(pk=world.lead_report.pk).update(
        status=ReportStatus.ACCEPTED, progress_status=ProgressStatus.COMPLETED, progress_text="工信局的进展"
    )
    assert completion_basis(world.tasks[2].pk) is not None  # before: the ground for 办结
    new_lead = DepartmentFactory(name="市科技局")
    Assignment.objects.filter(task=world.tasks[2], department=world.gongxin).update(department=new_lead)
    refresh_effective_assignments(task_ids=[world.tasks[2].pk])
    world.lead_report.refresh_from_db()
    assert world.lead_report.role == AssignmentRole.LEAD  # kept as written

    state = task_states(world.h2)[world.tasks[2].pk]
    assert state.lead_unit_ids == (new_lead.pk,) and state.report_status == ""
    assert completion_basis(world.tasks[2].pk) is None
    assert actual_series([world.target.pk])[world.target.pk] == []
    ProgressReport.objects.filter(pk=world.lead_report.pk).update(status=ReportStatus.SUBMITTED)
    for role, expected in (("lead", False), ("supporting", False), ("all", True)):
        assert review_queue(world.h2, role=role).filter(pk=world.lead_report.pk).exists() is expected, role
    row = next(
        r
        for r in ledger_rows(LedgerFilters(period=world.h2), states={state.task_id: state})
        if r.task_id == state.task_id
    )
    assert row.progress_text == "" and row.problems_text == ""
    evaluation = build_report(world.plan, as_of=dt.date(2025, 1, 31))
    words = next(r for r in evaluation.tasks if r.task_id == world.tasks[2].pk)
    assert words.latest_words == ""
