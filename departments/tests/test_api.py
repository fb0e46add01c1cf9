"""The read API for units and placeholder groups."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from departments.models import DepartmentKind
from departments.tests.factories import DepartmentAliasFactory, DepartmentFactory, UserFactory
from tasks.tests.factories import build_sample_plan
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db


def build_sample_with_aliases():
    sample = build_sample_plan()
    DepartmentAliasFactory(department=sample.fagai, alias="发改局")
    DepartmentAliasFactory(department=sample.fagai, alias="市发展和改革局")
    DepartmentAliasFactory(department=sample.gongxin, alias="工信局")
    sample.retired = DepartmentFactory(name="市旧改局", is_active=False, successor=sample.fagai)
    return sample


# ``sample``: built once for the module (xingping_tracker.tests.sharing), a copy for each test.
_module_sample, sample = module_fixtures(build_sample_with_aliases, name="sample")


@pytest.fixture
def client() -> APIClient:
    api = APIClient()
    api.force_authenticate(UserFactory())  # any signed-in user may read the unit list
    return api


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_anonymous_is_refused(sample):
    assert APIClient().get("/api/departments/").status_code in (401, 403)
    assert APIClient().get(f"/api/departments/{sample.fagai.pk}/").status_code in (401, 403)
    assert APIClient().get("/api/department-groups/").status_code in (401, 403)


def test_list_filters_and_search(client, sample):
    assert names(client.get("/api/departments/", {"kind": DepartmentKind.TOWN})) == ["南城镇"]
    assert names(client.get("/api/departments/", {"kind": DepartmentKind.SUBDISTRICT})) == ["东城街道办", "西城街道办"]
    assert names(client.get("/api/departments/", {"is_active": "false"})) == ["市旧改局"]
    assert "市旧改局" not in names(client.get("/api/departments/", {"is_active": "true"}))
    # Name or alias; a unit matching through two aliases is listed once.
    assert names(client.get("/api/departments/", {"q": "发改"})) == ["市发改局"]
    assert names(client.get("/api/departments/", {"q": "发展和改革"})) == ["市发改局"]
    assert names(client.get("/api/departments/", {"q": "工信"})) == ["市工信局"]
    assert names(client.get("/api/departments/", {"q": "改局"})) == ["市发改局", "市旧改局"]
    assert client.get("/api/departments/", {"kind": "nonsense"}).status_code == 400


def test_retrieve_has_aliases_and_task_counts(client, sample):
    body = client.get(f"/api/departments/{sample.fagai.pk}/").json()
    assert body["name"] == "市发改局"
    assert body["kind"] == "city_department"
    assert body["kind_display"] == "市政府工作部门"
    assert body["is_active"] is True
    assert body["host"] is None
    assert sorted(body["aliases"]) == ["发改局", "市发展和改革局"]
    assert (body["led_task_count"], body["supported_task_count"]) == (2, 2)

    town = client.get(f"/api/departments/{sample.dongcheng.pk}/").json()
    assert (town["led_task_count"], town["supported_task_count"]) == (0, 2)

    retired = client.get(f"/api/departments/{sample.retired.pk}/").json()
    assert (retired["is_active"], retired["successor"]) == (False, sample.fagai.pk)


def test_host_is_nested(client, sample):
    keji = DepartmentFactory(name="市科技局", host=sample.fagai)
    body = client.get(f"/api/departments/{keji.pk}/").json()
    assert body["host"] == {
        "id": sample.fagai.pk,
        "name": "市发改局",
        "kind": "city_department",
        "kind_display": "市政府工作部门",
    }


def test_department_groups(client, sample):
    rows = {row["name"]: row for row in client.get("/api/department-groups/").json()["results"]}
    assert set(rows) == {"各镇办", "相关镇办", "市级相关部门"}
    assert rows["各镇办"]["kind"] == "fixed"
    assert [m["name"] for m in rows["各镇办"]["members"]] == ["东城街道办", "西城街道办"]
    assert rows["市级相关部门"]["members"] == []
    assert [r["name"] for r in client.get("/api/department-groups/", {"kind": "fixed"}).json()["results"]] == ["各镇办"]
    detail = client.get(f"/api/department-groups/{sample.some_towns.pk}/").json()
    assert len(detail["members"]) == 3
