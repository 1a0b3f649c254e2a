"""Every back-office URL, every portal URL and every API endpoint × every demo role → allowed or denied.

Denied back-office and API requests answer 403 (or 404 for a row outside the user's scope), change
nothing in the database, and leave exactly the trace of one audit entry. Denied portal requests (a
resident's order that is not theirs, a page not published) answer 403/404 and change nothing.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import re
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from kepu.core.models import AuditCategory, AuditEntry
from tests.authz import EVERYONE, Endpoint, Page, PortalPage

SKIP_FINGERPRINT = {"core.auditentry", "sessions.session", "django_tasks_db.dbtaskresult"}


def _tables() -> list[Any]:
    tables = []
    for module in pkgutil.iter_modules(tests.__path__):
        if module.ispkg:
            try:
                tables.append(importlib.import_module(f"tests.{module.name}.authz"))
            except ModuleNotFoundError:
                continue
    return tables


TABLES = _tables()
CASES: list[Page | PortalPage | Endpoint] = [case for table in TABLES for case in table.CASES]
VISITORS = (*EVERYONE, None)


_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([A-Za-z0-9_]+)"?', re.I)
# Writes a denied request may make: its audit entry, the session and the login throttle bookkeeping.
ALLOWED_WRITES = {"core_auditentry", "django_session"}


def writes_in(queries: list[dict[str, Any]]) -> list[str]:
    """The tables a captured request wrote to, other than the audit trail and session bookkeeping."""
    tables = []
    for query in queries:
        match = _WRITE.match(query["sql"])
        if match and match.group(1).lower() not in ALLOWED_WRITES:
            tables.append(match.group(1))
    return tables


def db_fingerprint() -> str:
    """A hash of every row the platform owns, except the audit trail itself."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.label_lower in SKIP_FINGERPRINT or not model._meta.managed:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        digest.update(model._meta.label_lower.encode())
        digest.update(repr(list(rows)).encode())
    return digest.hexdigest()


@pytest.fixture
def objs(cast: dict[str, Any]) -> dict[str, Any]:
    return case_objects(cast)


def case_objects(cast: dict[str, Any]) -> dict[str, Any]:
    """The rows the cases point at, by key (also used by bench/pages.py)."""
    from kepu.org.models import Region, Unit, UnitAlias

    found: dict[str, Any] = {f"user:{name}": user for name, user in cast.items()}
    found.update({f"unit:{u.name}": u for u in Unit.objects.all()})
    found.update({f"region:{r.code}": r for r in Region.objects.all()})
    found.update({f"alias:{a.name}": a for a in UnitAlias.objects.all()})
    for table in TABLES:
        # A domain's table may add the rows its cases point at: `def objects(cast) -> dict`.
        if hasattr(table, "objects"):
            found.update(table.objects(cast))
    return found


def _client(cast: dict[str, Any], username: str | None) -> Client:
    client = Client()
    if username:
        client.force_login(cast[username], backend="kepu.org.auth.KepuModelBackend")
    return client


def _request_page(client: Client, case: Page, objs: dict[str, Any]) -> Any:
    url = reverse(case.url_name, kwargs=case.kwargs(objs))
    return getattr(client, case.method)(url, data=case.data(objs))


def _auth_headers(username: str | None, cast: dict[str, Any]) -> dict[str, str]:
    """A bearer token for the demo user (made directly: residents cannot create one in the UI)."""
    if not username:
        return {}
    from kepu.org import services
    from kepu.org.models import ApiToken

    user = cast[username]
    prefix = "t" + str(user.pk).zfill(7)
    key = f"kp_{prefix}_secret-for-tests"
    ApiToken.objects.get_or_create(user=user, prefix=prefix, defaults={
        "name": "测试", "key_hash": services._hash_key(key), "expires_at": "2999-01-01T00:00:00Z"})
    return {"Authorization": f"Bearer {key}"}


