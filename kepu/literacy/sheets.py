"""Excel sheets of literacy monitoring: an instrument's items (answer key) and population margins.

Both imports check every row first and write nothing unless all rows are good; errors name the row
and the column in Chinese. The item sheet round-trips (export, edit, import).
"""

from __future__ import annotations

import io
import itertools
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from kepu.core.access import require
from kepu.core.errors import ImportRejected, RowError
from kepu.core.excel import (
    CellError,
    Column,
    decimal_cell,
    int_cell,
    model_text_cell,
    read_rows,
    text_cell,
    unknown_column,
    write_workbook,
)
from kepu.literacy import datafiles
from kepu.literacy import standards as std
from kepu.literacy.imports import data_spec
from kepu.literacy.models import Instrument, Item, SurveyWave
from kepu.literacy.scoring import ScoringError, parse_accepted
from kepu.literacy.services import items_replace, margins_replace
from kepu.literacy.validation import canonical_level

_DIMENSION_BY_LABEL = {label: code for code, label in std.DIMENSIONS.items()}


def _dimension_cell(value: Any) -> str:
    text = text_cell(value)
    if text in _DIMENSION_BY_LABEL:
        return _DIMENSION_BY_LABEL[text]
    if text in std.DIMENSIONS:
        return text
    raise CellError(f"“{text}”不是可选维度（{'、'.join(std.DIMENSIONS.values())}）")


_POINTS = Item._meta.get_field("points")
POINTS_MAX = Decimal(10) ** (_POINTS.max_digits - _POINTS.decimal_places) - Decimal(10) ** -_POINTS.decimal_places


def _points_cell(value: Any) -> Decimal:
    """A positive score the answer key can store (999.99 at most, two decimals) — never cut or rounded."""
    number = decimal_cell(value)
    if number is None or number <= 0:
        raise CellError("分值须为正数")
    if number > POINTS_MAX:
        raise CellError(f"分值不能超过 {POINTS_MAX}")
    if number != number.quantize(Decimal(10) ** -_POINTS.decimal_places):
        raise CellError(f"分值最多保留 {_POINTS.decimal_places} 位小数")
    return number


def _answer_cell(value: Any) -> str:
    text = model_text_cell(Item, "correct")(value)
    try:
        parse_accepted(text)
    except ScoringError as exc:
        raise CellError(str(exc)) from None
    return text.replace("，", ",").replace("、", ",")


def _benchmark_cell(value: Any) -> int | None:
    number = int_cell(value)
    if number is not None and not 1 <= number <= 26:
        raise CellError("基准编号应在 1—26 之间")
    return number


def _difficulty_cell(value: Any) -> float | None:
    number = decimal_cell(value)
    return float(number) if number is not None else None


ITEM_COLUMNS = [
    Column("题号", "code", model_text_cell(Item, "code"), required=True, width=10, note="数据文件中该题作答所在列的列名"),
    Column("题干", "text", text_cell, width=50),
    Column("维度", "dimension", _dimension_cell, required=True, width=16, note="、".join(std.DIMENSIONS.values())),
    Column("分值", "points", _points_cell, required=True, width=8),
    Column("标准答案", "correct", _answer_cell, required=True, width=12, note="正确选项编号，多个用逗号分隔"),
    Column("对应基准", "benchmark", _benchmark_cell, width=10, note="《基准》第几条（1—26），可空"),
    Column("难度", "difficulty", _difficulty_cell, width=8, note="可空"),
]


def items_export(instrument: Instrument) -> bytes:
    rows = ((i.code, i.text, i.get_dimension_display(), i.points, i.correct, i.benchmark, i.difficulty)
            for i in instrument.items.all())
    return write_workbook("题目与标准答案", ITEM_COLUMNS, rows)


def items_import(*, actor: Any, instrument: Instrument, data: bytes) -> str:
    """Replace the instrument's items by the sheet's, all or nothing."""
    require(actor, "literacy.instrument.manage")
    rows, errors = read_rows(data, ITEM_COLUMNS, max_rows=2000)
    seen: dict[str, int] = {}
    for row in rows:
        code = row.values.get("code", "")
        if code and code in seen:
            errors.append(RowError(row.number, "题号", f"与第 {seen[code]} 行重复"))
        seen.setdefault(code, row.number)
    if errors:
        raise ImportRejected(errors)
    count = items_replace(actor=actor, instrument=instrument, source="Excel 导入", items=[
        {"code": r.values["code"], "text": r.values.get("text", ""), "dimension": r.values["dimension"],
         "points": r.values["points"], "correct": r.values["correct"], "benchmark": r.values.get("benchmark"),
         "difficulty": r.values.get("difficulty")} for r in rows])
    return f"已导入 {count} 道题目及标准答案"


# ---------------------------------------------------------------- population margins

_TOTAL_NAMES = ("人口数", "人口", "人数", "常住人口", "总人口", "population", "total", "count")
_MARGIN_ROLES = [r for r in std.DOMAIN_ROLES if r.code in std.MARGIN_VARIABLES]
MARGIN_TEMPLATE_COLUMNS = [Column(r.label, r.code, width=14) for r in _MARGIN_ROLES if r.code != "education"] + [
    Column("人口数", "total", width=12, note="18—69 岁常住人口")]


