"""The portal's pages: unit staff's pages (views/unit.py) and the plan office's (views/review.py)."""

from progress.views import review, unit

app_name = "progress"

urlpatterns = [*unit.urlpatterns, *review.urlpatterns]
