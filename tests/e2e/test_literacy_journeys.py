"""C3 journeys in a real browser: the office creates a wave, uploads its data file, confirms the column
mapping, runs the estimation, reads the ratio with its interval and the area table, and downloads the
Word report; a file with bad rows is refused row by row; a liaison reads the published trend."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from docx import Document
from playwright.sync_api import expect

from kepu.literacy import synthetic as syn
from tests.e2e.conftest import shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    # Listed before the demo server, so the demo's files and the uploads land in a temporary folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _survey_csv(tmp_path: Path, *, bad: bool = False) -> Path:
    frame = syn.survey(syn.national_items(), seed=2026, shift=-1.3, psu_factor=1)
    if bad:
        weights = frame.get_column("权重").cast(pl.String).to_list()
        weights[2], weights[7] = "-12.5", "未知"
        frame = frame.with_columns(pl.Series("权重", weights))
    path = tmp_path / ("问卷数据（有误）.csv" if bad else "2026年问卷数据.csv")
    path.write_bytes(frame.fill_nan(None).write_csv().encode("gbk"))  # as an office's Excel saves it
    return path


def _new_wave(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/office/literacy/waves/")
    page.click("#new-wave")
    page.fill("#id_name", name)
    page.fill("#id_year", "2026")
    page.select_option("#id_instrument", label="公民科学素质测评卷（2024年版）")
    page.select_option("#id_rule_set", label="国家标准（2022 年起）")
    page.click("#save-wave")
    expect(page.locator("h1")).to_have_text("上传样本数据")


def test_the_office_uploads_maps_runs_reads_and_downloads_the_report(media: Path, new_page: Any, demo_server: Any,
                                                                     tmp_path: Path) -> None:
    page = new_page()
    sign_in(page, demo_server.url, "office")
    page.wait_for_url("**/office/")
    _new_wave(page, demo_server.url, "2026年昆山市公民科学素质调查")
    page.set_input_files("#id_file", str(_survey_csv(tmp_path)))
    page.click("#upload-submit")
    expect(page.locator("h1")).to_have_text("核对列对应")
    expect(page.locator("#mapped-items")).to_have_text("40")
    expect(page.locator("#id_weight")).to_have_value("权重")
    expect(page.locator("#id_district")).to_have_value("镇")
    shot(page, "literacy-mapping")
    page.click("#confirm-mapping")
    expect(page.locator("#upload-status")).to_contain_text("导入完成")
    expect(page.locator("#import-message")).to_contain_text("已导入")
    shot(page, "literacy-imported")
    page.click("#go-wave")
    page.click("#start-run")
    expect(page.locator("#run-panel .run-state")).to_have_text("已完成")
    shot(page, "literacy-run-done")
    page.click("#view-results")
    expect(page.locator("#headline-ratio")).to_have_text(re.compile(r"^\d+\.\d%$"))
    ratio = float(page.inner_text("#headline-ratio").rstrip("%"))
    low, high = (float(v.rstrip("%")) for v in page.inner_text("#headline-ci").split("—"))
    assert low < ratio < high
    assert int(page.inner_text("#headline-n").replace(",", "")) > 1000
    rows = page.locator("#district-table tbody tr")
    expect(rows).to_have_count(11)
    assert "玉山镇" in rows.first.inner_text() and "样本不足" in page.inner_text("#district-table")
    expect(page.locator("#district-card canvas")).to_have_count(1)  # the chart was drawn
    expect(page.locator("#draft-notice")).to_be_visible()  # not yet published
    shot(page, "literacy-results")
    with page.expect_download() as download:
        page.click("#download-report")
    path = tmp_path / "report.docx"
    download.value.save_as(path)
    document = Document(io.BytesIO(path.read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"具备科学素质的比例为 {ratio:.1f}%（95% 置信区间 {low:.1f}%—{high:.1f}%" in text
    assert any(t.rows[0].cells[0].text == "镇街" for t in document.tables)
    page.once("dialog", lambda dialog: dialog.accept())  # “确定发布此次测算结果？”
    page.click("#publish-run")
    expect(page.locator(".alert-success")).to_contain_text("已发布")
    expect(page.locator("#draft-notice")).to_have_count(0)
    assert page.errors == []


def test_a_file_with_bad_rows_is_refused_row_by_row(media: Path, new_page: Any, demo_server: Any,
                                                    tmp_path: Path) -> None:
    page = new_page()
    sign_in(page, demo_server.url, "office")
    page.wait_for_url("**/office/")
    _new_wave(page, demo_server.url, "2026年补充调查")
    page.set_input_files("#id_file", str(_survey_csv(tmp_path, bad=True)))
    page.click("#upload-submit")
    page.click("#confirm-mapping")
    expect(page.locator("#upload-status")).to_contain_text("发现 2 处错误，未导入任何数据")
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(2)
    assert "第 4 行" in errors.nth(0).inner_text() and "权重须为正数，此处为 -12.5" in errors.nth(0).inner_text()
    assert "“未知”不是数字" in errors.nth(1).inner_text()
    shot(page, "literacy-import-errors")
    assert page.errors == []


def test_a_liaison_reads_the_published_trend_and_the_public_the_headline(media: Path, new_page: Any,
                                                                         demo_server: Any) -> None:
    page = new_page()
    sign_in(page, demo_server.url, "jiaoyu")
    page.wait_for_url("**/office/")
    page.click("text=历年趋势")
    expect(page.locator("#trend-table tbody tr")).to_have_count(3)
    expect(page.locator("[data-kp-literacy-chart] canvas")).to_have_count(1)
    assert page.locator(".kp-nav-link", has_text="调查轮次").count() == 0  # wave management is the office's
    shot(page, "literacy-trend-liaison")
    public = new_page(viewport=(390, 844))
    public.goto(f"{demo_server.url}/literacy/")
    expect(public.locator("#portal-ratio")).to_have_text(re.compile(r"^\d+\.\d%$"))
    shot(public, "literacy-portal-mobile")
    assert page.errors == [] and public.errors == []
