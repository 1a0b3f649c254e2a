"""No English or internal names reach users: every back-office page of the authorisation tables, for
each demo role that may open it, is read for Django's stock English, the empty choice "---------",
command names, library exception texts and raw audit/permission codes. And the stock messages of
forms read in the platform's Chinese, with the field named and what was typed kept."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django import forms
from django.urls import reverse

from tests.authz import EVERYONE, Page, PortalPage
from tests.test_authorization import CASES, _client, objs  # noqa: F401  (objs is a fixture)

pytestmark = pytest.mark.django_db

ENGLISH = ("- Select an option -", "---------", "This field is required", "Enter a valid", "Select a valid choice",
           "Ensure this value", "Ensure that there are", "manage.py", "Traceback", "Exception", "Error:",
           "That page", "Please enter a correct")
CODE = re.compile(r"\b(?:core|org|plans|literacy|service_orders|volunteers|notifications|auth|api)\.[a-z_]+\.[a-z_]+\b")

# The permission matrix is the reference of the codes (beside their Chinese names) for the administrator.
CODE_PAGES = {"org:permission_list"}


def visible_text(page: str) -> str:
    """What a reader sees: no scripts, styles, tags or attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# Demo users beyond the one-per-role cast of the tables, and whose pages they open: the team leader
# (volunteer + 队长) and a second liaison read what their role's demo user reads.
SAME_PAGES_AS = {"duizhang": "volunteer", "nongye": "jiaoyu", "weijian": "jiaoyu"}
ROLES = (*EVERYONE, *SAME_PAGES_AS)


def _pages_for(role: str) -> list[Page | PortalPage]:
    table_role = SAME_PAGES_AS.get(role, role)
    return [c for c in CASES if isinstance(c, Page | PortalPage) and c.method == "get" and table_role in c.allowed]


def _is_html(response: Any) -> bool:
    return response.get("Content-Type", "").startswith("text/html") and not response.streaming


def _problems(case_id: str, url_name: str, response: Any) -> list[str]:
    if not _is_html(response):
        return []
    text = visible_text(response.content.decode())
    found = [f"{case_id}: {phrase}" for phrase in ENGLISH if phrase in text]
    if url_name not in CODE_PAGES:
        found += [f"{case_id}: {code}" for code in set(CODE.findall(text))]
    return found


POSTS_TO_ITSELF = re.compile(r'<form\b[^>]*method="post"(?![^>]*action="[^"]+")[^>]*>', re.I)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_english_or_internal_codes(role: str, cast: dict[str, Any], objs: dict[str, Any]) -> None:  # noqa: F811
    client = _client(cast, role)
    found = _problems("landing", "", client.get("/", follow=True))
    for case in _pages_for(role):
        response = client.get(reverse(case.url_name, kwargs=case.kwargs(objs)), data=case.data(objs))
        found += _problems(case.id, case.url_name, response)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("role", ROLES)
def test_an_empty_or_bad_form_is_answered_in_chinese(role: str, cast: dict[str, Any],
                                                    objs: dict[str, Any]) -> None:  # noqa: F811
    """Every form page of the role (a page whose form posts to itself) sent empty, then with nonsense in
    every text box: the answer names no English or internal text. Nothing of it is kept (the test's
    transaction is rolled back)."""
    client = _client(cast, role)
    found: list[str] = []
    for case in _pages_for(role):
        url = reverse(case.url_name, kwargs=case.kwargs(objs))
        page = client.get(url, data=case.data(objs))
        if page.status_code != 200 or not _is_html(page) or not POSTS_TO_ITSELF.search(page.content.decode()):
            continue
        names = set(re.findall(r'<(?:input|textarea|select)\b[^>]*name="([^"]+)"', page.content.decode()))
        nonsense = {n: "不是数字也不是日期x" * 30 for n in names if n not in ("csrfmiddlewaretoken", "edit_token")}
        for label, data in (("empty", {}), ("nonsense", nonsense)):
            response = client.post(url, data)
            assert response.status_code < 500, f"{case.id} {label}: {response.status_code}"
            found += _problems(f"POST {case.id} ({label})", case.url_name, response)
    assert found == [], "\n".join(found)


def test_the_empty_choice_reads_please_choose() -> None:
    from kepu.org.models import Unit

    class Pick(forms.Form):
        kind = forms.ChoiceField(choices=[("", "---------"), ("a", "甲")], required=False)
        unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False)

    assert Unit._meta.get_field("kind").get_choices()[0] == ("", "请选择")
    assert "---------" in str(Pick()["kind"])  # an explicit choice list is the form's own business
    assert "请选择" in str(Pick()["unit"])


def test_stock_messages_are_chinese_and_the_typed_value_is_kept() -> None:
    class Event(forms.Form):
        title = forms.CharField(label="活动名称", max_length=5)
        day = forms.DateField(label="活动日期")
        seats = forms.IntegerField(label="名额", min_value=1)
        fee = forms.DecimalField(label="费用", max_digits=4, decimal_places=1)
        email = forms.EmailField(label="邮箱", required=False)

    form = Event({"title": "很长很长的活动名称", "day": "2026-13-40", "seats": "0", "fee": "123.45", "email": "x@"})
    assert not form.is_valid()
    assert form.errors["title"] == ["最多 5 个字（现有 9 个）。"]
    assert form.errors["day"] == ["请输入有效的日期，如 2026-03-01。"]
    assert form.errors["seats"] == ["不能小于 1。"]
    assert form.errors["fee"][0] in ("小数部分最多 1 位。", "最多 4 位数字。")
    assert form.errors["email"] == ["请输入有效的电子邮箱地址。"]
    assert 'value="2026-13-40"' in str(form["day"]) and "很长很长的活动名称" in str(form["title"])
    assert Event({})["title"].errors == ["请填写此项。"]

    from kepu.plans.views.common import first_error

    assert first_error(Event({})) == "活动名称：请填写此项。"


def test_a_form_keeps_its_own_message() -> None:
    class Own(forms.Form):
        code = forms.CharField(error_messages={"required": "请输入查验码"})

    assert Own({}).errors["code"] == ["请输入查验码"]