def _call_api(case: Endpoint, objs: dict[str, Any], headers: dict[str, str]) -> Any:
    path = case.path.format(**case.params(objs))
    client = Client()
    if case.json is not None:
        return getattr(client, case.method)(path, data=case.json(objs), content_type="application/json",
                                            headers=headers)
    return getattr(client, case.method)(path, data=case.query, headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@pytest.mark.parametrize("visitor", VISITORS, ids=lambda v: v or "anonymous")
def test_access_is_granted_exactly_to_the_listed_roles(case: Page | PortalPage | Endpoint, visitor: str | None,
                                                      cast: dict[str, Any], objs: dict[str, Any]) -> None:
    if isinstance(case, Endpoint):
        _check_endpoint(case, visitor, cast, objs)
    elif isinstance(case, PortalPage):
        _check_portal(case, visitor, cast, objs)
    else:
        _check_page(case, visitor, cast, objs)


def _new_audit_categories(before: int) -> list[str]:
    return [e.category for e in AuditEntry.objects.order_by("-id")[: AuditEntry.objects.count() - before]]


ANONYMOUS_PORTAL = {"login": "/login/", "verify": "/services/verify/"}


def _check_portal(case: PortalPage, visitor: str | None, cast: dict[str, Any], objs: dict[str, Any]) -> None:
    client = _client(cast, visitor)
    with CaptureQueriesContext(connection) as queries:
        response = _request_page(client, case, objs)
    if visitor is None and case.anonymous in ANONYMOUS_PORTAL:
        assert response.status_code == 302, f"anonymous: {case.id} answered {response.status_code}"
        assert response["Location"].startswith(ANONYMOUS_PORTAL[case.anonymous]), response["Location"]
        assert writes_in(queries.captured_queries) == []
        return
    if (visitor is None and case.anonymous == "open") or visitor in case.allowed:
        assert response.status_code < 400, f"{visitor or 'anonymous'} should reach {case.id}, got {response.status_code}"
        return
    assert response.status_code in (403, 404), \
        f"{visitor or 'anonymous'} must not reach {case.id}, got {response.status_code}"
    assert writes_in(queries.captured_queries) == [], "a denied request changed data"


def _check_page(case: Page, visitor: str | None, cast: dict[str, Any], objs: dict[str, Any]) -> None:
    client = _client(cast, visitor)
    audit_before = AuditEntry.objects.count()
    # Every statement the request sends is captured: a denied request may write its audit entry and
    # nothing else (cheaper and stricter than comparing table contents before and after).
    with CaptureQueriesContext(connection) as queries:
        response = _request_page(client, case, objs)
    if visitor is None:
        assert response.status_code == 302 and "/login/" in response["Location"], response.status_code
        assert writes_in(queries.captured_queries) == []
        return
    if visitor in case.allowed:
        assert response.status_code < 400, f"{visitor} should reach {case.id}, got {response.status_code}"
        return
    assert response.status_code in (403, 404), f"{visitor} must not reach {case.id}, got {response.status_code}"
    assert writes_in(queries.captured_queries) == [], "a denied request changed data"
    assert _new_audit_categories(audit_before) == [AuditCategory.DENIED], "a denied request must leave one audit entry"


def _check_endpoint(case: Endpoint, visitor: str | None, cast: dict[str, Any], objs: dict[str, Any]) -> None:
    headers = _auth_headers(visitor, cast)
    audit_before = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = _call_api(case, objs, headers)
    if visitor is None:
        expected = (200,) if case.public else (401,)
        assert response.status_code in expected, response.content
        if not case.public:
            assert writes_in(queries.captured_queries) == []
        return
    if visitor in case.allowed or case.public:
        assert 200 <= response.status_code < 300, f"{visitor}: {response.status_code} {response.content[:200]}"
        return
    assert response.status_code in (403, 404), f"{visitor}: {response.status_code} {response.content[:200]}"
    # A token's last-used stamp is bookkeeping, not data.
    assert [t for t in writes_in(queries.captured_queries) if t != "org_apitoken"] == [], \
        "a denied API call changed data"
    assert _new_audit_categories(audit_before) == [AuditCategory.DENIED], \
        "a denied API call must leave one audit entry"


def _named_patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _named_patterns(pattern, route, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append((route, f"{namespace}{pattern.name}"))
    return found


def test_every_back_office_url_is_in_a_table() -> None:
    listed = {c.url_name for c in CASES if isinstance(c, Page)}
    pages = {name for route, name in _named_patterns(get_resolver())
             if route.startswith(("office/", "account/"))}
    assert pages - listed == set(), "back-office URLs missing from the authorisation tables"


def test_every_portal_url_is_in_a_table() -> None:
    listed = {c.url_name for c in CASES if isinstance(c, PortalPage)}
    pages = {name for route, name in _named_patterns(get_resolver())
             if name.split(":")[0] == "portal" or name.split(":")[0].endswith("_portal")}
    assert pages, "no portal URLs found"
    assert pages - listed == set(), "portal URLs missing from the authorisation tables"


def test_every_api_endpoint_is_in_a_table() -> None:
    from kepu.api.api import api

    schema = api.get_openapi_schema()
    operations = {(method, path) for path, item in schema["paths"].items() for method in item}
    listed = {(c.method, c.path) for c in CASES if isinstance(c, Endpoint)}
    assert operations - listed == set(), "API endpoints missing from the authorisation tables"
