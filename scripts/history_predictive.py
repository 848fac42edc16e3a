"""Run the history scenario with draws of the shipped posterior on the code at hand (a predictive check).

Writes one row per draw (the target statistics of ``sim.model.history.history_statistics``) to a CSV and
prints the mean and 5-95% of each. Draw ``i`` takes posterior resample ``i`` (resampling seed 777) and run
seed ``1000 + i``, so two checkouts of the model give paired rows: run it on both and difference them to
see whether a model change moved what the calibration fitted (docs/CALIBRATION.md, "Checked on the final
model").

Usage: python scripts/history_predictive.py 200 /tmp/predictive.csv [--workers 2]
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

import sim
from sim.calibration.posterior import draw_structural
from sim.model.history import history_statistics

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "history" / "history_2012_2024.toml"
RESAMPLING_SEED = 777


def one_draw(args: tuple[int, int]) -> dict[str, float]:
    """The target statistics of draw ``i`` of ``n`` (seed ``1000 + i``)."""
    i, n = args
    draw = draw_structural(n, RESAMPLING_SEED).iloc[i]
    scenario = sim.load_scenario(SCENARIO).with_overrides({k: float(v) for k, v in draw.items()})
    return history_statistics(scenario, seed=1000 + i)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("draws", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    jobs = [(i, args.draws) for i in range(args.draws)]
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(one_draw, jobs))
    frame = pd.DataFrame(rows)
    frame.to_csv(args.out, index=False)
    summary = frame.describe(percentiles=[0.05, 0.5, 0.95]).T[["mean", "5%", "95%"]]
    print(summary.round(3).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
