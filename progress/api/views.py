"""The progress API: review periods, reports (with If-Match versions), contributions, evidence,
extension requests and task closing. Views parse, call one service or selector, and render."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from access.actor import actor_for
from access.querysets import extension_requests_visible_to, tasks_visible_to
from access.rules import check_can_edit_report, check_can_view_evidence, check_can_view_task
from progress.api import serializers as s
from progress.filters import PeriodFilterSet, ReportFilterSet
from progress.models import Evidence, ExtensionRequest, ProgressReport, ReviewPeriod, TaskProgress
from progress.selectors.reports import (
    report_contributions,
    report_detail,
    report_ids_with_count,
    report_list,
    reports_by_ids,
    visible_reports_are_filtered,
)
from progress.services import evidence as evidence_services
from progress.services import periods as period_services
from progress.services import reports as report_services
from progress.services import task_review
from tasks.models import Task
from xingping_tracker.core.api_errors import ERRORS, TRANSITION_ERRORS, ErrorSerializer
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode
from xingping_tracker.core.filters import FilterBackend

TAG = "进展填报"


# --- helpers -----------------------------------------------------------------------------------


def validated(serializer: serializers.Serializer) -> serializers.Serializer:
    """The serializer once valid; otherwise a 400 with the per-field (Chinese) errors."""
    if not serializer.is_valid():
        raise ApplicationError(ErrorCode.INVALID, "提交的内容有误，请按提示修改。", extra={"errors": serializer.errors})
    return serializer


def if_match_version(request: Request) -> int | None:
    """The report version named by ``If-Match: "<version>"`` (None when the header is absent)."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not value.isdecimal():
        raise ApplicationError(
            ErrorCode.INVALID,
            'If-Match 请求头应为报告的版本号，如 "3"（取自报告的 ETag 响应头或 version 字段）。',
        )
    return int(value)


def etag(report: ProgressReport) -> str:
    return f'"{report.version}"'


def report_response(report_id: int, request: Request, *, status_code: int = status.HTTP_200_OK) -> Response:
    report = report_detail(report_id=report_id, user=request.user)
    data = s.ProgressReportSerializer(report, context={"request": request}).data
    return Response(data, status=status_code, headers={"ETag": etag(report)})


@contextlib.contextmanager
def current_on_conflict(report_id: int, request: Request) -> Iterator[None]:
    """A version conflict (412) also carries the report as it is now, so the client can merge."""
    try:
        yield
    except ApplicationError as exc:
        if exc.code == ErrorCode.VERSION_CONFLICT:
            current = report_detail(report_id=report_id, user=request.user)
            exc.extra["current"] = s.ProgressReportSerializer(current, context={"request": request}).data
        raise


def _not_found(what: str) -> ApplicationError:
    return ApplicationError(ErrorCode.NOT_FOUND, f"找不到该{what}，或您无权查看。")


# --- schema pieces -----------------------------------------------------------------------------


class VersionConflictSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="version_conflict")
    detail = serializers.CharField(help_text="谁在何时修改了报告，以及如何处理")
    current_version = serializers.IntegerField(help_text="报告当前版本")
    your_version = serializers.IntegerField(allow_null=True, help_text="请求中的版本")
    current = s.ProgressReportSerializer(help_text="报告的当前内容")


IF_MATCH_REQUIRED = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='报告的版本号，如 "3"（取自 ETag 响应头或 version 字段）；与当前版本不符时返回 412',
)
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='可选：报告的版本号，如 "4"；给出且与当前版本不符时返回 412',
)
ETAG_HEADER = OpenApiParameter(
    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 201], description='报告的版本号，如 "3"'
)

