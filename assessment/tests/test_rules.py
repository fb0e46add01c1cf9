"""The rules as data: 兴平's defaults, and every bad rule a Chinese error with nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assessment.models import RuleSet
from assessment.rules import XINGPING_RULES, rules_from_data, validate_rules
from assessment.services import save_rules
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode


def test_the_xingping_defaults_are_valid_and_read_from_the_plan():
    validate_rules(XINGPING_RULES)
    assert sum(XINGPING_RULES.weights.values()) == 100
    assert XINGPING_RULES.binding_veto and XINGPING_RULES.outstanding_is_excellent
    assert rules_from_data(XINGPING_RULES.to_data()) == XINGPING_RULES


def test_weights_that_do_not_add_up_are_refused():
    with pytest.raises(ApplicationError) as caught:
        rules_from_data({"weights": {"indicator": 40, "measure": 40, "positioning": 10, "vision": 0}})
    assert caught.value.code == ErrorCode.INVALID
    assert "各类任务权重之和应为100，现为90" in caught.value.message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"excellent": 80, "good": 85}, "分数线应满足"),
        ({"fair": -1}, "分数线应满足"),
        ({"weights": {"measure": 100, "other": 0}}, "未知的任务类别"),
        ({"deduction_cap": "五"}, "扣分上限应为数字"),
        ({"grading": "lottery"}, "定等方式"),
        ({"rate_cap": "0.8"}, "完成率计分上限不能低于1"),
        ({"excellent_quota": 120}, "优秀比例应在0到100之间"),
        ({"colour": "red"}, "无法识别的项"),
    ],
)
def test_bad_rules_are_refused_in_chinese(data, words):
    with pytest.raises(ApplicationError) as caught:
        rules_from_data(data)
    assert words in caught.value.message


@pytest.mark.django_db
def test_saving_bad_rules_writes_nothing_and_good_ones_are_kept(xingping):
    with pytest.raises(ApplicationError):
        save_rules(plan_id=xingping.plan.pk, data={"weights": {"measure": 99}}, user=xingping.plan_office)
    assert not RuleSet.objects.exists()
    save_rules(plan_id=xingping.plan.pk, data={"bonus_cap": "8"}, user=xingping.plan_office)
    from assessment.selectors import plan_rules

    assert plan_rules(xingping.plan).bonus_cap == Decimal(8)


@pytest.mark.django_db
def test_only_the_plan_office_saves_rules(xingping):
    with pytest.raises(ApplicationError) as caught:
        save_rules(plan_id=xingping.plan.pk, data={}, user=xingping.leader)
    assert caught.value.code == ErrorCode.PERMISSION_DENIED


@pytest.mark.django_db
def test_the_admin_form_refuses_bad_rules_in_chinese(xingping):
    from assessment.admin import RuleSetForm

    form = RuleSetForm(data={"plan": xingping.plan.pk, "data": '{"weights": {"measure": 50}}'})
    assert not form.is_valid()
    assert "各类任务权重之和应为100" in str(form.errors["data"])
    good = RuleSetForm(data={"plan": xingping.plan.pk, "data": '{"bonus_cap": 6}'})
    assert good.is_valid(), good.errors
    assert good.cleaned_data["data"]["bonus_cap"] == "6"
