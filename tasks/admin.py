"""Admin for plans, sections and tasks (Chinese UI). Reads go through tasks.selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.html import format_html_join
from simple_history.admin import SimpleHistoryAdmin

from departments.models import Department
from tasks import selectors
from tasks.admin_import import import_view
from tasks.models import Assignment, AssignmentRole, Milestone, Plan, Section, Target, Task
from tasks.services.effective_assignments import refresh_effective_assignments
from xingping_tracker.core.admin import AnnouncesChangesAdmin
from xingping_tracker.core.changes import PLAN


def is_changelist(request: HttpRequest, model_admin: admin.ModelAdmin) -> bool:
    match = request.resolver_match
    opts = model_admin.model._meta
    return match is not None and match.url_name == f"{opts.app_label}_{opts.model_name}_changelist"


def _freeze_choices(field: forms.Field | None) -> None:
    """Evaluate a model choice field's choices once, so every inline form reuses them (no query per row)."""
    if field is not None and hasattr(field, "queryset"):
        field.choices = list(field.choices)


# --- Plan and sections -------------------------------------------------------------------------


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["position", "label", "title", "parent"]
    extra = 0
    ordering = ["position"]

    def get_formset(self, request: HttpRequest, obj: Plan | None = None, **kwargs: Any):
        formset = super().get_formset(request, obj, **kwargs)
        parent = formset.form.base_fields.get("parent")
        if parent is not None:
            # A section's parent is a chapter of the same plan.
            parent.queryset = Section.objects.filter(plan=obj, parent__isnull=True) if obj else Section.objects.none()
            _freeze_choices(parent)
        return formset


@admin.register(Plan)
class PlanAdmin(AnnouncesChangesAdmin, SimpleHistoryAdmin):
    change_topics = (PLAN,)
    list_display = ["title", "document_number", "issued_on", "period", "task_count"]
    search_fields = ["title", "document_number"]
    readonly_fields = ["source_sha256", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "issuer", "document_number", "issued_on"]}),
        ("规划期", {"fields": ["period_start", "period_end", "vision_year"]}),
        ("原文", {"classes": ["collapse"], "fields": ["source_text", "source_sha256"]}),
        ("记录", {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [SectionInline]

    def get_urls(self) -> list[URLPattern]:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="tasks_plan_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload → preview → confirm (tasks.admin_import); linked from the plan list."""
        return import_view(self, request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Plan]:
        return super().get_queryset(request).annotate(task_count=Count("tasks", distinct=True))

    @admin.display(description="规划期")
    def period(self, obj: Plan) -> str:
        if obj.period_start and obj.period_end:
            return f"{obj.period_start:%Y}—{obj.period_end:%Y}年"
        return "—"

    @admin.display(description="任务数", ordering="task_count")
    def task_count(self, obj: Plan) -> int:
        return obj.task_count


@admin.register(Section)
class SectionAdmin(AnnouncesChangesAdmin, admin.ModelAdmin):
    change_topics = (PLAN,)
    list_display = ["heading_display", "plan", "parent", "position", "task_count"]
    list_filter = ["plan"]
    list_select_related = ["plan", "parent"]
    search_fields = ["label", "title"]
    autocomplete_fields = ["parent"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Section]:
        return super().get_queryset(request).annotate(task_count=Count("tasks", distinct=True))

    @admin.display(description="标题", ordering="position")
    def heading_display(self, obj: Section) -> str:
        return obj.heading

    @admin.display(description="直属任务数", ordering="task_count")
    def task_count(self, obj: Section) -> int:
        return obj.task_count


# --- Task list filters (the selector's semantics) -----------------------------------------------


class _UnitListFilter(admin.SimpleListFilter):
    role: str | None = None

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            (str(pk), name if active else f"{name}（已撤并）")
            for pk, name, active in Department.objects.values_list("pk", "name", "is_active")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Task]) -> QuerySet[Task]:
        value = self.value()
        if not value or not value.isdecimal():
            return queryset
        return selectors.filter_tasks_by_unit(queryset, department=int(value), role=self.role)


class LeadUnitListFilter(_UnitListFilter):
    title = "牵头单位"
    parameter_name = "lead"
    role = AssignmentRole.LEAD


class SupportingUnitListFilter(_UnitListFilter):
    title = "配合单位"
    parameter_name = "supporting"
    role = AssignmentRole.SUPPORTING


class SectionListFilter(admin.SimpleListFilter):
    """A chapter matches the tasks of its sections too."""

    title = "章节"
    parameter_name = "section"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        sections = Section.objects.select_related("plan").order_by("plan", "position")
        plan_id = request.GET.get("plan__id__exact", "")
        if plan_id.isdecimal():
            sections = sections.filter(plan_id=int(plan_id))
        rows = list(sections)
        several_plans = len({s.plan_id for s in rows}) > 1
        return [
            (
                str(s.pk),
                ("\u3000" if s.parent_id else "")
                + (f"{s.plan.document_number or s.plan.title}：" if several_plans else "")
                + s.heading,
            )
            for s in rows
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Task]) -> QuerySet[Task]:
        value = self.value()
        if not value or not value.isdecimal():
            return queryset
        return selectors.filter_tasks_by_section(queryset, section=int(value))


