"""The offline app's pages (mounted at the site root by xingping_tracker/urls.py)."""

app_name = "offline"

urlpatterns: list = []
