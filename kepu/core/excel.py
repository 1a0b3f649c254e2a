"""Reading and writing the Excel sheets offices exchange, with row-level Chinese errors.

A sheet is described by `Column`s (Chinese header, key, parser). `read_rows` checks the header and
every cell and returns the rows with every bad cell by row and column; the importer adds its
cross-row errors and raises `ImportRejected` with all of them, or applies all rows in one
transaction, so an import is all or nothing.
`write_workbook` writes the same columns, so an exported sheet can be edited and imported again.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kepu.core.errors import ImportRejected, RowError
from kepu.core.text import CONTROL_CHARACTER_MESSAGE, has_control_characters, strip_control_characters
from kepu.core.uploads import FileRefused, check_package

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CellError(ValueError):
    """Raised by a cell parser; the message is Chinese and names what is wrong, not where."""


def text_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if has_control_characters(text):
        raise CellError(CONTROL_CHARACTER_MESSAGE)
    return text


def int_cell(value: Any) -> int | None:
    text = text_cell(value)
    if not text:
        return None
    try:
        return int(Decimal(text))
    except (InvalidOperation, ValueError):
        raise CellError(f"“{text}”不是整数") from None


def decimal_cell(value: Any) -> Decimal | None:
    text = text_cell(value).replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CellError(f"“{text}”不是数字") from None


_YES = {"是", "Y", "y", "yes", "Yes", "YES", "1", "true", "True", "TRUE", "√"}
_NO = {"否", "N", "n", "no", "No", "NO", "0", "false", "False", "FALSE", ""}


def bool_cell(value: Any) -> bool:
    text = text_cell(value)
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"“{text}”应填“是”或“否”")


def date_cell(value: Any) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = text_cell(value).replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise CellError(f"“{text_cell(value)}”不是日期，请写成 2025-06-30") from None


def choice_cell(choices: Iterable[tuple[str, str]]) -> Callable[[Any], str]:
    """Accept either the Chinese label or the code; return the code."""
    by_label = {label: code for code, label in choices}
    codes = set(by_label.values())

    def parse(value: Any) -> str:
        text = text_cell(value)
        if text in by_label:
            return by_label[text]
        if text in codes:
            return text
        raise CellError(f"“{text}”不是可选值（{'、'.join(by_label)}）")

    return parse


def form_field_cell(form_field: Any) -> Callable[[Any], Any]:
    """A parser that checks a cell with a form's field (its max_length, format validators, range), so an
    import accepts exactly what the form accepts; the field's Chinese message becomes the cell's error."""
    from django.core.exceptions import ValidationError

    def parse(value: Any) -> Any:
        text = text_cell(value)
        if not text:  # a blank cell is "not given"; read_rows itself refuses a blank in a required column
            return getattr(form_field, "empty_value", None)
        try:
            return form_field.clean(text)
        except ValidationError as exc:
            raise CellError("；".join(exc.messages)) from None

    return parse


def bounded_text_cell(max_length: int) -> Callable[[Any], str]:
    """Free text no longer than the field that stores it: a longer cell is an error, never cut short."""

    def parse(value: Any) -> str:
        text = text_cell(value)
        if len(text) > max_length:
            raise CellError(f"不能超过 {max_length} 个字（现有 {len(text)} 个）")
        return text

    return parse


def model_text_cell(model: Any, field_name: str) -> Callable[[Any], str]:
    """Text bounded by the model field that stores it (its max_length)."""
    return bounded_text_cell(model._meta.get_field(field_name).max_length)


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    parse: Callable[[Any], Any] = text_cell
    required: bool = False
    width: int = 18
    note: str = ""


@dataclass
class SheetRow:
    number: int  # the row number as Excel shows it
    values: dict[str, Any] = field(default_factory=dict)
    valid: bool = True  # False when a cell failed to parse; cross-row checks skip such rows


def open_first_sheet(source: bytes | IO[bytes] | str | Any, *, max_unpacked: int | None = None) -> Any:
    """The first sheet of a workbook, read-only, after the package checks (kepu.core.uploads). The
    sheet's declared dimension is dropped: rows and columns are what the file really holds."""
    if isinstance(source, (bytes, bytearray)):
        data: Any = io.BytesIO(source)
        check_package(data, label="Excel 文件", max_unpacked=max_unpacked)
        data.seek(0)
    elif hasattr(source, "read"):
        data = source
        check_package(data, label="Excel 文件", max_unpacked=max_unpacked)
        data.seek(0)
    else:  # a path: checked through its own handle, then opened by openpyxl by name
        data = source
        with open(source, "rb") as handle:
            check_package(handle, label="Excel 文件", max_unpacked=max_unpacked)
    try:
        workbook = load_workbook(data, read_only=True, data_only=True)
    except Exception:
        raise FileRefused("无法读取文件，请上传 Excel（.xlsx）文件", unreadable=True) from None
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    return sheet


def sheet_rows(sheet: Any) -> Any:
    """The sheet's rows as value tuples, refusing a row wider than KEPU_SHEET_MAX_COLUMNS (a single
    cell at XFD1048576 makes a row 16,384 cells wide)."""
    from django.conf import settings

    limit = settings.KEPU_SHEET_MAX_COLUMNS
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if len(row) > limit and any(v is not None for v in row[limit:]):
            raise FileRefused(f"第 {number} 行超过 {limit} 列，表格结构异常，已拒绝读取")
        yield row[:limit]


