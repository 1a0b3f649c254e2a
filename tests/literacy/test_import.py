"""Survey-data import: every format, the proposed column mapping, row-level Chinese errors, all or nothing,
and a 300,000-row wave."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kepu.literacy import imports
from kepu.literacy.datafiles import RawTable
from kepu.literacy.models import DataUpload, SurveyWave, UploadStatus
from kepu.literacy.validation import DataRejected, DataSpec, validate
from tests.literacy.conftest import as_csv, as_parquet, as_sav, as_xlsx, import_file, survey, upload_file
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db


def _stored_files(media: Path) -> list[Path]:
    return list((media / "literacy" / "waves").glob("*")) if (media / "literacy" / "waves").exists() else []


def _errors(upload: DataUpload) -> list[str]:
    return [f"第 {r} 行「{c}」：{m}" if r else f"表头「{c}」：{m}" for r, c, m in upload.errors]


# ---------------------------------------------------------------- formats and mapping


@pytest.mark.parametrize("fmt", ["csv", "csv-gbk", "xlsx", "sav", "parquet"])
def test_a_wave_imports_from_each_format_with_the_proposed_mapping(fmt: str, cast: dict[str, Any], make_wave: Any,
                                                                    media: Path, tmp_path: Path) -> None:
    frame = survey(seed=11).head(400)
    data, name = {
        "csv": (as_csv(frame), "样本.csv"),
        "csv-gbk": (as_csv(frame, "gbk"), "样本.csv"),
        "xlsx": (as_xlsx(frame), "样本.xlsx"),
        "sav": (as_sav(frame, tmp_path), "样本.sav"),
        "parquet": (as_parquet(frame), "样本.parquet"),
    }[fmt]
    wave = make_wave()
    upload = upload_file(cast["office"], wave, name, data)
    assert upload.row_count == 400
    assert {k: upload.mapping.get(k) for k in ("strata", "weight", "sex", "age_band")} == (
        {"strata": "v0", "weight": "v3", "sex": "v6", "age_band": "v7"} if fmt == "sav"  # matched by SPSS labels
        else {"strata": "层", "weight": "权重", "sex": "性别", "age_band": "年龄"})
    assert sum(k.startswith("item:") for k in upload.mapping) == 40
    upload = imports.upload_confirm(actor=cast["office"], upload=upload, mapping=upload.mapping)
    assert upload.status == UploadStatus.IMPORTED, upload.errors[:3]
    wave.refresh_from_db()
    assert wave.data_rows == 400 and wave.has_data
    with wave.data_file.open("rb") as handle:
        stored = pl.read_parquet(handle)
    assert set(stored.get_column("district").unique()) <= {t for t in stored.get_column("district").unique()
                                                           if len(t) == 12 and t.startswith("320583")}
    assert set(stored.get_column("sex").unique()) == {"男", "女"}
    assert stored.get_column("age_band").unique().sort().to_list()[0] == "18—29岁"


def test_the_mapping_page_proposal_can_be_corrected_before_validation(cast: dict[str, Any], make_wave: Any,
                                                                       media: Path) -> None:
    frame = survey(seed=12).head(200).rename({"权重": "扩权系数"})
    wave = make_wave()
    upload = upload_file(cast["office"], wave, "样本.csv", as_csv(frame))
    assert "weight" not in upload.mapping  # nothing recognisable: the person must say which column
    upload = imports.upload_confirm(actor=cast["office"], upload=upload, mapping=upload.mapping)
    assert upload.status == UploadStatus.REJECTED
    assert _errors(upload) == ["表头「权重」：缺少设计列：未指定文件中对应的列"]
    upload = imports.upload_confirm(actor=cast["office"], upload=upload, mapping={**upload.mapping, "weight": "扩权系数"})
    assert upload.status == UploadStatus.IMPORTED


# ---------------------------------------------------------------- malformed files: clear errors, nothing stored


def _rejected(cast: dict[str, Any], wave: SurveyWave, frame: pl.DataFrame, media: Path) -> list[str]:
    upload = import_file(cast["office"], wave, "样本.csv", as_csv(frame))
    assert upload.status == UploadStatus.REJECTED
    wave.refresh_from_db()
    assert not wave.has_data and wave.data_rows == 0, "a rejected file must store nothing"
    assert _stored_files(media) == []
    return _errors(upload)


def test_a_file_without_the_design_columns_is_rejected_at_the_header(cast: dict[str, Any], make_wave: Any,
                                                                     media: Path) -> None:
    frame = survey().drop("权重", "层")
    errors = _rejected(cast, make_wave(), frame, media)
    assert errors == ["表头「层（strata）」：缺少设计列：未指定文件中对应的列",
                      "表头「权重」：缺少设计列：未指定文件中对应的列"]


def test_negative_zero_missing_and_non_numeric_weights_are_named_by_row(cast: dict[str, Any], make_wave: Any,
                                                                        media: Path) -> None:
    frame = survey().with_columns(pl.col("权重").cast(pl.String))
    weights = frame.get_column("权重").to_list()
    weights[0], weights[4], weights[9], weights[20] = "-3", "0", "", "约500"
    frame = frame.with_columns(pl.Series("权重", weights))
    errors = _rejected(cast, make_wave(), frame, media)
    assert errors == ["第 2 行「权重」：权重须为正数，此处为 -3", "第 6 行「权重」：权重须为正数，此处为 0",
                      "第 11 行「权重」：不能为空", "第 22 行「权重」：“约500”不是数字"]


def test_non_numeric_answers_are_named_by_row_and_item(cast: dict[str, Any], make_wave: Any, media: Path) -> None:
    frame = survey().with_columns(pl.col("K03").cast(pl.String))
    answers = frame.get_column("K03").to_list()
    answers[6] = "B"
    frame = frame.with_columns(pl.Series("K03", answers))
    assert _rejected(cast, make_wave(), frame, media) == ["第 8 行「K03」：“B”不是数字（作答应为选项编号）"]


def test_unknown_area_codes_and_out_of_range_ages_are_refused(cast: dict[str, Any], make_wave: Any,
                                                              media: Path) -> None:
    frame = survey()
    towns, ages = frame.get_column("镇").to_list(), frame.get_column("年龄").to_list()
    towns[1], ages[2] = "苏州工业园区", 75
    frame = frame.with_columns(pl.Series("镇", towns), pl.Series("年龄", ages))
    errors = _rejected(cast, make_wave(), frame, media)
    assert errors == ["第 3 行「镇（区县/镇街）」：“苏州工业园区”不是昆山市下辖的区划（名称或 12 位区划代码）",
                      "第 4 行「年龄（年龄段）」：年龄 75 岁不在调查对象范围（18—69 岁）内"]


def test_strata_with_one_psu_are_refused_when_the_wave_says_fail(cast: dict[str, Any], make_wave: Any,
                                                                 media: Path) -> None:
    # The demo design has single-community strata in its smallest towns.
    errors = _rejected(cast, make_wave(lonely_psu="fail"), survey(), media)
    assert errors and all("层只有 1 个初级抽样单元（lonely PSU），按“fail”规则无法估计方差" in e for e in errors)
    assert any("周庄镇城镇" in e for e in errors)


def test_the_same_file_imports_when_lonely_psus_are_adjusted(cast: dict[str, Any], make_wave: Any,
                                                             media: Path) -> None:
    upload = import_file(cast["office"], make_wave(lonely_psu="adjust"), "样本.csv", as_csv(survey()))
    assert upload.status == UploadStatus.IMPORTED


def test_duplicate_respondent_numbers_are_refused(cast: dict[str, Any], make_wave: Any, media: Path) -> None:
    frame = survey()
    ids = frame.get_column("问卷编号").to_list()
    ids[10] = ids[3]
    errors = _rejected(cast, make_wave(), frame.with_columns(pl.Series("问卷编号", ids)), media)
    assert errors == [f"第 12 行「问卷编号」：编号“{ids[3]}”与第 5 行重复"]


def test_a_rejected_import_changes_nothing_in_the_database(cast: dict[str, Any], make_wave: Any,
                                                           media: Path) -> None:
    wave = make_wave()
    frame = survey().with_columns(pl.lit(-1.0).alias("权重"))
    table = RawTable(frame=frame, fmt="parquet", first_row=1)
    from kepu.literacy import mapping

    proposal = mapping.propose(frame.columns, [f"{p}{i:02d}" for p, n in (("K", 16), ("M", 8), ("S", 8), ("A", 8))
                                               for i in range(1, n + 1)])
    before = db_fingerprint()
    with pytest.raises(DataRejected) as caught:
        imports.wave_import(actor=cast["office"], wave=wave, table=table, mapping=proposal)
    assert db_fingerprint() == before
    assert caught.value.total == frame.height and len(caught.value.errors) == 200  # first 200 listed, all counted
    assert f"共 {frame.height} 处错误" in caught.value.message
    assert _stored_files(media) == []


def test_an_unreadable_file_is_refused_at_upload(cast: dict[str, Any], make_wave: Any, media: Path) -> None:
    from kepu.literacy.datafiles import FileUnreadable

    with pytest.raises(FileUnreadable, match="无法读取Excel文件"):
        upload_file(cast["office"], make_wave(), "样本.xlsx", b"not a workbook")
    with pytest.raises(FileUnreadable, match="不支持的文件格式"):
        upload_file(cast["office"], make_wave(), "样本.doc", b"x")
    assert DataUpload.objects.count() == 0


# ---------------------------------------------------------------- volume


@pytest.fixture
def big_frame() -> pl.DataFrame:
    base = survey(seed=21, psu_factor=2, cluster_extra=4)
    copies = -(-300_000 // base.height)
    frame = pl.concat([base.with_columns((pl.col("村居编号") + f"-{i}"), (pl.col("层") + f"{i % 3}"))
                       for i in range(copies)]).head(300_000)
    return frame.with_columns(pl.Series("问卷编号", [f"R{i:07d}" for i in range(frame.height)]))


@pytest.mark.slow
def test_three_hundred_thousand_rows_import_and_a_bad_copy_stores_nothing(
        big_frame: pl.DataFrame, cast: dict[str, Any], make_wave: Any, media: Path) -> None:
    data = as_csv(big_frame)
    wave = make_wave()
    upload = import_file(cast["office"], wave, "全市样本.csv", data)
    assert upload.status == UploadStatus.IMPORTED, upload.errors[:3]
    wave.refresh_from_db()
    assert wave.data_rows == 300_000

    weights = big_frame.get_column("权重").to_list()
    for row in (5, 150_000, 299_999):
        weights[row] = -weights[row]
    bad = big_frame.with_columns(pl.Series("权重", weights))
    other = make_wave()
    upload = import_file(cast["office"], other, "全市样本（有误）.csv", as_csv(bad))
    assert upload.status == UploadStatus.REJECTED
    assert [e[0] for e in upload.errors] == [7, 150_002, 300_001] and upload.error_count == 3
    other.refresh_from_db()
    assert not other.has_data
    assert len(_stored_files(media)) == 1  # only the good wave's file


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["ok", "negative", "zero", "text", "empty"]), min_size=4, max_size=40))
def test_every_bad_weight_is_reported_at_its_own_row_and_no_good_row_is(kinds: list[str]) -> None:
    values = {"ok": "1.5", "negative": "-2", "zero": "0", "text": "x", "empty": ""}
    frame = pl.DataFrame({"层": ["A", "A", "B", "B"] * 10, "村居": ["1", "2", "3", "4"] * 10,
                          "权重": [values[k] for k in kinds] + ["1"] * (40 - len(kinds)), "Q1": ["1"] * 40})
    table = RawTable(frame=frame, fmt="csv", first_row=2)
    bad_rows = [i + 2 for i, k in enumerate(kinds) if k != "ok"]
    spec = DataSpec(item_codes=("Q1",), lonely_psu="adjust")
    mapping = {"strata": "层", "psu": "村居", "weight": "权重", "item:Q1": "Q1"}
    if not bad_rows:
        assert validate(table, mapping, spec).frame.height == 40
        return
    with pytest.raises(DataRejected) as caught:
        validate(table, mapping, spec)
    assert [e.row for e in caught.value.errors] == bad_rows
    assert {e.column for e in caught.value.errors} == {"权重"}
