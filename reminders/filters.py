"""The send log's filters (发送记录), shared by the page, the API and :mod:`reminders.pages`."""

from __future__ import annotations

import django_filters

from departments.models import Department
from progress.models import ReviewPeriod
from reminders.models import Channel, Delivery, DeliveryStatus, ReminderKind


class DeliveryFilterSet(django_filters.FilterSet):
    period = django_filters.ModelChoiceFilter(
        queryset=ReviewPeriod.objects.order_by("-starts_on").only("pk", "name"),
        field_name="reminder__period",
        label="填报期",
        empty_label="全部填报期",
        help_text="填报期 ID",
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=Department.objects.order_by("sort_order", "name").only("pk", "name"),
        field_name="reminder__department",
        label="单位",
        empty_label="全部单位",
        help_text="单位 ID",
    )
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label="渠道", empty_label="全部渠道")
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices, label="状态", empty_label="全部状态")
    kind = django_filters.ChoiceFilter(
        choices=ReminderKind.choices, field_name="reminder__kind", label="类型", empty_label="全部类型"
    )

    class Meta:
        model = Delivery
        fields: list[str] = []
