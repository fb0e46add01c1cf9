"""The indicators pages (mounted at the site root by xingping_tracker/urls.py)."""

app_name = "indicators"

urlpatterns: list = []
