"""Unit tests of single compiled steps on small hand-built states (issue 14): roll-out, replacement,
procurement routes, scaling up a kept pilot, the adoption decision. Each test builds a tiny world, adds the
rows it needs to the tables and calls one step with the layer's parameters and compiled state."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.model.innovation import events, partnerships, pipeline, state


@pytest.fixture
def layer(small_scenario):
    """The innovation layer of a tiny world in its first month, with money and project time to spare."""
    model = sim.HealthSystemModel(scenario=small_scenario, seed=1, collect=False)
    model.step()
    layer = model.innovation
    layer.org["tech_budget"][:] = 1e12
    layer.org["capacity_fte"][:] = 1e6
    layer.org["used_fte"][:] = 0.0
    return layer


def _new_solution(layer, typ: int, effect: float) -> int:
    (s,) = layer.solutions.add(
        type=typ,
        company=0,
        sector=layer.types.sector[typ],
        true_effect=effect,
        claimed_effect=effect,
        on_market=True,
        evidence=state.PROVEN,
        evidence_effect=effect,
        challenge_org=-1,
        first_pilot_month=-1,
        complexity=np.zeros(7, np.int64),
    )
    layer.grow_tables()
    return int(s)


def _engagement(layer, org: int, sol: int, stage: int, coverage: float, target: float) -> int:
    (e,) = layer.eng.add(
        org=org,
        sol=sol,
        stage=stage,
        started=0,
        adopted=0,
        coverage=coverage,
        target=target,
        effect=layer.solutions.true_effect[sol],
        scope=state.ORGANISATION,
    )
    layer.engagement_of[sol, org] = e
    if stage in (state.ROLLOUT, state.IN_USE):
        layer.solutions.adopters[sol] += 1
    layer.add_active(np.array([e]))
    st = layer.kernel_state(inputs=False)
    layer.eng.price_fte_year[e] = events.licence_price_fte_year(layer.params[0], st, sol)
    return int(e)


def _municipal_type_and_org(layer) -> tuple[int, int]:
    typ = layer.catalogue.keys.index("screen_visits")
    org = int(np.flatnonzero(layer.org_sector == 1)[0])
    return typ, org


def _month(layer, t: int, *steps) -> None:
    st = layer.kernel_state(inputs=False)
    par = layer.params[0]
    pipeline.begin_month(t, par, st)
    for step in steps:
        step(t, par, st)


def test_a_rollout_closes_on_its_target_and_is_then_in_use(layer):
    typ, org = _municipal_type_and_org(layer)
    sol = _new_solution(layer, typ, 0.4)
    e = _engagement(layer, org, sol, state.ROLLOUT, 0.0, 0.5)
    seen = [0.0]
    for t in range(1, 120):
        _month(layer, t, pipeline.rollout_step)
        seen.append(layer.eng.coverage[e])
        if layer.eng.stage[e] == state.IN_USE:
            break
    assert np.all(np.diff(seen) >= 0) and max(seen) <= 0.5
    assert layer.eng.stage[e] == state.IN_USE and layer.eng.coverage[e] > 0.45


def test_a_rollout_waits_without_money(layer):
    typ, org = _municipal_type_and_org(layer)
    sol = _new_solution(layer, typ, 0.4)
    e = _engagement(layer, org, sol, state.ROLLOUT, 0.1, 0.6)
    layer.org["tech_budget"][org] = -1.0
    layer.org["risk_fund"][:] = 0.0
    _month(layer, 30, pipeline.rollout_step)  # long after its start: no scale-up finance either
    assert layer.eng.coverage[e] == 0.1


def test_a_better_successor_replaces_the_older_solution(layer):
    typ, org = _municipal_type_and_org(layer)
    old = _new_solution(layer, typ, 0.2)
    new = _new_solution(layer, typ, 0.5)
    e_old = _engagement(layer, org, old, state.IN_USE, 0.9, 0.9)
    e_new = _engagement(layer, org, new, state.ROLLOUT, 0.0, 0.8)
    replaced = 0.0
    for t in range(1, 200):
        _month(
            layer, t, pipeline.rollout_step, lambda t, par, st: pipeline.replace_step(t, par, st)
        )
        replaced += layer.counts[state.C_REPLACEMENTS].sum()
        total = layer.eng.coverage[e_old] + layer.eng.coverage[e_new]
        assert total <= 1.0 + 1e-9
        if layer.eng.stage[e_old] == state.REPLACED:
            break
    assert layer.eng.coverage[e_new] > 0.7  # within rollout_done_share of its target 0.8
    assert layer.eng.coverage[e_old] <= 0.3
    assert layer.solutions.adopters[new] == 1


def test_procurement_routes_follow_the_rules(layer):
    typ, org = _municipal_type_and_org(layer)
    sol = _new_solution(layer, typ, 0.4)
    par = layer.params[0]
    routes = []
    for seed in range(200):
        e = _engagement(layer, org, sol, state.EVALUATION, 0.0, 0.0)
        layer.region_contracts[sol, layer.org_region[org]] = 1.0 if seed % 2 == 0 else 0.0
        st = layer.kernel_state(inputs=False)
        events.enter_procurement(0, par, st, e, np.random.default_rng(seed))
        routes.append((seed % 2 == 0, int(layer.eng.route[e]), layer.eng.timer[e]))
    with_contract = [r for c, r, _ in routes if c]
    without = [r for c, r, _ in routes if not c]
    assert state.FRAMEWORK not in without  # nothing to call off
    # status-quo flexibility 0.1: a call-off with probability 0.2 + 0.1 x 0.7 = 0.27
    share = np.mean([r == state.FRAMEWORK for r in with_contract])
    assert 0.27 - 0.15 < share < 0.27 + 0.15
    assert set(without) <= {state.EU_TENDER, state.BELOW_THRESHOLD, state.JOINT}


def _kept_pilot(layer, org: int, sol: int, stage: int, coverage: float, target: float) -> int:
    """A frontier pilot kept in one unit: its purchase (PROCUREMENT), roll-out (ROLLOUT) or use."""
    e = _engagement(layer, org, sol, stage, coverage, target)
    layer.eng.scope[e] = state.UNIT
    layer.eng.est_effect[e] = layer.solutions.true_effect[sol]
    return e


def _kept_pilot_to_scale_up(layer, shared_evidence: bool):
    """A good new solution kept in one unit of a municipality (in use at 5% coverage), with shared
    evidence accepted or not: (organisation, solution, engagement, compiled state, parameters)."""
    typ, org = _municipal_type_and_org(layer)
    sol = _new_solution(layer, typ, 0.6)
    e = _kept_pilot(layer, org, sol, state.IN_USE, 0.05, 0.05)
    layer.types.common_evaluation[typ] = 1.0 if shared_evidence else 0.0
    layer.params["common_evaluation_evidence_acceptance"] = 1.0 if shared_evidence else 0.0
    return org, sol, e, layer.kernel_state(inputs=False), layer.params[0]


def test_scaling_up_a_kept_pilot_keeps_its_unit_until_the_new_contract(layer):
    org, sol, e, st, par = _kept_pilot_to_scale_up(layer, shared_evidence=True)
    for seed in range(50):  # the decision is a draw; a good solution is scaled up soon
        pipeline.take_up(1, par, st, org, sol, np.random.default_rng(seed))
        if layer.eng.stage[e] == state.PROCUREMENT:
            break
    assert layer.eng.stage[e] == state.PROCUREMENT and layer.eng.scope[e] == state.ORGANISATION
    assert layer.eng.coverage[e] == 0.05  # the unit keeps using it meanwhile
    layer.eng.lost[e] = True
    layer.eng.timer[e] = 1.0
    _month(
        layer, 2, lambda t, par, st: pipeline.procurement_step(t, par, st, np.random.default_rng(0))
    )
    assert layer.eng.stage[e] == state.IN_USE and layer.eng.scope[e] == state.UNIT


def test_scaling_up_a_kept_pilot_runs_the_organisations_own_local_test(layer):
    """One unit's pilot does not stand in for the local test of the whole organisation (issue 11):
    without shared evidence, the scale-up starts with a test sized by the organisation, while the unit
    keeps the solution; a declined scale-up leaves it in its unit."""
    org, sol, e, st, par = _kept_pilot_to_scale_up(layer, shared_evidence=False)
    pipeline.take_up(1, par, st, org, sol, np.random.default_rng(0))
    assert layer.eng.stage[e] == state.PILOT and layer.eng.scope[e] == state.ORGANISATION
    assert layer.eng.coverage[e] == 0.05
    size = layer.org["size_fte"][org] / par["size_ref_fte"]
    assert layer.eng.project_fte[e] == pytest.approx(
        par["pilot_staff_fte"] * par["local_test_share"] * size
    )
    layer.eng.stage[e] = state.EVALUATION
    layer.eng.est_effect[e] = 1e-6  # a test that shows nothing: the organisation declines
    events.decide(2, par, st, e, np.random.default_rng(0))
    assert layer.eng.stage[e] == state.IN_USE and layer.eng.scope[e] == state.UNIT
    assert layer.eng.coverage[e] == 0.05


def test_a_units_rollout_does_not_bar_its_organisation(layer):
    """A unit's roll-out of its kept pilot (months to years) does not keep the rest of the organisation
    from taking the solution up; only the unit's purchase under way does (issue 11)."""
    typ, org = _municipal_type_and_org(layer)
    sol = _new_solution(layer, typ, 0.6)
    e = _kept_pilot(layer, org, sol, state.ROLLOUT, 0.01, 0.05)
    st = layer.kernel_state(inputs=False)
    par = layer.params[0]
    assert pipeline.eligible_for_takeup(1, par, st, sol, org)
    layer.eng.stage[e] = state.PROCUREMENT
    assert not pipeline.eligible_for_takeup(1, par, st, sol, org)


