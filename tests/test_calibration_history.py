"""The historical mode (sim.model.history), its calibration file and a reduced historical calibration
run end to end: scenario -> opisim_history -> ABC-SMC -> shipped posterior -> experiment.

The reduced runs use the history scenario on a small synthetic world (20 municipalities, staff_scale
0.02: about 0.3 s per 2012-2024 run); the shipped file runs the national world at 0.1.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.calibration import run_calibration
from sim.calibration.posterior import ship_posterior
from sim.calibration.spec import load_calibration
from sim.experiments import run_experiment
from sim.experiments.models import get_model
from sim.model.history import (
    NOT_PRODUCED,
    SPREAD_CAP,
    STATISTICS,
    decile_ratio,
    history_statistics,
    history_targets,
    month_of,
)

REPO = Path(__file__).resolve().parents[1]
HISTORY_FILE = REPO / "experiments" / "calibrate_history.toml"
HISTORY_SCENARIO = REPO / "scenarios" / "history" / "history_2012_2024.toml"
QUIET = {"log": lambda line: None}
SMALL_WORLD = {
    "world.kind": "synthetic",
    "world.n_regions": 2,
    "world.n_hospitals": 3,
    "world.n_municipalities": 20,
    "world.staff_scale": 0.02,
}


@pytest.fixture(scope="module")
def small_history():
    return sim.load_scenario(HISTORY_SCENARIO).with_overrides(SMALL_WORLD)


@pytest.fixture(scope="module")
def small_statistics(small_history):
    return history_statistics(small_history, 3)


def test_every_target_is_produced_or_says_why_not():
    targets = history_targets()
    produced = {name for name in STATISTICS if not name.endswith("_cumulative")}
    assert produced <= set(targets)
    assert set(targets) == produced | set(NOT_PRODUCED)
    assert all(reason for reason in NOT_PRODUCED.values())
    assert get_model("opisim_history").statistics == tuple(STATISTICS)


def test_statistics_on_a_small_world_are_finite_and_in_range(small_statistics):
    stats = small_statistics
    assert list(stats) == list(STATISTICS)
    assert all(math.isfinite(v) for v in stats.values()), stats
    for name, value in stats.items():
        kind = STATISTICS[name].kind
        if kind in ("use_share", "engaged_share"):
            assert 0.0 <= value <= 1.0, (name, value)
        elif kind == "dose_share":
            assert 0.0 <= value <= 0.17, (
                name,
                value,
            )  # national coverage x the 17% at full coverage
        elif kind in ("dose_growth", "dose_spread"):
            assert 0.0 <= value <= SPREAD_CAP, (name, value)
        elif kind == "job_leaving":
            assert 0.05 < value < 0.4, (name, value)
        else:  # programme gains, mDKK: at most every municipal SOSU hour freed
            assert -5_000 < value < 50_000, (name, value)
    # use implies engagement; the cumulative reading adds up the yearly ones
    assert stats["wash_toilets_in_use_2015"] <= stats["wash_toilets_trial_or_use_2015"]
    assert stats["programme_gains_2016_cumulative"] == pytest.approx(
        stats["programme_gains_2015_cumulative"] + stats["programme_gains_2016"]
    )
    ratio = stats["dose_packed_2024"] / stats["dose_packed_2021"]
    assert stats["dose_packed_growth_2021_2024"] == pytest.approx(min(ratio, SPREAD_CAP))


def test_same_seed_same_statistics(small_history, small_statistics):
    assert history_statistics(small_history, 3) == small_statistics


def test_the_programme_moves_what_it_should(small_history):
    """Without the welfare-technology programme wash toilets spread more slowly and the programme's
    archetypes free fewer hours (paired seeds)."""
    raw = tomllib.loads(HISTORY_SCENARIO.read_text(encoding="utf-8"))
    raw["programmes"] = [
        p for p in raw["programmes"] if p["name"] != "welfare_technology_2014_2016"
    ]
    for key, value in SMALL_WORLD.items():
        section, name = key.split(".")
        raw[section][name] = value
    without = sim.Scenario(raw, source="history without the programme")
    seeds = range(4)
    with_programme = [history_statistics(small_history, s) for s in seeds]
    no_programme = [history_statistics(without, s) for s in seeds]
    for name in ("wash_toilets_in_use_2016", "programme_gains_2016"):
        assert np.mean([r[name] for r in with_programme]) > np.mean([r[name] for r in no_programme])


def test_a_scenario_outside_the_period_is_refused():
    baseline = sim.load_scenario(REPO / "scenarios" / "baseline.toml")
    with pytest.raises(ValueError, match=r"time.start_year <= 2013"):
        history_statistics(baseline, 1)


def test_months_and_decile_ratio():
    assert month_of(2015.46, 2012) == 41  # June 2015
    assert month_of(2024.21, 2012) == 146  # March 2024
    assert month_of(2012.0, 2012) == 0
    values = np.r_[np.full(10, 0.02), np.full(80, 0.2), np.full(10, 0.22)]
    assert decile_ratio(values) == pytest.approx(11.0)
    assert decile_ratio(np.r_[np.zeros(10), np.ones(90)]) == SPREAD_CAP


def test_history_scenario_and_calibration_file_are_valid():
    scenario = sim.load_scenario(HISTORY_SCENARIO)
    assert (scenario.time.start_year, scenario.time.end_year) == (2012, 2024)
    names = [p.name for p in scenario.programmes]
    assert names == ["welfare_technology_2014_2016", "copd_telemonitoring"]
    programme = scenario.programmes[0].schedules()["spread_workflows"]
    assert (programme.start_year, programme.end_year) == (2014, 2016)
    launch = scenario.programmes[1].schedules()["spread_workflows"]
    assert (launch.start_year, launch.start_month) == (2023, 11)
    spec = load_calibration(HISTORY_FILE)
    roles = {t.name: t.role for t in spec.targets}
    assert roles["dose_packed_2024"] == roles["dose_packed_spread_2024"] == "held_out"
    assert roles["wash_toilets_in_use_2016"] == "fitted"
    assert roles["wash_toilets_trial_or_use_2015"] == "check"
    assert 5 <= len(spec.priors) <= 11
    from sim.scenario import calibration_defaults

    for prior in spec.priors:
        entry = calibration_defaults()[prior.key.removeprefix("calibration.")]
        assert prior.low < entry["value"] < prior.high, prior.key


def test_reduced_historical_calibration_end_to_end(tmp_path, small_history):
    """The shipped file's priors and targets, a small population and two generations on the small world;
    the shipped posterior then drives an experiment of the historical mode."""
    data = tomllib.loads(HISTORY_FILE.read_text(encoding="utf-8"))
    data["calibration"].update(
        name="history_reduced",
        base_scenario=str(HISTORY_SCENARIO),
        population_size=6,
        generations=2,
        replications=1,
        predictive_draws=4,
        max_total_runs=200,
    )
    data["calibration"].pop("staff_scale")
    data["overrides"] = dict(SMALL_WORLD)
    data["targets"]["file"] = str(REPO / "sim" / "data" / "history_targets.toml")
    result = run_calibration(data, out=tmp_path / "cal", workers=1, **QUIET)
    keys = [p for p in data["priors"]]
    assert len(result.posterior) == 6 and list(result.posterior[keys].columns) == keys
    table = result.targets_vs_model
    assert set(table["role"]) == {"fitted", "held_out", "check"}
    assert table["model_p50"].notna().all()
    posterior = pd.read_parquet(tmp_path / "cal" / "posterior.parquet")
    shipped = ship_posterior(tmp_path / "cal" / "posterior.parquet", tmp_path / "posterior.parquet")
    overrides = "".join(f'"{k}" = {v!r}\n'.replace("'", '"') for k, v in SMALL_WORLD.items())
    experiment = tmp_path / "exp.toml"
    experiment.write_text(
        f'[experiment]\nname = "e"\nmodel = "opisim_history"\nbase_scenario = "{HISTORY_SCENARIO}"\n'
        f'replications = 2\nmaster_seed = 3\n[design]\nkind = "grid"\n'
        f'[design.grid]\n"levers.risk_budget" = [0.1]\n[overrides]\n{overrides}'
    )
    runs = run_experiment(
        experiment, out=tmp_path / "exp", workers=1, posterior=shipped, progress=False, **QUIET
    )
    assert runs["status"].eq("ok").all()
    row = runs.iloc[0]
    drawn = {k: float(posterior.at[row.posterior_draw, k]) for k in keys}
    again = history_statistics(
        small_history.with_overrides({**drawn, "levers.risk_budget": 0.1}), int(row.seed)
    )
    assert row.wash_toilets_in_use_2016 == again["wash_toilets_in_use_2016"]
