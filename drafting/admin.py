from django.contrib import admin

from drafting.models import Draft, DraftTask


class DraftTaskInline(admin.TabularInline):
    model = DraftTask
    extra = 0
    fields = ["position", "included", "text", "lead", "supporting", "confidence"]
    readonly_fields = ["position", "confidence"]


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "status", "plan", "created_by", "created_at"]
    list_filter = ["status", "year"]
    search_fields = ["title"]
    readonly_fields = ["status", "plan", "created_by", "created_at", "accepted_at", "source_name"]
    fields = ["title", "year", "source_name", "status", "plan", "created_by", "created_at", "accepted_at"]
    inlines = [DraftTaskInline]
