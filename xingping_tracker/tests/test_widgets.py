"""The Python-rendered select gives the HTML Django's own template-rendered select gives."""

from __future__ import annotations

import pytest
from django import forms

from xingping_tracker.core.widgets import FastSelect

CHOICES = [
    ("", "全部"),
    (1, "一、总体要求"),
    (2, '含<标签>与"引号"&符号'),
    (3, "（三）推进产业<b>升级</b>"),
    ("分组", [(4, "市发改局"), (5, "市工信局")]),
]


@pytest.mark.parametrize("value", [None, "", 2, "3", 5, "不存在"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_section", "class": "wide", "disabled": True, "hidden": False}])
def test_the_html_is_djangos(value, attrs):
    expected = forms.Select(choices=CHOICES).render("section", value, attrs=attrs)
    assert FastSelect(choices=CHOICES).render("section", value, attrs=attrs) == expected


def test_a_form_field_renders_the_same_through_its_bound_field():
    class Plain(forms.Form):
        unit = forms.TypedChoiceField(choices=CHOICES, coerce=int, required=False)

    class Fast(forms.Form):
        unit = forms.TypedChoiceField(choices=CHOICES, coerce=int, required=False, widget=FastSelect)

    data = {"unit": "4"}
    assert str(Fast(data)["unit"]) == str(Plain(data)["unit"])
    assert "<b>" not in str(Fast(data)["unit"])
