"""The plan office's drafting pages: upload a work report → candidates with suggested units, confidence and
similar past tasks → edit → accept into a new plan; the draft as .docx and .xlsx.

Only the plan office may use them (``access.rules.can_draft``); anyone else gets a Chinese refusal
(403). Views parse input and call one service or selector.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.actor import actor_for
from access.rules import can_draft
from drafting import selectors, services
from drafting.exports import draft_docx, draft_xlsx
from drafting.forms import DraftTaskFormSet, ReportUploadForm
from drafting.models import Draft, DraftStatus
from exports.downloads import XLSX_CONTENT_TYPE, file_response
from tasks.importer.decoding import decode_document
from xingping_tracker.core.exceptions import ApplicationError

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _refused(request: HttpRequest) -> HttpResponse:
    return render(request, "drafting/refused.html", {"message": "起草方案仅限规划科使用。"}, status=403)


def _draft(request: HttpRequest, draft_id: int) -> Draft:
    try:
        return selectors.draft_with_tasks(draft_id)
    except Draft.DoesNotExist as exc:
        raise Http404("没有这个草稿。") from exc


@login_required
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    if not can_draft(actor_for(request.user)):
        return _refused(request)
    form = ReportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["report"]
        try:
            text = decode_document(upload.read(), filename=upload.name)
            draft = services.create_draft(
                text=text,
                title=form.cleaned_data["title"],
                suggester=selectors.suggester(),
                source_name=upload.name,
                year=form.cleaned_data["year"],
                user=request.user,
            )
        except ApplicationError as error:
            form.add_error("report", error.message)
        else:
            messages.success(request, f"已拆出 {draft.tasks.count()} 条候选任务，请核对建议的责任单位。")
            return redirect("drafting:detail", draft_id=draft.pk)
    status = 400 if form.errors else 200
    return render(request, "drafting/home.html", {"form": form, "drafts": selectors.drafts()[:50]}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, draft_id: int) -> HttpResponse:
    if not can_draft(actor_for(request.user)):
        return _refused(request)
    draft = _draft(request, draft_id)
    tasks = list(draft.tasks.all())
    initial = [
        {"id": t.pk, "included": t.included, "text": t.text, "lead": t.lead, "supporting": t.supporting} for t in tasks
    ]
    formset = DraftTaskFormSet(request.POST or None, initial=initial, prefix="task")
    error = ""
    if request.method == "POST":
        if draft.status != DraftStatus.DRAFT:
            error = "该草稿已生成方案，不能再修改。"
        elif formset.is_valid():
            by_id = {t.pk: t for t in tasks}
            try:
                with transaction.atomic():
                    for form in formset.forms:
                        task = by_id.get(form.cleaned_data["id"])
                        if task is None or not form.has_changed():
                            continue
                        services.update_draft_task(
                            task=task,
                            text=form.cleaned_data["text"],
                            lead=form.cleaned_data["lead"],
                            supporting=form.cleaned_data["supporting"],
                            included=form.cleaned_data["included"],
                        )
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(request, "已保存。")
                return redirect("drafting:detail", draft_id=draft.pk)
        else:
            error = "提交的内容有误，请检查后重新保存。"
    rows = list(zip(formset.forms, tasks, strict=True))
    return render(
        request,
        "drafting/detail.html",
        {"draft": draft, "formset": formset, "rows": rows, "error": error, "included": sum(t.included for t in tasks)},
        status=400 if error else 200,
    )


@login_required
@require_POST
def accept(request: HttpRequest, draft_id: int) -> HttpResponse:
    if not can_draft(actor_for(request.user)):
        return _refused(request)
    draft = _draft(request, draft_id)
    try:
        plan = services.accept_draft(draft=draft, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已生成方案“{plan.title}”（{plan.tasks.count()} 项任务）。")
    return redirect("drafting:detail", draft_id=draft.pk)


def _file(content: bytes, filename: str, content_type: str) -> HttpResponse:
    return file_response(io.BytesIO(content), filename, content_type)


@login_required
@require_GET
def export_docx(request: HttpRequest, draft_id: int) -> HttpResponse:
    if not can_draft(actor_for(request.user)):
        return _refused(request)
    draft = _draft(request, draft_id)
    return _file(draft_docx(draft, list(draft.tasks.all())), f"{draft.title}.docx", DOCX_CONTENT_TYPE)


@login_required
@require_GET
def export_xlsx(request: HttpRequest, draft_id: int) -> HttpResponse:
    if not can_draft(actor_for(request.user)):
        return _refused(request)
    draft = _draft(request, draft_id)
    return _file(draft_xlsx(draft, list(draft.tasks.all())), f"{draft.title}台账.xlsx", XLSX_CONTENT_TYPE)


urlpatterns = [
    path("drafting/", home, name="home"),
    path("drafting/<int:draft_id>/", detail, name="detail"),
    path("drafting/<int:draft_id>/accept/", accept, name="accept"),
    path("drafting/<int:draft_id>/plan.docx", export_docx, name="export_docx"),
    path("drafting/<int:draft_id>/ledger.xlsx", export_xlsx, name="export_xlsx"),
]
