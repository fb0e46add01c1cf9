"""Admin of the reminders (Chinese UI).

- 提醒规则 (per plan) and 单位提醒设置 are configuration, edited here with validation
  (:mod:`reminders.forms`); the DingTalk signing secret is never shown back.
- 提醒, 发送记录 and 站内通知 are written by the scan and the channels: read-only here. Failed
  deliveries are sent again with the action 「重新发送失败的记录」, through the same service as the
  send log's button (only the plan office may).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from access.actor import actor_for
from access.rules import can_retry_deliveries
from reminders.forms import ReminderPolicyForm, UnitReminderSettingsForm, mask_secret
from reminders.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    Reminder,
    ReminderPolicy,
    UnitNotice,
    UnitReminderSettings,
)
from reminders.pages import recipient_list, stage_label
from xingping_tracker.core.exceptions import ApplicationError


class ReadOnlyAdminMixin:
    """Viewable by whoever has the view permission; never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- configuration ----------------------------------------------------------------------------


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    form = ReminderPolicyForm
    list_display = [
        "plan", "enabled", "first_notice_days", "offsets", "escalate_after_working_days", "quiet_hours",
    ]
    list_filter = ["enabled"]
    list_select_related = ["plan"]
    fieldsets = [
        (None, {"fields": ["plan", "enabled"]}),
        ("报送提醒", {"fields": [
            "first_notice_days", "working_day_offsets", "remind_on_last_working_day", "remind_first_overdue_day",
        ]}),
        ("逾期上报与其他通知", {"fields": [
            "escalate_after_working_days", "meeting_notice_working_days", "milestone_notice_days",
        ]}),
        ("免打扰", {
            "fields": ["quiet_hours_start", "quiet_hours_end"],
            "description": "免打扰时段内生成的提醒，到时段结束后再发送；可跨午夜，如 20:00 至次日 08:30。",
        }),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: ReminderPolicy | None = None) -> list[str]:
        # A policy belongs to its plan for good.
        return ["plan"] if obj is not None else []

    @admin.display(description="再次提醒（截止前工作日）")
    def offsets(self, obj: ReminderPolicy) -> str:
        return "、".join(f"第{n}个" for n in obj.working_day_offsets or []) or "无"

    @admin.display(description="免打扰")
    def quiet_hours(self, obj: ReminderPolicy) -> str:
        start, end = obj.quiet_hours_start, obj.quiet_hours_end
        return f"{start:%H:%M}至{'次日' if start > end else ''}{end:%H:%M}"


