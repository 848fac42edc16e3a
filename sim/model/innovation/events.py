"""Events of the innovation pipeline, one organisation and one solution at a time (compiled with numba).

The monthly steps (``pipeline``, ``companies``, ``partnerships``) decide *who* acts; the functions here do
what an event does to the state: start a pilot, take up a proven solution without one, enter procurement,
start implementation, start a development, form a partnership, and the bookkeeping of money and counters.
Every function takes the compiled state ``st`` (``sim.model.innovation.state.kernel_struct``) and the
parameters ``par`` (``st.params[0]``: calibration, levers and uncertainties by name).
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.innovation.jit import jit
from sim.model.innovation.solutions import draw_solution
from sim.model.innovation.state import (
    ALIVE,
    C_PILOTS,
    EVALUATION,
    IMPLEMENTATION,
    PILOT,
    PILOTED,
    PROCUREMENT,
    PROJECT,
    PROVEN,
    SPREAD,
    STRATEGIC,
    TENDER_LOST,
)

# ----------------------------------------------------------------------------------------------------
# bookkeeping


@jit
def spend(st, org: int, dkk: float) -> None:
    """Book public spending of an organisation this month."""
    st.cost[st.orgs.sector[org]] += dkk


@jit
def count(st, counter: int, org: int) -> None:
    """Count one event of this month in the organisation's sector."""
    st.counts[counter, st.orgs.sector[org]] += 1.0


@jit
def add_engagement(st, org: int, sol: int, stage: int, timer: float, via: int, t: int) -> int:
    """Append an engagement of ``org`` with ``sol``; returns its row."""
    eng = st.eng
    e = eng.size[0]
    if e >= len(eng.org):
        raise RuntimeError("engagement table full: InnovationLayer.reserve_rows reserves too few")
    eng.org[e] = org
    eng.sol[e] = sol
    eng.stage[e] = stage
    eng.timer[e] = timer
    eng.started[e] = t
    eng.adopted[e] = -1
    eng.via[e] = via
    eng.size[0] = e + 1
    st.engaged[sol, org] = True
    st.worked_with[org, st.sols.company[sol]] = True
    return e


@jit
def add_partnership(st, org: int, company: int, form: int, start: int, end: int) -> None:
    """Append an active partnership (``end`` -1: open-ended)."""
    parts = st.parts
    k = parts.size[0]
    if k >= len(parts.org):
        raise RuntimeError("partnership table full: InnovationLayer.reserve_rows reserves too few")
    parts.org[k] = org
    parts.company[k] = company
    parts.form[k] = form
    parts.start[k] = start
    parts.end[k] = end
    parts.active[k] = True
    parts.size[0] = k + 1
    if form == STRATEGIC:
        st.orgs.strategic_count[org] += 1
        st.strategic[org, company] = True


@jit
def end_partnership(st, k: int) -> None:
    """End partnership ``k``."""
    parts = st.parts
    parts.active[k] = False
    if parts.form[k] == STRATEGIC:
        st.orgs.strategic_count[parts.org[k]] -= 1
        st.strategic[parts.org[k], parts.company[k]] = False


# ----------------------------------------------------------------------------------------------------
# values and costs


@jit
def yearly_value_dkk(par, st, org: int, sol: int, effect: float) -> float:
    """Yearly value of the hours a solution would save at an organisation, at ``effect``."""
    addressable_fte = 0.0
    for p in range(st.demand.shape[1]):
        addressable_fte += st.sols.addressable[sol, p] * st.demand[org, p]
    return effect * addressable_fte * par.cost_per_fte_dkk


@jit
def yearly_price_dkk(par, st, org: int, sol: int) -> float:
    """The company's yearly price: a share of the value it claims."""
    return par.price_share_of_value * yearly_value_dkk(
        par, st, org, sol, st.sols.claimed_effect[sol]
    )


@jit
def trained_staff(par, st, org: int, sol: int) -> float:
    """Staff trained for an implementation: a share of the target professions' headcount."""
    fte = 0.0
    for p in range(st.supply.shape[1]):
        if st.sols.addressable[sol, p] > 0:
            fte += st.supply[org, p]
    return fte * par.implementation_share_of_staff / 0.85  # FTE -> persons


