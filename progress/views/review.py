"""Pages of the plan office (and, read-only, leadership): periods (closing one asks first, showing
what is still open), the review queue (oldest submission first; a report opened from it has
previous/next and a review moves on to the next one), bulk acceptance of contributions, the review
board (units sortable, each count a link to exactly its tasks), the silent supporting units with
催办, reviewing reports (with last period's report and what changed), closing tasks, deciding
extension requests.

Views parse input, call one selector or service and render. Permission decisions are
:mod:`access`': an object the user may not see answers 404, a write the user may see
but not make answers 403, and any other refused write (an illegal move, a missing comment) comes
back to the page as a message with the service's Chinese text, with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from access.actor import Actor, actor_for
from access.querysets import extension_requests_visible_to
from access.rules import (
    can_decide_extension,
    can_review,
    can_urge,
    check_can_manage_periods,
    check_can_review,
    check_can_view_board,
    check_can_view_report,
    check_can_view_task,
)
from progress.models import ExtensionRequest, ExtensionStatus, PeriodStatus, ReviewPeriod
from progress.selectors import review as selectors
from progress.services import bulk_review, task_review
from progress.services import periods as period_services
from progress.services import reports as report_services
from progress.workflow import REPORT_TRANSITIONS, allowed_actions
from reminders.services.urge import urge_unit
from tasks.models import Plan, Task
from tasks.selectors import parse_task_number
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

BOARD_PAGE_SIZE = 100
EXTENSION_PAGE_SIZE = 50
SILENT_TASKS_SHOWN = 30  # per unit on the silent units page; its count links to all of them on the board


def _refuse(exc: ApplicationError) -> None:
    """Turn a refusal that is not the person's to fix into 404 (may not see) or 403 (may not do)."""
    if exc.code == ErrorCode.NOT_FOUND:
        raise Http404(exc.message)
    if exc.code == ErrorCode.PERMISSION_DENIED:
        raise PermissionDenied(exc.message)


def _check(check: Callable[..., None], *args: Any) -> None:
    try:
        check(*args)
    except ApplicationError as exc:
        _refuse(exc)
        raise


def _run(request: HttpRequest, action: Callable[[], Any], success: str | Callable[[Any], str]) -> bool:
    """Call one service; its refusal becomes a message on the next page (or 404/403). True on success."""
    try:
        result = action()
    except ApplicationError as exc:
        _refuse(exc)
        messages.error(request, exc.message)
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True


