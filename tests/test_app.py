"""Tests of the explorer without a browser: the app module imports, its controls map onto the model's
keyword arguments, its model steps 12 months reproducibly, and its figures and tables render.

The browser end-to-end test is ``tests/test_app_browser.py``.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os

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
    for column in ("demand_fte", "supply_fte", "fte_freed", "gap_fte", "gap_share"):
        assert df[column].notna().all(), column
    assert (df["demand_fte"] > 100_000).all()  # national units whatever the staff scale
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


def test_figures_draw_before_and_after_stepping(stepped: app.ExplorerModel) -> None:
    fresh = app.ExplorerModel(seed=SEED)
    for make in (app.workforce_figure, app.gap_figure, app.funnel_figure, app.adoption_figure):
        for model in (fresh, stepped):
            fig = make(model)
            fig.canvas.draw()  # must not raise
            assert fig.axes
    workforce = app.workforce_figure(stepped)
    labels = [line.get_label() for line in workforce.axes[0].get_lines()]
    assert labels[:2] == ["Demand", "Supply"]
    assert len(workforce.axes[0].get_lines()[0].get_xdata()) == 12


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
