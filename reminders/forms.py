"""Forms of the reminder settings (used by the admin): a plan's reminder policy and a unit's channels.

- **Policy**: the repeat reminders are working days before the due date, typed as "7, 3" (positive whole
  numbers, largest first, at most 60); quiet hours must be a real window that leaves the working day
  (10:00–16:00) free, or every reminder would wait for the evening.
- **Unit channels**: at least one channel stays on; robot addresses pass the channels' webhook check
  (allowed hosts, https); the DingTalk signing secret is never shown back: the form shows it masked,
  keeps it when left empty, and clears it only when asked.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q

from reminders.models import ReminderPolicy, UnitReminderSettings
from reminders.validation import unit_channel_errors

MAX_OFFSET = 60
# The core of the working day: quiet hours may not reach into it.
WORKDAY_CORE = (dt.time(10, 0), dt.time(16, 0))


# --- the policy -------------------------------------------------------------------------------


def parse_offsets(value: Any) -> list[int]:
    """``"7, 3"``, ``"7，3"``, ``"7、3"``, ``"7 3"`` or ``"[7, 3]"`` → ``[7, 3]``; raises ValidationError
    (Chinese) unless they are whole numbers from 1 to 60, largest first, each once."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        items: list[Any] = list(value)
    else:
        text = str(value).strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except ValueError:
                raise ValidationError("请填写工作日数，用逗号分隔，如：7, 3。", code="invalid") from None
            items = loaded if isinstance(loaded, list) else [loaded]
        else:
            items = [part for part in re.split(r"[\s,，、;；]+", text) if part]
    offsets: list[int] = []
    for item in items:
        if isinstance(item, bool) or not re.fullmatch(r"\d+", str(item).strip()):
            raise ValidationError(
                "“%(item)s”不是正整数：请填写工作日数，用逗号分隔，如：7, 3。", code="invalid", params={"item": item}
            )
        number = int(str(item).strip())
        if not 1 <= number <= MAX_OFFSET:
            raise ValidationError(
                "工作日数应在 1 到 %(max)s 之间（“%(item)s”不在此范围）。",
                code="out_of_range",
                params={"max": MAX_OFFSET, "item": number},
            )
        offsets.append(number)
    if any(later >= earlier for earlier, later in zip(offsets, offsets[1:], strict=False)):
        raise ValidationError(
            "请从大到小填写且不要重复，如：7, 3（先提前 7 个工作日，再提前 3 个工作日）。", code="order"
        )
    return offsets


