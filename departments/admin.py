"""Admin for units, aliases, placeholder groups and memberships (Chinese UI)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from departments.extensions import announce_group_units_changed, task_overview, with_task_counts
from departments.filters import search_departments
from departments.models import Department, DepartmentAlias, DepartmentGroup, DepartmentGroupAlias, Membership
from xingping_tracker.core.admin import AnnouncesChangesAdmin
from xingping_tracker.core.changes import UNITS


def _is_changelist(request: HttpRequest, model_admin: admin.ModelAdmin) -> bool:
    match = request.resolver_match
    opts = model_admin.model._meta
    return match is not None and match.url_name == f"{opts.app_label}_{opts.model_name}_changelist"


class DepartmentAliasInline(admin.TabularInline):
    model = DepartmentAlias
    extra = 1
    fields = ["alias"]


@admin.register(Department)
class DepartmentAdmin(AnnouncesChangesAdmin, SimpleHistoryAdmin):
    change_topics = (UNITS,)
    list_display = ["name", "kind", "host", "is_active", "led_task_count", "supported_task_count", "sort_order"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["host"]
    search_fields = ["name"]  # see get_search_results: name or alias
    search_help_text = "按单位名称或别名查找。"
    autocomplete_fields = ["host", "successor"]
    fields = ["name", "kind", "host", "is_active", "successor", "sort_order"]
    inlines = [DepartmentAliasInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        queryset = super().get_queryset(request)
        if _is_changelist(request, self):
            queryset = with_task_counts(queryset)
        return queryset

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Department], search_term: str
    ) -> tuple[QuerySet[Department], bool]:
        return search_departments(queryset, term=search_term), False

    @admin.display(description="牵头任务数", ordering="led_task_count")
    def led_task_count(self, obj: Department) -> int:
        return obj.led_task_count

    @admin.display(description="配合任务数", ordering="supported_task_count")
    def supported_task_count(self, obj: Department) -> int:
        return obj.supported_task_count

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        department = self.get_object(request, object_id)
        if department is not None:
            extra_context["task_overview"] = task_overview(department=department)
            # 科技局 hosted in 市发改局: the host's page points to the units it hosts and their tasks.
            extra_context["hosted_units"] = list(department.hosted_units.order_by("sort_order", "name"))
        return super().change_view(request, object_id, form_url, extra_context=extra_context)


@admin.register(DepartmentAlias)
class DepartmentAliasAdmin(AnnouncesChangesAdmin, SimpleHistoryAdmin):
    change_topics = (UNITS,)
    list_display = ["alias", "department"]
    list_select_related = ["department"]
    search_fields = ["alias", "department__name"]
    autocomplete_fields = ["department"]


class DepartmentGroupAliasInline(admin.TabularInline):
    model = DepartmentGroupAlias
    extra = 1


@admin.register(DepartmentGroup)
class DepartmentGroupAdmin(AnnouncesChangesAdmin, SimpleHistoryAdmin):
    change_topics = (UNITS,)
    list_display = ["name", "kind", "description", "member_count"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases__alias"]
    filter_horizontal = ["members"]
    inlines = [DepartmentGroupAliasInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DepartmentGroup]:
        return super().get_queryset(request).annotate(member_count=Count("members", distinct=True))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Members (and the kind, saved just before) decide the units of the tasks naming the group:
        those tasks' effective units follow, in the same transaction as the admin's save."""
        super().save_related(request, form, formsets, change)
        announce_group_units_changed(group_ids=[form.instance.pk])

    @admin.display(description="成员单位数", ordering="member_count")
    def member_count(self, obj: DepartmentGroup) -> int:
        return obj.member_count


@admin.register(Membership)
class MembershipAdmin(AnnouncesChangesAdmin, SimpleHistoryAdmin):
    change_topics = (UNITS,)
    list_display = ["user", "department", "role"]
    list_filter = ["role"]
    list_select_related = ["user", "department"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "department__name"]
    autocomplete_fields = ["user", "department"]
