"""Rebuild the search index from the domains' own tables: `manage.py search_rebuild [--kind KIND]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kepu.search import backends, registry, services


class Command(BaseCommand):
    help = "从各业务数据重建全文检索索引"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--kind", action="append", default=[], help="只重建这一类（可重复）")

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = registry.sources()
        if options["kind"]:
            chosen = [s for s in chosen if s.kind in options["kind"]]
            unknown = set(options["kind"]) - {s.kind for s in chosen}
            if unknown:
                raise CommandError(f"没有这类检索数据：{'、'.join(sorted(unknown))}")
        for source in chosen:
            services.kind_clear(source.kind)
            count = services.documents_put(source.entries())
            self.stdout.write(f"{source.label}：已索引 {count} 条")
        backends.fts_optimize()
