"""Sign-in protections: lockout, audit of logins, idle timeout, second factor, password rules, headers."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from django.db import connection
from django.test import Client

from kepu.core.access import SYSTEM
from kepu.core.errors import ValidationFailed
from kepu.core.models import AuditCategory, AuditEntry
from kepu.org import services
from kepu.org.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password})


def test_a_correct_password_signs_in_and_is_audited() -> None:
    client = Client()
    response = _login(client, "office", DEMO_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/office/"
    entry = AuditEntry.objects.filter(category=AuditCategory.LOGIN).latest("id")
    assert entry.actor_name == "王科普" and entry.ip == "127.0.0.1"


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes() -> None:
    client = Client()
    for attempt in range(1, 5):
        response = _login(client, "jiaoyu", "wrong-password")
        assert f"再错 {5 - attempt} 次账号将被锁定" in response.content.decode()
    response = _login(client, "jiaoyu", "wrong-password")
    assert "账号已锁定 15 分钟" in response.content.decode()
    # Even the right password is refused while locked.
    response = _login(client, "jiaoyu", DEMO_PASSWORD)
    assert response.status_code == 200 and "账号已锁定" in response.content.decode()
    assert AuditEntry.objects.filter(category=AuditCategory.LOGIN_FAILED, actor_name="jiaoyu").count() == 6


def test_the_lock_runs_out_after_fifteen_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client()
    for _ in range(5):
        _login(client, "jiaoyu", "wrong-password")
    assert "账号已锁定" in _login(client, "jiaoyu", DEMO_PASSWORD).content.decode()
    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)  # the shared cache's clock
    assert _login(client, "jiaoyu", DEMO_PASSWORD).status_code == 302


def test_unknown_user_names_are_locked_too_so_accounts_cannot_be_probed() -> None:
    client = Client()
    for _ in range(5):
        _login(client, "nobody", "x")
    assert "账号已锁定" in _login(client, "nobody", "x").content.decode()


def _login_from(address: str, username: str, password: str, forwarded: str = "") -> Any:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return Client(REMOTE_ADDR=address).post("/login/", {"username": username, "password": password},
                                            headers=headers)


def test_a_stranger_cannot_lock_the_real_user_out() -> None:
    for _ in range(6):
        _login_from("203.0.113.9", "jiaoyu", "guess")
    assert "账号已锁定" in _login_from("203.0.113.9", "jiaoyu", DEMO_PASSWORD).content.decode()
    # The liaison at the office's own address signs in as usual.
    assert _login_from("10.1.2.3", "jiaoyu", DEMO_PASSWORD).status_code == 302


def test_password_spraying_from_one_address_is_refused(settings: Any) -> None:
    settings.KEPU_LOGIN_ADDRESS_FAILURES = 8
    for n in range(8):  # one or two guesses at many accounts: no account reaches its own lock
        _login_from("198.51.100.7", f"user{n}", "Spring2026!")
    response = _login_from("198.51.100.7", "office", DEMO_PASSWORD)
    assert response.status_code == 200 and "此网络地址登录失败次数过多" in response.content.decode()
    assert _login_from("198.51.100.8", "office", DEMO_PASSWORD).status_code == 302


def test_a_forged_forwarded_header_does_not_reset_the_count() -> None:
    for n in range(6):
        _login_from("203.0.113.10", "jiaoyu", "guess", forwarded=f"192.0.2.{n}")
    assert "账号已锁定" in _login_from("203.0.113.10", "jiaoyu", DEMO_PASSWORD,
                                       forwarded="192.0.2.200").content.decode()


def test_an_administrator_can_unlock_an_account(cast: dict[str, Any]) -> None:
    client = Client()
    for _ in range(5):
        _login(client, "jiaoyu", "wrong-password")
    services.user_unlock(actor=cast["office"], user=cast["jiaoyu"])
    assert _login(client, "jiaoyu", DEMO_PASSWORD).status_code == 302


def test_an_idle_session_is_ended(as_user: Any, settings: Any) -> None:
    client = as_user("office")
    assert client.get("/office/").status_code == 200
    session = client.session
    session["kepu_last_seen"] = int(time.time()) - settings.KEPU_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    response = client.get("/office/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/office/").status_code == 302  # signed out for good
    assert AuditEntry.objects.filter(action="auth.idle_timeout").exists()


def test_the_second_factor_is_asked_for_when_enabled(cast: dict[str, Any]) -> None:
    office = cast["office"]
    secret = services.totp_begin(actor=office)
    services.totp_confirm(actor=office, code=pyotp.TOTP(secret).now())
    with connection.cursor() as cursor:  # the secret is encrypted at rest
        cursor.execute("SELECT totp_secret FROM org_user WHERE id = %s", [office.pk])
        assert secret not in cursor.fetchone()[0]
    client = Client()
    response = _login(client, "office", DEMO_PASSWORD)
    assert response["Location"].startswith("/login/verify/")
    assert client.get("/office/").status_code == 302  # not signed in yet
    response = client.post("/login/verify/", {"code": "000000"})
    assert "动态口令不正确" in response.content.decode()
    response = client.post("/login/verify/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert client.get("/office/").status_code == 200


def test_forty_wrong_second_factor_codes_lock_it(cast: dict[str, Any]) -> None:
    office = cast["office"]
    secret = services.totp_begin(actor=office)
    services.totp_confirm(actor=office, code=pyotp.TOTP(secret).now())
    client = Client()
    _login(client, "office", DEMO_PASSWORD)
    answers = [client.post("/login/verify/", {"code": f"{n:06d}"}).content.decode() for n in range(40)]
    assert all("动态口令不正确" in a for a in answers[:5])
    assert all("动态口令错误次数过多" in a for a in answers[5:])
    # While locked even the right code is refused, and nobody is signed in.
    response = client.post("/login/verify/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200 and "动态口令错误次数过多" in response.content.decode()
    assert client.get("/office/").status_code == 302
    assert AuditEntry.objects.filter(action="auth.totp_failed", actor_name="office").count() == 5
    assert AuditEntry.objects.filter(action="auth.totp_locked", actor_name="office").count() == 36


def test_only_administrative_roles_may_enable_the_second_factor(cast: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        services.totp_begin(actor=cast["jiaoyu"])


@pytest.mark.parametrize("password, message", [
    ("short1A!", "太短"),
    ("alllowercaseletters", "至少三类"),
    ("12345678901234", "至少三类"),
])
def test_weak_passwords_are_refused_with_a_reason(cast: dict[str, Any], password: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.user_set_password(actor=SYSTEM, user=cast["jiaoyu"], password=password)
    assert message in caught.value.message


def test_a_new_account_must_change_its_password_first(cast: dict[str, Any]) -> None:
    services.user_create(actor=SYSTEM, username="newbie", password="Abcdef#12345", display_name="新人",
                         must_change_password=True, roles=["liaison"], unit=cast["jiaoyu"].unit)
    response = _login(Client(), "newbie", "Abcdef#12345")
    assert response["Location"] == "/account/password/"


def test_pages_carry_the_security_headers(as_user: Any) -> None:
    response = as_user("office").get("/office/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    assert response.cookies.get("sessionid") is None or response.cookies["sessionid"]["httponly"]


def test_a_post_without_the_csrf_token_is_refused(cast: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["office"], backend="kepu.org.auth.KepuModelBackend")
    unit = cast["jiaoyu"].unit
    response = client.post(f"/office/org/units/{unit.pk}/aliases/", {"name": "跨站别名"})
    assert response.status_code == 403
    assert not unit.aliases.filter(name="跨站别名").exists()


def test_phone_numbers_are_masked_for_roles_that_may_not_see_them(as_user: Any) -> None:
    liaison_view = as_user("jiaoyu").get("/office/org/users/").content.decode()
    assert "138****0004" in liaison_view and "13800000004" not in liaison_view
    office_view = as_user("office").get("/office/org/users/").content.decode()
    assert "13800000004" in office_view


def test_audit_snapshots_never_hold_a_full_phone_number(cast: dict[str, Any]) -> None:
    services.user_update(actor=SYSTEM, user=cast["jiaoyu"], phone="13912345678")
    entry = AuditEntry.objects.filter(action="org.user.update").latest("id")
    assert entry.before["phone"] == "138****0004" and entry.after["phone"] == "139****5678"
