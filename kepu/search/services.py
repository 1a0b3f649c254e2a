"""Writing to and reading from the search index. Domains call these; they never touch the tables.

`document_put` and `document_remove` are meant to run after the domain's transaction commits
(`index_after_commit` does that), so a rolled-back publish never reaches the index and a search
never shows a row the database does not have.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils.safestring import SafeString, mark_safe

from . import backends, text
from .models import SearchDocument

SNIPPET_CHARS = 90
BATCH = 500


@dataclass(frozen=True)
class Entry:
    """What a domain hands the index for one record."""

    kind: str
    object_id: int
    title: str
    body: str = ""
    url: str = ""
    tags: Sequence[str] = ()
    boost: int = 0
    published_at: datetime | None = None


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    title: str
    url: str
    title_html: SafeString
    snippet_html: SafeString


@dataclass(frozen=True)
class SearchPage:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)

    @property
    def object_ids(self) -> list[int]:
        return [hit.object_id for hit in self.hits]


def _tokens(entry: Entry) -> dict[str, str]:
    title = text.normalise(entry.title)
    body = text.normalise(entry.body)
    return {
        "tw": " ".join(text.word_tokens(title)),
        "tb": " ".join(text.bigram_tokens(title)),
        "bw": " ".join(text.word_tokens(body)),
        "bb": " ".join(text.bigram_tokens(body)),
        "py": " ".join(text.pinyin_tokens(entry.title)),
        "tg": " ".join(sorted({tag_token(t) for t in (f"kind_{entry.kind}", *entry.tags)})),
    }


def tag_token(tag: str) -> str:
    """Tags are ASCII letters, digits and underscores (one index token each)."""
    return "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in tag.lower())


def documents_put(entries: Iterable[Entry]) -> int:
    """Add or replace documents (by kind and object id). Returns how many were written."""
    written = 0
    batch: list[Entry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) >= BATCH:
            written += _put_batch(batch)
            batch = []
    if batch:
        written += _put_batch(batch)
    return written


@transaction.atomic
def _put_batch(entries: list[Entry]) -> int:
    by_key = {(e.kind, e.object_id): e for e in entries}
    existing = {
        (d.kind, d.object_id): d
        for d in SearchDocument.objects.filter(
            kind__in={k for k, _ in by_key}, object_id__in={o for _, o in by_key}
        )
    }
    backends.fts_delete([d.id for d in existing.values()])
    fresh, changed = [], []
    for key, entry in by_key.items():
        values = {"title": entry.title[:300], "body": entry.body, "url": entry.url[:300], "boost": entry.boost,
                  "published_at": entry.published_at, **_tokens(entry)}
        document = existing.get(key) or SearchDocument(kind=entry.kind, object_id=entry.object_id)
        for name, value in values.items():
            setattr(document, name, value)
        (changed if document.pk else fresh).append(document)
    SearchDocument.objects.bulk_create(fresh, batch_size=BATCH)
    if changed:
        SearchDocument.objects.bulk_update(changed, ["title", "body", "url", "boost", "published_at",
                                                     *backends.TOKEN_COLUMNS], batch_size=BATCH)
    ids = list(SearchDocument.objects.filter(
        kind__in={k for k, _ in by_key}, object_id__in={o for _, o in by_key}).values_list("id", flat=True))
    backends.fts_insert(ids)
    return len(by_key)


@transaction.atomic
def documents_remove(kind: str, object_ids: Sequence[int]) -> None:
    documents = SearchDocument.objects.filter(kind=kind, object_id__in=list(object_ids))
    backends.fts_delete(list(documents.values_list("id", flat=True)))
    documents.delete()


@transaction.atomic
def kind_clear(kind: str) -> None:
    documents_remove(kind, list(SearchDocument.objects.filter(kind=kind).values_list("object_id", flat=True)))


def index_after_commit(put: Callable[[], Iterable[Entry]] | None = None, *,
                       remove: tuple[str, Sequence[int]] | None = None) -> None:
    """Update the index once the current transaction commits (immediately outside one)."""
    def apply() -> None:
        if put is not None:
            documents_put(put())
        if remove is not None:
            documents_remove(*remove)

    transaction.on_commit(apply)


def search(query: str, *, kinds: Sequence[str] = (), tags: Sequence[str] = (), offset: int = 0,
           limit: int = 20) -> SearchPage:
    """Documents containing every term of `query` (simplified or traditional, or the pinyin or
    pinyin initials of a title), ranked title before body, emergency-boosted first."""
    plan = text.plan_query(query)
    if plan.empty:
        return SearchPage(query=query, total=0)
    flt = backends.Filter(kinds=kinds, tags=[tag_token(t) for t in tags])
    total, ids = backends.run_query(plan, flt, offset=max(offset, 0), limit=max(min(limit, 100), 0))
    documents = SearchDocument.objects.in_bulk(ids)
    hits = [_hit(documents[i], plan) for i in ids if i in documents]
    return SearchPage(query=query, total=total, hits=hits)


def _hit(document: SearchDocument, plan: text.QueryPlan) -> Hit:
    return Hit(kind=document.kind, object_id=document.object_id, title=document.title, url=document.url,
               title_html=highlight(document.title, plan), snippet_html=snippet(document.body, plan))


def highlight(value: str, plan: text.QueryPlan) -> SafeString:
    """`value` HTML-escaped with the query's terms in <mark>."""
    parts, last = [], 0
    for begin, end in text.highlight_spans(value, plan):
        parts.append(html.escape(value[last:begin]))
        parts.append(f"<mark>{html.escape(value[begin:end])}</mark>")
        last = end
    parts.append(html.escape(value[last:]))
    return mark_safe("".join(parts))  # every piece is escaped above


def snippet(body: str, plan: text.QueryPlan, width: int = SNIPPET_CHARS) -> SafeString:
    """A window of the body around the first match, highlighted; the opening if nothing matches."""
    spans = text.highlight_spans(body, plan)
    start = max(spans[0][0] - width // 3, 0) if spans else 0
    window = body[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(body) else ""
    return mark_safe(prefix + highlight(window, plan) + suffix)  # highlight() escapes
