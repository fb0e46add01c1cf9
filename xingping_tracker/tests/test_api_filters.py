"""Every API filter checks its value (type and range) and answers a bad one with 400 in the error
shape (code ``invalid``, a Chinese ``detail``, ``errors`` per parameter), never with a server error."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

CHINESE = re.compile("[\u4e00-\u9fff]")


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def assert_refused(response, parameter: str) -> None:
    assert response.status_code == 400, (parameter, response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] == "invalid" and CHINESE.search(body["detail"]), body
    assert parameter in body["errors"] and all(CHINESE.search(m) for m in body["errors"][parameter]), body


@pytest.mark.parametrize("year", ["0", "10000", "-16038", "99999999999", "99999999999999999999999", "1e5", "2025.5", "x"])
def test_a_deadline_year_out_of_range_is_a_400(world, year):
    for user in (world.plan_office, world.gongxin_clerk):
        response = api(user).get("/api/tasks/", {"deadline_year": year})
        assert_refused(response, "deadline_year")
    assert "1到9999" in response.json()["errors"]["deadline_year"][0] or "整数" in response.json()["errors"]["deadline_year"][0]


def test_a_deadline_year_in_range_still_filters(world):
    response = api(world.plan_office).get("/api/tasks/", {"deadline_year": "9999"})
    assert response.status_code == 200 and response.json()["count"] == 0
    response = api(world.plan_office).get("/api/tasks/", {"deadline_year": "1"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "parameter", "value"),
    [
        ("/api/tasks/", "lead", "abc"),
        ("/api/tasks/", "plan", "99999999999999999999999"),
        ("/api/tasks/", "kind", "nonsense"),
        ("/api/sections/", "parent", "-1"),
        ("/api/reports/", "period", "99999999999999999999999"),
        ("/api/reports/", "status", "lost"),
        ("/api/periods/", "plan", "0"),
        ("/api/departments/", "kind", "nonsense"),
        ("/api/department-groups/", "kind", "nonsense"),
        ("/api/reminder-deliveries/", "unit", "99999999999999999999999"),
    ],
)
def test_every_filter_refuses_a_bad_value_in_the_error_shape(world, url, parameter, value):
    assert_refused(api(world.plan_office).get(url, {parameter: value}), parameter)


@pytest.mark.parametrize("page", ["0", "-1", "x", "99999999999999999999999", "99999999999"])
def test_a_page_out_of_range_is_a_404_not_a_server_error(world, page):
    for user in (world.plan_office, world.gongxin_clerk):
        for url in ("/api/reports/", "/api/tasks/"):
            response = api(user).get(url, {"page": page})
            assert response.status_code == 404, (url, page, response.status_code)


def test_the_admins_deadline_year_ignores_a_year_no_date_has(world, client):
    from departments.tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for year in ("0", "10000", "99999999999"):
        assert client.get("/admin/tasks/task/", {"deadline_year": year}).status_code == 200
