"""C1 journeys in a real browser: the office filters and exports units; a liaison sees only the own
unit; five bad passwords lock an account."""

from __future__ import annotations

from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_office_opens_units_filters_and_exports(new_page: Any, demo_server: Any, tmp_path: Any) -> None:
    page = new_page()
    sign_in(page, demo_server.url, "office")
    page.wait_for_url("**/office/")
    page.click("text=单位管理")
    page.wait_for_selector("#units-table")
    assert page.locator("#units-table tbody tr").count() == 20  # first page of the demo city's units
    page.fill("#q", "人社")
    expect(page.locator("#units-table tbody tr")).to_have_count(1)
    assert "昆山市人力资源和社会保障局" in page.inner_text("#units-table")
    assert "q=%E4%BA%BA%E7%A4%BE" in page.url  # the filter is in the address, so it can be shared
    shot(page, "org-units-filtered")
    with page.expect_download() as download_info:
        page.click("#export-units")
    path = tmp_path / "units.xlsx"
    download_info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][1] == "单位名称" and [r[1] for r in rows[1:]] == ["昆山市人力资源和社会保障局"]
    assert page.errors == []


def test_a_liaison_sees_only_the_own_unit(new_page: Any, demo_server: Any) -> None:
    page = new_page()
    sign_in(page, demo_server.url, "jiaoyu")
    page.wait_for_url("**/office/")
    page.goto(f"{demo_server.url}/office/org/units/")
    rows = page.locator("#units-table tbody tr")
    assert rows.count() == 1 and "昆山市教育局" in rows.first.inner_text()
    assert page.locator("text=新增单位").count() == 0  # no action the role lacks is offered
    shot(page, "org-units-liaison")
    response = page.goto(f"{demo_server.url}/office/org/regions/")
    assert response.status == 403 and "没有权限" in page.inner_text("h1")


def test_five_bad_passwords_lock_the_account(new_page: Any, demo_server: Any) -> None:
    page = new_page(viewport=(390, 844))  # a phone-sized screen
    for _ in range(5):
        sign_in(page, demo_server.url, "nongye", "not-the-password")
    assert "账号已锁定 15 分钟" in page.inner_text("#login-error")
    sign_in(page, demo_server.url, "nongye")  # the right password, too late
    assert "账号已锁定" in page.inner_text("#login-error")
    shot(page, "login-locked")
