"""The reminders API: the user's own notifications (list, mark read, mark all read) and the send log
(the plan office and leadership; the plan office sends a failed delivery again). Views parse, call one
selector (:mod:`reminders.pages`) or service, and render."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from access.actor import actor_for
from access.rules import check_can_retry_deliveries
from reminders import pages
from reminders.api import serializers as s
from reminders.filters import DeliveryFilterSet
from reminders.models import Delivery, Notification
from reminders.services.notifications import mark_all_notifications_read, mark_notification_read
from xingping_tracker.core.api_errors import ERRORS, ErrorSerializer
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode
from xingping_tracker.core.filters import FilterBackend

TAG = "催办提醒"

NOTIFICATION_EXAMPLE = {
    "id": 31,
    "title": "市工信局：2024年下半年还有2项任务未报送",
    "body": "报送截止：2025年1月10日\n1. 任务2 数字经济核心产业增加值占GDP比重达到5%。 · 草稿\n2. 任务5 工业技改投资 · 未填报",
    "link": "/?period=2",
    "created_at": "2024-12-30T09:00:02+08:00",
    "read_at": None,
    "is_read": False,
    "reminder": 12,
}
DELIVERY_EXAMPLE = {
    "id": 88,
    "reminder": {
        "id": 12,
        "title": "市工信局：2024年下半年还有2项任务未报送",
        "kind": "report_due",
        "kind_display": "报送提醒",
        "stage": "wd_before_7",
        "stage_display": "截止前第7个工作日",
        "decided_on": "2024-12-30",
        "period": {"id": 2, "name": "2024年下半年"},
        "department": {"id": 2, "name": "市工信局"},
    },
    "channel": "wecom",
    "channel_display": "企业微信群机器人",
    "recipients": ["市工信局工作群机器人"],
    "status": "failed",
    "status_display": "发送失败",
    "attempts": 5,
    "last_error": "企业微信机器人返回错误：errcode 93000（机器人地址无效）",
    "not_before": "2024-12-30T09:00:02+08:00",
    "created_at": "2024-12-30T09:00:02+08:00",
    "sent_at": None,
}


def _pk(value: str, what: str) -> int:
    if not str(value).isdecimal():
        raise ApplicationError(ErrorCode.NOT_FOUND, f"找不到该{what}，或您无权查看。")
    return int(value)


@extend_schema_view(
    list=extend_schema(
        summary="我的通知",
        description="当前用户自己的站内通知（通知中心），最新的在前；只能看到发给自己的通知。",
        tags=[TAG],
        examples=[OpenApiExample("通知", value=NOTIFICATION_EXAMPLE, response_only=True)],
        responses={200: s.NotificationSerializer(many=True), 401: ERRORS[401]},
    ),
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.NotificationSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Notification]:
        return pages.notifications_for(user=self.request.user)

    @extend_schema(
        summary="标为已读",
        description="把自己的一条通知标为已读（已读的保持首次阅读时间）；他人的通知返回 404。",
        tags=[TAG],
        request=None,
        responses={200: s.NotificationSerializer, 401: ERRORS[401], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        notification = mark_notification_read(notification_id=_pk(pk, "通知"), user=request.user)
        return Response(s.NotificationSerializer(notification).data)

    @extend_schema(
        summary="全部标为已读",
        description="把自己的全部未读通知标为已读，返回本次标记的条数。",
        tags=[TAG],
        request=None,
        responses={200: s.ReadAllSerializer, 401: ERRORS[401]},
    )
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": mark_all_notifications_read(user=request.user)})


@extend_schema_view(
    list=extend_schema(
        summary="提醒发送记录",
        description=(
            "催办提醒发给了谁、何时、通过哪个渠道、是否成功（规划科与市领导可查看，单位人员 403）。"
            "可按填报期、单位、渠道、状态、类型筛选，最新的在前。"
        ),
        tags=[TAG],
        examples=[OpenApiExample("发送失败的记录", value=DELIVERY_EXAMPLE, response_only=True)],
        responses={200: s.DeliverySerializer(many=True), 400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403]},
    ),
)
class ReminderDeliveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.DeliverySerializer
    filter_backends = [FilterBackend]  # documents the filters; the selector applies them
    filterset_class = DeliveryFilterSet
    queryset = Delivery.objects.none()

    def list(self, request: Request) -> Response:
        queryset = pages.deliveries_visible_to(filters=request.query_params, actor=actor_for(request.user))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.DeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="重新发送",
        description="规划科把一条发送失败的记录重新安排发送（市领导与单位人员 403；未失败的记录不能重新发送）。",
        tags=[TAG],
        request=None,
        responses={
            200: s.DeliverySerializer,
            **ERRORS,
            409: ErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        delivery_id = _pk(pk, "发送记录")
        check_can_retry_deliveries(actor_for(request.user))
        from reminders.services.delivery import retry_delivery

        retry_delivery(delivery_id=delivery_id, user=request.user)
        delivery = Delivery.objects.select_related("reminder", "reminder__period", "reminder__department").get(
            pk=delivery_id
        )
        return Response(s.DeliverySerializer(delivery).data)
