"""The portal's pages: unit staff's pages (views/unit.py), the plan office's (views/review.py) and
the search, password change and print pages every user has (views/tools.py)."""

from progress.views import review, tools, unit

app_name = "progress"

urlpatterns = [*unit.urlpatterns, *review.urlpatterns, *tools.urlpatterns]
