"""Time the shipped decision analyses: `opisim recommend experiments/recommend.toml` (budget 60 min) and
`opisim goal experiments/goal_10k.toml` (budget 2 h) on this machine.

By default it runs REDUCED versions of both files (fewer futures, candidates and generations; same
model, staff scale and scenarios) and extrapolates to the full files from what it measured: the mean run
time of each kind of run (runs to 2045; lever-pair runs; discovery runs; goal runs to 2030 and to 2035),
the effective parallelism (run time summed over runs / wall time) and the fixed cost of each batch
(worker start-up, storage, analysis). ``--full`` runs the shipped files themselves and reports the
wall time (what the lead runs on the final model).

    python benchmarks/bench_decide.py                 # reduced runs + extrapolation (a few minutes)
    python benchmarks/bench_decide.py --full          # the shipped files (about an hour or more)
    python benchmarks/bench_decide.py --workers 2 --out /tmp/bench_decide
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import tomllib
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RECOMMEND = ROOT / "experiments" / "recommend.toml"
GOAL = ROOT / "experiments" / "goal_10k.toml"
sys.path.insert(0, str(ROOT))


def _spec(path: Path, changes: dict[str, dict]) -> object:
    from sim.experiments.spec import spec_from_dict

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for table, values in changes.items():
        data[table].update(values)
    return spec_from_dict(data, origin=f"{path} (reduced)", base_dir=path.parent)


def _runs(directory: Path) -> pd.DataFrame:
    return pd.read_parquet(directory / "runs.parquet")


def bench_recommend(out: Path, workers: int, full: bool) -> dict:
    """Run (a reduced) recommend.toml; return the measured and extrapolated times."""
    from sim.analysis.recommend import plan_from_spec, run_recommend, scenario_members
    from sim.experiments import load_experiment

    full_spec = load_experiment(RECOMMEND)
    spec = (
        full_spec
        if full
        else _spec(
            RECOMMEND,
            {
                "design": {"futures": 4, "pair_futures": 1, "discovery_futures": 8},
                "experiment": {"replications": 2},
            },
        )
    )
    t0 = time.perf_counter()
    run_recommend(
        spec, out=out, workers=workers, overwrite=True, progress=False, log=lambda line: None
    )
    wall = time.perf_counter() - t0
    runs = _runs(out)
    result = {"file": str(RECOMMEND), "runs": len(runs), "wall_s": round(wall, 1)}
    if full:
        return result
    kind = runs["label"].map(
        lambda s: (
            "pair"
            if s.startswith("pair_")
            else ("discovery" if s.endswith("_discovery") else "main")
        )
    )
    per_run = runs.groupby(kind)["run_time_s"].mean()
    parallel = runs["run_time_s"].sum() / wall
    plan = plan_from_spec(full_spec)
    scenarios = scenario_members(plan)
    n_pairs = sum(1 for s in scenarios if s.startswith("pair_"))
    reps = full_spec.replications
    n_full = {
        "main": (len(scenarios) - n_pairs) * plan.futures * reps,
        "pair": n_pairs * plan.pair_futures * reps,
        "discovery": plan.discovery_futures * reps,
    }
    run_seconds = sum(n_full[k] * float(per_run.get(k, per_run.mean())) for k in n_full)
    estimate = run_seconds / parallel + max(wall - runs["run_time_s"].sum() / parallel, 0.0)
    result.update(
        mean_run_time_s={k: round(float(v), 3) for k, v in per_run.items()},
        effective_workers=round(parallel, 2),
        full_runs=sum(n_full.values()),
        full_estimate_min=round(estimate / 60, 1),
        budget_min=60,
    )
    return result


def bench_goal(out: Path, workers: int, full: bool) -> dict:
    """Run (a reduced) goal_10k.toml; return the measured and extrapolated times."""
    from sim.analysis.goal import plan_from_spec, run_goal
    from sim.experiments import load_experiment

    full_spec = load_experiment(GOAL)
    reduced = {
        "population": 8,
        "generations": 2,
        "futures": 6,
        "validation_futures": 6,
        "validate": 2,
    }
    spec = full_spec if full else _spec(GOAL, {"design": reduced})
    t0 = time.perf_counter()
    run_goal(spec, out=out, workers=workers, overwrite=True, log=lambda line: None)
    wall = time.perf_counter() - t0
    result = {"file": str(GOAL), "wall_s": round(wall, 1)}
    if full:
        return result
    plan = plan_from_spec(full_spec)
    small = plan_from_spec(spec)
    estimate = 0.0
    per_target = {}
    for year in small.targets:
        batches = sorted((out / f"target_{year}").glob("*/runs.parquet"))
        runs = pd.concat([pd.read_parquet(p) for p in batches], ignore_index=True)
        per_run = float(runs["run_time_s"].mean())
        per_target[year] = round(per_run, 3)
        n_full = plan.population * plan.generations * plan.futures * full_spec.replications
        n_full += (plan.validate + 1) * plan.validation_futures * full_spec.replications
        estimate += (
            n_full * per_run / max(workers, 1) / 0.95
        )  # 2 workers reach about 1.9x (measured)
    runs_small = sum(len(_runs(p.parent)) for p in out.glob("target_*/*/runs.parquet"))
    run_time_small = sum(
        _runs(p.parent)["run_time_s"].sum() for p in out.glob("target_*/*/runs.parquet")
    )
    batches_small = len(list(out.glob("target_*/*/runs.parquet")))
    overhead = max(wall - run_time_small / max(workers, 1) / 0.95, 0.0) / batches_small
    batches_full = len(plan.targets) * (plan.generations + 1)
    estimate += batches_full * overhead
    result.update(
        runs=runs_small,
        mean_run_time_s=per_target,
        overhead_per_batch_s=round(overhead, 1),
        full_batches=batches_full,
        full_estimate_min=round(estimate / 60, 1),
        budget_min=120,
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--full", action="store_true", help="run the shipped files, not reduced ones"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="/tmp/opisim_bench_decide")
    parser.add_argument("--only", choices=("recommend", "goal"))
    args = parser.parse_args()
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    report = {}
    if args.only in (None, "recommend"):
        report["recommend"] = bench_recommend(out / "recommend", args.workers, args.full)
        print(json.dumps(report["recommend"], indent=2), flush=True)
    if args.only in (None, "goal"):
        report["goal"] = bench_goal(out / "goal", args.workers, args.full)
        print(json.dumps(report["goal"], indent=2), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
