"""Writes of a unit's reminder settings (单位提醒设置): its channels and its 分管领导.

Only the plan office changes them (:func:`access.rules.reminders.check_can_edit_unit_settings`). The DingTalk signing secret is kept when
``dingtalk_secret`` is None, cleared with "", replaced otherwise; it is never read back in full.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from access.actor import actor_for
from access.rules import check_can_edit_unit_settings
from departments.models import Department
from reminders.models import UnitReminderSettings
from reminders.validation import unit_channel_errors
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode


@transaction.atomic
def save_unit_reminder_settings(
    *,
    department_id: int,
    user: Any,
    email_enabled: bool,
    inapp_enabled: bool,
    wecom_webhook_url: str,
    dingtalk_webhook_url: str,
    dingtalk_secret: str | None,
    supervising_leader_ids: list[int],
) -> UnitReminderSettings:
    """Create or update the unit's settings; INVALID (errors per field) when they would not work."""
    check_can_edit_unit_settings(actor_for(user))
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该单位。")
    settings_row = (
        UnitReminderSettings.objects.select_for_update().filter(department=department).first()
        or UnitReminderSettings(department=department)
    )
    secret = settings_row.dingtalk_secret if dingtalk_secret is None else dingtalk_secret.strip()
    errors = unit_channel_errors(
        email_enabled=email_enabled,
        inapp_enabled=inapp_enabled,
        wecom_webhook_url=wecom_webhook_url.strip(),
        dingtalk_webhook_url=dingtalk_webhook_url.strip(),
        dingtalk_secret=secret,
    )
    leaders = list(get_user_model().objects.filter(pk__in=set(supervising_leader_ids), is_active=True))
    if len(leaders) != len(set(supervising_leader_ids)):
        errors.setdefault("supervising_leaders", []).append("所选分管领导中有不存在或已停用的账号，请重新选择。")
    if errors:
        raise ApplicationError(ErrorCode.INVALID, "提醒设置有误，请按提示修改。", extra={"errors": errors})
    settings_row.email_enabled = email_enabled
    settings_row.inapp_enabled = inapp_enabled
    settings_row.wecom_webhook_url = wecom_webhook_url.strip()
    settings_row.dingtalk_webhook_url = dingtalk_webhook_url.strip()
    settings_row.dingtalk_secret = secret
    try:
        settings_row.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            ErrorCode.INVALID, "提醒设置有误，请按提示修改。", extra={"errors": exc.message_dict}
        ) from None
    settings_row.save()
    settings_row.supervising_leaders.set(leaders)
    return settings_row
