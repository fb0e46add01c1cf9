"""The reminder pages: the notification centre (通知中心, every signed-in user), the send log
(发送记录) and the units' reminder settings (单位提醒设置): the plan office, and leadership read-only.

Views parse input, call one selector (:mod:`reminders.pages`) or service and render. Somebody else's
notification answers 404 (its existence is not revealed); the send log refuses unit staff and users
without a role with 403; a refused write comes back as a message with the service's Chinese text.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.actor import actor_for
from access.rules import (
    can_edit_unit_settings,
    can_retry_deliveries,
    check_can_edit_unit_settings,
    check_can_retry_deliveries,
)
from departments.models import Department
from reminders import pages
from reminders.forms import UnitChannelsForm
from reminders.models import DeliveryStatus, UnitReminderSettings
from reminders.services.notifications import mark_all_notifications_read, mark_notification_read
from reminders.services.unit_settings import save_unit_reminder_settings
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

NOTIFICATION_PAGE_SIZE = 20
DELIVERY_PAGE_SIZE = 100


def _local(request: HttpRequest, target: str) -> str:
    """``target`` when it is an address on this site, else ""."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    if exc.code == ErrorCode.NOT_FOUND:
        raise Http404(exc.message)
    return render(request, "reminders/refused.html", {"message": exc.message}, status=exc.http_status)


# --- the notification centre ------------------------------------------------------------------


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(pages.notifications_for(user=request.user), NOTIFICATION_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "reminders/notification_list.html", {"page": page})


@require_POST
@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go to the page it points to (back to the list when it has none)."""
    try:
        notification = mark_notification_read(notification_id=notification_id, user=request.user)
    except ApplicationError as exc:
        return _refused(request, exc)
    target = _local(request, notification.link)
    if target:
        return redirect(target)
    return redirect(f"{reverse('reminders:notification_list')}#n{notification.pk}")


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = mark_all_notifications_read(user=request.user)
    if count:
        messages.success(request, f"已将{count}条通知标为已读。")
    else:
        messages.info(request, "没有未读通知。")
    return redirect("reminders:notification_list")


# --- the send log -----------------------------------------------------------------------------


@require_GET
@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    try:
        log = pages.delivery_log(filters=request.GET, actor=actor)
    except ApplicationError as exc:
        return _refused(request, exc)
    paginator = Paginator(log.deliveries, DELIVERY_PAGE_SIZE)
    paginator.count = log.matching  # known from the counts per status: saves the COUNT query
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "reminders/delivery_list.html",
        {
            "log": log,
            "form": log.filterset.form,
            "page": page,
            "can_retry": can_retry_deliveries(actor),
            "failed": DeliveryStatus.FAILED,
            "here": request.get_full_path(),
        },
    )


@require_POST
@login_required
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    try:
        check_can_retry_deliveries(actor_for(request.user))
        from reminders.services.delivery import retry_delivery

        retry_delivery(delivery_id=delivery_id, user=request.user)
    except ApplicationError as exc:
        if exc.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            return _refused(request, exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, "已重新安排发送；稍后刷新本页查看结果。")
    return redirect(_local(request, request.POST.get("next", "")) or reverse("reminders:delivery_list"))



# --- units' reminder settings -----------------------------------------------------------------


@require_GET
@login_required
def unit_settings_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    try:
        units = pages.unit_channels(actor=actor)
    except ApplicationError as exc:
        return _refused(request, exc)
    return render(request, "reminders/unit_settings_list.html", {"units": units, "can_edit": can_edit_unit_settings(actor)})


@require_http_methods(["GET", "POST"])
@login_required
def unit_settings_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    try:
        check_can_edit_unit_settings(actor_for(request.user))
    except ApplicationError as exc:
        return _refused(request, exc)
    department = Department.objects.filter(pk=department_id).only("pk", "name").first()
    if department is None:
        raise Http404("找不到该单位。")
    instance = UnitReminderSettings.objects.filter(department=department).first() or UnitReminderSettings(
        department=department
    )
    form = UnitChannelsForm(request.POST or None, instance=instance, leaders=pages.leadership_users())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            save_unit_reminder_settings(
                department_id=department.pk,
                user=request.user,
                email_enabled=data["email_enabled"],
                inapp_enabled=data["inapp_enabled"],
                wecom_webhook_url=data["wecom_webhook_url"] or "",
                dingtalk_webhook_url=data["dingtalk_webhook_url"] or "",
                dingtalk_secret=data["dingtalk_secret"],
                supervising_leader_ids=[user.pk for user in data["supervising_leaders"]],
            )
        except ApplicationError as exc:
            if exc.code != ErrorCode.INVALID:
                return _refused(request, exc)
            for field, errors in exc.extra.get("errors", {}).items():
                form.add_error(None if field == "__all__" or field not in form.fields else field, errors)
        else:
            messages.success(request, f"已保存{department.name}的提醒设置。")
            return redirect("reminders:unit_settings_list")
    return render(request, "reminders/unit_settings_form.html", {"department": department, "form": form})
