"""Chinese text → index tokens and query plans. Plain Python (no Django), the same on every backend.

Why two kinds of token (see docs/search.md): jieba's search-mode words rank well but miss some
substrings (环境保护 inside 环境保护局); CJK bigrams never miss a substring. A document is indexed with
both; a query term matches if either its word phrase or its bigram phrase is found, so recall against
plain substring search is complete, and word hits lift the ranking.

Text is normalised first — NFKC (full-width letters and digits), traditional → simplified (OpenCC
t2s), lower case — at index and at query time alike, so 科學 finds 科学.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc
import pypinyin
import rjieba

# CJK unified ideographs (basic + extension A) and compatibility ideographs: the characters bigrams cover.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")
_PINYIN_QUERY = re.compile(r"^[a-z]{2,40}$")
# Longest run of pinyin syllables indexed as one token (kexuejishu = 4 syllables), and of initials.
MAX_SYLLABLES = 6
MAX_INITIALS = 10


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """NFKC, traditional → simplified, lower case."""
    text = unicodedata.normalize("NFKC", text or "")
    return _t2s().convert(text).lower()


def is_cjk(char: str) -> bool:
    return bool(_CJK_RUN.fullmatch(char))


def runs(text: str) -> list[str]:
    """Maximal runs of CJK characters or of ASCII letters/digits in normalised text."""
    return _RUN.findall(text)


def bigrams(run: str) -> list[str]:
    """A CJK run's overlapping bigrams, then its last character alone (so one-character queries,
    matched as a prefix, also find a character at the end of a run)."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def bigram_tokens(normalised: str) -> list[str]:
    tokens: list[str] = []
    for run in runs(normalised):
        tokens.extend(bigrams(run) if is_cjk(run[0]) else [run])
    return tokens


def word_tokens(normalised: str) -> list[str]:
    """jieba search-mode words (rjieba), keeping only CJK words and ASCII words."""
    tokens: list[str] = []
    for run in runs(normalised):
        if is_cjk(run[0]):
            tokens.extend(w for w in rjieba.cut_for_search(run) if w.strip())
        else:
            tokens.append(run)
    return tokens


def pinyin_tokens(title: str) -> list[str]:
    """Pinyin of a title for initials and full-pinyin queries: every run of up to MAX_SYLLABLES
    consecutive syllables (kexue, kexuejishu) and every run of 2..MAX_INITIALS initials (kxjs)."""
    tokens: set[str] = set()
    for run in _CJK_RUN.findall(normalise(title)):
        syllables = [s[0] for s in pypinyin.pinyin(run, style=pypinyin.Style.NORMAL, errors="ignore")]
        syllables = [s for s in syllables if s.isascii() and s.isalpha()]
        initials = [s[0] for s in syllables]
        for i in range(len(syllables)):
            for n in range(1, MAX_SYLLABLES + 1):
                if i + n <= len(syllables):
                    tokens.add("".join(syllables[i : i + n]))
            for n in range(2, MAX_INITIALS + 1):
                if i + n <= len(initials):
                    tokens.add("".join(initials[i : i + n]))
    return sorted(tokens)


@dataclass(frozen=True)
class Term:
    """One term of a query: matched if its word phrase or its bigram phrase occurs.

    `prefix` marks a one-character CJK term, matched as a prefix of bigram tokens."""

    text: str
    words: tuple[str, ...]
    bigrams: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class QueryPlan:
    terms: tuple[Term, ...]
    pinyin: str = ""  # set when the query could be pinyin or initials (ASCII letters only)

    @property
    def empty(self) -> bool:
        return not self.terms and not self.pinyin


def plan_query(query: str, *, max_terms: int = 8) -> QueryPlan:
    """Split a query on white space and script changes into terms (all must match)."""
    normalised = normalise(query)
    terms: list[Term] = []
    for run in runs(normalised)[:max_terms]:
        if is_cjk(run[0]):
            if len(run) == 1:
                terms.append(Term(run, (), (run,), prefix=True))
            else:
                words = tuple(w for w in rjieba.cut(run) if w.strip())
                terms.append(Term(run, words, tuple(bigrams(run)[:-1])))
        else:
            terms.append(Term(run, (run,), (run,)))
    compact = normalised.replace(" ", "")
    pinyin = compact if _PINYIN_QUERY.match(compact) else ""
    return QueryPlan(tuple(terms), pinyin)


def highlight_spans(text: str, plan: QueryPlan) -> list[tuple[int, int]]:
    """Character spans of `text` where a term (or, for pinyin queries, nothing) occurs.

    Positions refer to `text` itself: normalisation keeps one character per character for the
    text kepu indexes (NFKC width forms, t2s), and where it would not, nothing is highlighted."""
    normalised = normalise(text)
    if len(normalised) != len(text):
        return []
    spans: list[tuple[int, int]] = []
    for term in plan.terms:
        start = normalised.find(term.text)
        while start >= 0:
            spans.append((start, start + len(term.text)))
            start = normalised.find(term.text, start + len(term.text))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged
