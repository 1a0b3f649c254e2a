"""Sources of search documents, registered by the domains that own them (in their manifest), so that
`manage.py search_rebuild` can rebuild the whole index from the domains' own tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .services import Entry


@dataclass(frozen=True)
class SearchSource:
    kind: str  # e.g. "library.item"
    label: str  # Chinese, shown by the rebuild command
    entries: Callable[[], Iterable[Entry]]  # every record that belongs in the index now


_sources: dict[str, SearchSource] = {}


def register_source(source: SearchSource) -> None:
    _sources[source.kind] = source


def sources() -> list[SearchSource]:
    return list(_sources.values())
