"""The two index backends behind one interface: SQLite FTS5 and PostgreSQL tsvector + GIN.

Both receive the same tokens from `kepu.search.text`, so a query finds the same documents on both;
only the ranking function differs (FTS5 `bm25()` with column weights, PostgreSQL `ts_rank` with
title tokens weighted A and body tokens B). Tested identically on both in tests/search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from .models import SearchDocument
from .text import QueryPlan, Term

TOKEN_COLUMNS = ("tw", "tb", "bw", "bb", "py", "tg")
# PostgreSQL positions stop at 16,383; streams are laid one after another with a gap so that a phrase
# never spans two streams.
_PG_MAX_POSITION = 16383
_GAP = 8


@dataclass(frozen=True)
class Filter:
    kinds: Sequence[str] = ()
    tags: Sequence[str] = ()  # every tag must be present (e.g. "aud_youth", "region_320583")


# ---------------------------------------------------------------------------------------- writing


def fts_delete(document_ids: Sequence[int]) -> None:
    """Take documents out of the FTS5 index (before their token columns change or the row goes)."""
    if connection.vendor != "sqlite" or not document_ids:
        return
    cols = ", ".join(TOKEN_COLUMNS)
    marks = ", ".join("%s" for _ in document_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO search_fts(search_fts, rowid, {cols}) "
            f"SELECT 'delete', id, {cols} FROM search_searchdocument WHERE id IN ({marks})",
            list(document_ids),
        )


def fts_insert(document_ids: Sequence[int]) -> None:
    """Index documents whose token columns are written (SQLite: FTS5; PostgreSQL: the tsvector)."""
    if not document_ids:
        return
    if connection.vendor == "sqlite":
        cols = ", ".join(TOKEN_COLUMNS)
        marks = ", ".join("%s" for _ in document_ids)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO search_fts(rowid, {cols}) SELECT id, {cols} FROM search_searchdocument "
                f"WHERE id IN ({marks})",
                list(document_ids),
            )
        return
    if connection.vendor == "postgresql":
        rows = SearchDocument.objects.filter(id__in=document_ids).values_list("id", *TOKEN_COLUMNS)
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE search_searchdocument SET vector = %s::tsvector WHERE id = %s",
                [(tsvector_literal(*row[1:]), row[0]) for row in rows],
            )


def tsvector_literal(tw: str, tb: str, bw: str, bb: str, py: str, tg: str) -> str:
    """The tokens as a tsvector literal with positions and weights, built without PostgreSQL's parser
    (which would split or fold Chinese tokens by locale)."""
    entries: dict[str, list[str]] = {}
    position = 1
    for stream, weight in ((tb, "A"), (tw, "A"), (py, "A"), (bb, "B"), (bw, "B")):
        for token in stream.split():
            entries.setdefault(token, []).append(f"{min(position, _PG_MAX_POSITION)}{weight}")
            position += 1
        position += _GAP
    for token in tg.split():
        entries.setdefault(token, []).append("1D")
    # A lexeme keeps at most 256 positions; the ranking needs no more.
    return " ".join(f"'{token}':{','.join(positions[:256])}" for token, positions in entries.items())


def fts_clear() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES('delete-all')")


def fts_optimize() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES('optimize')")


# ---------------------------------------------------------------------------------------- querying


def _fts5_term(term: Term) -> str:
    if term.prefix:
        return f'({{bb tb}} : "{term.bigrams[0]}" *)'
    bigram_phrase = f'{{bb tb}} : "{" ".join(term.bigrams)}"'
    if not term.words:
        return f"({bigram_phrase})"
    # The bigram phrase decides the match (exactly the substring); the word phrase only lifts the rank.
    return f'({bigram_phrase} AND ({{bw tw}} : "{" ".join(term.words)}" OR {bigram_phrase}))'


def fts5_match(plan: QueryPlan, tags: Sequence[str]) -> str:
    expression = " AND ".join(_fts5_term(t) for t in plan.terms)
    if plan.pinyin:
        pinyin = f'{{py}} : "{plan.pinyin}"'
        expression = f"(({expression}) OR {pinyin})" if expression else pinyin
    for tag in tags:
        expression += f' AND {{tg}} : "{tag}"'
    return expression


def _pg_term(term: Term) -> str:
    if term.prefix:
        return f"'{term.bigrams[0]}':*"
    bigram_phrase = " <-> ".join(f"'{b}'" for b in term.bigrams)
    if not term.words:
        return f"({bigram_phrase})"
    word_phrase = " <-> ".join(f"'{w}'" for w in term.words)
    # The bigram phrase decides the match (exactly the substring); the word phrase only lifts the rank.
    return f"({bigram_phrase} & ({word_phrase} | {bigram_phrase}))"


def pg_tsquery(plan: QueryPlan, tags: Sequence[str]) -> str:
    expression = " & ".join(_pg_term(t) for t in plan.terms)
    if plan.pinyin:
        pinyin = f"'{plan.pinyin}':A"
        expression = f"(({expression}) | {pinyin})" if expression else pinyin
    for tag in tags:
        expression += f" & '{tag}':D"
    return expression


def _kind_clause(kinds: Sequence[str]) -> tuple[str, list[str]]:
    if not kinds:
        return "", []
    return f" AND d.kind IN ({', '.join('%s' for _ in kinds)})", list(kinds)


def run_query(plan: QueryPlan, flt: Filter, *, offset: int, limit: int) -> tuple[int, list[int]]:
    """(total matches, document ids of the page in rank order)."""
    kind_sql, kind_params = _kind_clause(flt.kinds)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            match = fts5_match(plan, flt.tags)
            base = f"FROM search_fts f JOIN search_searchdocument d ON d.id = f.rowid WHERE search_fts MATCH %s{kind_sql}"
            cursor.execute(f"SELECT count(*) {base}", [match, *kind_params])
            total = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT d.id {base} ORDER BY d.boost DESC, bm25(search_fts, 10.0, 10.0, 1.0, 1.0, 8.0, 0.0), d.id "
                "LIMIT %s OFFSET %s",
                [match, *kind_params, limit, offset],
            )
        else:
            query = pg_tsquery(plan, flt.tags)
            base = f"FROM search_searchdocument d WHERE d.vector @@ %s::tsquery{kind_sql}"
            cursor.execute(f"SELECT count(*) {base}", [query, *kind_params])
            total = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT d.id {base} ORDER BY d.boost DESC, ts_rank(d.vector, %s::tsquery) DESC, d.id "
                "LIMIT %s OFFSET %s",
                [query, *kind_params, query, limit, offset],
            )
        ids = [row[0] for row in cursor.fetchall()]
    return total, ids
