"""Task-division tables (任务分工表) in a text: tab-separated rows, rows aligned with spaces, or a
Word table (which ``docx_reader`` writes as tab-separated rows, merged cells written once).

A table starts at a header row whose cells name its columns — 序号/编号, 任务/重点任务/工作任务,
内容/具体措施, 牵头单位, 配合/参与/协办单位, 责任单位, 完成时限/时间, 类别 — in any order. Below it:

* a *section row*: one text across the row (a merged Word row, or a line with no separators), or a
  row numbered 一、/（一）, optionally with its lead units in the lead column;
* a *data row*: one task; a row with no number and no task continues the row above (a cell
  broken over two lines, or over a page);
* a repeated header row (Word repeats it on every page; copies repeat it too) is skipped.

The table ends at the first line that is neither. ``find_tables`` returns the tables with the
source line of every row; the parser turns them into sections and tasks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

CELL_BREAK = "\u2424"  # a line break inside a Word table cell

_COLUMNS: list[tuple[str, re.Pattern[str]]] = [
    ("number", re.compile(r"^(序号|编号|序|号)$")),
    ("lead", re.compile(r"牵头")),
    ("part", re.compile(r"配合|参与|参加|协办|协同|协助")),
    ("resp", re.compile(r"责任单位|责任部门|实施单位|负责单位|落实单位|承办单位|责任主体")),
    ("deadline", re.compile(r"时限|时间|进度|期限")),
    ("category", re.compile(r"类别|板块|领域|重点行动|重点工程|提升行动|专项|分类|方面")),
    ("target", re.compile(r"目标|指标")),
    ("content", re.compile(r"内容|措施|举措|要求|说明")),
    ("title", re.compile(r"任务|事项|项目|工作")),
]
_UNIT_KEYS = ("lead", "part", "resp")
_SECTION_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]?|（[一二三四五六七八九十]{1,3}）|第[一二三四五六七八九十]{1,3}[部分章节篇]+)")
_SECTION_LINE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|（[一二三四五六七八九十]{1,3}）|第[一二三四五六七八九十]{1,3}[部分章节篇])")


def columns_of(cells: list[str]) -> dict[str, int]:
    """The column each header word names: {"number": 0, "title": 1, "lead": 3, …}."""
    found: dict[str, int] = {}
    for index, raw in enumerate(cells):
        cell = re.sub(r"\s+", "", raw.replace(CELL_BREAK, ""))
        if not cell or len(cell) > 12:
            continue
        for key, pattern in _COLUMNS:
            if key not in found and pattern.search(cell):
                found[key] = index
                break
    if "title" not in found and "content" in found:
        found["title"] = found.pop("content")
    return found


def is_header(cells: list[str]) -> bool:
    found = columns_of(cells)
    return "title" in found and bool(set(_UNIT_KEYS) & found.keys()) and len(found) >= 3


@dataclass
class Row:
    """A row of a table: its cells by column key, and the line it was read from."""

    line: int
    cells: dict[str, str]
    section: str | None = None  # set for a section row: the section's heading text


@dataclass
class Table:
    line: int
    columns: dict[str, int]
    rows: list[Row] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # every source line the table takes


# --- splitting a line into cells -----------------------------------------------------------------

_ALIGNED = re.compile(r"(?: {2,}|\u3000+| *\t *)")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fields(line: str) -> list[tuple[int, str]]:
    """(display column, text) of each field of a line separated by tabs or runs of spaces."""
    out: list[tuple[int, str]] = []
    position = 0
    for piece in re.split(f"({_ALIGNED.pattern})", line):
        if piece and not _ALIGNED.fullmatch(piece):
            out.append((_width(line[:position]), piece.strip()))
        position += len(piece)
    return [(column, text) for column, text in out if text]


@dataclass
class _Layout:
    tabs: bool
    starts: list[int]  # display columns of the header's cells (aligned tables)

    def cells(self, line: str, count: int) -> list[str]:
        if self.tabs:
            cells = [cell.strip() for cell in line.split("\t")]
            return (cells + [""] * count)[:count] if len(cells) <= count else cells
        row = [""] * count
        for column, text in _fields(line):
            index = min(range(count), key=lambda i: abs(self.starts[i] - column))
            row[index] = f"{row[index]} {text}".strip() if row[index] else text
        return row


def _header_layout(line: str) -> tuple[list[str], _Layout] | None:
    if "\t" in line:
        cells = [cell.strip() for cell in line.split("\t")]
        if is_header(cells):
            return cells, _Layout(True, [])
    fields = _fields(line)
    if len(fields) >= 3 and is_header([text for _, text in fields]):
        return [text for _, text in fields], _Layout(False, [column for column, _ in fields])
    return None


def _separated(line: str, layout: _Layout) -> bool:
    """A row of the table: cells apart, or (aligned tables) a line indented under a column."""
    if layout.tabs:
        return "\t" in line
    return len(_fields(line)) >= 2 or bool(re.match(r"^(?: {2,}|\u3000)\S", line))


# --- reading rows --------------------------------------------------------------------------------


def _section_text(cells: list[str], columns: dict[str, int]) -> str | None:
    """The heading of a section row, or None for a data row."""
    values = [cell for cell in cells if cell]
    if not values:
        return None
    if len(set(values)) == 1 and len(cells) > 1 and (cells[0] or _SECTION_LINE.match(values[0])):
        return values[0]  # one text across the row (merged cells, or the row's only cell)
    number = cells[columns["number"]] if "number" in columns and columns["number"] < len(cells) else ""
    title = cells[columns["title"]] if columns["title"] < len(cells) else ""
    content = cells[columns["content"]] if "content" in columns and columns["content"] < len(cells) else ""
    if number and _SECTION_NUMBER.fullmatch(number.strip()) and title and not content:
        return f"{number.strip().rstrip('、.．')}、{title}" if not number.strip().startswith("（") else number + title
    if not number and _SECTION_LINE.match(title) and not content:
        return title
    if number and _SECTION_LINE.match(number) and len(number) > 4 and not title:
        return number  # "一、青少年科学素质提升行动" written in the number column
    return None


def _row(cells: list[str], columns: dict[str, int], line: int) -> Row:
    by_key = {key: cells[index].strip() if index < len(cells) else "" for key, index in columns.items()}
    section = _section_text(cells, columns)
    return Row(line, by_key, section)


def find_tables(lines: list[str]) -> list[Table]:
    """The task-division tables among ``lines`` (raw text lines, 0-based list; rows get 1-based lines)."""
    tables: list[Table] = []
    index = 0
    while index < len(lines):
        found = _header_layout(lines[index])
        if found is None:
            index += 1
            continue
        header, layout = found
        columns = columns_of(header)
        table = Table(index + 1, columns, lines=[index + 1])
        index += 1
        while index < len(lines):
            line = lines[index]
            if not line.strip():
                nxt = next((j for j in range(index + 1, len(lines)) if lines[j].strip()), None)
                if nxt is None or not (_separated(lines[nxt], layout) or _header_layout(lines[nxt])):
                    break
                table.lines.append(index + 1)
                index += 1
                continue
            if _header_layout(line) is not None:
                table.lines.append(index + 1)  # the header again (next page)
                index += 1
                continue
            if _separated(line, layout):
                cells = layout.cells(line, len(header))
                table.rows.append(_row(cells, columns, index + 1))
            elif _lone_section(line, lines, index, layout):
                table.rows.append(Row(index + 1, {}, line.strip()))
            else:
                break
            table.lines.append(index + 1)
            index += 1
        if table.rows:
            tables.append(table)
    return tables


def _lone_section(line: str, lines: list[str], index: int, layout: _Layout) -> bool:
    """A line without separators inside a table: a section heading when the table goes on after it."""
    text = line.strip()
    if len(text) > 60 or not (_SECTION_LINE.match(text) or len(text) <= 30):
        return False
    nxt = next((j for j in range(index + 1, len(lines)) if lines[j].strip()), None)
    return nxt is not None and (_separated(lines[nxt], layout) or _header_layout(lines[nxt]) is not None)
