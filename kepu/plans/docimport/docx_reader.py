"""Word (.docx) documents as text, with the numbers Word adds by itself put back.

python-docx gives a paragraph's text without its automatic list number ("一、" "（一）" "1." typed
by Word's numbering, not by the author). Those numbers are rebuilt here from the numbering part:
each paragraph's ``w:numPr`` (or its style's) names a list and a level; the level's ``numFmt`` and
``lvlText`` ("%1、" "（%2）" "%3.") with running counters give the label. Tables become lines:
a task-division table (序号 | 任务 | 牵头单位 | 配合单位 | 完成时限) turns into numbered task lines
with their units, so it parses like text.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from .numbering import int_to_cn
from .schema import DocumentImportError
from .tables import CELL_BREAK, is_header

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass
class _List:
    abstract_id: str
    starts: dict[int, int] = field(default_factory=dict)
    used: bool = False


def _attr(element: Any, tag: str) -> str | None:
    child = element.find(f"{W}{tag}") if element is not None else None
    return child.get(f"{W}val") if child is not None else None


_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"


def _roman(value: int) -> str:
    numerals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc")]
    numerals += [(50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for number, letters in numerals:
        while value >= number:
            out += letters
            value -= number
    return out


def format_number(value: int, fmt: str) -> str:
    """One counter in a Word number format (decimal, chineseCounting, decimalEnclosedCircle …)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting"):
        return int_to_cn(value) if value < 100 else str(value)
    if fmt == "chineseLegalSimplified" and value < 10:
        return _LEGAL[value]
    if fmt == "ideographTraditional" and value <= 10:
        return _STEMS[value - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= value <= 20:
        return chr(0x2460 + value - 1)
    if fmt == "decimalEnclosedParen" and 1 <= value <= 20:
        return chr(0x2474 + value - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= value <= 20:
        return chr(0x2488 + value - 1)
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt in ("bullet", "none"):
        return ""
    return str(value)


class WordNumbering:
    """Counters over a document's automatic lists, giving each numbered paragraph its label."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, _Level]] = {}
        self.lists: dict[str, _List] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in root.findall(f"{W}abstractNum"):
            levels = {}
            for lvl in abstract.findall(f"{W}lvl"):
                levels[int(lvl.get(f"{W}ilvl", "0"))] = _Level(
                    start=int(_attr(lvl, "start") or 1),
                    fmt=_attr(lvl, "numFmt") or "decimal",
                    text=_attr(lvl, "lvlText") or "",
                )
            self.levels[abstract.get(f"{W}abstractNumId", "")] = levels
        for num in root.findall(f"{W}num"):
            item = _List(_attr(num, "abstractNumId") or "")
            for override in num.findall(f"{W}lvlOverride"):
                start = _attr(override, "startOverride")
                if start is not None:
                    item.starts[int(override.get(f"{W}ilvl", "0"))] = int(start)
            self.lists[num.get(f"{W}numId", "")] = item

    def label(self, num_id: str, ilvl: int) -> str:
        """The next label of list ``num_id`` at level ``ilvl`` ("" for bullets and unknown lists)."""
        item = self.lists.get(num_id)
        if item is None or item.abstract_id not in self.levels:
            return ""
        levels = self.levels[item.abstract_id]
        counters = self.counters.setdefault(item.abstract_id, {})
        if not item.used:
            item.used = True
            for overridden, start in item.starts.items():
                counters[overridden] = start - 1
        level = levels.get(ilvl, _Level())
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [key for key in counters if key > ilvl]:
            del counters[deeper]
        if level.fmt in ("bullet", "none"):
            return ""

        def number(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            source = levels.get(index, _Level())
            return format_number(counters.get(index, source.start), source.fmt)

        label = re.sub(r"%([1-9])", number, level.text)
        if label and label[-1] in "0123456789":
            label += "."  # "%1" with a tab after it in Word: give it the separator it shows
        elif label and label[-1] in "一二三四五六七八九十":
            label += "、"
        return label


def _num_pr(paragraph: Any) -> tuple[str, int] | None:
    """(numId, ilvl) from the paragraph, else from its style chain."""
    p_pr = paragraph._p.pPr
    num_pr = p_pr.find(f"{W}numPr") if p_pr is not None else None
    style = paragraph.style
    seen = 0
    while num_pr is None and style is not None and seen < 10:
        style_pr = style.element.find(f"{W}pPr")
        num_pr = style_pr.find(f"{W}numPr") if style_pr is not None else None
        style = style.base_style
        seen += 1
    if num_pr is None:
        return None
    num_id = _attr(num_pr, "numId")
    if not num_id or num_id == "0":
        return None
    return num_id, int(_attr(num_pr, "ilvl") or 0)


# --- tables -------------------------------------------------------------------------------------


def table_lines(rows: list[list[str]]) -> list[str]:
    """A table as text lines. A task-division table (a header row naming its columns among the first
    three rows) becomes tab-separated rows for ``tables.find_tables``, a merged cell written once and
    a line break inside a cell as ``CELL_BREAK``; any other table becomes one line per row."""
    if any(is_header(row) for row in rows[:3]):
        return ["\t".join(cell.replace("\t", " ").replace("\n", CELL_BREAK) for cell in row) for row in rows]
    return ["\u3000".join(dict.fromkeys(cell for cell in row if cell)) for row in rows if any(row)]


# Word's own limit on a table's columns. A row whose cells span more (w:gridSpan="1000000000") is a
# hostile or broken file: python-docx would repeat the cell once per spanned column.
MAX_TABLE_COLUMNS = 63


def _grid_span(tc: Any) -> int:
    span = tc.find(f"{W}tcPr/{W}gridSpan")
    raw = span.get(f"{W}val") if span is not None else None
    if raw is None:
        return 1
    try:
        return max(int(raw), 1)
    except ValueError:
        return MAX_TABLE_COLUMNS + 1  # not a number: refused below like an oversized span


def _check_spans(table: Any) -> None:
    """Refuse a table whose row spans more columns than Word allows, before any cell is read."""
    for number, tr in enumerate(table._tbl.tr_lst, start=1):
        columns = sum(_grid_span(tc) for tc in tr.tc_lst)
        if columns > MAX_TABLE_COLUMNS:
            raise DocumentImportError(
                f"文档中表格第 {number} 行的单元格合并了 {columns} 列，超过 Word 表格的上限 {MAX_TABLE_COLUMNS} 列，"
                "文件可能已损坏；请在 Word 中另存后重新上传。")


def _table_rows(table: Any) -> list[list[str]]:
    """Cell texts per row, a cell merged across columns written in its first column only."""
    _check_spans(table)
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            cells.append("" if cell._tc is previous else cell.text.strip())
            previous = cell._tc
        rows.append(cells)
    return rows


def read_docx(data: bytes) -> str:
    """The text of a .docx document: paragraphs with their automatic numbers, then table rows."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds for a broken package
        raise DocumentImportError("无法打开这个 Word 文档：文件可能已损坏或不是 .docx 格式，请在 Word 中另存后重新上传。") from error
    numbering = WordNumbering(document)
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{W}p":
            paragraph = Paragraph(child, document)
            numbered = _num_pr(paragraph)
            label = numbering.label(*numbered) if numbered else ""
            lines.append(label + paragraph.text if paragraph.text.strip() else "")
        elif child.tag == f"{W}tbl":
            lines.extend(table_lines(_table_rows(Table(child, document))))
    return "\n".join(lines)
