"""The plan office's import in the admin: upload → preview (what will change, warnings, unknown units) → confirm.

The preview runs the real import inside a transaction that is rolled back, so what it shows is exactly what
the confirmation will write. The decoded text waits in the session between the two steps (bounded by
PLAN_UPLOAD_MAX_BYTES); the confirmation parses it again, so nothing from the browser but the unit
decisions is trusted.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from departments.models import Department, DepartmentKind
from tasks.importer.decisions import TaskDecision, apply_decisions
from tasks.importer.parser import parse_plan_text
from tasks.importer.types import ParseResult, PlanParseError
from tasks.services.plan_documents import current_unit_directory, parse_plan_document
from tasks.services.plan_import import ImportReport, Resolution, import_plan

SESSION_KEY = "plan_import_draft"
ALLOWED_SUFFIXES = (".txt", ".docx")


class UploadForm(forms.Form):
    document = forms.FileField(
        label="方案文件",
        help_text=f"支持 .txt（UTF-8 或 GBK 编码）和 .docx。上限 {settings.PLAN_UPLOAD_MAX_BYTES // 1024 // 1024} MB。",
    )

    def clean_document(self):
        upload = self.cleaned_data["document"]
        name = (upload.name or "").lower()
        if not name.endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError("只能导入 .txt 或 .docx 文件。旧版 .doc 请先另存为 .docx。")
        if upload.size > settings.PLAN_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"文件过大（{upload.size / 1024 / 1024:.1f} MB），上限为 {settings.PLAN_UPLOAD_MAX_BYTES // 1024 // 1024} MB。"
            )
        return upload


UNKNOWN_CHOICES = [("keep", "暂不处理（保留原文写法）"), ("create", "新建为单位"), ("map", "作为已有单位的别名")]


class ResolutionForm(forms.Form):
    """One row per unknown unit name."""

    written = forms.CharField(widget=forms.HiddenInput)
    action = forms.ChoiceField(label="处理方式", choices=UNKNOWN_CHOICES, initial="keep")
    kind = forms.ChoiceField(label="新单位类别", choices=DepartmentKind.choices, initial=DepartmentKind.CITY_DEPARTMENT)
    department = forms.ModelChoiceField(label="对应的已有单位", queryset=Department.objects.none(), required=False)

    def __init__(self, *args: Any, departments: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.all()
        self.fields["department"].choices = [("", "—— 请选择 ——"), *departments]

    def clean(self):
        data = super().clean()
        if data.get("action") == "map" and not data.get("department"):
            self.add_error("department", "选择“作为已有单位的别名”时，请指定对应的已有单位。")
        return data

    def resolution(self) -> Resolution | None:
        action = self.cleaned_data["action"]
        if action == "create":
            return Resolution(action="create", kind=self.cleaned_data["kind"])
        if action == "map":
            return Resolution(action="map", department_id=self.cleaned_data["department"].pk)
        return None


ResolutionFormSet = forms.formset_factory(ResolutionForm, extra=0)


class DecisionForm(forms.Form):
    """One row per task the parser could not decide: its lead and supporting units, its deadline."""

    number = forms.IntegerField(widget=forms.HiddenInput)
    lead = forms.CharField(label="牵头单位", required=False, max_length=300)
    supporting = forms.CharField(label="配合单位", required=False, max_length=1000)
    deadline = forms.DateField(label="完成时限", required=False, help_text="如 2024-06-30")

    def decision(self) -> TaskDecision:
        data = self.cleaned_data
        return TaskDecision(
            number=data["number"], lead=data["lead"], supporting=data["supporting"], deadline=data["deadline"]
        )


DecisionFormSet = forms.formset_factory(DecisionForm, extra=0)


def _decision_formset(result: ParseResult, data: Any = None) -> Any:
    undecided = [t for t in result.tasks if t.undecided]
    initial = [
        {
            "number": t.number,
            "lead": "、".join(u.display for u in t.lead),
            "supporting": "、".join(u.display for u in t.supporting),
            "deadline": t.deadline,
        }
        for t in undecided
    ]
    formset = DecisionFormSet(data, initial=initial, prefix="decide")
    tasks = {t.number: t for t in undecided}
    for form in formset.forms:
        number = form.initial.get("number")
        form.task = tasks.get(number)
    return formset


class _Rollback(Exception):
    def __init__(self, report: ImportReport):
        self.report = report


def preview_import(*, text: str, result: ParseResult) -> ImportReport:
    """Run the import and roll it back: the report says exactly what confirming would change."""
    try:
        with transaction.atomic():
            raise _Rollback(import_plan(result=result, source_text=text))
    except _Rollback as done:
        return done.report


def import_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not model_admin.has_add_permission(request) or not model_admin.has_change_permission(request):
        raise PermissionDenied
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta, "title": "导入任务分工方案"}
    departments = list(Department.objects.filter(is_active=True).values_list("pk", "name"))

    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(model_admin, request, context, departments)

    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["document"]
        try:
            text, result = parse_plan_document(
                data=upload.read(), filename=upload.name, max_bytes=settings.PLAN_UPLOAD_MAX_BYTES
            )
        except PlanParseError as error:
            form.add_error("document", error.message)
        else:
            request.session[SESSION_KEY] = {"text": text, "name": upload.name, "sha": _sha(text)}
            formset = ResolutionFormSet(
                initial=[{"written": name} for name in result.unresolved_names],
                form_kwargs={"departments": departments},
                prefix="unit",
            )
            return _preview(request, context, text, result, formset, _decision_formset(result))
    return TemplateResponse(request, "admin/tasks/plan/import_upload.html", {**context, "form": form})


def _confirm(model_admin, request, context, departments) -> HttpResponse:
    draft = request.session.get(SESSION_KEY)
    if not draft or draft.get("sha") != request.POST.get("sha"):
        messages.error(request, "导入预览已失效（可能已在其他窗口导入或会话过期），请重新上传文件。")
        return HttpResponseRedirect(reverse("admin:tasks_plan_import"))
    text = draft["text"]
    formset = ResolutionFormSet(request.POST, form_kwargs={"departments": departments}, prefix="unit")
    directory = current_unit_directory()
    result = parse_plan_text(text, directory=directory)
    # A preview with no task to decide may post no decision rows at all.
    decisions = _decision_formset(result, request.POST if "decide-TOTAL_FORMS" in request.POST else None)
    if not formset.is_valid() or (decisions.is_bound and not decisions.is_valid()):
        return _preview(request, context, text, result, formset, decisions)
    if decisions.is_bound:
        apply_decisions(result, [form.decision() for form in decisions.forms if form.has_changed()], directory)
    resolutions = {
        form.cleaned_data["written"]: resolution
        for form in formset.forms
        if (resolution := form.resolution()) is not None
    }
    report = import_plan(result=result, source_text=text, resolutions=resolutions, user=request.user)
    del request.session[SESSION_KEY]
    messages.success(request, report.summary())
    for warning in report.warnings[:20]:
        messages.warning(request, warning)
    return HttpResponseRedirect(reverse("admin:tasks_plan_change", args=[report.plan.pk]))


def _preview(request, context, text, result, formset, decisions) -> HttpResponse:
    report = preview_import(text=text, result=result)
    return TemplateResponse(
        request,
        "admin/tasks/plan/import_preview.html",
        {
            **context,
            "title": "导入预览（尚未写入）",
            "result": result,
            "report": report,
            "formset": formset,
            "decisions": decisions,
            "sha": _sha(text),
            "file_name": request.session.get(SESSION_KEY, {}).get("name", ""),
        },
    )


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
