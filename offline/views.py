"""Pages of offline filling: download the unit's template, upload it back and see the result.

Views parse input, call one service and render; who may do what is decided by
:mod:`access` (:func:`access.rules.offline.check_can_use_templates`).
"""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from access.actor import actor_for
from access.rules import check_can_use_templates
from offline import safety
from offline.template import build_template, template_period
from offline.upload import UploadInvalid, apply_upload
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label="填写好的填报模板（.xlsx）", error_messages={"required": "请选择要上传的填报模板（.xlsx）。"})


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    if exc.code == ErrorCode.NOT_FOUND:
        raise Http404(exc.message)
    return render(request, "progress/unit_refused.html", {"message": exc.message}, status=exc.http_status)


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"template.xlsx\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    try:
        template = build_template(user=request.user, period_id=request.GET.get("period"))
    except ApplicationError as exc:
        return _refused(request, exc)
    return xlsx_response(template.filename, template.content)


def read_upload(uploaded) -> tuple[bytes, str]:
    """The uploaded file's bytes (after the size check, so an oversized file is never read whole) and name."""
    safety.check_file_size(uploaded.size)
    return uploaded.read(), uploaded.name or ""


@login_required
@require_http_methods(["GET", "POST"])
def template_upload(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    try:
        check_can_use_templates(actor)
        period = template_period(actor=actor, period_id=request.GET.get("period") or None)
    except ApplicationError as exc:
        if exc.code == ErrorCode.PERIOD_NOT_OPEN:
            period = None
        else:
            return _refused(request, exc)
    context = {"period": period, "max_mb": safety.max_bytes() / safety.MB, "max_rows": safety.max_rows()}
    if request.method == "GET":
        return render(request, "offline/upload.html", {**context, "form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "offline/upload.html", {**context, "form": form}, status=400)
    try:
        data, name = read_upload(form.cleaned_data["file"])
        result = apply_upload(data=data, filename=name, user=request.user)
    except UploadInvalid as exc:
        return render(request, "offline/upload.html", {**context, "form": UploadForm(), "error": exc.message,
                                                        "errors": exc.errors}, status=400)
    except ApplicationError as exc:
        if exc.code == ErrorCode.INVALID:
            return render(request, "offline/upload.html", {**context, "form": UploadForm(), "error": exc.message}, status=400)
        return _refused(request, exc)
    return render(request, "offline/upload.html", {**context, "form": UploadForm(), "result": result, "period": result.period})
