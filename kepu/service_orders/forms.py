"""Forms of the back office and the portal. They parse input; the rules live in the services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from kepu.core.choices import ChoiceSearch
from kepu.core.transitions import EditTokenForm, edit_token
from kepu.org.public import Region
from kepu.service_orders.models import (
    Audience,
    OrderSettings,
    ServiceCategory,
    ServiceItem,
    TimeSlot,
)

SLOT_TIMES = {TimeSlot.MORNING: datetime.time(9, 0), TimeSlot.AFTERNOON: datetime.time(14, 30),
              TimeSlot.EVENING: datetime.time(19, 0)}


def slot_datetime(day: datetime.date, slot: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, SLOT_TIMES[TimeSlot(slot)]))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", max_length=200, required=False)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class DispatchForm(forms.Form):
    unit = UnitChoiceField(label="承办部门", queryset=None,  # type: ignore[arg-type]
                           widget=ChoiceSearch("dispatch-units"))
    note = forms.CharField(label="派单说明", max_length=200, required=False)
    action = "service_orders.order.dispatch"

    def __init__(self, *args: Any, units: Any, order_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].widget.context = {"order": order_id, "action": self.action}


class ReassignForm(DispatchForm):
    action = "service_orders.order.reassign"
    reason = forms.CharField(label="改派原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class OfferForm(forms.Form):
    team = forms.ModelChoiceField(label="服务队伍", queryset=None, required=False,  # type: ignore[arg-type]
                                  help_text="不选：放入抢单池，各队均可接单",
                                  widget=ChoiceSearch("service-teams"))
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class AcceptForm(forms.Form):
    team = forms.ModelChoiceField(label="接单队伍", queryset=None,  # type: ignore[arg-type]
                                  widget=ChoiceSearch("led-teams"))

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class CompleteForm(forms.Form):
    report = forms.CharField(label="服务小结", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="服务内容、参与情况、群众反映等")
    served_count = forms.IntegerField(label="实际服务人数", min_value=1, max_value=100_000)
    service_hours = forms.DecimalField(label="每名队员服务时长（小时）", min_value=Decimal("0.5"),
                                       max_value=Decimal("24"), decimal_places=1, initial=Decimal("2"),
                                       widget=forms.NumberInput(attrs={"step": "0.5"}))
    volunteers = forms.ModelMultipleChoiceField(label="参加服务的队员", queryset=None,  # type: ignore[arg-type]
                                                widget=forms.CheckboxSelectMultiple, required=False,
                                                help_text="为勾选的队员记录服务时长（待队伍审核）")
    photos = MultipleImageField(label="现场照片", required=False,
                                help_text="最多 9 张，JPG/PNG/WebP，每张不超过 5 MB")
    photos.widget.attrs.update({"accept": "image/jpeg,image/png,image/webp", "multiple": True})

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].queryset = members
        self.fields["volunteers"].label_from_instance = lambda u: u.display_name or u.username


class _WhereWhen(forms.Form):
    region = forms.ModelChoiceField(label="服务地点（镇/社区）", queryset=None,  # type: ignore[arg-type]
                                    empty_label="请选择镇（街道）或社区")
    address = forms.CharField(label="详细地址", max_length=200,
                              widget=forms.TextInput(attrs={"placeholder": "如：社区服务中心二楼活动室"}))
    day = forms.DateField(label="预约日期", widget=forms.DateInput(attrs={"type": "date"}))
    slot = forms.ChoiceField(label="时段", choices=TimeSlot.choices)
    headcount = forms.IntegerField(label="预计人数", min_value=1, max_value=5000, initial=30)
    description = forms.CharField(label="补充说明", max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3, "placeholder": "对服务的具体需求（选填）"}))

    def __init__(self, *args: Any, places: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        field.queryset = Region.objects.filter(pk__in=[p.pk for p in places])
        field.choices = _grouped_places(places)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        self.fields["day"].widget.attrs.update({"min": tomorrow.isoformat(),
                                                "max": (tomorrow + datetime.timedelta(days=89)).isoformat()})

    @property
    def scheduled_at(self) -> datetime.datetime:
        return slot_datetime(self.cleaned_data["day"], self.cleaned_data["slot"])


def _grouped_places(places: list[Any]) -> list[Any]:
    """Towns as option groups, each with the town itself and its communities."""
    groups: list[Any] = [("", "请选择镇（街道）或社区")]
    by_town: dict[int, list[tuple[int, str]]] = {}
    towns = [p for p in places if p.level == "town"]
    for town in towns:
        by_town[town.pk] = [(town.pk, f"{town.name}（镇区其他地点）")]
    for place in places:
        if place.level == "community" and place.parent_id in by_town:
            by_town[place.parent_id].append((place.pk, place.name))
    for town in towns:
        groups.append((town.name, by_town[town.pk]))
    return groups


class PortalOrderForm(_WhereWhen):
    """The resident's order: from the menu (item given) or a free request (title)."""

    requester_name = forms.CharField(label="联系人姓名", max_length=50)
    title = forms.CharField(label="需要什么服务", max_length=100, required=False,
                            widget=forms.TextInput(attrs={"placeholder": "如：给社区老人讲讲防诈骗"}))
    category = forms.ChoiceField(label="服务类别", choices=ServiceCategory.choices, required=False)

    field_order = ["title", "category", "region", "address", "day", "slot", "headcount", "description",
                   "requester_name"]