def _overseer(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    _check(check_can_view_board, actor)
    return actor


def _can(check: Callable[[Actor], None], actor: Actor) -> bool:
    try:
        check(actor)
    except ApplicationError:
        return False
    return True


def _local(request: HttpRequest, target: str) -> str:
    """``target`` when it is an address on this site, else ""."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Redirect to the posted ``next`` when it is a local address, else to ``default``."""
    return redirect(_local(request, request.POST.get("next", "")) or default)


# --- periods ---------------------------------------------------------------------------------


@require_GET
@login_required
def review_home(request: HttpRequest) -> HttpResponse:
    _overseer(request)
    period = selectors.latest_open_period()
    if period is None:
        messages.info(request, "目前没有开放填报的填报期，请在下表中开放一期。")
        return redirect("progress:period_list")
    # The plan office starts from what waits for it: the review queue (the board is one link away).
    return redirect("progress:review_queue", period_id=period.pk)


@require_GET
@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    actor = _overseer(request)
    return render(
        request,
        "progress/period_list.html",
        {"plans": selectors.plans_with_periods(), "can_manage": _can(check_can_manage_periods, actor)},
    )


def _move_period(request: HttpRequest, period_id: int, action: str) -> HttpResponse:
    _overseer(request)
    period = get_object_or_404(ReviewPeriod, pk=period_id)
    if action == "open":
        verb = "重新开放" if period.status == PeriodStatus.CLOSED else "开放"
        _run(
            request,
            lambda: period_services.open_period(period=period, user=request.user),
            f"已{verb}“{period.name}”填报期，各单位现在可以填报。",
        )
    else:
        _run(
            request,
            lambda: period_services.close_period(period=period, user=request.user),
            f"已关闭“{period.name}”填报期：报告不能再修改或报送，如需补报可重新开放。",
        )
    return redirect("progress:period_list")


@require_POST
@login_required
def period_open(request: HttpRequest, period_id: int) -> HttpResponse:
    return _move_period(request, period_id, "open")


@require_POST
@login_required
def period_close(request: HttpRequest, period_id: int) -> HttpResponse:
    return _move_period(request, period_id, "close")


@require_GET
@login_required
def period_close_confirm(request: HttpRequest, period_id: int) -> HttpResponse:
    """关闭填报期 asks first, showing what is still open (unreviewed reports, unreported tasks)."""
    actor = _overseer(request)
    period = get_object_or_404(ReviewPeriod.objects.select_related("plan"), pk=period_id)
    _check(check_can_manage_periods, actor)
    if period.status != PeriodStatus.OPEN:
        messages.info(request, f"“{period.name}”填报期{period.get_status_display()}，无需关闭。")
        return redirect("progress:period_list")
    return render(
        request,
        "progress/period_close_confirm.html",
        {
            "period": period,
            "open": selectors.open_items(period),
            "past_due": timezone.localdate() > period.report_due_on,
        },
    )


@require_POST
@login_required
def period_generate(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = _overseer(request)
    plan = get_object_or_404(Plan.objects.defer("source_text"), pk=plan_id)
    # generate_periods takes no user: the permission is checked here, in the access rules' words.
    _check(check_can_manage_periods, actor)

    def done(created: list[ReviewPeriod]) -> str:
        if not created:
            return "填报期已齐全，没有新增。"
        return f"已生成{len(created)}个填报期（{created[0].name}至{created[-1].name}），均未开放。"

    _run(request, lambda: period_services.generate_periods(plan=plan), done)
    return redirect("progress:period_list")


# --- the board -------------------------------------------------------------------------------


class BoardFilterForm(forms.Form):
    unit = forms.TypedChoiceField(label="单位", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="牵头单位报告状态", required=False, choices=[("", "全部"), *selectors.BOARD_STATUS_CHOICES]
    )
    number = forms.CharField(label="任务序号", required=False, max_length=10)
    late = forms.BooleanField(label="只看逾期", required=False)
    silent = forms.BooleanField(label="只看有配合单位未反馈", required=False)
    binding = forms.BooleanField(label="只看约束性指标", required=False)
    owed = forms.BooleanField(label="只看牵头单位未报送", required=False)
    # Set by the per-unit counts (each links to exactly the tasks it counts): the unit's own role.
    role = forms.ChoiceField(
        label="单位身份", required=False, choices=[("", "牵头或配合"), ("lead", "牵头"), ("supporting", "配合")]
    )

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "全部单位"), *((unit.pk, unit.name) for unit in units)]

    def clean_number(self) -> int | None:
        text = self.cleaned_data["number"]
        if not text.strip():
            return None
        number = parse_task_number(text)
        if number is None:
            raise forms.ValidationError("请输入任务序号（整数），如 12。")
        return number

    def filters(self) -> selectors.BoardFilters:
        """The valid filters (an invalid field is shown with its error and ignored)."""
        self.is_valid()
        data = self.cleaned_data
        return selectors.BoardFilters(
            department_id=data.get("unit"),
            status=data.get("status") or None,
            late_only=bool(data.get("late")),
            silent_only=bool(data.get("silent")),
            binding_only=bool(data.get("binding")),
            task_number=data.get("number"),
            owed_only=bool(data.get("owed")),
            unit_role=(data.get("role") or None) if data.get("unit") else None,
        )


UNIT_COLUMNS = ("led", "not_started", "draft", "submitted", "accepted", "returned", "late", "supporting", "silent")
ALERT_COLUMNS = {"late", "silent", "returned"}


def _unit_lines(rows: list[selectors.UnitSummary]) -> list[tuple[selectors.UnitSummary, list[tuple[int, str, bool]]]]:
    """Each unit with its counts, each count with the board link that lists exactly what it counts."""
    return [
        (
            s,
            [
                (
                    getattr(s, column),
                    "?" + urlencode(selectors.unit_count_query(s.department.pk, column)),
                    column in ALERT_COLUMNS and getattr(s, column) > 0,
                )
                for column in UNIT_COLUMNS
            ],
        )
        for s in rows
    ]


