"""The table-driven authorisation check's vocabulary.

Each domain lists its back-office URLs, portal URLs and API endpoints in `tests/<domain>/authz.py` as
`CASES`: for each, who (by demo user name) is allowed. A table may also define `objects(cast) -> dict` returning
named rows its cases refer to (created inside the test's transaction). `tests/test_authorization.py` runs every case for every demo
user and anonymous visitors, and fails when a URL or endpoint exists that no table lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Every demo user, one per role (see kepu/org/demo.py), plus the anonymous visitor.
EVERYONE = ("admin", "office", "zhangpu", "jiaoyu", "expert", "volunteer", "resident")
STAFF = ("admin", "office", "zhangpu", "jiaoyu", "expert", "volunteer")
OFFICE = ("admin", "office")


@dataclass(frozen=True)
class Page:
    """A back-office URL by name: `allowed` users get a non-error answer; everyone else 403/404."""

    url_name: str
    allowed: tuple[str, ...]
    method: str = "get"
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = lambda objs: {}
    data: Callable[[dict[str, Any]], dict[str, Any]] = lambda objs: {}
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.url_name}{' ' + self.label if self.label else ''}"


@dataclass(frozen=True)
class PortalPage:
    """A portal URL by name (/services/…, /volunteer/…, /plans/, /literacy/ …): `allowed` signed-in users
    get a non-error answer, the others 403/404 and no change. `anonymous` is what a visitor who is not
    signed in gets: "open" (the page itself), "login" (sent to sign in), "verify" (sent to prove a
    phone by SMS) or "denied" (403/404)."""

    url_name: str
    allowed: tuple[str, ...]
    anonymous: str = "open"
    method: str = "get"
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = lambda objs: {}
    data: Callable[[dict[str, Any]], dict[str, Any]] = lambda objs: {}
    label: str = ""

    @property
    def id(self) -> str:
        return f"portal {self.method.upper()} {self.url_name}{' ' + self.label if self.label else ''}"


@dataclass(frozen=True)
class Endpoint:
    """An API operation by its OpenAPI path; `allowed` users get 2xx, others 403/404, anonymous 401."""

    method: str
    path: str  # as in the OpenAPI schema, e.g. /api/v1/org/units/{unit_id}
    allowed: tuple[str, ...]
    params: Callable[[dict[str, Any]], dict[str, Any]] = lambda objs: {}
    json: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    public: bool = False
    label: str = ""
    query: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.path}{' ' + self.label if self.label else ''}"