def margin_template(wave: SurveyWave) -> bytes:
    """The census cross table to fill in: every town × urban/rural × sex × age band."""
    from kepu.org.public import Region

    towns = Region.objects.filter(parent=wave.region_id, is_active=True).order_by("code")
    levels = [[t.name for t in towns], ["城镇", "乡村"], ["男", "女"], list(std.AGE_BANDS)]
    rows = ([*combo, None] for combo in itertools.product(*levels))
    return write_workbook("人口控制数", MARGIN_TEMPLATE_COLUMNS, rows)


def margins_import(*, actor: Any, wave: SurveyWave, data: bytes) -> str:
    """Import totals as a census cross table (variables + 人口数) or long (变量, 类别, 人口数)."""
    require(actor, "literacy.margin.manage")
    try:
        table = datafiles.read_table(io.BytesIO(data), "xlsx")
    except datafiles.FileUnreadable as exc:
        raise ImportRejected([RowError(0, "", exc.message)]) from None
    headers = {datafiles.normalise_header(c): c for c in table.columns}
    total_column = next((headers[n] for n in map(datafiles.normalise_header, _TOTAL_NAMES) if n in headers), None)
    if total_column is None:
        raise ImportRejected([RowError(1, "人口数", "缺少此列")])
    _refuse_unknown_margin_columns(table, long="变量" in headers and "类别" in headers)
    if "变量" in headers and "类别" in headers:
        margins, errors = _long_margins(table, headers["变量"], headers["类别"], total_column, wave)
    else:
        margins, errors = _crossed_margins(table, headers, total_column, wave)
    if errors:
        raise ImportRejected(errors)
    count = margins_replace(actor=actor, wave=wave, margins=margins, source="Excel 导入")
    return f"已导入人口控制数 {count} 项（{'、'.join(std.DOMAIN_LABELS[v] for v in margins)}）"


def _refuse_unknown_margin_columns(table: datafiles.RawTable, *, long: bool) -> None:
    """A column the layout does not read (a misspelt variable, a stray note) is refused by name, as in
    every other import. A column with neither a header nor a value (left by formatting) is ignored."""
    offered = ["变量", "类别", "人口数"] if long else [r.label for r in _MARGIN_ROLES] + ["人口数"]
    names = ["变量", "类别"] if long else [n for r in _MARGIN_ROLES for n in (r.label, r.code, *r.synonyms)]
    known = {datafiles.normalise_header(n) for n in (*names, *_TOTAL_NAMES)}
    errors = [unknown_column(column, offered) for column in table.columns
              if datafiles.normalise_header(column) not in known and _has_content(table, column)]
    if errors:
        raise ImportRejected(errors)


def _has_content(table: datafiles.RawTable, column: str) -> bool:
    unnamed = re.fullmatch(r"第\d+列", column) is not None  # the reader's name for a blank header
    return not unnamed or any(text_cell(v) for v in table.frame[column].to_list())


def _total(value: Any, number: int, errors: list[RowError]) -> float | None:
    try:
        amount = decimal_cell(value)
    except CellError as exc:
        errors.append(RowError(number, "人口数", str(exc)))
        return None
    if amount is None or amount < 0:
        errors.append(RowError(number, "人口数", "须为非负数"))
        return None
    return float(amount)


def _crossed_margins(table: datafiles.RawTable, headers: dict[str, str], total_column: str,
                     wave: SurveyWave) -> tuple[dict[str, dict[str, float]], list[RowError]]:
    spec = data_spec(wave)
    roles = []
    for role in _MARGIN_ROLES:
        names = [datafiles.normalise_header(s) for s in (role.label, *role.synonyms)]
        column = next((headers[n] for n in names if n in headers), None)
        if column is not None:
            roles.append((role, column))
    if not roles:
        return {}, [RowError(1, "", "表中没有可识别的变量列（区县/镇街、城乡、性别、年龄段、文化程度）")]
    margins: dict[str, dict[str, float]] = {role.code: defaultdict(float) for role, _ in roles}
    errors: list[RowError] = []
    for index, row in enumerate(table.frame.iter_rows(named=True)):
        number = index + table.first_row
        total = _total(row[total_column], number, errors)
        for role, column in roles:
            value = text_cell(row[column])
            level, problem = canonical_level(role, value, spec) if value else (None, "不能为空")
            if problem or level is None:
                errors.append(RowError(number, column, problem or "不能为空"))
            elif total is not None:
                margins[role.code][level] += total
    return {k: dict(v) for k, v in margins.items()}, errors


def _long_margins(table: datafiles.RawTable, variable_column: str, level_column: str, total_column: str,
                  wave: SurveyWave) -> tuple[dict[str, dict[str, float]], list[RowError]]:
    spec = data_spec(wave)
    by_name = {datafiles.normalise_header(n): r for r in _MARGIN_ROLES for n in (r.label, r.code, *r.synonyms)}
    margins: dict[str, dict[str, float]] = defaultdict(dict)
    errors: list[RowError] = []
    for index, row in enumerate(table.frame.iter_rows(named=True)):
        number = index + table.first_row
        role = by_name.get(datafiles.normalise_header(text_cell(row[variable_column])))
        if role is None:
            errors.append(RowError(number, "变量", f"“{text_cell(row[variable_column])}”不是可用于校准的变量"))
            continue
        value = text_cell(row[level_column])
        level, problem = canonical_level(role, value, spec) if value else (None, "不能为空")
        total = _total(row[total_column], number, errors)
        if problem or level is None:
            errors.append(RowError(number, "类别", problem or "不能为空"))
        elif level in margins[role.code]:
            errors.append(RowError(number, "类别", f"{role.label}“{level}”重复"))
        elif total is not None:
            margins[role.code][level] = total
    return dict(margins), errors
