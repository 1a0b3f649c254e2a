"""Chinese text helpers: name normalisation, masking of personal data, ID-number and phone checks."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_SPACES = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """The form names are compared in: full-width folded to half-width, no spaces, brackets unified."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _SPACES.sub("", text)
    return text.replace("【", "[").replace("】", "]").replace("〔", "(").replace("〕", ")")


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    digits = str(phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id_number(number: str | None) -> str:
    if not number:
        return ""
    text = str(number)
    if len(text) <= 8:
        return "*" * len(text)
    return f"{text[:4]}{'*' * (len(text) - 8)}{text[-4:]}"


def mask_sensitive(field: str, value: Any) -> Any:
    if value in (None, ""):
        return value
    if field.endswith(("phone", "mobile")):
        return mask_phone(str(value))
    if field.endswith("id_number"):
        return mask_id_number(str(value))
    return "******"


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def is_mobile(phone: str) -> bool:
    return bool(_MOBILE.match(phone or ""))


def is_id_number(number: str) -> bool:
    """A mainland resident ID number (GB 11643-1999): 18 characters with a valid check digit."""
    text = (number or "").upper()
    if not re.fullmatch(r"\d{17}[\dX]", text):
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == text[17]


# An office phone as offices write it: an area code and number (0512-57500000, (0512)57500000,
# 0512-5750 0000 转 8012) or a mobile number; 7 to 20 digits in all.
_PHONE = re.compile(r"^\+?[\d\s()（）\-—转]+$")
PHONE_MESSAGE = "电话号码格式不正确，应为区号加号码（如 0512-57500000）或 11 位手机号码"


def is_phone_number(phone: str) -> bool:
    text = (phone or "").strip()
    digits = sum(ch.isdigit() for ch in text)
    return bool(_PHONE.match(text)) and 7 <= digits <= 20


# The unified social credit code (GB 32100-2015): 18 characters from 31 (no I, O, Z, S, V), the last a
# check character over the first 17 with weights 3^i mod 31.
_CREDIT_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
CREDIT_CODE_MESSAGE = "统一社会信用代码应为 18 位数字或大写字母，且校验位正确"


def is_credit_code(code: str) -> bool:
    text = (code or "").strip()
    if len(text) != 18 or any(ch not in _CREDIT_CHARACTERS for ch in text):
        return False
    total = sum(_CREDIT_CHARACTERS.index(ch) * w for ch, w in zip(text[:17], _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARACTERS[(31 - total % 31) % 31] == text[17]


# C0 control characters other than tab, line feed and carriage return, and DEL. Nobody types them; a
# pasted or scripted one would break exports (Excel refuses them) and hides text from reviewers.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTER_MESSAGE = "含有不可见的控制字符，请删除后重新填写"


def has_control_characters(text: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(text))


def strip_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def control_character_context(text: str, width: int = 8) -> str:
    """The text around the first control character, for a message that lets the user find it."""
    match = CONTROL_CHARACTERS.search(text)
    if match is None:
        return ""
    start = max(match.start() - width, 0)
    around = strip_control_characters(text[start : match.end() + width])
    return ("…" if start else "") + around + ("…" if match.end() + width < len(text) else "")
