"""A bounded fuzz run over the whole API: every operation of the published OpenAPI document, called with
generated path, query and body values (mostly within the declared schema, some not), as the demo
administrator and as scoped roles (张浦镇管理员, 教育局 liaison). Each answer must be no server error, carry
a status the document declares for that operation, be JSON, and match the declared schema of that status.

The run is fixed (derandomised, no example database) and small, so it takes the same path each time.
schemathesis would do this with more strategies; it is not a dependency, so the generator and the
JSON-schema check below cover the subset of OpenAPI that ninja emits (and fail loudly on anything else).
Writes run inside the test's transaction and are rolled back like every other test's.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kepu.api.api import api
from kepu.service_orders.api import RUNNERS
from tests.test_authorization import _auth_headers

# As served at /api/openapi.json (JSON: status codes are strings).
DOCUMENT: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api"), default=str))
OPERATIONS = [(method, path) for path, ops in DOCUMENT["paths"].items() for method in ops]
ROLES = ["admin", "zhangpu", "jiaoyu"]
EXAMPLES = 12
HUGE = 2**63 + 5
# Text that has broken such systems: NUL (PostgreSQL refuses it), LIKE wildcards, quotes, a long run.
ODD_TEXT = ["\x00", "%", "_", "'", "\\", "教育\x00局", "a" * 300, "１２", "-1", "9" * 30]
METHODS_WITH_BODY = {"post", "put", "patch"}
# Values a caller would really send, mixed into the generated ones so the run reaches past the 404s.
HINTS: dict[str, Any] = {"verb": st.sampled_from(sorted(RUNNERS)), "code": st.sampled_from(["", "XYZ", "KP-0"])}


# ---- values from a schema ----------------------------------------------------------------------------

def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _integers() -> st.SearchStrategy[int]:
    # Mostly ids of the demo city's rows, some past every database's integer range.
    return st.one_of(st.integers(1, 60), st.integers(-3, 3), st.just(HUGE), st.integers())


def values(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    schema = _resolve(schema)
    if "anyOf" in schema:
        return st.one_of([values(s) for s in schema["anyOf"]])
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return values(schema["allOf"][0])
    kind = schema.get("type")
    if kind == "integer":
        return _integers()
    if kind == "number":
        return st.one_of(_integers(), st.floats(allow_nan=False, allow_infinity=False))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "string":
        return st.one_of(st.text(max_size=30), st.sampled_from(ODD_TEXT))
    if kind == "array":
        return st.lists(values(schema.get("items", {})), max_size=3)
    if kind == "object":
        return _objects(schema)
    raise AssertionError(f"the fuzz run cannot generate {schema}")


def _objects(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    if not properties:
        extra = schema.get("additionalProperties")
        extra_values = values(extra) if isinstance(extra, dict) else st.integers()
        return st.dictionaries(st.one_of(st.text(max_size=5), st.integers(0, 60).map(str)), extra_values,
                               max_size=3)
    required = set(schema.get("required", []))
    fields = {name: HINTS.get(name, values(s)) for name, s in properties.items()}
    return st.fixed_dictionaries({k: v for k, v in fields.items() if k in required},
                                 optional={k: v for k, v in fields.items() if k not in required})


def _parameter(parameter: dict[str, Any]) -> st.SearchStrategy[Any]:
    return HINTS.get(parameter["name"], values(parameter.get("schema", {})))


@st.composite
def calls(draw: Any, method: str, path: str) -> dict[str, Any]:
    operation = DOCUMENT["paths"][path][method]
    url, query = path, {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", quote(str(draw(_parameter(parameter))), safe=""))
        elif parameter.get("required") or draw(st.booleans()):
            value = draw(_parameter(parameter))
            if value is not None:  # a null query parameter is one left out
                query[parameter["name"]] = value
    body: bytes | None = None
    if "requestBody" in operation:
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        payload = draw(st.one_of(values(schema), st.just("{not json"))) if draw(st.integers(0, 9)) == 0 \
            else draw(values(schema))
        body = payload.encode() if payload == "{not json" else json.dumps(payload).encode()
    elif method in METHODS_WITH_BODY:
        body = b""
    query = {k: json.dumps(v) if isinstance(v, bool) else v for k, v in query.items()}
    return {"url": url, "query": query, "body": body}


# ---- checking an answer ------------------------------------------------------------------------------

TYPES: dict[str, Any] = {"string": str, "integer": int, "number": (int, float), "boolean": bool,
                         "array": list, "object": dict, "null": type(None)}


def violations(instance: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Where `instance` breaks the JSON schema (the keywords ninja's documents use)."""
    schema = _resolve(schema)
    if "anyOf" in schema:
        ok = any(not violations(instance, s, where) for s in schema["anyOf"])
        return [] if ok else [f"{where}: {instance!r} matches none of {schema['anyOf']}"]
    for sub in schema.get("allOf", []):
        if found := violations(instance, sub, where):
            return found
    kind = schema.get("type")
    if kind is not None:
        expected = TYPES[kind]
        is_bool = isinstance(instance, bool)
        if not isinstance(instance, expected) or (is_bool and kind in ("integer", "number")):
            return [f"{where}: {instance!r} is not {kind}"]
    if "enum" in schema and instance not in schema["enum"]:
        return [f"{where}: {instance!r} not in {schema['enum']}"]
    if "pattern" in schema and isinstance(instance, str) and not re.search(schema["pattern"], instance):
        return [f"{where}: {instance!r} does not match {schema['pattern']}"]
    return _nested_violations(instance, schema, where)