class OffsetsField(forms.CharField):
    """The repeat reminders as text ("7, 3"); cleaned to a list of ints."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                return value
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        return parse_offsets(super().to_python(value))

    def validate(self, value: Any) -> None:
        # An empty list is allowed (no repeat reminders); CharField would call it "required".
        return None

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return list(initial or []) != parse_offsets(data)
        except ValidationError:
            return True


def quiet_hours_error(start: dt.time, end: dt.time) -> str | None:
    """Why these quiet hours do not work (Chinese), or None."""
    if start == end:
        return "免打扰开始和结束时间相同，无法确定免打扰时段；如20:00至次日08:30，请分别填写 20:00 和 08:30。"
    core_start, core_end = WORKDAY_CORE
    wraps = start > end
    reaches_core = (start < core_end or end > core_start) if wraps else (start < core_end and end > core_start)
    if reaches_core:
        return (
            f"免打扰时段（{start:%H:%M}至{'次日' if wraps else ''}{end:%H:%M}）占用了工作时间"
            f"（{core_start:%H:%M}–{core_end:%H:%M}），提醒会拖到下班后才发出；请检查开始和结束是否填反。"
        )
    return None


class ReminderPolicyForm(forms.ModelForm):
    working_day_offsets = OffsetsField(
        label="再次提醒：报送截止日前第几个工作日",
        required=False,
        help_text="用逗号分隔、从大到小，如：7, 3 表示截止日前第 7 个和第 3 个工作日各提醒一次；留空则不再次提醒。",
    )

    class Meta:
        model = ReminderPolicy
        fields = [
            "plan", "enabled", "first_notice_days", "working_day_offsets", "remind_on_last_working_day",
            "remind_first_overdue_day", "escalate_after_working_days", "meeting_notice_working_days",
            "milestone_notice_days", "quiet_hours_start", "quiet_hours_end",
        ]

    def clean_first_notice_days(self) -> int:
        days = self.cleaned_data["first_notice_days"]
        if days is not None and not 1 <= days <= MAX_OFFSET:
            raise ValidationError(f"首次提醒应在报送截止日前 1 到 {MAX_OFFSET} 天。")
        return days

    def clean_escalate_after_working_days(self) -> int:
        days = self.cleaned_data["escalate_after_working_days"]
        if days is not None and not 1 <= days <= MAX_OFFSET:
            raise ValidationError(f"逾期上报应在逾期 1 到 {MAX_OFFSET} 个工作日后。")
        return days

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("quiet_hours_start"), data.get("quiet_hours_end")
        if start is not None and end is not None:
            error = quiet_hours_error(start, end)
            if error:
                self.add_error("quiet_hours_end", error)
        return data


# --- a unit's channels ------------------------------------------------------------------------


def mask_secret(secret: str) -> str:
    """``SEC0123456789abcdef`` → ``SEC0…cdef``: enough to recognise, never enough to use."""
    if not secret:
        return ""
    if len(secret) <= 8:
        return "…" * 3
    return f"{secret[:4]}…{secret[-4:]}"


class UnitReminderSettingsForm(forms.ModelForm):
    wecom_webhook_url = forms.URLField(
        label="企业微信群机器人地址",
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text="群机器人的 Webhook 地址，如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…；留空则不用。",
    )
    dingtalk_webhook_url = forms.URLField(
        label="钉钉群机器人地址",
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text="群机器人的 Webhook 地址，如 https://oapi.dingtalk.com/robot/send?access_token=…；留空则不用。",
    )
    dingtalk_secret = forms.CharField(
        label="钉钉加签密钥",
        required=False,
        max_length=100,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="钉钉机器人“加签”安全设置中的密钥（以 SEC 开头）。",
    )
    clear_dingtalk_secret = forms.BooleanField(label="清除加签密钥", required=False)

    class Meta:
        model = UnitReminderSettings
        fields = [
            "department", "email_enabled", "inapp_enabled", "wecom_webhook_url", "dingtalk_webhook_url",
            "dingtalk_secret", "supervising_leaders",
        ]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        stored = self.instance.dingtalk_secret if self.instance.pk else ""
        secret = self.fields["dingtalk_secret"]
        if stored:
            secret.help_text = f"已设置（{mask_secret(stored)}）。留空则保持不变；要更换请填写新密钥。"
        else:
            self.fields.pop("clear_dingtalk_secret")
        if "supervising_leaders" in self.fields:
            self.fields["supervising_leaders"].queryset = (
                get_user_model().objects.filter(is_active=True).order_by("last_name", "first_name", "username")
            )
            self.fields["supervising_leaders"].help_text = "逾期上报时与规划科一同收到通知的分管领导。"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        stored = self.instance.dingtalk_secret if self.instance.pk else ""
        # A new secret typed in wins; left empty, the stored one stays unless clearing was asked for.
        secret = data.get("dingtalk_secret") or ("" if data.get("clear_dingtalk_secret") else stored)
        data["dingtalk_secret"] = secret
        bad_urls = {name for name in ("wecom_webhook_url", "dingtalk_webhook_url") if name in self.errors}
        errors = unit_channel_errors(
            email_enabled=bool(data.get("email_enabled")),
            inapp_enabled=bool(data.get("inapp_enabled")),
            wecom_webhook_url=data.get("wecom_webhook_url") or "",
            dingtalk_webhook_url=data.get("dingtalk_webhook_url") or "",
            dingtalk_secret=secret,
        )
        for field, messages in errors.items():
            if field in bad_urls:
                continue  # already told why the address is not valid
            if field == "__all__":
                if not bad_urls:  # a mistyped address still counts as a channel the person wants
                    self.add_error(None, messages)
            else:
                self.add_error(field, messages)
        return data


class UnitChannelsForm(UnitReminderSettingsForm):
    """The settings page's form: the unit is the page's, and the 分管领导 are chosen among leadership."""

    class Meta(UnitReminderSettingsForm.Meta):
        fields = [
            "email_enabled", "inapp_enabled", "wecom_webhook_url", "dingtalk_webhook_url", "dingtalk_secret",
            "supervising_leaders",
        ]
        widgets = {"supervising_leaders": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, leaders: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["supervising_leaders"]
        offered = Q(pk__in=leaders.values("pk"))
        if self.instance.pk:
            offered |= Q(pk__in=self.instance.supervising_leaders.values("pk"))  # kept even if no longer leadership
        field.queryset = get_user_model().objects.filter(offered).order_by("last_name", "first_name", "username")
        field.label_from_instance = lambda user: user.get_full_name() or user.get_username()
        field.help_text = "逾期上报时与规划科一同收到通知。这里列出“市领导”组的账号。"
