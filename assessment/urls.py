"""The assessment pages (mounted at the site root by xingping_tracker/urls.py)."""

app_name = "assessment"

urlpatterns: list = []
