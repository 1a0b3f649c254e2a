"""Document import (任务分解): a plan's text in, a proposed plan structure out.

Pure Python, no Django: the plan ledger calls it, passing the unit registry as a plain callable,
and shows the result for review before anything is saved. See docs/plans-document-import.md.

    plan = parse_file("方案.docx", resolve_unit=registry_lookup)
    plan.to_dict()  # sections → tasks → lead/participating units, indicators, warnings
"""

from __future__ import annotations

import os
from pathlib import Path

from .parser import parse_text
from .schema import (
    DocumentImportError,
    Indicator,
    ParsedPlan,
    ParsedSection,
    ParsedTask,
    UnitMatch,
    UnitRef,
    UnitResolver,
)
from .text import read_document
from .units import normalize_unit_name

__all__ = [
    "DocumentImportError",
    "Indicator",
    "ParsedPlan",
    "ParsedSection",
    "ParsedTask",
    "UnitMatch",
    "UnitRef",
    "UnitResolver",
    "normalize_unit_name",
    "parse_file",
    "parse_text",
    "read_document",
]


def parse_file(
    path_or_bytes: str | os.PathLike[str] | bytes,
    filename: str | None = None,
    *,
    resolve_unit: UnitResolver | None = None,
) -> ParsedPlan:
    """Parse an uploaded .txt (UTF-8, UTF-8 with BOM, GB18030) or .docx file.

    ``filename`` tells the kind of file when bytes are given; for a path it defaults to the
    path's name. Raises ``DocumentImportError`` (Chinese message) for unreadable files.
    """
    if isinstance(path_or_bytes, bytes):
        data = path_or_bytes
    else:
        path = Path(path_or_bytes)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise DocumentImportError(f"无法读取文件“{path.name}”。") from error
        filename = filename or path.name
    return parse_text(read_document(data, filename), resolve_unit=resolve_unit)
