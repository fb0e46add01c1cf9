"""The plan office's entries of actual values, in the admin for reading (with their history): they
are entered on the target's page, where the service checks them and announces the change."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import OfficialActual


@admin.register(OfficialActual)
class OfficialActualAdmin(SimpleHistoryAdmin):
    list_display = ["target", "year", "value", "data_date", "source", "document_number", "entered_by", "entered_at"]
    list_filter = ["year"]
    search_fields = ["target__indicator", "source", "document_number", "reason"]
    list_select_related = ["target", "entered_by"]
    readonly_fields = [f.name for f in OfficialActual._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