@jit
def implementation_cost_dkk_year(par, st, org: int, sol: int) -> float:
    """Training hours of an implementation, valued and spread over the contract."""
    hours = st.sols.impl_hours[sol] * trained_staff(par, st, org, sol)
    return hours / par.hours_per_fte * par.cost_per_fte_dkk / par.contract_years


@jit
def complexity_score(st, sol: int) -> int:
    """Sum of NASSS complexity over the seven domains (0..14)."""
    return st.sols.complexity[sol].sum()


@jit
def mean_strain(st, org: int) -> float:
    """The organisation's strain, averaged over professions."""
    return st.strain[org].mean()


@jit
def evaluation_months(par) -> float:
    """Evaluation time (lever ``common_evaluation``: a common paradigm halves it at 1)."""
    return max(par.evaluation_months * (1.0 - 0.5 * par.common_evaluation), 1.0)


@jit
def open_for_pilot(par, st, org: int) -> bool:
    """A free project slot and budget for at least a local test."""
    orgs = st.orgs
    return (orgs.active_projects[org] < orgs.capacity[org]) and (
        orgs.risk_budget[org] >= 0.5 * par.local_test_share * par.pilot_cost_dkk
    )


# ----------------------------------------------------------------------------------------------------
# random choices


@jit
def choose_weighted(weights: np.ndarray, rng) -> int:
    """An index with probability proportional to ``weights`` (one draw), or -1 if all are zero."""
    total = weights.sum()
    if total <= 0.0:
        return -1
    u = rng.random() * total
    acc = 0.0
    last = -1
    for i in range(len(weights)):
        if weights[i] > 0.0:
            acc += weights[i]
            last = i
            if u < acc:
                return i
    return last


@jit
def draw_archetype(st, sector: int, rng) -> int:
    """An archetype by frequency within ``sector`` (-1: across all sectors)."""
    cum = st.catalogue_cum_weights[sector if sector >= 0 else len(st.catalogue_cum_weights) - 1]
    u = rng.random()
    for a in range(len(cum)):
        if u < cum[a]:
            return a
    return len(cum) - 1


# ----------------------------------------------------------------------------------------------------
# events


@jit
def new_development(
    t: int,
    par,
    st,
    company: int,
    archetype: int,
    transformative: bool,
    rng,
    challenge_org: int,
) -> int:
    """A company starts developing a solution; it becomes pilot-ready after its development time.

    A development answering a posted challenge (``challenge_org`` >= 0) fits better (effect x 1.2), is
    claimed less optimistically and is ready sooner; a transformative one may fail before it is ready.
    """
    sols = st.sols
    s = sols.size[0]
    if s >= len(sols.archetype):
        raise RuntimeError("solution table full: InnovationLayer.reserve_rows reserves too few")
    codeveloped = challenge_org >= 0
    optimism = par.claim_optimism
    if codeveloped:
        optimism = 1.0 + 0.5 * (par.claim_optimism - 1.0)
    true_effect, claimed = draw_solution(
        st.catalogue_effect[archetype],
        st.catalogue_effect_sd[archetype],
        st.catalogue_complexity[archetype],
        transformative,
        par.effect_size,
        par.transformative_multiplier,
        par.transformative_complexity,
        optimism,
        1.2 if codeveloped else 1.0,
        rng,
        sols.complexity[s],
    )
    months = par.transformative_months if transformative else par.development_months
    if codeveloped:
        months *= 0.8
    fails = transformative and rng.random() < par.transformative_failure
    sols.archetype[s] = archetype
    sols.company[s] = company
    sols.sector[s] = st.catalogue_sector[archetype]
    sols.true_effect[s] = true_effect
    sols.claimed_effect[s] = claimed
    sols.transformative[s] = transformative
    sols.ready_month[s] = t + int(round(months))
    sols.on_market[s] = not fails
    sols.challenge_org[s] = challenge_org
    sols.first_pilot_month[s] = -1
    sols.impl_hours[s] = st.catalogue_impl_hours[archetype]
    sols.innovation_type[s] = st.catalogue_type[archetype]
    sols.created_month[s] = t
    sols.addressable[s] = st.catalogue_addressable[archetype]
    sols.size[0] = s + 1
    return s