REPORT_EXAMPLE = {
    "id": 12,
    "task": {"id": 2, "number": 2, "text": "数字经济核心产业增加值占GDP比重达到5%。", "binding": True, "deadline": "2025-12-31"},
    "department": {"id": 2, "name": "市工信局", "kind": "city_department", "kind_display": "市政府工作部门"},
    "period": {"id": 2, "name": "2024年下半年", "status": "open", "report_due_on": "2025-01-10"},
    "role": "lead",
    "role_display": "牵头",
    "status": "draft",
    "status_display": "草稿",
    "progress_status": "on_track",
    "progress_status_display": "正常推进",
    "percent": 60,
    "progress_text": "全年数字经济核心产业增加值预计达到4.2%。",
    "problems_text": "龙头企业数量偏少。",
    "next_steps_text": "加快招引两家数字经济企业。",
    "actuals": [
        {
            "target": 7,
            "indicator": "数字经济核心产业增加值占GDP比重",
            "target_unit": "%",
            "state": "reported",
            "state_display": "已填报",
            "value": "4.2000",
            "data_date": "2024-12-31",
            "note": "",
        }
    ],
    "evidence": [],
    "version": 3,
    "overdue": False,
    "prefilled_from": 5,
    "submitted_at": None,
    "submitted_by": None,
    "reviewed_at": None,
    "reviewed_by": None,
    "review_comment": "",
    "created_at": "2024-12-20T09:30:00+08:00",
    "updated_at": "2024-12-21T15:02:11+08:00",
    "updated_by": "gongxin_clerk",
}
UPDATE_EXAMPLE = {
    "progress_status": "on_track",
    "percent": 60,
    "progress_text": "全年数字经济核心产业增加值预计达到4.2%。",
    "problems_text": "龙头企业数量偏少。",
    "next_steps_text": "加快招引两家数字经济企业。",
    "actuals": [{"target": 7, "state": "reported", "value": "4.2", "data_date": "2024-12-31", "note": ""}],
}
CONFLICT_EXAMPLE = {
    "code": "version_conflict",
    "detail": "该报告已被gongxin_head于2024-12-21 15:02修改（当前为第4版，您打开的是第3版），您的修改没有保存。"
    "请重新打开报告，在最新内容上修改。",
    "current_version": 4,
    "your_version": 3,
    "current": {**REPORT_EXAMPLE, "version": 4},
}


