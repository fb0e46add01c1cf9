"""Admin list actions that download workbooks (added to the ReviewPeriod and Task changelists).

They call the same services as the pages, so the permission rules are :mod:`access`'
(the plan office and leadership); a refusal comes back as a message on the list.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from exports import services
from exports.downloads import xlsx_response
from xingping_tracker.core.exceptions import ApplicationError


@admin.action(description="下载会议材料（Excel，选一个填报期）")
def download_meeting_pack(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
    periods = list(queryset.select_related("plan")[:2])
    if len(periods) != 1:
        messages.error(request, "请只选择一个填报期再下载会议材料。")
        return None
    try:
        handle, filename = services.meeting_pack_for_period(user=request.user, period=periods[0])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return None
    return xlsx_response(handle, filename)


def _period_for_plan(plan_id: int) -> Any:
    from progress.models import PeriodStatus, ReviewPeriod

    periods = ReviewPeriod.objects.filter(plan_id=plan_id).select_related("plan")
    return periods.filter(status=PeriodStatus.OPEN).order_by("-starts_on").first() or periods.order_by("-starts_on").first()


@admin.action(description="导出台账（Excel：所选任务，最近开放的填报期）")
def export_ledger(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
    rows = list(queryset.order_by().values_list("pk", "plan_id"))
    plans = {plan_id for _, plan_id in rows}
    if len(plans) != 1:
        messages.error(request, "所选任务属于多个方案，请按方案筛选后再导出台账。")
        return None
    period = _period_for_plan(plans.pop())
    if period is None:
        messages.error(request, "该方案还没有填报期，请先在“填报期”中添加。")
        return None
    try:
        handle, filename = services.ledger_for_tasks(user=request.user, period=period, task_ids=[pk for pk, _ in rows])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return None
    return xlsx_response(handle, filename)
