"""The evaluation pages (plan office and leadership): the plans, a plan's evaluation report (one click
for the workbook or the .docx draft), ending a plan and carrying its unfinished tasks into another.

Views parse, call one service and answer: a refusal that is not the person's to fix is 404 / 403, any
other a Chinese message on the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from access.actor import actor_for
from access.rules import check_can_manage_plans, check_can_view_board
from evaluation import selectors
from evaluation.services import closing
from evaluation.services.reports import evaluation_file
from exports.downloads import file_response
from tasks.models import Plan
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

CARRY_LIST_LIMIT = 500  # unfinished tasks listed with a checkbox each; beyond, all of them are carried


def _refuse(exc: ApplicationError) -> None:
    if exc.code == ErrorCode.NOT_FOUND:
        raise Http404(exc.message)
    if exc.code == ErrorCode.PERMISSION_DENIED:
        raise PermissionDenied(exc.message)


def _overseer(request: HttpRequest) -> Any:
    actor = actor_for(request.user)
    try:
        check_can_view_board(actor)
    except ApplicationError as exc:
        _refuse(exc)
    return actor


def _may_manage(actor: Any) -> bool:
    try:
        check_can_manage_plans(actor)
    except ApplicationError:
        return False
    return True


def _plan(plan_id: int) -> Plan:
    try:
        return selectors.get_plan(plan_id)
    except ApplicationError as exc:
        raise Http404(exc.message) from None


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    _overseer(request)
    plans = list(Plan.objects.defer("source_text").select_related("closed_by").order_by("-issued_on", "-pk"))
    return render(request, "evaluation/home.html", {"plans": plans})


@require_GET
@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = _overseer(request)
    plan = _plan(plan_id)
    today = timezone.localdate()
    as_of = min(today, plan.period_end) if plan.period_end and plan.is_closed else today
    context: dict[str, Any] = {"plan": plan, "as_of": as_of, "can_manage": _may_manage(actor)}
    if context["can_manage"]:
        unfinished = selectors.unfinished_tasks(plan, as_of=today)
        context.update(
            unfinished=unfinished[:CARRY_LIST_LIMIT],
            unfinished_total=len(unfinished),
            listed_all=len(unfinished) <= CARRY_LIST_LIMIT,
            targets=selectors.carry_targets(plan),
            carried=selectors.carried_out_count(plan),
        )
    return render(request, "evaluation/plan_detail.html", context)


@require_GET
@login_required
def report_download(request: HttpRequest, plan_id: int) -> HttpResponse:
    try:
        made = evaluation_file(
            user=request.user, plan_id=plan_id, as_of=request.GET.get("as_of"), fmt=request.GET.get("document")
        )
    except ApplicationError as exc:
        _refuse(exc)
        return render(request, "exports/error.html", {"message": exc.message}, status=exc.http_status)
    return file_response(made.handle, made.filename, made.content_type)


@require_POST
@login_required
def close(request: HttpRequest, plan_id: int) -> HttpResponse:
    _overseer(request)
    try:
        plan = closing.close_plan(plan_id=plan_id, user=request.user, confirm=request.POST.get("confirm") == "yes")
    except ApplicationError as exc:
        _refuse(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"“{plan.title}”已结束：填报期均已关闭，方案仍可查看和导出。")
    return redirect(reverse("evaluation:plan_detail", args=[plan_id]))


@require_POST
@login_required
def carry(request: HttpRequest, plan_id: int) -> HttpResponse:
    _overseer(request)
    chosen = request.POST.getlist("tasks")
    try:
        target = request.POST.get("target_plan", "")
        if not target.strip().isdigit():
            raise ApplicationError(ErrorCode.INVALID, "请选择要转入的方案。")
        task_ids = [int(pk) for pk in chosen if pk.strip().isdigit()] if request.POST.get("scope") != "all" else None
        if task_ids is not None and len(task_ids) != len(chosen):
            raise ApplicationError(ErrorCode.INVALID, "所选任务有误，请重新选择。")
        created = closing.carry_tasks(
            source_plan_id=plan_id, target_plan_id=int(target), user=request.user, task_ids=task_ids
        )
    except ApplicationError as exc:
        _refuse(exc)
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"已转入{len(created)}项未完成任务（新方案任务{created[0].number}—{created[-1].number}），各任务页可查看“承接自”的原任务。",
        )
    return redirect(reverse("evaluation:plan_detail", args=[plan_id]))


urlpatterns = [
    path("evaluation/", home, name="home"),
    path("evaluation/plans/<int:plan_id>/", plan_detail, name="plan_detail"),
    path("evaluation/plans/<int:plan_id>/report/", report_download, name="report"),
    path("evaluation/plans/<int:plan_id>/close/", close, name="close"),
    path("evaluation/plans/<int:plan_id>/carry/", carry, name="carry"),
]
