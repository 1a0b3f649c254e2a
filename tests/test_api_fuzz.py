"""A bounded schemathesis run over the whole API: every operation of the published OpenAPI document, called
with generated path, query and body values (within the declared schema and outside it), as the demo
administrator and as scoped roles (张浦镇管理员, 教育局 liaison). Each answer must be no server error, carry
a status the document declares for that operation, have a declared content type and match the declared
schema of that status (schemathesis's checks, all but one: see NOT_CHECKED); an operation that needs a
token refuses an anonymous caller with 401 whatever else is wrong with the request. Once more as the
administrator with schemathesis's boundary cases of every parameter (its coverage phase).

The run is fixed (derandomised, no example database) and small, so it takes the same path each time.
Requests go in-process to Django's WSGI application on the test's own database connection, so writes run
inside the test's transaction and are rolled back like every other test's.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kepu.api.api import api
from kepu.service_orders.api import RUNNERS
from tests.test_authorization import _auth_headers

# As served at /api/openapi.json (JSON: status codes are strings).
DOCUMENT: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api"), default=str))
EXAMPLES = 10


ROLES = ["admin", "zhangpu", "jiaoyu"]
HUGE = 2**63 + 5
# Text that has broken such systems: NUL (PostgreSQL refuses it), LIKE wildcards, quotes, a long run.
ODD_TEXT = ["\x00", "%", "_", "'", "\\", "教育\x00局", "a" * 300, "１２", "-1", "9" * 30]
# Values a caller would really send, mixed into the generated ones so the run reaches past the 404s:
# ids of the demo city's rows, one past every database's integer range, the workflow's verbs, the codes of
# the demo city (昆山市) and of 张浦镇.
DEMO_IDS = st.one_of(st.integers(1, 60), st.just(HUGE))
HINTS: dict[str, st.SearchStrategy[Any]] = {"verb": st.sampled_from(sorted(RUNNERS)),
                                            "code": st.sampled_from(["", "XYZ", "KP-0"]),
                                            "region_code": st.sampled_from(["320583000000", "320583106000"])}


def _hint(context: Any, values: Any) -> st.SearchStrategy[Any]:
    """The generated values (parameters, or a JSON object body), some of them swapped for a demo id, a verb,
    a demo region's code or an odd text."""
    if not isinstance(values, dict):
        return st.just(values)  # a body that is not an object stays as generated

    def hint(name: str, value: Any) -> st.SearchStrategy[Any]:
        if name in HINTS:
            return st.one_of(HINTS[name], st.just(value))
        if isinstance(value, int) and not isinstance(value, bool):
            return st.one_of(DEMO_IDS, st.just(value))
        if isinstance(value, str):
            return st.one_of(st.just(value), st.sampled_from(ODD_TEXT))
        return st.just(value)

    return st.fixed_dictionaries({name: hint(name, value) for name, value in values.items()})


def _schema(*, coverage: bool) -> Any:
    """The document for schemathesis, fixed (derandomised, no example database) and called in-process."""
    config = schemathesis.Config.from_dict({
        "suppress-health-check": ["all"],
        "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True, "database": "none"},
        # ninja emits no examples and no links (for stateful runs). The coverage phase makes every boundary
        # and type-confusion case of every parameter, deterministically: hundreds a list operation, so once.
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": coverage},
                   "stateful": {"enabled": False}},
    })
    schema = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT), config=config)
    schema.app = WSGIHandler()  # in-process, also for the checks that send a request of their own
    schema.hook("flatmap_path_parameters")(_hint)
    schema.hook("flatmap_query")(_hint)
    schema.hook("flatmap_body")(_hint)
    return schema


FUZZ = _schema(coverage=False)
BOUNDARIES = _schema(coverage=True)
# Every check schemathesis has but one: a request it made valid must not be refused (positive data
# acceptance). kepu refuses control characters in any text (422), which a JSON-schema `string` cannot say,
# and the hints above put such text and ids past a bound into requests schemathesis made valid.
NOT_CHECKED = [positive_data_acceptance]


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Django's WSGI application on the test's own connection: Django closes connections at the end of a
    request, which would end the test's transaction (its test client unhooks the same signal)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _signed_in(role: str, cast: dict[str, Any], settings: Any) -> dict[str, str]:
    settings.KEPU_API_RATE_CALLER = "100000/m"  # a throttled run would test nothing but the 429
    return _auth_headers(role, cast)


@pytest.mark.django_db
@pytest.mark.usefixtures("in_test_transaction")
@pytest.mark.parametrize("role", ROLES)
@FUZZ.parametrize()
def test_an_operation_answers_generated_input_as_declared(case: schemathesis.Case, role: str, cast: dict[str, Any],
                                                         settings: Any) -> None:
    case.call_and_validate(headers=_signed_in(role, cast, settings), excluded_checks=NOT_CHECKED)


@pytest.mark.django_db
@pytest.mark.usefixtures("in_test_transaction")
@BOUNDARIES.parametrize()
def test_an_operation_answers_boundary_input_as_declared(case: schemathesis.Case, cast: dict[str, Any],
                                                        settings: Any) -> None:
    case.call_and_validate(headers=_signed_in("admin", cast, settings), excluded_checks=NOT_CHECKED)


def test_the_document_declares_the_refusals_of_every_operation() -> None:
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"422", "429"} <= declared, (method, path)
            if operation.get("security"):
                assert {"401", "403", "404"} <= declared, (method, path)
            if "requestBody" in operation:
                assert {"400", "409", "413"} <= declared, (method, path)


@pytest.mark.django_db
@pytest.mark.usefixtures("in_test_transaction")
@FUZZ.parametrize()
def test_an_anonymous_caller_is_refused_as_declared(case: schemathesis.Case) -> None:
    response = case.call_and_validate(excluded_checks=NOT_CHECKED)
    if case.operation.definition.raw.get("security"):
        assert response.status_code == 401 and "令牌" in response.json()["detail"]


@pytest.mark.django_db
def test_a_filter_by_a_team_that_does_not_exist_finds_nothing(cast: dict[str, Any]) -> None:
    # The "no such team" path was a NUL, which PostgreSQL refused with a server error.
    from django.test import Client

    from kepu.volunteers.models import VolunteerTeam

    missing = (VolunteerTeam.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    client = Client(headers=_auth_headers("admin", cast))
    for url in ("/api/v1/volunteers/volunteers", "/api/v1/volunteers/activities", "/api/v1/volunteers/hours"):
        response = client.get(url, {"team": missing})
        assert response.status_code == 200 and response.json()["count"] == 0, url
