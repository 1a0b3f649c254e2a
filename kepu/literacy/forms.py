"""Forms of the literacy pages. They check shapes only; the services check the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kepu.literacy import mapping as colmap
from kepu.literacy import standards as std
from kepu.literacy.models import Instrument, ScoringRuleSet, TargetKind

NOT_USED = ("", "— 不使用 —")


class WaveForm(forms.Form):
    name = forms.CharField(label="名称", max_length=80, help_text="例如：2024年昆山市公民科学素质调查")
    year = forms.IntegerField(label="调查年份", min_value=2000, max_value=2100)
    region = forms.ModelChoiceField(label="调查地区", queryset=None)  # type: ignore[arg-type]
    target_population = forms.CharField(label="调查对象", max_length=60, initial="18—69 岁常住居民")
    instrument = forms.ModelChoiceField(label="测评工具", queryset=Instrument.objects.all())
    rule_set = forms.ModelChoiceField(label="评分规则", queryset=ScoringRuleSet.objects.all(),
                                      help_text="与上一轮次不同时，趋势图上会标注口径变化")
    lonely_psu = forms.ChoiceField(label="单 PSU 层的处理", choices=std.LONELY_PSU_RULES, initial="adjust")
    ci_method = forms.ChoiceField(label="置信区间方法", choices=std.CI_METHODS, initial="beta")
    calibration = forms.ChoiceField(label="权重校准", choices=std.CALIBRATIONS, initial="raking",
                                    help_text="录入人口控制数后生效；标准误计入校准的影响")
    variance_method = forms.ChoiceField(label="方差估计", choices=std.VARIANCE_METHODS, initial="taylor")
    max_cv = forms.DecimalField(label="可发布的最大变异系数", min_value=Decimal("0.01"), max_value=Decimal("5"),
                                decimal_places=2, initial=Decimal("0.30"))
    min_n = forms.IntegerField(label="可发布的最少样本量", min_value=1, initial=30)
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]


class DataFileForm(forms.Form):
    file = forms.FileField(label="样本数据文件", help_text="CSV（UTF-8 或 GBK）、Excel（.xlsx）、SPSS（.sav）或 Parquet；"
                                                        "第一行为列名，每行一名受访者",
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,.sav,.zsav,.parquet"}))


class ExcelForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件")
        return upload


class MappingForm(forms.Form):
    """One select per design/domain role and per item: which column of the file it is."""

    def __init__(self, *args: Any, columns: list[str], item_codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [NOT_USED, *[(c, c) for c in columns]]
        for role in colmap.ROLES:
            self.fields[role.code] = forms.ChoiceField(label=role.label, choices=choices, required=False,
                                                       help_text=role.note)
        for code in item_codes:
            self.fields[colmap.item_role(code)] = forms.ChoiceField(label=code, choices=choices, required=False)
        self.item_codes = item_codes

    def design_fields(self) -> list[Any]:
        return [self[r.code] for r in std.DESIGN_ROLES]

    def domain_fields(self) -> list[Any]:
        return [self[r.code] for r in std.DOMAIN_ROLES]

    def item_fields(self) -> list[Any]:
        return [self[colmap.item_role(c)] for c in self.item_codes]


class MarginForm(forms.Form):
    """Population totals typed in, one field per variable level."""

    def __init__(self, *args: Any, levels: dict[str, list[tuple[str, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.levels = levels
        for variable, options in levels.items():
            for code, label in options:
                self.fields[f"m:{variable}:{code}"] = forms.IntegerField(
                    label=label, min_value=0, required=False,
                    widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": 1}))

    def groups(self) -> list[tuple[str, list[Any]]]:
        return [(std.DOMAIN_LABELS[v], [self[f"m:{v}:{code}"] for code, _ in options])
                for v, options in self.levels.items()]

    def margins(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for variable, options in self.levels.items():
            values = {code: self.cleaned_data.get(f"m:{variable}:{code}") for code, _ in options}
            out[variable] = {code: float(v) for code, v in values.items() if v is not None}
        return out


class InstrumentForm(forms.Form):
    name = forms.CharField(label="名称", max_length=80)
    year = forms.IntegerField(label="版本年份", min_value=2000, max_value=2100)
    rule_kind = forms.ChoiceField(label="适用的评分规则类型", choices=std.RULE_KINDS)
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _score_field(label: str, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=Decimal(0), max_value=Decimal(100), decimal_places=2,
                              required=False, **kwargs)


class RuleSetForm(forms.Form):
    name = forms.CharField(label="名称", max_length=60)
    kind = forms.ChoiceField(label="规则类型", choices=std.RULE_KINDS)
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    unanswered = forms.ChoiceField(label="未作答题目", choices=std.UNANSWERED_POLICIES)
    band_advanced = _score_field("具备高阶（≥ 分）")
    band_literate = _score_field("具备（≥ 分，即合格线）")
    band_basic = _score_field("基本具备（≥ 分）")
    weight_knowledge = _score_field("科学知识 分值")
    weight_method = _score_field("科学方法 分值")
    weight_spirit = _score_field("科学精神与思想 分值")
    weight_application = _score_field("应用科学的能力 分值")
    pass_mark = _score_field("合格线（正确率 %）")
    cutoff_knowledge = _score_field("科学知识 合格线（%）")
    cutoff_method = _score_field("科学方法 合格线（%）")
    cutoff_society = _score_field("科学与社会 合格线（%）")

    def __init__(self, *args: Any, editing: ScoringRuleSet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing is not None:
            self.fields["kind"].disabled = True

    @staticmethod
    def initial_for(rule_set: ScoringRuleSet | None, kind: str = std.NATIONAL_2022) -> dict[str, Any]:
        kind = rule_set.kind if rule_set else kind
        p = {**std.DEFAULT_PARAMETERS[kind], **(rule_set.parameters if rule_set else {})}
        initial: dict[str, Any] = {"kind": kind, "unanswered": p.get("unanswered", std.UNANSWERED_WRONG),
                                   "pass_mark": p.get("pass_mark")}
        if rule_set:
            initial.update(name=rule_set.name, description=rule_set.description)
        for code, value in (p.get("bands") or {}).items():
            initial[f"band_{code}"] = value
        for code, value in (p.get("dimension_weights") or {}).items():
            initial[f"weight_{code}"] = value
        for code, value in (p.get("dimension_cutoffs") or {}).items():
            initial[f"cutoff_{code}"] = value
        return initial

    def parameters(self, kind: str) -> dict[str, Any]:
        d = self.cleaned_data

        def pick(prefix: str, codes: tuple[str, ...]) -> dict[str, float]:
            return {c: float(d[f"{prefix}_{c}"]) for c in codes if d.get(f"{prefix}_{c}") is not None}

        params: dict[str, Any] = {"unanswered": d["unanswered"]}
        if kind == std.NATIONAL_2022:
            params["bands"] = pick("band", ("advanced", "literate", "basic"))
            params["dimension_weights"] = pick("weight", ("knowledge", "method", "spirit", "application"))
        elif kind == std.BENCHMARK_2016:
            params["pass_mark"] = float(d["pass_mark"]) if d.get("pass_mark") is not None else None
        else:
            params["dimension_cutoffs"] = pick("cutoff", ("knowledge", "method", "society"))
        return params


class TargetForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=TargetKind.choices)
    year = forms.IntegerField(label="目标年份", min_value=2000, max_value=2100)
    value = forms.DecimalField(label="目标值（%）", min_value=Decimal("0.01"), max_value=Decimal(100), decimal_places=2)
    source = forms.CharField(label="依据", max_length=120, required=False,
                             help_text="例如：《昆山市全民科学素质行动实施方案（2021—2025年）》")
