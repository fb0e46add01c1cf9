"""The evaluation pages (mounted at the site root by xingping_tracker/urls.py)."""

from evaluation.views import urlpatterns as page_urlpatterns

app_name = "evaluation"

urlpatterns: list = [*page_urlpatterns]
