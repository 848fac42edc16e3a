"""Tests of the sensitivity layer's behaviour: designs, randomness treatments, ranking, effects, refusals,
robustness, convergence, executors and the CLI.

The lever tests use the experiment layer's cheap ``toy`` model (lever i adds weight 0.5 + i/13 to a score,
scaled by ``uncertainties.effect_size``; fte_freed_2035 = 1000 x score x noise), so the right ranking is
known: the later a lever is in ``sim.levers.LEVERS``, the more it frees.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import run_sensitivity
from sim.analysis.designs import parse_plan, salib_sample
from sim.analysis.sensitivity import analyse, compare_rankings, convergence
from sim.cli import main
from sim.errors import ExperimentError, ResultsError
from sim.experiments import plan_experiment, register_model
from sim.experiments.models import ModelAdapter, toy_weights
from sim.levers import LEVERS

QUIET = {"progress": False, "log": lambda line: None}
TOY_WEIGHTS = toy_weights()


def write(folder: Path, name: str, body: str) -> Path:
    """Write an experiment file (and a small base scenario next to it)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.toml").write_text('[meta]\nname = "base"\n[world]\nkind = "synthetic"\n')
    path = folder / f"{name}.toml"
    path.write_text(textwrap.dedent(body))
    return path


SEPARATED = [
    "innovation_core_task",
    "spread_workflows",
    "career_paths",
    "role_transparency",
    "challenge_driven_share",
]


def toy_experiment(
    folder: Path,
    kind: str = "morris",
    seed: int = 1,
    extra: str = "",
    analysis: str = "",
    levers: str = '"all"',
) -> Path:
    size = {"morris": "trajectories = 12", "sobol": "n = 64", "ofat": "points = 3"}[kind]
    reps = 4 if kind == "ofat" or "replicate_mean" in analysis else 1
    return write(
        folder,
        f"toy_{kind}",
        f"""
        [experiment]
        name = "toy_{kind}"
        base_scenario = "base.toml"
        model = "toy"
        replications = {reps}
        master_seed = {seed}
        [design]
        kind = "{kind}"
        {size}
        levers = {levers}
        uncertainties = ["effect_size", "demography"]
        {extra}
        [analysis]
        outcomes = ["fte_freed_2030", "fte_freed_2035", "gap_share_2035", "startups_alive_2035"]
        {analysis}
        """,
    )


