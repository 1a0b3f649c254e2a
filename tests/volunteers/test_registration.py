"""Real-name registration on the portal: SMS code through the fake adapter, ID numbers checked by their
check digit, a new account with the role 志愿者 (or the signed-in user's own account), masked display."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kepu.core.errors import ValidationFailed
from kepu.core.protected import digest
from kepu.core.roles import Role
from kepu.notifications.models import PhoneVerification, SmsMessage
from kepu.org.models import Region, User
from kepu.volunteers import services
from kepu.volunteers.models import Volunteer
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"  # the standard's own example: valid check digit
PHONE = "13912340000"


def _last_code(phone: str) -> str:
    text = SmsMessage.objects.filter(phone=phone).order_by("-id").first().text
    return re.search(r"验证码(?:是)? ?(\d{6})", text).group(1)


def _send(client: Client, capture: Any, phone: str = PHONE) -> str:
    """Press 获取验证码; the SMS goes out when the transaction commits."""
    with capture(execute=True):
        response = client.post("/volunteer/register/", {"phone": phone, "send_code": "1"})
    assert response.status_code == 200 and "验证码已发送" in response.content.decode()
    return _last_code(phone)


def _form(code: str, **changes: Any) -> dict[str, Any]:
    data = {"name": "孙小美", "id_number": ID, "phone": PHONE, "code": code,
            "region": Region.objects.get(code="320583106000").pk, "skills": "医疗卫生", "password": "Kp#volunteer2026",
            "agree": "on"}
    data.update(changes)
    return data


def test_a_visitor_registers_gets_an_account_with_the_volunteer_role_and_is_signed_in(
        django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    code = _send(client, django_capture_on_commit_callbacks)
    response = client.post("/volunteer/register/", _form(code))
    assert response.status_code == 302 and response["Location"] == "/volunteer/teams/"
    volunteer = Volunteer.objects.select_related("user").get(id_number_digest=digest("id_number", ID))
    assert volunteer.user.username == PHONE and volunteer.user.role_codes == {Role.VOLUNTEER}
    assert volunteer.phone_verified_at is not None
    assert client.get("/volunteer/").status_code == 200  # signed in as the new account


def test_a_signed_in_resident_links_the_registration_and_gains_the_role(cast: dict[str, Any],
                                                                         as_user: Any,
                                                                         django_capture_on_commit_callbacks: Any) -> None:
    client = as_user("resident")
    code = _send(client, django_capture_on_commit_callbacks, "13800000008")
    data = _form(code, phone="13800000008")
    del data["password"]
    assert client.post("/volunteer/register/", data).status_code == 302
    resident = User.objects.get(username="resident")
    assert Volunteer.objects.get(user=resident).name == "孙小美"
    assert resident.role_codes == {Role.PUBLIC, Role.VOLUNTEER}


def test_a_bad_check_digit_is_refused_and_nothing_is_written(django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    code = _send(client, django_capture_on_commit_callbacks)
    before = db_fingerprint()
    response = client.post("/volunteer/register/", _form(code, id_number="110105194912310021"))
    assert response.status_code == 200
    assert "身份证号不正确" in response.content.decode()
    assert db_fingerprint() == before


def test_a_wrong_sms_code_is_refused_and_counts_as_an_attempt(django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    code = _send(client, django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post("/volunteer/register/", _form(wrong))
    assert "验证码不正确" in response.content.decode()
    assert not Volunteer.objects.filter(id_number_digest=digest("id_number", ID)).exists()
    assert PhoneVerification.objects.get(phone=PHONE).attempts == 1  # kept although the request failed


def test_five_wrong_codes_spend_the_code() -> None:
    services.phone_code_send(phone=PHONE)
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationFailed, match=f"验证码不正确，还可尝试 {left} 次"):
            services.volunteers.phone_code_check(phone=PHONE, code="000000x")
    with pytest.raises(ValidationFailed, match="错误次数过多"):
        services.volunteers.phone_code_check(phone=PHONE, code="000000x")
    with pytest.raises(ValidationFailed, match="错误次数过多"):
        services.volunteers.phone_code_check(phone=PHONE, code="123456")


def test_an_expired_code_is_refused(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_code_send(phone=PHONE)
    code = _last_code(PHONE)
    PhoneVerification.objects.filter(phone=PHONE).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationFailed, match="已过期"):
        services.volunteers.phone_code_check(phone=PHONE, code=code)


def test_codes_are_sent_at_most_once_a_minute() -> None:
    services.phone_code_send(phone=PHONE)
    with pytest.raises(ValidationFailed, match="秒后再获取"):
        services.phone_code_send(phone=PHONE)


def test_only_the_hash_of_a_code_is_stored(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_code_send(phone=PHONE)
    assert _last_code(PHONE) not in PhoneVerification.objects.get(phone=PHONE).code_hash


def test_an_id_number_registers_only_once(demo: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    code = _send(client, django_capture_on_commit_callbacks)
    response = client.post("/volunteer/register/", _form(code, id_number=demo["liu"].id_number))
    assert "该身份证号已登记为志愿者" in response.content.decode()


def test_id_numbers_and_phones_are_masked_unless_the_role_may_see_them(demo: dict[str, Any], as_user: Any) -> None:
    liu = demo["liu"]
    url = f"/office/volunteers/people/{liu.pk}/"
    office = as_user("office").get(url).content.decode()
    area = as_user("zhangpu").get(url).content.decode()
    assert liu.id_number in office and liu.phone in office
    assert liu.id_number not in area and liu.phone not in area
    assert f"{liu.id_number[:4]}**********{liu.id_number[-4:]}" in area
    own = as_user("volunteer").get("/volunteer/").content.decode()
    assert liu.id_number not in own and liu.phone not in own


def test_audit_entries_keep_personal_data_masked(demo: dict[str, Any]) -> None:
    from kepu.core.models import AuditEntry

    entry = AuditEntry.objects.filter(action="volunteers.volunteer.create").first()
    assert "*" in entry.after["id_number"] and "*" in entry.after["phone"]


def test_a_code_sent_for_an_order_cannot_register_a_volunteer(django_capture_on_commit_callbacks: Any) -> None:
    from kepu.service_orders import verification

    with django_capture_on_commit_callbacks(execute=True):
        verification.code_send(phone=PHONE)
    with pytest.raises(ValidationFailed, match="已过期"):  # no registration code was ever sent
        services.volunteers.phone_code_check(phone=PHONE, code=_last_code(PHONE))


def test_skills_beyond_their_column_are_refused_whole_not_cut(cast: dict[str, Any]) -> None:
    """专长 longer than 200 characters (the API takes it as sent) is refused naming the field; nothing is written."""
    region = Region.objects.get(name="张浦镇")
    before = db_fingerprint()
    with pytest.raises(ValidationFailed, match="专长不能超过 200 个字（现有 201 个）") as refused:
        services.volunteer_create(actor=cast["office"], name="测试志愿者", id_number=ID, phone=PHONE,
                                  region=region, skills="急" * 201)
    assert refused.value.field == "skills" and db_fingerprint() == before
    volunteer = services.volunteer_create(actor=cast["office"], name="测试志愿者", id_number=ID, phone=PHONE,
                                          region=region, skills="急" * 200)
    assert volunteer.skills == "急" * 200
