"""Django's stock messages in the platform's own Chinese.

Django's zh-hans catalogue leaves some messages in English ("- Select an option -", the decimal digit
limits) and words others stiffly ("这个字段是必填项。"). One table, applied once at start-up by
CoreConfig.ready(), replaces them for every form, model form, validator and paginator; a form that
sets its own `error_messages` still wins. Messages name no field: the page shows them under the field's
label, and `first_error` prefixes the label when a message stands alone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import paginator, validators
from django.db import models
from django.db.models import fields as model_fields

BLANK_CHOICE = "请选择"

FIELD_MESSAGES: dict[type, dict[str, str]] = {
    forms.Field: {"required": "请填写此项。"},
    forms.BooleanField: {"required": "请勾选此项。"},
    forms.ChoiceField: {"invalid_choice": "所选的“%(value)s”不在可选范围内，请重新选择。"},
    forms.MultipleChoiceField: {"invalid_choice": "所选的“%(value)s”不在可选范围内，请重新选择。",
                                "invalid_list": "请选择一项或多项。"},
    forms.ModelChoiceField: {"invalid_choice": "所选项不在可选范围内（可能已停用或无权选择），请重新选择。"},
    forms.ModelMultipleChoiceField: {"invalid_choice": "所选的“%(value)s”不在可选范围内，请重新选择。",
                                     "invalid_pk_value": "“%(pk)s”不是有效的选项。", "invalid_list": "请选择一项或多项。"},
    forms.IntegerField: {"invalid": "请输入整数。"},
    forms.FloatField: {"invalid": "请输入数字。"},
    forms.DecimalField: {"invalid": "请输入数字。"},
    forms.DateField: {"invalid": "请输入有效的日期，如 2026-03-01。"},
    forms.TimeField: {"invalid": "请输入有效的时间，如 14:30。"},
    forms.DateTimeField: {"invalid": "请输入有效的日期和时间，如 2026-03-01 14:30。"},
    forms.DurationField: {"invalid": "请输入有效的时长。"},
    forms.FileField: {"invalid": "没有收到文件，请重新选择后上传。", "missing": "没有收到文件，请重新选择后上传。",
                      "empty": "上传的文件是空的。", "contradiction": "请选择上传新文件或清除原文件，不能同时进行。"},
    forms.ImageField: {"invalid_image": "请上传图片文件；所传文件不是图片或已损坏。"},
    models.Field: {"invalid_choice": "“%(value)r”不在可选范围内。", "null": "此项不能为空。", "blank": "此项不能为空。",
                   "unique": "已有相同“%(field_label)s”的%(model_name)s。"},
}

VALIDATOR_MESSAGES: dict[type, str] = {
    validators.RegexValidator: "格式不正确。",
    validators.EmailValidator: "请输入有效的电子邮箱地址。",
    validators.URLValidator: "请输入有效的网址（以 http:// 或 https:// 开头）。",
    validators.MaxValueValidator: "不能大于 %(limit_value)s。",
    validators.MinValueValidator: "不能小于 %(limit_value)s。",
    validators.MaxLengthValidator: "最多 %(limit_value)d 个字（现有 %(show_value)d 个）。",
    validators.MinLengthValidator: "至少 %(limit_value)d 个字（现有 %(show_value)d 个）。",
    validators.ProhibitNullCharactersValidator: "不能包含空字符。",
    validators.StepValueValidator: "应为 %(limit_value)s 的整数倍。",
}

DECIMAL_MESSAGES = {"invalid": "请输入数字。", "max_digits": "最多 %(max)s 位数字。",
                    "max_decimal_places": "小数部分最多 %(max)s 位。", "max_whole_digits": "整数部分最多 %(max)s 位。"}

PAGINATOR_MESSAGES = {"invalid_page": "页码应为整数", "min_page": "页码不能小于 1", "no_results": "这一页没有内容"}


def _merge(cls: Any, messages: dict[str, str]) -> None:
    # Only the class's own dict: subclasses collect their parents' messages along the MRO.
    cls.default_error_messages = {**vars(cls).get("default_error_messages", {}), **messages}


def install() -> None:
    """Put the table in place (idempotent)."""
    model_fields.BLANK_CHOICE_LABEL = BLANK_CHOICE  # Django reads it at each use (its documented hook)
    for cls, messages in FIELD_MESSAGES.items():
        _merge(cls, messages)
    for validator, message in VALIDATOR_MESSAGES.items():
        validator.message = message
    validators.DecimalValidator.messages = {**validators.DecimalValidator.messages, **DECIMAL_MESSAGES}
    paginator.Paginator.default_error_messages = {**paginator.Paginator.default_error_messages, **PAGINATOR_MESSAGES}
