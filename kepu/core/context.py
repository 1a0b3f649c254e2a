"""Who is acting and from where, for the audit trail: set per request by middleware, per task by tasks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None = None
    user_agent: str = ""
    channel: str = "web"  # web, api, task, command


_client: ContextVar[ClientInfo] = ContextVar("kepu_client", default=ClientInfo(channel="command"))  # noqa: B039 (frozen)


def current_client() -> ClientInfo:
    return _client.get()


@contextmanager
def client_context(info: ClientInfo) -> Iterator[None]:
    token = _client.set(info)
    try:
        yield
    finally:
        _client.reset(token)
