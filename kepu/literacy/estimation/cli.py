"""kepu-estimate: design-based estimates from a survey file on the command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import polars as pl

from .calibration import calibrate_to_margins
from .design import LONELY_PSU_RULES, Design, LonelyPSU
from .errors import EstimationError
from .estimators import by_domain, mean
from .intervals import CI_METHODS, CIMethod, proportion_ci, wald_ci
from .results import Estimates
from .svyglm_logit import svyciprop_logit

DESCRIPTION = """\
按复杂抽样设计（分层、整群、权重、有限总体校正）估计比例与均值及其标准误、置信区间和设计效应；
可按域（如区县）分组，可按总体边际数进行 raking 校准（标准误考虑校准）。结果与 R survey 包一致。

Design-based estimates of proportions and means with standard errors, confidence intervals and
design effects for a complex sample (strata, PSUs, weights, fpc); optionally by domain and after
raking to population margins (calibration-aware standard errors). Results match R's survey package.
"""

EPILOG = """\
输出 CSV 列 / output columns: variable, domain, estimate, se, ci_low, ci_high, deff, n
  每个变量一行总体结果（domain 为空）；使用 --by 时另有每个域一行。
  One row per variable for the whole population (empty domain), plus one per domain with --by.
  0/1 变量按比例处理，区间方法由 --ci 指定；其他变量按均值，使用 t 分布 Wald 区间。
  0/1 variables are proportions (interval from --ci); other variables are means (t-based Wald interval).

--rake 控制数文件 / controls file (JSON):  {"sex": {"F": 1100, "M": 1000}, "district": {"d1": 700, ...}}

示例 / example:
  kepu-estimate wave2024.parquet --strata stratum --psu village --weight w --nest \\
      --vars q1,q2,literate --by district --rake controls.json --ci beta --out results.csv
