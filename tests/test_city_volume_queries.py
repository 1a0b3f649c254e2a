"""The pages issue #17 names answer in as many statements at a city's volume as at the demo's.

The same cases and users as the page benchmark (bench/pages.py, from the authorisation tables): each is
counted on the demo city, then again after `load_city_scale` has added a small slice of a city (units,
tasks, orders, volunteers, hours, audit entries, survey waves). A statement more at the larger volume is
a query per row somewhere. Timings are not checked here: speed lives in bench/.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from bench.pages import _counted, _is_export, _requester, _visitors
from tests.test_authorization import CASES, case_objects

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SCALE = 0.02  # 200 units, 2,000 orders and audit entries, 400 volunteers with 4,000 hour records …

NAMED = (
    "GET plans:task_edit", "GET volunteers:hours_create", "GET /api/v1/orders/stats", "GET volunteers:hours_list",
    "GET service_orders:order_list", "GET org:unit_detail 教育局", "GET backoffice:home", "GET volunteers:figures",
    "GET /api/v1/volunteers/figures", "GET service_orders:stats", "GET plans:bulletin",
    "GET service_orders:order_detail 抢单池", "GET service_orders:order_detail 待派单", "GET backoffice:exports",
    "portal GET volunteers_portal:register",
)


def _cases() -> list[Any]:
    return [c for c in CASES if c.method.lower() == "get" and (c.id in NAMED or _is_export(c))]


def _statements(cases: list[Any], cast: dict[str, Any], objs: dict[str, Any]
                ) -> dict[tuple[str, str], tuple[int, int]]:
    counted = {}
    for case in cases:
        for user in _visitors(case):
            request = _requester(case, user, cast, objs)
            request()  # warm-up: permissions, the URL map and templates are cached by the first request
            counted[(case.id, user or "anonymous")] = _counted(request)
    return counted


def test_the_named_pages_and_every_export_use_as_many_statements_at_a_city_volume(cast: dict[str, Any]) -> None:
    # One test: the volume is loaded once (it takes longer than all the counting together).
    cases = _cases()
    assert {c.id for c in cases} >= set(NAMED), "a named page is missing from the authorisation tables"
    objs = case_objects(cast)
    demo = _statements(cases, cast, objs)
    call_command("load_city_scale", scale=SCALE, verbosity=0)
    city = _statements(cases, cast, objs)
    assert all(status == 200 or status == 302 for status, _ in city.values()), city
    growing = {key: (demo[key][1], count) for key, (_, count) in city.items() if count > demo[key][1]}
    assert not growing, f"more statements at a city's volume (demo, city): {growing}"