def test_a_kept_pilot_is_scaled_up_only_under_the_successor_rule(layer):
    """An organisation that uses a solution of the type organisation-wide scales up a unit's pilot of
    another only if its evidence beats the one in use by the upgrade margin, as for any take-up."""
    typ, org = _municipal_type_and_org(layer)
    better, weaker = _new_solution(layer, typ, 0.5), _new_solution(layer, typ, 0.3)
    _engagement(layer, org, better, state.IN_USE, 0.7, 0.7)
    _kept_pilot(layer, org, weaker, state.IN_USE, 0.05, 0.05)
    _month(layer, 1)  # the type's effect in use, as each month starts
    st = layer.kernel_state(inputs=False)
    assert not pipeline.eligible_for_takeup(1, layer.params[0], st, weaker, org)
    stronger = _new_solution(layer, typ, 0.9)
    _kept_pilot(layer, org, stronger, state.IN_USE, 0.05, 0.05)
    st = layer.kernel_state(inputs=False)
    assert pipeline.eligible_for_takeup(1, layer.params[0], st, stronger, org)


def test_the_adoption_decision_rises_with_the_estimated_effect(layer):
    typ, org = _municipal_type_and_org(layer)
    sol = _new_solution(layer, typ, 0.4)
    e = _engagement(layer, org, sol, state.EVALUATION, 0.0, 0.0)
    probs = []
    for estimate in (0.05, 0.2, 0.4, 0.8):
        layer.eng.est_effect[e] = estimate
        probs.append(layer.adoption_probability(e))
    assert all(a < b for a, b in zip(probs, probs[1:], strict=False))
    assert 0 < probs[0] < probs[-1] < 1


