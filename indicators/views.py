"""The indicator pages: the list of a plan's targets (/indicators/) and one target's page
(/indicators/<id>/) with its series, its chart and, for the plan office, the forms to enter an
actual value and the baseline.

Views parse input, ask :mod:`access`, call one selector or service and render. Who sees what:
:mod:`access.rules.indicators`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from access.actor import actor_for
from access.rules.indicators import (
    can_enter_actuals,
    check_can_enter_actuals,
    check_can_list_targets,
    check_can_view_target,
)
from departments.models import Department
from tasks.models import Plan, Target
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

from . import selectors, services
from .chart import trajectory_svg
from .trajectory import TrajectoryStatus, evaluate


def _refuse(exc: ApplicationError) -> None:
    if exc.code == ErrorCode.NOT_FOUND:
        raise Http404(exc.message)
    if exc.code == ErrorCode.PERMISSION_DENIED:
        raise PermissionDenied(exc.message)


def _check(check: Any, *args: Any) -> None:
    try:
        check(*args)
    except ApplicationError as exc:
        _refuse(exc)
        raise


class TargetFilterForm(forms.Form):
    plan = forms.TypedChoiceField(label="方案", required=False, coerce=int, empty_value=None, choices=[])
    kind = forms.ChoiceField(label="指标类别", required=False, choices=[("", "全部"), *selectors.KIND_CHOICES])
    status = forms.ChoiceField(label="进度状态", required=False, choices=[("", "全部"), *TrajectoryStatus.choices])
    unit = forms.TypedChoiceField(label="责任单位", required=False, coerce=int, empty_value=None, choices=[])
    year = forms.IntegerField(label="统计年份", required=False, min_value=1900, max_value=2100)

    def __init__(self, data: Any, *, plans: list[tuple[int, str]], units: list[tuple[int, str]]):
        super().__init__(data)
        self.fields["plan"].choices = plans
        self.fields["unit"].choices = [("", "全部"), *units]
        self.fields["year"].error_messages["invalid"] = "统计年份应为四位年份，如 2024。"


def _plans() -> list[tuple[int, str]]:
    return list(Plan.objects.order_by("-pk").values_list("pk", "title"))


@require_GET
@login_required
def target_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    _check(check_can_list_targets, actor)
    plans = _plans()
    units = list(Department.objects.filter(is_active=True).order_by("sort_order", "name").values_list("pk", "name"))
    form = TargetFilterForm(request.GET or None, plans=plans, units=units)
    today = timezone.localdate()
    rows: list[selectors.TargetRow] = []
    plan_id = plans[0][0] if plans else None
    year = today.year
    valid = form.is_valid() if request.GET else True
    if valid and plan_id is not None:
        data = form.cleaned_data if request.GET else {}
        plan_id = data.get("plan") or plan_id
        year = data.get("year") or year
        rows = selectors.plan_targets(
            plan_id=plan_id,
            user=request.user,
            as_of_year=year,
            kind=data.get("kind") or "",
            status=data.get("status") or "",
            unit_id=data.get("unit"),
        )
    return render(
        request,
        "indicators/target_list.html",
        {"form": form, "rows": rows, "year": year, "has_plan": bool(plans), "valid": valid},
        status=200 if valid else 400,
    )


def _visible_target(request: HttpRequest, target_id: int) -> Target:
    target = Target.objects.select_related("task__plan").filter(pk=target_id).first()
    if target is None:
        raise Http404("找不到该指标，或您无权查看。")
    _check(check_can_view_target, actor_for(request.user), target)
    return target


# The fields are checked by the service (one rule for the page and the API), so none is required here.
class ActualForm(forms.Form):
    year = forms.CharField(label="年份", required=False, max_length=8, help_text="必填，规划期内的年份")
    value = forms.CharField(label="实际值", required=False, max_length=40, help_text="必填，数字，按目标的计量单位")
    data_date = forms.CharField(label="数据截至日期", required=False, max_length=10, help_text="如 2024-12-31")
    source = forms.CharField(label="数据来源", required=False, max_length=200, help_text="如 2024年兴平市统计公报")
    document_number = forms.CharField(label="文号", required=False, max_length=100)
    reason = forms.CharField(
        label="录入或更正理由",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="必填",
    )


class BaselineForm(forms.Form):
    baseline_value = forms.CharField(label="基期值", required=False, max_length=40)
    baseline_year = forms.CharField(label="基期年份", required=False, max_length=8, help_text="必填，如 2020")
    baseline_note = forms.CharField(
        label="说明", required=False, max_length=300, help_text="如 2020年地区生产总值（亿元）"
    )


def _detail(request: HttpRequest, target: Target, *, actual_form: Any = None, baseline_form: Any = None, status=200):
    spec = selectors.target_spec(target)
    readings = selectors.actual_series([target.pk])[target.pk]
    year = timezone.localdate().year
    evaluation = evaluate(spec, readings, as_of_year=year)
    may_enter = can_enter_actuals(actor_for(request.user))
    if may_enter:
        actual_form = actual_form or ActualForm(initial={"year": year - 1})
        baseline_form = baseline_form or BaselineForm(
            initial={
                "baseline_value": target.baseline_value if target.baseline_value is not None else "",
                "baseline_year": spec.baseline_year or "",
                "baseline_note": target.baseline_note,
            }
        )
    return render(
        request,
        "indicators/target_detail.html",
        {
            "target": target,
            "task": target.task,
            "spec": spec,
            "evaluation": evaluation,
            "entries": selectors.series_entries(target),
            "lead_units": selectors.lead_unit_names([target.task_id]).get(target.task_id, ()),
            "chart": trajectory_svg(spec, readings, title=f"{target.indicator}：实际值与预期轨迹"),
            "may_enter": may_enter,
            "actual_form": actual_form,
            "baseline_form": baseline_form,
            "year": year,
        },
        status=status,
    )


@require_GET
@login_required
def target_detail(request: HttpRequest, target_id: int) -> HttpResponse:
    return _detail(request, _visible_target(request, target_id))


def _post(request: HttpRequest, target_id: int, *, form_class: Any, action: Any, success: str, key: str):
    target = _visible_target(request, target_id)
    _check(check_can_enter_actuals, actor_for(request.user))
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(target, form.cleaned_data)
        except ApplicationError as exc:
            _refuse(exc)
            for field, message in exc.extra.get("errors", {}).items():
                form.add_error(field if field in form.fields else None, message)
            if not exc.extra.get("errors"):
                form.add_error(None, exc.message)
        else:
            messages.success(request, success)
            return redirect(reverse("indicators:target_detail", args=[target.pk]))
    return _detail(request, target, status=400, **{key: form})


@require_POST
@login_required
def actual_enter(request: HttpRequest, target_id: int) -> HttpResponse:
    return _post(
        request,
        target_id,
        form_class=ActualForm,
        action=lambda target, data: services.record_official_actual(target_id=target.pk, user=request.user, **data),
        success="已保存实际值。",
        key="actual_form",
    )


@require_POST
@login_required
def baseline_edit(request: HttpRequest, target_id: int) -> HttpResponse:
    return _post(
        request,
        target_id,
        form_class=BaselineForm,
        action=lambda target, data: services.set_baseline(target_id=target.pk, user=request.user, **data),
        success="已保存基期值。",
        key="baseline_form",
    )
