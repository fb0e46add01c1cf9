"""Pages of unit staff: the home page (本期待填报), the report form, evidence, the task page.

Views parse input, call one service (or a selector), and render; permissions are asked of
:mod:`access`. An object the user may not see answers 404, never 403, so its
existence is not revealed; a write the user may not make answers 403 and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.actor import Actor, actor_for
from access.querysets import extension_requests_visible_to
from access.rules import (
    can_submit_report,
    can_view_board,
    can_view_evidence,
    can_view_report,
    can_view_task,
    can_view_unit_report,
    check_can_edit_report,
    check_can_start_report,
    check_period_open,
    may_submit_for_unit,
)
from departments.models import Department
from progress.formatting import plain_decimal
from progress.forms import (
    REPORT_ACTIONS,
    ActualForm,
    EvidenceForm,
    ExtensionRequestForm,
    ReportForm,
    report_input,
)
from progress.models import (
    ActualState,
    Evidence,
    ExtensionRequest,
    ProgressReport,
    ReportStatus,
    ReviewPeriod,
    TargetActual,
)
from progress.plausibility import actual_warnings, confirmation_token
from progress.selectors.portal import (
    DUE_STATUS_CHOICES,
    STILL_DUE_STATES,
    actuals_by_target,
    carried_links,
    complete_drafts,
    contributions_for,
    default_period,
    due_list,
    effective_units,
    latest_return_event,
    next_due_task,
    report_for_form,
    task_page,
    task_with_details,
    unit_periods,
)
from progress.selectors.timeline import task_timeline
from progress.services.evidence import add_evidence, max_bytes, remove_evidence
from progress.services.reports import previous_report, save_report, start_report, submit_report, submit_reports
from progress.services.task_review import request_extension, withdraw_extension
from tasks.models import AssignmentRole, Task
from tasks.selectors import section_heading_path
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

NARRATIVE_LABELS = {"progress_text": "进展情况", "problems_text": "存在问题", "next_steps_text": "下步打算"}


def _safe_reverse(name: str, *args, fallback: str = "") -> str:
    """A URL of a page another module provides, or ``fallback`` while it does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def _refused(request: HttpRequest, message: str, *, status: int = 403) -> HttpResponse:
    return render(request, "progress/unit_refused.html", {"message": message}, status=status)


def _page_status(exc: ApplicationError) -> int:
    # A page cannot answer 412 (that is the API's If-Match answer): a conflict is 409 here.
    if exc.code == ErrorCode.VERSION_CONFLICT:
        return 409
    return exc.http_status


