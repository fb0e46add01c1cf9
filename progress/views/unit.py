"""Pages of unit staff: the home page (本期待填报), the report form, evidence, the task page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path


@login_required
def home(request):
    return render(request, "progress/home.html", {})


urlpatterns = [
    path("", home, name="home"),
]
