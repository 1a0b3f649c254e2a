"""What an API operation can answer besides success, declared once so the OpenAPI document lists every
status a caller can meet and the shape of its body (the handlers in kepu/api/api.py, ninja's own checks
and kepu's middleware send exactly these)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """A refusal with one Chinese sentence: 400, 401, 403, 404, 409, 413, 429 and kepu's own 422."""

    detail: str


class FieldErrorOut(Schema):
    """One invalid field: where it is (``["body", "name"]``, ``["query", "page"]``) and what is wrong."""

    loc: list[str | int]
    msg: str
    type: str


class InvalidOut(Schema):
    """422: either kepu's refusal (a sentence) or the fields that failed validation (a list)."""

    detail: str | list[FieldErrorOut]


# Every call: its parameters are validated (422) and it is throttled (429).
_EVERY_CALL: dict[int, Any] = {422: InvalidOut, 429: ErrorOut}
# A signed-in call: no or a bad token (401), a role without the action (403), a row that does not exist
# or lies outside the caller's data scope (404, the same answer for both so scopes do not leak).
_SIGNED_IN: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
# A write: a body that is not JSON (400), another caller decided first (409), a body over the size limit (413).
_WRITE: dict[int, Any] = {400: ErrorOut, 409: ErrorOut, 413: ErrorOut}


def answers(ok: Any, *, public: bool = False, write: bool = False) -> dict[int, Any]:
    """The ``response=`` of an operation: its success (a schema for 200, or ``{201: Schema}``) and every
    refusal it can send."""
    success = ok if isinstance(ok, dict) else {200: ok}
    return {**success, **_EVERY_CALL, **({} if public else _SIGNED_IN), **(_WRITE if write else {})}