class DeadlineYearListFilter(admin.SimpleListFilter):
    title = "完成年份"
    parameter_name = "deadline_year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(str(d.year), f"{d.year}年") for d in Task.objects.dates("deadline", "year")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Task]) -> QuerySet[Task]:
        value = self.value()
        if not value or not value.isdecimal() or not dt.MINYEAR <= int(value) <= dt.MAXYEAR:
            return queryset
        return queryset.filter(deadline__year=int(value))


# --- Task inlines -------------------------------------------------------------------------------


class AssignmentInlineForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["role", "position", "name_as_written", "department", "group", "expanded_to"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("department") and data.get("group"):
            raise forms.ValidationError("“单位”与“单位组（占位）”只能填写一个：具体单位填“单位”，占位写法填“单位组”。")
        if data.get("department") and data.get("expanded_to"):
            self.add_error("expanded_to", "已指定具体单位的分工无需展开，请清空“占位展开为”。")
        return data


class AssignmentInline(admin.TabularInline):
    model = Assignment
    form = AssignmentInlineForm
    extra = 0
    ordering = ["role", "position"]
    autocomplete_fields = ["department", "group"]
    filter_horizontal = ["expanded_to"]
    verbose_name_plural = "分工（牵头与配合单位）"

    def get_formset(self, request: HttpRequest, obj: Task | None = None, **kwargs: Any):
        formset = super().get_formset(request, obj, **kwargs)
        _freeze_choices(formset.form.base_fields.get("expanded_to"))
        return formset


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["due_on", "text", "position"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = [
        "position",
        "indicator",
        "value",
        "value_max",
        "unit",
        "direction",
        "basis",
        "year",
        "baseline_year",
        "baseline_value",
        "baseline_note",
        "source_text",
    ]


# --- Task ---------------------------------------------------------------------------------------


class TaskAdminForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = [
            "plan",
            "number",
            "section",
            "kind",
            "text",
            "binding",
            "incentive",
            "deadline",
            "deadline_text",
            "annotation",
            "supporting_open_ended",
            "responsible_leaders",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        plan, section = data.get("plan"), data.get("section")
        if plan is not None and section is not None and section.plan_id != plan.pk:
            self.add_error("section", "所选章节不属于该方案，请选择本方案的章节。")
        return data


def _units_cell(assignments: list[Assignment]) -> str:
    def label(a: Assignment) -> str:
        expanded = list(a.expanded_to.all())
        if a.department_id is None and expanded:
            return f"{a.display_name}（展开：{'、'.join(d.name for d in expanded)}）"
        return a.display_name

    return format_html_join("、", "{}", ((label(a),) for a in assignments)) or "—"


@admin.register(Task)
class TaskAdmin(AnnouncesChangesAdmin, SimpleHistoryAdmin):
    change_topics = (PLAN,)
    form = TaskAdminForm
    list_display = [
        "number",
        "short_text",
        "section_heading",
        "kind",
        "binding",
        "incentive",
        "deadline",
        "lead_units",
        "supporting_units",
    ]
    list_display_links = ["number", "short_text"]
    list_filter = [
        "plan",
        SectionListFilter,
        "kind",
        LeadUnitListFilter,
        SupportingUnitListFilter,
        "binding",
        DeadlineYearListFilter,
    ]
    search_fields = ["text"]  # see get_search_results: an integer finds the task number exactly
    search_help_text = "输入整数按任务序号精确查找，输入文字按任务内容查找。"
    autocomplete_fields = ["section"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["plan", "number", "section", "kind", "text"]}),
        ("性质与时限", {"fields": ["binding", "incentive", "deadline", "deadline_text"]}),
        ("分工原文", {"fields": ["annotation", "supporting_open_ended", "responsible_leaders"]}),
        ("记录", {"classes": ["collapse"], "fields": ["created_at", "updated_at"]}),
    ]
    inlines = [AssignmentInline, MilestoneInline, TargetInline]
    # 导出台账 is added by exports/admin.py (exports sits above tasks)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Task]:
        queryset = super().get_queryset(request)
        if is_changelist(request, self):
            queryset = selectors.with_task_details(queryset)
        return queryset

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Task], search_term: str
    ) -> tuple[QuerySet[Task], bool]:
        return selectors.search_tasks(queryset, term=search_term), False

    @admin.display(description="任务内容")
    def short_text(self, obj: Task) -> str:
        return obj.text if len(obj.text) <= 40 else f"{obj.text[:40]}…"

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        """The inlines (assignments and their expansions) are saved, then the task's effective units
        follow them, in the same transaction as the admin's save."""
        super().save_related(request, form, formsets, change)
        refresh_effective_assignments(task_ids=[form.instance.pk])

    @admin.display(description="章节", ordering="section__position")
    def section_heading(self, obj: Task) -> str:
        return obj.section.heading if obj.section is not None else "—"

    @admin.display(description="牵头单位")
    def lead_units(self, obj: Task) -> str:
        return _units_cell(selectors.task_assignments_by_role(obj)[AssignmentRole.LEAD])

    @admin.display(description="配合单位")
    def supporting_units(self, obj: Task) -> str:
        cell = _units_cell(selectors.task_assignments_by_role(obj)[AssignmentRole.SUPPORTING])
        return f"{cell}等" if obj.supporting_open_ended and cell != "—" else cell