# --- periods -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="填报期列表", description="各方案的填报期（半年一期等），可按方案、状态筛选。", tags=[TAG]),
    retrieve=extend_schema(summary="填报期详情", tags=[TAG], responses={200: s.ReviewPeriodSerializer, **ERRORS}),
)
class ReviewPeriodViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ReviewPeriodSerializer
    filter_backends = [FilterBackend]
    filterset_class = PeriodFilterSet
    queryset = ReviewPeriod.objects.order_by("plan_id", "starts_on")

    def get_object(self) -> ReviewPeriod:
        period = ReviewPeriod.objects.filter(pk=self.kwargs["pk"]).first() if str(self.kwargs["pk"]).isdecimal() else None
        if period is None:
            raise _not_found("填报期")
        return period

    @extend_schema(
        summary="开放填报期",
        description="规划科开放未开放的填报期，或重新开放已关闭的填报期以便补报。",
        tags=[TAG],
        request=None,
        responses={200: s.ReviewPeriodSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str) -> Response:
        period = period_services.open_period(period=self.get_object().pk, user=request.user)
        return Response(s.ReviewPeriodSerializer(period).data)

    @extend_schema(
        summary="关闭填报期",
        description="规划科关闭填报期：关闭后不能再修改或报送，直至重新开放。",
        tags=[TAG],
        request=None,
        responses={200: s.ReviewPeriodSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        period = period_services.close_period(period=self.get_object().pk, user=request.user)
        return Response(s.ReviewPeriodSerializer(period).data)


# --- reports -----------------------------------------------------------------------------------


MAX_SQL_OFFSET = 2**63 - 1  # a signed 64-bit integer: PostgreSQL's bigint, SQLite's integer


class CountedWithThePagePaginator(Paginator):
    """Django's paginator over reports whose count costs as much as their list (a unit's visible
    reports): the page's ids and the total come from one query
    (:func:`progress.selectors.reports.report_ids_with_count`); the page holds ids."""

    def page(self, number: Any) -> Page:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if (number - 1) * self.per_page > MAX_SQL_OFFSET:  # no database takes the offset: past the last page
            raise EmptyPage(self.error_messages["no_results"])
        ids, total = report_ids_with_count(self.object_list, offset=(number - 1) * self.per_page, limit=self.per_page)
        if total is None and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        self.__dict__["count"] = total or 0  # ``count`` is a cached_property: known now, not counted again
        return self._get_page(ids, number, self)


@extend_schema_view(
    list=extend_schema(
        summary="进展报告列表",
        description=(
            "当前用户可见的进展报告：规划科与市领导可见全部；单位人员可见本单位的全部报告，"
            "以及本单位牵头或配合任务上其他单位已报送的报告（草稿只有本单位可见）。"
            "可按单位、身份、填报期、审核状态、推进状态、逾期、约束性、任务、方案筛选。"
            "按报告 ID 升序排列（新建的报告排在最后，翻页时已读的页不会变化）。"
        ),
        tags=[TAG],
        examples=[OpenApiExample("报告", value=REPORT_EXAMPLE, response_only=True)],
        responses={200: s.ProgressReportSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
    ),
    retrieve=extend_schema(
        summary="进展报告详情",
        description="报告全文、目标实际值与佐证材料；ETag 响应头为报告版本号，修改时放入 If-Match。",
        tags=[TAG],
        parameters=[ETAG_HEADER],
        examples=[OpenApiExample("报告", value=REPORT_EXAMPLE, response_only=True)],
        responses={200: s.ProgressReportSerializer, **ERRORS},
    ),
)
class ProgressReportViewSet(viewsets.GenericViewSet):
    serializer_class = s.ProgressReportSerializer
    filter_backends = [FilterBackend]  # documents the filters; report_list applies them
    filterset_class = ReportFilterSet
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    queryset = ProgressReport.objects.none()

    def _report(self) -> ProgressReport:
        pk = str(self.kwargs["pk"])
        if not pk.isdecimal():
            raise _not_found("报告")
        return report_detail(report_id=int(pk), user=self.request.user)

    def list(self, request: Request) -> Response:
        # Page the ids (a walk of the primary key), then load only that page's rows with their details.
        visible = report_list(filters=request.query_params, user=request.user)
        if visible_reports_are_filtered(request.user):
            self.paginator.django_paginator_class = CountedWithThePagePaginator
            ids = self.paginate_queryset(visible)
        else:
            ids = self.paginate_queryset(visible.values_list("pk", flat=True))
        page = reports_by_ids(ids)
        return self.get_paginated_response(s.ProgressReportSerializer(page, many=True, context={"request": request}).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        report = self._report()
        return Response(s.ProgressReportSerializer(report, context={"request": request}).data, headers={"ETag": etag(report)})

    @extend_schema(
        summary="开始填报",
        description=(
            "为本单位开始某任务在某填报期的报告（牵头单位为报告，配合单位为配合情况），"
            "沿用本单位上一期的内容；已有报告时返回该报告（200），新建时返回 201。"
        ),
        tags=[TAG],
        request=s.ReportCreateSerializer,
        parameters=[ETAG_HEADER],
        examples=[OpenApiExample("开始填报", value={"task": 2, "period": 2}, request_only=True)],
        responses={201: s.ProgressReportSerializer, 200: s.ProgressReportSerializer, **TRANSITION_ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = validated(s.ReportCreateSerializer(data=request.data)).validated_data
        task = tasks_visible_to(Task.objects.all(), user=request.user).filter(pk=data["task"]).first()
        if task is None:
            raise _not_found("任务")
        period = ReviewPeriod.objects.filter(pk=data["period"]).first()
        if period is None:
            raise _not_found("填报期")
        department_id = actor_for(request.user).department_id
        report, created = report_services.start_or_get_report(
            task=task, department_id=department_id, period=period, user=request.user
        )
        return report_response(report.pk, request, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _save(self, request: Request, *, partial: bool) -> Response:
        report = self._report()
        version = if_match_version(request)
        if version is None:
            # Someone who may not edit at all hears that first; an editor is told to send the version.
            check_can_edit_report(actor_for(request.user), report)
            raise ApplicationError(
                ErrorCode.PRECONDITION_REQUIRED,
                '修改报告须在 If-Match 请求头中给出所依据的版本号（如 If-Match: "3"，取自报告的 ETag 或 version），'
                "以免覆盖他人的修改。",
            )
        serializer = validated(s.ReportUpdateSerializer(data=request.data, partial=partial))
        with current_on_conflict(report.pk, request):
            report_services.save_report(
                report_id=report.pk, user=request.user, expected_version=version, data=serializer.to_input(report)
            )
        return report_response(report.pk, request)

    @extend_schema(
        summary="保存报告（整体）",
        description=(
            "保存草稿或被退回报告的全部内容。必须带 If-Match（报告版本号）：缺少时返回 428，"
            "版本已过时返回 412 及报告当前内容，均不保存。actuals 中列出的目标被更新，未列出的保留。"
        ),
        tags=[TAG],
        request=s.ReportUpdateSerializer,
        parameters=[IF_MATCH_REQUIRED, ETAG_HEADER],
        examples=[
            OpenApiExample("保存", value=UPDATE_EXAMPLE, request_only=True),
            OpenApiExample("版本冲突（412）", value=CONFLICT_EXAMPLE, response_only=True, status_codes=["412"]),
        ],
        responses={
            200: s.ProgressReportSerializer,
            **TRANSITION_ERRORS,
            412: OpenApiResponse(VersionConflictSerializer, description="版本已过时：未保存，附报告当前内容"),
            428: OpenApiResponse(ErrorSerializer, description="缺少 If-Match 请求头"),
        },
    )
    def update(self, request: Request, pk: str) -> Response:
        return self._save(request, partial=False)

    @extend_schema(
        summary="保存报告（部分）",
        description="只修改给出的字段，其余保持不变。If-Match 规则同整体保存。",
        tags=[TAG],
        request=s.ReportUpdateSerializer(partial=True),
        parameters=[IF_MATCH_REQUIRED, ETAG_HEADER],
        examples=[
            OpenApiExample("只改进展情况", value={"progress_text": "已完成年度任务的80%。"}, request_only=True),
            OpenApiExample("版本冲突（412）", value=CONFLICT_EXAMPLE, response_only=True, status_codes=["412"]),
        ],
        responses={
            200: s.ProgressReportSerializer,
            **TRANSITION_ERRORS,
            412: OpenApiResponse(VersionConflictSerializer, description="版本已过时：未保存，附报告当前内容"),
            428: OpenApiResponse(ErrorSerializer, description="缺少 If-Match 请求头"),
        },
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        return self._save(request, partial=True)

    @extend_schema(
        summary="报送报告",
        description="把草稿或被退回（已修改）的报告报送规划科。可带 If-Match，版本已过时返回 412。",
        tags=[TAG],
        request=None,
        parameters=[IF_MATCH_OPTIONAL, ETAG_HEADER],
        responses={
            200: s.ProgressReportSerializer,
            **TRANSITION_ERRORS,
            412: OpenApiResponse(VersionConflictSerializer, description="版本已过时：未报送，附报告当前内容"),
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        report = self._report()
        version = if_match_version(request)
        with current_on_conflict(report.pk, request):
            report_services.submit_report(report_id=report.pk, user=request.user, expected_version=version)
        return report_response(report.pk, request)

    @extend_schema(
        summary="审核通过",
        description="规划科审核通过已报送的报告，可附意见。",
        tags=[TAG],
        request=s.CommentSerializer,
        parameters=[ETAG_HEADER],
        examples=[OpenApiExample("审核通过", value={"comment": "内容翔实，同意。"}, request_only=True)],
        responses={200: s.ProgressReportSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        report = self._report()
        comment = validated(s.CommentSerializer(data=request.data)).validated_data["comment"]
        report_services.accept_report(report_id=report.pk, user=request.user, comment=comment)
        return report_response(report.pk, request)

    @extend_schema(
        summary="退回报告",
        description="规划科退回已报送（或已审核）的报告，必须写明退回意见，单位据此修改后重新报送。",
        tags=[TAG],
        request=s.RequiredCommentSerializer,
        parameters=[ETAG_HEADER],
        examples=[OpenApiExample("退回", value={"comment": "请补充全年实际值的数据来源。"}, request_only=True)],
        responses={200: s.ProgressReportSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        report = self._report()
        comment = validated(s.RequiredCommentSerializer(data=request.data)).validated_data["comment"]
        report_services.return_report(report_id=report.pk, user=request.user, comment=comment)
        return report_response(report.pk, request)

    @extend_schema(
        summary="配合单位的配合情况",
        description=(
            "同一任务、同一填报期中配合单位已报送的配合情况（不含草稿），"
            "以及尚未报送配合情况的配合单位（silent_units）。"
        ),
        tags=[TAG],
        responses={200: s.ContributionsSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def contributions(self, request: Request, pk: str) -> Response:
        report = self._report()
        payload = report_contributions(report=report, user=request.user)
        return Response(s.ContributionsSerializer(payload, context={"request": request}).data)

    @extend_schema(
        methods=["GET"],
        summary="佐证材料列表",
        description="报告的佐证材料（需有权查看该报告）。",
        tags=[TAG],
        responses={200: s.EvidenceSerializer(many=True), **ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="上传佐证材料",
        description="以 multipart/form-data 上传，字段名 file；只接受 PDF、PNG、JPG、.docx、.xlsx，内容须与扩展名相符。",
        tags=[TAG],
        request={"multipart/form-data": s.EvidenceUploadSerializer},
        responses={
            201: s.EvidenceSerializer,
            **TRANSITION_ERRORS,
            413: OpenApiResponse(ErrorSerializer, description="文件超过大小上限"),
        },
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request: Request, pk: str) -> Response:
        report = self._report()
        if request.method == "GET":
            return Response(s.EvidenceSerializer(report.evidence.all(), many=True).data)
        upload = validated(s.EvidenceUploadSerializer(data=request.data)).validated_data["file"]
        item = evidence_services.add_evidence(report_id=report.pk, user=request.user, upload=upload)
        return Response(s.EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)


# --- evidence ----------------------------------------------------------------------------------


class EvidenceViewSet(viewsets.GenericViewSet):
    serializer_class = s.EvidenceSerializer
    queryset = Evidence.objects.none()
    filter_backends: list = []
    pagination_class = None

    def _evidence(self) -> Evidence:
        pk = str(self.kwargs["pk"])
        item = Evidence.objects.select_related("report").filter(pk=pk).first() if pk.isdecimal() else None
        if item is None:
            raise _not_found("佐证材料")
        try:
            check_can_view_evidence(actor_for(self.request.user), item.report)
        except ApplicationError:
            raise _not_found("佐证材料") from None
        return item

    @extend_schema(
        summary="删除佐证材料",
        description="删除本单位可修改报告的佐证材料。",
        tags=[TAG],
        responses={204: None, **TRANSITION_ERRORS},
    )
    def destroy(self, request: Request, pk: str) -> Response:
        item = self._evidence()
        evidence_services.remove_evidence(evidence_id=item.pk, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="下载佐证材料",
        description="下载文件（需有权查看该报告；否则 404）。",
        tags=[TAG],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str) -> FileResponse:
        item = self._evidence()
        try:
            handle = item.file.open("rb")
        except FileNotFoundError:
            raise ApplicationError(ErrorCode.NOT_FOUND, "文件已丢失，请联系规划科或重新上传。") from None
        return FileResponse(handle, as_attachment=True, filename=item.original_name, content_type=item.content_type)


# --- extension requests ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="延期申请列表",
        description="规划科与市领导可见全部延期申请；单位人员可见本单位的申请。可按状态、任务筛选。",
        tags=[TAG],
    ),
    retrieve=extend_schema(summary="延期申请详情", tags=[TAG], responses={200: s.ExtensionRequestSerializer, **ERRORS}),
)
class ExtensionRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ExtensionRequestSerializer
    filter_backends = [FilterBackend]
    filterset_fields = ["status", "task"]

    def get_queryset(self) -> Any:
        queryset = ExtensionRequest.objects.select_related("task", "department", "requested_by", "decided_by")
        return extension_requests_visible_to(queryset, user=self.request.user)

    def get_object(self) -> ExtensionRequest:
        pk = str(self.kwargs["pk"])
        item = self.get_queryset().filter(pk=pk).first() if pk.isdecimal() else None
        if item is None:
            raise _not_found("延期申请")
        return item

    def _render(self, item: ExtensionRequest, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(s.ExtensionRequestSerializer(self.get_queryset().get(pk=item.pk)).data, status=status_code)

    @extend_schema(
        summary="申请延期",
        description="牵头单位为本单位牵头的任务申请延期，须说明理由；同一任务同时只能有一份待审批的申请。",
        tags=[TAG],
        request=s.ExtensionRequestCreateSerializer,
        examples=[
            OpenApiExample(
                "申请延期",
                value={"task": 3, "requested_deadline": "2026-06-30", "reason": "园区用地审批尚未完成。"},
                request_only=True,
            )
        ],
        responses={201: s.ExtensionRequestSerializer, **TRANSITION_ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = validated(s.ExtensionRequestCreateSerializer(data=request.data)).validated_data
        item = task_review.request_extension(
            task_id=data["task"], user=request.user, requested_deadline=data["requested_deadline"], reason=data["reason"]
        )
        return self._render(item, status.HTTP_201_CREATED)

    @extend_schema(
        summary="同意延期",
        description="规划科同意延期：任务的现行时限改为申请的日期（留有历史）。",
        tags=[TAG],
        request=s.CommentSerializer,
        responses={200: s.ExtensionRequestSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        item = self.get_object()
        comment = validated(s.CommentSerializer(data=request.data)).validated_data["comment"]
        return self._render(task_review.approve_extension(request_id=item.pk, user=request.user, comment=comment))

    @extend_schema(
        summary="不同意延期",
        description="规划科不同意延期，必须写明意见。",
        tags=[TAG],
        request=s.RequiredCommentSerializer,
        examples=[OpenApiExample("不同意", value={"comment": "请按原时限推进。"}, request_only=True)],
        responses={200: s.ExtensionRequestSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str) -> Response:
        item = self.get_object()
        comment = validated(s.RequiredCommentSerializer(data=request.data)).validated_data["comment"]
        return self._render(task_review.refuse_extension(request_id=item.pk, user=request.user, comment=comment))

    @extend_schema(
        summary="撤回延期申请",
        description="申请单位撤回待审批的延期申请。",
        tags=[TAG],
        request=s.CommentSerializer,
        responses={200: s.ExtensionRequestSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        item = self.get_object()
        comment = validated(s.CommentSerializer(data=request.data)).validated_data["comment"]
        return self._render(task_review.withdraw_extension(request_id=item.pk, user=request.user, comment=comment))


# --- task closing ------------------------------------------------------------------------------


class TaskProgressViewSet(viewsets.GenericViewSet):
    serializer_class = s.TaskProgressSerializer
    queryset = TaskProgress.objects.none()
    filter_backends: list = []
    pagination_class = None
    lookup_url_kwarg = "task_id"
    lookup_value_regex = r"[0-9]+"

    def _task(self) -> Task:
        task = Task.objects.filter(pk=self.kwargs["task_id"]).first()
        if task is None:
            raise _not_found("任务")
        check_can_view_task(actor_for(self.request.user), task)
        return task

    def _render(self, task: Task) -> Response:
        progress = (
            TaskProgress.objects.select_related(
                "task", "completed_by", "completion_report__period", "completion_report__department"
            )
            .filter(task=task)
            .first()
        ) or TaskProgress(task=task)
        return Response(s.TaskProgressSerializer(progress).data)

    @extend_schema(
        summary="任务办理状态",
        description="任务是否已办结、现行时限（含批准的延期）与办结依据的报告。",
        tags=[TAG],
        responses={200: s.TaskProgressSerializer, **ERRORS},
    )
    def retrieve(self, request: Request, task_id: str) -> Response:
        return self._render(self._task())

    @extend_schema(
        summary="办结任务",
        description="规划科依据审核通过、推进状态为“已完成”的牵头单位报告办结任务（销号）。",
        tags=[TAG],
        request=s.CommentSerializer,
        examples=[OpenApiExample("办结", value={"comment": "经核实已完成，同意销号。"}, request_only=True)],
        responses={200: s.TaskProgressSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, task_id: str) -> Response:
        task = self._task()
        comment = validated(s.CommentSerializer(data=request.data)).validated_data["comment"]
        task_review.complete_task(task_id=task.pk, user=request.user, comment=comment)
        return self._render(task)

    @extend_schema(
        summary="重新开启任务",
        description="规划科重新开启已办结的任务，必须说明理由。",
        tags=[TAG],
        request=s.RequiredCommentSerializer,
        responses={200: s.TaskProgressSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, task_id: str) -> Response:
        task = self._task()
        comment = validated(s.RequiredCommentSerializer(data=request.data)).validated_data["comment"]
        task_review.reopen_task(task_id=task.pk, user=request.user, comment=comment)
        return self._render(task)
