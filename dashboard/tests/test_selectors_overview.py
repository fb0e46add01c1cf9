"""The shared numbers: task lights, completion, lateness, silent units, binding indicators, trend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.selectors.overview import period_overview, period_report_counts, period_standing
from progress.models import (
    ActualState,
    ProgressReport,
    ProgressStatus,
    ReportStatus,
    TargetActual,
    TaskProgress,
    TaskStatus,
)
from progress.selectors.review import _effective_cells_sql
from progress.states import (
    GREEN,
    LIGHT_LABELS,
    LIGHT_RULES,
    NOT_SUBMITTED,
    RED,
    YELLOW,
    silent_units_of,
    task_states,
)
from progress.tests.factories import ProgressReportFactory
from tasks.models import AssignmentRole, Target
from tasks.tests.factories import LeadFactory, TargetFactory, build_many_tasks

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
BEFORE_DUE = dt.date(2024, 12, 1)  # h2's reports are due 2025-01-10
AFTER_DUE = dt.date(2025, 1, 15)
ON_TIME = dt.datetime(2025, 1, 10, 23, 0, tzinfo=SHANGHAI)
LATE = dt.datetime(2025, 1, 11, 9, 0, tzinfo=SHANGHAI)


def _report(world, number, department, status=ReportStatus.SUBMITTED, *, period=None, role=AssignmentRole.LEAD, **kw):
    if status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED, ReportStatus.RETURNED):
        kw.setdefault("submitted_at", ON_TIME)
    return ProgressReportFactory(
        task=world.tasks[number], department=department, period=period or world.h2, role=role, status=status, **kw
    )


def _by_number(states):
    return {s.number: s for s in states.values()}


@pytest.mark.no_rows
def test_rules_are_named_for_every_light():
    assert [light for light, _ in LIGHT_RULES] == [RED, YELLOW, GREEN]
    assert LIGHT_LABELS == {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯"}
    assert all(text.startswith(LIGHT_LABELS[light]) for light, text in LIGHT_RULES)


def test_before_the_due_date_nothing_reported(world):
    s = _by_number(task_states(world.h2, today=BEFORE_DUE))
    assert list(s) == [1, 2, 3, 4, 5]
    assert (s[1].light, s[1].light_reason, s[1].report_status, s[1].progress_status) == (
        GREEN,
        "本期尚未报送（未到截止日）",
        "",
        "",
    )
    assert not s[1].report_late
    # Task 3 was due by the end of 2022.
    assert (s[3].light, s[3].light_reason, s[3].is_overdue) == (RED, "逾期未完成", True)
    # Task 5's lead unit is an unresolved name: nobody reports it.
    assert (s[5].light, s[5].light_reason, s[5].lead_unit_ids) == (YELLOW, "未落实牵头单位", ())
    assert s[2].lead_unit_ids == (world.gongxin.pk,)
    assert s[2].chapter_id == world.chapter1.pk and s[2].section_id == world.section11.pk
    assert s[4].chapter_id == world.chapter2.pk == s[4].section_id


def test_after_the_due_date_undelivered_reports_are_late(world):
    _report(world, 1, world.fagai, ReportStatus.DRAFT)
    _report(world, 2, world.gongxin, ReportStatus.RETURNED)
    _report(world, 4, world.caizheng, ReportStatus.SUBMITTED, progress_status=ProgressStatus.ON_TRACK, percent=40)
    s = _by_number(task_states(world.h2, today=AFTER_DUE))
    assert (s[1].light, s[1].light_reason, s[1].report_late, s[1].report_status) == (
        YELLOW,
        "报告逾期未报送",
        True,
        "draft",
    )
    assert s[1].progress_status == ""  # a draft states nothing yet
    assert (s[2].light, s[2].report_late, s[2].report_status, s[2].progress_status) == (YELLOW, True, "returned", "")
    assert (s[4].light, s[4].light_reason, s[4].report_late, s[4].percent) == (GREEN, "正常推进", False, 40)


def test_delayed_is_red_and_at_risk_is_yellow(world):
    _report(world, 1, world.fagai, progress_status=ProgressStatus.DELAYED)
    _report(world, 2, world.gongxin, ReportStatus.ACCEPTED, progress_status=ProgressStatus.AT_RISK)
    # A draft saying 滞后 is not a statement yet.
    _report(world, 4, world.caizheng, ReportStatus.DRAFT, progress_status=ProgressStatus.DELAYED)
    s = _by_number(task_states(world.h2, today=BEFORE_DUE))
    assert (s[1].light, s[1].light_reason, s[1].progress_status) == (RED, "进展滞后", "delayed")
    assert (s[2].light, s[2].light_reason) == (YELLOW, "存在风险")
    assert s[4].light == GREEN


def test_overdue_follows_an_approved_extension(world):
    TaskProgress.objects.create(task=world.tasks[3], extended_deadline=dt.date(2025, 6, 30))
    s = _by_number(task_states(world.h2, today=BEFORE_DUE))
    assert not s[3].is_overdue and s[3].deadline == dt.date(2025, 6, 30)
    s = _by_number(task_states(world.h2, today=dt.date(2025, 7, 1)))
    assert s[3].is_overdue and s[3].light == RED


def test_completion_needs_an_accepted_completed_report_or_closing(world):
    _report(world, 3, world.fagai, ReportStatus.SUBMITTED, progress_status=ProgressStatus.COMPLETED, percent=100)
    _report(world, 1, world.fagai, ReportStatus.ACCEPTED, progress_status=ProgressStatus.COMPLETED, percent=100)
    TaskProgress.objects.create(
        task=world.tasks[4], status=TaskStatus.COMPLETED, completed_at=dt.datetime(2024, 11, 1, tzinfo=SHANGHAI)
    )
    s = _by_number(task_states(world.h2, today=BEFORE_DUE))
    # Submitted but not accepted yet: task 3 is still overdue.
    assert (s[3].is_completed, s[3].light, s[3].progress_status) == (False, RED, "completed")
    assert (s[1].is_completed, s[1].light, s[1].light_reason) == (True, GREEN, "已完成")
    assert (s[4].is_completed, s[4].is_closed, s[4].light_reason) == (True, True, "已办结")
    # Closed after the as-of day: not completed then.
    s = _by_number(task_states(world.h2, today=dt.date(2024, 10, 1)))
    assert not s[4].is_completed


def test_several_lead_units_least_advanced_report_and_most_severe_status(world):
    LeadFactory(task=world.tasks[1], department=world.gongxin)
    _report(world, 1, world.fagai, ReportStatus.ACCEPTED, progress_status=ProgressStatus.COMPLETED, percent=100)
    s = _by_number(task_states(world.h2, today=AFTER_DUE))
    assert set(s[1].lead_unit_ids) == {world.fagai.pk, world.gongxin.pk}
    assert (s[1].report_status, s[1].is_completed, s[1].report_late, s[1].light) == ("", False, True, YELLOW)
    _report(world, 1, world.gongxin, ReportStatus.SUBMITTED, progress_status=ProgressStatus.AT_RISK, percent=30)
    s = _by_number(task_states(world.h2, today=AFTER_DUE))
    assert (s[1].report_status, s[1].progress_status, s[1].percent) == ("submitted", "at_risk", 30)
    assert (s[1].light, s[1].report_late) == (YELLOW, False)


def test_task_ids_limits_the_read(world):
    states = task_states(world.h2, today=BEFORE_DUE, task_ids=[world.tasks[2].pk, world.tasks[4].pk])
    assert [s.number for s in states.values()] == [2, 4]
    assert task_states(world.h2, task_ids=[]) == {}


def test_lead_units_agree_with_the_review_board_cells(world):
    sql, params = _effective_cells_sql(task_condition="t.plan_id = %s", task_params=[world.plan.pk], period=world.h2)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        expected = {(task_id, unit_id) for task_id, unit_id, supporting, *_ in cursor.fetchall() if not supporting}
    states = task_states(world.h2)
    assert {(pk, unit) for pk, s in states.items() for unit in s.lead_unit_ids} == expected


def test_overview_counts_lights_statuses_and_chapters(world):
    _report(world, 1, world.fagai, progress_status=ProgressStatus.DELAYED)
    _report(world, 2, world.gongxin, ReportStatus.ACCEPTED, progress_status=ProgressStatus.COMPLETED, percent=100)
    _report(world, 4, world.caizheng, ReportStatus.DRAFT, progress_status=ProgressStatus.ON_TRACK)
    o = period_overview(world.h2, today=AFTER_DUE)
    assert (o.total, o.completed, o.completion_rate) == (5, 1, 20.0)
    assert o.light_counts == {RED: 2, YELLOW: 2, GREEN: 1}  # red 1 (滞后), 3 (逾期); yellow 4 (late), 5 (no lead)
    counts = {c.key: c.count for c in o.status_counts}
    assert counts == {
        "not_started": 0,
        "on_track": 0,
        "at_risk": 0,
        "delayed": 1,
        "completed": 1,
        NOT_SUBMITTED: 3,
    }
    assert [c.label for c in o.status_counts][-1] == "未报送"
    assert sum(counts.values()) == o.total
    chapter1, chapter2 = o.chapters
    assert (chapter1.section_id, chapter1.total, chapter1.completed, chapter1.red, chapter1.yellow) == (
        world.chapter1.pk,
        3,
        1,
        2,
        0,
    )
    assert chapter1.heading == "一、目标定位" and chapter1.rate == 33.3
    (section,) = chapter1.children
    assert (section.section_id, section.total, section.completed, section.red, section.level) == (
        world.section11.pk,
        2,
        1,
        1,
        1,
    )
    assert (chapter2.total, chapter2.yellow, chapter2.children) == (2, 2, [])
    assert [s.number for s in o.attention] == [1, 3, 4, 5]  # red first, then by number
    assert (o.submitted, o.overdue, o.report_late) == (2, 1, 2)  # 3 and 4 owe a report


def test_lead_units_on_time_late_not_submitted_and_silent_supporting_units(world):
    _report(world, 1, world.fagai, submitted_at=ON_TIME, progress_status=ProgressStatus.ON_TRACK)
    _report(world, 3, world.fagai, ReportStatus.ACCEPTED, submitted_at=LATE, progress_status=ProgressStatus.ON_TRACK)
    _report(world, 2, world.gongxin, ReportStatus.RETURNED)
    # Task 2's supporting units: 发改 contributed (submitted), 财政 only has a draft: silent.
    _report(world, 2, world.fagai, ReportStatus.SUBMITTED, role=AssignmentRole.SUPPORTING)
    _report(world, 2, world.caizheng, ReportStatus.DRAFT, role=AssignmentRole.SUPPORTING)
    # Task 1's supporting 各镇办 (东城, 西城): 东城's part was returned. A returned report is owed again
    # (progress.workflow's one definition of delivered): silent, as on the review board.
    _report(world, 1, world.dongcheng, ReportStatus.RETURNED, role=AssignmentRole.SUPPORTING)
    o = period_overview(world.h2, today=AFTER_DUE)
    rows = {r.unit_id: r for r in o.lead_units}
    assert set(rows) == {world.fagai.pk, world.gongxin.pk, world.caizheng.pk}
    fagai = rows[world.fagai.pk]
    assert (fagai.tasks, fagai.on_time, fagai.late, fagai.not_submitted, fagai.submitted) == (2, 1, 1, 0, 2)
    # Task 1: 东城 (returned) and 西城 silent; task 3: 南城 (the expanded 相关镇办) silent.
    assert fagai.silent == 3
    silent = silent_units_of(world.h2, [world.tasks[1].pk, world.tasks[2].pk, world.tasks[3].pk, world.tasks[4].pk])
    assert silent == {
        world.tasks[1].pk: [world.dongcheng.pk, world.xicheng.pk],
        world.tasks[2].pk: [world.caizheng.pk],
        world.tasks[3].pk: [world.nancheng.pk],
        world.tasks[4].pk: [world.dongcheng.pk],
    }
    assert (fagai.red, fagai.completed) == (1, 0)  # task 3 overdue
    gongxin = rows[world.gongxin.pk]
    assert (gongxin.tasks, gongxin.not_submitted, gongxin.silent) == (1, 1, 1)
    caizheng = rows[world.caizheng.pk]
    # Task 4's supporting: 各镇办 expanded to 东城 only; 市级相关部门 not expanded (no unit).
    assert (caizheng.tasks, caizheng.not_submitted, caizheng.silent, caizheng.yellow) == (1, 1, 1, 1)
    assert o.units[world.fagai.pk] == "市发改局"


def _actual(report, target, value=None, *, state=ActualState.REPORTED, data_date=dt.date(2024, 6, 30)):
    return TargetActual.objects.create(
        report=report,
        target=target,
        state=state,
        value=value,
        data_date=data_date if state == ActualState.REPORTED else None,
    )


def test_binding_indicators_latest_actual_and_veto_risk(world):
    o = period_overview(world.h2, today=BEFORE_DUE)
    (row,) = o.binding
    assert (row.number, row.indicator, row.target_text) == (2, "数字经济核心产业增加值占GDP比重", "不低于5%（2025年）")
    assert (row.actual_state, row.actual_text, row.veto_risk) == ("", "尚未填报", False)

    h1 = _report(
        world, 2, world.gongxin, ReportStatus.ACCEPTED, period=world.h1, progress_status=ProgressStatus.ON_TRACK
    )
    _actual(h1, world.target, Decimal("4.2"))
    (row,) = period_overview(world.h2, today=BEFORE_DUE).binding
    assert (row.actual_value, row.actual_text, row.data_date, row.actual_period) == (
        Decimal("4.2"),
        "4.2%",
        dt.date(2024, 6, 30),
        "2024年上半年",
    )
    # No baseline: no trajectory to be behind yet, and 2025 not reached; the assessment would not veto.
    assert not row.veto_risk
    Target.objects.filter(pk=world.target.pk).update(baseline_value=Decimal("4.5"), baseline_year=2020)
    (row,) = period_overview(world.h2, today=BEFORE_DUE).binding
    # From 4.5 (2020) to 5 (2025): 4.9 expected in 2024; 4.2 is behind, as the year's assessment says.
    assert row.veto_risk and row.veto_reason.startswith("指标滞后：") and row.veto_reason.endswith("有一票否优风险")
    assert "4.9" in row.veto_reason
    # h1 seen on its own has the same actual; a later draft's figure does not count.
    draft = _report(world, 2, world.gongxin, ReportStatus.DRAFT, progress_status=ProgressStatus.ON_TRACK)
    _actual(draft, world.target, Decimal("9"), data_date=dt.date(2024, 12, 31))
    assert period_overview(world.h2, today=BEFORE_DUE).binding[0].actual_value == Decimal("4.2")

    draft.status = ReportStatus.SUBMITTED
    draft.progress_status = ProgressStatus.DELAYED
    draft.save()
    (row,) = period_overview(world.h2, today=BEFORE_DUE).binding
    assert (row.actual_value, row.actual_period, row.light) == (Decimal("9"), "2024年下半年", RED)
    assert row.veto_risk and row.veto_reason == "任务进展滞后，有一票否优风险"

    TargetActual.objects.filter(report=draft).update(state=ActualState.NOT_RELEASED, value=None, data_date=None)
    draft.progress_status = ProgressStatus.ON_TRACK
    draft.save()
    (row,) = period_overview(world.h2, today=BEFORE_DUE).binding
    assert (row.actual_text, row.actual_value) == ("数据尚未发布", None)
    # The latest reading is still h1's 4.2, behind its trajectory: the risk stays (as the assessment).
    assert row.veto_risk and row.veto_reason.startswith("指标滞后：2024年实际值4.2%")
    # The h1 overview does not see h2's figure.
    assert period_overview(world.h1, today=BEFORE_DUE).binding[0].actual_value == Decimal("4.2")


def test_trend_per_period_matches_each_periods_own_overview(world):
    _report(world, 1, world.fagai, ReportStatus.ACCEPTED, period=world.h1, progress_status=ProgressStatus.DELAYED)
    _report(world, 2, world.gongxin, ReportStatus.SUBMITTED, period=world.h1, progress_status=ProgressStatus.AT_RISK)
    _report(world, 1, world.fagai, ReportStatus.ACCEPTED, progress_status=ProgressStatus.COMPLETED, percent=100)
    _report(world, 4, world.caizheng, ReportStatus.SUBMITTED, progress_status=ProgressStatus.ON_TRACK)
    TaskProgress.objects.create(task=world.tasks[3], extended_deadline=dt.date(2024, 9, 30))
    o = period_overview(world.h2, today=AFTER_DUE)
    assert [p.name for p in o.trend] == ["2024年上半年", "2024年下半年"]
    first, last = o.trend
    # The selected period's point is the overview itself.
    assert (last.total, last.completed, last.submitted, last.red, last.yellow) == (
        o.total,
        o.completed,
        o.submitted,
        o.light_counts[RED],
        o.light_counts[YELLOW],
    )
    assert (last.completed, last.red, last.yellow) == (1, 1, 2)  # 3 overdue since Sept; 2 late, 5 no lead
    # An earlier period is read as of the day after its due date, with the same rules.
    assert first.as_of == dt.date(2024, 7, 11)
    h1 = period_overview(world.h1, today=first.as_of, with_trend=False)
    assert (first.total, first.completed, first.submitted, first.red, first.yellow) == (
        h1.total,
        h1.completed,
        h1.submitted,
        h1.light_counts[RED],
        h1.light_counts[YELLOW],
    )
    assert (first.red, first.yellow, first.submitted) == (1, 4, 2)  # 1 delayed; 2 at risk, 3/4 late, 5 no lead
    assert last.completion_rate == 20.0 and first.submitted_rate == 40.0


def _queries(period, today):
    with CaptureQueriesContext(connection) as ctx:
        period_overview(period, today=today)
    return len(ctx.captured_queries)


def _touch(period):
    """A change of one report of ``period``: its task's stored standing must be computed again."""
    report = ProgressReport.objects.filter(period=period).first()
    ProgressReport.objects.filter(pk=report.pk).update(percent=(report.percent or 0) % 100 + 1)


