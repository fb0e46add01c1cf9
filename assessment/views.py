"""The 年度考核 pages: the plan office computes a year's draft, adjusts scores with a reason,
finalises and publishes; leadership reads the ranking with its reasons; a unit reads its own
result (the ranking once published). Views parse, call one service or selector, render.

What a user may not see answers 404; a write they may not make 403; a refused input a message on
the next page (nothing written).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.actor import actor_for
from access.rules import can_manage_assessment, check_can_manage_assessment, check_can_view_assessments
from assessment import services
from assessment.compute import plain
from assessment.export import build_workbook, filename
from assessment.models import AssessmentState
from assessment.rules import DECIMAL_FIELDS, FIELD_LABELS, GRADING_LABELS, Rules
from assessment.selectors import assessment_view, assessments_visible_to, get_assessment, plan_rules, plan_years
from exports.downloads import xlsx_response
from progress.models import ReviewPeriod
from tasks.models import Plan
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return render(request, "assessment/refused.html", {"message": exc.message}, status=exc.http_status)


def _guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A refusal raised before the service (who may see or do what) becomes the Chinese page."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as exc:
            return _refused(request, exc)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _plans_with_years() -> list[dict[str, Any]]:
    """Plans with a period, each with its years and the default one: the latest year whose periods
    have all ended (the year to assess), else the plan's first year."""
    today = timezone.localdate()
    ended: dict[int, int] = {}
    for plan_id, ends_on in ReviewPeriod.objects.filter(ends_on__lt=today).values_list("plan_id", "ends_on"):
        ended[plan_id] = max(ended.get(plan_id, 0), ends_on.year)
    plans = []
    for plan in Plan.objects.defer("source_text").order_by("-issued_on", "-id"):
        years = plan_years(plan)
        if years:
            default = ended.get(plan.pk, years[0])
            plans.append({"plan": plan, "years": list(range(years[0], years[1] + 1)), "default": default})
    return plans


@require_GET
@login_required
@_guard
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    check_can_view_assessments(actor)
    manage = can_manage_assessment(actor)
    return render(
        request,
        "assessment/home.html",
        {
            "assessments": list(assessments_visible_to(actor)),
            "manage": manage,
            "plans": _plans_with_years() if manage else [],
        },
    )


@require_POST
@login_required
@_guard
def compute(request: HttpRequest) -> HttpResponse:
    check_can_manage_assessment(actor_for(request.user))
    raw_plan = request.POST.get("plan", "").strip()
    try:
        if not raw_plan.isdecimal():
            raise ApplicationError(ErrorCode.INVALID, "请选择方案。")
        year = services.parse_year(request.POST.get("year"))
        assessment = services.compute_draft(plan_id=int(raw_plan), year=year, user=request.user)
    except ApplicationError as exc:
        if exc.code == ErrorCode.PERMISSION_DENIED:
            raise
        messages.error(request, exc.message)
        return redirect("assessment:home")
    messages.success(request, f"已计算{assessment.year}年度考核草稿。")
    return redirect("assessment:detail", pk=assessment.pk)


@require_GET
@login_required
@_guard
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    assessment = get_assessment(pk, actor=actor)
    view = assessment_view(assessment, actor=actor)
    manage = can_manage_assessment(actor)
    differences = services.differences(assessment) if view.is_ranking and not assessment.is_draft else []
    return render(
        request,
        "assessment/detail.html",
        {
            "assessment": assessment,
            "view": view,
            "manage": manage,
            "differences": differences,
            "is_draft": assessment.state == AssessmentState.DRAFT,
            "is_finalised": assessment.state == AssessmentState.FINALISED,
        },
    )


def _write(request: HttpRequest, pk: int, action: Callable[[int], Any], success: str) -> HttpResponse:
    actor = actor_for(request.user)
    assessment = get_assessment(pk, actor=actor)
    check_can_manage_assessment(actor)
    try:
        action(assessment.pk)
    except ApplicationError as exc:
        if exc.code in (ErrorCode.PERMISSION_DENIED, ErrorCode.NOT_FOUND):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(reverse("assessment:detail", kwargs={"pk": assessment.pk}))


