"""The historical calibration's files and its model plug-in ``opisim_history``.

The historical mode itself (``sim.model.history.history_statistics``) comes with the new adoption layer;
until then these tests stand a toy in for it (the Bass diffusion of ``sim.calibration.toy`` driven by the
scenario's calibration constants), so the path scenario -> plug-in -> calibration -> shipped posterior ->
experiment is exercised end to end.
"""

from __future__ import annotations

import sys
import tomllib
import types
from pathlib import Path

import pandas as pd
import pytest

from sim.calibration import run_calibration
from sim.calibration.posterior import ship_posterior
from sim.calibration.spec import flatten_prior_keys, parse_prior, parse_targets
from sim.calibration.toy import simulate_bass
from sim.experiments import run_experiment
from sim.experiments.models import evaluate_opisim_history, get_model

REPO = Path(__file__).resolve().parents[1]
HISTORY_FILE = REPO / "experiments" / "calibrate_history.toml"
QUIET = {"log": lambda line: None}


def toy_history_statistics(scenario, seed: int) -> dict[str, float]:
    """A stand-in for the historical mode: the toy diffusion with the scenario's Bass coefficients."""
    return simulate_bass(
        scenario.param("innovation.bass_p_year"),
        scenario.param("innovation.bass_q_year"),
        scenario.param("innovation.abandon_base_year"),
        seed,
    )


@pytest.fixture
def toy_history(monkeypatch):
    module = types.ModuleType("sim.model.history")
    module.history_statistics = toy_history_statistics
    monkeypatch.setitem(sys.modules, "sim.model.history", module)
    return module


def test_plugin_without_historical_mode_says_what_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "sim.model.history", types.ModuleType("sim.model.history"))
    with pytest.raises(RuntimeError, match=r"needs sim\.model\.history\.history_statistics"):
        evaluate_opisim_history(
            None, {"scenario": str(REPO / "scenarios" / "baseline.toml")}, 1, False
        )


def test_history_calibration_file_priors_and_targets_are_valid():
    data = tomllib.loads(HISTORY_FILE.read_text(encoding="utf-8"))
    assert data["calibration"]["model"] == "opisim_history"
    assert get_model("opisim_history").uses_scenario
    priors = [
        parse_prior(key, value, "opisim_history", str(HISTORY_FILE))
        for key, value in flatten_prior_keys(data["priors"]).items()
    ]
    assert "calibration.innovation.bass_q_year" in [p.key for p in priors]
    targets, _, _ = parse_targets(data["targets"], str(HISTORY_FILE), HISTORY_FILE.parent)
    held = [t.name for t in targets if not t.fitted]
    assert held == ["dose_packed_75plus_2024", "dose_packed_decile_ratio_2024"]
    assert all(t.source for t in targets)
    scenario = tomllib.loads(
        (REPO / "scenarios" / "history" / "history_2012_2024.toml").read_text(encoding="utf-8")
    )
    assert (scenario["time"]["start_year"], scenario["time"]["end_year"]) == (2012, 2024)
    names = [p["name"] for p in scenario["programmes"]]
    assert names == ["welfare_technology_2014_2016", "copd_telemonitoring"]
    programme = scenario["programmes"][0]["levers"]["spread_workflows"]
    assert (programme["start_year"], programme["end_year"]) == (2014, 2016)


def test_history_plugin_calibrates_and_its_posterior_drives_experiments(tmp_path, toy_history):
    baseline = REPO / "scenarios" / "baseline.toml"
    data = {
        "calibration": {
            "name": "history_toy",
            "model": "opisim_history",
            "base_scenario": str(baseline),
            "master_seed": 5,
            "population_size": 30,
            "generations": 3,
            "replications": 2,
            "predictive_draws": 10,
        },
        "priors": {
            "calibration.innovation.bass_p_year": {
                "distribution": "loguniform",
                "low": 0.002,
                "high": 0.2,
            },
            "calibration.innovation.bass_q_year": {
                "distribution": "uniform",
                "low": 0.0,
                "high": 3.0,
            },
            "calibration.innovation.abandon_base_year": {
                "distribution": "uniform",
                "low": 0.0,
                "high": 0.3,
            },
        },
        "targets": {
            "in_use_2016": {"observed": 0.4465, "sd": 0.1563, "source": "toy"},
            "in_use_2020": {"observed": 0.7556, "sd": 0.0564, "source": "toy"},
            "ever_used_2024": {"observed": 0.9928, "sd": 0.0121, "source": "toy"},
            "held_out": ["in_use_2020"],
        },
    }
    result = run_calibration(data, out=tmp_path / "cal", workers=1, **QUIET)
    keys = list(data["priors"])
    assert list(result.posterior[keys].columns) == keys and len(result.posterior) == 30
    posterior = pd.read_parquet(tmp_path / "cal" / "posterior.parquet")
    assert [c for c in posterior.columns if c.startswith("calibration.")] == keys
    shipped = ship_posterior(tmp_path / "cal" / "posterior.parquet", tmp_path / "posterior.parquet")
    experiment = tmp_path / "exp.toml"
    experiment.write_text(
        f'[experiment]\nname = "e"\nmodel = "opisim_history"\nbase_scenario = "{baseline}"\n'
        f'replications = 4\nmaster_seed = 3\n[design]\nkind = "grid"\n'
        f'[design.grid]\n"levers.risk_budget" = [0.1, 0.5]\n'
    )
    runs = run_experiment(
        experiment, out=tmp_path / "exp", workers=1, posterior=shipped, progress=False, **QUIET
    )
    assert runs["status"].eq("ok").all()
    for row in runs.itertuples():
        p, q, a = (posterior.at[row.posterior_draw, k] for k in keys)
        assert row.ever_used_2024 == simulate_bass(p, q, a, row.seed)["ever_used_2024"]