@pytest.fixture(scope="module")
def toy_morris(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("toy_morris")
    out = folder / "out"
    run_sensitivity(toy_experiment(folder), out=out, workers=1, **QUIET)
    return out


def test_morris_ranks_toy_levers_by_weight(toy_morris: Path) -> None:
    ranking = pd.read_parquet(toy_morris / "ranking.parquet")
    assert len(ranking) == len(LEVERS) and ranking["metric"].eq("mu_star").all()
    assert ranking["outcome"].eq("fte_freed_2035").all()
    assert ranking["lever"].iloc[0] == "challenge_driven_share"  # the largest weight
    weights = ranking["lever"].map(TOY_WEIGHTS)
    assert weights.corr(ranking["value"], method="spearman") > 0.9  # 12 noisy trajectories
    assert any(
        "strategic_partnership_cap is an integer lever" in w
        for w in json.loads((toy_morris / "analysis.json").read_text())["warnings"]
    )
    assert ranking["randomness"].eq("seed_factor").all()
    # effect of status quo -> recommended (local linear fit): 1000 w (rec - sq) / (high - low) on average
    expected = [
        1000
        * TOY_WEIGHTS[r.lever]
        * (LEVERS[r.lever].recommended - LEVERS[r.lever].status_quo)
        / (LEVERS[r.lever].high - LEVERS[r.lever].low)
        for r in ranking.itertuples()
    ]
    assert ranking["effect_sq_to_rec"].corr(pd.Series(expected), method="spearman") > 0.8
    assert ranking["effect_method"].str.contains("local linear fit over the Morris steps").all()


def _register_linear() -> dict[str, float]:
    """A deterministic model linear in the levers: fte_freed_2035 = sum c_i lever_i (+ 5 x effect_size)."""
    coef = {name: float(i + 1) for i, name in enumerate(LEVERS)}

    def evaluate(base, params, seed, keep):  # noqa: ANN001, ANN202
        y = sum(
            coef[k.split(".")[1]] * float(v) for k, v in params.items() if k.startswith("levers.")
        )
        y += 5.0 * float(params.get("uncertainties.effect_size", 1.0))
        return {"fte_freed_2035": y}, None

    register_model(
        "linear_levers_sa", ModelAdapter("linear_levers_sa", evaluate, uses_scenario=True)
    )
    return coef


@pytest.mark.parametrize("kind", ["morris", "sobol", "ofat"])
def test_lever_effect_is_exact_for_a_linear_model(tmp_path: Path, kind: str) -> None:
    coef = _register_linear()
    size = {"morris": "trajectories = 4", "sobol": "n = 16", "ofat": "points = 3"}[kind]
    path = write(
        tmp_path,
        "lin",
        f"""
        [experiment]
        name = "lin"
        base_scenario = "base.toml"
        model = "linear_levers_sa"
        replications = {2 if kind == "ofat" else 1}
        master_seed = 4
        [design]
        kind = "{kind}"
        {size}
        levers = "all"
        uncertainties = ["effect_size"]
        [analysis]
        ranking_outcome = "fte_freed_2035"
        """,
    )
    _, result = run_sensitivity(path, out=tmp_path / "out", workers=1, **QUIET)
    ranking = result.ranking.set_index("lever")
    for name, lever in LEVERS.items():
        sq, rec = lever.status_quo, lever.recommended
        if lever.integer:
            sq, rec = round(sq), round(rec)
        assert ranking.loc[name, "effect_sq_to_rec"] == pytest.approx(
            coef[name] * (rec - sq), abs=1e-6
        )


def test_outputs_are_tidy_and_state_randomness(toy_morris: Path) -> None:
    indices = pd.read_parquet(toy_morris / "indices.parquet")
    csv = pd.read_csv(toy_morris / "indices.csv")
    assert len(csv) == len(indices)
    for col in (
        "method",
        "outcome",
        "factor",
        "kind",
        "S1",
        "S1_conf",
        "ST",
        "ST_conf",
        "S2",
        "mu_star",
        "mu_star_conf",
        "sigma",
    ):
        assert col in indices.columns
    assert set(indices["kind"]) == {"lever", "uncertainty", "seed"}
    assert set(indices["outcome"]) == {
        "fte_freed_2030",
        "fte_freed_2035",
        "gap_share_2035",
        "startups_alive_2035",
    }
    info = json.loads((toy_morris / "analysis.json").read_text())
    assert info["randomness"] == "seed_factor" and "Saltelli" in info["randomness_explained"]
    manifest = json.loads((toy_morris / "manifest.json").read_text())
    assert manifest["kind"] == "sensitivity" and manifest["analysis"]["randomness"] == "seed_factor"
    conv = pd.read_parquet(toy_morris / "convergence.parquet")
    assert sorted(conv["n"].unique()) == [6, 12]


def test_seed_factor_holds_seed_fixed_within_trajectory_and_saltelli_pair(tmp_path: Path) -> None:
    path = toy_experiment(tmp_path, "sobol")
    plan = plan_experiment(path)
    design = plan.design
    d = len([c for c in design.columns if c.startswith(("levers.", "uncertainties."))]) + 1
    block = design.iloc[: d + 2]
    # A and AB_i (i a model factor) share the seed; AB_seed and B share the other one
    assert block["seed_key"].iloc[:d].nunique() == 1
    assert block["seed_key"].iloc[d] == block["seed_key"].iloc[d + 1] != block["seed_key"].iloc[0]
    seeds = pd.DataFrame({"key": design["seed_key"], "seed": [t.seed for t in plan.tasks]})
    assert (seeds.groupby("key")["seed"].nunique() == 1).all()


def test_ofat_effect_is_a_paired_pair_of_design_points(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _, result = run_sensitivity(toy_experiment(tmp_path, "ofat"), out=out, workers=1, **QUIET)
    ranking = result.ranking
    assert ranking["metric"].eq("swing").all()
    assert list(ranking["lever"].head(2)) == list(LEVERS)[-2:][::-1] or set(
        ranking["lever"].head(3)
    ) >= {list(LEVERS)[-1]}
    row = ranking.set_index("lever").loc["risk_budget"]
    lever = LEVERS["risk_budget"]
    expected = (
        1000
        * TOY_WEIGHTS["risk_budget"]
        * (lever.recommended - lever.status_quo)
        / (lever.high - lever.low)
    )
    assert row["effect_sq_to_rec"] == pytest.approx(expected, rel=0.1)
    assert "ofat pair" in row["effect_method"]
    design = pd.read_parquet(out / "design.parquet")
    assert design["seed_key"].eq(0).all()  # common random numbers across points
    assert result.info["randomness"] == "replicate_mean"


def test_two_workers_give_the_same_indices(tmp_path: Path, toy_morris: Path) -> None:
    out = tmp_path / "out2"
    _, result = run_sensitivity(toy_experiment(tmp_path), out=out, workers=2, **QUIET)
    pd.testing.assert_frame_equal(result.indices, pd.read_parquet(toy_morris / "indices.parquet"))


def test_robustness_across_master_seeds(tmp_path: Path) -> None:
    """Levers whose toy weights are well apart (0.5, 0.58, 0.88, 1.27, 1.5) keep their top 3."""
    dirs = []
    for seed in (1, 2):
        dirs.append(tmp_path / f"seed{seed}")
        path = toy_experiment(tmp_path / f"f{seed}", seed=seed, levers=json.dumps(SEPARATED))
        run_sensitivity(path, out=dirs[-1], workers=1, **QUIET)
    robust = compare_rankings(*dirs)
    assert robust["same_top"] and robust["spearman"] >= 0.8
    assert robust["top_a"][0] == "challenge_driven_share"
    assert robust["metric"] == "mu_star"


def test_convergence_sobol_n_and_2n(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_sensitivity(toy_experiment(tmp_path, "sobol"), out=out, workers=1, **QUIET)
    conv = convergence(out)
    assert sorted(conv["n"].unique()) == [32, 64]
    half = conv[conv["n"] == 32].set_index(["outcome", "factor"])["ST"]
    assert half.notna().all()
    # the N/2 analysis is exactly the analysis of an N/2 experiment (SALib's sample is nested)
    plan = parse_plan(
        {"kind": "sobol", "n": 32, "levers": "all", "uncertainties": ["effect_size", "demography"]},
        {},
        "t",
        "toy",
        1,
        1,
    )
    big = parse_plan(
        {"kind": "sobol", "n": 64, "levers": "all", "uncertainties": ["effect_size", "demography"]},
        {},
        "t",
        "toy",
        1,
        1,
    )
    small_sample = salib_sample(plan)
    assert np.array_equal(small_sample, salib_sample(big)[: len(small_sample)])


def test_warnings_for_non_power_of_two_and_wide_intervals(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ishi",
        f"""
        [experiment]
        name = "ishi"
        model = "ishigami"
        master_seed = 1
        [design]
        kind = "sobol"
        n = 48
        [design.factors]
        x1 = [{-np.pi!r}, {np.pi!r}]
        x2 = [{-np.pi!r}, {np.pi!r}]
        x3 = [{-np.pi!r}, {np.pi!r}]
        [analysis]
        randomness = "replicate_mean"
        ci_width_warning = 0.1
        """,
    )
    _, result = run_sensitivity(path, out=tmp_path / "out", workers=1, **QUIET)
    text = "\n".join(result.warnings)
    assert "N = 48 is not a power of 2" in text
    assert "half-width is more than 10%" in text
    info = json.loads((tmp_path / "out" / "analysis.json").read_text())
    assert info["warnings"] == result.warnings


def _register_flaky() -> None:
    def evaluate(base, params, seed, keep):  # noqa: ANN001, ANN202
        x = float(params["x1"])
        if x > 0.9:
            raise RuntimeError("boom")
        return {"y": x, "z": float("nan") if x < 0.5 else x}, None

    register_model(
        "flaky_sa", ModelAdapter("flaky_sa", evaluate, factors={"x1": (0.0, 1.0), "x2": (0.0, 1.0)})
    )


def test_failed_runs_stop_the_analysis(tmp_path: Path) -> None:
    _register_flaky()
    body = """
        [experiment]
        name = "flaky"
        model = "flaky_sa"
        master_seed = 1
        [design]
        kind = "morris"
        trajectories = 4
        [design.factors]
        x1 = [0.0, 1.0]
        x2 = [0.0, 1.0]
        [analysis]
        randomness = "replicate_mean"
        """
    path = write(tmp_path, "flaky", body)
    with pytest.raises(ExperimentError, match="runs failed.*boom.*--resume"):
        run_sensitivity(path, out=tmp_path / "out", workers=1, **QUIET)
    with pytest.raises(ResultsError, match="runs failed"):
        analyse(tmp_path / "out")


def test_nan_outcome_stops_the_analysis(tmp_path: Path) -> None:
    _register_flaky()
    path = write(
        tmp_path,
        "nan",
        """
        [experiment]
        name = "nan"
        model = "flaky_sa"
        master_seed = 1
        [design]
        kind = "sobol"
        n = 8
        [design.factors]
        x1 = [0.0, 0.8]
        x2 = [0.0, 1.0]
        [analysis]
        randomness = "replicate_mean"
        """,
    )
    with pytest.raises(ResultsError, match="outcome 'z' is NaN"):
        run_sensitivity(path, out=tmp_path / "out", workers=1, **QUIET)
    result = analyse(tmp_path / "out", outcomes=["y"])  # the other outcome can still be analysed
    assert set(result.indices["outcome"]) == {"y"}
    text = path.read_text().replace(
        'randomness = "replicate_mean"', 'randomness = "replicate_mean"\nnan_outcomes = "skip"'
    )
    path.write_text(text)
    _, skipped = run_sensitivity(path, out=tmp_path / "out2", workers=1, **QUIET)
    assert set(skipped.indices["outcome"]) == {"y"}
    assert skipped.info["skipped_outcomes"] == {
        "z": int((pd.read_parquet(tmp_path / "out2" / "runs.parquet")["z"].isna()).sum())
    }
    assert any("'z'" in w or "z: undefined" in w for w in skipped.warnings)


def test_incomplete_results_are_refused(tmp_path: Path, toy_morris: Path) -> None:
    out = tmp_path / "partial"
    out.mkdir()
    for name in ("manifest.json", "design.parquet"):
        (out / name).write_bytes((toy_morris / name).read_bytes())
    runs = pd.read_parquet(toy_morris / "runs.parquet")
    runs.iloc[:-3].sample(frac=1.0, random_state=0).to_parquet(
        out / "runs.parquet"
    )  # shuffled, 3 missing
    with pytest.raises(ResultsError, match="design points"):
        analyse(out)
    runs.sample(frac=1.0, random_state=0).to_parquet(out / "runs.parquet")  # complete, any order
    result = analyse(out, write=False)
    pd.testing.assert_frame_equal(result.indices, pd.read_parquet(toy_morris / "indices.parquet"))


@pytest.mark.parametrize(
    ("design", "analysis", "reps", "message"),
    [
        ('kind = "sobol"', "", 1, "missing key 'design.n'"),
        ('kind = "sobol"\nn = 8\nbogus = 1', "", 1, "unknown key 'design.bogus'"),
        ('kind = "morris"\nlevels = 3', "", 1, "design.levels"),
        ('kind = "sobol"\nn = 8', 'randomness = "fresh"', 1, "analysis.randomness"),
        ('kind = "sobol"\nn = 8', "", 3, "replications = 1"),
        ('kind = "ofat"', 'randomness = "seed_factor"', 2, "analysis.randomness"),
        ('kind = "sobol"\nn = 8', "colour = 1", 1, "unknown key 'analysis.colour'"),
        (
            'kind = "sobol"\nn = 8\nlevers = ["no_such_lever"]',
            "",
            1,
            "unknown lever 'no_such_lever'",
        ),
        (
            'kind = "sobol"\nn = 8\n[design.factors]\n"levers.risk_budget" = [0.0, 5.0]',
            "",
            1,
            "out of range",
        ),
    ],
)
def test_bad_files_get_clear_errors(
    tmp_path: Path, design: str, analysis: str, reps: int, message: str
) -> None:
    (tmp_path / "base.toml").write_text('[meta]\nname = "base"\n')
    body = (
        f'[experiment]\nname = "bad"\nbase_scenario = "base.toml"\nmodel = "toy"\n'
        f"replications = {reps}\nmaster_seed = 1\n[analysis]\n{analysis}\n[design]\n{design}\n"
    )
    if "levers" not in design and "[design.factors]" not in design:
        body += 'levers = ["risk_budget"]\n'
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(ExperimentError, match=message.replace("(", r"\(")):
        plan_experiment(path)


def test_cli_runs_analyses_and_prints_the_ranking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = toy_experiment(tmp_path, "morris", levers=json.dumps(SEPARATED))
    out = tmp_path / "out"
    code = main(
        [
            "sensitivity",
            str(path),
            "--out",
            str(out),
            "--workers",
            "1",
            "--no-progress",
            "--robustness-seed",
            "9",
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "Which recommendations free the most labour" in printed
    assert "challenge_driven_share" in printed and "Robustness" in printed
    assert json.loads((out / "robustness.json").read_text())["same_top"] is True
    assert (tmp_path / "out_seed9" / "ranking.csv").is_file()
    assert main(["results", str(out)]) == 0
    assert "Which recommendations free the most labour" in capsys.readouterr().out
    assert (
        main(
            [
                "sensitivity",
                str(path),
                "--out",
                str(out),
                "--analyse-only",
                "--outcome",
                "fte_freed_2030",
            ]
        )
        == 0
    )
    assert "fte_freed_2030" in capsys.readouterr().out


def test_cli_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        "grid",
        '[experiment]\nname = "g"\nbase_scenario = "base.toml"\nmodel = "toy"\nmaster_seed = 1\n'
        '[design]\nkind = "grid"\n[design.grid]\n"levers.risk_budget" = [0.1]\n',
    )
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "o"), "--workers", "1"]) == 2
    assert "not a sensitivity design" in capsys.readouterr().err
    assert main(["results", str(tmp_path / "nowhere")]) == 2


def test_resume_of_a_finished_sensitivity_experiment_reruns_nothing(
    tmp_path: Path, toy_morris: Path
) -> None:
    out = tmp_path / "out"
    path = toy_experiment(tmp_path)
    run_sensitivity(path, out=out, workers=1, **QUIET)
    lines: list[str] = []
    _, again = run_sensitivity(
        path, out=out, workers=1, resume=True, progress=False, log=lines.append
    )
    assert any("already done" in line for line in lines)
    pd.testing.assert_frame_equal(again.indices, pd.read_parquet(toy_morris / "indices.parquet"))
