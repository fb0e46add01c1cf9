"""The read API for plans, sections and tasks; token auth; the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from departments.tests.factories import MembershipFactory, UserFactory
from tasks.tests.factories import build_sample_plan
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

TASKS_URL = "/api/tasks/"

# The sample plan, built once per module where it may be (xingping_tracker.tests.sharing): every
# database test here uses it (the tests that count every task, from an empty database, are in
# test_api_many_tasks.py).
_module_sample, sample = module_fixtures(build_sample_plan, name="sample")


@pytest.fixture
def viewer():
    """The plan office: may view every task."""
    user = UserFactory(username="guihuake")
    user.user_permissions.add(Permission.objects.get(codename="view_task", content_type__app_label="tasks"))
    return user


@pytest.fixture
def client(viewer) -> APIClient:
    api = APIClient()
    api.force_authenticate(viewer)
    return api


def numbers(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


class TestAuthentication:
    @pytest.mark.parametrize(
        "url",
        [TASKS_URL, "/api/plans/", "/api/sections/", "/api/departments/", "/api/department-groups/", "/api/"],
    )
    def test_anonymous_is_refused(self, url, sample):
        response = APIClient().get(url)
        assert response.status_code in (401, 403)
        assert "results" not in response.json()

    def test_token_obtained_with_password_authenticates(self, sample, viewer):
        viewer.set_password("正确的密码-2025")
        viewer.save()
        anonymous = APIClient()
        refused = anonymous.post("/api/auth/token/", {"username": "guihuake", "password": "错误的密码"}, format="json")
        assert refused.status_code == 400
        response = anonymous.post(
            "/api/auth/token/", {"username": "guihuake", "password": "正确的密码-2025"}, format="json"
        )
        assert response.status_code == 200
        token = response.json()["token"]
        assert token == Token.objects.get(user=viewer).key

        with_token = APIClient()
        with_token.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert numbers(with_token.get(TASKS_URL)) == [1, 2, 3, 4, 5]

        bad_token = APIClient()
        bad_token.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
        refused = bad_token.get(TASKS_URL)
        assert refused.status_code in (401, 403)
        assert "results" not in refused.json()

    def test_unit_staff_see_only_their_unit_tasks(self, sample):
        api = APIClient()
        api.force_authenticate(MembershipFactory(department=sample.nancheng).user)
        assert numbers(api.get(TASKS_URL)) == [3]
        assert api.get(f"{TASKS_URL}{sample.tasks[1].pk}/").status_code == 404

    def test_user_without_unit_or_permission_sees_no_task(self, sample):
        api = APIClient()
        api.force_authenticate(UserFactory())
        assert numbers(api.get(TASKS_URL)) == []


class TestTaskFilters:
    @pytest.mark.parametrize(
        ("param", "unit", "expected"),
        [
            ("lead", "fagai", [1, 3]),
            ("lead", "nancheng", []),
            ("supporting", "fagai", [2, 5]),
            ("supporting", "dongcheng", [1, 4]),
            ("supporting", "xicheng", [1]),
            ("supporting", "nancheng", [3]),
            ("unit", "fagai", [1, 2, 3, 5]),
            ("unit", "caizheng", [2, 4]),
        ],
    )
    def test_unit_filters(self, client, sample, param, unit, expected):
        assert numbers(client.get(TASKS_URL, {param: getattr(sample, unit).pk})) == expected

    def test_structure_and_flag_filters(self, client, sample):
        assert numbers(client.get(TASKS_URL, {"plan": sample.plan.pk})) == [1, 2, 3, 4, 5]
        assert numbers(client.get(TASKS_URL, {"section": sample.chapter1.pk})) == [1, 2, 3]
        assert numbers(client.get(TASKS_URL, {"section": sample.section11.pk})) == [2, 3]
        assert numbers(client.get(TASKS_URL, {"kind": "vision"})) == [5]
        assert numbers(client.get(TASKS_URL, {"binding": "true"})) == [2]
        assert numbers(client.get(TASKS_URL, {"binding": "false"})) == [1, 3, 4, 5]
        assert numbers(client.get(TASKS_URL, {"deadline_year": 2022})) == [3]
        assert numbers(client.get(TASKS_URL, {"deadline_year": 2035})) == [5]
        assert numbers(client.get(TASKS_URL, {"q": "3"})) == [3]
        assert numbers(client.get(TASKS_URL, {"q": "数字经济"})) == [2]
        assert numbers(client.get(TASKS_URL, {"supporting": sample.fagai.pk, "binding": "true"})) == [2]
        assert numbers(client.get(TASKS_URL, {"ordering": "-number"})) == [5, 4, 3, 2, 1]

    def test_invalid_filter_value_is_a_400(self, client, sample):
        response = client.get(TASKS_URL, {"lead": 999999})
        assert response.status_code == 400
        assert "lead" in response.json()["errors"]
        assert client.get(TASKS_URL, {"kind": "nonsense"}).status_code == 400


class TestTaskRepresentation:
    def test_list_item_shape(self, client, sample):
        rows = {row["number"]: row for row in client.get(TASKS_URL).json()["results"]}
        task2 = rows[2]
        assert task2["section_path"] == ["一、目标定位", "（一）主要目标"]
        assert (task2["kind"], task2["kind_display"], task2["binding"]) == ("indicator", "主要指标", True)
        assert task2["deadline"] == "2025-12-31"
        assert task2["deadline_text"] == "到2025年"
        assert task2["lead"] == [
            {
                "id": sample.gongxin.pk,
                "name": "市工信局",
                "kind": "city_department",
                "as_written": "市工信局",
                "is_placeholder": False,
                "expanded_to": [
                    {"id": sample.nancheng.pk, "name": "南城镇", "kind": "town", "kind_display": "镇"},
                ],
                "effective_units": [
                    {
                        "id": sample.gongxin.pk,
                        "name": "市工信局",
                        "kind": "city_department",
                        "kind_display": "市政府工作部门",
                    }
                ],
            }
        ]
        assert [u["name"] for u in task2["supporting"]] == ["市发改局", "市财政局"]
        assert task2["targets"][0]["value"] == "5.0000"
        assert task2["targets"][0]["direction_display"] == "不低于"

        towns = rows[1]["supporting"][0]
        assert (towns["id"], towns["name"], towns["kind"], towns["is_placeholder"]) == (
            sample.all_towns.pk,
            "各镇办",
            "fixed",
            True,
        )
        assert towns["expanded_to"] == []
        assert [u["name"] for u in towns["effective_units"]] == ["东城街道办", "西城街道办"]

        expanded = rows[4]["supporting"]
        assert [u["name"] for u in expanded[0]["effective_units"]] == ["东城街道办"]
        assert (expanded[1]["name"], expanded[1]["kind"], expanded[1]["effective_units"]) == (
            "市级相关部门",
            "selected",
            [],
        )

        unresolved = rows[5]["lead"][0]
        assert unresolved == {
            "id": None,
            "name": "某某中心",
            "kind": "unresolved",
            "as_written": "某某中心",
            "is_placeholder": False,
            "expanded_to": [],
            "effective_units": [],
        }
        assert rows[3]["milestones"] == [
            {"due_on": "2022-12-31", "text": "到2022年，创建省级示范园区。", "position": 0}
        ]

    def test_retrieve(self, client, sample):
        response = client.get(f"{TASKS_URL}{sample.tasks[3].pk}/")
        assert response.status_code == 200
        body = response.json()
        assert (body["number"], body["plan"], body["section"]) == (3, sample.plan.pk, sample.section11.pk)


class TestPlansAndSections:
    def test_plans(self, client, sample):
        rows = client.get("/api/plans/").json()["results"]
        assert rows == [
            {
                "id": sample.plan.pk,
                "title": "测试市“十四五”规划任务分工方案",
                "issuer": sample.plan.issuer,
                "document_number": "测政办发〔2022〕20号",
                "issued_on": "2022-07-25",
                "period_start": "2021-01-01",
                "period_end": "2025-12-31",
                "vision_year": 2035,
                "task_count": 5,
                "state": "active",
                "closed_at": None,
            }
        ]
        assert client.get(f"/api/plans/{sample.plan.pk}/").json()["task_count"] == 5

    def test_sections_filters(self, client, sample):
        def headings(params) -> list[str]:
            response = client.get("/api/sections/", params)
            assert response.status_code == 200
            return [row["heading"] for row in response.json()["results"]]

        assert headings({"plan": sample.plan.pk}) == ["一、目标定位", "（一）主要目标", "二、重要举措"]
        assert headings({"parent": sample.chapter1.pk}) == ["（一）主要目标"]
        assert headings({"top_level": "true"}) == ["一、目标定位", "二、重要举措"]
        row = client.get(f"/api/sections/{sample.section11.pk}/").json()
        assert (row["parent"], row["task_count"]) == (sample.chapter1.pk, 2)


@pytest.mark.no_rows
def test_openapi_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text(encoding="utf-8")
    for path in ("/api/tasks/", "/api/plans/", "/api/sections/", "/api/departments/", "/api/department-groups/"):
        assert f"{path}:" in schema
    assert "/api/auth/token/:" in schema
    assert "任务列表" in schema
