"""The pages, the API and the Excel export of the assessment: who sees what, and they agree."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from assessment.compute import GRADE_LABELS, NOT_GRADED_LABEL
from assessment.models import Assessment, AssessmentState, UnitResult
from assessment.services import compute_draft, finalise, publish
from assessment.tests.test_xingping import TODAY, enter

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft(xingping):
    [rd] = xingping.tasks[46].targets.all()
    enter(rd, year=2024, value="2.3")
    return compute_draft(plan_id=xingping.plan.pk, year=2024, user=xingping.plan_office, today=TODAY)


def workbook_rows(response) -> list[tuple]:
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["考核结果"]
    assert "2024年度目标责任制考核结果" in sheet["A1"].value
    assert [c.value for c in sheet[3]][:3] == ["名次", "单位", "牵头任务"]
    assert "A1:L1" in {str(r) for r in sheet.merged_cells.ranges}  # the official merged title
    assert sheet.freeze_panes == "A4"
    assert book["计算明细"].max_row > 4
    return [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=4)]


def test_the_page_the_api_and_the_excel_agree(xingping, draft, django_assert_max_num_queries):
    office = client_for(xingping.plan_office)
    api = office.get(f"/api/assessments/{draft.pk}/").json()
    with django_assert_max_num_queries(15):
        page = office.get(f"/assessment/{draft.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    rows = workbook_rows(office.get(f"/assessment/{draft.pk}/export/"))
    stored = list(UnitResult.objects.filter(assessment=draft))
    assert len(api["results"]) == len(rows) == len(stored) > 30
    by_name = {row[1]: row for row in rows}
    for item in api["results"]:
        row = by_name[item["department_name"]]
        score = None if item["score"] is None else Decimal(item["score"])
        assert row[0] == item["rank"]
        assert (None if row[8] is None else Decimal(str(row[8]))) == score
        assert row[9] == item["grade_label"]
        assert row[10] == ("是" if item["veto"] else "否")
        assert f'data-unit="{item["department"]}"' in html
    fagai = next(i for i in api["results"] if i["department"] == xingping.fagai.pk)
    assert fagai["grade_label"] == "优秀" and fagai["bonus"] == "2.00"
    assert "特别突出" in by_name["市发改局"][11]
    assert any("远景目标提前11年实现" in line for line in [x["text"] for x in fagai["lines"]])
    assert "远景目标提前11年实现" in html


def test_the_plan_office_computes_adjusts_and_finalises_through_the_pages(xingping):
    office = client_for(xingping.plan_office)
    home = office.get("/assessment/")
    assert home.status_code == 200 and "计算草稿" in home.content.decode()
    response = office.post("/assessment/compute/", {"plan": xingping.plan.pk, "year": "2030"})
    assert response.status_code == 302
    assert "考核年度应在规划期2021—2025年内" in office.get(response["Location"]).content.decode()
    assert not Assessment.objects.exists()
    response = office.post("/assessment/compute/", {"plan": xingping.plan.pk, "year": "2024"})
    assessment = Assessment.objects.get()
    assert response["Location"] == f"/assessment/{assessment.pk}/"
    response = office.post(
        f"/assessment/{assessment.pk}/adjust/", {"department": xingping.fagai.pk, "delta": "2", "reason": ""}
    )
    assert "调整分数必须写明理由。" in office.get(response["Location"]).content.decode()
    office.post(
        f"/assessment/{assessment.pk}/adjust/",
        {"department": xingping.fagai.pk, "delta": "2", "reason": "专项工作突出"},
    )
    assert UnitResult.objects.get(assessment=assessment, department=xingping.fagai).adjustment == Decimal("2.00")
    office.post(f"/assessment/{assessment.pk}/finalise/")
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.FINALISED
    response = office.post(
        f"/assessment/{assessment.pk}/adjust/", {"department": xingping.fagai.pk, "delta": "1", "reason": "再调"}
    )
    assert "不能调整分数" in office.get(response["Location"]).content.decode()
    assert UnitResult.objects.get(assessment=assessment, department=xingping.fagai).adjustment == Decimal("2.00")


def test_who_sees_what(xingping, draft):
    clerk, leader = client_for(xingping.fagai_clerk), client_for(xingping.leader)
    # A draft is the plan office's only.
    assert clerk.get(f"/assessment/{draft.pk}/").status_code == 404
    assert leader.get(f"/api/assessments/{draft.pk}/").status_code == 404
    assert leader.get("/api/assessments/").json() == []
    assert leader.post(f"/api/assessments/{draft.pk}/finalise/").status_code == 404
    finalise(assessment_id=draft.pk, user=xingping.plan_office)
    # Finalised: leadership reads the ranking with reasons, a unit its own result only.
    ranking = leader.get(f"/api/assessments/{draft.pk}/").json()
    assert ranking["scope"] == "ranking" and len(ranking["results"]) > 30
    assert leader.post(f"/api/assessments/{draft.pk}/publish/").status_code == 403
    own = clerk.get(f"/api/assessments/{draft.pk}/").json()
    assert own["scope"] == "own" and [r["department"] for r in own["results"]] == [xingping.fagai.pk]
    page = clerk.get(f"/assessment/{draft.pk}/").content.decode()
    assert "本单位考核结果" in page and page.count('data-unit="') == 1
    rows = workbook_rows(clerk.get(f"/assessment/{draft.pk}/export/"))
    assert [row[1] for row in rows] == ["市发改局"]
    # Published: every unit reads the ranking.
    publish(assessment_id=draft.pk, user=xingping.plan_office)
    assert clerk.get(f"/api/assessments/{draft.pk}/").json()["scope"] == "ranking"
    assert "各单位排名" in clerk.get(f"/assessment/{draft.pk}/").content.decode()


def test_the_api_computes_adjusts_finalises_and_publishes(xingping):
    office = client_for(xingping.plan_office)
    response = office.post(
        "/api/assessments/", {"plan": xingping.plan.pk, "year": 2026}, content_type="application/json"
    )
    assert response.status_code == 400 and "规划期2021—2025年内" in response.json()["detail"]
    response = office.post(
        "/api/assessments/", {"plan": xingping.plan.pk, "year": 2024}, content_type="application/json"
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert (
        office.post(
            "/api/assessments/", {"plan": xingping.plan.pk, "year": 2024}, content_type="application/json"
        ).status_code
        == 200
    )
    response = office.post(
        f"/api/assessments/{pk}/adjust/",
        {"department": xingping.fagai.pk, "delta": "-1.5", "reason": ""},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["detail"] == "调整分数必须写明理由。"
    response = office.post(
        f"/api/assessments/{pk}/adjust/",
        {"department": xingping.fagai.pk, "delta": "-1.5", "reason": "数据报送不及时"},
        content_type="application/json",
    )
    assert response.status_code == 200
    [adjustment] = response.json()["adjustments"]
    assert adjustment["reason"] == "数据报送不及时" and adjustment["created_by"] == "plan_office"
    assert office.post(f"/api/assessments/{pk}/publish/").status_code == 409
    assert office.post(f"/api/assessments/{pk}/finalise/").json()["state"] == "finalised"
    response = office.post(
        f"/api/assessments/{pk}/adjust/",
        {"department": xingping.fagai.pk, "delta": "1", "reason": "再调"},
        content_type="application/json",
    )
    assert response.status_code == 409 and "已定稿" in response.json()["detail"]
    compared = office.get(f"/api/assessments/{pk}/?compare=true").json()
    assert compared["differences"] == []
    assert office.post(f"/api/assessments/{pk}/publish/").json()["state"] == "published"


def test_the_schema_documents_the_assessment_api(xingping):
    schema = client_for(xingping.plan_office).get("/api/schema/").content.decode()
    for words in (
        "/api/assessments/{id}/adjust/",
        "/api/assessments/{id}/finalise/",
        "/api/assessments/{id}/publish/",
        "年度考核",
        "计算年度考核草稿",
    ):
        assert words in schema


def test_grade_labels_cover_every_stored_grade(xingping, draft):
    grades = set(UnitResult.objects.filter(assessment=draft).values_list("grade", flat=True))
    assert grades <= {*GRADE_LABELS, "not_graded"} and NOT_GRADED_LABEL == "不定等"


def test_the_nav_links_the_assessment_for_every_role_with_a_page(xingping):
    for user in (xingping.plan_office, xingping.leader, xingping.fagai_clerk):
        assert 'href="/assessment/"' in client_for(user).get("/assessment/").content.decode()


def test_each_plan_offers_its_own_years_to_assess(xingping):
    """With the 十五五 plan beside the 十四五 one, each plan's form lists its own years."""
    import datetime as dt
    import re

    from tasks.models import Plan

    next_plan = Plan.objects.create(
        title="兴平市十五五规划任务分工方案",
        document_number="兴政发〔2026〕1号",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2030, 12, 31),
    )
    html = client_for(xingping.plan_office).get("/assessment/").content.decode()
    forms = re.findall(r'<form method="post" action="/assessment/compute/".*?</form>', html, re.S)
    years_by_plan = {
        int(re.search(r'name="plan" value="(\d+)"', form).group(1)): re.findall(r'<option value="(\d{4})"', form)
        for form in forms
    }
    assert years_by_plan[next_plan.pk] == ["2026", "2027", "2028", "2029", "2030"]
    assert years_by_plan[xingping.plan.pk] == ["2021", "2022", "2023", "2024", "2025"]