def _nested_violations(instance: Any, schema: dict[str, Any], where: str) -> list[str]:
    found: list[str] = []
    if isinstance(instance, dict):
        for name in schema.get("required", []):
            if name not in instance:
                found.append(f"{where}: {name} is missing")
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, value in instance.items():
            if name in properties:
                found += violations(value, properties[name], f"{where}.{name}")
            elif extra is False:
                found.append(f"{where}: {name} is not declared")
            elif isinstance(extra, dict):
                found += violations(value, extra, f"{where}.{name}")
    if isinstance(instance, list) and "items" in schema:
        for i, item in enumerate(instance):
            found += violations(item, schema["items"], f"{where}[{i}]")
    return found


def check(method: str, path: str, call: dict[str, Any], response: Any) -> None:
    said = f"{method.upper()} {call['url']} {call['query']} {call['body']!r} → {response.status_code}"
    assert response.status_code < 500, f"server error: {said}\n{response.content[:500]!r}"
    declared = DOCUMENT["paths"][path][method]["responses"]
    assert str(response.status_code) in declared, f"undeclared status: {said} (declared {sorted(declared)})"
    content = declared[str(response.status_code)].get("content", {})
    assert response["Content-Type"].split(";")[0] in content, f"undeclared content type {response['Content-Type']}: {said}"
    schema = content["application/json"]["schema"]
    found = violations(json.loads(response.content), schema)
    assert not found, f"schema violation: {said}\n" + "\n".join(found[:5])


# ---- the run -----------------------------------------------------------------------------------------

def test_the_document_declares_the_refusals_of_every_operation() -> None:
    for method, path in OPERATIONS:
        declared = set(DOCUMENT["paths"][path][method]["responses"])
        assert {"422", "429"} <= declared, (method, path)
        if DOCUMENT["paths"][path][method].get("security"):
            assert {"401", "403", "404"} <= declared, (method, path)
        if method in METHODS_WITH_BODY:
            assert {"400", "409", "413"} <= declared, (method, path)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_an_operation_answers_generated_input_as_declared(method: str, path: str, role: str,
                                                         cast: dict[str, Any], settings: Any) -> None:
    settings.KEPU_API_RATE_CALLER = "100000/m"  # a throttled run would test nothing but the 429
    client = Client(headers=_auth_headers(role, cast))

    @hypothesis_settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                         suppress_health_check=list(HealthCheck))
    @given(call=calls(method, path))
    def one_call(call: dict[str, Any]) -> None:
        send = getattr(client, method)
        if call["body"] is None:
            response = send(call["url"], call["query"])
        else:
            url = call["url"] + ("?" + "&".join(f"{k}={quote(str(v))}" for k, v in call["query"].items())
                                 if call["query"] else "")
            response = send(url, call["body"], content_type="application/json")
        check(method, path, call, response)

    one_call()


@pytest.mark.django_db
def test_an_anonymous_caller_is_refused_as_declared() -> None:
    for method, path in OPERATIONS:
        operation = DOCUMENT["paths"][path][method]
        if not operation.get("security") or "{" in path:
            continue
        response = getattr(Client(), method)(path)
        check(method, path, {"url": path, "query": {}, "body": None}, response)
        assert response.status_code == 401 and "令牌" in response.json()["detail"]


@pytest.mark.django_db
def test_a_filter_by_a_team_that_does_not_exist_finds_nothing(cast: dict[str, Any]) -> None:
    # The "no such team" path was a NUL, which PostgreSQL refused with a server error.
    from kepu.volunteers.models import VolunteerTeam

    missing = (VolunteerTeam.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    client = Client(headers=_auth_headers("admin", cast))
    for url in ("/api/v1/volunteers/volunteers", "/api/v1/volunteers/activities", "/api/v1/volunteers/hours"):
        response = client.get(url, {"team": missing})
        assert response.status_code == 200 and response.json()["count"] == 0, url
