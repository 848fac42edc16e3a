"""Tests of the decision answers: futures, the recommendation analysis, goal seeking, scenario discovery,
one statistic everywhere, the figures and the report section, and the ``recommend`` / ``goal`` CLI.

Real-model tests run a small synthetic world to 2030; the rest use cheap model plug-ins (``toy``,
``goal_toy``) so the statistics can be checked against exact answers.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
import sim.calibration.posterior as posterior_module
from sim.analysis.discovery import describe_boxes, discover
from sim.analysis.goal import goal_text, run_goal
from sim.analysis.recommend import analyse, recommend_text, run_recommend, scenario_members
from sim.analysis.testfunctions import goal_toy_optimum
from sim.calibration.posterior import draw_structural
from sim.cli import main
from sim.errors import CalibrationError, ExperimentError
from sim.experiments import plan_experiment, register_model, run_experiment
from sim.experiments.compare import comparison_table
from sim.experiments.futures import DEFAULT_STRUCTURAL, sample_futures, structural_label
from sim.experiments.models import ModelAdapter, evaluate_toy, scenario_for_run
from sim.experiments.portfolios import lever_overrides, schedules_supported
from sim.experiments.seeds import derive_seed
from sim.levers import LEVERS, PHASE_IN, UNCERTAINTIES
from sim.plotting.figures import make_figure
from sim.plotting.report import build_report, headline_frame
from sim.stats import describe

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "tests" / "data" / "small.toml"
QUIET = {"progress": False, "log": lambda line: None}


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# -- futures ------------------------------------------------------------------------------------------


def test_futures_are_a_seeded_latin_hypercube_within_the_ranges():
    a = sample_futures(20, 5, structural="none")  # the exogenous uncertainties only
    assert a.equals(sample_futures(20, 5, structural="none"))
    assert not a.equals(sample_futures(20, 6, structural="none"))
    assert not a.equals(sample_futures(20, 5, structural="none", stream="validation"))
    assert list(a.columns) == [f"uncertainties.{n}" for n in UNCERTAINTIES]
    for name, row in UNCERTAINTIES.items():
        col = a[f"uncertainties.{name}"]
        assert row.low <= col.min() and col.max() <= row.high
        # Latin hypercube: exactly one future in each of the 20 equal strata of the range
        strata = np.floor((col - row.low) / (row.high - row.low) * 20).astype(int)
        assert sorted(strata) == list(range(20))


def test_futures_structural_hook_adds_calibration_columns():
    def sampler(n: int, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        return pd.DataFrame({"calibration.demand.growth": rng.random(n)})

    f = sample_futures(5, 1, uncertainties=["effect_size"], structural=sampler)
    assert list(f.columns) == ["uncertainties.effect_size", "calibration.demand.growth"]
    assert f.equals(sample_futures(5, 1, uncertainties=["effect_size"], structural=sampler))
    with pytest.raises(ValueError, match="calibration"):
        sample_futures(3, 1, structural=lambda n, s: pd.DataFrame({"x": np.zeros(n)}))
    with pytest.raises(ValueError, match="rows"):
        sample_futures(3, 1, structural=lambda n, s: pd.DataFrame({"calibration.a.b": [1.0]}))


BASS_Q = "calibration.innovation.bass_q_year"
EFFECT = "uncertainties.effect_size"


def _ship_posterior(tmp_path: Path, monkeypatch) -> pd.DataFrame:
    """A small posterior as if shipped to sim/data/posterior.parquet (the shipped path is patched)."""
    frame = pd.DataFrame(
        {
            "generation": 2,
            "particle": range(4),
            "weight": [0.1, 0.2, 0.3, 0.4],
            "distance": 0.1,
            BASS_Q: [0.5, 0.7, 0.9, 1.1],
            EFFECT: [0.8, 0.9, 1.1, 1.2],
        }
    )
    path = tmp_path / "shipped" / "posterior.parquet"
    path.parent.mkdir()
    frame.to_parquet(path)
    monkeypatch.setattr(posterior_module, "shipped_path", lambda: path)
    return frame


def test_futures_take_one_posterior_draw_each_when_the_posterior_is_shipped(tmp_path, monkeypatch):
    monkeypatch.setattr(posterior_module, "shipped_path", lambda: tmp_path / "none.parquet")
    plain = sample_futures(8, 5)  # auto, no posterior: the uncertainties only
    assert list(plain.columns) == [f"uncertainties.{n}" for n in UNCERTAINTIES]
    assert structural_label("auto").startswith("none")
    with pytest.raises(CalibrationError, match="no posterior file"):
        sample_futures(8, 5, structural="posterior")

    post = _ship_posterior(tmp_path, monkeypatch)
    futures = sample_futures(8, 5)  # auto: the shipped posterior, through DEFAULT_STRUCTURAL
    assert DEFAULT_STRUCTURAL is draw_structural
    assert list(futures.columns) == [*plain.columns, BASS_Q]
    # each future's coefficients are one row of the posterior (the effect size from the same row)
    assert set(zip(futures[BASS_Q], futures[EFFECT], strict=True)) <= set(
        zip(post[BASS_Q], post[EFFECT], strict=True)
    )
    assert futures[BASS_Q].nunique() > 1
    assert futures.equals(sample_futures(8, 5))
    assert not futures.equals(sample_futures(8, 5, stream="validation"))
    others = [
        c for c in plain.columns if c != EFFECT
    ]  # the other uncertainties keep their hypercube
    pd.testing.assert_frame_equal(futures[others], plain[others])
    assert sample_futures(8, 5, structural="posterior").equals(futures)
    assert sample_futures(8, 5, structural="none").equals(plain)
    assert "draw_structural" in structural_label("auto") and "sha256" in structural_label("auto")


def test_recommend_futures_follow_the_experiments_structural_setting(tmp_path, monkeypatch):
    """With the posterior shipped, every scenario of a future shares that future's draw and runs draw
    nothing on top; ``--structural none`` (or structural = "none") leaves the coefficients alone, and
    "posterior" without a posterior is refused like in any experiment."""
    path = _recommend_file(
        tmp_path,
        "toy",
        '["risk_budget", "test_access"]',
        'futures = 3\nthemes = false\npairs = "none"',
    )
    monkeypatch.setattr(posterior_module, "shipped_path", lambda: tmp_path / "none.parquet")
    with pytest.raises(ExperimentError, match="experiment.structural"):
        plan_experiment(path, structural="posterior")
    old = _recommend_file(tmp_path / "old", "toy", '["risk_budget"]', 'structural = "default"')
    with pytest.raises(ExperimentError, match=r"'design.structural'.*in \[experiment\]"):
        plan_experiment(old)
    assert BASS_Q not in plan_experiment(path).design

    _ship_posterior(tmp_path, monkeypatch)
    plan = plan_experiment(path)
    assert plan.structural.mode == "posterior" and plan.draws == {}
    assert (plan.design.groupby("seed_key")[BASS_Q].nunique() == 1).all()
    by_future = plan.design.groupby("seed_key")[BASS_Q].first().to_numpy()
    assert (by_future == sample_futures(3, 3)[BASS_Q].to_numpy()).all()  # master_seed 3's futures
    assert BASS_Q not in plan_experiment(path, structural="none").design

    out = tmp_path / "rec"
    assert main(["recommend", str(path), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    assert BASS_Q in runs and "posterior_draw" not in runs
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["structural"]["mode"] == "posterior"
    assert "future f takes draw f" in manifest["structural"]["draws"]
    assert "draw_structural" in json.loads((out / "recommend.json").read_text())["structural"]
    args = ["recommend", str(path), "--out", str(tmp_path / "none"), "--workers", "1"]
    assert main([*args, "--no-progress", "--structural", "none"]) == 0
    assert BASS_Q not in pd.read_parquet(tmp_path / "none" / "runs.parquet")


def test_lever_overrides_validate_and_say_when_start_years_are_dropped(small_scenario):
    values = {name: row.recommended for name, row in LEVERS.items()}
    overrides, notes = lever_overrides(values, {n: 2029 for n in values}, ramp_years=2)
    scenario = small_scenario.with_overrides(overrides)  # valid in either form
    if schedules_supported():
        assert notes == [] and isinstance(overrides["levers.risk_budget"], dict)
    else:
        assert scenario.levers.risk_budget == LEVERS["risk_budget"].recommended
        assert notes and "start years dropped" in notes[0]
    plain, none = lever_overrides(values)
    assert none == [] and isinstance(plain["levers.strategic_partnership_cap"], int)


# -- the recommendation answer -----------------------------------------------------------------------


def _recommend_file(
    root: Path, model: str, levers: str, extra_design: str = "", reps: int = 2
) -> Path:
    return _write(
        root / "rec.toml",
        f"""
        [experiment]
        name = "rec"
        base_scenario = "{SMALL}"
        model = "{model}"
        replications = {reps}
        master_seed = 3

        [design]
        kind = "recommend"
        levers = {levers}
        {extra_design}

        [analysis]
        years = [2030]
        ranking_outcome = "fte_freed_2030"
        target_years = [2030]
        """,
    )


def test_scenarios_follow_the_levers_rows():
    from sim.analysis.recommend import plan_from_tables

    plan = plan_from_tables({"pairs": "none"}, {}, "x")
    scenarios = scenario_members(plan)
    assert scenarios["baseline"] == () and set(scenarios["all_recommendations"]) == set(LEVERS)
    for theme in ("core_task", "citizens", "industry"):
        assert set(scenarios[f"theme_{theme}"]) == {
            n for n, r in LEVERS.items() if r.theme == theme
        }
    # with three themes, a pair of themes is also "all but the third": run once
    assert len(scenarios) == 1 + 14 + 1 + 14 + 3 + 3


def test_recommendations_phase_in_as_the_shipped_scenarios_unless_told_otherwise():
    from sim.analysis.recommend import plan_from_tables

    assert plan_from_tables({}, {}, "x").phase_in == (
        PHASE_IN["start_year"],
        PHASE_IN["ramp_years"],
    )
    assert plan_from_tables({"phase_in": False}, {}, "x").phase_in is None
    custom = {"start_year": 2028, "ramp_years": 0}
    assert plan_from_tables({"phase_in": custom}, {}, "x").phase_in == (2028, 0.0)
    for bad in ({"start_year": 2028}, {"start_year": 1990, "ramp_years": 1}, "soon"):
        with pytest.raises(ExperimentError, match=r"x: key 'design\.phase_in"):
            plan_from_tables({"phase_in": bad}, {}, "x")


def test_alone_effect_matches_a_direct_paired_comparison(tmp_path):
    """The recommend experiment's 'alone' effect equals the paired difference of an experiment that
    compares the two scenarios directly (within Monte Carlo error), and run by run it is exactly the
    difference of two sim.run calls with the same seed."""
    lever = "common_evaluation"
    path = _recommend_file(
        tmp_path,
        "opisim",
        f'["{lever}", "risk_budget"]',
        'futures = 1\nthemes = false\npairs = "none"\nuncertainties = ["effect_size"]',
        reps=20,
    )
    result = run_recommend(path, out=tmp_path / "rec", workers=1, **QUIET)
    alone = result.effects.query(
        "kind == 'alone' and name == @lever and metric == 'fte_freed' and year == 2030"
    ).iloc[0]
    runs = pd.read_parquet(tmp_path / "rec" / "runs.parquet")
    future = float(runs.loc[runs["label"] == "baseline", "uncertainties.effect_size"].iloc[0])
    # the future's draw of the calibrated coefficients (structural = "auto": the shipped posterior)
    baseline_row = runs.loc[runs["label"] == "baseline"].iloc[0]
    coefficients = {c: float(baseline_row[c]) for c in runs.columns if c.startswith("calibration.")}
    assert coefficients  # the posterior ships with the package
    # exact: one paired run by hand
    seed = derive_seed(3, 0, 0)
    base = sim.load_scenario(SMALL).with_overrides(
        {"uncertainties.effect_size": future, **coefficients}
    )
    phased = {"value": LEVERS[lever].recommended, **PHASE_IN}  # as the design phases levers in
    moved = base.with_overrides({f"levers.{lever}": phased})
    by_hand = (
        sim.run(moved, seed=seed).summary["fte_freed_2030"]
        - sim.run(base, seed=seed).summary["fte_freed_2030"]
    )
    mine = runs.set_index(["label", "replication"])["fte_freed_2030"]
    assert mine[(f"lever_{lever}", 0)] - mine[("baseline", 0)] == pytest.approx(by_hand, abs=1e-9)
    # statistical: a scenario-list experiment with other seeds
    scen = tmp_path / "scenarios"
    calibration = "[calibration]\n" + "".join(
        f'"{column.removeprefix("calibration.")}" = {value!r}\n'
        for column, value in coefficients.items()
    )
    _write(
        scen / "a.toml",
        f'[meta]\nname = "a"\n[uncertainties]\neffect_size = {future!r}\n{calibration}',
    )
    _write(
        scen / "b.toml",
        f'[meta]\nname = "b"\n[uncertainties]\neffect_size = {future!r}\n{calibration}'
        f"[levers]\n{lever} = {{ value = {LEVERS[lever].recommended}, "
        f"start_year = {PHASE_IN['start_year']}, ramp_years = {PHASE_IN['ramp_years']} }}\n",
    )
    direct = _write(
        tmp_path / "direct.toml",
        f"""
        [experiment]
        name = "direct"
        base_scenario = "{SMALL}"
        replications = 20
        master_seed = 99
        structural = "none"               # the scenario files carry the future's coefficients

        [overrides]
        "world.kind" = "synthetic"
        "world.n_regions" = 2
        "world.n_hospitals" = 3
        "world.n_municipalities" = 6
        "world.staff_scale" = 0.02
        "time.end_year" = 2030

        [design]
        kind = "scenarios"
        scenarios = ["scenarios/a.toml", "scenarios/b.toml"]
        """,
    )
    run_experiment(direct, out=tmp_path / "direct", workers=1, **QUIET)
    table = comparison_table(tmp_path / "direct", outcomes=["fte_freed_2030"]).set_index("label")
    d_runs = pd.read_parquet(tmp_path / "direct" / "runs.parquet").pivot(
        index="replication", columns="label", values="fte_freed_2030"
    )
    diff = (d_runs["b"] - d_runs["a"]).to_numpy()
    se_direct = diff.std(ddof=1) / math.sqrt(len(diff))
    rec_diff = (
        runs[runs["label"] == f"lever_{lever}"].set_index("replication")["fte_freed_2030"]
        - runs[runs["label"] == "baseline"].set_index("replication")["fte_freed_2030"]
    )
    se_rec = rec_diff.std(ddof=1) / math.sqrt(len(rec_diff))
    assert alone["mean"] == pytest.approx(rec_diff.mean())
    gap = abs(alone["mean"] - table.loc["b", "diff_mean"])
    assert gap <= 3 * math.hypot(se_direct, se_rec) + 1e-9


def _signed_model(base, params, seed, keep_timeseries):
    """The toy model, except that test_access costs labour: a lever with a negative effect."""
    summary, ts = evaluate_toy(base, params, seed, keep_timeseries)
    scenario = scenario_for_run(base, params)
    harm = 3000.0 * (scenario.levers.test_access - LEVERS["test_access"].status_quo)
    for key in ("fte_freed_2030", "fte_freed_2035"):
        summary[key] -= harm
    return summary, ts


def test_ranking_is_signed_and_the_bundle_adds_up(tmp_path):
    register_model("signed_toy", ModelAdapter("signed_toy", _signed_model, uses_scenario=True))
    path = _recommend_file(
        tmp_path,
        "signed_toy",
        '"all"',
        "futures = 6\npair_futures = 2\ndiscovery_futures = 10",
        reps=2,
    )
    result = run_recommend(path, out=tmp_path / "out", workers=1, **QUIET)
    ranking = result.ranking
    assert list(ranking["rank"]) == list(range(1, 15))
    values = ranking["alone_fte_freed_2030"].to_numpy()
    assert (np.diff(values) <= 0).all()  # sorted by the signed effect, largest first
    assert ranking.iloc[-1]["lever"] == "test_access" and values[-1] < 0  # never by |effect|
    assert ranking["p_top3"].sum() == pytest.approx(3.0)
    # the toy is additive: removed == alone, bundle == sum of alone, no interaction
    np.testing.assert_allclose(
        ranking["removed_fte_freed_2030"], ranking["alone_fte_freed_2030"], rtol=1e-9, atol=1e-6
    )
    dec = result.decomposition
    row = dec[dec["futures"] == "all"].iloc[0]
    assert row["residual"] == pytest.approx(0.0, abs=1e-6)
    assert (result.interactions["verdict"] == "none detectable").all()
    assert set(result.interactions["kind"]) == {"levers", "themes"}
    assert len(result.interactions.query("kind == 'levers'")) == 91
    # variance split and Monte Carlo error are reported for every effect
    assert result.effects[["se", "sd_within", "sd_between", "share_between"]].notna().all().all()
    for name in (
        "effects",
        "ranking",
        "themes",
        "interactions",
        "decomposition",
        "scenarios",
        "discovery",
    ):
        assert (tmp_path / "out" / f"{name}.csv").is_file() and (
            tmp_path / "out" / f"{name}.parquet"
        ).is_file()


def test_incremental_cost_ratio_is_a_ratio_of_means(tmp_path):
    def costly(base, params, seed, keep):
        scenario = scenario_for_run(base, params)
        extra = scenario.levers.risk_budget - LEVERS["risk_budget"].status_quo  # 0.4 when moved
        noise = np.random.default_rng(seed).normal(0, 1)
        fte_years = 100.0 + 50.0 * extra / 0.4 + noise  # +50 FTE-years for risk_budget
        cost = 1e9 + 2e8 * extra / 0.4  # +200 mDKK for risk_budget
        return {
            "fte_freed_2030": fte_years,
            "public_cost_dkk_cum_2030": cost,
            "fte_years_freed_cum_2030": fte_years,
        }, None

    register_model("costly_toy", ModelAdapter("costly_toy", costly, uses_scenario=True))
    path = _recommend_file(
        tmp_path, "costly_toy", '["risk_budget", "test_access"]', 'futures = 3\npairs = "none"'
    )
    result = run_recommend(path, out=tmp_path / "out", workers=1, **QUIET)
    row = result.ranking.set_index("lever")
    assert row.loc["risk_budget", "alone_cost_per_fte_year_2030"] == pytest.approx(
        2e8 / 50.0, rel=1e-3
    )
    assert math.isnan(row.loc["test_access", "alone_cost_per_fte_year_2030"])  # frees nothing extra
    assert row.loc["test_access", "alone_cost_note_2030"] in (
        "frees no labour",
        "not distinguishable from zero",
    )


def test_recommend_cli_prints_the_answer_and_refuses_bad_input(tmp_path, capsys):
    path = _recommend_file(
        tmp_path, "toy", '["risk_budget", "test_access", "career_paths"]', "futures = 3"
    )
    out = tmp_path / "out"
    assert main(["recommend", str(path), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "Which recommendations free the most labour" in printed
    assert "removed from all" in printed and "P(top 3)" in printed
    assert main(["results", str(out)]) == 0
    assert "Which recommendations free the most labour" in capsys.readouterr().out
    bad = _recommend_file(tmp_path / "bad", "toy", '["no_such_lever"]')
    assert main(["recommend", str(bad), "--out", str(tmp_path / "b"), "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "design.levers" in err[0] and str(bad) in err[0]


# -- goal seeking --------------------------------------------------------------------------------------


def _goal_file(
    root: Path, target: float = 10000, generations: int = 20, start_years: str = "false"
) -> Path:
    return _write(
        root / "goal.toml",
        f"""
        [experiment]
        name = "goal"
        base_scenario = "{SMALL}"
        model = "goal_toy"
        replications = 1
        master_seed = 7

        [design]
        kind = "goal"
        levers = ["spread_workflows", "common_evaluation", "risk_budget"]
        start_years = {start_years}
        uncertainties = ["effect_size"]
        futures = 16
        targets = [2030]
        target_fte = {target}
        probability = 0.8
        population = 20
        generations = {generations}
        validation_futures = 30
        validate = 4
        """,
    )


def test_goal_seeking_recovers_the_known_optimum_of_the_toy(tmp_path):
    path = _goal_file(tmp_path)  # the toy ignores start years: the search is over the 3 values
    result = run_goal(path, out=tmp_path / "a", workers=1, log=lambda line: None)
    futures = sample_futures(16, 7, uncertainties=["effect_size"])
    seeds = np.array([derive_seed(7, f, 0) for f in range(16)])
    best_values, best_cost = goal_toy_optimum(
        futures["uncertainties.effect_size"].to_numpy(), seeds, 10000.0, 0.8
    )
    c = result.candidates
    feasible = c[c["probability"] >= 0.8].sort_values("cost")
    found = feasible.iloc[0]
    assert found["cost"] <= best_cost * 1.03  # within 3% of the true optimum ...
    assert found["cost"] >= best_cost * (1 - 1e-9)  # ... and never below it (it is the optimum)
    for name, value in best_values.items():
        assert found[f"lever.{name}"] == pytest.approx(value, abs=0.06)
    answer = result.answers.iloc[0]
    assert answer["status"] in ("reached", "not_confirmed")
    assert (tmp_path / "a" / "front.csv").is_file() and "Target 10,000 FTE by 2030" in goal_text(
        tmp_path / "a"
    )
    # resumed from the stored runs, the search replays to the same front (a rerun: next test)
    cols = ["id", "cost", "fte", "probability", "validation_probability"]
    resumed = run_goal(path, out=tmp_path / "a", workers=1, resume=True, log=lambda line: None)
    pd.testing.assert_frame_equal(resumed.front[cols], result.front[cols])


def test_goal_seeking_says_plainly_when_the_target_is_unreachable(tmp_path, capsys):
    path = _goal_file(tmp_path, target=1e6, generations=2, start_years="[2025, 2028]")
    assert main(["goal", str(path), "--out", str(tmp_path / "g"), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "is NOT reached" in printed and "Closest portfolio" in printed
    answers = pd.read_parquet(tmp_path / "g" / "answers.parquet")
    assert answers.iloc[0]["status"] == "unreachable"
    # same file and master seed, run again from scratch: the same front
    assert main(["goal", str(path), "--out", str(tmp_path / "h"), "--workers", "1"]) == 0
    capsys.readouterr()
    cols = ["id", "cost", "fte", "probability", "validation_probability", "portfolio"]
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "h" / "front.parquet")[cols],
        pd.read_parquet(tmp_path / "g" / "front.parquet")[cols],
    )
    assert (
        main(["goal", str(path), "--out", str(tmp_path / "g"), "--workers", "1"]) == 2
    )  # no --resume
    assert "already holds results" in capsys.readouterr().err
    with pytest.raises(ExperimentError, match="opisim goal"):
        run_experiment(path, out=tmp_path / "x", workers=1, **QUIET)


# -- scenario discovery --------------------------------------------------------------------------------


def test_prim_recovers_a_planted_box():
    rng = np.random.default_rng(11)
    x = pd.DataFrame(rng.random((1000, 4)), columns=[f"uncertainties.u{i}" for i in range(4)])
    inside = (x["uncertainties.u0"] < 0.3) & (x["uncertainties.u2"] > 0.6)
    boxes = discover(x, inside.to_numpy(), label="planted")
    first = boxes[boxes["box"] == 1].set_index("dimension")
    assert set(first.index) == {"uncertainties.u0", "uncertainties.u2"}
    assert first["coverage"].iloc[0] > 0.8 and first["density"].iloc[0] > 0.8
    assert first.loc["uncertainties.u0", "high"] == pytest.approx(0.3, abs=0.05)
    assert first.loc["uncertainties.u2", "low"] == pytest.approx(0.6, abs=0.05)
    assert re.search(
        r"planted, box 1: u0 <= 0\.\d+ and u2 >= 0\.\d+ \(coverage", describe_boxes(boxes)
    )
    assert "nothing to discover" in discover(x, np.zeros(1000, bool)).iloc[0]["note"]
    assert "every run" in discover(x, np.ones(1000, bool)).iloc[0]["note"]


# -- one statistic everywhere, figures, report ---------------------------------------------------------


def _fixtures():
    path = Path(__file__).parent / "fixtures" / "results_dirs.py"
    spec = importlib.util.spec_from_file_location("opisim_test_results_dirs_decide", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_one_statistic_in_cli_report_and_figures(tmp_path, capsys):
    directory = _fixtures().write_experiment_dir(tmp_path / "exp", replications=5)
    runs = pd.read_parquet(directory / "runs.parquet")
    # the CLI table
    assert main(["results", str(directory), "--outcome", "fte_freed_2035"]) == 0
    printed = capsys.readouterr().out
    assert "mean and 5-95% over 5 runs" in printed
    cli = comparison_table(directory, outcomes=["fte_freed_2035"]).set_index("label")
    # the report's headline table
    report = headline_frame(directory, "en").set_index("Scenario")
    # the figure's drawn markers (diamonds: 2035) and bands
    fig = make_figure("scenario_comparison", directory)
    ax = fig.subfigs[0].axes[0]
    diamonds = sorted(
        float(line.get_xdata()[0]) for line in ax.get_lines() if line.get_marker() == "D"
    )
    bands = sorted(
        (float(line.get_xdata()[0]), float(line.get_xdata()[1]))
        for line in ax.get_lines()
        if line.get_marker() in ("None", "") and len(line.get_xdata()) == 2
    )
    source = (
        fig.texts[0].get_text()
        if fig.texts
        else " ".join(t.get_text() for sf in fig.subfigs for t in sf.texts)
    )
    assert "mean and 5-95% over 5 runs" in source
    from sim.plotting import labels as L

    for label, group in runs.groupby("label"):
        band = describe(group["fte_freed_2035"])
        assert cli.loc[label, "mean"] == pytest.approx(band.mean)
        assert (cli.loc[label, "p5"], cli.loc[label, "p95"]) == pytest.approx((band.low, band.high))
        cell = report.loc[L.scenario(label, "en"), L.outcome("fte_freed_2035", "en")]
        assert cell.startswith(f"{band.mean:,.0f} ")
        assert f"({band.low:,.0f} – {band.high:,.0f})" in cell.replace("−", "-")
        assert any(d == pytest.approx(band.mean) for d in diamonds)
        assert any(b == pytest.approx((band.low, band.high)) for b in bands)


def test_figures_accept_any_scenario_and_name_unknown_ones(tmp_path):
    scenarios = ("baseline", "lever_risk_budget", "all_recommendations", "my_own_package")
    directory = _fixtures().write_experiment_dir(
        tmp_path / "exp", scenarios=scenarios, replications=2
    )
    fig = make_figure(
        "innovation_funnel", directory, scenarios=["lever_risk_budget", "my_own_package"]
    )
    text = " ".join(ax.get_title(loc="left") for ax in fig.subfigs[0].axes)
    assert "my_own_package" in text
    fig = make_figure("startups", directory, scenarios=["my_own_package"])
    assert any("my_own_package" in t.get_text() for t in fig.subfigs[0].legends[0].get_texts())
    fig = make_figure("scenario_comparison", directory)
    legend = [t.get_text() for t in fig.subfigs[0].legends[0].get_texts()]
    assert "my_own_package" in legend and "Other" not in legend
    with pytest.raises(sim.ResultsError, match="not in"):
        make_figure("fte_freed", directory, scenarios=["nope"])


def test_report_section_in_both_languages_matches_the_cli(tmp_path, capsys):
    rec = _recommend_file(
        tmp_path / "r",
        "toy",
        '["risk_budget", "test_access", "career_paths"]',
        "futures = 3\ndiscovery_futures = 20",
    )
    run_recommend(rec, out=tmp_path / "rec", workers=1, **QUIET)
    goal = _goal_file(tmp_path / "g", generations=2)
    run_goal(goal, out=tmp_path / "goal", workers=1, log=lambda line: None)
    cli = recommend_text(tmp_path / "rec")
    ranking = pd.read_parquet(tmp_path / "rec" / "ranking.parquet")
    for lang, title in (
        ("en", "Which recommendations free the most labour"),
        ("da", "Hvilke anbefalinger frigør mest arbejdskraft"),
    ):
        html_path, md_path = build_report(tmp_path / "rec", lang, also=[tmp_path / "goal"])
        md = md_path.read_text(encoding="utf-8")
        assert f"## {title}" in md and "SHA-256" in md and "master" in md and "commit" in md
        assert ("goal seeking" in md) if lang == "en" else ("målsøgning" in md)
        assert "PRIM" in md
        assert "recommendation_forest" in md
        for r in ranking.to_dict("records"):
            mean = r["alone_fte_freed_2030"]
            assert f"{mean:+,.0f}" in cli  # the CLI's number ...
            en = f"{'+' if mean >= 0 else '−'}{abs(mean):,.0f}"
            expected = en if lang == "en" else en.replace(",", ".")
            assert expected in md  # ... is the report's
    # the forest plot draws the same means
    fig = make_figure("recommendation_forest", tmp_path / "rec")
    ax = fig.subfigs[0].axes[0]
    circles = sorted(
        float(line.get_xdata()[0]) for line in ax.get_lines() if line.get_marker() == "o"
    )
    for mean in ranking["alone_fte_freed_2030"]:
        assert any(c == pytest.approx(mean) for c in circles)
    make_figure("goal_front", tmp_path / "goal", lang="da")


def test_morris_heading_is_an_influence_diagnostic():
    from sim.analysis.report import INFLUENCE_NOTE

    assert "value of a recommendation" in INFLUENCE_NOTE
    text = (REPO / "sim" / "analysis" / "report.py").read_text(encoding="utf-8")
    assert "Which recommendations free the most labour" not in text
    assert re.search(r"Influence diagnostic", text)


def test_analyse_refuses_a_directory_that_is_not_a_recommend_experiment(tmp_path):
    directory = _fixtures().write_experiment_dir(tmp_path / "exp", replications=2)
    with pytest.raises(sim.ResultsError, match="not a recommend experiment"):
        analyse(directory)
