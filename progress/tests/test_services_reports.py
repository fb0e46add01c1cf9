"""Report services: start with pre-fill, save with versions, the workflow and every illegal move."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from progress.models import (
    ActualState,
    PeriodStatus,
    ProgressReport,
    ProgressStatus,
    ReportEvent,
    ReportStatus,
    TargetActual,
)
from progress.services.periods import close_period, open_period
from progress.services.reports import (
    ActualInput,
    ReportInput,
    accept_report,
    return_report,
    save_report,
    start_report,
    submit_report,
)
from progress.workflow import REPORT_TRANSITIONS
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

pytestmark = pytest.mark.django_db


def filled(world, **overrides) -> ReportInput:
    values = {
        "progress_status": ProgressStatus.ON_TRACK,
        "percent": 60,
        "progress_text": "数字经济核心产业增加值占比达到4.2%。",
        "problems_text": "龙头企业偏少。",
        "next_steps_text": "加快引进数字企业。",
        "actuals": [
            ActualInput(
                target_id=world.target.pk, state=ActualState.REPORTED, value=Decimal("4.2"), data_date=dt.date(2024, 6, 30)
            )
        ],
    }
    values.update(overrides)
    return ReportInput(**values)


def started(world, user=None, period=None):
    user = user or world.gongxin_clerk
    return start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=period or world.h2, user=user)


def submitted(world):
    report = started(world)
    report = save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=report.version, data=filled(world))
    return submit_report(report_id=report.pk, user=world.gongxin_clerk)


def snapshot(report_id: int):
    report = ProgressReport.objects.get(pk=report_id)
    return (
        report.status,
        report.version,
        report.progress_text,
        report.review_comment,
        ReportEvent.objects.filter(report_id=report_id).count(),
        report.history.count(),
    )


def test_start_creates_a_draft_with_the_units_role_and_a_created_event(world):
    report = started(world)
    assert (report.status, report.role, report.version) == (ReportStatus.DRAFT, "lead", 1)
    assert list(report.events.values_list("type", flat=True)) == ["created"]
    supporting = start_report(task=world.tasks[2], department_id=world.fagai.pk, period=world.h2, user=world.fagai_clerk)
    assert supporting.role == "supporting" and supporting.is_contribution


def test_start_twice_returns_the_same_report(world):
    assert started(world).pk == started(world, user=world.gongxin_head).pk
    assert ProgressReport.objects.count() == 1


def test_start_prefills_from_the_previous_period(world):
    open_period(period=world.h1, user=world.plan_office)
    first = started(world, period=world.h1)
    save_report(report_id=first.pk, user=world.gongxin_clerk, expected_version=1, data=filled(world))
    close_period(period=world.h1, user=world.plan_office)

    second = started(world)
    assert second.prefilled_from_id == first.pk
    assert (second.progress_text, second.problems_text, second.next_steps_text, second.percent) == (
        "数字经济核心产业增加值占比达到4.2%。",
        "龙头企业偏少。",
        "加快引进数字企业。",
        60,
    )
    # Last period's actuals are not copied: the form shows them beside the field instead.
    assert not second.actuals.exists()
    assert second.status == ReportStatus.DRAFT
    assert "2024年上半年" in second.events.get().comment


def test_units_not_on_the_task_cannot_start_it(world):
    with pytest.raises(ApplicationError) as caught:
        start_report(task=world.tasks[2], department_id=world.nancheng.pk, period=world.h2, user=world.nancheng_clerk)
    assert caught.value.code == ErrorCode.NOT_ASSIGNED
    with pytest.raises(ApplicationError) as caught:
        start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.fagai_clerk)
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    assert not ProgressReport.objects.exists()


def test_start_in_a_closed_period_is_refused(world):
    with pytest.raises(ApplicationError) as caught:
        started(world, period=world.h1)
    assert caught.value.code == ErrorCode.PERIOD_NOT_OPEN
    assert "联系规划科重新开放" in caught.value.message


def test_save_writes_fields_actuals_and_bumps_the_version(world):
    report = started(world)
    saved = save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=1, data=filled(world))
    assert saved.version == 2
    stored = ProgressReport.objects.get(pk=report.pk)
    assert (stored.progress_status, stored.percent, stored.version) == (ProgressStatus.ON_TRACK, 60, 2)
    assert TargetActual.objects.get(report=report).value == Decimal("4.2")
    # "not released" is a state, not a blank value
    save_report(
        report_id=report.pk,
        user=world.gongxin_clerk,
        expected_version=2,
        data=filled(world, actuals=[ActualInput(target_id=world.target.pk, state=ActualState.NOT_RELEASED)]),
    )
    actual = TargetActual.objects.get(report=report)
    assert (actual.state, actual.value) == (ActualState.NOT_RELEASED, None)


def test_a_stale_version_is_a_conflict_and_nothing_is_written(world):
    report = started(world)
    save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=1, data=filled(world))
    before = snapshot(report.pk)
    with pytest.raises(ApplicationError) as caught:
        save_report(
            report_id=report.pk,
            user=world.gongxin_head,
            expected_version=1,
            data=filled(world, progress_text="另一个人的修改"),
        )
    assert caught.value.code == ErrorCode.VERSION_CONFLICT
    assert caught.value.http_status == 412
    assert caught.value.extra["current_version"] == 2
    assert "gongxin_clerk" in caught.value.message
    assert snapshot(report.pk) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"progress_status": "unknown"}, "progress_status"),
        ({"percent": 101}, "percent"),
        ({"progress_status": ProgressStatus.COMPLETED, "percent": 80}, "percent"),
        ({"progress_text": "字" * 5001}, "progress_text"),
        ({"actuals": [ActualInput(target_id=999_999, value=Decimal(1), data_date=dt.date(2024, 6, 30))]}, "actuals.999999"),
    ],
)
def test_invalid_input_is_refused_with_a_field_error_and_nothing_written(world, overrides, field):
    report = started(world)
    before = snapshot(report.pk)
    with pytest.raises(ApplicationError) as caught:
        save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=1, data=filled(world, **overrides))
    assert caught.value.code == ErrorCode.INVALID
    assert field in caught.value.extra["errors"]
    assert snapshot(report.pk) == before


@pytest.mark.parametrize(
    "half_filled",
    [
        {"value": None, "data_date": dt.date(2024, 6, 30)},
        {"value": Decimal("4.2"), "data_date": None},
        {"value": None, "data_date": None, "note": "统计局数据下月公布"},
    ],
)
def test_reported_actual_needs_value_and_data_date(world, half_filled):
    report = started(world)
    data = filled(world, actuals=[ActualInput(target_id=world.target.pk, state=ActualState.REPORTED, **half_filled)])
    with pytest.raises(ApplicationError) as caught:
        save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=1, data=data)
    assert "数据尚未发布" in caught.value.extra["errors"][f"actuals.{world.target.pk}"][0]
    assert not TargetActual.objects.exists()


def test_a_draft_skips_target_rows_left_blank_and_submitting_still_needs_them(world):
    report = started(world)
    blank = [ActualInput(target_id=world.target.pk, state=ActualState.REPORTED)]  # the form's empty row
    saved = save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=1, data=filled(world, actuals=blank))
    assert saved.version == 2 and not saved.actuals.exists()
    with pytest.raises(ApplicationError) as caught:
        submit_report(report_id=report.pk, user=world.gongxin_clerk)
    assert caught.value.code == ErrorCode.REPORT_INCOMPLETE
    assert caught.value.extra["missing"] == ["还有1项目标未填报实际值（数据尚未发布的请选择“数据尚未发布”）。"]
    # A blank row leaves an actual stored earlier as it is.
    saved = save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=2, data=filled(world))
    saved = save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=3, data=filled(world, actuals=blank))
    assert [(a.value, a.data_date) for a in saved.actuals.all()] == [(Decimal("4.2"), dt.date(2024, 6, 30))]
    assert submit_report(report_id=report.pk, user=world.gongxin_clerk).status == ReportStatus.SUBMITTED


def test_the_whole_loop_submit_return_resubmit_accept(world):
    report = submitted(world)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == world.gongxin_clerk

    returned = return_report(report_id=report.pk, user=world.plan_office, comment="请补充具体数据。")
    assert (returned.status, returned.review_comment) == (ReportStatus.RETURNED, "请补充具体数据。")

    again = save_report(
        report_id=report.pk,
        user=world.gongxin_clerk,
        expected_version=returned.version,
        data=filled(world, progress_text="占比4.2%，新增数字企业12户。"),
    )
    again = submit_report(report_id=again.pk, user=world.gongxin_clerk)
    accepted = accept_report(report_id=again.pk, user=world.plan_office)
    assert accepted.status == ReportStatus.ACCEPTED
    assert list(accepted.events.values_list("type", "from_status", "to_status")) == [
        ("created", "", "draft"),
        ("submitted", "draft", "submitted"),
        ("returned", "submitted", "returned"),
        ("submitted", "returned", "submitted"),
        ("accepted", "submitted", "accepted"),
    ]
    returned_event = accepted.events.get(type="returned")
    assert (returned_event.actor, returned_event.comment) == (world.plan_office, "请补充具体数据。")


ALL_STATES = [ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.ACCEPTED]
ILLEGAL = [
    (action, state)
    for action, transition in REPORT_TRANSITIONS.items()
    for state in ALL_STATES
    if state not in transition.sources
]


@pytest.mark.parametrize(("action", "state"), ILLEGAL)
def test_every_illegal_transition_is_refused_by_name_and_writes_nothing(world, action, state):
    report = submitted(world)
    ProgressReport.objects.filter(pk=report.pk).update(status=state)
    before = snapshot(report.pk)
    call = {
        "submit": lambda: submit_report(report_id=report.pk, user=world.gongxin_clerk),
        "accept": lambda: accept_report(report_id=report.pk, user=world.plan_office),
        "return": lambda: return_report(report_id=report.pk, user=world.plan_office, comment="请修改。"),
    }[action]
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == ErrorCode.ILLEGAL_TRANSITION
    assert caught.value.extra == {"current_status": state, "action": action}
    assert snapshot(report.pk) == before


@pytest.mark.no_rows
def test_illegal_transition_list_covers_each_action():
    assert {action for action, _ in ILLEGAL} == {"submit", "accept", "return"}


def test_return_needs_a_comment(world):
    report = submitted(world)
    before = snapshot(report.pk)
    with pytest.raises(ApplicationError) as caught:
        return_report(report_id=report.pk, user=world.plan_office, comment="  ")
    assert caught.value.code == ErrorCode.COMMENT_REQUIRED
    assert snapshot(report.pk) == before


def test_submit_refuses_an_incomplete_report(world):
    report = started(world)
    with pytest.raises(ApplicationError) as caught:
        submit_report(report_id=report.pk, user=world.gongxin_clerk)
    assert caught.value.code == ErrorCode.REPORT_INCOMPLETE
    assert caught.value.extra["missing"] == [
        "请填写进展情况。",
        "还有1项目标未填报实际值（数据尚未发布的请选择“数据尚未发布”）。",
    ]
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_closed_period_is_frozen_until_reopened(world):
    report = started(world)
    save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=1, data=filled(world))
    close_period(period=world.h2, user=world.plan_office)
    before = snapshot(report.pk)
    with pytest.raises(ApplicationError) as caught:
        submit_report(report_id=report.pk, user=world.gongxin_clerk)
    assert caught.value.code == ErrorCode.PERIOD_NOT_OPEN
    with pytest.raises(ApplicationError):
        save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=2, data=filled(world))
    assert snapshot(report.pk) == before

    open_period(period=world.h2, user=world.plan_office)
    assert submit_report(report_id=report.pk, user=world.gongxin_clerk).status == ReportStatus.SUBMITTED


def test_head_signoff_units_submit_only_through_the_head(world):
    world.gongxin.head_signoff_required = True
    world.gongxin.save()
    report = started(world)
    save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=1, data=filled(world))
    with pytest.raises(ApplicationError) as caught:
        submit_report(report_id=report.pk, user=world.gongxin_clerk)
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    assert "负责人" in caught.value.message
    assert submit_report(report_id=report.pk, user=world.gongxin_head).status == ReportStatus.SUBMITTED


@pytest.mark.parametrize("who", ["leader", "fagai_clerk", "gongxin_clerk", "nobody"])
def test_only_the_plan_office_reviews(world, who):
    report = submitted(world)
    before = snapshot(report.pk)
    with pytest.raises(ApplicationError) as caught:
        accept_report(report_id=report.pk, user=getattr(world, who))
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    assert snapshot(report.pk) == before


def test_only_the_plan_office_opens_and_closes_periods(world):
    for who in (world.leader, world.gongxin_clerk):
        with pytest.raises(ApplicationError) as caught:
            close_period(period=world.h2, user=who)
        assert caught.value.code == ErrorCode.PERMISSION_DENIED
    world.h2.refresh_from_db()
    assert world.h2.status == PeriodStatus.OPEN
    with pytest.raises(ApplicationError) as caught:
        open_period(period=world.h2, user=world.plan_office)
    assert caught.value.code == ErrorCode.ILLEGAL_TRANSITION
    closed = close_period(period=world.h2, user=world.plan_office)
    assert closed.status == PeriodStatus.CLOSED and closed.history.first().history_user == world.plan_office


def test_saved_texts_lose_the_characters_no_export_can_hold(world):
    """Narratives, target notes (one report or a batch, e.g. an uploaded template) and review comments."""
    from progress.services.reports import ReportWrite, save_reports

    unsafe = "进展\uffff完成\ufffe\x0b"
    actual = ActualInput(
        target_id=world.target.pk, state=ActualState.REPORTED, value=Decimal("4.2"), data_date=dt.date(2024, 6, 30),
        note="说明\x1f",
    )
    report = started(world)
    report = save_report(
        report_id=report.pk, user=world.gongxin_clerk, expected_version=report.version,
        data=filled(world, progress_text=unsafe, problems_text="\ufffe", actuals=[actual]),
    )
    report.refresh_from_db()
    assert (report.progress_text, report.problems_text, report.actuals.get().note) == ("进展完成", "", "说明")

    [saved] = save_reports(
        department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk,
        writes=[ReportWrite(task=world.tasks[2], expected_version=report.version, data=filled(world, next_steps_text=unsafe))],
    )
    saved.report.refresh_from_db()
    assert saved.report.next_steps_text == "进展完成"

    submit_report(report_id=report.pk, user=world.gongxin_clerk)
    returned = return_report(report_id=report.pk, user=world.plan_office, comment="请补充\uffff数据。")
    returned.refresh_from_db()
    assert returned.review_comment == "请补充数据。"
    assert ReportEvent.objects.filter(report=report).latest("pk").comment == "请补充数据。"
