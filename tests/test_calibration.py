"""Tests of the calibration machinery (sim/calibration): files, determinism, resume, recovery, posterior.

The machinery is validated on the ``toy_bass`` model plug-in (a stochastic Bass diffusion with known
parameters), through the same API and CLI path the historical calibration uses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration import run_calibration
from sim.calibration.posterior import (
    draw_structural,
    load_posterior,
    ship_posterior,
    weighted_indices,
)
from sim.calibration.spec import load_calibration, spec_from_dict
from sim.calibration.toy import STATISTICS, TRUE_PARAMETERS, expected_statistics
from sim.errors import CalibrationError

REPO = Path(__file__).resolve().parents[1]
TOY_FILE = REPO / "experiments" / "calibrate_toy.toml"
QUIET = {"log": lambda line: None}


def toy_data(**settings) -> dict:
    """The shipped toy calibration with some [calibration] settings replaced."""
    data = tomllib.loads(TOY_FILE.read_text(encoding="utf-8"))
    data["calibration"].update(settings)
    return data


def small_toy(**settings) -> dict:
    """A quick toy calibration (a few seconds inline)."""
    base = {
        "population_size": 40,
        "generations": 3,
        "replications": 2,
        "predictive_draws": 20,
    }
    return toy_data(**{**base, **settings})


def write_toml(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


# ---------------------------------------------------------------------------------------------------
# calibration files


BAD_INPUTS = {
    "unknown_key": (
        "population_size = 10\ngenerations = 2\ncolour = 'red'\n",
        "unknown key 'calibration.colour'",
    ),
    "prior_outside_range": (
        "population_size = 10\ngenerations = 2\n",
        "outside the parameter's allowed range",
    ),
    "missing_target": (
        "population_size = 10\ngenerations = 2\n",
        "names target 'in_use_2030', which is not defined",
    ),
}


def _bad_file(tmp_path: Path, case: str) -> Path:
    settings, _ = BAD_INPUTS[case]
    high = 0.9 if case == "prior_outside_range" else 0.4
    held = '"in_use_2030"' if case == "missing_target" else '"in_use_2016"'
    text = (
        f'[calibration]\nname = "bad"\nmodel = "toy_bass"\nmaster_seed = 1\n{settings}'
        f'[priors]\np = {{ distribution = "uniform", low = 0.0, high = {high} }}\n'
        f"[targets]\nheld_out = [{held}]\n"
        '[targets.in_use_2014]\nobserved = 0.2\nsd = 0.1\nsource = "test"\n'
        '[targets.in_use_2016]\nobserved = 0.4\nsd = 0.1\nsource = "test"\n'
    )
    return write_toml(tmp_path / f"{case}.toml", text)


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_calibration_file_is_one_line_and_exit_2(tmp_path, case):
    path = _bad_file(tmp_path, case)
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "calibrate", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0] and BAD_INPUTS[case][1] in lines[0], lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()  # stopped before anything ran


def test_calibration_keys_are_checked_against_calibration_toml(tmp_path):
    base = {
        "calibration": {
            "name": "c",
            "model": "opisim",
            "base_scenario": str(REPO / "scenarios" / "baseline.toml"),
            "master_seed": 1,
            "population_size": 10,
            "generations": 2,
        },
        "targets": {"fte_freed_2030": {"observed": 1.0, "sd": 1.0, "source": "test"}},
    }
    ok = {
        **base,
        "priors": {
            "calibration.innovation.bass_q_year": {
                "distribution": "uniform",
                "low": 0.1,
                "high": 2.0,
            },
            "uncertainties.effect_size": {
                "distribution": "normal",
                "mean": 1.0,
                "sd": 0.2,
                "low": 0.6,
                "high": 1.4,
            },
        },
    }
    spec = spec_from_dict(ok, origin="ok.toml")
    assert spec.parameter_names == [
        "calibration.innovation.bass_q_year",
        "uncertainties.effect_size",
    ]
    too_wide = {
        **base,
        "priors": {
            "calibration.innovation.bass_q_year": {"distribution": "uniform", "low": 0, "high": 6}
        },
    }
    with pytest.raises(CalibrationError, match=r"allowed: within \[0, 5\]"):
        spec_from_dict(too_wide, origin="wide.toml")
    unknown = {
        **base,
        "priors": {
            "calibration.innovation.bass_r": {"distribution": "uniform", "low": 0, "high": 1}
        },
    }
    with pytest.raises(CalibrationError, match="unknown calibration constant 'innovation.bass_r'"):
        spec_from_dict(unknown, origin="unknown.toml")
    lever = {
        **base,
        "priors": {"levers.risk_budget": {"distribution": "uniform", "low": 0, "high": 1}},
    }
    with pytest.raises(CalibrationError, match="cannot be calibrated"):
        spec_from_dict(lever, origin="lever.toml")


def test_targets_from_a_targets_file(tmp_path):
    write_toml(
        tmp_path / "targets.toml",
        '[screen_visits_2018]\nvalue = 0.49\nsd = 0.05\nsources = ["D12", "D13"]\nunit = "share"\n'
        '[wash_toilets_2016]\nvalue = 0.58\ntolerance = 0.05\nsource = "D7"\n'
        '[dose_packed_2024]\nvalue = 0.046\nsd = 0.005\nsource = "D20"\n',
    )
    data = {
        "calibration": {
            "name": "t",
            "model": "toy_bass",
            "master_seed": 1,
            "population_size": 10,
            "generations": 2,
        },
        "priors": {"p": {"distribution": "uniform", "low": 0.0, "high": 0.3}},
        "targets": {
            "file": "targets.toml",
            "use": ["screen_visits_2018", "wash_toilets_2016"],
            "held_out": ["dose_packed_2024"],
        },
    }
    from sim.calibration.spec import parse_targets

    targets, path, sha = parse_targets(data["targets"], "t.toml", tmp_path)
    assert [t.name for t in targets] == [
        "screen_visits_2018",
        "wash_toilets_2016",
        "dose_packed_2024",
    ]
    assert [t.fitted for t in targets] == [True, True, False]
    assert targets[0].source == "D12, D13" and targets[1].scale_kind == "tolerance"
    assert path == tmp_path / "targets.toml" and len(sha) == 64
    data["targets"]["use"] = ["screen_visits_2019"]
    with pytest.raises(CalibrationError, match="names target 'screen_visits_2019'"):
        parse_targets(data["targets"], "t.toml", tmp_path)


def test_interval_and_check_targets(tmp_path):
    """An interval target is met anywhere inside its band (distance 0), and grows by half-widths
    outside it; a check is reported but never fitted; bad intervals and double roles are refused."""
    from sim.calibration import smc
    from sim.calibration.spec import parse_targets

    write_toml(
        tmp_path / "targets.toml",
        '[a]\nvalue = 0.49\ninterval = [0.2, 0.52]\nsource = "D31"\n'
        '[b]\nvalue = 1.0\nsd = 0.5\nsource = "D1"\n'
        '[c]\nvalue = 0.84\ninterval = [0.8, 0.96]\nsource = "D6"\n',
    )
    table = {"file": "targets.toml", "use": ["a", "b"], "checks": ["c"]}
    targets, _, _ = parse_targets(table, "t.toml", tmp_path)
    a, b, c = targets
    assert (a.role, b.role, c.role) == ("fitted", "fitted", "check") and not c.fitted
    assert a.band == (0.2, 0.52) and a.scale == pytest.approx(0.16) and a.scale_kind == "interval"
    assert b.band == (1.0, 1.0) and b.interval is None
    distance = smc.make_distance(
        ["a", "b"], np.array([0.2, 1.0]), np.array([0.16, 0.5]), "mean_statistics",
        high=np.array([0.52, 1.0]),
    )  # fmt: skip
    inside = {"a": np.array([0.25, 0.45]), "b": np.array([1.0, 1.0])}
    assert distance(inside, {}) == 0.0
    above = {"a": np.array([0.6, 0.6]), "b": np.array([1.5, 1.5])}  # 0.5 and 1 scale units off
    assert distance(above, {}) == pytest.approx(np.sqrt((0.5**2 + 1.0**2) / 2))
    for bad, message in (
        ([0.6, 0.5], r"low < high"),
        ([0.6, 0.9], r"does not contain the observed value"),
    ):
        write_toml(tmp_path / "bad.toml", f'[a]\nvalue = 0.49\ninterval = {bad}\nsource = "D31"\n')
        with pytest.raises(CalibrationError, match=message):
            parse_targets({"file": "bad.toml"}, "t.toml", tmp_path)
    with pytest.raises(CalibrationError, match="in both 'targets.held_out' and 'targets.checks'"):
        parse_targets({**table, "held_out": ["c"]}, "t.toml", tmp_path)


def test_shipped_toy_targets_are_the_toy_means():
    spec = load_calibration(TOY_FILE)
    expected = expected_statistics()
    assert {t.name for t in spec.targets} == set(STATISTICS)
    for target in spec.targets:
        assert target.observed == expected[target.name], target.name


# ---------------------------------------------------------------------------------------------------
# determinism and resume


def test_same_seed_same_posterior_on_one_or_two_workers(tmp_path):
    data = small_toy()
    one = run_calibration(data, out=tmp_path / "one", workers=1, **QUIET)
    two = run_calibration(data, out=tmp_path / "two", workers=2, **QUIET)
    pd.testing.assert_frame_equal(one.posterior, two.posterior)
    runs_one = pd.read_parquet(tmp_path / "one" / "runs.parquet").drop(columns="run_time_s")
    runs_two = pd.read_parquet(tmp_path / "two" / "runs.parquet").drop(columns="run_time_s")
    pd.testing.assert_frame_equal(runs_one, runs_two)
    pd.testing.assert_frame_equal(one.targets_vs_model, two.targets_vs_model)
    assert one.manifest["generations"] == two.manifest["generations"]
    other = run_calibration(small_toy(master_seed=7), out=tmp_path / "other", workers=1, **QUIET)
    assert not np.allclose(other.posterior["q"].to_numpy(), one.posterior["q"].to_numpy())


def test_numpy_global_generator_is_left_as_it_was(tmp_path):
    np.random.seed(123)
    expected = np.random.random(3)
    np.random.seed(123)
    run_calibration(small_toy(generations=2), out=tmp_path / "c", workers=1, **QUIET)
    assert np.array_equal(np.random.random(3), expected)


def test_interrupted_calibration_resumes_to_the_same_result(tmp_path):
    data = small_toy(generations=4)
    full = run_calibration(data, out=tmp_path / "full", workers=1, **QUIET)

    def interrupt_in_generation_2(line: str) -> None:
        if line.startswith("generation 2:"):  # after a batch of generation 2, before it is stored
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_calibration(data, out=tmp_path / "cut", workers=1, log=interrupt_in_generation_2)
    manifest = json.loads((tmp_path / "cut" / "manifest.json").read_text())
    assert manifest["status"] == "running"
    with pytest.raises(CalibrationError, match="already holds calibration results"):
        run_calibration(data, out=tmp_path / "cut", workers=1, **QUIET)
    resumed = run_calibration(data, out=tmp_path / "cut", workers=2, resume=True, **QUIET)
    assert resumed.manifest["runs"]["reused_from_store"] > 0  # generation 2's runs were not redone
    pd.testing.assert_frame_equal(full.posterior, resumed.posterior)
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "full" / "runs.parquet").drop(columns="run_time_s"),
        pd.read_parquet(tmp_path / "cut" / "runs.parquet").drop(columns="run_time_s"),
    )
    changed = small_toy(generations=4, replications=3)
    with pytest.raises(CalibrationError, match="different calibration"):
        run_calibration(changed, out=tmp_path / "cut", workers=1, resume=True, **QUIET)


def test_more_generations_continue_a_finished_calibration(tmp_path):
    full = run_calibration(small_toy(generations=3), out=tmp_path / "a", workers=1, **QUIET)
    run_calibration(small_toy(generations=2), out=tmp_path / "b", workers=1, **QUIET)
    extended = run_calibration(
        small_toy(generations=3), out=tmp_path / "b", workers=1, resume=True, **QUIET
    )
    pd.testing.assert_frame_equal(full.posterior, extended.posterior)


# ---------------------------------------------------------------------------------------------------
# recovery of known parameters


def _recovery(intervals: pd.DataFrame, prior_widths: dict[str, float]) -> None:
    intervals = intervals.set_index("parameter")
    for name, true in TRUE_PARAMETERS.items():
        lo, hi = intervals.at[name, "p05"], intervals.at[name, "p95"]
        assert lo <= true <= hi, f"{name}: true {true} outside its 90% interval [{lo}, {hi}]"
    # the data must teach something: the posterior is narrower than the prior where it is identified
    assert intervals.at["abandon", "width_share"] < prior_widths["abandon"]
    assert intervals.at["p", "width_share"] < prior_widths["p"]


def test_toy_calibration_recovers_known_parameters_through_the_cli(tmp_path):
    from sim.cli import main

    text = TOY_FILE.read_text(encoding="utf-8")
    reduced = {"population_size": 100, "generations": 5, "replications": 2, "predictive_draws": 100}
    for key, value in reduced.items():
        lines = [
            f"{key} = {value}" if ln.startswith(f"{key} =") else ln for ln in text.splitlines()
        ]
        text = "\n".join(lines) + "\n"
    path = write_toml(tmp_path / "calibrate_toy.toml", text)
    assert {k: tomllib.loads(text)["calibration"][k] for k in reduced} == reduced
    code = main(
        ["calibrate", str(path), "--out", str(tmp_path / "toy"), "--workers", "1", "--no-progress"]
    )
    assert code == 0
    _recovery(pd.read_csv(tmp_path / "toy" / "posterior_intervals.csv"), {"abandon": 0.4, "p": 0.6})
    targets = pd.read_csv(tmp_path / "toy" / "targets_vs_model.csv")
    assert targets["covered"].all(), targets
    manifest = json.loads((tmp_path / "toy" / "manifest.json").read_text())
    assert manifest["kind"] == "calibration" and manifest["status"] == "complete"
    assert manifest["rerun"].startswith("opisim calibrate ")
    assert manifest["versions"]["pyabc"]
    posterior = pd.read_parquet(tmp_path / "toy" / "posterior.parquet")
    assert len(posterior) == 100 and abs(posterior["weight"].sum() - 1) < 1e-9
    assert set(posterior["generation"]) == {4}
    import pyabc

    history = pyabc.History(f"sqlite:///{tmp_path / 'toy' / 'abc.db'}")
    assert history.max_t == 4


@pytest.mark.slow
def test_shipped_toy_calibration_recovers_known_parameters(tmp_path):
    spec = load_calibration(TOY_FILE)
    result = run_calibration(spec, out=tmp_path / "toy", workers=2, **QUIET)
    _recovery(result.intervals, {"abandon": 0.3, "p": 0.4})
    assert result.targets_vs_model["covered"].all()


# ---------------------------------------------------------------------------------------------------
# the posterior as structural uncertainty


def test_weighted_indices_are_prefix_stable_and_follow_the_weights():
    w = np.array([0.1, 0.0, 0.6, 0.3])
    many = weighted_indices(w, 20000, seed=5)
    assert np.array_equal(weighted_indices(w, 7, seed=5), many[:7])
    counts = np.bincount(many, minlength=4) / len(many)
    assert counts[1] == 0
    assert np.allclose(counts, w, atol=0.015)
    assert not np.array_equal(weighted_indices(w, 50, seed=6), many[:50])
    with pytest.raises(ValueError):
        weighted_indices(np.array([0.0, 0.0]), 3, seed=1)


def test_draw_structural_resamples_a_shipped_posterior(tmp_path):
    result = run_calibration(small_toy(generations=2), out=tmp_path / "c", workers=1, **QUIET)
    shipped = ship_posterior(
        tmp_path / "c" / "posterior.parquet", tmp_path / "data" / "post.parquet"
    )
    frame = load_posterior(shipped)
    assert len(frame.attrs["sha256"]) == 64
    draws = draw_structural(30, seed=11, path=shipped)
    assert list(draws.columns) == ["p", "q", "abandon"]
    assert draws.index.name == "posterior_draw"
    for row, values in draws.iterrows():
        assert values.to_dict() == {k: result.posterior.at[row, k] for k in ("p", "q", "abandon")}
    assert draws.equals(draw_structural(30, seed=11, path=shipped))
    assert draw_structural(10, seed=11, path=shipped).equals(draws.iloc[:10])


def test_calibration_figures_and_report_in_both_languages(tmp_path):
    from sim.plotting.figures import figures_for
    from sim.plotting.report import build_report

    run_calibration(small_toy(generations=2), out=tmp_path / "c", workers=1, **QUIET)
    assert figures_for("calibration") == ["calibration_targets", "posterior_intervals"]
    for lang in ("en", "da"):
        html_path, md_path = build_report(tmp_path / "c", lang=lang)
        md = md_path.read_text(encoding="utf-8")
        for name in ("calibration_targets", "posterior_intervals"):
            assert (md_path.parent / f"{name}_{lang}.png").stat().st_size > 10_000
        assert ("Posterior intervals" if lang == "en" else "Posteriorintervaller") in md
        assert "in_use_2024" in md and "loguniform(0.002, 0.2)" in md
        assert "opisim calibrate" in md or "run_calibration" in md
