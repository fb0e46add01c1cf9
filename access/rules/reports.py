"""Progress reports: who reads, starts, edits, submits and reviews them (see :mod:`access`)."""

from __future__ import annotations

from access.actor import Actor
from access.rules._errors import denied, not_found
from access.rules.periods import check_period_open, check_plan_open
from access.units import unit_role_on_task
from departments.models import MembershipRole
from progress.models import ProgressReport, ReportStatus
from progress.workflow import EDITABLE_REPORT_STATES
from tasks.models import Task
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode


def can_view_report(actor: Actor, report: ProgressReport) -> bool:
    if actor.sees_everything:
        return True
    if actor.department_id is None:
        return False
    if report.department_id == actor.department_id:
        return True
    if report.status == ReportStatus.DRAFT:
        return False
    return unit_role_on_task(department_id=actor.department_id, task=report.task_id) is not None


def check_can_view_report(actor: Actor, report: ProgressReport) -> None:
    if not can_view_report(actor, report):
        # The same answer as for a report that does not exist: no hint that it does.
        raise not_found("找不到该报告，或您无权查看。")


def check_can_start_report(actor: Actor, *, task: Task, department_id: int) -> str:
    """The unit's role on the task, when ``actor`` may start that unit's report; raises otherwise."""
    if actor.department_id is None or actor.department_id != department_id:
        raise denied("只能填报本单位的报告。")
    role = unit_role_on_task(department_id=department_id, task=task)
    if role is None:
        raise ApplicationError(ErrorCode.NOT_ASSIGNED, f"本单位不是任务{task.number}的牵头或配合单位，无需填报。")
    return role


def check_can_edit_report(actor: Actor, report: ProgressReport, *, period_checked: bool = False) -> None:
    """``period_checked``: the caller (a batch of one unit's reports in one period) has already
    checked that period and its plan in this transaction, so it is not read again for every row."""
    check_can_view_report(actor, report)
    if actor.department_id != report.department_id or actor.unit_role not in MembershipRole.values:
        raise denied("只能修改本单位的报告。")
    if not period_checked:
        check_period_open(report.period)
    if report.status not in EDITABLE_REPORT_STATES:
        raise ApplicationError(
            ErrorCode.ILLEGAL_TRANSITION,
            f"报告当前为“{report.get_status_display()}”，不能修改；被退回后才能修改。",
            extra={"current_status": report.status},
        )


def may_submit_for_unit(actor: Actor) -> bool:
    """The sign-off rule: in a unit that requires the head's sign-off, only the head submits."""
    return not actor.head_signoff_required or actor.unit_role == MembershipRole.HEAD


def check_can_submit_report(actor: Actor, report: ProgressReport) -> None:
    check_can_edit_report(actor, report)
    if not may_submit_for_unit(actor):
        raise denied("本单位报送须由单位负责人审签：请保存草稿，由负责人账号报送。")


def can_review(actor: Actor) -> bool:
    return actor.is_reviewer


def check_can_review(actor: Actor, report: ProgressReport | None = None) -> None:
    """The plan office reviews; with ``report``, also that its plan has not ended (read-only then)."""
    if not can_review(actor):
        raise denied("只有规划科可以审核报告。")
    if report is not None:
        check_plan_open(report.period.plan if "period" in report._state.fields_cache else report.task.plan)


def can_view_unit_report(actor: Actor, *, department_id: int) -> bool:
    """Whether ``actor`` may open a unit's report page for a report not started yet: their own unit's,
    or any unit's for the plan office and leadership."""
    return department_id == actor.department_id or actor.sees_everything


def can_edit_report(actor: Actor, report: ProgressReport) -> bool:
    try:
        check_can_edit_report(actor, report)
    except ApplicationError:
        return False
    return True


def can_submit_report(actor: Actor, report: ProgressReport) -> bool:
    try:
        check_can_submit_report(actor, report)
    except ApplicationError:
        return False
    return True


def reads_as_unit(actor: Actor) -> bool:
    """Whether lists of reports are shown to ``actor`` as to unit staff (their own unit's view)."""
    return not actor.sees_everything and actor.department_id is not None
