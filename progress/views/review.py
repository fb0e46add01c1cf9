"""Pages of the plan office (and, read-only, leadership): periods, the review board, reviewing."""

urlpatterns: list = []