def test_binding_rows_follow_the_task_numbers_then_the_targets_positions(world):
    for number in (5, 3):
        task = world.tasks[number]
        task.binding = True
        task.save()
    # Created out of order: neither the ids nor the creation order give the board's order.
    TargetFactory(task=world.tasks[5], position=2, indicator="五号任务第二项")
    TargetFactory(task=world.tasks[5], position=1, indicator="五号任务第一项")
    TargetFactory(task=world.tasks[3], position=1, indicator="三号任务第一项")
    rows = period_overview(world.h2, today=BEFORE_DUE).binding
    assert [(row.number, row.indicator) for row in rows] == [
        (2, "数字经济核心产业增加值占GDP比重"),
        (3, "三号任务第一项"),
        (5, "五号任务第一项"),
        (5, "五号任务第二项"),
    ]


def test_query_count_does_not_grow_with_the_plan(world):
    _report(world, 2, world.gongxin, ReportStatus.ACCEPTED, progress_status=ProgressStatus.AT_RISK)
    period_overview(world.h2, today=AFTER_DUE)  # the trend point and the stored standings written
    small = _queries(world.h2, AFTER_DUE)
    _touch(world.h2)
    changed_small = _queries(world.h2, AFTER_DUE)
    tasks = build_many_tasks(25, plan=world.plan)
    for task in tasks[:10]:
        lead = task.assignments.get(role=AssignmentRole.LEAD).department
        ProgressReportFactory(
            task=task, department=lead, period=world.h2, status=ReportStatus.SUBMITTED, submitted_at=LATE
        )
        task.binding = True
        task.save()
    # The 25 new tasks' standings computed and stored: the same queries as after one change.
    assert _queries(world.h2, AFTER_DUE) == changed_small
    overview = period_overview(world.h2, today=AFTER_DUE)
    assert overview.total == 30 and len(overview.binding) == 11
    assert _queries(world.h2, AFTER_DUE) == small == 9
    _touch(world.h2)
    assert _queries(world.h2, AFTER_DUE) == changed_small


def _report_counts(rows):
    return {r.unit_id: (r.tasks, r.on_time, r.late, r.not_submitted) for r in rows}


def test_period_report_counts_are_the_lead_unit_rows_counts(world):
    _report(world, 1, world.fagai, submitted_at=ON_TIME, progress_status=ProgressStatus.ON_TRACK)
    _report(world, 3, world.fagai, ReportStatus.ACCEPTED, submitted_at=LATE, progress_status=ProgressStatus.ON_TRACK)
    _report(world, 2, world.gongxin, ReportStatus.RETURNED)
    counts = period_report_counts(world.h2)
    assert _report_counts(counts.values())[world.fagai.pk] == (2, 1, 1, 0)
    assert _report_counts(counts.values())[world.gongxin.pk] == (1, 0, 0, 1)
    _states, rows = period_standing(world.h2, today=AFTER_DUE)
    assert _report_counts(counts.values()) == _report_counts(rows)
    with CaptureQueriesContext(connection) as queries:
        period_report_counts(world.h2)
    assert len(queries) == 1