def test_ended_partnerships_leave_the_live_list_in_order(layer):
    """``PartnershipTable.live`` lists the partnerships not ended, in the order formed: a partnership ends
    (expiry or ``end_partnership``), and the next ``partnership_step`` drops it and keeps the order."""
    layer.partnerships.reserve(6)
    layer.params["strategic_partnership_cap"] = (
        0.0  # no strategic ones formed: only the list changes
    )
    st = layer.kernel_state(inputs=False)
    par = layer.params[0]
    parts = layer.partnerships
    first = parts.n
    ends = [5, -1, 2, 9, 3, 12]  # expiry months (-1: open-ended)
    for i, end in enumerate(ends):
        events.add_partnership(st, i % 2, 0, state.PROJECT, 1, end, 1.0)
    rows = first + np.arange(len(ends))
    assert (parts.live[: parts.n_live[0]][-len(ends) :] == rows).all()
    events.end_partnership(st, rows[3])  # ended early (its company failed, say)
    partnerships.partnership_step(4, par, st, layer.model.streams["matching"])
    live = parts.live[: parts.n_live[0]]
    np.testing.assert_array_equal(live, np.flatnonzero(parts.active[: parts.n]))
    np.testing.assert_array_equal(live[-3:], rows[[0, 1, 5]])  # ended at 2 and 3, and row 3 gone
