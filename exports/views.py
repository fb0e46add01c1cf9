"""Download pages: the ledger (``exports:ledger``, filters as query parameters), the meeting pack
(``exports:meeting_pack?period=&sheets=``) and the page choosing its sheets
(``exports:meeting_pack_options?period=``). Views parse, call one service and stream the file.

A bad filter answers 400 with the Chinese message on a page; what the user may not see answers 404,
what the user may see but not export answers 403 (both with the message).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from exports import services
from exports.downloads import xlsx_response
from xingping_tracker.core.exceptions import ApplicationError


def _download(request: HttpRequest, build: Callable[[], tuple[IO[bytes], str]]) -> HttpResponse:
    try:
        handle, filename = build()
    except ApplicationError as exc:
        return render(request, "exports/error.html", {"message": exc.message}, status=exc.http_status)
    return xlsx_response(handle, filename)


@require_GET
@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    return _download(request, lambda: services.ledger_for_request(user=request.user, params=request.GET))


@require_GET
@login_required
def meeting_pack(request: HttpRequest) -> HttpResponse:
    return _download(request, lambda: services.meeting_pack_for_request(user=request.user, params=request.GET))


@require_GET
@login_required
def meeting_pack_options(request: HttpRequest) -> HttpResponse:
    from exports.meeting_pack import ATTENTION_LIMITS, SHEETS

    try:
        period = services.meeting_pack_options(user=request.user, params=request.GET)
    except ApplicationError as exc:
        return render(request, "exports/error.html", {"message": exc.message}, status=exc.http_status)
    context = {"period": period, "sheets": SHEETS, "limits": ATTENTION_LIMITS}
    return render(request, "exports/meeting_pack_options.html", context)


urlpatterns = [
    path("exports/ledger/", ledger, name="ledger"),
    path("exports/meeting-pack/", meeting_pack, name="meeting_pack"),
    path("exports/meeting-pack/options/", meeting_pack_options, name="meeting_pack_options"),
]
