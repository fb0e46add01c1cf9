from django.contrib import admin

from dashboard.models import TrendSnapshot


@admin.register(TrendSnapshot)
class TrendSnapshotAdmin(admin.ModelAdmin):
    """Read-only: the points are computed by the dashboard, never edited by hand."""

    list_display = ["period", "as_of", "total", "completed", "submitted", "red", "yellow", "closed_at", "computed_at"]
    list_select_related = ["period"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
