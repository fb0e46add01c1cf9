"""Who may see and do what with progress reports, periods, tasks and extension requests: the one place.

Every page, API endpoint, download and export asks these functions (or the queryset filters at
the end, for lists); none decides on its own.

- **Unit staff** (a ``Membership``: reporter or unit head) see their own unit's reports in any
  state, and the non-draft reports of other units on tasks where their unit is an effective unit
  (the lead unit reads its supporting units' contributions; drafts stay private to their unit).
  They edit their own unit's reports while the period is open and the report is a draft or was
  returned; both reporters and unit heads submit, except in a unit that requires the head's
  sign-off (``Department.head_signoff_required``), where only the head submits.
- **The plan office** (``progress.review_progressreport``) sees everything and reviews, opens and
  closes periods, closes and reopens tasks, decides extension requests.
- **Leadership** (``tasks.view_task`` without the review permission) sees everything, changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from departments.models import MembershipRole
from progress.models import ProgressReport, ReportStatus
from progress.roles import REVIEW_PERMISSION, VIEW_ALL_PERMISSION
from progress.workflow import EDITABLE_REPORT_STATES
from tasks.models import AssignmentRole, Task
from tasks.selectors import unit_cells
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

if TYPE_CHECKING:
    from progress.models import ExtensionRequest, ReviewPeriod

_ACTOR_CACHE_ATTR = "_progress_actor"


@dataclass(frozen=True)
class Actor:
    """What the permission rules need to know about a user, read once per request."""

    user: Any
    department_id: int | None
    unit_role: str | None
    head_signoff_required: bool
    can_view_all: bool
    is_reviewer: bool

    @property
    def is_unit_staff(self) -> bool:
        return self.department_id is not None

    @property
    def is_leadership(self) -> bool:
        return self.can_view_all and not self.is_reviewer and not self.is_unit_staff


def actor_for(user: Any) -> Actor:
    """The user's roles (cached on the user object, so one request reads them once)."""
    cached = getattr(user, _ACTOR_CACHE_ATTR, None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        actor = Actor(user, None, None, False, False, False)
    else:
        from departments.models import Membership

        membership = Membership.objects.filter(user=user).select_related("department").first()
        actor = Actor(
            user=user,
            department_id=membership.department_id if membership and membership.department.is_active else None,
            unit_role=membership.role if membership else None,
            head_signoff_required=bool(membership and membership.department.head_signoff_required),
            can_view_all=user.has_perm(VIEW_ALL_PERMISSION),
            is_reviewer=user.has_perm(REVIEW_PERMISSION),
        )
    setattr(user, _ACTOR_CACHE_ATTR, actor)
    return actor


def _deny(message: str) -> ApplicationError:
    return ApplicationError(ErrorCode.PERMISSION_DENIED, message)


def unit_role_on_task(*, department_id: int, task: Task | int) -> str | None:
    """``lead`` or ``supporting`` when the unit is an effective unit of the task (lead wins), else None."""
    task_id = task.pk if isinstance(task, Task) else task
    return unit_cells(department=department_id).filter(task_id=task_id).values_list("role", flat=True).first()


def unit_roles_on_tasks(*, department_id: int, task_ids: Iterable[int]) -> dict[int, str]:
    """{task id: :func:`unit_role_on_task`} for many tasks in one query; tasks where the unit has no role are left out."""
    return dict(unit_cells(department=department_id).filter(task_id__in=list(task_ids)).values_list("task_id", "role"))


# --- reports ---------------------------------------------------------------------------------


def can_view_report(actor: Actor, report: ProgressReport) -> bool:
    if actor.can_view_all or actor.is_reviewer:
        return True
    if actor.department_id is None:
        return False
    if report.department_id == actor.department_id:
        return True
    if report.status == ReportStatus.DRAFT:
        return False
    return unit_role_on_task(department_id=actor.department_id, task=report.task_id) is not None


def reports_visible_to(queryset: QuerySet[ProgressReport], *, user: Any) -> QuerySet[ProgressReport]:
    """The reports ``user`` may see (the list form of :func:`can_view_report`)."""
    actor = actor_for(user)
    if actor.can_view_all or actor.is_reviewer:
        return queryset
    if actor.department_id is None:
        return queryset.none()
    # One uncorrelated subquery (the unit's task ids, placeholders expanded), evaluated once, rather
    # than an EXISTS per report row: the database can hash it or walk it by index.
    my_task_ids = unit_cells(department=actor.department_id).values("task_id")
    return queryset.filter(
        Q(department_id=actor.department_id) | (~Q(status=ReportStatus.DRAFT) & Q(task_id__in=my_task_ids))
    )


def check_can_view_report(actor: Actor, report: ProgressReport) -> None:
    if not can_view_report(actor, report):
        # The same answer as for a report that does not exist: no hint that it does.
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该报告，或您无权查看。")


def check_can_start_report(actor: Actor, *, task: Task, department_id: int) -> str:
    """The unit's role on the task, when ``actor`` may start that unit's report; raises otherwise."""
    if actor.department_id is None or actor.department_id != department_id:
        raise _deny("只能填报本单位的报告。")
    role = unit_role_on_task(department_id=department_id, task=task)
    if role is None:
        raise ApplicationError(ErrorCode.NOT_ASSIGNED, f"本单位不是任务{task.number}的牵头或配合单位，无需填报。")
    return role


def check_can_edit_report(actor: Actor, report: ProgressReport) -> None:
    check_can_view_report(actor, report)
    if actor.department_id != report.department_id or actor.unit_role not in MembershipRole.values:
        raise _deny("只能修改本单位的报告。")
    check_period_open(report.period)
    if report.status not in EDITABLE_REPORT_STATES:
        raise ApplicationError(
            ErrorCode.ILLEGAL_TRANSITION,
            f"报告当前为“{report.get_status_display()}”，不能修改；被退回后才能修改。",
            extra={"current_status": report.status},
        )


def check_can_submit_report(actor: Actor, report: ProgressReport) -> None:
    check_can_edit_report(actor, report)
    if actor.head_signoff_required and actor.unit_role != MembershipRole.HEAD:
        raise _deny("本单位报送须由单位负责人审签：请保存草稿，由负责人账号报送。")


def check_can_review(actor: Actor) -> None:
    if not actor.is_reviewer:
        raise _deny("只有规划科可以审核报告。")


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


# --- periods, tasks, extensions --------------------------------------------------------------


def check_period_open(period: ReviewPeriod) -> None:
    if not period.is_open:
        raise ApplicationError(
            ErrorCode.PERIOD_NOT_OPEN,
            f"“{period.name}”填报期{period.get_status_display()}，不能填报或修改；如需补报，请联系规划科重新开放本期。",
            extra={"period_status": period.status},
        )


def check_can_manage_periods(actor: Actor) -> None:
    if not actor.is_reviewer:
        raise _deny("只有规划科可以开放或关闭填报期。")


def check_can_close_tasks(actor: Actor) -> None:
    if not actor.is_reviewer:
        raise _deny("只有规划科可以办结或重新开启任务。")


def check_can_request_extension(actor: Actor, *, task: Task) -> None:
    if actor.department_id is None or actor.unit_role not in MembershipRole.values:
        raise _deny("只有牵头单位可以申请延期。")
    if unit_role_on_task(department_id=actor.department_id, task=task) != AssignmentRole.LEAD:
        raise _deny(f"本单位不是任务{task.number}的牵头单位，不能申请延期。")


def check_can_withdraw_extension(actor: Actor, request: ExtensionRequest) -> None:
    if actor.department_id != request.department_id:
        raise _deny("只能撤回本单位的延期申请。")


def check_can_decide_extension(actor: Actor) -> None:
    if not actor.is_reviewer:
        raise _deny("只有规划科可以审批延期申请。")


def can_view_task(actor: Actor, task: Task) -> bool:
    if actor.can_view_all or actor.is_reviewer:
        return True
    if actor.department_id is None:
        return False
    return unit_role_on_task(department_id=actor.department_id, task=task) is not None


def check_can_view_task(actor: Actor, task: Task) -> None:
    if not can_view_task(actor, task):
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该任务，或您无权查看。")


def extension_requests_visible_to(queryset: QuerySet[ExtensionRequest], *, user: Any) -> QuerySet[ExtensionRequest]:
    """The plan office and leadership see every extension request; unit staff see their own unit's."""
    actor = actor_for(user)
    if actor.can_view_all or actor.is_reviewer:
        return queryset
    if actor.department_id is None:
        return queryset.none()
    return queryset.filter(department_id=actor.department_id)


def check_can_view_board(actor: Actor) -> None:
    """The review pages (periods, the board) are for the plan office and leadership; to others they do not exist."""
    if not (actor.is_reviewer or actor.can_view_all):
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该页面，或您无权查看。")
