"""Validating every row of a survey-data file and turning it into the canonical columns.

Vectorised with polars and NumPy: each check is a mask over all rows, so 300,000 rows validate in
seconds. Every bad cell becomes a Chinese `RowError` naming the row and column; the first 200 are
kept and the total is counted. Any error rejects the whole file (`DataRejected`): the caller stores
nothing. No Django here.

Canonical columns: respondent, strata, psu (text), weight, fpc (float), the domain variables
(text; district as a 12-digit region code) and one float column per item, ``item:<题号>``, with
NaN for an unanswered item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from kepu.core.errors import ImportRejected, RowError
from kepu.literacy import estimation as est
from kepu.literacy import mapping as colmap
from kepu.literacy.datafiles import RawTable, normalise_header
from kepu.literacy.standards import DOMAIN_ROLES, MISSING_DOMAIN, DomainRole

ERROR_LIMIT = 200
# How statistical packages write a missing number in a text file.
MISSING_MARKERS = ["nan", "na", "n/a", "null", "."]


class DataRejected(ImportRejected):
    """A file with bad rows: nothing was stored. `errors` holds the first 200, `total` counts all."""

    def __init__(self, errors: list[RowError], total: int | None = None) -> None:
        super().__init__(errors[:ERROR_LIMIT])
        self.total = total if total is not None else len(errors)
        shown = "；".join(str(e) for e in self.errors[:3])
        more = f" 等共 {self.total} 处错误" if self.total > 3 else ""
        self.message = f"导入未执行，数据未作任何改动。{shown}{more}"
        self.args = (self.message,)


@dataclass(frozen=True)
class DataSpec:
    """What the wave expects of its data."""

    item_codes: tuple[str, ...]
    lonely_psu: str = "adjust"
    # Normalised region name or code → 12-digit code, for the regions under the survey area.
    regions: Mapping[str, str] | None = None
    area_name: str = ""


@dataclass
class Validated:
    frame: pl.DataFrame
    domains: list[str]
    has_fpc: bool


class _Collector:
    """Row errors with a cap per check (the first rows are what a person fixes first) and a total."""

    def __init__(self, first_row: int) -> None:
        self.first_row = first_row
        self.errors: list[RowError] = []
        self.total = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))
        self.total += 1

    def mask(self, mask: NDArray[np.bool_], column: str, message: Callable[[int], str]) -> None:
        rows = np.flatnonzero(mask)
        self.total += int(rows.size)
        for index in rows[:ERROR_LIMIT]:
            self.errors.append(RowError(int(index) + self.first_row, column, message(int(index))))

    def raise_if_any(self) -> None:
        if self.total:
            raise DataRejected(sorted(self.errors)[:ERROR_LIMIT], self.total)


def validate(table: RawTable, mapping: Mapping[str, str], spec: DataSpec) -> Validated:
    """Check every row; return the canonical frame or raise DataRejected (nothing to store)."""
    header_errors = colmap.check(mapping, table.columns, spec.item_codes)
    if header_errors:
        raise DataRejected(header_errors)
    if table.frame.height == 0:
        raise DataRejected([RowError(0, "", "文件中没有数据行")])
    errors = _Collector(table.first_row)
    out: dict[str, pl.Series | NDArray[np.float64]] = {}
    label = colmap.ROLE_LABELS
    col = mapping.get
    for role in ("strata", "psu"):
        text, missing = _text(table, col(role, ""))
        errors.mask(missing, _where(label[role], col(role, "")), lambda i: "不能为空")
        out[role] = text
    out["weight"] = _positive(table, col("weight", ""), _where(label["weight"], col("weight", "")), errors, "权重")
    has_fpc = bool(col("fpc"))
    if has_fpc:
        out["fpc"] = _positive(table, col("fpc", ""), _where(label["fpc"], col("fpc", "")), errors, "fpc")
    if col("respondent"):
        out["respondent"] = _respondents(table, col("respondent", ""), errors)
    domains = []
    for role in DOMAIN_ROLES:
        if col(role.code):
            out[role.code] = _domain(table, role, col(role.code, ""), spec, errors)
            domains.append(role.code)
    for code in spec.item_codes:
        column = col(colmap.item_role(code), "")
        values, _, bad, raw = _numeric(table, column)
        errors.mask(bad, column, lambda i, raw=raw: f"“{raw[i]}”不是数字（作答应为选项编号）")
        out[f"{colmap.ITEM_PREFIX}{code}"] = values
    errors.raise_if_any()
    frame = pl.DataFrame({name: values for name, values in out.items()})
    _check_design(frame, spec, mapping, errors)
    errors.raise_if_any()
    return Validated(frame=frame, domains=domains, has_fpc=has_fpc)


def _where(role_label: str, column: str) -> str:
    return f"{column}（{role_label}）" if column and normalise_header(column) != normalise_header(role_label) else column


def _text(table: RawTable, column: str) -> tuple[pl.Series, NDArray[np.bool_]]:
    """The column as stripped text ('' when missing); integral floats written without '.0'."""
    series = table.frame.get_column(column)
    if series.dtype.is_float():
        whole = series.is_not_null() & series.is_finite() & (series == series.floor())
        text = pl.select(pl.when(whole).then(series.cast(pl.Int64, strict=False).cast(pl.String))
                         .otherwise(series.cast(pl.String))).to_series()
    else:
        text = series.cast(pl.String)
    text = text.str.strip_chars().fill_null("")
    labels = table.value_labels.get(column)
    if labels:
        text = text.replace(labels)
    return text, (text == "").to_numpy()


def _numeric(table: RawTable, column: str) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_], list[str]]:
    """Float values (NaN when missing), the missing mask, the non-numeric mask and raw text for messages."""
    series = table.frame.get_column(column)
    if series.dtype.is_numeric():
        values = series.cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float64, copy=True)
        missing = np.isnan(values)
        bad = np.isinf(values)
        return values, missing, bad, [str(v) for v in values] if bad.any() else []
    text = series.cast(pl.String).str.strip_chars().fill_null("")
    parsed = text.str.replace_all(",", "", literal=True).cast(pl.Float64, strict=False)
    missing = ((text == "") | text.str.to_lowercase().is_in(MISSING_MARKERS)).to_numpy()
    values = parsed.fill_null(np.nan).to_numpy().astype(np.float64, copy=True)
    bad = ~missing & ~np.isfinite(values)
    values[bad | missing] = np.nan
    return values, missing, bad, text.to_list() if bad.any() else []


def _positive(table: RawTable, column: str, where: str, errors: _Collector, name: str) -> NDArray[np.float64]:
    values, missing, bad, raw = _numeric(table, column)
    errors.mask(missing, where, lambda i: "不能为空")
    errors.mask(bad, where, lambda i: f"“{raw[i]}”不是数字")
    with np.errstate(invalid="ignore"):
        not_positive = ~missing & ~bad & ~(values > 0)
    errors.mask(not_positive, where, lambda i: f"{name}须为正数，此处为 {_number(values[i])}")
    return values


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _respondents(table: RawTable, column: str, errors: _Collector) -> pl.Series:
    text, _ = _text(table, column)
    filled = text.to_numpy()
    duplicated = (text != "").to_numpy() & text.is_duplicated().to_numpy()
    first_seen: dict[str, int] = {}
    for index in np.flatnonzero(duplicated):
        first_seen.setdefault(str(filled[index]), int(index))
    errors.mask(duplicated & ~np.isin(np.arange(len(filled)), list(first_seen.values())),
                _where("问卷编号", column), lambda i: f"编号“{filled[i]}”与第 {first_seen[str(filled[i])] + errors.first_row} 行重复")
    return text


def _domain(table: RawTable, role: DomainRole, column: str, spec: DataSpec, errors: _Collector) -> pl.Series:
    text, missing = _text(table, column)
    where = _where(role.label, column)
    lookup: dict[str, str | None] = {}
    problems: dict[str, str] = {}
    for value in text.unique().to_list():
        if value == "":
            continue
        canonical, problem = canonical_level(role, value, spec)
        lookup[value] = canonical
        if problem:
            problems[value] = problem
    mapped = text.replace_strict({**{k: v for k, v in lookup.items() if v is not None}, "": ""},
                                 default=None, return_dtype=pl.String)
    raw = text.to_numpy()
    if problems:
        errors.mask(np.isin(raw, list(problems)), where, lambda i: problems[str(raw[i])])
    if role.code == "district":
        errors.mask(missing, where, lambda i: "不能为空")
        return mapped.fill_null("")
    return mapped.fill_null("").replace("", MISSING_DOMAIN)


def canonical_level(role: DomainRole, value: str, spec: DataSpec) -> tuple[str | None, str]:
    """The canonical level of a domain value, or a Chinese problem."""
    if role.code == "district":
        code = (spec.regions or {}).get(normalise_header(value))
        area = spec.area_name or "调查地区"
        return (code, "") if code else (None, f"“{value}”不是{area}下辖的区划（名称或 12 位区划代码）")
    if role.codes is None:
        return value, ""
    key = value.lower().replace(" ", "")
    if key.endswith(".0"):
        key = key[:-2]
    if key in role.codes:
        return role.codes[key], ""
    if role.code == "age_band" and key.isdigit():
        age = int(key)
        if 18 <= age <= 69:
            return role.order[min(max((age - 20) // 10, 0), 4)], ""
        return None, f"年龄 {age} 岁不在调查对象范围（18—69 岁）内"
    allowed = "、".join(role.order)
    return None, f"“{value}”不是可识别的{role.label}（可填：{allowed}，或其编号 1—{len(role.order)}）"


def _check_design(frame: pl.DataFrame, spec: DataSpec, mapping: Mapping[str, str], errors: _Collector) -> None:
    """Cross-row checks of the design: lonely PSUs under "fail", fpc consistency (the engine's own rules)."""
    strata = frame.get_column("strata").to_numpy()
    psu = frame.get_column("psu").to_numpy()
    strata_column = _where(colmap.ROLE_LABELS["strata"], mapping.get("strata", ""))
    if spec.lonely_psu == "fail":
        per_stratum = frame.group_by("strata", maintain_order=True).agg(pl.col("psu").n_unique().alias("psus"))
        lonely = per_stratum.filter(pl.col("psus") == 1).get_column("strata").to_list()
        if lonely:
            first_rows = {s: int(np.flatnonzero(strata == s)[0]) for s in lonely}
            for stratum in sorted(lonely, key=first_rows.__getitem__):
                errors.add(first_rows[stratum] + errors.first_row, strata_column,
                           est.LonelyPSUError(stratum).zh)
    try:
        est.Design.from_arrays(weights=frame.get_column("weight").to_numpy(), strata=strata, psu=psu,
                               fpc=frame.get_column("fpc").to_numpy() if "fpc" in frame.columns else None,
                               nest=True, lonely_psu=spec.lonely_psu)  # type: ignore[arg-type]
    except est.EstimationError as exc:
        column = _where(colmap.ROLE_LABELS["fpc"], mapping.get("fpc", "")) if "fpc" in str(exc.en) else strata_column
        errors.add(0, column, exc.zh)


def item_matrix(frame: pl.DataFrame, item_codes: Sequence[str]) -> NDArray[np.float64]:
    """The n × m answer matrix of a canonical frame, in the order of `item_codes`."""
    names = [f"{colmap.ITEM_PREFIX}{c}" for c in item_codes]
    return frame.select(names).to_numpy().astype(np.float64, copy=False)
