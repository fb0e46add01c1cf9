"""The assessment pages (mounted at the site root by xingping_tracker/urls.py)."""

from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns: list = [
    path("assessment/", views.home, name="home"),
    path("assessment/compute/", views.compute, name="compute"),
    path("assessment/rules/<int:plan_id>/", views.rules, name="rules"),
    path("assessment/<int:pk>/", views.detail, name="detail"),
    path("assessment/<int:pk>/adjust/", views.adjust, name="adjust"),
    path("assessment/<int:pk>/finalise/", views.finalise, name="finalise"),
    path("assessment/<int:pk>/publish/", views.publish, name="publish"),
    path("assessment/<int:pk>/export/", views.export, name="export"),
]
