"""Every Excel import refuses a column it does not know: a renamed or misspelt header is named in the
error, and nothing is written, instead of its cells being dropped in silence."""

from __future__ import annotations

from typing import Any

import pytest

from kepu.core.access import SYSTEM
from kepu.core.errors import ImportRejected
from kepu.core.excel import Column, read_rows
from kepu.literacy import sheets as literacy_sheets
from kepu.org import sheets as org_sheets
from kepu.plans import sheets as plans_sheets
from kepu.volunteers import sheets as volunteer_sheets
from tests.org.sheets import xlsx
from tests.test_authorization import db_fingerprint

COLUMNS = [Column("名称", "name", required=True), Column("备注", "note")]


def _header_errors(data: bytes) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        read_rows(data, COLUMNS)
    return [str(e) for e in caught.value.errors]


def test_an_unknown_column_is_named_in_the_error() -> None:
    errors = _header_errors(xlsx(["名称", "备 注说明"], [["甲", "乙"]]))
    assert errors == ["第 1 行：未知的列“备 注说明”（可用的列：名称、备注）"]


def test_a_renamed_required_column_is_both_unknown_and_missing() -> None:
    errors = _header_errors(xlsx(["名字", "备注"], [["甲", "乙"]]))
    assert errors == ["第 1 行：未知的列“名字”（可用的列：名称、备注）", "第 1 行「名称」：缺少此列"]


def test_a_column_given_twice_is_refused() -> None:
    assert _header_errors(xlsx(["名称", "备注", "备注"], [["甲", "乙", "丙"]])) == ["第 1 行「备注」：此列重复出现"]


def test_known_columns_in_any_order_and_blank_headers_are_read() -> None:
    rows, errors = read_rows(xlsx(["备注", "", "名称"], [["乙", "", "甲"]]), COLUMNS)
    assert errors == [] and rows[0].values == {"name": "甲", "note": "乙"}


IMPORTERS = [
    pytest.param(org_sheets.units_import, org_sheets.UNIT_COLUMNS, {}, id="units"),
    pytest.param(org_sheets.regions_import, org_sheets.REGION_COLUMNS, {}, id="regions"),
    pytest.param(plans_sheets.ledger_import, plans_sheets.LEDGER_COLUMNS, {}, id="ledger"),
    pytest.param(volunteer_sheets.teams_import, volunteer_sheets.TEAM_COLUMNS, {}, id="teams"),
    pytest.param(volunteer_sheets.volunteers_import, volunteer_sheets.VOLUNTEER_COLUMNS, {}, id="volunteers"),
    pytest.param(literacy_sheets.items_import, literacy_sheets.ITEM_COLUMNS, {"instrument": None}, id="items"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("importer", "columns", "extra"), IMPORTERS)
def test_every_import_refuses_an_unknown_column_and_writes_nothing(importer: Any, columns: list[Column],
                                                                   extra: dict[str, Any]) -> None:
    header = [c.header for c in columns]
    data = xlsx([*header, "联系人备注"], [["" for _ in header] + ["某某"]])
    before = db_fingerprint()
    with pytest.raises(ImportRejected) as caught:
        importer(actor=SYSTEM, data=data, **extra)
    assert any(str(e).startswith("第 1 行：未知的列“联系人备注”") for e in caught.value.errors)
    assert db_fingerprint() == before

