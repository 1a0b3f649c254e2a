"""The shared Chinese search: complete recall against substring search, traditional and pinyin
queries, filters, updates and removal — the same tests on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import random

import pytest

from kepu.search import services
from kepu.search.services import Entry
from kepu.search.text import normalise, runs

pytestmark = pytest.mark.django_db

# A small vocabulary of science-popularisation words and fillers, recombined into documents. Some
# words hide inside longer ones (环境保护 in 环境保护局, 科学技术 in 中国科学技术馆) — the cases a
# word index alone misses.
WORDS = ["科学", "技术", "科学技术", "中国科学技术馆", "环境保护局", "疫苗", "接种", "转基因", "食品安全",
         "辐射", "手机", "地震", "应急", "急救", "老年人", "防范", "诈骗", "保健品", "科普", "宣传", "社区",
         "讲座", "农民", "培训", "青少年", "天文", "望远镜", "气候变化", "碳中和", "人工智能", "大模型",
         "本科学校", "强化学习", "重庆", "围着", "的", "了", "在", "和", "是", "有", "我们", "一个"]


def _corpus(n: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        title = "".join(rng.choices(WORDS, k=rng.randint(2, 4)))
        body = "，".join("".join(rng.choices(WORDS, k=rng.randint(3, 8))) for _ in range(rng.randint(1, 4))) + "。"
        docs.append((title, body))
    return docs


def _load(docs: list[tuple[str, str]]) -> None:
    services.documents_put(Entry("test.doc", i, t, b) for i, (t, b) in enumerate(docs, start=1))


def _search_all(query: str) -> set[int]:
    page = services.search(query, kinds=["test.doc"], limit=100)
    found = set(page.object_ids)
    offset = 100
    while offset < page.total:
        found |= set(services.search(query, kinds=["test.doc"], offset=offset, limit=100).object_ids)
        offset += 100
    assert len(found) == page.total
    return found


def test_it_finds_every_document_containing_the_query_as_a_substring() -> None:
    docs = _corpus(400)
    _load(docs)
    rng = random.Random(11)
    queries = set(WORDS[:34])
    for title, body in rng.sample(docs, 40):  # arbitrary substrings, also across word boundaries
        run = max(runs(normalise(title + body)), key=len)
        start = rng.randrange(len(run) - 4)
        queries.add(run[start : start + rng.randint(1, 4)])
    for query in sorted(queries):
        truth = {i for i, (t, b) in enumerate(docs, start=1) if query in normalise(t) or query in normalise(b)}
        assert _search_all(query) == truth, query


def test_all_terms_of_a_query_must_match() -> None:
    docs = _corpus(200)
    _load(docs)
    truth = {i for i, (t, b) in enumerate(docs, start=1) if all(w in t + b for w in ("疫苗", "社区"))}
    assert truth
    assert _search_all("疫苗 社区") == truth


def test_a_traditional_query_finds_simplified_text_and_back() -> None:
    _load([("接种疫苗的好处", "预防传染病"), ("轉基因食品", "經過嚴格的安全評價")])
    assert _search_all("接種疫苗") == {1}
    assert _search_all("转基因") == {2}
    assert _search_all("安全评价") == {2}


def test_pinyin_and_initials_find_a_title() -> None:
    _load([("中国科学技术馆开放日", "欢迎参观"), ("手机辐射", "不必担心")])
    assert _search_all("kxjs") == {1}
    assert _search_all("kexuejishu") == {1}
    assert _search_all("sjfs") == {2}
    assert _search_all("qwer") == set()


def test_title_matches_rank_before_body_matches() -> None:
    _load([("社区讲座", "关于地震的知识"), ("地震应急", "社区讲座"), ("天文", "地震地震地震")])
    assert services.search("地震", kinds=["test.doc"]).object_ids[0] == 2


def test_boosted_documents_come_first() -> None:
    services.documents_put([Entry("test.doc", 1, "地震应急", "地震"), Entry("test.doc", 2, "天文", "地震", boost=1)])
    assert services.search("地震", kinds=["test.doc"]).object_ids == [2, 1]


def test_tags_filter_and_kinds_separate() -> None:
    services.documents_put([
        Entry("test.doc", 1, "防范诈骗", "", tags=["aud_elderly", "region_320583"]),
        Entry("test.doc", 2, "防范诈骗", "", tags=["aud_youth"]),
        Entry("test.other", 1, "防范诈骗", ""),
    ])
    assert services.search("诈骗", kinds=["test.doc"], tags=["aud_elderly"]).object_ids == [1]
    assert services.search("诈骗", kinds=["test.doc"], tags=["aud_youth"]).object_ids == [2]
    assert services.search("诈骗", kinds=["test.other"]).total == 1
    assert services.search("诈骗").total == 3


def test_replacing_and_removing_documents_updates_the_index() -> None:
    _load([("辐射", "手机辐射")])
    services.documents_put([Entry("test.doc", 1, "天文望远镜", "观测")])
    assert _search_all("辐射") == set()
    assert _search_all("望远镜") == {1}
    services.documents_remove("test.doc", [1])
    assert _search_all("望远镜") == set()


def test_snippets_are_escaped_and_highlight_the_terms() -> None:
    services.documents_put([Entry("test.doc", 1, "<b>疫苗</b>", "很长的开头" * 20 + "接种疫苗<script>")])
    hit = services.search("疫苗", kinds=["test.doc"]).hits[0]
    assert hit.title_html == "&lt;b&gt;<mark>疫苗</mark>&lt;/b&gt;"
    assert "<mark>疫苗</mark>&lt;script&gt;" in hit.snippet_html
    assert hit.snippet_html.startswith("…")


@pytest.mark.parametrize("query", ["", "   ", "，。！", "\"' OR 1=1 --", "AND NOT *", "{tg} : x", "'):*"])
def test_odd_queries_find_nothing_and_never_fail(query: str) -> None:
    _load([("科学", "技术")])
    assert services.search(query, kinds=["test.doc"]).total == 0
