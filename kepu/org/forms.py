from __future__ import annotations

from typing import Any

from django import forms

from kepu.core.choices import ChoiceSearch
from kepu.core.roles import Role
from kepu.core.transitions import EditTokenForm
from kepu.core.validators import validate_credit_code, validate_phone_number
from kepu.org.models import Region, RegionLevel, Unit, UnitKind, User


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label="密码", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TotpForm(forms.Form):
    code = forms.CharField(label="动态口令", max_length=8,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(label="新密码", strip=False, widget=forms.PasswordInput,
                                   help_text="至少 10 位，含大写字母、小写字母、数字、符号中的至少三类")
    new_password2 = forms.CharField(label="确认新密码", strip=False, widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件")
        return upload


MEMBERSHIP_CHOICES = [("", "请选择"), ("True", "是（领导小组成员单位）"), ("False", "否")]


def membership_field() -> forms.TypedChoiceField:
    """Whether a new unit belongs to the leading group: always the user's explicit choice, never a default
    (a unit made a member by accident enters the dispatch list, the counts and the assessment)."""
    return forms.TypedChoiceField(label="是否成员单位", choices=MEMBERSHIP_CHOICES, coerce=lambda v: v == "True",
                                  empty_value=None, error_messages={"required": "请选择是否为领导小组成员单位"})


def unit_kind_field() -> forms.ChoiceField:
    return forms.ChoiceField(label="类别", choices=[("", "请选择类别"), *UnitKind.choices],
                             error_messages={"required": "请选择单位类别"})


class UnitForm(EditTokenForm):
    name = forms.CharField(label="单位名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=40, required=False)
    kind = unit_kind_field()
    region = forms.ModelChoiceField(label="所属区划", queryset=Region.objects.none())
    parent = forms.ModelChoiceField(label="上级单位", queryset=Unit.objects.none(), required=False,
                                    widget=ChoiceSearch("units", context={"action": "org.unit.view"}))
    is_member = membership_field()
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False,
                                  validators=[validate_credit_code])
    contact_phone = forms.CharField(label="办公电话", max_length=30, required=False,
                                    validators=[validate_phone_number])
    sort_order = forms.IntegerField(label="排序", min_value=0, initial=100)

    def __init__(self, *args: Any, regions: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["parent"].queryset = units


class AliasForm(forms.Form):
    name = forms.CharField(label="别名", max_length=100)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 2}), max_length=500)


class UserForm(forms.Form):
    username = forms.RegexField(label="登录名", max_length=150, regex=r"^[A-Za-z0-9_.@-]+$",
                                error_messages={"invalid": "登录名只能包含字母、数字和 _ . @ -"})
    display_name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="手机号", max_length=20, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    unit = forms.ModelChoiceField(label="所属单位", queryset=Unit.objects.none(), required=False,
                                  widget=ChoiceSearch("units", context={"action": "org.unit.view"}))
    region = forms.ModelChoiceField(label="管辖区划", queryset=Region.objects.none(), required=False,
                                    help_text="区县/乡镇管理员填写；不填则取所属单位的区划")
    roles = forms.MultipleChoiceField(label="角色", choices=Role.choices, widget=forms.CheckboxSelectMultiple,
                                      required=False)
    password = forms.CharField(label="初始密码", strip=False, widget=forms.PasswordInput, required=False,
                               help_text="新建账号时必填；用户首次登录须修改")

    def __init__(self, *args: Any, units: Any, regions: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["region"].queryset = regions
        if creating:
            self.fields["password"].required = True
        else:
            del self.fields["password"]
            self.fields["username"].disabled = True


class RegionForm(forms.Form):
    code = forms.RegexField(label="区划代码", regex=r"^\d{12}$", error_messages={"invalid": "应为 12 位数字"})
    name = forms.CharField(label="名称", max_length=60)
    level = forms.ChoiceField(label="层级", choices=RegionLevel.choices)
    parent = forms.ModelChoiceField(label="上级区划", queryset=Region.objects.all(), required=False)


class TokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=60, help_text="例如：统计数据对接")


def user_initial(user: User) -> dict[str, Any]:
    return {"username": user.username, "display_name": user.display_name, "phone": user.phone,
            "email": user.email, "unit": user.unit_id, "region": user.region_id, "roles": sorted(user.role_codes)}
