"""The exports app's pages (mounted at the site root by xingping_tracker/urls.py)."""

from exports.views import urlpatterns as page_urlpatterns

app_name = "exports"

urlpatterns: list = [*page_urlpatterns]