@admin.register(UnitReminderSettings)
class UnitReminderSettingsAdmin(admin.ModelAdmin):
    form = UnitReminderSettingsForm
    list_display = ["department", "email_enabled", "inapp_enabled", "wecom", "dingtalk", "leaders"]
    list_filter = ["email_enabled", "inapp_enabled"]
    list_select_related = ["department"]
    search_fields = ["department__name"]
    ordering = ["department__sort_order", "department__name"]
    filter_horizontal = ["supervising_leaders"]
    fieldsets = [
        (None, {"fields": ["department"]}),
        ("提醒渠道", {"fields": ["email_enabled", "inapp_enabled"]}),
        ("企业微信群机器人", {"fields": ["wecom_webhook_url"]}),
        ("钉钉群机器人", {"fields": ["dingtalk_webhook_url", "dingtalk_secret", "clear_dingtalk_secret"]}),
        ("逾期上报", {"fields": ["supervising_leaders"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[UnitReminderSettings]:
        return super().get_queryset(request).annotate(leader_count=Count("supervising_leaders"))

    def get_fieldsets(self, request: HttpRequest, obj: UnitReminderSettings | None = None) -> list[Any]:
        if obj is not None and obj.dingtalk_secret:
            return self.fieldsets
        # Nothing to clear: the form has no such field.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "clear_dingtalk_secret"]})
            for name, options in self.fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: UnitReminderSettings | None = None) -> list[str]:
        return ["department"] if obj is not None else []

    @admin.display(description="企业微信", boolean=True)
    def wecom(self, obj: UnitReminderSettings) -> bool:
        return bool(obj.wecom_webhook_url)

    @admin.display(description="钉钉")
    def dingtalk(self, obj: UnitReminderSettings) -> str:
        if not obj.dingtalk_webhook_url:
            return "—"
        return f"已设置（加签 {mask_secret(obj.dingtalk_secret)}）" if obj.dingtalk_secret else "已设置（未加签）"

    @admin.display(description="分管领导", ordering="leader_count")
    def leaders(self, obj: UnitReminderSettings) -> str:
        return f"{obj.leader_count}人" if obj.leader_count else "未设置"


# --- what was decided and sent ----------------------------------------------------------------


class DeliveryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Delivery
    fields = ["channel", "status", "attempts", "recipients", "not_before", "sent_at", "last_error"]
    readonly_fields = fields
    extra = 0


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["decided_on", "title", "kind", "stage_display", "department", "period", "delivery_count"]
    list_filter = ["kind", "decided_on", "period", ("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["department", "period"]
    search_fields = ["title", "dedupe_key", "department__name"]
    date_hierarchy = "decided_on"
    fields = [
        "kind", "stage", "dedupe_key", "period", "department", "milestone", "decided_on", "title", "body", "link",
        "items", "created_at",
    ]
    readonly_fields = fields
    inlines = [DeliveryInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Reminder]:
        return super().get_queryset(request).annotate(delivery_count=Count("deliveries"))

    @admin.display(description="阶段", ordering="stage")
    def stage_display(self, obj: Reminder) -> str:
        return stage_label(obj.stage)

    @admin.display(description="发送渠道数", ordering="delivery_count")
    def delivery_count(self, obj: Reminder) -> int:
        return obj.delivery_count


@admin.action(description="重新发送失败的记录", permissions=["retry"])
def retry_failed(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
    from reminders.services.delivery import retry_delivery

    failed = list(queryset.filter(status=DeliveryStatus.FAILED).values_list("pk", flat=True))
    skipped = queryset.exclude(status=DeliveryStatus.FAILED).count()
    done = 0
    for delivery_id in failed:
        try:
            retry_delivery(delivery_id=delivery_id, user=request.user)
        except ApplicationError as exc:
            messages.error(request, f"发送记录 {delivery_id}：{exc.message}")
        else:
            done += 1
    if done:
        messages.success(request, f"已重新安排发送{done}条失败的记录。")
    if skipped:
        messages.warning(request, f"另有{skipped}条记录不是“发送失败”状态，未处理。")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at", "reminder_title", "unit", "stage_display", "channel", "recipient_summary", "status",
        "attempts", "sent_at", "error_summary",
    ]
    list_filter = [
        "status", "channel", "reminder__kind", "reminder__period",
        ("reminder__department", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["reminder", "reminder__department", "reminder__period"]
    search_fields = ["reminder__title", "recipients", "last_error"]
    date_hierarchy = "created_at"
    fields = [
        "reminder", "channel", "status", "attempts", "recipients", "not_before", "claimed_at", "sent_at",
        "last_error", "created_at", "updated_at",
    ]
    readonly_fields = fields
    actions = [retry_failed]

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return can_retry_deliveries(actor_for(request.user))

    @admin.display(description="提醒", ordering="reminder__title")
    def reminder_title(self, obj: Delivery) -> str:
        return obj.reminder.title

    @admin.display(description="单位", ordering="reminder__department__name")
    def unit(self, obj: Delivery) -> str:
        return obj.reminder.department.name if obj.reminder.department else "市领导"

    @admin.display(description="阶段", ordering="reminder__stage")
    def stage_display(self, obj: Delivery) -> str:
        return stage_label(obj.reminder.stage)

    @admin.display(description="接收人")
    def recipient_summary(self, obj: Delivery) -> str:
        names = recipient_list(obj.recipients)
        if len(names) > 3:
            return f"{'、'.join(names[:3])}等{len(names)}个"
        return "、".join(names) or "—"

    @admin.display(description="最近错误")
    def error_summary(self, obj: Delivery) -> str:
        text = obj.last_error
        return text if len(text) <= 80 else f"{text[:79]}…"


class ReadFilter(admin.SimpleListFilter):
    title = "是否已读"
    parameter_name = "read"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("no", "未读"), ("yes", "已读")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "user", "department", "kind", "title", "read_at"]
    list_filter = [ReadFilter, "kind", ("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "department"]
    search_fields = ["title", "user__username", "department__name"]
    date_hierarchy = "created_at"
    fields = ["user", "department", "kind", "reminder", "notice", "title", "body", "link", "created_at", "read_at"]
    readonly_fields = fields


@admin.register(UnitNotice)
class UnitNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What units were told about their work (written by the services; read-only here)."""

    list_display = ["created_at", "department", "kind", "title", "digest"]
    list_filter = ["kind", ("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["department", "digest"]
    search_fields = ["title", "department__name"]
    date_hierarchy = "created_at"
    fields = ["department", "kind", "period", "title", "body", "link", "created_at", "digest"]
    readonly_fields = fields
