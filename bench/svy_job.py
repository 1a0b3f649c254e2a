"""Optional part of bench/literacy_vs_r.py: the same job with the PyPI ``svy`` package.

Runs inside a throwaway venv (``python3 -m venv /tmp/svy-venv && /tmp/svy-venv/bin/pip install svy``),
never in the project's environment. Usage: ``python bench/svy_job.py DATA.csv CONTROLS.json``.
Prints one line: job time, peak memory, and agreement with kepu's results in bench/out/.
``svy``'s raking is IPF on the weights; its standard errors afterwards do not account for the
calibration, so only the raked estimates (not SEs) are compared.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import svy

ITEMS = [f"i{j:02d}" for j in range(1, 51)] + ["literate"]


def _frame(estimates: list[object], stage: str, by: bool) -> pl.DataFrame:
    parts = []
    for item, e in zip(ITEMS, estimates, strict=True):
        df = e.to_polars().filter(pl.col(item) == 1)  # type: ignore[attr-defined]
        parts.append(pl.DataFrame({
            "stage": stage, "domain": df["district"] if by else pl.Series([""] * df.height),
            "variable": item, "estimate": df["est"], "se": df["se"],
        }))
    return pl.concat(parts)


def main() -> None:
    data_path, controls_path = Path(sys.argv[1]), Path(sys.argv[2])
    t0 = time.perf_counter()
    df = pl.read_csv(data_path)
    sample = svy.Sample(df, svy.Design(stratum="stratum", psu=["stratum", "psu"], wgt="w"))
    frames = [_frame(sample.estimation.prop(ITEMS), "plain", False),
              _frame(sample.estimation.prop(ITEMS, by="district"), "plain", True)]
    controls = json.loads(controls_path.read_text(encoding="utf-8"))
    raked = sample.weighting.rake(controls=controls, tol=1e-12, max_iter=1000)
    frames += [_frame(raked.estimation.prop(ITEMS), "raked", False),
               _frame(raked.estimation.prop(ITEMS, by="district"), "raked", True)]
    seconds = time.perf_counter() - t0
    hwm = next(float(x.split()[1]) for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM"))
    ours = pl.concat(frames)
    kepu = pl.read_csv(data_path.parent / "kepu_results.csv", schema_overrides={"domain": pl.String}).with_columns(
        pl.col("domain").fill_null(""))
    joined = ours.join(kepu, on=["stage", "domain", "variable"], suffix="_k")

    def digits(a: np.ndarray, b: np.ndarray) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(a == b, 0.0, np.abs(a - b) / np.abs(b))
        return float(np.min(-np.log10(np.maximum(rel, 1e-17))))

    plain = joined.filter(pl.col("stage") == "plain")
    raked_rows = joined.filter(pl.col("stage") == "raked")
    print(f"svy  : job {seconds:8.2f} s   peak memory {hwm / 1024:8.0f} MiB   agreement with kepu: "
          f"plain estimates+SEs {min(digits(plain['estimate'].to_numpy(), plain['estimate_k'].to_numpy()), digits(plain['se'].to_numpy(), plain['se_k'].to_numpy())):.1f} digits, "
          f"raked estimates {digits(raked_rows['estimate'].to_numpy(), raked_rows['estimate_k'].to_numpy()):.1f} digits "
          "(svy's SEs after raking ignore the calibration)")


if __name__ == "__main__":
    main()
