"""List pages answer in a fixed number of queries at a city's real volumes (no N+1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kepu.core.models import AuditCategory, AuditEntry
from kepu.org.models import Region, Unit, UnitAlias

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

UNITS, AUDIT_ENTRIES = 10_000, 100_000


@pytest.fixture
def city_volume(cast: dict[str, Any]) -> None:
    town = Region.objects.get(code="320583106000")
    units = Unit.objects.bulk_create(
        [Unit(name=f"企业{i:05d}", normalized_name=f"企业{i:05d}", kind="enterprise", region=town,
              path="", parent=cast["zhangpu"].unit if i % 2 else None) for i in range(UNITS)],
        batch_size=2000,
    )
    Unit.objects.filter(pk__in=[u.pk for u in units]).update(path="/0/")
    UnitAlias.objects.bulk_create([UnitAlias(unit=u, name=f"别名{u.pk}", normalized_name=f"别名{u.pk}")
                                   for u in units], batch_size=2000)
    office = cast["office"]
    AuditEntry.objects.bulk_create(
        [AuditEntry(actor=office, actor_name="王科普", category=AuditCategory.UPDATE, action="org.unit.update",
                    object_type="org.unit", object_id=str(i), object_repr=f"企业{i % UNITS:05d}")
         for i in range(AUDIT_ENTRIES)],
        batch_size=5000,
    )


PAGES = [
    ("office", "/office/org/units/", 12),
    ("office", "/office/org/units/?page=40&kind=enterprise", 12),
    ("office", "/office/org/units/?q=企业01", 13),
    ("zhangpu", "/office/org/units/", 12),
    ("office", "/office/org/regions/", 12),
    ("office", "/office/org/users/", 12),
    ("office", "/office/org/audit/", 12),
    ("office", "/office/org/audit/?page=300&category=update", 12),
    ("jiaoyu", "/office/org/audit/", 12),
    ("office", "/office/", 40),  # one card per domain, each a fixed handful of queries
]


def test_list_pages_and_api_lists_use_a_fixed_number_of_queries(city_volume: None, as_user: Any,
                                                                cast: dict[str, Any]) -> None:
    # One test over all pages: the volume is built once (it takes longer than every check together).
    too_many = []
    for username, url, limit in PAGES:
        client = as_user(username)
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        if len(queries) > limit:
            too_many.append(f"{username} {url}: {len(queries)} > {limit}\n" +
                            "\n".join(q["sql"][:160] for q in queries))
    from django.test import Client

    from kepu.org.services import token_create

    _, key = token_create(actor=cast["office"], name="t")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    for url in ("/api/v1/org/units?page=3", "/api/v1/org/users", "/api/v1/audit?page=100", "/api/v1/org/regions"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        if len(queries) > 8:
            too_many.append(f"API {url}: {len(queries)} > 8\n" + "\n".join(q["sql"][:160] for q in queries))
    assert not too_many, "\n\n".join(too_many)
