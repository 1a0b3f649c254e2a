"""No dead ends: every demo role lands on a page of its own, every link its menus offer answers 200,
a resident is never offered the back office, the way back from a 403 leads somewhere that works, the
system administrator's menu says why the plan ledger is missing, and experts get their review queue."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ROLES = ("admin", "office", "zhangpu", "jiaoyu", "nongye", "expert", "volunteer", "duizhang", "resident",
         "weijian")
LANDINGS = {"admin": "/office/", "office": "/office/", "zhangpu": "/office/", "jiaoyu": "/office/",
            "nongye": "/office/", "weijian": "/office/", "expert": "/office/reviews/", "volunteer": "/volunteer/",
            "duizhang": "/volunteer/", "resident": "/"}
_NAV = re.compile(r'<nav class="kp-nav".*?</nav>|<header class="kp-topbar">.*?</header>|<nav class="navbar.*?</nav>',
                  re.S)
_HREF = re.compile(r'href="(/[^"]*)"')


def _login(username: str, **extra: str) -> Any:
    from kepu.org.demo import DEMO_PASSWORD

    return Client().post("/login/", {"username": username, "password": DEMO_PASSWORD, **extra})


def _menu_links(html: str) -> set[str]:
    """The addresses the side navigation, the top bar and the portal header offer."""
    return {href.replace("&amp;", "&") for block in _NAV.findall(html) for href in _HREF.findall(block)
            if not href.startswith("/static/")}


@pytest.mark.parametrize("username", ROLES)
def test_each_role_lands_on_its_own_page(username: str, cast: dict[str, Any]) -> None:
    response = _login(username)
    assert response.status_code == 302 and response["Location"] == LANDINGS[username]


@pytest.mark.parametrize("username", ROLES)
def test_every_menu_link_answers_200_for_every_role(username: str, as_user: Any) -> None:
    client = as_user(username)
    pages = [LANDINGS[username]] + (["/office/"] if LANDINGS[username] != "/" else [])
    links: set[str] = set()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, (username, page, response.status_code)
        links |= _menu_links(response.content.decode())
    assert links, username
    for link in sorted(links):
        response = client.get(link, follow=True)
        assert response.status_code == 200, f"{username}: {link} answers {response.status_code}"
        assert "/login/" not in response.request["PATH_INFO"], (username, link)


def test_an_address_asked_for_wins_unless_it_is_a_back_office_the_user_may_not_enter(db: Any) -> None:
    assert _login("office", next="/office/plans/tasks/")["Location"] == "/office/plans/tasks/"
    assert _login("volunteer", next="/office/volunteers/hours/")["Location"] == "/office/volunteers/hours/"
    assert _login("resident", next="/office/")["Location"] == "/"


def test_a_resident_is_not_offered_the_back_office(as_user: Any) -> None:
    client = as_user("resident")
    for page in ("/", "/services/", "/volunteer/", "/volunteer/notices/", "/volunteer/verify/", "/plans/",
                 "/literacy/", "/account/password/", "/account/security/"):
        response = client.get(page, follow=True)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert 'href="/office/' not in html and "工作台" not in html, page


def test_a_resident_at_the_back_office_gets_a_friendly_page_back_to_the_portal(as_user: Any) -> None:
    response = as_user("resident").get("/office/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "工作台仅供工作人员使用" in html and "预约科普服务" in html
    assert re.search(r'<a class="btn btn-primary" href="/" id="way-back">返回公众门户</a>', html)
    assert 'href="/office/"' not in html


@pytest.mark.parametrize("username", [u for u in ROLES if u != "office"])
def test_the_way_back_from_a_403_works_and_is_no_loop(username: str, as_user: Any) -> None:
    client = as_user(username)
    for denied in ("/office/org/permissions/", "/office/plans/tasks/", "/office/orders/settings/"):
        response = client.get(denied)
        if response.status_code == 403:
            break
    assert response.status_code == 403, username
    way_back = re.search(r'href="([^"]+)" id="way-back"', response.content.decode()).group(1)
    assert way_back == LANDINGS[username]
    assert client.get(way_back, follow=True).status_code == 200


def test_the_system_administrators_menu_says_why_the_plan_ledger_is_missing(as_user: Any) -> None:
    html = as_user("admin").get("/office/").content.decode()
    assert "纲要实施" in html and "data-kp-nav-note" in html and "职责分离" in html
    office = as_user("office").get("/office/").content.decode()
    assert "data-kp-nav-note" not in office and 'href="/office/plans/tasks/"' in office
    expert = as_user("expert").get("/office/").content.decode()
    assert "data-kp-nav-note" not in expert  # the note is for the role that would expect the section


def test_an_expert_gets_a_review_queue_with_an_honest_empty_state(as_user: Any) -> None:
    response = as_user("expert").get("/office/reviews/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "目前没有待您审核的内容" in html and "科普资源科学性审核" in html and "谣言求证" in html
    assert 'href="/office/reviews/"' in as_user("expert").get("/office/").content.decode()
    assert as_user("weijian").get("/office/reviews/").status_code == 200  # a liaison who is also an expert
    assert as_user("jiaoyu").get("/office/reviews/").status_code == 403
