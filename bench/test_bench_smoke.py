"""The benchmark code must not rot: the synthetic generator and the API measurement at tiny sizes.

No timings are asserted anywhere.
"""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.db.models import Count, Q
from django.test import Client
from django.utils import timezone

from bench.bench_api_reports import clerk_client, plan_office_client, report_urls
from bench.bench_api_tasks import logged_in_client, measure_requests, task_urls
from bench.bench_portal_due import busiest_lead_unit, measure_pages, portal_urls
from bench.load_reports import Write, figures_of, prepare_staff, run_clients, snapshot, verify
from bench.runtime import machine_reference_line, reference_workload, unit_clerk
from bench.synthetic import MAX_SUPPORTING, REPORTS_PER_TASK, cn_numeral, effective_pairs, generate
from departments.models import Department, DepartmentAlias, DepartmentGroup, DepartmentKind, GroupKind
from progress.models import (
    PeriodStatus,
    ProgressReport,
    ReportEvent,
    ReportEventType,
    ReportStatus,
    ReviewPeriod,
    TargetActual,
)
from progress.services.reports import missing_for_submission
from tasks.models import Assignment, AssignmentRole, Milestone, Plan, Section, Target, Task, TaskKind
from tasks.selectors import effective_assignments

pytestmark = pytest.mark.django_db


def _signature() -> list[tuple]:
    """What the generated plan says, by names (ids differ between two generations)."""
    rows = []
    for task in Task.objects.prefetch_related(
        "assignments__department", "assignments__group", "milestones", "targets"
    ).order_by("number"):
        rows.append(
            (
                task.number,
                task.kind,
                task.text,
                task.deadline,
                tuple((a.role, a.position, a.name_as_written) for a in task.assignments.all()),
                tuple((m.due_on, m.text) for m in task.milestones.all()),
                tuple((t.indicator, t.value) for t in task.targets.all()),
            )
        )
    return rows


def _generate_and_roll_back(**kwargs) -> list[tuple]:
    with transaction.atomic():
        generate(**kwargs)
        signature = _signature()
        transaction.set_rollback(True)
    return signature


def test_generate_writes_the_counts_it_reports():
    counts = generate(tasks=50, departments=10, seed=1)

    assert counts["tasks"] == Task.objects.count() == 50
    assert counts["departments"] == Department.objects.count() == 10
    assert counts["plans"] == Plan.objects.count() == 1
    assert counts["sections"] == Section.objects.count()
    assert counts["assignments"] == Assignment.objects.count()
    assert counts["expansions"] == Assignment.expanded_to.through.objects.count()
    assert counts["milestones"] == Milestone.objects.count()
    assert counts["targets"] == Target.objects.count()
    assert counts["aliases"] == DepartmentAlias.objects.count()
    assert counts["groups"] == DepartmentGroup.objects.count()
    assert counts["group_members"] == DepartmentGroup.members.through.objects.count()
    # Every kind of task, numbered 1..n without gaps.
    assert set(Task.objects.values_list("kind", flat=True)) == set(TaskKind.values)
    assert sorted(Task.objects.values_list("number", flat=True)) == list(range(1, 51))


def test_every_task_has_one_lead_at_position_zero_and_at_most_six_supporting_units():
    generate(tasks=50, departments=10, seed=1)

    tasks = Task.objects.annotate(
        leads=Count("assignments", filter=Q(assignments__role=AssignmentRole.LEAD)),
        leads_at_zero=Count("assignments", filter=Q(assignments__role=AssignmentRole.LEAD, assignments__position=0)),
        supporting=Count("assignments", filter=Q(assignments__role=AssignmentRole.SUPPORTING)),
    )
    assert {(t.leads, t.leads_at_zero) for t in tasks} == {(1, 1)}
    assert all(0 <= t.supporting <= MAX_SUPPORTING for t in tasks)
    # Leads are concrete units, never placeholders.
    assert not Assignment.objects.filter(role=AssignmentRole.LEAD, department__isnull=True).exists()


def test_assignments_reference_existing_units_or_groups():
    generate(tasks=50, departments=10, seed=3)

    department_ids = set(Department.objects.values_list("pk", flat=True))
    group_ids = set(DepartmentGroup.objects.values_list("pk", flat=True))
    for department_id, group_id in Assignment.objects.values_list("department_id", "group_id"):
        assert (department_id is None) != (group_id is None)
        assert department_id in department_ids if department_id is not None else group_id in group_ids
    expanded = set(Assignment.expanded_to.through.objects.values_list("department_id", flat=True))
    assert expanded <= set(
        Department.objects.filter(kind__in=[DepartmentKind.TOWN, DepartmentKind.SUBDISTRICT]).values_list(
            "pk", flat=True
        )
    )
    towns_group = DepartmentGroup.objects.get(name="各镇办")
    assert towns_group.kind == GroupKind.FIXED
    assert {m.kind for m in towns_group.members.all()} <= {DepartmentKind.TOWN, DepartmentKind.SUBDISTRICT}
    # Tasks sit in sections of their plan; sections belong to chapters of the same plan.
    assert not Task.objects.filter(section__isnull=True).exists()
    assert (
        not Section.objects.exclude(parent__isnull=True).exclude(parent__plan_id__in=Plan.objects.values("pk")).exists()
    )


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first = _generate_and_roll_back(tasks=30, departments=10, seed=7)
    again = _generate_and_roll_back(tasks=30, departments=10, seed=7)
    other = _generate_and_roll_back(tasks=30, departments=10, seed=8)

    assert first == again
    assert first != other


