"""API serializers of the notification centre and the send log (read only: the services write)."""

from __future__ import annotations

from rest_framework import serializers

from reminders.models import Channel, Delivery, DeliveryStatus, Notification, ReminderKind
from reminders.pages import recipient_list, stage_label


def _codes(choices: list[tuple[str, str]]) -> str:
    return "、".join(f"{value}（{label}）" for value, label in choices)


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField(help_text="是否已读")

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "is_read", "reminder"]
        extra_kwargs = {
            "body": {"help_text": "正文：需办理事项的汇总清单，每行一项"},
            "link": {"help_text": "站内相对地址，如 /?period=3"},
            "reminder": {"help_text": "所属提醒 ID（报告退回、审核通过等单位动态的通知为空）"},
            "kind": {"help_text": "类型：reminder 提醒，report_returned 报告退回，report_accepted 报告审核通过，"
                     "extension_decided 延期审批结果，period_opened 填报期开放，period_closed 填报期关闭"},
        }

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="本次标为已读的通知数")


class _NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DeliveryReminderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    # Plain strings with their codes listed: the enums stay off the shared schema components.
    kind = serializers.CharField(help_text=f"提醒类型：{_codes(ReminderKind.choices)}")
    kind_display = serializers.CharField(source="get_kind_display")
    stage = serializers.CharField(help_text="阶段代码，如 wd_before_7（截止前第7个工作日）")
    stage_display = serializers.SerializerMethodField(help_text="阶段（中文）")
    decided_on = serializers.DateField()
    period = _NamedSerializer(allow_null=True, help_text="填报期")
    department = _NamedSerializer(allow_null=True, help_text="单位；市领导的会前通知为 null")

    def get_stage_display(self, obj) -> str:
        return stage_label(obj.stage)


class DeliverySerializer(serializers.ModelSerializer):
    reminder = DeliveryReminderSerializer(read_only=True)
    channel = serializers.CharField(read_only=True, help_text=f"渠道：{_codes(Channel.choices)}")
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    status = serializers.CharField(read_only=True, help_text=f"状态：{_codes(DeliveryStatus.choices)}")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    recipients = serializers.SerializerMethodField(help_text="接收人：邮件地址、用户名或机器人名称")

    class Meta:
        model = Delivery
        fields = [
            "id", "reminder", "channel", "channel_display", "recipients", "status", "status_display", "attempts",
            "last_error", "not_before", "created_at", "sent_at",
        ]
        read_only_fields = fields

    def get_recipients(self, obj: Delivery) -> list[str]:
        return recipient_list(obj.recipients)
