"""The model as a whole: invariants (stock-flow, bounds, hours), reproducibility, RunResult contract, Mesa."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

import sim
from sim import outputs
from sim.model.model import HealthSystemModel
from sim.rng import RandomStreams

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_result(small_scenario):
    return sim.run(small_scenario, seed=3)


def test_timeseries_contract(small_result):
    """The tables and the summary have exactly the outputs of sim/outputs.py, in its order."""
    ts = small_result.timeseries
    assert tuple(ts.columns) == ("date", "year", "month", "sector", *outputs.columns("sector"))
    assert set(ts["sector"]) == {"hospital", "municipal", "all"}
    assert len(ts) == 6 * 12 * 3
    assert pd.api.types.is_datetime64_any_dtype(ts["date"])
    bp = small_result.by_profession
    assert tuple(bp.columns) == (
        "date",
        "year",
        "sector",
        "profession",
        *outputs.columns("profession"),
    )
    assert set(bp["profession"]) == {
        "nurse",
        "doctor",
        "sosu_assistant",
        "sosu_helper",
        "other_clinical",
    }
    assert tuple(small_result.summary) == outputs.summary_keys()
    assert all(isinstance(v, float) for v in small_result.summary.values())


def test_summary_without_innovation_has_every_key(small_scenario):
    short = small_scenario.with_overrides({"innovation.enabled": False, "time.end_year": 2025})
    summary = sim.run(short, seed=1).summary
    assert tuple(summary) == outputs.summary_keys()
    assert summary["pilots_started_cum"] == 0.0
    assert np.isnan(summary["gap_fte_2030"])  # the run ends in 2025


def test_stock_flow_conservation_every_month(small_result):
    ts = small_result.timeseries
    for sector, rows in ts.groupby("sector"):
        head = rows["staff_headcount"].to_numpy()
        flow = (rows["entries"] - rows["exits"]).to_numpy()
        # moves stay inside a sector, so each sector's stock changes only by entries and exits
        assert np.allclose(head[1:], head[:-1] + flow[1:], atol=1e-6), sector


def test_gap_identity_and_bounds(small_result):
    ts = small_result.timeseries
    assert np.allclose(ts["gap_fte"], ts["demand_fte"] - ts["supply_fte"] - ts["fte_freed"])
    assert (ts["supply_fte"] >= 0).all() and (ts["demand_fte"] >= 0).all()
    assert (ts["gap_share"] <= 1).all()
    assert (ts["fte_freed_gross"] <= ts["demand_fte"]).all()
    allrows = ts[ts["sector"] == "all"].reset_index(drop=True)
    parts = (
        ts[ts["sector"] != "all"]
        .groupby("date")[["demand_fte", "supply_fte", "exits"]]
        .sum()
        .reset_index(drop=True)
    )
    assert np.allclose(allrows[["demand_fte", "supply_fte", "exits"]], parts)


def test_profession_table_adds_up_to_sectors(small_result):
    bp = small_result.by_profession.groupby(["date", "sector"])[["demand_fte", "supply_fte"]].sum()
    ts = small_result.timeseries.set_index(["date", "sector"])[["demand_fte", "supply_fte"]]
    assert np.allclose(bp.sort_index(), ts.loc[bp.index].sort_index())


def test_freed_hours_never_exceed_addressable_hours(small_scenario):
    model = HealthSystemModel(
        scenario=small_scenario.with_overrides({"levers.proactive_scouting": 0.2}), seed=2
    )
    for _ in range(model.n_months):
        model.step()
        layer = model.innovation
        eng = layer.eng
        idx = np.flatnonzero(eng.coverage[: eng.n] > 0)  # rolled out or in use
        addressable = np.zeros_like(model.freed_gross_fte)
        types = layer.solutions.type[eng.sol[idx]]
        np.add.at(addressable, eng.org[idx], layer.types.addressable[types])
        cap = model.demand_fte * np.minimum(addressable, 1.0)
        gross = layer._freed  # all hours freed, the 2025 balance included
        assert (gross <= cap + 1e-9).all()


def test_same_seed_same_output_other_seed_differs(small_scenario):
    a = sim.run(small_scenario, seed=11)
    b = sim.run(small_scenario, seed=11)
    c = sim.run(small_scenario, seed=12)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    pd.testing.assert_frame_equal(a.by_profession, b.by_profession)
    assert a.summary == pytest.approx(b.summary, nan_ok=True)
    assert not a.timeseries["exits"].equals(c.timeseries["exits"])


def test_staff_scale_keeps_national_units(baseline):
    sc = baseline.with_overrides({"time.end_year": 2025, "innovation.enabled": False})
    small = sim.run(sc.with_overrides({"world.staff_scale": 0.02}), seed=1).timeseries
    large = sim.run(sc.with_overrides({"world.staff_scale": 0.2}), seed=1).timeseries
    for col in ("demand_fte", "supply_fte", "staff_headcount"):
        a = small.loc[small.sector == "all", col].iloc[0]
        b = large.loc[large.sector == "all", col].iloc[0]
        assert a == pytest.approx(b, rel=0.03), col


def test_common_random_numbers_across_levers(small_scenario):
    """Switching a lever that touches only companies leaves staff and demography draws identical."""
    a = HealthSystemModel(scenario=small_scenario, seed=5)
    b = HealthSystemModel(
        scenario=small_scenario.with_overrides({"levers.test_access": 0.9}), seed=5
    )
    assert np.array_equal(a.staff.birth_month, b.staff.birth_month)
    assert np.array_equal(a.staff.fte, b.staff.fte)
    assert np.array_equal(a.demand_fte_path, b.demand_fte_path)
    # the graduate cohort of September 2025 does not depend on any lever
    assert np.array_equal(a.graduate_cohort(8), b.graduate_cohort(8))
    assert (
        RandomStreams(5)["exits"].random(3).tolist() == RandomStreams(5)["exits"].random(3).tolist()
    )


def test_model_is_a_mesa_model_with_datacollector(small_scenario):
    model = HealthSystemModel(scenario=small_scenario, seed=1)
    assert isinstance(model, mesa.Model)
    for _ in range(3):
        model.step()
    df = model.datacollector.get_model_vars_dataframe()
    assert len(df) == 3 and {"demand_fte", "supply_fte", "fte_freed", "gap_fte"} <= set(df.columns)
    types = {type(a).__name__ for a in model.agents}
    assert {"Hospital", "Municipality", "Company"} <= types
    assert len(model.agents_by_type[sim.model.organisations.Municipality]) == 6


def test_mesa_batch_run_works():
    import inspect

    params = {"scenario_path": "tests/data/small.toml", "risk_budget": [0.1, 0.5]}
    common = {"max_steps": 3, "number_processes": 1, "display_progress": False}
    if "rng" in inspect.signature(mesa.batch_run).parameters:  # Mesa >= 3.4: seeds go through rng
        rows = mesa.batch_run(HealthSystemModel, parameters=params, rng=[1, 2], **common)
    else:  # Mesa 3.3
        rows = mesa.batch_run(
            HealthSystemModel, parameters={**params, "seed": [1, 2]}, iterations=1, **common
        )
    assert len({(r["seed"], r["risk_budget"]) for r in rows}) == 4
    assert all("gap_fte" in r for r in rows)


def test_seed_none_draws_fresh_entropy(small_scenario):
    a = HealthSystemModel(scenario=small_scenario, seed=None)
    b = HealthSystemModel(scenario=small_scenario, seed=None)
    assert a.seed != b.seed


def test_national_world_has_5_regions_22_hospitals_98_municipalities(baseline):
    model = HealthSystemModel(
        scenario=baseline.with_overrides({"world.staff_scale": 0.02, "time.end_year": 2025}), seed=1
    )
    assert len(set(model.world.region.tolist())) == 5
    assert (model.world.sector == 0).sum() == 22 and (model.world.sector == 1).sum() == 98
    national = model.demography.national[0].sum()
    # every citizen is served by one municipality and, through the region's catchments, by the hospitals
    assert model.world.pop0[model.world.sector == 1].sum() == pytest.approx(national)
    assert model.world.pop0[model.world.sector == 0].sum() == pytest.approx(national)


def test_lever_keywords(small_scenario):
    model = HealthSystemModel(scenario=small_scenario, seed=1, risk_budget=0.7, staff_scale=0.05)
    assert model.scenario.levers.risk_budget == 0.7 and model.scenario.world.staff_scale == 0.05
    with pytest.raises(TypeError, match="unknown lever"):
        HealthSystemModel(scenario=small_scenario, seed=1, risk_budgte=0.7)


def test_a_finished_run_releases_its_model(small_scenario):
    """Many runs in one process (experiments, sensitivity) must not keep every model alive."""
    import gc
    import weakref

    from sim.simulation import release_model, result_from_model, simulate

    model = simulate(HealthSystemModel(scenario=small_scenario, seed=1, collect=False))
    result_from_model(model)
    release_model(model)
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None


def test_importing_the_run_module_keeps_sim_run_the_function():
    """The module behind ``sim.run`` is not called ``run``: importing it must not hide the function."""
    import importlib

    importlib.import_module("sim.simulation")
    assert callable(sim.run) and sim.run.__module__ == "sim.simulation"


_IMPORT_EVERYTHING = """
import multiprocessing
{set_method}
before = multiprocessing.get_start_method(allow_none=True)
import sim
import sim.experiments
from sim.experiments import load_experiment, plan_experiment, run_experiment
import sim.analysis, sim.experiments.executors, sim.experiments.runner, sim.plotting.figures

