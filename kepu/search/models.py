"""The search index: one `SearchDocument` per searchable record of any domain.

The token columns hold the space-separated tokens of `kepu.search.text`; on SQLite an FTS5 table
(`search_fts`, created by the migration) reads them as its external content, on PostgreSQL `vector`
holds the same tokens as a `tsvector` with a GIN index. Domains never write here directly: they call
`kepu.search.services.document_put/document_remove` (after commit).
"""

from __future__ import annotations

from typing import Any

from django.db import models


class TsVectorField(models.Field):  # type: ignore[type-arg]
    """`tsvector` on PostgreSQL; an unused text column elsewhere (SQLite searches through FTS5)."""

    description = "PostgreSQL tsvector"

    def db_type(self, connection: Any) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


class SearchDocument(models.Model):
    kind = models.CharField("类型", max_length=40)  # e.g. "library.item", "rumors.rumor"
    object_id = models.PositiveBigIntegerField("对象编号")
    title = models.CharField("标题", max_length=300)
    body = models.TextField("正文", blank=True)  # plain text, kept for snippets
    url = models.CharField("地址", max_length=300, blank=True)
    boost = models.SmallIntegerField("置顶级别", default=0)  # emergency items first in emergency mode
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    tw = models.TextField(blank=True)  # title words
    tb = models.TextField(blank=True)  # title bigrams
    bw = models.TextField(blank=True)  # body words
    bb = models.TextField(blank=True)  # body bigrams
    py = models.TextField(blank=True)  # title pinyin and initials
    tg = models.TextField(blank=True)  # filter tags (kind, topics, audiences, regions …)
    vector = TsVectorField(null=True, editable=False)

    class Meta:
        verbose_name = "检索文档"
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")]
        indexes = [models.Index(fields=["kind", "boost"], name="search_doc_kind_boost")]

    def __str__(self) -> str:
        return f"{self.kind}#{self.object_id} {self.title}"
