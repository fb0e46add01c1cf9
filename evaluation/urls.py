"""The evaluation pages (mounted at the site root by xingping_tracker/urls.py)."""

app_name = "evaluation"

urlpatterns: list = []
