"""Benchmark: the shipped Morris screening at staff_scale 0.1 on 2 workers, and the Sobol extrapolation.

Runs ``experiments/morris_levers.toml`` (all levers and uncertainties, seed as a factor) through the
experiment layer with 2 local workers into a temporary directory, analyses it, and prints: wall time,
runs, mean model time per run, parallel efficiency, analysis time; then the extrapolated wall time of the
shipped ``experiments/sobol_levers.toml`` on this machine (2 workers) and per added worker (a cluster),
against the target of 2 hours. Usage::

    python3 benchmarks/bench_sensitivity.py [--trajectories R] [--workers 2] [--keep DIR]

If the innovation layer (``sim.model.innovation``) is not installed yet, the runs use
``innovation.enabled = false`` and the figures say so (the model is then cheaper than the real one).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET_S = 2 * 3600


def _spec(path: Path, trajectories: int | None, innovation: bool):  # -> ExperimentSpec
    from sim.experiments.spec import spec_from_dict

    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    if trajectories is not None:
        data["design"]["trajectories"] = trajectories
    if not innovation:
        data.setdefault("overrides", {})["innovation.enabled"] = False
    return spec_from_dict(data, origin=str(path), base_dir=path.parent)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--trajectories", type=int, help="Morris trajectories (default: the file's)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", help="keep the results in this directory")
    args = parser.parse_args(argv)

    import pandas as pd

    from sim.analysis import run_sensitivity
    from sim.analysis.designs import expected_runs, plan_from_spec

    innovation = importlib.util.find_spec("sim.model.innovation") is not None
    morris = _spec(REPO / "experiments" / "morris_levers.toml", args.trajectories, innovation)
    sobol = _spec(REPO / "experiments" / "sobol_levers.toml", None, innovation)
    out = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_sensitivity_"))
    t0 = time.perf_counter()
    # without innovation nothing is freed, so the cost per FTE freed is undefined (NaN) in every run
    outcomes = None if innovation else ["fte_freed_2035", "gap_share_2035", "startups_alive_2035"]
    _, result = run_sensitivity(
        morris,
        out=out,
        workers=args.workers,
        overwrite=True,
        progress=False,
        log=lambda line: None,
        outcomes=outcomes,
    )
    wall = time.perf_counter() - t0
    runs = pd.read_parquet(out / "runs.parquet")
    t1 = time.perf_counter()
    from sim.analysis.sensitivity import analyse

    analyse(out, outcomes=outcomes, write=False)
    analysis_s = time.perf_counter() - t1
    n_runs = len(runs)
    per_run = float(runs["run_time_s"].mean())
    efficiency = float(runs["run_time_s"].sum()) / (wall * args.workers)
    sobol_runs = expected_runs(plan_from_spec(sobol), sobol.replications)
    sobol_s = sobol_runs * per_run / (args.workers * efficiency)

    print("bench_sensitivity: Morris screening of all levers and uncertainties")
    print(
        f"  innovation layer: {'on' if innovation else 'NOT INSTALLED -> innovation.enabled = false'}"
    )
    print(f"  staff_scale {morris.staff_scale}, {n_runs} runs, {args.workers} local workers")
    print(
        f"  wall time {wall:.1f} s ({n_runs / wall:.2f} runs/s); mean model time {per_run:.3f} s/run"
    )
    print(
        f"  parallel efficiency {efficiency:.2f} (model time / (wall x workers)); analysis {analysis_s:.2f} s"
    )
    print(f"Extrapolated shipped Sobol ({sobol_runs} runs, staff_scale {sobol.staff_scale}):")
    print(
        f"  this machine, {args.workers} workers: {sobol_s / 60:.1f} min "
        f"({'under' if sobol_s < TARGET_S else 'OVER'} the 2 h target)"
    )
    for workers in (1, 2, 4, 8, 16, 32):
        t = sobol_runs * per_run / (workers * efficiency)
        print(f"  {workers:>3} workers (same efficiency): {t / 60:8.1f} min")
    serial_min = sobol_runs * per_run / efficiency / 60
    print(f"  per added worker: T(w) = {serial_min:.0f} min / w (while the scheduler keeps up)")
    top = result.ranking.head(5)
    if len(top):
        print("Top levers by mu* of fte_freed_2035 (this benchmark's run):")
        for r in top.itertuples():
            print(f"  {r.rank}. {r.lever}: {r.value:.1f} [{r.low:.1f}, {r.high:.1f}]")
    summary = {
        "innovation": innovation,
        "morris_runs": n_runs,
        "workers": args.workers,
        "wall_s": wall,
        "mean_run_s": per_run,
        "efficiency": efficiency,
        "analysis_s": analysis_s,
        "sobol_runs": sobol_runs,
        "sobol_extrapolated_s": sobol_s,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
