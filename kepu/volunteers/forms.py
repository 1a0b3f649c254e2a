"""Forms of the volunteers pages. They check shapes; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from kepu.core.choices import ChoiceSearch
from kepu.core.transitions import EditTokenForm
from kepu.org.public import Region, Unit
from kepu.volunteers.models import TeamLevel, Volunteer, VolunteerTeam

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TeamForm(EditTokenForm):
    name = forms.CharField(label="队伍名称", max_length=100)
    level = forms.ChoiceField(label="层级", choices=TeamLevel.choices)
    parent = forms.ModelChoiceField(label="上级队伍", queryset=VolunteerTeam.objects.none(), required=False,
                                    help_text="支队 > 大队 > 分队；支队可不填",
                                    widget=ChoiceSearch("teams", context={"action": "volunteers.team.view"}))
    unit = forms.ModelChoiceField(label="所属单位", queryset=Unit.objects.none(),
                                  widget=ChoiceSearch("units", context={"action": "volunteers.team.change"}))
    region = forms.ModelChoiceField(label="服务区域", queryset=Region.objects.none(), empty_label="请选择")

    def __init__(self, *args: Any, teams: Any, units: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = teams
        self.fields["unit"].queryset = units
        self.fields["region"].queryset = regions


class VolunteerForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18, min_length=18)
    phone = forms.CharField(label="手机号", max_length=11, min_length=11)
    region = forms.ModelChoiceField(label="所在区域", queryset=Region.objects.none(), empty_label="请选择")
    skills = forms.CharField(label="专长", max_length=200, required=False, help_text="如：医疗卫生、应急救护、农业技术")

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class RegisterForm(forms.Form):
    """Portal registration; the password is asked only of visitors who have no account yet."""

    name = forms.CharField(label="真实姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18, widget=forms.TextInput(
        attrs={"autocomplete": "off", "inputmode": "text", "placeholder": "18 位居民身份证号"}))
    phone = forms.CharField(label="手机号", max_length=11, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "tel", "placeholder": "11 位手机号"}))
    code = forms.CharField(label="短信验证码", max_length=6, required=False, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": "6 位数字"}))
    region = forms.ModelChoiceField(label="所在区域（乡镇/街道）", queryset=Region.objects.none(), empty_label="请选择")
    skills = forms.CharField(label="专长", max_length=200, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "如：医疗卫生、应急救护、农业技术"}))
    password = forms.CharField(label="设置登录密码", strip=False, required=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), help_text="至少 10 位，含大写字母、小写字母、数字、符号中的至少三类；登录名为手机号")
    agree = forms.BooleanField(label="本人承诺所填信息真实，同意平台按规定使用本人信息开展志愿服务管理")

    def __init__(self, *args: Any, regions: Any, needs_password: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        if needs_password:
            self.fields["password"].required = True
        else:
            del self.fields["password"]


class ProfileForm(forms.Form):
    region = forms.ModelChoiceField(label="所在区域", queryset=Region.objects.none(), empty_label="请选择")
    skills = forms.CharField(label="专长", max_length=200, required=False)

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class ActivityForm(forms.Form):
    team = forms.ModelChoiceField(label="组织队伍", queryset=VolunteerTeam.objects.none(),
                                  widget=ChoiceSearch("teams", context={"action": "volunteers.activity.manage"}))
    title = forms.CharField(label="活动名称", max_length=120)
    place = forms.CharField(label="活动地点", max_length=120)
    region = forms.ModelChoiceField(label="活动区域", queryset=Region.objects.none(), empty_label="请选择")
    starts_at = forms.DateTimeField(label="开始时间", widget=_DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label="结束时间", widget=_DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    description = forms.CharField(label="活动内容", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, teams: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["region"].queryset = regions


class HoursForm(forms.Form):
    """Hours an administrator adds by hand: a reason and an evidence note are part of the record."""

    team = forms.ModelChoiceField(label="服务队伍", queryset=VolunteerTeam.objects.none(),
                                  widget=ChoiceSearch("teams", context={"action": "volunteers.hours.add"}))
    volunteer = forms.ModelChoiceField(label="志愿者", queryset=Volunteer.objects.none(),
                                       widget=ChoiceSearch("volunteers", context={"action": "volunteers.volunteer.view"}))
    served_on = forms.DateField(label="服务日期", widget=_DATE)
    hours = forms.DecimalField(label="时长（小时）", min_value=0.5, max_value=24, decimal_places=1,
                               widget=forms.NumberInput(attrs={"step": "0.5"}))
    title = forms.CharField(label="服务内容", max_length=200)
    reason = forms.CharField(label="补录原因", widget=forms.Textarea(attrs={"rows": 2}), max_length=500)
    evidence_note = forms.CharField(label="佐证说明", widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                    max_length=1000, help_text="如：活动签到表（纸质）存档于队部；现场照片 3 张")

    def __init__(self, *args: Any, teams: Any, volunteers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["volunteer"].queryset = volunteers


class NoteForm(forms.Form):
    note = forms.CharField(label="意见", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ObjectionForm(forms.Form):
    name = forms.CharField(label="您的姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=11, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    text = forms.CharField(label="异议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="请说明具体事实，便于核实；您的联系方式仅用于核实，不会公开")


class SignCodeForm(forms.Form):
    code = forms.CharField(label="签到码", max_length=6, min_length=6, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "pattern": "[0-9]{6}", "autocomplete": "off", "placeholder": "6 位数字",
               "class": "form-control form-control-lg text-center kp-code-input"}))


class VerifyForm(forms.Form):
    code = forms.CharField(label="证书查验码", max_length=24, widget=forms.TextInput(
        attrs={"placeholder": "例如 ZY-7KQ4-M2XD-9HPA", "autocomplete": "off"}))


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件")
        return upload
