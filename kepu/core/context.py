"""Who is acting and from where, for the audit trail: set per request by middleware, per task by tasks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


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


# Audit entries of refusals made during the current request. A refusal inside a service's transaction
# would roll back with it; the request middleware writes again any that did not survive.
_denials: ContextVar[list[Any] | None] = ContextVar("kepu_denials", default=None)


@contextmanager
def denial_log() -> Iterator[list[Any]]:
    entries: list[Any] = []
    token = _denials.set(entries)
    try:
        yield entries
    finally:
        _denials.reset(token)


def remember_denial(entry: Any) -> None:
    log = _denials.get()
    if log is not None:
        log.append(entry)
