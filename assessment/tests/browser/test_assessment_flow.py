"""The annual assessment in a real browser: the plan office (desktop) computes 2024's draft,
adjusts a unit's score with a reason and finalises; leadership (phone, 390×844) reads the ranking
with the reasons beside each score. Screenshots in artifacts/browser/assessment-*.jpg."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from assessment.models import Assessment, AssessmentState, UnitResult
from progress.tests.browser.conftest import DESKTOP, PHONE, assert_controls_labelled, assert_no_horizontal_scroll, login

pytestmark = pytest.mark.browser

REASON = "牵头规划中期评估工作成效突出"


def test_plan_office_computes_adjusts_and_finalises_and_leadership_sees_the_ranking(open_page, browser_world, shot):
    world = browser_world
    office = open_page(viewport=DESKTOP)
    login(office, "plan_office")
    office.goto("/assessment/")
    expect(office.get_by_role("heading", level=1)).to_have_text("年度考核（目标责任制考核）")
    assert_controls_labelled(office)
    office.get_by_label("考核年度").select_option(label="2024年")
    office.get_by_role("button", name="计算草稿").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("2024年度目标责任制考核")
    expect(office.locator("#assess-state")).to_have_text("草稿")
    fagai = office.locator("#assess-results tr[data-unit]").filter(has_text="市发改局")
    expect(fagai).to_have_count(1)
    before = UnitResult.objects.get(department=world.fagai).score
    shot(office, "assessment-01-draft")

    adjust = office.locator("#assess-adjust")
    adjust.get_by_label("单位").select_option(label="市发改局")
    adjust.get_by_label("调整分值").fill("2")
    adjust.get_by_role("button", name="调整").click()  # no reason: refused, nothing written
    expect(office.get_by_role("status")).to_contain_text("调整分数必须写明理由。")
    adjust = office.locator("#assess-adjust")
    adjust.get_by_label("单位").select_option(label="市发改局")
    adjust.get_by_label("调整分值").fill("2")
    adjust.get_by_label("理由（必填）").fill(REASON)
    adjust.get_by_role("button", name="调整").click()
    expect(office.get_by_role("status")).to_contain_text("已调整分数")
    expect(office.locator("#assess-adjustments")).to_contain_text(REASON)
    after = UnitResult.objects.get(department=world.fagai).score
    assert after == before + Decimal(2)
    expect(
        office.locator("#assess-results tr[data-unit]").filter(has_text="市发改局").locator(".assess-score")
    ).to_have_text(str(after))

    office.get_by_role("button", name="定稿（冻结结果）").click()
    expect(office.get_by_role("status")).to_contain_text("已定稿")
    expect(office.locator("#assess-state")).to_have_text("已定稿")
    expect(office.locator("#assess-adjust")).to_have_count(0)
    shot(office, "assessment-02-finalised")
    assert Assessment.objects.get().state == AssessmentState.FINALISED

    leader = open_page(viewport=PHONE)
    login(leader, "leader")
    leader.goto("/assessment/")
    leader.get_by_role("link", name="2024年度").click()
    expect(leader.get_by_role("heading", name="各单位排名")).to_be_visible()
    row = leader.locator("#assess-results tr[data-unit]").filter(has_text="市发改局")
    expect(row.locator(".assess-score")).to_have_text(str(after))
    leader.locator("#assess-results details").first.wait_for()
    reasons = leader.locator("#assess-results .assess-reasons").filter(has_text=REASON)
    expect(reasons).to_have_count(1)
    reasons.locator("summary").click()
    expect(reasons).to_contain_text("规划科调整+2分")
    expect(leader.get_by_role("button", name="定稿（冻结结果）")).to_have_count(0)
    assert_no_horizontal_scroll(leader)
    shot(leader, "assessment-03-leader-phone")