class PlaceForm(PortalOrderForm):
    """A community places an order on a resident's behalf (社区代下单)."""

    item = forms.ModelChoiceField(label="服务项目", queryset=ServiceItem.objects.filter(is_active=True),
                                  required=False, empty_label="不从菜单选择（自由需求）")
    requester_phone = forms.CharField(label="联系电话", max_length=11)

    field_order = ["item", "title", "category", "region", "address", "day", "slot", "headcount", "description",
                   "requester_name", "requester_phone"]


class PhoneForm(forms.Form):
    phone = forms.CharField(label="手机号", max_length=11, min_length=11,
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel",
                                                          "placeholder": "11 位手机号"}))


class CodeForm(forms.Form):
    phone = forms.CharField(widget=forms.HiddenInput, max_length=11)
    code = forms.CharField(label="短信验证码", max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                         "placeholder": "6 位数字"}))


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label="评分", coerce=int, widget=forms.RadioSelect,
                                    choices=[(5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"),
                                             (1, "很不满意")])
    comment = forms.CharField(label="评价（选填）", max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3, "class": "form-control",
                                                           "placeholder": "说说这次服务的收获或建议"}))


class ItemForm(forms.ModelForm):
    edit_token = EditTokenForm.base_fields["edit_token"]

    class Meta:
        model = ServiceItem
        fields = ["name", "category", "audience", "summary", "duration_minutes", "max_headcount", "provider_unit",
                  "provider_team", "area", "sort_order", "is_active"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4}),
                   "provider_unit": ChoiceSearch("units", context={"action": "service_orders.item.change"}),
                   "provider_team": ChoiceSearch("service-teams")}

    def __init__(self, *args: Any, units: Any, teams: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider_unit"].queryset = units
        self.fields["provider_team"].queryset = teams
        self.fields["area"].queryset = areas
        self.fields["audience"].choices = Audience.choices
        self.fields["edit_token"].initial = edit_token(self.instance) if self.instance.pk else ""


class SettingsForm(forms.ModelForm):
    class Meta:
        model = OrderSettings
        fields = ["dispatch_hours", "claim_hours", "accept_hours", "complete_days", "early_start_hours",
                  "rating_days"]
        help_texts = {
            "dispatch_hours": "群众点单后，社区或实践所须在此时限内派单；超时向纲要办督办",
            "claim_hours": "派单后，承办部门须在此时限内领单；超时退回待派单",
            "accept_hours": "领单后，服务队须在此时限内接单；超时退回承办部门",
            "complete_days": "预约日期后此天数内须完成服务；已接单未开始的退回抢单池，服务中的督办",
            "early_start_hours": "服务最早可在预约时间前此小时数开始；更早的“开始服务”“完成服务”会被拒绝",
            "rating_days": "服务完成后，群众可在此期限内通过短信链接评价",
        }
