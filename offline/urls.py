"""The offline app's pages (mounted at the site root by xingping_tracker/urls.py)."""

from django.urls import path

from offline import views

app_name = "offline"

urlpatterns = [
    path("offline/template/", views.template_download, name="template_download"),
    path("offline/upload/", views.template_upload, name="template_upload"),
]
