"""Forms of the plan ledger's pages: they parse and check input; the services decide and write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kepu.core.choices import ChoiceSearch, ChoiceSearchMultiple
from kepu.core.registry import indicator_providers
from kepu.core.transitions import EditTokenForm
from kepu.org.public import Region, Unit, membership_field, unit_kind_field
from kepu.plans.models import (
    REPORT_PROBLEMS_MAX_LENGTH,
    REPORT_TEXT_MAX_LENGTH,
    Aggregation,
    AlertRule,
    AutoMetric,
    Direction,
    IndicatorSource,
    Plan,
    PlanKind,
    ReportingCycle,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="方案文件（.docx 或 .txt）", required=False)
    text = forms.CharField(label="或粘贴方案全文", required=False,
                           widget=forms.Textarea(attrs={"rows": 10, "placeholder": "从网页或 Word 中复制方案全文粘贴到这里"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is None and not (data.get("text") or "").strip():
            raise forms.ValidationError("请上传 .docx / .txt 文件，或粘贴方案全文")
        if upload is not None and upload.size > 10 * 1024 * 1024:
            self.add_error("file", "文件不能超过 10MB")
        return data


class PlanSettingsForm(forms.Form):
    title = forms.CharField(label="方案名称", max_length=200)
    kind = forms.ChoiceField(label="类别", choices=PlanKind.choices)
    start_year = forms.IntegerField(label="起始年度", min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label="截止年度", min_value=2000, max_value=2100)
    reporting_cycle = forms.ChoiceField(label="填报周期", choices=ReportingCycle.choices)
    reporting_from = forms.DateField(label="填报起始日期", widget=DATE,
                                     help_text="此日期之前结束的填报期不要求填报")


class PlanForm(PlanSettingsForm):
    report_due_days = forms.IntegerField(label="填报截止（期末后天数）", min_value=0, max_value=60)
    issuer = forms.CharField(label="印发单位", max_length=100, required=False)
    document_number = forms.CharField(label="文号", max_length=60, required=False)
    is_published = forms.BooleanField(label="在公众门户公开方案摘要", required=False)
    is_archived = forms.BooleanField(label="已归档（不再计算预警、不再提醒）", required=False)
    is_default = forms.BooleanField(label="驾驶舱默认显示此方案", required=False,
                                    help_text="驾驶舱、工作台未选择方案时显示它；导入新方案不会改变默认方案")


def plan_initial(plan: Plan) -> dict[str, Any]:
    return {f: getattr(plan, f) for f in PlanForm.base_fields}


class MapUnitForm(forms.Form):
    written = forms.CharField(widget=forms.HiddenInput)
    unit = forms.ModelChoiceField(label="对应的已有单位", queryset=Unit.objects.none(), empty_label="请选择单位")

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.filter(is_active=True)


class CreateUnitForm(forms.Form):
    written = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label="单位全称", max_length=100)
    region = forms.ModelChoiceField(label="所属区划", queryset=Region.objects.none(), empty_label=None)
    kind = unit_kind_field()
    is_member = membership_field()

    def __init__(self, *args: Any, regions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Region.objects.filter(is_active=True)


class CommitForm(forms.Form):
    allow_duplicate = forms.BooleanField(label="已核对，仍然导入", required=False)


class AlertRuleForm(forms.ModelForm):
    class Meta:
        model = AlertRule
        fields = ["yellow_days_before_deadline", "yellow_lag_points", "red_lag_points", "red_when_overdue",
                  "red_late_report_days", "participants_report", "remind_days_before", "escalate_after_days",
                  "escalation_repeat_days"]


_TASK_UNITS = {"action": "plans.task.change"}


class TaskForm(EditTokenForm):
    number = forms.CharField(label="序号", max_length=20, required=False)
    title = forms.CharField(label="任务", max_length=300)
    body = forms.CharField(label="任务内容", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    deadline = forms.DateField(label="完成时限", required=False, widget=DATE, help_text="不填则为方案截止年度年底")
    lead_units = forms.ModelMultipleChoiceField(label="牵头单位", queryset=Unit.objects.none(),
                                                widget=ChoiceSearchMultiple("units", context=_TASK_UNITS))
    participating_units = forms.ModelMultipleChoiceField(label="参与单位", queryset=Unit.objects.none(),
                                                         required=False,
                                                         widget=ChoiceSearchMultiple("units", context=_TASK_UNITS))
    reason = forms.CharField(label="修改说明", max_length=200, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_units"].queryset = units
        self.fields["participating_units"].queryset = units


class ReportForm(forms.Form):
    progress = forms.IntegerField(label="累计进度（%）", min_value=0, max_value=100)
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 6}), required=False,
                           max_length=REPORT_TEXT_MAX_LENGTH,
                           help_text=f"主要做法、完成情况、取得成效（提交时必填，不超过 {REPORT_TEXT_MAX_LENGTH} 字）")
    problems = forms.CharField(label="存在问题及下步打算", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                               max_length=REPORT_PROBLEMS_MAX_LENGTH)
    files = MultipleFileField(label="佐证材料", required=False,
                              help_text="可多选；支持 PDF、Word、Excel、图片、压缩包，单个不超过 20MB")

    def __init__(self, *args: Any, indicators: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator_fields = []
        for indicator in indicators:
            name = f"figure_{indicator.pk}"
            self.fields[name] = forms.DecimalField(
                label=f"{indicator.name}（{indicator.unit_of_measure or '数值'}）", required=False, max_digits=16,
                decimal_places=4, min_value=None if indicator.allows_negative else 0,
                error_messages={"min_value": f"指标「{indicator.name}」不能为负数"}, help_text=f"目标 {indicator.target_label}" + (
                    "（每年）" if indicator.annual else f"（{indicator.target_year}年）" if indicator.target_year else ""))
            self.indicator_fields.append(name)

    def figures(self) -> dict[int, Decimal | None]:
        return {int(name.split("_")[1]): self.cleaned_data.get(name) for name in self.indicator_fields}


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class CorrectionForm(forms.Form):
    # Not required here: the service refuses a blank reason with its own message.
    reason = forms.CharField(label="更正原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                             required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label="审核意见", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
                           required=False)


class OrderForm(forms.Form):
    unit = forms.ModelChoiceField(label="承办单位", queryset=Unit.objects.none(),
                                  widget=ChoiceSearch("order-units"))
    requirement = forms.CharField(label="督办事项及要求", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    due_date = forms.DateField(label="办理时限", widget=DATE)

    def __init__(self, *args: Any, units: Any, task_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].widget.context = {"task": task_id}


class AnswerForm(forms.Form):
    answer = forms.CharField(label="办理情况", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class CloseForm(forms.Form):
    note = forms.CharField(label="办结意见", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


def provider_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(code, f"{p.label}（{p.unit_of_measure}）") for code, p in indicator_providers().items()]


class IndicatorForm(forms.Form):
    name = forms.CharField(label="指标", max_length=200)
    unit_of_measure = forms.CharField(label="计量单位", max_length=20, required=False)
    baseline = forms.DecimalField(label="基期值", required=False, max_digits=16, decimal_places=4)
    target = forms.DecimalField(label="目标值", max_digits=16, decimal_places=4)
    target_year = forms.IntegerField(label="目标年度", required=False, min_value=2000, max_value=2100)
    annual = forms.BooleanField(label="每年目标", required=False)
    direction = forms.ChoiceField(label="方向", choices=Direction.choices)
    source = forms.ChoiceField(label="实际值来源", choices=IndicatorSource.choices)
    provider_code = forms.ChoiceField(label="平台数据项", required=False, choices=())
    aggregation = forms.ChoiceField(label="多单位填报时", choices=Aggregation.choices)
    allows_negative = forms.BooleanField(label="可为负数", required=False,
                                         help_text="如增长率、变化量；人数、比例等不能为负")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider_code"].choices = provider_choices()


class IndicatorValueForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    value = forms.DecimalField(label="数值", max_digits=16, decimal_places=4)


class RubricForm(forms.Form):
    plan = forms.ModelChoiceField(label="考核依据方案", queryset=Plan.objects.none(), empty_label=None)
    year = forms.IntegerField(label="考核年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="名称", max_length=200, required=False, help_text="不填则自动生成")
    excellent_min = forms.DecimalField(label="优秀（≥分）", initial=90, max_digits=5, decimal_places=1)
    good_min = forms.DecimalField(label="良好（≥分）", initial=80, max_digits=5, decimal_places=1)
    pass_min = forms.DecimalField(label="合格（≥分）", initial=60, max_digits=5, decimal_places=1)

    def __init__(self, *args: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans


class RubricItemForm(forms.Form):
    title = forms.CharField(label="考核项目", max_length=200)
    points = forms.DecimalField(label="分值", max_digits=5, decimal_places=1, min_value=Decimal("0.5"))
    auto_metric = forms.ChoiceField(label="计分方式", required=False,
                                    choices=[("", "人工评分"), *AutoMetric.choices])
    evidence_required = forms.BooleanField(label="须提供佐证", required=False)
    description = forms.CharField(label="评分标准", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AdjustForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    points = forms.DecimalField(label="得分", max_digits=5, decimal_places=2, min_value=0)
    note = forms.CharField(label="评分依据及佐证", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LedgerImportForm(forms.Form):
    file = forms.FileField(label="台账 Excel 文件（.xlsx）")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件")
        return upload
