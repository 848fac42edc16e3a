"""Tests of the explorer without a browser: the app module imports, its controls map onto the model's
keyword arguments, its model steps 12 months reproducibly, and its figures and tables render.

The browser end-to-end test is ``tests/test_app_browser.py``.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os

import numpy as np
import pandas as pd
import pytest

from sim.levers import LEVERS


def _require(module: str):
    """Import ``module``; outside CI a missing optional package skips with the install hint."""
    if os.environ.get("CI"):
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=f"{module} missing: pip install -e '.[explore]'")


_require("solara")
_require("mesa.visualization")
app = importlib.import_module("sim.app")

from mesa.visualization.solara_viz import _check_model_params  # noqa: E402

from sim.cli import explore  # noqa: E402
from sim.errors import OpisimInputError, ScenarioError  # noqa: E402

SEED = 7


@pytest.fixture(scope="module")
def stepped() -> app.ExplorerModel:
    model = app.ExplorerModel(seed=SEED)
    for _ in range(12):
        model.step()
    return model


def test_page_is_a_solaraviz_element() -> None:
    assert app.page is not None
    assert "baseline" in app.scenario_files()
    assert list(app.scenario_files())[0] == "baseline"


def test_model_params_are_keywords_of_the_model() -> None:
    params = app.model_params()
    _check_model_params(app.ExplorerModel.__init__, params)  # Mesa's own check, raises ValueError
    assert set(LEVERS) <= set(params)
    assert {"scenario_name", "seed", "staff_scale", "levers_from_scenario"} <= set(params)
    assert params["staff_scale"]["value"] <= 0.05  # small by default so a step is instant


@pytest.mark.parametrize("name", list(LEVERS))
def test_lever_slider_covers_range_and_marks_status_quo_and_recommendation(name: str) -> None:
    lever = LEVERS[name]
    spec = app.model_params()[name]
    assert spec["type"] == ("SliderInt" if lever.integer else "SliderFloat")
    assert (spec["min"], spec["max"], spec["value"]) == (lever.low, lever.high, lever.status_quo)
    for value in (lever.status_quo, lever.recommended, lever.high):
        steps = (value - lever.low) / spec["step"]
        assert math.isclose(steps, round(steps), abs_tol=1e-9), (name, value, spec["step"])
    if not lever.integer:  # integer levers step by 1
        assert 10 <= (lever.high - lever.low) / spec["step"] <= 200
    label = spec["label"]
    assert lever.unit in label
    assert f"SQ {lever.status_quo:.6g}" in label and f"rec. {lever.recommended:.6g}" in label


def test_model_steps_twelve_months_reproducibly(stepped: app.ExplorerModel) -> None:
    df = app.history(stepped)
    assert len(df) == 12 and stepped.steps == 12
    assert df["date"].iloc[0] == pd.Timestamp("2025-01-01")
    assert df["date"].iloc[-1] == pd.Timestamp("2025-12-01")
    for column in (
        "demand_fte",
        "supply_fte",
        "fte_freed",
        "gap_fte",
        "gap_share",
        "rollouts_active",
    ):
        assert df[column].notna().all(), column
    assert (df["demand_fte"] > 100_000).all()  # national units whatever the staff scale
    # net FTE freed is gross minus innovation work, both beyond the 2025 balance (0 in January)
    net = df["fte_freed_gross"] - df["fte_innovation_work"]
    assert df["fte_freed"].to_numpy() == pytest.approx(net.to_numpy(), abs=1e-6)
    assert df["fte_freed"].iloc[0] == pytest.approx(0.0, abs=1e-6)
    assert df["fte_freed_gross"].iloc[-1] > 0
    again = app.ExplorerModel(seed=SEED)
    for _ in range(12):
        again.step()
    pd.testing.assert_frame_equal(app.history(again), df)


def test_a_lever_value_reaches_the_scenario() -> None:
    model = app.ExplorerModel(risk_budget=1.0, strategic_partnership_cap=8)
    assert model.scenario.levers.risk_budget == 1.0
    assert model.scenario.levers.strategic_partnership_cap == 8
    rows = dict(app.settings_table(model))
    assert rows["Risk budget"] == "1"
    assert rows["Strategic partnerships"] == "8"
    assert rows["Common evaluation"].endswith("SQ")


def test_levers_from_scenario_ignore_the_sliders() -> None:
    model = app.ExplorerModel(levers_from_scenario=True, risk_budget=1.0)
    assert model.scenario.levers.risk_budget == LEVERS["risk_budget"].status_quo
    assert dict(app.settings_table(model))["Levers from"] == "scenario file"


def test_unknown_scenario_is_an_input_error() -> None:
    with pytest.raises(ScenarioError, match="available: baseline"):
        app.ExplorerModel(scenario_name="no_such_scenario")


def test_headline_table_is_this_months_numbers(stepped: app.ExplorerModel) -> None:
    rows = dict(app.headline_table(stepped))
    assert rows["Month"] == "2025-12"
    demand = stepped.datacollector.get_model_vars_dataframe()["demand_fte"].iloc[-1]
    assert rows["Demand (FTE)"] == f"{demand:,.0f}"
    assert rows["Shortage (% of demand)"].endswith("%")
    assert app.headline_table(app.ExplorerModel(seed=SEED)) == []  # nothing before the first step
    html = app.html_table([("a<b", "1")], ("Setting", "Value"), "x")
    assert "a&lt;b" in html and 'class="opisim-table x"' in html


FIGURES = (
    app.workforce_figure,
    app.gap_figure,
    app.funnel_figure,
    app.coverage_figure,
    app.types_figure,
)


def test_figures_draw_before_and_after_stepping(stepped: app.ExplorerModel) -> None:
    fresh = app.ExplorerModel(seed=SEED)
    for make in FIGURES:
        for model in (fresh, stepped):
            fig = make(model)
            fig.canvas.draw()  # must not raise
            assert fig.axes
    workforce = app.workforce_figure(stepped)
    labels = [line.get_label() for line in workforce.axes[0].get_lines()]
    assert labels[:2] == ["Demand", "Supply"]
    assert len(workforce.axes[0].get_lines()[0].get_xdata()) == 12
    bottom = [line.get_label() for line in workforce.axes[1].get_lines()]
    assert bottom[:3] == ["Net", "Gross", "Innovation work"]
    funnel = [line.get_label() for line in app.funnel_figure(stepped).axes[1].get_lines()]
    assert any(label.startswith("Roll-outs under way") for label in funnel)


def test_coverage_of_the_leading_types_is_the_layers_history(stepped: app.ExplorerModel) -> None:
    layer = stepped.innovation
    series = app.coverage_series(stepped)
    assert 0 < len(series) <= app.N_LEADING_TYPES
    history = layer.coverage_history()
    last = history[-1]
    leading = [int(k) for k in np.argsort(-last, kind="stable")[: len(series)]]
    assert list(series) == [app.type_label(stepped, k) for k in leading]
    for k, values in zip(leading, series.values(), strict=True):
        assert len(values) == 12
        assert np.array_equal(values, history[:, k])
        assert ((values >= 0) & (values <= 1)).all()
    # the labels of the 2025 catalogue's types are the archetypes' labels, cut short
    first = layer.type_name(leading[0])
    label = next(a.label for a in layer.catalogue.archetypes if a.key == first)
    assert list(series)[0] == app.short_label(label, width=24)
    assert app.coverage_series(app.ExplorerModel(seed=SEED)) == {}  # nothing before the first step


def test_types_in_use_split_catalogue_and_developed(stepped: app.ExplorerModel) -> None:
    total, developed = app.types_in_use(stepped)
    in_use = (stepped.innovation.coverage_history() > 0).sum(axis=1)
    assert np.array_equal(total, in_use)
    assert (developed <= total).all()
    # in January 2025 the types in use are the archetypes with sourced use, all from the catalogue
    assert total[0] == len(stepped.innovation.catalogue.archetypes) and developed[0] == 0


@pytest.fixture()
def scenario_dir(tmp_path, monkeypatch):
    """A scenario folder with the baseline, a scenario with a lever schedule and a programme, and one
    without innovation."""
    (tmp_path / "baseline.toml").write_text('[meta]\nname = "baseline"\n')
    (tmp_path / "phased.toml").write_text(
        '[meta]\nname = "phased"\n[levers]\n'
        "risk_budget = { value = 0.5, start_year = 2029, ramp_years = 2 }\n"
        "[[programmes]]\n"
        'name = "spread"\narchetypes = ["transfer_aids"]\nlevers = { spread_workflows = 0.8 }\n'
    )
    (tmp_path / "no_innovation.toml").write_text(
        '[meta]\nname = "no_innovation"\n[innovation]\nenabled = false\n'
    )
    monkeypatch.setenv(app.SCENARIO_DIR_ENV, str(tmp_path))
    return tmp_path


def test_a_scheduled_lever_is_shown_with_its_schedule(scenario_dir) -> None:
    model = app.ExplorerModel(scenario_name="phased", levers_from_scenario=True)
    rows = dict(app.settings_table(model))
    assert rows["Risk budget"] == "0.5 rec. from 2029-01, ramp 2 y"
    assert rows["Programme spread"].endswith(" for 1 type")
    # a slider sets a plain value from the first month: it replaces the file's schedule
    slid = app.ExplorerModel(scenario_name="phased", risk_budget=1.0)
    assert "risk_budget" not in slid.scenario.lever_schedules
    assert dict(app.settings_table(slid))["Risk budget"] == "1"


def test_figures_say_when_the_innovation_layer_is_off(scenario_dir) -> None:
    model = app.ExplorerModel(scenario_name="no_innovation")
    model.step()
    assert model.innovation is None
    for make in FIGURES:
        make(model).canvas.draw()
    assert app.coverage_series(model) == {}
    texts = [t.get_text() for t in app.coverage_figure(model).axes[0].texts]
    assert "Innovation layer switched off in this scenario" in texts


def test_mesas_scenario_check_and_reset_accept_the_explorer_model() -> None:
    """Mesa >= 3.5's SolaraViz refuses a model whose ``scenario`` is not an instance of its Scenario
    class and, on RESET, passes a fresh one of that class to the model; the explorer's model passes the
    check and rebuilds with the same settings. On Mesa < 3.5 there is no such check."""
    from mesa.visualization import solara_viz

    check = getattr(solara_viz, "_get_scenario_defaults", None)
    if check is None:
        pytest.skip("this Mesa has no scenario check (Mesa < 3.5)")
    model = app.ExplorerModel(seed=SEED, risk_budget=1.0)
    check(model.scenario)  # raises ValueError if refused
    assert model.scenario.levers.risk_budget == 1.0  # still opisim's scenario behind it
    assert model.scenario.to_dict()["levers"]["risk_budget"] == 1.0
    params = {k: v["value"] for k, v in app.model_params().items()}
    params.update(seed=SEED, risk_budget=1.0)
    kwargs = solara_viz._build_model_init_kwargs(
        model, params, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    rebuilt = type(model)(**kwargs)
    assert app.settings_table(rebuilt) == app.settings_table(model)
    rebuilt.step()
    assert rebuilt.month_index == 1


def test_time_window_grows_with_the_run(stepped: app.ExplorerModel) -> None:
    start, end = app.time_window(app.ExplorerModel(seed=SEED))
    assert (start, end) == (pd.Timestamp("2025-01-01"), pd.Timestamp("2030-01-01"))
    model = app.ExplorerModel(seed=SEED)
    for _ in range(70):
        model.step()
    assert app.time_window(model)[1] == pd.Timestamp("2031-11-01")  # one year past month 71


def test_funnel_series_cumulates_flows_only() -> None:
    df = pd.DataFrame({"pilots_active": [1.0, 2.0, 2.0], "adoptions": [1.0, 0.0, 2.0]})
    series = app.funnel_series(df)
    assert list(series["Pilots active"]) == [1.0, 2.0, 2.0]
    assert list(series["Adoptions (cumulative)"]) == [1.0, 1.0, 3.0]
    assert "Start-ups alive" not in series


def _explore_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opisim")
    explore.register(parser.add_subparsers(dest="command"))
    return parser


def test_explore_command_binds_localhost_by_default() -> None:
    args = _explore_parser().parse_args(["explore"])
    assert args.host == explore.DEFAULT_HOST == "127.0.0.1"
    assert args.port == explore.DEFAULT_PORT
    cmd = explore.solara_command(args.host, 8123)
    assert cmd[1:4] == ["-m", "solara", "run"] and cmd[4].endswith("app.py")
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and cmd[cmd.index("--port") + 1] == "8123"
    assert "--production" in cmd


def test_explore_rejects_a_bad_port_and_scenario_dir(tmp_path) -> None:
    args = _explore_parser().parse_args(["explore", "--port", "70000"])
    with pytest.raises(OpisimInputError, match="--port"):
        args.func(args)
    args = _explore_parser().parse_args(["explore", "--scenario-dir", str(tmp_path / "missing")])
    with pytest.raises(OpisimInputError, match="not a folder"):
        args.func(args)


def test_short_label_drops_parentheses_and_keeps_the_id() -> None:
    assert app.short_label("Transfer aids (ceiling lifts, tilt chairs) #0") == "Transfer aids #0"
    cut = app.short_label("Shared service structure across organisations (structural) #19")
    assert cut.endswith("… #19") and len(cut) <= 34
    assert app.short_label("x" * 50).endswith("…")


def test_explore_without_the_extra_is_one_clear_error(monkeypatch) -> None:
    real_find = explore._find
    monkeypatch.setattr(
        explore, "_find", lambda name: None if name == "solara" else real_find(name)
    )
    assert explore.missing_dependencies() == ["solara"]
    args = _explore_parser().parse_args(["explore"])
    with pytest.raises(OpisimInputError, match=r"pip install -e '\.\[explore\]'"):
        args.func(args)