def _error_response(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    if exc.code == ErrorCode.NOT_FOUND:
        raise Http404(exc.message)
    return _refused(request, exc.message, status=_page_status(exc))


# --- home: 本期待填报 -------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if actor.department_id is None:
        if actor.is_leadership:  # leadership reads the dashboard first; the review pages are a click away
            return redirect("dashboard:home")
        if can_view_board(actor):
            return redirect("progress:review_home")
        return render(request, "progress/unit_no_unit.html", status=200)
    periods = unit_periods(department_id=actor.department_id)
    period = default_period(periods)
    wanted = request.GET.get("period", "").strip()
    if wanted:
        period = next((p for p in periods if str(p.pk) == wanted), None)
        if period is None:
            raise Http404("找不到该填报期。")
    role = request.GET.get("role", "")
    role = role if role in AssignmentRole.values else ""
    status = request.GET.get("status", "")
    status = status if status in dict(DUE_STATUS_CHOICES) else ""
    context = {
        "department": Department.objects.only("pk", "name").get(pk=actor.department_id),
        "periods": periods,
        "period": period,
        "role": role,
        "status": status,
        "role_choices": AssignmentRole.choices,
        "status_choices": DUE_STATUS_CHOICES,
        "due": due_list(
            department_id=actor.department_id,
            period=period,
            role=role or None,
            status=status or None,
            page=request.GET.get("page"),
        )
        if period is not None
        else None,
    }
    if period is not None:
        list_query = _list_query(request.GET) or urlencode({"period": period.pk})
        if "period=" not in list_query:
            list_query = urlencode({"period": period.pk}) + "&" + list_query
        context["back_qs"] = urlencode({"back": list_query})
        context["bulk_count"] = (
            len(complete_drafts(department_id=actor.department_id, period=period))
            if period.is_open and may_submit_for_unit(actor)
            else 0
        )
    return render(request, "progress/home.html", context)


# --- bulk 报送 of complete drafts -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def bulk_submit(request: HttpRequest, period_id: int) -> HttpResponse:
    """报送已填好的草稿: GET lists the unit's complete drafts of the period (the confirmation), POST
    submits the ones listed, all or none (:func:`progress.services.reports.submit_reports`)."""
    actor = actor_for(request.user)
    if actor.department_id is None:
        return _refused(request, "只有填报单位的账号可以报送报告。")
    period = get_object_or_404(ReviewPeriod, pk=period_id)
    back = _list_query(QueryDict(request.GET.get("back", "") or request.POST.get("back", ""))) or urlencode(
        {"period": period.pk}
    )
    if request.method == "POST":
        ids = [int(value) for value in request.POST.getlist("report") if value.isdecimal()]
        try:
            done = submit_reports(report_ids=ids, user=request.user)
        except ApplicationError as exc:
            if exc.code in (ErrorCode.PERMISSION_DENIED, ErrorCode.NOT_FOUND):
                return _error_response(request, exc)
            messages.error(request, exc.message)
            return redirect(reverse("progress:bulk_submit", args=[period.pk]) + "?" + urlencode({"back": back}))
        messages.success(request, f"已报送{len(done)}份报告：任务{'、'.join(str(r.task.number) for r in done)}。")
        return redirect(_list_url(back))
    drafts = complete_drafts(department_id=actor.department_id, period=period)
    context = {
        "period": period,
        "drafts": drafts,
        "back": back,
        "list_url": _list_url(back),
        "may_submit": period.is_open and may_submit_for_unit(actor),
    }
    return render(request, "progress/bulk_submit.html", context)


# --- the report form -------------------------------------------------------------------------


# The due list's query the report form carries back (``?back=``): the list keeps its filters and page.
LIST_PARAMS = ("period", "role", "status", "page")


def _list_query(params) -> str:
    """The due list's own parameters of ``params`` (a QueryDict), as a query string."""
    return urlencode([(name, params.get(name)) for name in LIST_PARAMS if params.get(name)])


def _back_query(request: HttpRequest) -> str:
    return _list_query(QueryDict(request.GET.get("back", "")))


def _list_url(back: str, *, task_id: int | None = None) -> str:
    url = reverse("progress:home") + (f"?{back}" if back else "")
    return url + (f"#task-{task_id}" if task_id else "")


def _report_url(task_id: int, period_id: int, *, department_id: int, actor: Actor, back: str = "") -> str:
    url = reverse("progress:report_form", args=[task_id, period_id])
    query = []
    if department_id != actor.department_id:
        query.append(("unit", department_id))
    if back:
        query.append(("back", back))
    return url + ("?" + urlencode(query) if query else "")


def _report_department(request: HttpRequest, actor: Actor, task: Task) -> Department:
    """Whose report the page shows: ``?unit=`` when given, else the user's unit, else the first lead unit."""
    wanted = request.GET.get("unit", "").strip()
    if wanted:
        if not wanted.isdecimal():
            raise Http404("找不到该单位。")
        return get_object_or_404(Department, pk=int(wanted))
    if actor.department_id is not None:
        return Department.objects.get(pk=actor.department_id)
    leads, _ = effective_units(task)
    if not leads:
        raise Http404("该任务没有可确定的牵头单位。")
    return leads[0]


def _readonly_reason(
    actor: Actor, *, report: ProgressReport | None, task: Task, period: ReviewPeriod, department: Department
) -> str:
    """Why the page is read-only (Chinese), or "" when the user may edit."""
    if department.pk != actor.department_id:
        return f"这是{department.name}的报告，您只能查看，不能修改。"
    try:
        if report is not None:
            check_can_edit_report(actor, report)
        else:
            check_can_start_report(actor, task=task, department_id=department.pk)
            check_period_open(period)
    except ApplicationError as exc:
        return exc.message
    return ""


def _initial(source: ProgressReport | None) -> dict:
    if source is None:
        return {}
    return {
        "progress_status": source.progress_status,
        "percent": source.percent,
        "progress_text": source.progress_text,
        "problems_text": source.problems_text,
        "next_steps_text": source.next_steps_text,
    }


def default_data_date(period: ReviewPeriod) -> dt.date:
    """The data date a new actual starts with: the period's end (today while the period runs)."""
    return min(period.ends_on, timezone.localdate())


def _actual_initial(actual: TargetActual | None, *, period: ReviewPeriod) -> dict:
    if actual is None:
        # Last period's value is shown beside the field, never put in it; the date is the period's end.
        return {"data_date": default_data_date(period)}
    # Stored with four places (4.2000): shown as people write it (4.2).
    value = plain_decimal(actual.value) if actual.value is not None else None
    return {"state": actual.state, "value": value, "data_date": actual.data_date, "note": actual.note}


@login_required
@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest, task_id: int, period_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    task = task_with_details(task_id)
    if task is None or not can_view_task(actor, task):
        raise Http404("找不到该任务，或您无权查看。")
    period = get_object_or_404(ReviewPeriod, pk=period_id, plan_id=task.plan_id)
    department = _report_department(request, actor, task)
    report = report_for_form(task_id=task.pk, department_id=department.pk, period_id=period.pk)
    lead_units, supporting_units = effective_units(task)
    if report is not None:
        if not can_view_report(actor, report):
            raise Http404("找不到该报告，或您无权查看。")
        role = report.role
    else:
        if not can_view_unit_report(actor, department_id=department.pk):
            raise Http404("找不到该报告，或您无权查看。")
        if any(unit.pk == department.pk for unit in lead_units):
            role = AssignmentRole.LEAD
        elif any(unit.pk == department.pk for unit in supporting_units):
            role = AssignmentRole.SUPPORTING
        else:
            raise Http404("该单位不是本任务的牵头或配合单位。")
    back = _back_query(request)
    own_url = _report_url(task.pk, period.pk, department_id=department.pk, actor=actor, back=back)
    targets = list(task.targets.all()) if role == AssignmentRole.LEAD else []
    previous = previous_report(task_id=task.pk, department_id=department.pk, period=period)
    is_lead = role == AssignmentRole.LEAD

    if request.method == "POST":
        if department.pk != actor.department_id:
            return _refused(request, "只能填报本单位的报告。")
        return _post_report(
            request,
            actor=actor,
            task=task,
            period=period,
            department=department,
            report=report,
            role=role,
            targets=targets,
            own_url=own_url,
            previous=previous,
            back=back,
        )

    # GET writes nothing: a report that does not exist yet is shown pre-filled from the previous one.
    if report is None:
        source, version = previous, 0
    else:
        source, version = report, report.version
    form = ReportForm(initial={**_initial(source), "version": version, "action": "save"}, lead=is_lead)
    stored_actuals = actuals_by_target(report)
    actual_forms = {
        target.pk: ActualForm(
            initial=_actual_initial(stored_actuals.get(target.pk), period=period), prefix=f"actual-{target.pk}"
        )
        for target in targets
    }
    return _render_form(
        request,
        actor=actor,
        task=task,
        period=period,
        department=department,
        report=report,
        role=role,
        form=form,
        actual_forms=actual_forms,
        targets=targets,
        previous=previous,
        own_url=own_url,
        stored_actuals=stored_actuals,
        back=back,
    )


def _warnings(targets, actual_forms, previous_actuals, stored_actuals) -> tuple[dict[int, list[str]], str]:
    """The plausibility warnings of the posted actuals and the token that confirms them. A value the
    report already holds was confirmed when it was saved: it is not asked about again."""
    values = {
        target_id: af.cleaned_data["value"]
        for target_id, af in (actual_forms or {}).items()
        if af.cleaned_data["state"] == ActualState.REPORTED
        and af.cleaned_data["value"] is not None
        and (target_id not in stored_actuals or stored_actuals[target_id].value != af.cleaned_data["value"])
    }
    previous = {
        target_id: actual.value
        for target_id, actual in previous_actuals.items()
        if actual.state == ActualState.REPORTED
    }
    warned = actual_warnings(values=values, units={t.pk: t.unit for t in targets}, previous=previous)
    return warned, confirmation_token(values, warned) if warned else ""


def _post_report(request, *, actor, task, period, department, report, role, targets, own_url, previous, back):
    is_lead = role == AssignmentRole.LEAD
    form = ReportForm(request.POST, lead=is_lead)
    actual_forms = (
        {target.pk: ActualForm(request.POST, prefix=f"actual-{target.pk}") for target in targets} if is_lead else None
    )
    context = dict(
        actor=actor,
        task=task,
        period=period,
        department=department,
        report=report,
        role=role,
        targets=targets,
        own_url=own_url,
        previous=previous,
        back=back,
    )
    uploads = request.FILES.getlist("evidence")
    valid = form.is_valid()
    valid = all([af.is_valid() for af in (actual_forms or {}).values()]) and valid
    if not valid:
        return _render_form(
            request,
            form=form,
            actual_forms=actual_forms or {},
            status=400,
            error=_with_uploads("填报内容有误，请按提示修改。", uploads),
            **context,
        )
    version = form.cleaned_data["version"]
    action = form.cleaned_data["action"] or "save"
    warned, token = _warnings(targets, actual_forms, actuals_by_target(previous), actuals_by_target(report))
    if warned and request.POST.get("confirm_actuals", "") != token:
        # A warning, not a refusal: the page asks once; pressing the button again saves these values.
        return _render_form(
            request,
            form=form,
            actual_forms=actual_forms or {},
            status=200,
            warnings=warned,
            confirm_token=token,
            error=_with_uploads(
                f"请核对下方标出的实际值。确认无误的，再次点击“{REPORT_ACTIONS[action]}”即可；需要修改的，改后再保存。",
                uploads,
            ),
            **context,
        )
    data = report_input(form, actual_forms)
    stored_files: list = []
    submitted = False
    try:
        with transaction.atomic():
            if report is None:
                if version != 0:
                    raise ApplicationError(ErrorCode.INVALID, "报告版本号有误，请重新打开报告后再保存。")
                started = start_report(task=task, department_id=department.pk, period=period, user=request.user)
                # Version 1 is the fresh draft; anything later was written by someone else meanwhile: a conflict.
                saved = save_report(
                    report_id=started.pk,
                    user=request.user,
                    expected_version=1 if started.version == 1 else 0,
                    data=data,
                )
            else:
                saved = save_report(report_id=report.pk, user=request.user, expected_version=version, data=data)
            for upload in uploads:  # evidence may come with the first save
                evidence = add_evidence(report_id=saved.pk, user=request.user, upload=upload)
                stored_files.append((evidence.file.storage, evidence.file.name))
            if action == "submit" and report is None:
                # A new report that cannot be submitted leaves nothing behind: no empty draft.
                saved = submit_report(report_id=saved.pk, user=request.user)
                submitted = True
    except ApplicationError as exc:
        for storage, name in stored_files:  # the rows rolled back: their files go too
            storage.delete(name)
        if exc.code in (ErrorCode.PERMISSION_DENIED, ErrorCode.NOT_FOUND):
            return _error_response(request, exc)
        current = report_for_form(task_id=task.pk, department_id=department.pk, period_id=period.pk)
        context["report"] = current
        if exc.code == ErrorCode.VERSION_CONFLICT and current is not None:
            # Keep what was typed; the hidden version becomes the stored one, shown beside the stored text.
            posted = request.POST.copy()
            posted["version"] = str(current.version)
            form = ReportForm(posted, lead=is_lead)
            form.is_valid()
            context["conflict_report"] = current
            message = _conflict_message(current, yours=exc.extra.get("your_version", version))
        elif report is None and action == "submit":
            message = f"未能报送：{exc.message}本期报告尚未保存，请补充后再报送。"
        else:
            message = exc.message
        errors = exc.extra.get("errors", {}) if exc.code == ErrorCode.INVALID else {}
        return _render_form(
            request,
            form=form,
            actual_forms=actual_forms or {},
            status=_page_status(exc),
            error=_with_uploads(message, uploads),
            service_errors=errors,
            **context,
        )
    attached = f"已上传{len(uploads)}个佐证材料。" if uploads else ""
    if action == "submit":
        if not submitted:
            try:
                submit_report(report_id=saved.pk, user=request.user, expected_version=saved.version)
            except ApplicationError as exc:
                messages.error(request, f"已保存为草稿，但未能报送：{exc.message}")
                return redirect(own_url)
        return _after_submit(
            request, task=task, period=period, department=department, role=role, back=back, attached=attached
        )
    messages.success(request, f"草稿已保存。{attached}报送前仍可修改。")
    return redirect(own_url)


def _with_uploads(message: str, uploads: list) -> str:
    if not uploads:
        return message
    return f"{message}（所选的{len(uploads)}个佐证材料未上传，请重新选择。）"


def _after_submit(request, *, task, period, department, role, back, attached) -> HttpResponse:
    """After 保存并报送: on to the next task still to write (the due list's filters and order), saying
    how many are left; back to the list when none is."""
    if role == AssignmentRole.LEAD:
        done = f"任务{task.number}的进展报告已报送规划科。"
    else:
        done = f"任务{task.number}的配合情况已报送，供牵头单位汇总。"
    params = QueryDict(back)
    role_filter = params.get("role") if params.get("role") in AssignmentRole.values else None
    status_filter = params.get("status") if params.get("status") in STILL_DUE_STATES else None
    following = next_due_task(
        department_id=department.pk, period=period, after_task_id=task.pk, role=role_filter, status=status_filter
    )
    if following.entry is None:
        messages.success(
            request, f"{done}{attached}本期{'符合筛选条件的' if role_filter or status_filter else ''}任务已全部报送。"
        )
        return redirect(_list_url(back, task_id=task.pk))
    messages.success(
        request,
        f"{done}{attached}还有{following.remaining}项待填报，已为您打开任务{following.entry.number}。",
    )
    return redirect(
        _report_url(
            following.entry.task_id, period.pk, department_id=department.pk, actor=actor_for(request.user), back=back
        )
    )


def _may_submit(actor: Actor, report: ProgressReport | None) -> bool:
    """Whether the form offers 保存并报送 (the page is editable). A report not started yet follows
    the sign-off rule of :func:`access.rules.reports.check_can_submit_report`: in a unit that requires
    the head's sign-off, only the head submits."""
    if report is not None:
        return can_submit_report(actor, report)
    return may_submit_for_unit(actor)


def _conflict_message(current: ProgressReport, *, yours: int) -> str:
    """What the page does after a version conflict: it shows the stored version beside the form,
    keeps what was typed, and a second save is made on the stored version."""
    user = current.updated_by
    who = (user.get_full_name() or user.get_username()) if user is not None else "他人"
    when = timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M")
    return (
        f"您的修改没有保存：该报告已被{who}于{when}保存为第{current.version}版（您打开的是第{yours}版）。"
        f"下方列出了第{current.version}版的内容，您填写的内容仍保留在表单中；"
        f"核对后再次保存，将在第{current.version}版的基础上保存您表单中的内容。"
    )


def _render_form(
    request,
    *,
    actor,
    task,
    period,
    department,
    report,
    role,
    form,
    actual_forms,
    targets,
    previous,
    own_url,
    back="",
    status=200,
    error="",
    service_errors=None,
    conflict_report=None,
    stored_actuals=None,
    warnings=None,
    confirm_token="",
):
    service_errors = service_errors or {}
    warnings = warnings or {}
    known = set()
    for name, messages_ in service_errors.items():
        if name in form.fields:
            for message in messages_:
                form.add_error(name, message)
            known.add(name)
    if stored_actuals is None:
        stored_actuals = actuals_by_target(report)
    previous_actuals = actuals_by_target(previous)
    target_rows = []
    for target in targets:
        key = f"actuals.{target.pk}"
        known.add(key)
        target_rows.append(
            {
                "target": target,
                "form": actual_forms.get(target.pk),
                "errors": service_errors.get(key, []),
                "warnings": warnings.get(target.pk, []),
                "stored": stored_actuals.get(target.pk),
                "previous": previous_actuals.get(target.pk),
            }
        )
    other_errors = [m for name, ms in service_errors.items() if name not in known for m in ms]
    readonly_reason = _readonly_reason(actor, report=report, task=task, period=period, department=department)
    contributions = None
    if role == AssignmentRole.LEAD:
        contributions = contributions_for(task=task, period=period, actor=actor)
    evidence = list(report.evidence.select_related("uploaded_by")) if report is not None else []
    # Where the form's content came from: last period's report (not started yet), or the one the draft
    # was started from; flagged when the plan office had returned that report.
    prefill = previous if report is None else (report.prefilled_from if report.status == ReportStatus.DRAFT else None)
    context = {
        "task": task,
        "period": period,
        "department": department,
        "report": report,
        "role": role,
        "is_lead": role == AssignmentRole.LEAD,
        "form": form,
        "target_rows": target_rows,
        "previous": previous,
        "prefill": prefill,
        "prefill_returned": prefill is not None and prefill.status == ReportStatus.RETURNED,
        "own_url": own_url,
        "list_url": _list_url(back or urlencode({"period": period.pk}), task_id=task.pk),
        "readonly_reason": readonly_reason,
        "editable": not readonly_reason,
        "can_submit": not readonly_reason and _may_submit(actor, report),
        "error": error,
        "other_errors": other_errors,
        "conflict_report": conflict_report,
        "confirm_token": confirm_token,
        "return_event": latest_return_event(report)
        if report is not None and report.status == ReportStatus.RETURNED
        else None,
        "contributions": contributions,
        "evidence": evidence,
        "evidence_form": EvidenceForm(auto_id="id_evidence_%s"),
        "evidence_max_mb": max_bytes() // 1024 // 1024,
        "actions": REPORT_ACTIONS,
        "section_path": section_heading_path(task.section),
    }
    return render(request, "progress/report_form.html", context, status=status)


# --- evidence --------------------------------------------------------------------------------


def _visible_report_or_404(actor: Actor, report_id: int) -> ProgressReport:
    report = ProgressReport.objects.select_related("period", "task").filter(pk=report_id).first()
    if report is None or not can_view_report(actor, report):
        raise Http404("找不到该报告，或您无权查看。")
    return report


@login_required
@require_POST
def evidence_upload(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    report = _visible_report_or_404(actor, report_id)
    back = _report_url(report.task_id, report.period_id, department_id=report.department_id, actor=actor)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件。")
        return redirect(back)
    try:
        evidence = add_evidence(report_id=report.pk, user=request.user, upload=form.cleaned_data["file"])
    except ApplicationError as exc:
        if exc.code in (ErrorCode.PERMISSION_DENIED, ErrorCode.NOT_FOUND):
            return _error_response(request, exc)
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, f"已上传“{evidence.original_name}”。")
    return redirect(back + "#evidence")


@login_required
@require_POST
def evidence_delete(request: HttpRequest, evidence_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    evidence = Evidence.objects.select_related("report").filter(pk=evidence_id).first()
    if evidence is None or not can_view_evidence(actor, evidence.report):
        raise Http404("找不到该佐证材料，或您无权查看。")
    report = evidence.report
    back = _report_url(report.task_id, report.period_id, department_id=report.department_id, actor=actor)
    try:
        remove_evidence(evidence_id=evidence.pk, user=request.user)
    except ApplicationError as exc:
        if exc.code in (ErrorCode.PERMISSION_DENIED, ErrorCode.NOT_FOUND):
            return _error_response(request, exc)
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, f"已删除“{evidence.original_name}”。")
    return redirect(back + "#evidence")


@login_required
@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    actor = actor_for(request.user)
    evidence = Evidence.objects.select_related("report").filter(pk=evidence_id).first()
    if evidence is None or not can_view_evidence(actor, evidence.report):
        raise Http404("找不到该佐证材料，或您无权查看。")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在，请联系规划科。") from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the task page ---------------------------------------------------------------------------


@login_required
@require_GET
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    task = task_with_details(task_id)
    if task is None or not can_view_task(actor, task):
        raise Http404("找不到该任务，或您无权查看。")
    page = task_page(task, actor=actor)
    for entry in page.periods:
        for report in entry.reports:
            if report.department_id == actor.department_id:
                report.link = _report_url(task.pk, report.period_id, department_id=report.department_id, actor=actor)
            else:
                report.link = _safe_reverse(
                    "progress:report_detail",
                    report.pk,
                    fallback=_report_url(task.pk, report.period_id, department_id=report.department_id, actor=actor),
                )
        entry.form_url = (
            reverse("progress:report_form", args=[task.pk, entry.period.pk]) if page.unit_role is not None else ""
        )
    context = {
        "task": task,
        "actor": actor,
        "page": page,
        "task_progress": page.task_progress,
        "pending_extension": page.pending_extension,
        "section_path": section_heading_path(task.section),
        "assignment_rows": [(assignment, _assignment_units(assignment)) for assignment in task.assignments.all()],
        "can_request_extension": page.unit_role == AssignmentRole.LEAD and page.pending_extension is None,
        "extension_form": ExtensionRequestForm(auto_id="id_extension_%s"),
        "timeline": task_timeline(task, actor=actor),
        **carried_links(task, actor=actor),
    }
    return render(request, "progress/task_detail.html", context)


def _assignment_units(assignment) -> list[Department]:
    from tasks.selectors import assignment_effective_departments

    return assignment_effective_departments(assignment)


@login_required
@require_POST
def extension_request(request: HttpRequest, task_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    task = get_object_or_404(Task, pk=task_id)
    if not can_view_task(actor, task):
        raise Http404("找不到该任务，或您无权查看。")
    back = reverse("progress:task_detail", args=[task.pk])
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        if actor.department_id is None:
            return _refused(request, "只有牵头单位可以申请延期。")
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back + "#extension")
    try:
        request_extension(
            task_id=task.pk,
            user=request.user,
            requested_deadline=form.cleaned_data["requested_deadline"],
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as exc:
        if exc.code in (ErrorCode.PERMISSION_DENIED, ErrorCode.NOT_FOUND):
            return _error_response(request, exc)
        messages.error(request, exc.message)
        return redirect(back + "#extension")
    messages.success(request, "延期申请已提交，等待规划科审批。")
    return redirect(back)


@login_required
@require_POST
def extension_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    extension = (
        extension_requests_visible_to(ExtensionRequest.objects.filter(pk=request_id), user=request.user)
        .select_related("task")
        .first()
    )
    if extension is None or not can_view_task(actor, extension.task):
        raise Http404("找不到该延期申请，或您无权查看。")
    back = reverse("progress:task_detail", args=[extension.task_id])
    try:
        withdraw_extension(request_id=extension.pk, user=request.user, comment=request.POST.get("comment", ""))
    except ApplicationError as exc:
        if exc.code in (ErrorCode.PERMISSION_DENIED, ErrorCode.NOT_FOUND):
            return _error_response(request, exc)
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, "延期申请已撤回。")
    return redirect(back)


urlpatterns = [
    path("", home, name="home"),
    path("tasks/<int:task_id>/", task_detail, name="task_detail"),
    path("tasks/<int:task_id>/periods/<int:period_id>/report/", report_form, name="report_form"),
    path("periods/<int:period_id>/bulk-submit/", bulk_submit, name="bulk_submit"),
    path("tasks/<int:task_id>/extension/", extension_request, name="extension_request"),
    path("extensions/<int:request_id>/withdraw/", extension_withdraw, name="extension_withdraw"),
    path("reports/<int:report_id>/evidence/", evidence_upload, name="evidence_upload"),
    path("evidence/<int:evidence_id>/delete/", evidence_delete, name="evidence_delete"),
    path("evidence/<int:evidence_id>/", evidence_download, name="evidence_download"),
]
