"""Residents prove their phone before ordering without an account (kepu.notifications.phone does the
codes); the portal then keeps the verified phone in the session for two hours."""

from __future__ import annotations

from kepu.core import audit
from kepu.core.models import AuditCategory
from kepu.core.text import mask_phone
from kepu.notifications import phone as phone_codes
from kepu.notifications.models import PhoneVerification

PURPOSE = "service_orders"
VERIFIED_HOURS = 2
MESSAGE = "【科普服务】您的验证码是 {code}，{minutes} 分钟内有效。如非本人操作，请忽略本短信。"


def code_send(*, phone: str) -> PhoneVerification:
    return phone_codes.code_send(phone=phone, purpose=PURPOSE, message=MESSAGE)


def code_check(*, phone: str, code: str) -> PhoneVerification:
    found = phone_codes.code_check(phone=phone, code=code, purpose=PURPOSE)
    audit.record(None, "service_orders.phone.verify", category=AuditCategory.LOGIN,
                 object_repr=mask_phone(found.phone), actor_name=f"群众 {mask_phone(found.phone)}")
    return found
