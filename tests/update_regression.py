"""Rewrite the fixed-seed regression baseline (tests/data/regression_small.json).

Run only after a change that is meant to change behaviour, and say so in the commit message:
    python tests/update_regression.py
"""

from __future__ import annotations

import json
from pathlib import Path

import sim

HERE = Path(__file__).resolve().parent
KEYS = (
    "gap_fte_2030",
    "fte_freed_2030",
    "supply_fte_2030",
    "demand_fte_2030",
    "staff_lost_attrition",
    "pilots_started_cum",
    "adoptions_cum",
    "startups_alive_2030",
    "public_cost_dkk_cum",
    "exits_cum",
)
SEEDS = (7, 8)


def compute() -> dict[str, dict[str, float]]:
    scenario = sim.load_scenario(HERE / "data" / "small.toml")
    return {str(seed): {k: sim.run(scenario, seed=seed).summary[k] for k in KEYS} for seed in SEEDS}


if __name__ == "__main__":
    (HERE / "data" / "regression_small.json").write_text(
        json.dumps(compute(), indent=2, sort_keys=True) + "\n"
    )
    print("wrote tests/data/regression_small.json")