@jit
def try_start_pilot(t: int, par, st, org: int, sol: int, via: int, committed: bool) -> bool:
    """Start a pilot if the organisation has a free project slot and the risk budget (unless committed).

    Not if it already engaged with the solution or uses a substitute (same archetype). Lever
    ``risk_budget``: the pilot is paid from the risk budget; a later adopter of a proven solution runs a
    shorter, cheaper local test, and a strategic partner's pilot costs half.
    """
    sols, orgs, comp = st.sols, st.orgs, st.comp
    if st.engaged[sol, org] or orgs.uses_archetype[org, sols.archetype[sol]]:
        return False
    if not committed and not open_for_pilot(par, st, org):
        return False
    company = sols.company[sol]
    local = par.local_test_share if sols.evidence[sol] >= PROVEN else 1.0
    cost = par.pilot_cost_dkk * local * (0.5 if st.strategic[org, company] else 1.0)
    if not committed and orgs.risk_budget[org] < cost:
        return False
    orgs.risk_budget[org] -= cost
    spend(st, org, cost)
    months = par.pilot_months * (1.0 - 0.4 * par.test_access) * local
    add_engagement(st, org, sol, PILOT, months, via, t)
    add_partnership(st, org, company, PROJECT, t, t + int(months + evaluation_months(par)))
    comp.traction[company] = True
    comp.revenue_month[company] += 0.5 * cost  # companies are paid part of a pilot
    sols.evidence[sol] = max(sols.evidence[sol], PILOTED)
    if sols.first_pilot_month[sol] < 0:
        sols.first_pilot_month[sol] = t
    count(st, C_PILOTS, org)
    orgs.active_projects[org] += 1
    return True


@jit
def try_start_without_pilot(t: int, par, st, org: int, sol: int, rng) -> bool:
    """Take up a proven solution on others' evidence (lever ``common_evaluation``): straight to
    procurement, with the shared evaluation's estimate of the effect. Needs a free project slot."""
    orgs = st.orgs
    if (
        st.engaged[sol, org]
        or orgs.active_projects[org] >= orgs.capacity[org]
        or orgs.uses_archetype[org, st.sols.archetype[sol]]
    ):
        return False
    e = add_engagement(st, org, sol, PROCUREMENT, 0.0, SPREAD, t)
    st.eng.est_effect[e] = st.sols.true_effect[sol]
    orgs.active_projects[org] += 1
    enter_procurement(t, par, st, e, rng)
    return True


@jit
def enter_procurement(t: int, par, st, e: int, rng) -> None:
    """Set the procurement route, duration and outcome (lever ``procurement_flexibility``).

    Routes: call-off on a framework agreement another organisation of the region already holds (reuse
    grows with flexibility); an innovation partnership for a co-developed solution with a committed buyer
    (allowed with probability = flexibility); an EU tender above the threshold (about 1.64 mDKK, FACTS s6),
    shortened by flexibility; a simpler procurement below it. Transaction costs 1.4% of contract value
    (FACTS s6).
    """
    eng, sols = st.eng, st.sols
    org, sol = eng.org[e], eng.sol[e]
    flex = par.procurement_flexibility
    price = yearly_price_dkk(par, st, org, sol)
    eng.price_year[e] = price
    contract = price * par.contract_years
    if st.region_contracts[sol, st.orgs.region[org]] and rng.random() < 0.2 + 0.7 * flex:
        months, success, cost_share = par.framework_months, 0.98, 0.002
    elif sols.challenge_org[sol] == org and rng.random() < flex:
        months, success, cost_share = par.framework_months + 1.0, 0.95, 0.005
    elif contract >= par.eu_threshold_dkk:
        months = par.tender_months_eu * (1.0 - 0.4 * flex)
        success = par.tender_success + 0.2 * flex * (1.0 - par.tender_success)
        cost_share = par.transaction_cost_share
    else:
        months = par.tender_months_below * (1.0 - 0.3 * flex)
        success, cost_share = 0.9, 0.005
    eng.stage[e] = PROCUREMENT
    eng.timer[e] = max(months, 1.0)
    eng.lost[e] = rng.random() >= success  # this tender will be lost (see procurement_step)
    spend(st, org, cost_share * contract)