def rules_form(**changes: str) -> dict[str, str]:
    """The 考核规则 form as the page shows it for 兴平's rules, with ``changes``."""
    from assessment.rules import DECIMAL_FIELDS, XINGPING_RULES
    from assessment.views import BOOLEAN_FIELDS

    rules = XINGPING_RULES
    data = {f"weight_{kind}": str(weight) for kind, weight in rules.weights.items()}
    data.update({name: str(getattr(rules, name)) for name in DECIMAL_FIELDS})
    data["outstanding_years_early"] = str(rules.outstanding_years_early)
    data["grading"] = rules.grading
    data.update({name: "on" for name in BOOLEAN_FIELDS if getattr(rules, name)})
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_plan_office_changes_the_rules_on_their_page_and_the_next_draft_uses_them(xingping):
    from assessment.models import RuleSet
    from assessment.selectors import plan_rules

    office = client_for(xingping.plan_office)
    url = f"/assessment/rules/{xingping.plan.pk}/"
    page = office.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="weight_indicator" value="40"' in html and 'name="rate_cap" value="1.2"' in html
    assert f'href="{url}"' in office.get("/assessment/").content.decode()  # linked from 年度考核
    # Weights that do not add up: the Chinese reason, the typed values kept, nothing written.
    refused = office.post(url, rules_form(weight_indicator="45"))
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "各类任务权重之和应为100，现为105" in text and 'name="weight_indicator" value="45"' in text
    assert not RuleSet.objects.exists()
    assert office.post(url, rules_form(rate_cap="abc")).status_code == 400
    assert "完成率计分上限应为数字" in office.post(url, rules_form(rate_cap="abc")).content.decode()
    assert not RuleSet.objects.exists()
    # Valid rules are stored and the next draft is computed with them.
    saved = office.post(url, rules_form(weight_indicator="50", weight_measure="40", score_supporting="on"))
    assert saved.status_code == 302 and saved["Location"] == url
    rules = plan_rules(xingping.plan)
    assert rules.weights["indicator"] == Decimal(50) and rules.score_supporting is True
    assert "已保存考核规则" in office.get(url).content.decode()
    draft = compute_draft(plan_id=xingping.plan.pk, year=2024, user=xingping.plan_office, today=TODAY)
    assert draft.rules["weights"]["indicator"] == "50" and draft.rules["score_supporting"] is True
    # Unchecking a box turns the rule off.
    office.post(url, rules_form(binding_veto=None))
    assert plan_rules(xingping.plan).binding_veto is False


def test_only_the_plan_office_opens_the_rules(xingping):
    url = f"/assessment/rules/{xingping.plan.pk}/"
    for user in (xingping.leader, xingping.fagai_clerk):
        assert client_for(user).get(url).status_code == 403
        assert client_for(user).post(url, rules_form()).status_code == 403
    assert client_for(xingping.plan_office).get("/assessment/rules/999999/").status_code == 404