def _open_sheet(source: bytes | IO[bytes]) -> Any:
    try:
        return open_first_sheet(source)
    except FileRefused as exc:
        message = "无法读取文件，请上传 Excel（.xlsx）文件" if exc.unreadable else exc.message
        raise ImportRejected([RowError(0, "", message)]) from None


def read_rows(source: bytes | IO[bytes], columns: Sequence[Column], *,
              max_rows: int = 100_000) -> tuple[list[SheetRow], list[RowError]]:
    """Parse every row. Returns the rows and every cell error (by row and column); an unknown, doubled or
    missing required column, or an unreadable file, raises ImportRejected at once."""
    sheet = _open_sheet(source)
    rows = _refusals_as_row_errors(sheet_rows(sheet))
    header = next(rows, None)
    if header is None:
        raise ImportRejected([RowError(0, "", "文件是空的")])
    positions = _header_positions(header, columns)
    present = [c for c in columns if c.header in positions]
    parsed: list[SheetRow] = []
    errors: list[RowError] = []
    for number, raw in enumerate(rows, start=2):
        if raw is None or all(text_cell(v) == "" for v in raw):
            continue
        if len(parsed) >= max_rows:
            raise ImportRejected([RowError(number, "", f"超过单次导入上限 {max_rows} 行")])
        row = SheetRow(number)
        for column in present:
            index = positions[column.header]
            value = raw[index] if index < len(raw) else None
            if column.required and text_cell(value) == "":
                errors.append(RowError(number, column.header, "不能为空"))
                row.valid = False
                continue
            try:
                row.values[column.key] = column.parse(value)
            except CellError as exc:
                errors.append(RowError(number, column.header, str(exc)))
                row.valid = False
        parsed.append(row)
    if not parsed and not errors:
        raise ImportRejected([RowError(0, "", "表中没有数据行")])
    return parsed, errors


def unknown_column(name: str, offered: Sequence[str]) -> RowError:
    """The refusal of a header an import does not know — one wording for every import (its cells would
    otherwise be dropped in silence)."""
    return RowError(1, "", f"未知的列“{name}”（可用的列：{'、'.join(offered)}）")


def _header_positions(header: Sequence[Any], columns: Sequence[Column]) -> dict[str, int]:
    """Where each known column is. A header the sheet does not know (a renamed or misspelt column), a
    column given twice or a required column missing rejects the file: its cells would otherwise be
    dropped in silence."""
    known = {c.header for c in columns}
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for index, cell in enumerate(header):
        try:
            name = text_cell(cell)
        except CellError as exc:
            errors.append(RowError(1, "", f"第 {index + 1} 列的列名{exc}"))
            continue
        if not name:
            continue
        if name not in known:
            errors.append(unknown_column(name, [c.header for c in columns]))
        elif name in positions:
            errors.append(RowError(1, name, "此列重复出现"))
        else:
            positions[name] = index
    errors += [RowError(1, c.header, "缺少此列") for c in columns if c.required and c.header not in positions]
    if errors:
        raise ImportRejected(errors)
    return positions


def _refusals_as_row_errors(rows: Any) -> Any:
    try:
        yield from rows
    except FileRefused as exc:
        raise ImportRejected([RowError(0, "", exc.message)]) from None


@dataclass
class ImportSummary:
    """What an import wrote, for the message shown after it."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"新增 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条"


LIST_SEPARATORS = ("、", "，", ",", ";", "；")


def split_list(text: str) -> list[str]:
    """A cell holding several names (“市人社局、人社局”), split on the separators offices use."""
    for sep in LIST_SEPARATORS[1:]:
        text = text.replace(sep, LIST_SEPARATORS[0])
    return list(dict.fromkeys(part.strip() for part in text.split(LIST_SEPARATORS[0]) if part.strip()))


# Told the number of rows written so far, every PROGRESS_EVERY rows, while a background export is built
# (kepu.core.exports sets it): 我的导出 shows how far the file has got.
row_progress: ContextVar[Callable[[int], None] | None] = ContextVar("kepu_row_progress", default=None)
PROGRESS_EVERY = 1000

_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")


def write_workbook(title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """An .xlsx with one sheet: a styled header row of the columns, then the rows as given.

    Written in openpyxl's write-only mode: rows stream into the file one by one, so memory does not
    grow with the row count (a background export of 100,000 rows)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([_header_cell(sheet, c.header) for c in columns])
    report = row_progress.get()
    for number, row in enumerate(rows, start=1):
        sheet.append([_body_cell(sheet, cell_value(v)) for v in row])
        if report is not None and number % PROGRESS_EVERY == 0:
            report(number)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_cell(sheet: Any, header: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=header)
    cell.fill, cell.font = _HEADER_FILL, _HEADER_FONT
    cell.alignment = Alignment(vertical="center")
    return cell


def _body_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell = WriteOnlyCell(sheet, value=value)
        _as_text(cell)
        return cell
    return value


# Text a spreadsheet could take for a formula (CSV/DDE injection): written as a text cell with Excel's
# quote prefix, so neither opening nor editing the cell evaluates it.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cell: Any) -> None:
    cell.data_type = "s"
    cell.quotePrefix = True


def cell_value(value: Any) -> Any:
    """A value as an exported cell holds it: booleans in words, local times, text without control
    characters (which Excel refuses; none can be stored through kepu's inputs, but older rows or the
    audit log's record of a failed login may hold them)."""
    if isinstance(value, str):
        return strip_control_characters(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value
