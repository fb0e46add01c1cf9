"""The indicators pages (mounted at the site root by xingping_tracker/urls.py)."""

from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns: list = [
    path("indicators/", views.target_list, name="target_list"),
    path("indicators/<int:target_id>/", views.target_detail, name="target_detail"),
    path("indicators/<int:target_id>/actuals/", views.actual_enter, name="actual_enter"),
    path("indicators/<int:target_id>/baseline/", views.baseline_edit, name="baseline_edit"),
]
