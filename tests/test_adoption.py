"""Adoption from today (issue 11): the 2025 starting state, coverage inside organisations, a catalogue that
grows, budgets that bind, and an answer that does not depend on how the country is partitioned."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.model.innovation.initial import load_starting_use

SYNTHETIC = {
    40: {
        "world.kind": "synthetic",
        "world.n_regions": 5,
        "world.n_hospitals": 7,
        "world.n_municipalities": 33,
    },
    9: {
        "world.kind": "synthetic",
        "world.n_regions": 3,
        "world.n_hospitals": 3,
        "world.n_municipalities": 6,
    },
}
PARTITION_SEEDS = range(
    12
)  # the spread between seeds of a 9-organisation world is ~25% of the mean


@pytest.fixture(scope="module")
def status_quo_model(baseline):
    """The national world at a small staff scale, first month only."""
    model = sim.HealthSystemModel(
        scenario=baseline.with_overrides({"world.staff_scale": 0.02, "time.end_year": 2025}),
        seed=3,
        collect=False,
    )
    model.step()
    return model


def test_january_2025_has_the_sourced_solutions_in_use(status_quo_model):
    """Every archetype the sources say is used in 2025 is in use at organisations of its sector, with a
    national coverage near share of users x coverage inside them (binomial noise over 98 or 22)."""
    layer = status_quo_model.innovation
    coverage = layer.coverage_history()[0]
    use = load_starting_use()
    for k, arch in enumerate(layer.catalogue.archetypes):
        start = use.get(arch.key)
        if start is None or start.share_of_orgs == 0:
            assert coverage[k] == 0
            continue
        members = (layer.org_sector == arch.sector).sum()
        if start.share_of_orgs * members < 5:
            continue  # too few expected users to test the draw
        assert coverage[k] > 0, arch.key
        expected = start.share_of_orgs * start.coverage
        assert coverage[k] == pytest.approx(expected, abs=0.5 * expected + 0.1), arch.key
    in_use = layer.eng.stage[: layer.eng.n] >= 4
    assert in_use.sum() >= 300  # hundreds of organisation-solution engagements in use on day one


def test_net_fte_freed_starts_at_zero_by_definition(status_quo_model):
    """Hours are counted additional to the 2025 balance: in January 2025 the status quo frees nothing
    net, and innovation costs nothing extra, in every sector and profession."""
    rec = status_quo_model.recorder
    for column in ("fte_freed", "fte_freed_gross", "fte_innovation_work"):
        assert np.abs(rec.sector[0, :, rec.col(column)]).max() < 1e-6, column


def test_the_balance_is_the_sourced_starting_use(status_quo_model):
    """The 2025 balance frees a positive share of demand where solutions are in use."""
    layer = status_quo_model.innovation
    assert layer.base_freed_share.max() > 0.01
    assert (layer.base_freed_share >= 0).all() and (layer.base_freed_share < 1).all()


@pytest.fixture(scope="module")
def status_quo_run(baseline):
    return sim.run(baseline.with_overrides({"world.staff_scale": 0.05}), seed=2)


def test_new_types_enter_use_and_successors_replace_older_solutions(status_quo_run):
    summary = status_quo_run.summary
    assert summary["solution_types_created_cum"] > 0
    assert summary["solution_types_developed_in_use_final"] > 0
    assert summary["successors_developed_cum"] > 0
    assert (
        summary["replacements_cum"] > 0
    )  # a successor took over an older solution's work somewhere
    cov = status_quo_run.coverage
    assert set(cov["origin"]) == {"catalogue", "developed"}


def test_coverage_is_partial_and_some_adopters_abandon(status_quo_run):
    cov = status_quo_run.coverage
    final = cov[cov["date"] == cov["date"].max()]
    assert (final["coverage"] < 0.99).mean() > 0.8  # most types cover part of their national work
    assert status_quo_run.summary["abandonments_cum"] > 0


def test_outputs_by_sector_and_profession(status_quo_run):
    bp = status_quo_run.by_profession
    for column in ("fte_freed", "fte_freed_gross", "fte_innovation_work"):
        assert column in bp.columns
    last = bp[(bp["date"] == bp["date"].max()) & (bp["sector"] == "all")]
    net = last["fte_freed_gross"] - last["fte_innovation_work"]
    np.testing.assert_allclose(last["fte_freed"], net, rtol=1e-9, atol=1e-6)
    ts = status_quo_run.timeseries
    assert {"solution_types_in_use", "replacements", "rollouts_active"} <= set(ts.columns)


def test_budgets_bind(baseline):
    """With no money for new technology and no risk fund, adoption waits: less is freed by 2030 than with
    the status quo's budgets; with ample budgets, more."""

    def freed(share: float, risk: float) -> float:
        sc = baseline.with_overrides(
            {
                "world.staff_scale": 0.02,
                "time.end_year": 2030,
                "calibration.innovation.tech_budget_share": share,
                "levers.risk_budget": risk,
                "incentives.cash_rule": "none",
            }
        )
        return np.mean([sim.run(sc, seed=s).summary["fte_freed_2030"] for s in (1, 2)])

    none, status_quo, ample = freed(0.0, 0.0), freed(0.01, 0.1), freed(0.1, 0.8)
    assert none < status_quo < ample


@functools.cache
def _partition_freed(root: str, scenario_name: str, n_orgs: int | None) -> tuple[float, float]:
    """Mean FTE freed in 2030 and 2035 over PARTITION_SEEDS, national world (None) or synthetic."""
    base = sim.load_scenario(Path(root) / "scenarios" / f"{scenario_name}.toml")
    world = SYNTHETIC[n_orgs] if n_orgs else {}
    sc = base.with_overrides({**world, "world.staff_scale": 0.1, "time.end_year": 2035})
    runs = [sim.run(sc, seed=s).summary for s in PARTITION_SEEDS]
    return tuple(np.mean([[r["fte_freed_2030"], r["fte_freed_2035"]] for r in runs], axis=0))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("scenario_name", "n_orgs"),
    [
        ("baseline", 40),
        ("baseline", 9),
        ("all_recommendations", 40),
        ("all_recommendations", 9),
    ],
)
def test_partition_invariance(root, scenario_name, n_orgs):
    """The national world (22 hospitals, 98 municipalities) and a synthetic world with the same national
    totals and 40 or 9 organisations free the same FTE in 2030 and 2035 within 15% (12 seeds)."""
    national = _partition_freed(str(root), scenario_name, None)
    other = _partition_freed(str(root), scenario_name, n_orgs)
    assert other == pytest.approx(national, rel=0.15), (n_orgs, other, national)
