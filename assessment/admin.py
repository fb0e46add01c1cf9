"""The assessment in the admin: a plan's rules (validated by the one check, a Chinese error for bad
rules); assessments, results and adjustments are read-only here (the pages and the API write them
through the services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from assessment.models import Adjustment, Assessment, RuleSet, UnitResult
from assessment.rules import rules_from_data
from xingping_tracker.core.exceptions import ApplicationError


class RuleSetForm(forms.ModelForm):
    class Meta:
        model = RuleSet
        fields = ["plan", "data"]

    def clean_data(self) -> Any:
        data = self.cleaned_data["data"] or {}
        try:
            return rules_from_data(data).to_data()
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    form = RuleSetForm
    list_display = ["plan", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request: Any, obj: RuleSet, form: Any, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["year", "plan", "state", "computed_at", "finalised_at", "published_at"]
    list_filter = ["state", "year"]


@admin.register(UnitResult)
class UnitResultAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "department", "rank", "score", "grade", "veto"]
    list_select_related = ["assessment", "department"]


@admin.register(Adjustment)
class AdjustmentAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "department", "delta", "reason", "created_by", "created_at"]
    list_select_related = ["assessment", "department", "created_by"]