def test_generate_refuses_a_database_that_already_holds_units():
    Department.objects.create(name="市发改局", kind=DepartmentKind.CITY_DEPARTMENT)

    with pytest.raises(ValueError, match="empty database"):
        generate(tasks=5, departments=3)


def test_the_machine_reference_is_the_same_work_each_time_and_prints_its_times():
    assert reference_workload() == reference_workload() > 0
    line = machine_reference_line(runs=2)
    median, fastest = (float(x) for x in re.findall(r"([0-9.]+) ms", line))
    assert line.startswith("Machine reference: ") and median >= fastest > 0


def test_chinese_numerals_for_labels():
    assert [cn_numeral(n) for n in (1, 10, 11, 20, 99, 100, 105, 110, 123)] == [
        "一",
        "十",
        "十一",
        "二十",
        "九十九",
        "一百",
        "一百零五",
        "一百一十",
        "一百二十三",
    ]


def test_api_measurement_runs_on_the_synthetic_data():
    generate(tasks=50, departments=10, seed=1)

    urls = task_urls(pages=(1, 2, 5, 9), page_size=10)
    figures = measure_requests(logged_in_client(), urls, repeats=1, warmups=0)

    assert [f.label for f in figures][:4] == ["page 1", "page 2", "page 5"] + [figures[3].label]
    assert figures[3].label.startswith("lead=")  # page 9 does not exist with 50 tasks and is skipped
    assert [f.rows for f in figures[:3]] == [10, 10, 10]
    # Queries are counted (their equality across pages needs the full data set: a page of 10 tiny
    # tasks may have no placeholder to prefetch members for, which saves a query).
    assert all(f.queries > 0 for f in figures)


# --- periods and progress reports ------------------------------------------------------------------


def test_periods_cover_every_half_year_of_the_plan_and_only_the_last_is_open():
    counts = generate(tasks=30, departments=10, seed=1, reports=0)

    periods = list(ReviewPeriod.objects.order_by("starts_on"))
    assert counts["periods"] == len(periods) == 10
    assert periods[0].name == "2021年上半年" and periods[-1].name == "2025年下半年"
    assert [p.status for p in periods] == [PeriodStatus.CLOSED] * 9 + [PeriodStatus.OPEN]
    assert all(p.report_due_on > p.ends_on for p in periods)
    assert [p.is_annual_summary for p in periods] == [False, True] * 5
    # reports=0 skips reports and everything hanging on them.
    assert counts["reports"] == ProgressReport.objects.count() == 0


def test_reports_default_to_ten_per_task_spread_over_periods_roles_and_statuses():
    counts = generate(tasks=40, departments=12, seed=2)

    assert counts["reports"] == ProgressReport.objects.count() == REPORTS_PER_TASK * 40
    assert counts["lead_reports"] == ProgressReport.objects.filter(role=AssignmentRole.LEAD).count()
    assert counts["contributions"] == ProgressReport.objects.filter(role=AssignmentRole.SUPPORTING).count()
    assert counts["actuals"] == TargetActual.objects.count()
    assert counts["report_events"] == ReportEvent.objects.count()
    per_period = ProgressReport.objects.values("period").annotate(n=Count("pk"))
    assert {row["n"] for row in per_period} == {40}
    open_statuses = set(
        ProgressReport.objects.filter(period__status=PeriodStatus.OPEN).values_list("status", flat=True)
    )
    assert {ReportStatus.DRAFT, ReportStatus.SUBMITTED} <= open_statuses
    assert ProgressReport.objects.filter(prefilled_from__isnull=False).exists()
    # A report is pre-filled only from the same unit's report on the same task.
    for report in ProgressReport.objects.filter(prefilled_from__isnull=False).select_related("prefilled_from__period"):
        assert (report.prefilled_from.task_id, report.prefilled_from.department_id) == (
            report.task_id,
            report.department_id,
        )
        assert report.prefilled_from.period.starts_on < report.period.starts_on


def test_reports_are_written_by_effective_units_in_their_role():
    generate(tasks=40, departments=12, seed=3)

    pairs = effective_pairs(Plan.objects.get())
    for task_id, unit_id, role in ProgressReport.objects.values_list("task_id", "department_id", "role"):
        assert pairs[(task_id, unit_id)] == role
        # The same answer as the product's own rule.
        roles = set(effective_assignments(department=unit_id).filter(task_id=task_id).values_list("role", flat=True))
        assert role in roles
        if AssignmentRole.LEAD in roles:
            assert role == AssignmentRole.LEAD