@require_POST
@login_required
@_guard
def adjust(request: HttpRequest, pk: int) -> HttpResponse:
    raw_unit = request.POST.get("department", "").strip()

    def run(assessment_id: int) -> Any:
        if not raw_unit.isdecimal():
            raise ApplicationError(ErrorCode.INVALID, "请选择要调整的单位。")
        return services.adjust(
            assessment_id=assessment_id,
            department_id=int(raw_unit),
            delta=request.POST.get("delta", ""),
            reason=request.POST.get("reason", ""),
            user=request.user,
        )

    return _write(request, pk, run, "已调整分数并重新计算草稿。")


@require_POST
@login_required
@_guard
def finalise(request: HttpRequest, pk: int) -> HttpResponse:
    return _write(
        request, pk, lambda i: services.finalise(assessment_id=i, user=request.user), "已定稿：考核结果已冻结。"
    )


@require_POST
@login_required
@_guard
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _write(
        request, pk, lambda i: services.publish(assessment_id=i, user=request.user), "已公布：各单位可查看排名。"
    )


@require_GET
@login_required
@_guard
def export(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    view = assessment_view(get_assessment(pk, actor=actor), actor=actor)
    return xlsx_response(build_workbook(view), filename(view))


# --- the plan's rules (考核规则) -----------------------------------------------------------------

NUMBER_FIELDS = (*DECIMAL_FIELDS, "outstanding_years_early")
BOOLEAN_FIELDS = {
    "binding_veto": "约束性指标未完成的，一票否优",
    "outstanding_is_excellent": "远景目标特别突出且无否决情形的，直接评为优秀",
    "score_supporting": "配合单位按配合任务计分",
}


def _rule_fields(rules: Rules, posted: Any = None) -> dict[str, Any]:
    """The form's fields with the rules' values (or what was posted, shown again after an error)."""

    def shown(name: str, value: Any) -> str:
        return posted.get(name, "") if posted is not None else plain(value)

    kinds = [
        {"name": f"weight_{kind}", "label": f"{rules.kind_label(kind)}类权重", "value": shown(f"weight_{kind}", rules.weights.get(kind, 0))}
        for kind in rules.weights
    ]
    numbers = [
        {"name": name, "label": FIELD_LABELS[name], "value": shown(name, getattr(rules, name))}
        for name in NUMBER_FIELDS
    ]
    checks = [
        {"name": name, "label": label, "checked": (name in posted) if posted is not None else getattr(rules, name)}
        for name, label in BOOLEAN_FIELDS.items()
    ]
    grading = posted.get("grading", "") if posted is not None else rules.grading
    return {"kinds": kinds, "numbers": numbers, "checks": checks, "grading": grading, "gradings": GRADING_LABELS}


def _rules_data(posted: Any, rules: Rules) -> dict[str, Any]:
    """The posted form as the rules' data (:func:`assessment.rules.rules_from_data` checks it)."""
    data: dict[str, Any] = {"weights": {kind: posted.get(f"weight_{kind}", "").strip() for kind in rules.weights}}
    for name in NUMBER_FIELDS:
        data[name] = posted.get(name, "").strip()
    for name in BOOLEAN_FIELDS:
        data[name] = name in posted
    data["grading"] = posted.get("grading", "").strip()
    return data


@require_http_methods(["GET", "POST"])
@login_required
@_guard
def rules(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan office reads and changes a plan's assessment rules; a rule set that does not add up is
    refused with the Chinese reasons and nothing is written. A finalised assessment keeps the rules
    it was computed with; a later draft uses the new ones."""
    check_can_manage_assessment(actor_for(request.user))
    plan = Plan.objects.defer("source_text").filter(pk=plan_id).first()
    if plan is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该方案。")
    current = plan_rules(plan)
    error, status, posted = "", 200, None
    if request.method == "POST":
        try:
            services.save_rules(plan_id=plan.pk, data=_rules_data(request.POST, current), user=request.user)
        except ApplicationError as exc:
            if exc.code != ErrorCode.INVALID:
                raise
            error, status, posted = exc.message, 400, request.POST
        else:
            messages.success(request, "已保存考核规则：此后计算的考核草稿按新规则计算，已定稿的不变。")
            return redirect("assessment:rules", plan_id=plan.pk)
    context = {"plan": plan, "error": error, **_rule_fields(current, posted)}
    return render(request, "assessment/rules.html", context, status=status)
