"""The column-mapping step: which column of an uploaded file plays which part.

A mapping is a flat dict: role code ("strata", "weight", "district" …, or "item:<题号>") → the
file's column name. `propose()` guesses it from the header (and SPSS variable labels); the person
confirms or corrects it on the mapping page; `check()` lists what is still wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from kepu.core.errors import RowError
from kepu.literacy.datafiles import normalise_header
from kepu.literacy.standards import DESIGN_ROLES, DOMAIN_ROLES, ColumnRole

ROLES: tuple[ColumnRole, ...] = (*DESIGN_ROLES, *DOMAIN_ROLES)
ROLE_LABELS = {r.code: r.label for r in ROLES}
ITEM_PREFIX = "item:"
_DIGITS = re.compile(r"\d+")


def item_role(code: str) -> str:
    return f"{ITEM_PREFIX}{code}"


def _item_key(name: str) -> str:
    # Q01, q1 and Q-1 are the same item.
    return _DIGITS.sub(lambda m: str(int(m.group())), normalise_header(name))


def propose(columns: Sequence[str], item_codes: Sequence[str],
            column_labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """The likely mapping: exact names first, then names containing a known word; a column is used once."""
    labels = column_labels or {}
    names = {c: {normalise_header(c), normalise_header(labels.get(c, ""))} - {""} for c in columns}
    used: set[str] = set()
    mapping: dict[str, str] = {}
    by_item = {}
    for column in columns:
        by_item.setdefault(_item_key(column), column)
    for code in item_codes:
        column = by_item.get(_item_key(code))
        if column is not None:
            mapping[item_role(code)] = column
            used.add(column)
    for exact in (True, False):
        for role in ROLES:
            if role.code in mapping:
                continue
            synonyms = [normalise_header(s) for s in role.synonyms]
            for column in columns:
                if column in used:
                    continue
                if _matches(names[column], synonyms, exact):
                    mapping[role.code] = column
                    used.add(column)
                    break
    return mapping


def _matches(names: set[str], synonyms: list[str], exact: bool) -> bool:
    if exact:
        return bool(names & set(synonyms))
    # Only Chinese words are safe to find inside longer headers (“所在区县”); “w” is not.
    return any(s in n for n in names for s in synonyms if len(s) >= 2 and not s.isascii())


def check(mapping: Mapping[str, str], columns: Sequence[str], item_codes: Sequence[str]) -> list[RowError]:
    """Header-level problems: required parts without a column, columns that are not in the file."""
    present = set(columns)
    errors = []
    for role in DESIGN_ROLES:
        column = mapping.get(role.code, "")
        if role.required and not column:
            errors.append(RowError(0, role.label, "缺少设计列：未指定文件中对应的列"))
    for role in ROLES:
        column = mapping.get(role.code, "")
        if column and column not in present:
            errors.append(RowError(0, role.label, f"文件中没有“{column}”列"))
    missing = [code for code in item_codes if not mapping.get(item_role(code))]
    if missing:
        shown = "、".join(missing[:10]) + (f" 等 {len(missing)} 题" if len(missing) > 10 else "")
        errors.append(RowError(0, "题目作答", f"以下题目未对应到文件中的列：{shown}"))
    for code in item_codes:
        column = mapping.get(item_role(code), "")
        if column and column not in present:
            errors.append(RowError(0, f"题目 {code}", f"文件中没有“{column}”列"))
    return errors


def clean(raw: Mapping[str, str], item_codes: Sequence[str]) -> dict[str, str]:
    """Only known roles with a non-empty column, as submitted by the mapping form or the API."""
    known = {r.code for r in ROLES} | {item_role(c) for c in item_codes}
    return {k: str(v).strip() for k, v in raw.items() if k in known and v and str(v).strip()}
