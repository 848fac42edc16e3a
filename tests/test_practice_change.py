"""Practice change on technology already installed (``pipeline.practice_step``, ``initial.PRACTICE_GAPS``):
ceiling lifts in place before 2014 realise part of their effect until the 2014-2016 spread programme
closes the gap; no run that starts in 2025 has a gap, so there the step changes nothing."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np

import sim
from sim.model.history import history_statistics
from sim.model.innovation.state import IN_USE, ROLLOUT

REPO = Path(__file__).resolve().parents[1]
HISTORY_SCENARIO = REPO / "scenarios" / "history" / "history_2012_2024.toml"
SMALL_WORLD = {
    "world.kind": "synthetic",
    "world.n_regions": 2,
    "world.n_hospitals": 3,
    "world.n_municipalities": 20,
    "world.staff_scale": 0.02,
}
INSTALLED = "calibration.history.transfer_aids_installed_share_pre_2014"
GAP = "calibration.history.transfer_aids_practice_gap"
RATE = "calibration.lever_effects.spread_workflows_practice_rate_year"


def _small_history(**overrides: float) -> sim.Scenario:
    return sim.load_scenario(HISTORY_SCENARIO).with_overrides({**SMALL_WORLD, **overrides})


def _transfer_aid_users(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    layer = model.innovation
    k = layer.catalogue.keys.index("transfer_aids")
    eng, sols = layer.eng, layer.solutions
    rows = np.flatnonzero(np.isin(eng.stage[: eng.n], (ROLLOUT, IN_USE)))
    rows = rows[sols.type[eng.sol[rows]] == k]
    return eng.org[rows], eng.effect[rows], sols.true_effect[eng.sol[rows]]


def test_the_2012_starting_state_has_the_installed_base_with_its_gap():
    scenario = _small_history(**{INSTALLED: 0.9, GAP: 0.75})
    model = sim.HealthSystemModel(scenario=scenario, seed=4, collect=False)
    orgs, effect, true_effect = _transfer_aid_users(model)
    municipalities = (model.org_sector == sim.model.demography.SECTORS.index("municipal")).sum()
    assert len(np.unique(orgs)) >= int(0.9 * municipalities)
    np.testing.assert_allclose(effect, 0.25 * true_effect)
    assert model.innovation.params["practice_gaps"][0] == len(orgs)


def test_a_2025_start_has_no_gap_and_ignores_the_practice_coefficients():
    """Every engagement starts at its solution's true effect; the history keys and the practice rate
    leave a run with every recommendation (spread programme at 1) unchanged."""
    scenario = sim.load_scenario(REPO / "scenarios" / "all_recommendations.toml").with_overrides(
        SMALL_WORLD
    )
    model = sim.HealthSystemModel(scenario=scenario, seed=4, collect=False)
    _, effect, true_effect = _transfer_aid_users(model)
    np.testing.assert_array_equal(effect, true_effect)
    assert model.innovation.params["practice_gaps"][0] == 0
    a = sim.run(scenario, seed=2)
    b = sim.run(scenario.with_overrides({INSTALLED: 1.0, GAP: 1.0, RATE: 24.0}), seed=2)
    assert a.summary == b.summary
    assert a.timeseries.equals(b.timeseries)


def test_the_programme_closes_the_gap_and_brings_the_gains_forward():
    """With the gap closing fast the programme's 2015 gains are larger than with no closing (paired
    seeds), and without the programme the rate changes nothing."""
    base = {INSTALLED: 0.9, GAP: 0.8}
    fast, never = _small_history(**base, **{RATE: 12.0}), _small_history(**base, **{RATE: 0.0})
    seeds = range(3)
    gains_fast = np.mean([history_statistics(fast, s)["programme_gains_2015"] for s in seeds])
    gains_never = np.mean([history_statistics(never, s)["programme_gains_2015"] for s in seeds])
    assert gains_fast > gains_never + 10.0

    raw = tomllib.loads(HISTORY_SCENARIO.read_text(encoding="utf-8"))
    raw["programmes"] = []
    without = sim.Scenario(raw, source="history without programmes").with_overrides(
        {**SMALL_WORLD, **base}
    )
    assert history_statistics(without.with_overrides({RATE: 12.0}), 1) == history_statistics(
        without.with_overrides({RATE: 0.0}), 1
    )
