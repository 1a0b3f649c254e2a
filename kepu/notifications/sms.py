"""SMS through an adapter: the real gateway is an outside service we cannot reach from tests."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class FakeSmsBackend:
    """Records each message in the database instead of sending it."""

    def send(self, phone: str, text: str) -> None:
        from kepu.notifications.models import SmsMessage

        SmsMessage.objects.create(phone=phone, text=text[:500])


def backend() -> SmsBackend:
    return import_string(settings.KEPU_SMS_BACKEND)()