@require_GET
@login_required
def period_board(request: HttpRequest, period_id: int) -> HttpResponse:
    actor = _overseer(request)
    period = get_object_or_404(ReviewPeriod.objects.select_related("plan"), pk=period_id)
    summary = selectors.board_summary(period)
    form = BoardFilterForm(request.GET, units=[unit.department for unit in summary])
    filters = form.filters()
    board = selectors.review_board(
        period, filters=filters, page=request.GET.get("page"), per_page=BOARD_PAGE_SIZE, summary=summary
    )
    units = selectors.arrange_units(summary, sort=request.GET.get("sort", ""), show=request.GET.get("show", ""))
    other_periods = ReviewPeriod.objects.filter(plan_id=period.plan_id).order_by("starts_on").only("pk", "name")
    return render(
        request,
        "progress/review_board.html",
        {
            "period": period,
            "board": board,
            "form": form,
            "filters": filters,
            "page": board.page,
            "row_count": board.row_count,
            "other_periods": other_periods,
            "can_review": can_review(actor),
            "units": units,
            "unit_lines": _unit_lines(units.rows),
            "unit_sorts": selectors.UNIT_SORTS,
            "unit_shows": selectors.UNIT_SHOWS,
            "queue_total": sum(s.submitted for s in summary),
            # Report links come back here (with the filters and the page) after a review.
            "next_query": "?next=" + quote(request.get_full_path(), safe="/"),
        },
    )


# --- the review queue ------------------------------------------------------------------------


@require_GET
@login_required
def review_queue(request: HttpRequest, period_id: int) -> HttpResponse:
    actor = _overseer(request)
    period = get_object_or_404(ReviewPeriod.objects.select_related("plan"), pk=period_id)
    role = selectors.queue_role(request.GET.get("role"))
    page = selectors.queue_page(period, role=role, page=request.GET.get("page"))
    other_periods = (
        ReviewPeriod.objects.filter(plan_id=period.plan_id).order_by("starts_on").only("pk", "name", "status")
    )
    return render(
        request,
        "progress/review_queue.html",
        {
            "period": period,
            "page": page,
            "role": role,
            "roles": selectors.QUEUE_ROLES,
            "other_periods": other_periods,
            "can_review": can_review(actor),
            "queue_query": urlencode({"queue": role}),
            "first_offset": page.start_index(),
        },
    )


def _selected_ids(request: HttpRequest) -> list[int]:
    ids = []
    for value in request.POST.getlist("report"):
        try:
            ids.append(int(value))
        except ValueError:
            raise ApplicationError(ErrorCode.INVALID, "所选反馈有误，请刷新后重新选择。") from None
    return ids


@require_POST
@login_required
def queue_accept(request: HttpRequest, period_id: int) -> HttpResponse:
    """Bulk 审核通过 of contributions: the first post shows what will be accepted (one confirmation),
    the second (``confirm``) accepts them all or none."""
    actor = _overseer(request)
    period = get_object_or_404(ReviewPeriod.objects.select_related("plan"), pk=period_id)
    _check(check_can_review, actor)
    back = reverse("progress:review_queue", args=[period.pk]) + "?role=supporting"
    try:
        ids = _selected_ids(request)
        if not ids:
            raise ApplicationError(ErrorCode.INVALID, "请先勾选要审核通过的配合单位反馈。")
        if request.POST.get("confirm") != "yes":
            reports = list(
                selectors.review_queue(period, role="supporting")
                .filter(pk__in=ids)
                .select_related("task", "department")
                .only(
                    "pk", "task__number", "task__text", "department__name", "submitted_at", "task_id", "department_id"
                )
            )
            return render(
                request,
                "progress/queue_accept_confirm.html",
                {"period": period, "reports": reports, "missing": len(set(ids)) - len(reports)},
            )
        accepted = bulk_review.accept_contributions(
            period=period, report_ids=ids, user=request.user, comment=request.POST.get("comment", "")
        )
    except ApplicationError as exc:
        _refuse(exc)
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, f"已审核通过{len(accepted)}份配合单位反馈。")
    return redirect(back)


# --- silent supporting units and 催办 ---------------------------------------------------------


