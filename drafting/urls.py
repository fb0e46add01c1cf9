"""The drafting pages (mounted at the site root by xingping_tracker/urls.py)."""

from drafting.views import urlpatterns as page_urlpatterns

app_name = "drafting"

urlpatterns: list = [*page_urlpatterns]
