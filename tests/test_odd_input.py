"""No server error from odd input: every back-office page of the authorisation tables, asked for a row
id past any database's integer range, a page or year out of range, or a filter that is not a
number, answers below 500 (404 for the missing row, the page otherwise); and so does every API
operation asked for such a row."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.authz import Endpoint, Page
from tests.test_authorization import CASES, _auth_headers, objs  # noqa: F401 — the fixture the cases use

PAGES = [c for c in CASES if isinstance(c, Page) and c.method == "get"]
ENDPOINTS = [c for c in CASES if isinstance(c, Endpoint) and c.method == "get" and "{" in c.path]
HUGE = 2**63 + 5  # past PostgreSQL's bigint
SENTINEL = 987654321  # reversed into the URL, then replaced by HUGE (which no URL pattern accepts)
ODD_QUERIES = [{"page": "99999999999999999999", "year": "99999999999", "month": "13"},
               {"plan": "99999999999999999999", "region": "99999999999999999999", "unit": "99999999999999999999",
                "team": "99999999999999999999", "town": "99999999999999999999", "volunteer": "99999999999999999999"},
               {"page": "-1", "year": "abc", "unit": "x", "team": "²"}]


def _viewer(case: Page | Endpoint) -> str:
    return "office" if "office" in case.allowed else (case.allowed[0] if case.allowed else "office")


@pytest.mark.django_db
@pytest.mark.parametrize("case", PAGES, ids=lambda c: c.id)
def test_a_page_answers_odd_input_without_a_server_error(case: Page, as_user: Any,
                                                        objs: dict[str, Any]) -> None:  # noqa: F811
    client = as_user(_viewer(case))
    kwargs = case.kwargs(objs)
    if any(isinstance(v, int) for v in kwargs.values()):
        marked = {k: SENTINEL if isinstance(v, int) else v for k, v in kwargs.items()}
        url = reverse(case.url_name, kwargs=marked).replace(str(SENTINEL), str(HUGE))
        assert client.get(url).status_code == 404
    for query in ODD_QUERIES:
        response = client.get(reverse(case.url_name, kwargs=kwargs), query)
        assert response.status_code < 500, query


@pytest.mark.django_db
@pytest.mark.parametrize("case", ENDPOINTS, ids=lambda c: c.id)
def test_an_api_operation_answers_an_impossible_id_with_4xx(case: Endpoint, cast: dict[str, Any],
                                                           objs: dict[str, Any]) -> None:  # noqa: F811
    headers = _auth_headers(_viewer(case), cast) if not case.public else {}
    path = re.sub(r"\{[a-z_]+\}", str(HUGE), case.path)
    response = Client().get(path, headers=headers)
    assert 400 <= response.status_code < 500, (path, response.status_code)
