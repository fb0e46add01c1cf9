"""Small pages every signed-in user expects: the search (tasks by number, text or unit), the
password change (修改密码) and the print view of one task.

Permissions are asked of :mod:`access`: the search lists only the tasks the user may see, and the
print view answers 404 for a task the user may not see, as the task page does.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from access.actor import actor_for
from access.rules import can_view_task
from progress.selectors.portal import first_line, task_page, task_with_details
from progress.selectors.search import MAX_TERM_LENGTH, normalize_term, search_tasks
from tasks.selectors import section_heading_path

SEARCH_PAGE_SIZE = 20


# --- search ------------------------------------------------------------------------------------


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    term = normalize_term(request.GET.get("q"))
    page = None
    if term:
        page = Paginator(search_tasks(user=request.user, term=term), SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        for task in page.object_list:
            task.summary = first_line(task.text)
            task.lead_names = [row.department.name for row in task.primary_units if row.role == "lead"]
            task.supporting_names = [row.department.name for row in task.primary_units if row.role == "supporting"]
    return render(request, "progress/search.html", {"term": term, "page": page, "max_length": MAX_TERM_LENGTH})


# --- password change ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Django's PasswordChangeForm (old password, the new one twice, the configured validators).
    Saving the new password deletes the user's API tokens (``core.authentication``'s pre_save
    handler); the session is kept (its hash is updated), so the user stays signed in here."""
    form = PasswordChangeForm(user=request.user, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。此前获取的接口令牌已失效，如需使用接口请重新获取。")
        return redirect("progress:password_change")
    return render(request, "progress/password_change.html", {"form": form}, status=400 if form.errors else 200)


# --- the print view of one task ----------------------------------------------------------------


@login_required
@require_GET
def task_print(request: HttpRequest, task_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    task = task_with_details(task_id)
    if task is None or not can_view_task(actor, task):
        raise Http404("找不到该任务，或您无权查看。")
    page = task_page(task, actor=actor)
    latest = next((entry for entry in page.periods if entry.reports), None)
    context = {
        "task": task,
        "page": page,
        "section_path": section_heading_path(task.section),
        "latest": latest,
        "printed_at": timezone.localtime(),
    }
    return render(request, "progress/task_print.html", context)


urlpatterns = [
    path("search/", search, name="search"),
    path("account/password/", password_change, name="password_change"),
    path("tasks/<int:task_id>/print/", task_print, name="task_print"),
]
