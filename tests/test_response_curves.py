"""Response curves (issue 15, point 7): the ``response`` design, its paired seeds, bad input, and the
``response_curves`` figure drawn from a results directory.

The pipeline runs on the cheap ``toy`` model; the shipped file ``experiments/response_curves.toml`` is
only planned here (its full run is the lead's, on the final model).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.errors import ExperimentError, ResultsError
from sim.experiments import plan_experiment, run_experiment
from sim.experiments.designs import REFERENCE_LABEL, response_layout, response_values
from sim.levers import LEVERS
from sim.plotting.figures import figures_for, make_figure, response_table
from sim.plotting.loaders import open_results

REPO = Path(__file__).resolve().parents[1]
QUIET = {"progress": False, "log": lambda line: None}


def _fixtures():
    path = REPO / "tests" / "fixtures" / "results_dirs.py"
    spec = importlib.util.spec_from_file_location("opisim_test_results_dirs", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


fx = _fixtures()


def _experiment(tmp_path: Path, design: str, model: str = "toy", reps: int = 3) -> Path:
    folder = tmp_path / "experiments"
    folder.mkdir(parents=True, exist_ok=True)
    (tmp_path / "scenarios").mkdir(exist_ok=True)
    world = (
        '[world]\nkind = "synthetic"\nn_hospitals = 2\nn_municipalities = 4\nstaff_scale = 0.02\n'
    )
    (tmp_path / "scenarios" / "baseline.toml").write_text(f'[meta]\nname = "baseline"\n{world}')
    (tmp_path / "scenarios" / "scheduled.toml").write_text(
        f'[meta]\nname = "scheduled"\n{world}[levers]\n'
        "risk_budget = { value = 0.5, start_year = 2029, ramp_years = 2 }\n"
    )
    path = folder / "response.toml"
    path.write_text(
        textwrap.dedent(
            f"""
            [experiment]
            name = "response"
            base_scenario = "../scenarios/baseline.toml"
            model = "{model}"
            replications = {reps}
            master_seed = 42
            """
        )
        + "\n[design]\n"
        + textwrap.dedent(design)
    )
    return path


# -- the design -------------------------------------------------------------------------------------


def test_each_lever_gets_its_grid_plus_policy_values_and_one_shared_reference(tmp_path):
    path = _experiment(tmp_path, 'kind = "response"\nlevers = "all"\npoints = 5\n')
    design = plan_experiment(path).design
    assert (design["label"] == REFERENCE_LABEL).sum() == 1
    assert design.loc[0, "label"] == REFERENCE_LABEL
    layout = response_layout(design)
    for name, lever in LEVERS.items():
        own = layout[(layout["lever"] == name) & ~layout["reference"]]["value"].to_numpy()
        grid = set(np.round(np.linspace(lever.low, lever.high, 5), 9))
        if lever.integer:
            grid = {float(round(v)) for v in grid}
        expected = (grid | {lever.recommended, lever.status_quo}) - {lever.status_quo}
        np.testing.assert_allclose(sorted(own), sorted(expected), err_msg=name)
        # the reference point stands for the status quo of every curve
        ref = layout[(layout["lever"] == name) & layout["reference"]]
        assert ref["value"].tolist() == [lever.status_quo]
    # every point moves one lever only; the others stay at the base (status quo)
    columns = [c for c in design.columns if c.startswith("levers.")]
    sq = np.array([LEVERS[c.split(".", 1)[1]].status_quo for c in columns])
    moved = (design[columns].to_numpy(float) != sq).sum(axis=1)
    assert moved[0] == 0 and (moved[1:] == 1).all()


def test_whole_number_levers_take_whole_values_once():
    values = response_values("strategic_partnership_cap", 7)
    assert values == sorted(set(values))
    assert all(v == round(v) for v in values)
    assert values[0] == LEVERS["strategic_partnership_cap"].low
    assert values[-1] == LEVERS["strategic_partnership_cap"].high


def test_the_analysis_range_and_no_inclusions(tmp_path):
    path = _experiment(
        tmp_path,
        'kind = "response"\nlevers = ["risk_budget"]\npoints = 3\nrange = "analysis"\ninclude = []\n',
    )
    design = plan_experiment(path).design
    lever = LEVERS["risk_budget"]
    assert list(design.columns) == ["point", "label", "levers.risk_budget"]
    expected = np.linspace(lever.analysis_low, lever.analysis_high, 3)
    np.testing.assert_allclose(design["levers.risk_budget"].iloc[1:], expected)


def test_replication_r_has_the_same_seed_at_every_point(tmp_path):
    path = _experiment(tmp_path, 'kind = "response"\nlevers = ["risk_budget", "test_access"]\n')
    plan = plan_experiment(path)
    assert plan.scheme == "common"
    seeds = pd.DataFrame(
        [(t.point, t.replication, t.seed) for t in plan.tasks], columns=["point", "rep", "seed"]
    )
    per_rep = seeds.groupby("rep")["seed"].nunique()
    assert (per_rep == 1).all()  # paired: one seed per replication across all points
    assert seeds.groupby("point")["seed"].nunique().eq(3).all()  # replications differ


def test_the_shipped_file_plans_every_lever_within_the_time_budget():
    plan = plan_experiment(REPO / "experiments" / "response_curves.toml")
    layout = response_layout(plan.design)
    assert set(layout["lever"]) == set(LEVERS)
    assert plan.scheme == "common"
    assert plan.spec.staff_scale == 0.1
    # sized for 10-15 minutes on 2 workers at ~0.6 s per national run to 2045
    assert 600 <= len(plan.tasks) <= 1500


BAD = {
    "unknown_key": ('kind = "response"\nvalues = 3\n', ["design.values", "allowed keys"]),
    "unknown_lever": ('kind = "response"\nlevers = ["risk_budgett"]\n', ["risk_budgett"]),
    "levers_not_a_list": ('kind = "response"\nlevers = "some"\n', ["design.levers", '"all"']),
    "duplicate_lever": (
        'kind = "response"\nlevers = ["risk_budget", "risk_budget"]\n',
        ["design.levers", "twice"],
    ),
    "one_point": ('kind = "response"\npoints = 1\n', ["design.points", "integer >= 2"]),
    "bad_range": ('kind = "response"\nrange = "all"\n', ["design.range", '"analysis"']),
    "bad_include": (
        'kind = "response"\ninclude = ["optimum"]\n',
        ["design.include", "'recommended'"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_response_designs_give_one_clear_line(tmp_path, case):
    body, needles = BAD[case]
    path = _experiment(tmp_path, body)
    with pytest.raises(ExperimentError) as info:
        plan_experiment(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    for needle in needles:
        assert needle in message, (needle, message)


def test_a_base_that_schedules_a_varied_lever_is_refused(tmp_path):
    path = _experiment(tmp_path, 'kind = "response"\nlevers = ["risk_budget"]\n')
    path.write_text(path.read_text().replace("baseline.toml", "scheduled.toml"))
    with pytest.raises(ExperimentError, match="schedules risk_budget"):
        plan_experiment(path)
    other = _experiment(tmp_path, 'kind = "response"\nlevers = ["test_access"]\n')
    other.write_text(other.read_text().replace("baseline.toml", "scheduled.toml"))
    assert (
        len(plan_experiment(other).design) > 1
    )  # a lever the design does not vary may be scheduled


def test_a_model_without_scenarios_is_refused(tmp_path):
    path = _experiment(tmp_path, 'kind = "response"\n', model="ishigami")
    path.write_text(path.read_text().replace('base_scenario = "../scenarios/baseline.toml"\n', ""))
    with pytest.raises(ExperimentError, match="takes none"):
        plan_experiment(path)


def test_bad_design_through_the_cli_exits_2(tmp_path):
    path = _experiment(tmp_path, 'kind = "response"\npoints = 0\n')
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "experiment", str(path), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "design.points" in lines[0] and "Traceback" not in proc.stderr


# -- from the run to the figure ---------------------------------------------------------------------


def test_toy_response_experiment_to_figure(tmp_path):
    path = _experiment(
        tmp_path, 'kind = "response"\nlevers = ["risk_budget", "career_paths"]\npoints = 3\n'
    )
    out = tmp_path / "results"
    runs = run_experiment(path, out=out, workers=1, **QUIET)
    assert (runs["status"] == "ok").all()
    table = response_table(out)
    # the curve's points are the means over replications of the runs at each design point
    for _, row in table.iterrows():
        mean = runs.loc[runs["point"] == row["point"], "fte_freed_2035"].mean()
        assert row["fte_freed_2035"] == pytest.approx(mean)
        assert row["fte_freed_2035_lo"] <= row["fte_freed_2035"] <= row["fte_freed_2035_hi"]
    assert set(table["lever"]) == {"risk_budget", "career_paths"}
    assert table["reference"].sum() == 2  # the status-quo point on both curves
    fig = make_figure("response_curves", out)
    ax = fig.subfigs[0].axes[0]  # the first lever in sim.levers order: career_paths
    assert ax.get_title(loc="left") == "Career paths"
    drawn = [line for line in ax.get_lines() if line.get_marker() == "o"]
    mine = table[table["lever"] == "career_paths"].sort_values("value")
    np.testing.assert_allclose(drawn[1].get_ydata(), mine["fte_freed_2035"])
    np.testing.assert_allclose(drawn[1].get_xdata(), mine["value"])


def test_figure_marks_status_quo_recommended_and_the_analysed_range(tmp_path):
    path = fx.write_response_dir(tmp_path / "resp", levers=("risk_budget",), points=4)
    fig = make_figure("response_curves", path, lang="da")
    ax = fig.subfigs[0].axes[0]
    lever = LEVERS["risk_budget"]
    vertical = sorted(
        float(line.get_xdata()[0])
        for line in ax.get_lines()
        if len(set(np.atleast_1d(line.get_xdata()))) == 1
    )
    assert vertical == sorted([lever.status_quo, lever.recommended])
    (span,) = ax.patches  # the analysed range (a Rectangle, or a Polygon before matplotlib 3.9)
    x0, _y0, w, _h = span.get_extents().transformed(ax.transData.inverted()).bounds
    assert x0 == pytest.approx(lever.analysis_low, abs=1e-6)
    assert x0 + w == pytest.approx(lever.analysis_high, abs=1e-6)
    assert ax.get_xlim() == (lever.low, lever.high)
    assert ax.get_title(loc="left").replace("\n", " ") == "Ramme for risikovillige investeringer"


def test_figure_needs_a_response_design(tmp_path):
    exp = fx.write_experiment_dir(tmp_path / "exp", replications=2, timeseries=False)
    with pytest.raises(ResultsError) as err:
        make_figure("response_curves", exp)
    message = str(err.value)
    assert "design kind 'response'" in message and "'scenarios'" in message
    assert "response_curves.toml" in message and "\n" not in message


def test_response_curves_is_listed_only_for_response_designs(tmp_path):
    response = open_results(fx.write_response_dir(tmp_path / "resp"))
    scenarios = open_results(fx.write_experiment_dir(tmp_path / "exp", replications=2))
    assert "response_curves" in figures_for("experiment", response)
    assert "response_curves" not in figures_for("experiment", scenarios)


def test_cli_plot_draws_it_from_the_results_directory(tmp_path, capsys):
    path = fx.write_response_dir(tmp_path / "resp", levers=("test_access", "risk_budget"))
    code = main(["plot", str(path), "--figure", "response_curves", "--format", "png,svg"])
    assert code == 0
    written = capsys.readouterr().out.split()
    assert [Path(p).name for p in written] == [
        "response_curves_full_en.png",
        "response_curves_full_en.svg",
    ]
    assert all(Path(p).stat().st_size > 5_000 for p in written)


def test_every_lever_has_a_short_unit_in_both_languages():
    from sim.plotting import labels as L

    assert set(L.LEVER_UNITS) == set(LEVERS)
    for name in LEVERS:
        assert L.lever_unit(name, "en") and L.lever_unit(name, "da")
        assert L.lever_unit(name, "en") != L.lever_unit(name, "da"), name  # translated
