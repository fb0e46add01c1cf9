"""Forms of the unit staff's pages. They parse what was posted (types, required fields); the rules
of the domain (percent range, actuals matching their state …) are the services' to check, so the
page and the API give the same answers."""

from __future__ import annotations

from django import forms

from progress.models import ActualState, ProgressStatus
from progress.services.reports import ActualInput, ReportInput

REPORT_ACTIONS = {"save": "保存草稿", "submit": "保存并报送"}


class ReportForm(forms.Form):
    progress_status = forms.ChoiceField(label="推进状态", choices=ProgressStatus.choices)
    percent = forms.IntegerField(
        label="完成进度（%）",
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "inputmode": "numeric"}),
        error_messages={"invalid": "完成进度请填写0到100之间的整数，或留空。"},
    )
    # Short boxes (they grow as one types): the texts, status and actuals fit a phone's screen.
    progress_text = forms.CharField(label="进展情况", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    problems_text = forms.CharField(label="存在问题", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_steps_text = forms.CharField(label="下步打算", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    action = forms.ChoiceField(choices=list(REPORT_ACTIONS.items()), required=False)

    def __init__(self, *args, lead: bool = True, **kwargs):
        kwargs.setdefault("auto_id", "id_%s")
        super().__init__(*args, **kwargs)
        if not lead:  # a supporting unit reports its part; the task's 完成进度 is the lead unit's to give
            del self.fields["percent"]
        self.fields["progress_status"].error_messages["required"] = "请选择推进状态。"
        self.fields["version"].error_messages = {
            "required": "缺少报告版本号，请重新打开报告后再保存。",
            "invalid": "报告版本号有误，请重新打开报告后再保存。",
            "min_value": "报告版本号有误，请重新打开报告后再保存。",
        }


class ActualForm(forms.Form):
    """One target's actual value; prefixed ``actual-<target id>``."""

    state = forms.ChoiceField(label="填报状态", choices=ActualState.choices, initial=ActualState.REPORTED)
    value = forms.DecimalField(
        label="实际值",
        required=False,
        max_digits=20,
        decimal_places=4,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": "实际值请填写数字。"},
    )
    data_date = forms.DateField(
        label="数据截至日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "日期格式应为 2024-06-30。"},
    )
    note = forms.CharField(label="说明", required=False, max_length=300)

    def to_input(self, target_id: int) -> ActualInput:
        data = self.cleaned_data
        note = (data["note"] or "").strip()
        reported = data["state"] == ActualState.REPORTED
        # The date comes filled in (the period's end): a row without a value or a note is left blank.
        blank = reported and data["value"] is None and not note
        return ActualInput(
            target_id=target_id,
            state=data["state"],
            value=data["value"] if reported else None,
            data_date=None if blank else data["data_date"],
            note=note,
        )


def report_input(form: ReportForm, actual_forms: dict[int, ActualForm] | None) -> ReportInput:
    data = form.cleaned_data
    return ReportInput(
        progress_status=data["progress_status"],
        percent=data.get("percent"),
        progress_text=data["progress_text"],
        problems_text=data["problems_text"],
        next_steps_text=data["next_steps_text"],
        actuals=None
        if actual_forms is None
        else [actual_form.to_input(target_id) for target_id, actual_form in actual_forms.items()],
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label="佐证材料", error_messages={"required": "请选择要上传的文件。"})


class ExtensionRequestForm(forms.Form):
    requested_deadline = forms.DateField(
        label="申请延期至",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写申请延期至的日期。", "invalid": "日期格式应为 2026-06-30。"},
    )
    reason = forms.CharField(
        label="延期理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "请说明申请延期的理由。"},
    )