@require_GET
@login_required
def silent_units(request: HttpRequest, period_id: int) -> HttpResponse:
    actor = _overseer(request)
    period = get_object_or_404(ReviewPeriod.objects.select_related("plan"), pk=period_id)
    units = selectors.silent_units(period, shown=SILENT_TASKS_SHOWN)
    board = reverse("progress:period_board", args=[period.pk])
    lines = [(unit, f"{board}?{urlencode(selectors.unit_count_query(unit.department.pk, 'silent'))}") for unit in units]
    return render(
        request,
        "progress/silent_units.html",
        {
            "period": period,
            "lines": lines,
            "can_urge": can_urge(actor) and period.is_open,
            "cells": sum(u.count for u in units),
        },
    )


@require_POST
@login_required
def unit_urge(request: HttpRequest, period_id: int, department_id: int) -> HttpResponse:
    _overseer(request)
    period = get_object_or_404(ReviewPeriod, pk=period_id)

    def done(result: Any) -> str:
        name = result.reminder.department.name if result.reminder.department_id else ""
        if not result.created:
            at = timezone.localtime(result.reminder.created_at)
            return f"{name}今天已于{at:%H:%M}催办过，不再重复发送（每个单位每天催办一次）。"
        waits = result.not_before is not None and result.not_before > timezone.now()
        when = f"免打扰时段，将于{timezone.localtime(result.not_before):%m月%d日 %H:%M}发出" if waits else "正在发送"
        return f"已向{name}催办（{len(result.channels)}个渠道，{when}），可在发送记录中查看。"

    _run(request, lambda: urge_unit(period_id=period.pk, department_id=department_id, user=request.user), done)
    return redirect(reverse("progress:silent_units", args=[period.pk]) + f"#unit-{department_id}")


# --- one report ------------------------------------------------------------------------------


def _visible_report(request: HttpRequest, report_id: int) -> tuple[Actor, Any]:
    actor = actor_for(request.user)
    report = selectors.report_for_detail(report_id)
    if report is None:
        raise Http404("找不到该报告，或您无权查看。")
    _check(check_can_view_report, actor, report)
    return actor, report


def _queue_param(data: Any) -> str | None:
    """The queue the report was opened from ("all", "lead", "supporting"), or None."""
    value = data.get("queue")
    return selectors.queue_role(value) if value else None


@require_GET
@login_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    actor, report = _visible_report(request, report_id)
    actions = allowed_actions(REPORT_TRANSITIONS, report.status) if can_review(actor) else []
    context = selectors.report_detail_context(report, actor=actor)
    queue = _queue_param(request.GET) if actor.sees_everything else None
    return render(
        request,
        "progress/review_report.html",
        {
            "report": report,
            "actor": actor,
            "can_accept": "accept" in actions,
            "can_return": "return" in actions,
            "next": _local(request, request.GET.get("next", "")),
            "queue": queue,
            "queue_place": selectors.queue_place(report, role=queue) if queue else None,
            "queue_query": urlencode({"queue": queue}) if queue else "",
            "comparison": selectors.report_comparison(report, context["actuals"], actor=actor),
            **context,
        },
    )


def _review(request: HttpRequest, report_id: int, action: str) -> HttpResponse:
    _, report = _visible_report(request, report_id)
    queue = _queue_param(request.POST)
    # Where the queue goes on once this report leaves it: read before the review changes it.
    following = selectors.queue_after(report, role=queue) if queue else None
    comment = request.POST.get("comment", "")
    label = f"任务{report.task.number} · {report.department.name}的报告"
    if action == "accept":
        done = _run(
            request,
            lambda: report_services.accept_report(report_id=report.pk, user=request.user, comment=comment),
            f"已审核通过{label}。",
        )
    else:
        done = _run(
            request,
            lambda: report_services.return_report(report_id=report.pk, user=request.user, comment=comment),
            f"已退回{label}，单位将看到您的意见。",
        )
    detail = reverse("progress:report_detail", args=[report.pk])
    if done and queue:
        if following is None:
            messages.info(request, "待审核队列已全部处理完。")
            return redirect(reverse("progress:review_queue", args=[report.period_id]) + f"?role={queue}")
        return redirect(reverse("progress:report_detail", args=[following]) + "?" + urlencode({"queue": queue}))
    if done:
        return _back(request, detail)
    if queue:
        return redirect(f"{detail}?{urlencode({'queue': queue})}")
    # Refused: stay on the report (keeping where to go back to afterwards).
    target = _local(request, request.POST.get("next", ""))
    return redirect(f"{detail}?{urlencode({'next': target})}" if target else detail)


