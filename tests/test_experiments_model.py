"""The experiment layer with the real agent-based model, and the shipped experiment files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments import plan_experiment, run_experiment
from sim.experiments.compare import comparison_table
from sim.experiments.spec import load_experiment
from sim.levers import LEVERS

REPO = Path(__file__).resolve().parents[1]
QUIET = {"progress": False, "log": lambda line: None}


def small_model_experiment(root: Path) -> Path:
    """Baseline vs a risk-budget grid on a tiny synthetic world, 2 replications (real model)."""
    path = root / "real.toml"
    path.write_text(
        textwrap.dedent(
            f"""
            [experiment]
            name = "real_small"
            base_scenario = "{REPO / "scenarios" / "baseline.toml"}"
            model = "opisim"
            replications = 2
            master_seed = 11
            staff_scale = 0.05
            outputs = ["summary", "timeseries"]

            [overrides]
            "world.kind" = "synthetic"
            "world.n_regions" = 1
            "world.n_hospitals" = 2
            "world.n_municipalities" = 4
            "time.end_year" = 2030

            [design]
            kind = "grid"
            [design.grid]
            "uncertainties.demography" = [0.8, 1.2]
            """
        )
    )
    return path


def test_real_model_gives_identical_results_on_1_and_2_workers(tmp_path: Path):
    path = small_model_experiment(tmp_path)
    one = run_experiment(path, out=tmp_path / "one", workers=1, **QUIET)
    two = run_experiment(path, out=tmp_path / "two", workers=2, **QUIET)
    assert (one["status"] == "ok").all(), one["error"].tolist()
    pd.testing.assert_frame_equal(one.drop(columns="run_time_s"), two.drop(columns="run_time_s"))
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "one" / "timeseries.parquet"),
        pd.read_parquet(tmp_path / "two" / "timeseries.parquet"),
    )
    for key in (
        "gap_fte_2030",
        "gap_share_2030",
        "fte_freed_2030",
        "public_cost_per_fte_freed_dkk",
    ):
        assert key in one.columns
    # more elderly demand, bigger gap: the design values reach the model
    gap = one.groupby("uncertainties.demography")["gap_fte_2030"].mean()
    assert gap[1.2] > gap[0.8]
    ts = pd.read_parquet(tmp_path / "one" / "timeseries.parquet")
    assert {"date", "sector", "demand_fte", "supply_fte", "gap_fte"} <= set(ts.columns)
    assert len(ts) == 4 * 6 * 12 * 3  # runs x years x months x sectors


def test_shipped_experiment_files_are_valid():
    smoke = load_experiment(REPO / "experiments" / "smoke.toml")
    assert smoke.replications >= 1 and smoke.design_kind == "scenarios"
    plan = plan_experiment(smoke)
    assert plan.design["label"].iloc[0] == "baseline"
    compare = plan_experiment(REPO / "experiments" / "compare_recommendations.toml")
    assert compare.spec.replications >= 20 and compare.spec.staff_scale == 0.1
    scenarios = compare.design["scenario"].tolist()
    assert scenarios[0].endswith("baseline.toml")
    for lever in LEVERS:
        assert any(s.endswith(f"lever_{lever}.toml") for s in scenarios), lever
    for bundle in ("theme_core_task", "theme_citizens", "theme_industry", "all_recommendations"):
        assert any(s.endswith(f"{bundle}.toml") for s in scenarios), bundle
    assert compare.design["label"].is_unique


@pytest.mark.slow
def test_smoke_experiment_runs_end_to_end(tmp_path: Path):
    runs = run_experiment(REPO / "experiments" / "smoke.toml", out=tmp_path / "smoke", **QUIET)
    assert (runs["status"] == "ok").all(), runs["error"].tolist()
    table = comparison_table(tmp_path / "smoke")
    assert table["paired_by_seed"].all()
    assert set(table["outcome"]) >= {"fte_freed_2030", "gap_share_2035"}
