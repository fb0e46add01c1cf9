"""The permission rules themselves (pages and the API have their own route matrices)."""

from __future__ import annotations

import pytest

from access.actor import actor_for
from access.querysets import reports_visible_to
from access.rules import can_edit_report, can_submit_report, can_view_report, can_view_task
from progress.models import ProgressReport, ReportStatus
from progress.services.reports import start_report
from progress.tests.test_services_reports import started

pytestmark = pytest.mark.django_db

USERS = ["gongxin_clerk", "gongxin_head", "fagai_clerk", "caizheng_clerk", "nancheng_clerk", "plan_office", "leader", "nobody"]


def contribution(world):
    return start_report(task=world.tasks[2], department_id=world.fagai.pk, period=world.h2, user=world.fagai_clerk)


def test_actors(world):
    assert actor_for(world.plan_office).is_reviewer and actor_for(world.plan_office).can_view_all
    leader = actor_for(world.leader)
    assert leader.can_view_all and not leader.is_reviewer and leader.is_leadership
    clerk = actor_for(world.gongxin_clerk)
    assert (clerk.department_id, clerk.unit_role, clerk.can_view_all) == (world.gongxin.pk, "reporter", False)
    assert actor_for(world.nobody).department_id is None


def test_an_inactive_unit_gives_no_rights(world):
    world.gongxin.is_active = False
    world.gongxin.save()
    report = ProgressReport.objects.create(task=world.tasks[2], department=world.gongxin, period=world.h2, role="lead")
    user = type(world.gongxin_clerk).objects.get(pk=world.gongxin_clerk.pk)
    assert not can_view_report(actor_for(user), report)


@pytest.mark.parametrize(
    ("status", "expected_viewers"),
    [
        # a draft stays inside its unit (and the plan office and leadership)
        (ReportStatus.DRAFT, {"gongxin_clerk", "gongxin_head", "plan_office", "leader"}),
        # once submitted, the units on the same task read it too; unrelated units never
        (ReportStatus.SUBMITTED, {"gongxin_clerk", "gongxin_head", "fagai_clerk", "caizheng_clerk", "plan_office", "leader"}),
    ],
)
def test_who_sees_a_lead_report(world, status, expected_viewers):
    report = started(world)
    ProgressReport.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    viewers = {name for name in USERS if can_view_report(actor_for(getattr(world, name)), report)}
    assert viewers == expected_viewers
    # the list form agrees with the single-object rule
    listed = {name for name in USERS if reports_visible_to(ProgressReport.objects.all(), user=getattr(world, name)).exists()}
    assert listed == expected_viewers


def test_the_lead_unit_reads_submitted_contributions_not_drafts(world):
    draft = contribution(world)
    lead = actor_for(world.gongxin_clerk)
    assert not can_view_report(lead, draft)
    ProgressReport.objects.filter(pk=draft.pk).update(status=ReportStatus.SUBMITTED)
    draft.refresh_from_db()
    assert can_view_report(lead, draft)


def test_only_the_own_unit_edits_and_submits(world):
    report = started(world)
    editors = {name for name in USERS if can_edit_report(actor_for(getattr(world, name)), report)}
    assert editors == {"gongxin_clerk", "gongxin_head"}
    submitters = {name for name in USERS if can_submit_report(actor_for(getattr(world, name)), report)}
    assert submitters == {"gongxin_clerk", "gongxin_head"}


def test_task_visibility_follows_effective_units(world):
    task = world.tasks[2]
    seeing = {name for name in USERS if can_view_task(actor_for(getattr(world, name)), task)}
    assert seeing == {"gongxin_clerk", "gongxin_head", "fagai_clerk", "caizheng_clerk", "plan_office", "leader"}
    # 南城镇 sees task 3 through the plan office's expansion of 相关镇办
    assert can_view_task(actor_for(world.nancheng_clerk), world.tasks[3])


def test_the_list_form_agrees_with_the_single_report_rule_on_every_report(world):
    """reports_visible_to (one subquery of the unit's task ids) and can_view_report decide alike, on
    a report of every unit on every task (placeholders, expansions and unassigned units included), as
    a draft and submitted."""
    from departments.models import Department
    from progress.tests.factories import ProgressReportFactory

    for task in world.tasks.values():
        for unit in Department.objects.all():
            for period, status in [(world.h1, ReportStatus.SUBMITTED), (world.h2, ReportStatus.DRAFT)]:
                ProgressReportFactory(task=task, department=unit, period=period, status=status)
    reports = list(ProgressReport.objects.all())
    for name in USERS:
        user = getattr(world, name)
        actor = actor_for(user)
        listed = set(reports_visible_to(ProgressReport.objects.all(), user=user).values_list("pk", flat=True))
        assert listed == {report.pk for report in reports if can_view_report(actor, report)}, name
    # 南城镇 reads others' submitted reports on task 3 only (through 相关镇办's expansion), and its own drafts.
    nancheng = set(reports_visible_to(ProgressReport.objects.all(), user=world.nancheng_clerk))
    assert {(r.task.number, r.status) for r in nancheng if r.department != world.nancheng} == {(3, ReportStatus.SUBMITTED)}