"""

OUTPUT_COLUMNS = ("variable", "domain", "estimate", "se", "ci_low", "ci_high", "deff", "n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kepu-estimate", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter, add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="显示本帮助并退出 / show this help and exit")
    parser.add_argument("data", metavar="DATA", help="调查数据文件 CSV 或 Parquet / survey data file (CSV or Parquet)")
    parser.add_argument("--strata", metavar="COL", help="分层变量列 / stratum column")
    parser.add_argument("--psu", metavar="COL", help="初级抽样单元列 / primary sampling unit column")
    parser.add_argument("--weight", metavar="COL", required=True, help="抽样权重列 / sampling weight column")
    parser.add_argument("--fpc", metavar="COL", help="有限总体校正列：总体规模或抽样比 / fpc column: population size or fraction")
    parser.add_argument("--nest", action="store_true", help="PSU 编号只在层内唯一 / PSU ids are unique only within strata")
    parser.add_argument("--vars", metavar="COL,COL,...", required=True, help="要估计的变量，逗号分隔 / variables to estimate")
    parser.add_argument("--by", metavar="COL", help="分域变量 / domain column")
    parser.add_argument("--rake", metavar="CONTROLS.json", help="按总体边际数 raking 校准 / rake to population margins")
    parser.add_argument("--epsilon", type=float, default=None,
                        help="raking 收敛阈值，同 R calibrate 的 epsilon（默认迭代到机器精度）"
                             " / raking stopping tolerance as R's epsilon (default: machine precision)")
    parser.add_argument("--maxit", type=int, default=50, help="raking 最大迭代次数（默认 50）/ raking iteration limit (50)")
    parser.add_argument("--ci", choices=[m for m in CI_METHODS if m != "mean"], default="logit",
                        help="比例的置信区间方法（默认 logit）/ interval method for proportions (default logit)")
    parser.add_argument("--lonely-psu", choices=LONELY_PSU_RULES, default="fail",
                        help="单 PSU 层的处理规则（默认 fail）/ rule for strata with one PSU (default fail)")
    parser.add_argument("--level", type=float, default=0.95, help="置信水平 / confidence level (0.95)")
    parser.add_argument("--out", metavar="FILE.csv", required=True, help="输出 CSV 文件 / output CSV file")
    return parser


def read_table(path: str) -> pl.DataFrame:
    """Read CSV or Parquet (by extension; anything not .parquet/.pq is read as CSV)."""
    p = Path(path)
    if not p.exists():
        raise EstimationError(f"找不到数据文件 {path}", f"data file not found: {path}")
    if p.suffix.lower() in (".parquet", ".pq"):
        return pl.read_parquet(p)
    return pl.read_csv(p, infer_schema_length=None, null_values=["", "NA"])


def _column(df: pl.DataFrame, name: str) -> pl.Series:
    if name not in df.columns:
        raise EstimationError(f"数据中没有列“{name}”", f"column {name!r} not found in the data")
    series = df[name]
    if series.null_count():
        row = int(series.is_null().arg_max() or 0) + 1
        raise EstimationError(f"列“{name}”第 {row} 行缺失", f"column {name!r} is missing at data row {row}")
    return series


def numeric_column(df: pl.DataFrame, name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    series = _column(df, name)
    if not series.dtype.is_numeric():
        cast_s = series.cast(pl.Float64, strict=False)
        bad = cast_s.is_null() & series.is_not_null()
        row = int(bad.arg_max() or 0) + 1
        raise EstimationError(
            f"列“{name}”第 {row} 行不是数值：{series[row - 1]!r}", f"column {name!r} is not numeric at data row {row}: {series[row - 1]!r}"
        )
    return series.cast(pl.Float64).to_numpy()


def label_column(df: pl.DataFrame, name: str) -> np.ndarray[Any, Any]:
    return _column(df, name).cast(pl.String).to_numpy()


def build_design(df: pl.DataFrame, args: argparse.Namespace) -> Design:
    weights = numeric_column(df, args.weight)
    negative = np.flatnonzero(weights < 0)
    if negative.size:
        row = int(negative[0]) + 1
        raise EstimationError(
            f"权重列“{args.weight}”第 {row} 行为负数：{weights[row - 1]}", f"weight column {args.weight!r} is negative at data row {row}: {weights[row - 1]}"
        )
    return Design.from_arrays(
        weights=weights,
        strata=label_column(df, args.strata) if args.strata else None,
        psu=label_column(df, args.psu) if args.psu else None,
        fpc=numeric_column(df, args.fpc) if args.fpc else None,
        nest=args.nest,
        lonely_psu=cast(LonelyPSU, args.lonely_psu),
    )


def rake_design(
    design: Design, df: pl.DataFrame, controls_path: str, *, epsilon: float | None = None, maxit: int = 50
) -> Design:
    try:
        controls = json.loads(Path(controls_path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise EstimationError(f"无法读取控制数文件 {controls_path}：{exc}", f"cannot read controls file {controls_path}: {exc}") from exc
    margins = {name: label_column(df, name) for name in controls}
    return calibrate_to_margins(design, margins, controls, calfun="raking", epsilon=epsilon, maxit=maxit)


def _rows(
    result: Estimates, names: Sequence[str], binary: np.ndarray[Any, Any], method: CIMethod, level: float,
    logit: tuple[Any, Any] | None = None,
) -> list[dict[str, Any]]:
    low_p, high_p = proportion_ci(result, method, level) if logit is None else logit
    low_m, high_m = wald_ci(result, level)
    est2 = np.atleast_2d(result.estimate)
    domains = [""] if result.domains is None else [str(d) for d in result.domains]
    low = np.atleast_2d(np.where(binary, low_p, low_m))
    high = np.atleast_2d(np.where(binary, high_p, high_m))
    se, deff = np.atleast_2d(result.se), np.atleast_2d(result.deff)
    n = np.atleast_1d(result.n)
    out = []
    for j, name in enumerate(names):
        for d, dom in enumerate(domains):
            out.append({"variable": name, "domain": dom, "estimate": est2[d, j], "se": se[d, j],
                        "ci_low": low[d, j], "ci_high": high[d, j], "deff": deff[d, j], "n": int(n[d])})
    return out


def _logit(design: Design, y: Any, binary: Any, domain: Any, args: argparse.Namespace) -> tuple[Any, Any] | None:
    """R's svyglm-based logit limits for the 0/1 columns (other columns get Wald intervals anyway)."""
    if args.ci != "logit" or not binary.any():
        return None
    z = np.where(binary, y, 0.0)  # non-binary columns are replaced by zeros, their limits are unused
    return svyciprop_logit(design, z, domain, level=args.level)


def run(args: argparse.Namespace) -> int:
    df = read_table(args.data)
    names = [v.strip() for v in args.vars.split(",") if v.strip()]
    y = np.column_stack([numeric_column(df, v) for v in names])
    design = build_design(df, args)
    if args.rake:
        design = rake_design(design, df, args.rake, epsilon=args.epsilon, maxit=args.maxit)
    binary = np.all((y == 0) | (y == 1), axis=0)
    method = cast(CIMethod, args.ci)
    rows = _rows(mean(design, y, names=tuple(names)), names, binary, method, args.level, _logit(design, y, binary, None, args))
    if args.by:
        dom = label_column(df, args.by)
        rows += _rows(by_domain(design, y, dom, names=tuple(names)), names, binary, method, args.level,
                      _logit(design, y, binary, dom, args))
    order = {name: i for i, name in enumerate(names)}
    rows.sort(key=lambda r: (order[r["variable"]], r["domain"] != "", r["domain"]))
    pl.DataFrame(rows, schema=list(OUTPUT_COLUMNS), orient="row").write_csv(args.out, float_precision=None)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kepu-estimate`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except EstimationError as exc:
        print(f"错误：{exc.zh}\nerror: {exc.en}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