@require_POST
@login_required
def report_accept(request: HttpRequest, report_id: int) -> HttpResponse:
    return _review(request, report_id, "accept")


@require_POST
@login_required
def report_return(request: HttpRequest, report_id: int) -> HttpResponse:
    return _review(request, report_id, "return")


# --- closing tasks ---------------------------------------------------------------------------


def _visible_task(request: HttpRequest, task_id: int) -> Task:
    task = get_object_or_404(Task.objects.only("pk", "number", "plan_id"), pk=task_id)
    _check(check_can_view_task, actor_for(request.user), task)
    return task


@require_POST
@login_required
def task_complete(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _visible_task(request, task_id)
    _run(
        request,
        lambda: task_review.complete_task(task_id=task.pk, user=request.user, comment=request.POST.get("comment", "")),
        f"任务{task.number}已办结。",
    )
    return _back(request, reverse("progress:task_detail", args=[task.pk]))


@require_POST
@login_required
def task_reopen(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _visible_task(request, task_id)
    _run(
        request,
        lambda: task_review.reopen_task(task_id=task.pk, user=request.user, comment=request.POST.get("comment", "")),
        f"任务{task.number}已重新开启。",
    )
    return _back(request, reverse("progress:task_detail", args=[task.pk]))


# --- extension requests ----------------------------------------------------------------------


@require_GET
@login_required
def extension_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    queryset = selectors.extension_requests(
        extension_requests_visible_to(ExtensionRequest.objects.all(), user=request.user)
    )
    page = Paginator(queryset, EXTENSION_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "progress/extension_list.html",
        {"page": page, "can_decide": can_decide_extension(actor), "pending": ExtensionStatus.PENDING},
    )


def _decide(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    extension = (
        extension_requests_visible_to(ExtensionRequest.objects.select_related("task"), user=request.user)
        .filter(pk=request_id)
        .first()
    )
    if extension is None:
        raise Http404("找不到该延期申请，或您无权查看。")
    comment = request.POST.get("comment", "")
    if action == "approve":
        _run(
            request,
            lambda: task_review.approve_extension(request_id=extension.pk, user=request.user, comment=comment),
            f"已同意任务{extension.task.number}延期至{extension.requested_deadline:%Y年%-m月%-d日}。",
        )
    else:
        _run(
            request,
            lambda: task_review.refuse_extension(request_id=extension.pk, user=request.user, comment=comment),
            f"已不同意任务{extension.task.number}的延期申请。",
        )
    return _back(request, reverse("progress:extension_list"))


@require_POST
@login_required
def extension_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, "approve")


@require_POST
@login_required
def extension_refuse(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, "refuse")


urlpatterns = [
    path("review/", review_home, name="review_home"),
    path("periods/", period_list, name="period_list"),
    path("periods/<int:period_id>/open/", period_open, name="period_open"),
    path("periods/<int:period_id>/close/", period_close, name="period_close"),
    path("periods/<int:period_id>/board/", period_board, name="period_board"),
    path("periods/<int:period_id>/close/confirm/", period_close_confirm, name="period_close_confirm"),
    path("periods/<int:period_id>/queue/", review_queue, name="review_queue"),
    path("periods/<int:period_id>/queue/accept/", queue_accept, name="queue_accept"),
    path("periods/<int:period_id>/silent/", silent_units, name="silent_units"),
    path("periods/<int:period_id>/silent/<int:department_id>/urge/", unit_urge, name="unit_urge"),
    path("plans/<int:plan_id>/periods/generate/", period_generate, name="period_generate"),
    path("reports/<int:report_id>/", report_detail, name="report_detail"),
    path("reports/<int:report_id>/accept/", report_accept, name="report_accept"),
    path("reports/<int:report_id>/return/", report_return, name="report_return"),
    path("tasks/<int:task_id>/complete/", task_complete, name="task_complete"),
    path("tasks/<int:task_id>/reopen/", task_reopen, name="task_reopen"),
    path("extensions/", extension_list, name="extension_list"),
    path("extensions/<int:request_id>/approve/", extension_approve, name="extension_approve"),
    path("extensions/<int:request_id>/refuse/", extension_refuse, name="extension_refuse"),
]
