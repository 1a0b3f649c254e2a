"""Limits on abuse: counted in the shared cache, per client address as kepu establishes it, refused
with a Chinese message, and a refused request sends and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kepu.core import limits
from kepu.core.context import ClientInfo, client_context
from kepu.core.errors import ValidationFailed
from kepu.notifications import phone
from kepu.notifications.models import PhoneVerification, SmsMessage

pytestmark = pytest.mark.django_db


def _send(address: str, number: str) -> str:
    with client_context(ClientInfo(ip=address)):
        try:
            phone.code_send(phone=number, purpose="test", message="验证码 {code}，{minutes} 分钟内有效")
        except ValidationFailed as exc:
            return exc.message
    return ""


def test_thirty_codes_from_one_visitor_to_thirty_numbers_stop_at_the_limit(
        settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    sent_before, codes_before = SmsMessage.objects.count(), PhoneVerification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):  # messages go out after commit
        answers = [_send("203.0.113.5", f"1380013{n:04d}") for n in range(30)]
    allowed = settings.KEPU_SMS_PER_ADDRESS
    assert answers[:allowed] == [""] * allowed
    assert all("获取验证码过于频繁" in a for a in answers[allowed:])
    assert SmsMessage.objects.count() - sent_before == allowed, "nothing is sent past the limit"
    assert PhoneVerification.objects.count() - codes_before == allowed
    assert _send("203.0.113.6", "13800139999") == "", "another visitor is not affected"


def test_the_daily_budget_holds_across_visitors(settings: Any) -> None:
    settings.KEPU_SMS_DAILY_BUDGET = 3
    answers = [_send(f"198.51.100.{n}", f"1390013{n:04d}") for n in range(5)]
    assert answers[:3] == ["", "", ""]
    assert all("发送量已达上限" in a for a in answers[3:])


def test_anonymous_submissions_are_limited_per_address(settings: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    settings.KEPU_ANONYMOUS_PER_ADDRESS = 2
    with client_context(ClientInfo(ip="192.0.2.44")):
        limits.take_anonymous(AnonymousUser())
        limits.take_anonymous(AnonymousUser())
        with pytest.raises(limits.LimitExceeded, match="提交得过于频繁") as refused:
            limits.take_anonymous(AnonymousUser())
    assert refused.value.retry_after > 0
    with client_context(ClientInfo(ip="192.0.2.45")):
        limits.take_anonymous(AnonymousUser())


def test_an_anonymous_volunteer_registration_past_the_limit_writes_nothing(settings: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    from kepu.org.models import Region
    from kepu.volunteers.models import Volunteer
    from kepu.volunteers.services import volunteer_register

    settings.KEPU_ANONYMOUS_PER_ADDRESS = 1
    town = Region.objects.get(code="320583106000")
    attempt = {"name": "张三", "id_number": "11010519491231002X", "phone": "13912345678", "code": "000000", "password": "Kepu#2026demo",
               "region": town}
    count = Volunteer.objects.count()
    with client_context(ClientInfo(ip="192.0.2.77")):
        with pytest.raises(ValidationFailed, match="验证码"):  # counted, then refused for the code
            volunteer_register(actor=AnonymousUser(), **attempt)
        with pytest.raises(limits.LimitExceeded, match="提交得过于频繁"):
            volunteer_register(actor=AnonymousUser(), **attempt)
    assert Volunteer.objects.count() == count


def test_the_api_throttles_with_429_and_retry_after(settings: Any) -> None:
    settings.KEPU_API_RATE_VISITOR = "3/m"
    client = Client(REMOTE_ADDR="192.0.2.90")
    answers = [client.get("/api/v1/health") for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert answers[3].status_code == 429
    assert int(answers[3]["Retry-After"]) > 0
    assert answers[3].json()["detail"] == "请求过于频繁，请稍后再试"
    # A forged forwarded-for header is not a new visitor.
    assert client.get("/api/v1/health", headers={"X-Forwarded-For": "192.0.2.91"}).status_code == 429
