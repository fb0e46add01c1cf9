"""The evaluation API routes (registered under /api/ by xingping_tracker/api_urls.py)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from evaluation.api.views import EvaluationReportView, PlanCarryView, PlanCloseView

router = DefaultRouter()
extra_urlpatterns: list = [
    path("evaluation/plans/<int:plan_id>/report/", EvaluationReportView.as_view(), name="evaluation-report"),
    path("evaluation/plans/<int:plan_id>/close/", PlanCloseView.as_view(), name="evaluation-plan-close"),
    path("evaluation/plans/<int:plan_id>/carry/", PlanCarryView.as_view(), name="evaluation-plan-carry"),
]
