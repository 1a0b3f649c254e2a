"""Django validators for the formats offices type: shared by forms and Excel imports, so a value an
import accepts is one the form would accept (and the other way round)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from kepu.core.text import CREDIT_CODE_MESSAGE, PHONE_MESSAGE, is_credit_code, is_phone_number


def validate_phone_number(value: str) -> None:
    if value and not is_phone_number(value):
        raise ValidationError(PHONE_MESSAGE, code="phone")


def validate_credit_code(value: str) -> None:
    if value and not is_credit_code(value):
        raise ValidationError(CREDIT_CODE_MESSAGE, code="credit_code")
