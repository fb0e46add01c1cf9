from __future__ import annotations

from django import forms
from django.conf import settings

ALLOWED_SUFFIXES = (".txt", ".docx")


class ReportUploadForm(forms.Form):
    title = forms.CharField(label="方案名称", max_length=300, help_text="如：兴平市2025年重点工作任务分工方案")
    year = forms.IntegerField(
        label="年度", required=False, min_value=2000, max_value=2100, help_text="报告未写明年度时填写"
    )
    report = forms.FileField(label="政府工作报告", help_text="支持 .txt（UTF-8 或 GBK）和 .docx")

    def clean_report(self):
        upload = self.cleaned_data["report"]
        if not (upload.name or "").lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError("只能上传 .txt 或 .docx 文件。旧版 .doc 请先另存为 .docx。")
        if upload.size > settings.PLAN_UPLOAD_MAX_BYTES:
            limit = settings.PLAN_UPLOAD_MAX_BYTES // 1024 // 1024
            raise forms.ValidationError(f"文件过大（{upload.size / 1024 / 1024:.1f} MB），上限为 {limit} MB。")
        return upload


class DraftTaskForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput)
    included = forms.BooleanField(label="纳入方案", required=False)
    text = forms.CharField(label="任务内容", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    lead = forms.CharField(label="牵头单位", required=False, max_length=300)
    supporting = forms.CharField(label="配合单位", required=False, max_length=1000)


DraftTaskFormSet = forms.formset_factory(DraftTaskForm, extra=0)
