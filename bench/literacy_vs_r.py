"""Benchmark: the literacy monitoring job in kepu vs R's survey package, on the same generated data.

Run: ``python -m bench.literacy_vs_r`` (or ``make bench-literacy``). See bench/README.md.
The last line reads ``literacy_vs_r: speedup=<R time / kepu time> digits=<min sig. digits>
mem_ratio=<kepu peak memory / R peak memory>``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
R_SCRIPT = ROOT / "scripts" / "r" / "bench_literacy.R"
ITEMS = [f"i{j:02d}" for j in range(1, 51)] + ["literate"]
N_ROWS, N_ITEMS, N_STRATA, PSU_PER_STRATUM, N_DISTRICTS = 300_000, 50, 200, 10, 30
AGE_BANDS = ("18-29", "30-39", "40-49", "50-59", "60-69")
# One thread for both tools: R is single-threaded, and other people share this machine.
SVY_TIMEOUT = 300  # seconds; the svy comparison is optional and must not make the benchmark slow
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def generate(seed: int = 20241123) -> tuple[Path, Path]:
    """Write the survey (CSV) and the control totals for sex, age band and district (CSV + JSON)."""
    rng = np.random.default_rng(seed)
    n_psu = N_STRATA * PSU_PER_STRATUM
    sizes = rng.multinomial(N_ROWS, rng.dirichlet(np.full(n_psu, 40.0)))
    psu_global = np.repeat(np.arange(n_psu), sizes)
    stratum = psu_global // PSU_PER_STRATUM
    psu = psu_global % PSU_PER_STRATUM + 1
    district = stratum % N_DISTRICTS
    sex = rng.choice(np.array(["F", "M"]), N_ROWS)
    age = rng.integers(0, len(AGE_BANDS), N_ROWS)
    ability = rng.normal(0, 0.6, n_psu)[psu_global] + rng.normal(0, 1, N_ROWS) - 0.15 * age + 0.1 * (sex == "M")
    difficulty = rng.normal(-0.3, 0.8, N_ITEMS)
    items = (rng.uniform(size=(N_ROWS, N_ITEMS)) < 1 / (1 + np.exp(-(ability[:, None] - difficulty)))).astype(np.int8)
    literate = (items.sum(axis=1) >= 35).astype(np.int8)
    weight = np.round(rng.uniform(200, 800, N_STRATA)[stratum] * rng.uniform(0.7, 1.3, N_ROWS), 3)
    frame = pl.DataFrame({
        "stratum": stratum + 1, "psu": psu,
        "district": np.array([f"d{d + 1:02d}" for d in range(N_DISTRICTS)])[district],
        "sex": sex, "ageband": np.array(AGE_BANDS)[age], "w": weight,
        **{name: items[:, j] for j, name in enumerate(ITEMS[:-1])}, "literate": literate,
    })
    OUT.mkdir(parents=True, exist_ok=True)
    data_path = OUT / "literacy.csv"
    frame.write_csv(data_path)
    population = float(weight.sum()) * 1.04
    controls: dict[str, dict[str, float]] = {}
    for margin in ("sex", "ageband", "district"):
        sums = frame.group_by(margin).agg(pl.col("w").sum()).sort(margin)
        raw = sums["w"].to_numpy() * rng.uniform(0.92, 1.08, sums.height)
        controls[margin] = dict(zip(sums[margin].to_list(), (raw * population / raw.sum()).round(2).tolist(), strict=True))
    # The margins must agree on the population size exactly, as census margins do.
    for margin in ("ageband", "district"):
        levels = list(controls[margin])
        controls[margin][levels[-1]] += sum(controls["sex"].values()) - sum(controls[margin].values())
    (OUT / "controls.json").write_text(json.dumps(controls), encoding="utf-8")
    rows = [(m, lv, t) for m, levels in controls.items() for lv, t in levels.items()]
    pl.DataFrame(rows, schema=["margin", "level", "total"], orient="row").write_csv(OUT / "controls.csv", float_precision=None)
    return data_path, OUT / "controls.json"


def kepu_job(data_path: Path, controls_path: Path, out_path: Path) -> dict[str, float]:
    """The monitoring job in kepu: load, 51 proportions overall and by district, rake, again."""
    from kepu.literacy import estimation as est

    t0 = time.perf_counter()
    # The items are 0/1: read them as Int8 (half the parsing time of inferred Int64) and widen the
    # n x 51 block to float64 once, in C order, for the estimators.
    df = pl.read_csv(data_path, schema_overrides={name: pl.Int8 for name in ITEMS})
    y = np.ascontiguousarray(df.select(ITEMS).to_numpy(), dtype=np.float64)
    district = df["district"].to_numpy()
    design = est.Design.from_arrays(weights=df["w"].to_numpy(), strata=df["stratum"].to_numpy(),
                                    psu=df["psu"].to_numpy(), nest=True)
    frames = []
    controls = json.loads(controls_path.read_text(encoding="utf-8"))
    for stage in ("plain", "raked"):
        if stage == "raked":
            model, totals, _ = est.margin_model({m: df[m].to_numpy() for m in controls}, controls)
            design = est.calibrate(design, model, totals, calfun="raking")
        overall = est.mean(design, y, deff=False)
        by = est.by_domain(design, y, district, deff=False)
        assert by.domains is not None
        frames.append(pl.DataFrame({"stage": stage, "domain": "", "variable": ITEMS,
                                    "estimate": overall.estimate, "se": overall.se}))
        frames.append(pl.DataFrame({
            "stage": stage, "domain": np.tile(by.domains.astype(str), len(ITEMS)),
            "variable": np.repeat(ITEMS, by.domains.size),
            "estimate": by.estimate.T.reshape(-1), "se": by.se.T.reshape(-1),
        }))
    seconds = time.perf_counter() - t0
    pl.concat(frames).write_csv(out_path, float_precision=None)
    return {"seconds": seconds, "vmhwm_kb": _vmhwm_kb()}


def _vmhwm_kb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return float(line.split()[1])
    return float("nan")


def run_kepu(data_path: Path, controls_path: Path) -> tuple[dict[str, float], float, pl.DataFrame]:
    out = OUT / "kepu_results.csv"
    timing = OUT / "kepu_timing.json"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench.literacy_vs_r", "--kepu-job", str(data_path), str(controls_path),
                    str(out), str(timing)], check=True, cwd=ROOT, env={**os.environ, **ONE_THREAD})
    wall = time.perf_counter() - t0
    return json.loads(timing.read_text()), wall, pl.read_csv(out, schema_overrides={"domain": pl.String})


def run_r(data_path: Path) -> tuple[dict[str, float], float, pl.DataFrame]:
    out = OUT / "r_results.csv"
    timing = OUT / "r_timing.txt"
    t0 = time.perf_counter()
    subprocess.run(["Rscript", str(R_SCRIPT), str(data_path), str(OUT / "controls.csv"), str(out), str(timing)],
                   check=True, cwd=ROOT, env={**os.environ, **ONE_THREAD})
    wall = time.perf_counter() - t0
    facts = dict(line.split() for line in timing.read_text().splitlines())
    return {k: float(v) for k, v in facts.items()}, wall, pl.read_csv(out, schema_overrides={"domain": pl.String})


def agreement(kepu: pl.DataFrame, r: pl.DataFrame) -> dict[str, float]:
    """Minimum significant digits of agreement, -log10(relative difference), for estimates and SEs."""
    keys = ["stage", "domain", "variable"]
    joined = kepu.with_columns(pl.col("domain").fill_null("")).join(
        r.with_columns(pl.col("domain").fill_null("")), on=keys, suffix="_r")
    if joined.height != kepu.height or joined.height != r.height:
        raise SystemExit(f"result rows differ: kepu {kepu.height}, R {r.height}, matched {joined.height}")
    out = {}
    for col in ("estimate", "se"):
        a, b = joined[col].to_numpy(), joined[f"{col}_r"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(a == b, 0.0, np.abs(a - b) / np.abs(b))
        out[col] = float(np.min(-np.log10(np.maximum(rel, 1e-17))))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kepu-job", nargs=4, metavar=("DATA", "CONTROLS", "OUT", "TIMING"), help=argparse.SUPPRESS)
    parser.add_argument("--svy", action="store_true",
                        help="also time the PyPI svy package from /tmp/svy-venv or $SVY_PYTHON (adds ~3-4 minutes)")
    args = parser.parse_args()
    if args.kepu_job:
        data, controls, out, timing = (Path(p) for p in args.kepu_job)
        Path(timing).write_text(json.dumps(kepu_job(data, controls, out)))
        return
    if shutil.which("Rscript") is None:
        raise SystemExit("Rscript not found: run `make r-survey` first")
    t0 = time.perf_counter()
    data_path, controls_path = generate()
    print(f"data: {N_ROWS:,} respondents, {N_ITEMS} items + literacy indicator, {N_STRATA} strata, "
          f"{N_STRATA * PSU_PER_STRATUM} PSUs, {N_DISTRICTS} districts ({time.perf_counter() - t0:.1f} s to generate)")
    k_facts, k_wall, k_res = run_kepu(data_path, controls_path)
    print(f"kepu : job {k_facts['seconds']:8.2f} s   wall {k_wall:8.2f} s   peak memory {k_facts['vmhwm_kb'] / 1024:8.0f} MiB")
    r_facts, r_wall, r_res = run_r(data_path)
    print(f"R    : job {r_facts['seconds']:8.2f} s   wall {r_wall:8.2f} s   peak memory {r_facts['vmhwm_kb'] / 1024:8.0f} MiB")
    digits = agreement(k_res, r_res)
    print(f"agreement over {k_res.height} estimates and SEs (plain and raked, overall and by district): "
          f"estimates {digits['estimate']:.1f} digits, SEs {digits['se']:.1f} digits")
    if args.svy:
        print(svy_comparison(data_path) or "svy  : not installed (python3 -m venv /tmp/svy-venv && /tmp/svy-venv/bin/pip install svy)")
    speedup = r_facts["seconds"] / k_facts["seconds"]
    print(f"wall-time ratio R/kepu (process start to exit): {r_wall / k_wall:.1f}")
    print(f"literacy_vs_r: speedup={speedup:.1f} digits={min(digits.values()):.1f} "
          f"mem_ratio={k_facts['vmhwm_kb'] / r_facts['vmhwm_kb']:.2f}")


def svy_comparison(data_path: Path) -> str | None:
    """Optional: time the PyPI ``svy`` package on the same steps if a venv with it exists (see README)."""
    python = Path(os.environ.get("SVY_PYTHON", "/tmp/svy-venv/bin/python"))
    script = ROOT / "bench" / "svy_job.py"
    if not python.exists() or not script.exists():
        return None
    try:
        result = subprocess.run([str(python), str(script), str(data_path), str(OUT / "controls.json")],
                                capture_output=True, text=True, env={**os.environ, **ONE_THREAD}, check=False,
                                timeout=SVY_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"svy  : did not finish within {SVY_TIMEOUT} s (stopped)"
    if result.returncode != 0:
        return f"svy  : could not run ({result.stderr.strip().splitlines()[-1] if result.stderr.strip() else 'error'})"
    return result.stdout.strip().splitlines()[-1]


if __name__ == "__main__":
    main()
