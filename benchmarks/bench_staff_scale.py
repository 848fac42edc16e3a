"""The smallest staff scale at which the national results are stable (``sim.scenario.MIN_STAFF_SCALE``).

For each staff scale, the status-quo scenario (national world, 2025-2035) is run with several seeds;
the table gives the mean and the standard deviation over seeds of the gap and of net FTE freed in 2030
and 2035. Below the minimum the staff counts of small organisations round away (one agent stands for
1 / staff_scale persons) and the gap drifts away from its value at larger scales (at 0.001 it even turns
into a surplus); from the minimum on, the means agree within their standard errors.

Usage: python benchmarks/bench_staff_scale.py [--scales 0.001,0.005,0.01,0.02,0.05,0.1,0.5] [--seeds 12]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

import sim
from sim.errors import OpisimWarning

ROOT = Path(__file__).resolve().parents[1]
OUTCOMES = ("gap_fte_2030", "gap_fte_2035", "fte_freed_2030", "fte_freed_2035")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="0.001,0.005,0.01,0.02,0.03,0.05,0.1,0.2,0.5")
    parser.add_argument("--seeds", type=int, default=12)
    args = parser.parse_args()
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.toml").with_overrides(
        {"time.end_year": 2035}
    )
    print(f"{'scale':>6} " + " ".join(f"{o:>20}" for o in OUTCOMES) + "   s/run")
    for scale in (float(x) for x in args.scales.split(",")):
        scenario = base.with_overrides({"world.staff_scale": scale})
        start = time.perf_counter()
        values = np.array(
            [
                [sim.run(scenario, seed=seed).summary[o] for o in OUTCOMES]
                for seed in range(1, args.seeds + 1)
            ]
        )
        per_run = (time.perf_counter() - start) / args.seeds
        cells = (
            f"{m:>11,.0f} ± {s:<6,.0f}"
            for m, s in zip(values.mean(0), values.std(0, ddof=1), strict=True)
        )
        print(f"{scale:>6g} " + " ".join(cells) + f"   {per_run:.2f}", flush=True)


if __name__ == "__main__":
    warnings.simplefilter("ignore", OpisimWarning)  # the small scales are measured on purpose
    main()
