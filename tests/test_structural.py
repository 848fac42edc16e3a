"""The calibrated posterior as structural uncertainty of experiments and sensitivity designs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

import sim.calibration.posterior as posterior_module
from sim.errors import ExperimentError
from sim.experiments import plan_experiment, register_model, run_experiment
from sim.experiments.models import ModelAdapter, scenario_for_run
from sim.scenario import calibration_defaults

Q = "calibration.innovation.bass_q_year"
P = "calibration.innovation.bass_p_year"
QUIET = {"progress": False, "log": lambda line: None}


def evaluate_echo(base, params, seed, keep_timeseries):
    """Returns the coefficients the run's scenario holds, so a test can see what each run used."""
    scenario = scenario_for_run(base, params)
    return {
        "bass_q": scenario.param("innovation.bass_q_year"),
        "bass_p": scenario.param("innovation.bass_p_year"),
        "seed_mod": float(seed % 1000),
    }, None


register_model(
    "echo_calibration", ModelAdapter("echo_calibration", evaluate_echo, uses_scenario=True)
)


@pytest.fixture
def posterior_file(tmp_path) -> Path:
    frame = pd.DataFrame(
        {
            "generation": 3,
            "particle": range(4),
            "weight": [0.1, 0.2, 0.3, 0.4],
            "distance": [0.5, 0.4, 0.3, 0.2],
            Q: [0.5, 0.7, 0.9, 1.1],
            P: [0.01, 0.02, 0.03, 0.04],
        }
    )
    path = tmp_path / "posterior.parquet"
    frame.to_parquet(path)
    return path


def write_experiment(tmp_path: Path, extra: str = "", overrides: str = "") -> Path:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir(exist_ok=True)
    world = '[world]\nkind = "synthetic"\nn_hospitals = 2\nn_municipalities = 4\n'
    (scenarios / "a.toml").write_text(f'[meta]\nname = "a"\n{world}')
    (scenarios / "b.toml").write_text(
        f'[meta]\nname = "b"\n{world}[calibration]\n"innovation.bass_p_year" = 0.05\n'
    )
    path = tmp_path / "exp.toml"
    path.write_text(
        textwrap.dedent(
            f"""
            [experiment]
            name = "echo"
            model = "echo_calibration"
            replications = 3
            master_seed = 99
            {extra}
            {overrides}
            [design]
            kind = "scenarios"
            scenarios = ["scenarios/a.toml", "scenarios/b.toml"]
            """
        )
    )
    return path


def test_replication_r_takes_the_same_posterior_draw_in_every_scenario(tmp_path, posterior_file):
    exp = write_experiment(tmp_path)
    runs = run_experiment(exp, out=tmp_path / "out", workers=1, posterior=posterior_file, **QUIET)
    post = pd.read_parquet(posterior_file)
    assert "posterior_draw" in runs.columns
    by_rep = runs.pivot(index="replication", columns="label", values="posterior_draw")
    assert (by_rep["a"] == by_rep["b"]).all()  # common random numbers across scenarios
    for row in runs.itertuples():
        assert row.bass_q == post.at[row.posterior_draw, Q]
    # scenario b sets bass_p itself: its own value wins over the draw; a takes the draw
    assert (runs.loc[runs["label"] == "b", "bass_p"] == 0.05).all()
    a = runs[runs["label"] == "a"]
    assert (a["bass_p"].to_numpy() == post.loc[a["posterior_draw"], P].to_numpy()).all()
    manifest = (tmp_path / "out" / "manifest.json").read_text()
    assert '"mode": "posterior"' in manifest and "posterior_sha256" in manifest
    again = run_experiment(
        exp, out=tmp_path / "again", workers=2, posterior=posterior_file, **QUIET
    )
    pd.testing.assert_frame_equal(runs.drop(columns="run_time_s"), again.drop(columns="run_time_s"))


def test_structural_none_uses_the_point_values(tmp_path, posterior_file):
    exp = write_experiment(tmp_path, extra='structural = "none"')
    runs = run_experiment(exp, out=tmp_path / "out", workers=1, posterior=posterior_file, **QUIET)
    assert "posterior_draw" not in runs.columns
    assert (runs["bass_q"] == calibration_defaults()["innovation.bass_q_year"]["value"]).all()
    on = run_experiment(
        exp,
        out=tmp_path / "on",
        workers=1,
        posterior=posterior_file,
        structural="posterior",
        **QUIET,
    )
    assert on["bass_q"].nunique() > 1  # the argument (CLI --structural) overrides the file


def test_experiment_overrides_keep_their_value(tmp_path, posterior_file):
    exp = write_experiment(tmp_path, overrides=f'[overrides]\n"{Q}" = 1.7\n')
    runs = run_experiment(exp, out=tmp_path / "out", workers=1, posterior=posterior_file, **QUIET)
    assert (runs["bass_q"] == 1.7).all()
    assert runs["bass_p"].nunique() > 1


def test_posterior_asked_but_missing_is_an_input_error(tmp_path):
    exp = write_experiment(tmp_path, extra='structural = "posterior"')
    with pytest.raises(ExperimentError, match="structural' = 'posterior'"):
        plan_experiment(exp, posterior=tmp_path / "nowhere.parquet")
    plan = plan_experiment(exp, structural="auto", posterior=tmp_path / "nowhere.parquet")
    assert plan.structural.mode == "none" and not plan.draws


def test_sensitivity_design_takes_structural_coefficients_as_factors(
    tmp_path, posterior_file, monkeypatch
):
    from sim.analysis.designs import parse_factors

    monkeypatch.setattr(posterior_module, "shipped_path", lambda: posterior_file)
    factors = parse_factors({"structural": "all"}, "s.toml", "echo_calibration")
    assert [f.name for f in factors] == [Q, P]
    assert all(f.kind == "structural" for f in factors)
    q = factors[0]
    assert 0.5 <= q.low < q.high <= 1.1
    with pytest.raises(ExperimentError, match="names unknown"):
        parse_factors(
            {"structural": ["calibration.innovation.adoption_bias"]}, "s.toml", "echo_calibration"
        )


def test_structural_all_leaves_out_the_history_only_coefficients(
    tmp_path, posterior_file, monkeypatch
):
    """A coefficient of the historical starting state is no factor of "all" (a run from 2025 does not
    read it) and no dimension of scenario discovery, but a list may name it."""
    from sim.analysis.designs import parse_factors
    from sim.experiments.futures import future_dimensions

    history = "calibration.history.transfer_aids_practice_gap"
    frame = pd.read_parquet(posterior_file).assign(**{history: [0.3, 0.5, 0.7, 0.9]})
    path = tmp_path / "with_history.parquet"
    frame.to_parquet(path)
    monkeypatch.setattr(posterior_module, "shipped_path", lambda: path)
    assert [f.name for f in parse_factors({"structural": "all"}, "s.toml", "echo_calibration")] == [
        Q,
        P,
    ]
    named = parse_factors({"structural": [history]}, "s.toml", "echo_calibration")
    assert [f.name for f in named] == [history]
    assert future_dimensions(["label", Q, history, "uncertainties.effect_size"]) == [
        Q,
        "uncertainties.effect_size",
    ]