sim.HealthSystemModel, sim.run, sim.RunResult, sim.run_experiment
after = multiprocessing.get_start_method(allow_none=True)
assert after == before, (before, after)

def gap_after_two_months(levers):  # no `if __name__ == "__main__"` guard below, as in many scripts
    scenario = sim.load_scenario("tests/data/small.toml").with_overrides(levers)
    model = sim.HealthSystemModel(scenario=scenario, seed=1)
    model.step()
    model.step()
    return round(float(model.datacollector.get_model_vars_dataframe()["gap_fte"].iloc[-1]), 3)

with multiprocessing.Pool(2) as pool:
    print(before, after, pool.map(gap_after_two_months, [{{}}, {{"levers.risk_budget": 0.5}}]))
"""


@pytest.mark.parametrize("method", ["fork", None])
def test_importing_sim_leaves_the_callers_start_method(tmp_path, method):
    """Mesa 3.3's batch runner sets the start method to "spawn" when imported; importing the model
    must not (a script with a multiprocessing pool and no __main__ guard would hang or fail)."""
    script = tmp_path / "analyst_script.py"
    set_method = f"multiprocessing.set_start_method({method!r})" if method else ""
    script.write_text(_IMPORT_EVERYTHING.format(set_method=set_method))
    res = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split()[:2] == [str(method), str(method)]