def test_lead_reports_can_be_submitted_and_events_and_versions_follow_the_status():
    generate(tasks=40, departments=12, seed=4)

    reports = ProgressReport.objects.prefetch_related("actuals", "events")
    assert any(r.actuals.all() for r in reports)
    for report in reports:
        assert missing_for_submission(report) == []
        types = [e.type for e in report.events.all()]
        expected = {
            ReportStatus.DRAFT: [ReportEventType.CREATED],
            ReportStatus.SUBMITTED: [ReportEventType.CREATED, ReportEventType.SUBMITTED],
            ReportStatus.RETURNED: [ReportEventType.CREATED, ReportEventType.SUBMITTED, ReportEventType.RETURNED],
            ReportStatus.ACCEPTED: [ReportEventType.CREATED, ReportEventType.SUBMITTED, ReportEventType.ACCEPTED],
        }[report.status]
        assert sorted(types) == sorted(expected)
        # Every transition after creation counted in the version (plus 0–2 draft saves).
        assert len(types) <= report.version <= len(types) + 2
        assert (report.submitted_at is None) == (report.status == ReportStatus.DRAFT)


# --- the report API, portal and load-test scripts ---------------------------------------------------


def test_report_api_measurement_runs_with_the_same_queries_on_every_page():
    generate(tasks=50, departments=10, seed=1)

    office_urls, clerk_urls, unit = report_urls(page_size=20)
    office = measure_requests(plan_office_client(), office_urls, repeats=1, warmups=0)
    clerk = measure_requests(clerk_client(unit), clerk_urls, repeats=1, warmups=0)

    assert [f.rows for f in office[:3]] == [20, 20, 20]  # 500 reports: pages 1, 2 and 25 are full
    assert office[2].label == "office page 25 (last)"
    assert len({f.queries for f in office[:3]}) == 1
    assert len({f.queries for f in clerk[:2]}) == 1
    assert all(f.queries > 0 for f in office + clerk)
    # The clerk sees fewer reports than the plan office.
    assert clerk[0].rows <= 20 and "visible" in clerk[0].label


def test_portal_measurement_runs_for_the_busiest_lead_units_clerk_and_the_board():
    generate(tasks=50, departments=10, seed=1)
    unit_id, _, lead_tasks = busiest_lead_unit()
    assert lead_tasks == Assignment.objects.filter(role=AssignmentRole.LEAD, department_id=unit_id).count()

    clerk_urls, office_urls = portal_urls(unit_id)
    client = Client()
    client.force_login(unit_clerk(unit_id, username="smoke_clerk"))
    figures = measure_pages(client, clerk_urls, repeats=1, warmups=0)
    figures += measure_pages(plan_office_client(), office_urls, repeats=1, warmups=0)

    assert [f.label for f in figures][:3] == ["home (open period)", "home ?role=lead", figures[2].label]
    assert figures[-1].label == "period_board (open period)"
    assert all(f.queries > 0 for f in figures)


def _load_world(users: int, shared_units: int):
    generate(tasks=60, departments=12, seed=5, reports=600)
    period_id, staff = prepare_staff(users=users, shared_units=shared_units)
    return period_id, staff, snapshot(period_id, sorted({s.unit_id for s in staff}))


@pytest.mark.django_db(transaction=True)
def test_load_loop_on_the_live_server_loses_no_update(live_server):
    period_id, staff, before = _load_world(users=1, shared_units=0)
    started_at = timezone.now()

    logs, seconds = run_clients(live_server.url, staff, period_id=period_id, seconds=1.5, submit_share=0.3)
    figures = figures_of(logs, seconds)
    writes = [w for log in logs for w in log.writes]
    verification = verify(before, writes, started_at=started_at)

    assert figures.server_errors == figures.connection_errors == 0
    assert figures.statuses["patch"][200] >= 1 and writes
    assert verification.ok, verification.lost_updates
    # The check can fail: a write the database never saw is a lost update.
    phantom = Write(report_id=writes[0].report_id, kind="patch", version=10_000, text="从未保存")
    assert not verify(before, [*writes, phantom], started_at=started_at).ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_load_colleagues_sharing_reports_get_conflicts_and_lose_nothing(live_server):
    period_id, staff, before = _load_world(users=6, shared_units=3)
    assert len({s.unit_id for s in staff}) == 3 and all(s.shared for s in staff)
    started_at = timezone.now()

    logs, seconds = run_clients(live_server.url, staff, period_id=period_id, seconds=3, submit_share=0.05)
    figures = figures_of(logs, seconds)
    verification = verify(before, [w for log in logs for w in log.writes], started_at=started_at)

    assert figures.server_errors == figures.connection_errors == 0
    assert figures.statuses["patch"][200] >= 1
    assert verification.ok, verification.lost_updates
