"""How the API refuses: a 422 names the invalid field in Chinese and keeps a machine-readable `loc`; an
anonymous caller of an operation that needs a token is told 401 first, whatever else is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.test_authorization import _auth_headers


@pytest.mark.django_db
def test_an_invalid_parameter_is_named_in_chinese(cast: dict[str, Any]) -> None:
    response = Client(headers=_auth_headers("admin", cast)).get("/api/v1/org/regions", {"page": "abc"})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["query", "page"], "msg": "页码：须为整数", "type": "int_parsing"}]


@pytest.mark.django_db
def test_a_missing_body_field_is_named_in_chinese_and_nothing_is_created(cast: dict[str, Any]) -> None:
    from kepu.org.models import Unit

    before = Unit.objects.count()
    response = Client(headers=_auth_headers("admin", cast)).post(
        "/api/v1/org/units", {"region_code": "320583000000"}, content_type="application/json")
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"][0] == "body" and error["loc"][-1] == "name" and error["msg"] == "名称：必须填写"
    assert Unit.objects.count() == before


@pytest.mark.django_db
def test_a_bound_is_stated_in_the_chinese_message(cast: dict[str, Any]) -> None:
    response = Client(headers=_auth_headers("admin", cast)).get("/api/v1/orders/stats", {"year": 1999})
    assert response.json()["detail"][0]["msg"] == "年度：不能小于 2000"


@pytest.mark.django_db
def test_an_anonymous_caller_with_a_control_character_gets_401_first() -> None:
    response = Client().get("/api/v1/org/regions", {"q": "教育\x00局"})
    assert response.status_code == 401 and "令牌" in response.json()["detail"]


@pytest.mark.django_db
def test_a_public_operation_still_refuses_a_control_character() -> None:
    response = Client().get("/api/v1/volunteers/certificates/verify", {"code": "KP\x00"})
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "control_characters"


@pytest.mark.django_db
def test_an_anonymous_write_without_csrf_gets_401_not_403() -> None:
    # A browser-like client (CSRF enforced) without a session: nothing for CSRF to protect, so 401.
    response = Client(enforce_csrf_checks=True).post("/api/v1/org/units", {}, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_signed_in_session_write_without_csrf_is_refused_in_chinese(cast: dict[str, Any]) -> None:
    from kepu.org.models import Unit

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["admin"], backend="kepu.org.auth.KepuModelBackend")
    before = Unit.objects.count()
    response = client.post("/api/v1/org/units", {"name": "x", "region_code": "320583000000"},
                           content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert Unit.objects.count() == before
