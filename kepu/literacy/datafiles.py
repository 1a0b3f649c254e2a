"""Reading respondent-data files (CSV in UTF-8 or GBK, XLSX, SPSS .sav, Parquet) into a polars frame.

No Django here: the services hand a path and a format in, and get a `RawTable` (or a
`FileUnreadable` with a Chinese message) out. Values are kept as the file has them; the
validation module turns them into the canonical columns.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.conf import settings

from kepu.core.errors import KepuError
from kepu.core.excel import open_first_sheet, sheet_rows
from kepu.core.uploads import FileRefused

FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".sav": "sav", ".zsav": "sav", ".parquet": "parquet"}
FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel", "sav": "SPSS", "parquet": "Parquet"}
PREVIEW_ROWS = 5


class FileUnreadable(KepuError):
    """The file cannot be read as a table at all (wrong format, broken, empty)."""


@dataclass
class RawTable:
    frame: pl.DataFrame
    fmt: str
    # Where the first record sits in the user's own view of the file: row 2 of a sheet or CSV with a
    # header line, record 1 of a .sav or Parquet file.
    first_row: int = 2
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)


def detect_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix not in FORMATS:
        raise FileUnreadable("不支持的文件格式：请上传 CSV、Excel（.xlsx）、SPSS（.sav）或 Parquet 文件")
    return FORMATS[suffix]


def read_table(path: str | Path | IO[bytes], fmt: str, *, n_rows: int | None = None) -> RawTable:
    """The whole file (or its first `n_rows` records) as a frame with the file's own column names."""
    readers = {"csv": _read_csv, "xlsx": _read_xlsx, "sav": _read_sav, "parquet": _read_parquet}
    try:
        table = readers[fmt](path if isinstance(path, io.IOBase) else Path(path), n_rows)  # type: ignore[arg-type]
    except FileUnreadable:
        raise
    except Exception as exc:  # a broken file may fail anywhere inside the readers
        raise FileUnreadable(f"无法读取{FORMAT_LABELS.get(fmt, '')}文件，请检查文件是否完整、格式是否正确（{_short(exc)}）") from exc
    if not table.frame.columns:
        raise FileUnreadable("文件中没有列")
    return table


def count_rows(path: str | Path, fmt: str) -> int:
    """The number of records, cheaply where the format allows it."""
    p = Path(path)
    if fmt == "parquet":
        return int(pl.scan_parquet(p).select(pl.len()).collect().item())
    if fmt == "sav":
        import pyreadstat

        _, meta = pyreadstat.read_sav(str(p), metadataonly=True, output_format="polars")
        return int(meta.number_rows or 0)
    if fmt == "xlsx":
        # The declared dimension is not trusted (a 5 KB file may claim a million rows): count the rows
        # that have any value.
        rows = sheet_rows(_xlsx_sheet(p))
        return max(sum(1 for row in rows if any(v not in (None, "") for v in row)) - 1, 0)
    return int(read_table(p, fmt).frame.height)


def preview(table: RawTable) -> list[list[str]]:
    """The first rows as display text, for the column-mapping page."""
    head = table.frame.head(PREVIEW_ROWS)
    return [["" if v is None else _display(v) for v in row] for row in head.iter_rows()]


def _display(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 is a superset of GBK and GB2312
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileUnreadable("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码")


def _read_csv(path: Path | IO[bytes], n_rows: int | None) -> RawTable:
    text = _decode(path.read_bytes() if isinstance(path, Path) else path.read())
    if not text.strip():
        raise FileUnreadable("文件是空的")
    first_line = text.split("\n", 1)[0]
    separator = max((",", "\t", ";"), key=first_line.count)
    frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), separator=separator, infer_schema=False,
                        n_rows=n_rows)
    return RawTable(frame=frame.rename({c: c.strip() for c in frame.columns}), fmt="csv")


def _xlsx_sheet(path: Path | IO[bytes]) -> Any:
    try:
        return open_first_sheet(path, max_unpacked=settings.KEPU_DATA_FILE_MAX_UNPACKED_BYTES)
    except FileRefused as exc:
        if exc.unreadable:
            raise ValueError(exc.message) from None  # read_table says it in its own words
        raise FileUnreadable(exc.message) from None


def _read_xlsx(path: Path | IO[bytes], n_rows: int | None) -> RawTable:
    from kepu.core.excel import text_cell

    rows = sheet_rows(_xlsx_sheet(path))
    header = next(rows, None)
    if header is None:
        raise FileUnreadable("文件是空的")
    names = [text_cell(h) or f"第{i + 1}列" for i, h in enumerate(header)]
    columns: list[list[str | None]] = [[] for _ in names]
    for count, row in enumerate(rows):
        if n_rows is not None and count >= n_rows:
            break
        if row is None or all(v is None or text_cell(v) == "" for v in row):
            continue
        for i in range(len(names)):
            value = row[i] if i < len(row) else None
            columns[i].append(None if value is None else text_cell(value))
    return RawTable(frame=pl.DataFrame({n: pl.Series(n, c, dtype=pl.String) for n, c in _unique(names, columns)}),
                    fmt="xlsx")


def _unique(names: list[str], columns: list[list[str | None]]) -> list[tuple[str, list[str | None]]]:
    seen: dict[str, int] = {}
    out = []
    for name, values in zip(names, columns, strict=True):
        seen[name] = seen.get(name, 0) + 1
        out.append((name if seen[name] == 1 else f"{name}_{seen[name]}", values))
    return out


def _read_sav(path: Path | IO[bytes], n_rows: int | None) -> RawTable:
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(path) if isinstance(path, Path) else path, output_format="polars", row_limit=n_rows or 0,
                                      disable_datetime_conversion=True)
    labels = {col: {_code_text(k): str(v) for k, v in mapping.items()}
              for col, mapping in (meta.variable_value_labels or {}).items()}
    column_labels = {c: str(lbl) for c, lbl in (meta.column_names_to_labels or {}).items() if lbl}
    return RawTable(frame=frame, fmt="sav", first_row=1, value_labels=labels, column_labels=column_labels)


def _code_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_parquet(path: Path | IO[bytes], n_rows: int | None) -> RawTable:
    return RawTable(frame=pl.read_parquet(path, n_rows=n_rows), fmt="parquet", first_row=1)


_SPACES = re.compile(r"[\s_\-（）()]+")


def normalise_header(name: str) -> str:
    """How headers are compared with the known names: case, spaces, underscores, brackets ignored."""
    return _SPACES.sub("", str(name)).lower()
