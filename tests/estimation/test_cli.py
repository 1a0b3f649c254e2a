"""kepu-estimate end to end: a CSV and a Parquet file in, results compared with R."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from .reference import HERE, assert_close, ref

SURVEY = HERE / "data" / "cli_survey.csv"
CONTROLS = {"sex": {"F": 1100, "M": 1000}, "ageband": {"18-39": 800, "40-59": 750, "60+": 550},
            "district": {"d1": 700, "d2": 650, "d3": 750}}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("kepu-estimate")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "kepu.literacy.estimation.cli"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, check=False)


def _check(out: Path, case: str, ci: str = "beta") -> None:
    df = pl.read_csv(out, schema_overrides={"domain": pl.String})
    assert df.columns == ["variable", "domain", "estimate", "se", "ci_low", "ci_high", "deff", "n"]
    overall = df.filter(pl.col("domain").is_null() | (pl.col("domain") == ""))
    by = df.filter(pl.col("domain").is_not_null() & (pl.col("domain") != ""))
    assert overall["variable"].to_list() == ["q1", "q2", "score"]
    assert_close(overall["estimate"].to_numpy(), ref(f"{case}_all", "estimate"))
    assert_close(overall["se"].to_numpy(), ref(f"{case}_all", "se"))
    assert_close(overall["deff"].to_numpy(), ref(f"{case}_all", "deff"))
    for i, v in enumerate(("q1", "q2", "score")):
        row = overall.row(i, named=True)
        name = f"logit_{v}" if ci == "logit" and v != "score" else f"ci_{v}"
        assert_close(np.array([row["ci_low"], row["ci_high"]]), ref(f"{case}_all", name))
    assert by["domain"].to_list() == ["d1", "d2", "d3"] * 3
    assert_close(by["estimate"].to_numpy(), ref(f"{case}_by", "estimate"))
    assert_close(by["se"].to_numpy(), ref(f"{case}_by", "se"))
    assert_close(by["deff"].to_numpy(), ref(f"{case}_by", "deff"))
    for v in ("q1", "q2", "score"):
        part = by.filter(pl.col("variable") == v)
        name = f"logit_{v}" if ci == "logit" and v != "score" else f"ci_{v}"
        assert_close(np.concatenate([part["ci_low"].to_numpy(), part["ci_high"].to_numpy()]), ref(f"{case}_by", name))


BASE = ["--strata", "stratum", "--psu", "village", "--weight", "weight", "--nest", "--vars", "q1,q2,score",
        "--by", "district", "--ci", "beta"]


def test_csv_by_district_matches_r(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = run_cli(str(SURVEY), *BASE, "--out", str(out))
    assert result.returncode == 0, result.stderr
    _check(out, "cli_plain")


def test_parquet_with_raking_matches_r_calibrate(tmp_path: Path) -> None:
    parquet = tmp_path / "survey.parquet"
    pl.read_csv(SURVEY).write_parquet(parquet)
    controls = tmp_path / "controls.json"
    controls.write_text(json.dumps(CONTROLS), encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run_cli(str(parquet), *BASE, "--rake", str(controls), "--epsilon", "1e-7", "--out", str(out))
    assert result.returncode == 0, result.stderr
    _check(out, "cli_rake")


def test_logit_intervals_are_rs_svyciprop_logit(tmp_path: Path) -> None:
    controls = tmp_path / "controls.json"
    controls.write_text(json.dumps(CONTROLS), encoding="utf-8")
    out = tmp_path / "out.csv"
    args = [a if a != "beta" else "logit" for a in BASE]
    result = run_cli(str(SURVEY), *args, "--rake", str(controls), "--epsilon", "1e-7", "--out", str(out))
    assert result.returncode == 0, result.stderr
    _check(out, "cli_rake", ci="logit")


def test_fpc_and_lonely_psu_options(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = run_cli(str(HERE / "data" / "lonely.csv"), "--strata", "stratum", "--psu", "psu", "--weight", "w",
                     "--fpc", "N", "--nest", "--lonely-psu", "adjust", "--vars", "y,b", "--by", "dom", "--out", str(out))
    assert result.returncode == 0, result.stderr
    df = pl.read_csv(out, schema_overrides={"domain": pl.String}).with_columns(pl.col("domain").fill_null(""))
    overall = df.filter(pl.col("domain") == "")
    by = df.filter(pl.col("domain") != "")
    assert_close(overall["estimate"].to_numpy(), ref("lonely_adjust_noadl_fpc_mean", "estimate"))
    assert_close(overall["se"].to_numpy(), ref("lonely_adjust_noadl_fpc_mean", "se"))
    assert_close(by["estimate"].to_numpy(), ref("lonely_adjust_noadl_fpc_by", "estimate"))
    assert_close(by["se"].to_numpy(), ref("lonely_adjust_noadl_fpc_by", "se"))


def test_help_is_bilingual() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "置信区间" in result.stdout and "confidence intervals" in result.stdout


@pytest.mark.parametrize(
    ("mutate", "args", "message"),
    [
        (None, ["--vars", "q1,nope"], "数据中没有列“nope”"),
        ("negative", [], "第 5 行为负数"),
        ("text", [], "列“q1”第 3 行不是数值"),
        ("lonely", ["--lonely-psu", "fail"], "只有 1 个初级抽样单元"),
    ],
)
def test_bad_input_gives_a_chinese_and_english_error(tmp_path: Path, mutate: str | None, args: list[str], message: str) -> None:
    df = pl.read_csv(SURVEY)
    if mutate == "negative":
        df = df.with_columns(pl.when(pl.int_range(pl.len()) == 4).then(-1.0).otherwise(pl.col("weight")).alias("weight"))
    elif mutate == "text":
        df = df.with_columns(pl.col("q1").cast(pl.String)).with_columns(
            pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("yes")).otherwise(pl.col("q1")).alias("q1"))
    elif mutate == "lonely":
        df = df.filter(~((pl.col("stratum") == 2) & (pl.col("village") != 1)))
    data = tmp_path / "bad.csv"
    df.write_csv(data)
    base = ["--strata", "stratum", "--psu", "village", "--weight", "weight", "--nest", "--vars", "q1,q2"]
    result = run_cli(str(data), *base, *args, "--out", str(tmp_path / "o.csv"))
    assert result.returncode == 2
    assert message in result.stderr
    assert "error:" in result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_maxit_too_small_fails_with_a_chinese_message(tmp_path: Path) -> None:
    controls = tmp_path / "controls.json"
    controls.write_text(json.dumps(CONTROLS), encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run_cli(str(SURVEY), *BASE, "--rake", str(controls), "--maxit", "1", "--out", str(out))
    assert result.returncode != 0
    assert "未收敛" in result.stderr
    assert not out.exists()