@jit
def start_implementation(t: int, par, st, e: int) -> None:
    """Implementation: ramp-up time from complexity, competence, champions, and the spread workflow for the
    2nd..nth adopter (lever ``spread_workflows``); training hours spread over the ramp-up. A solution whose
    substitute (same archetype) got there first is not implemented."""
    eng, sols, orgs = st.eng, st.sols, st.orgs
    org, sol = eng.org[e], eng.sol[e]
    archetype = sols.archetype[sol]
    if orgs.uses_archetype[org, archetype]:
        eng.stage[e] = TENDER_LOST
        return
    spread = par.spread_workflows if sols.evidence[sol] >= PROVEN else 0.0
    competence = orgs.competence[org]
    months = (
        par.implementation_months
        * (1.0 + 0.15 * complexity_score(st, sol))
        * (1.3 - 0.6 * competence)
        / (1.0 + 0.3 * min(orgs.champion_factor[org], 2.0))
        * (1.0 - 0.4 * spread)
    )
    months = max(months, 1.0)
    eng.stage[e] = IMPLEMENTATION
    orgs.uses_archetype[org, archetype] = True
    st.region_contracts[sol, orgs.region[org]] = True
    sols.adopters[sol] += 1
    eng.ramp[e] = 0.0
    eng.ramp_step[e] = 1.0 / months
    eng.effect[e] = min(sols.true_effect[sol] * (0.55 + 0.45 * competence), 0.95)
    hours = sols.impl_hours[sol] * trained_staff(par, st, org, sol) * (1.0 - 0.3 * spread)
    eng.training_fte[e] = hours / months * 12.0 / par.hours_per_fte


@jit
def adoption_probability(par, st, e: int) -> float:
    """Probability that an organisation adopts after its evaluation (lever ``incentive_structures``).

    Logistic in the benefit-cost ratio: the estimated yearly value of the hours saved over the yearly price
    (set on the company's claim) plus implementation; raised when the unit keeps part of the savings
    (``incentive_structures``), by strain, and by champions; lowered by NASSS complexity (assumption).
    """
    eng = st.eng
    org, sol = eng.org[e], eng.sol[e]
    value = yearly_value_dkk(par, st, org, sol, eng.est_effect[e])
    price = yearly_price_dkk(par, st, org, sol)
    impl = implementation_cost_dkk_year(par, st, org, sol)
    ratio = value / max(price + impl, 1.0)
    logit = (
        par.adoption_steepness * (min(ratio, 4.0) - 1.0)
        + par.adoption_bias
        + 1.5 * par.incentive_structures
        + 1.0 * (mean_strain(st, org) - 1.0)
        + 0.4 * st.orgs.champion_factor[org]
        - par.complexity_adoption_penalty * complexity_score(st, sol)
    )
    return 1.0 / (1.0 + math.exp(-logit))


@jit
def adoption_probability_of(st, e: int) -> float:
    """``adoption_probability`` with the state's own parameters (for callers outside compiled code)."""
    return adoption_probability(st.params[0], st, e)


__all__ = [
    "ALIVE",
    "EVALUATION",
    "add_engagement",
    "add_partnership",
    "adoption_probability",
    "adoption_probability_of",
    "choose_weighted",
    "count",
    "draw_archetype",
    "end_partnership",
    "enter_procurement",
    "new_development",
    "open_for_pilot",
    "spend",
    "start_implementation",
    "try_start_pilot",
    "try_start_without_pilot",
    "yearly_value_dkk",
]
