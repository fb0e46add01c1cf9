"""Every API error body is JSON in the documented shape: ``code`` (stable), ``detail`` (Chinese),
``errors`` per field for a 400; unknown API paths included."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

CHINESE = re.compile("[\u4e00-\u9fff]")


def shaped(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:200])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"] == code and CHINESE.search(body["detail"]), body
    return body


@pytest.mark.parametrize(
    "url",
    ["/api/reports/abc/", "/api/reports/1.5/", "/api/tasks/abc/", "/api/tasks/99999/", "/api/nothing/",
     "/api/reports/1/nothing/", "/api/tasks/?page=99"],
)
def test_not_found_is_json_in_the_error_shape(world, url):
    client = APIClient()
    client.force_login(world.plan_office)
    shaped(client.get(url), 404, "not_found")


def test_other_refusals_are_json_in_the_error_shape(world):
    client = APIClient()
    shaped(client.get("/api/tasks/"), 401, "not_authenticated")
    client.force_login(world.plan_office)
    body = shaped(client.post("/api/reports/", "{bad json", content_type="application/json"), 400, "invalid")
    assert "JSON" in body["detail"]
    shaped(client.delete("/api/tasks/"), 405, "method_not_allowed")
    body = shaped(client.post("/api/auth/token/", {}, format="json"), 400, "invalid")
    assert set(body["errors"]) == {"username", "password"}


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_the_schema_and_docs_are_for_signed_in_users_where_configured(world, settings, url):
    settings.API_SCHEMA_REQUIRES_SIGN_IN = True
    anonymous = APIClient().get(url)
    assert anonymous.status_code in (401, 403) and b"openapi" not in anonymous.content
    client = APIClient()
    client.force_login(world.gongxin_clerk)
    assert client.get(url).status_code == 200
    settings.API_SCHEMA_REQUIRES_SIGN_IN = False
    assert APIClient().get(url).status_code == 200
