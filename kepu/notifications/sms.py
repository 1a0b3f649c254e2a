"""SMS through an adapter: the real gateway is an outside service we cannot reach from tests."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from kepu.core.text import mask_phone

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class FakeSmsBackend:
    """Records each message in the database instead of sending it, and shows it on the development
    console (number masked) so that someone trying the demo can read their verification code."""

    def send(self, phone: str, text: str) -> None:
        from kepu.notifications.models import SmsMessage

        SmsMessage.objects.create(phone=phone, text=text[:500])
        logger.info("模拟短信 → %s：%s", mask_phone(phone), text)


def backend() -> SmsBackend:
    return import_string(settings.KEPU_SMS_BACKEND)()
