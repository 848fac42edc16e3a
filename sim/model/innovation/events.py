"""Events of the innovation pipeline, one organisation and one solution at a time (compiled).

The monthly steps (``pipeline``, ``companies``, ``partnerships``) decide *who* acts; the functions here do
what an event does to the state: start a pilot or a local test, take up a proven solution, decide,
enter procurement, start a roll-out, end an engagement, start a development, form a partnership, and the
bookkeeping of money, capacity and counters. Every function takes the compiled state ``st``
(``sim.model.innovation.state``) and ``par = st.params[0]`` (calibration, lever effects, policy rules,
this month's lever values, uncertainties, by name).
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.innovation.jit import jit
from sim.model.innovation.solutions import draw_solution
from sim.model.innovation.state import (
    ABANDONED,
    ANY_SECTOR,
    BELOW_THRESHOLD,
    C_ABANDONMENTS,
    C_PILOTS,
    EU_TENDER,
    EVALUATED,
    EVALUATION,
    FRAMEWORK,
    IN_USE,
    INNOVATION_PARTNERSHIP,
    JOINT,
    K_IMPLEMENTATION,
    K_INCENTIVES,
    K_PILOTS,
    K_PROCUREMENT,
    ORGANISATION,
    PILOT,
    PILOTED,
    PRE_COMMERCIAL,
    PROCUREMENT,
    PROJECT,
    PROVEN,
    REJECTED,
    ROLLOUT,
    STRATEGIC,
    TENDER_LOST,
    UNIT,
)

# ----------------------------------------------------------------------------------------------------
# bookkeeping


@jit
def spend(st, org: int, dkk: float, purpose: int) -> None:
    """Book public spending of an organisation this month, by purpose (``state.COST_PURPOSES``)."""
    st.cost[st.orgs.sector[org], purpose] += dkk


@jit
def count(st, counter: int, org: int) -> None:
    """Count one event of this month in the organisation's sector."""
    st.counts[counter, st.orgs.sector[org]] += 1.0


@jit
def add_engagement(st, org: int, sol: int, stage: int, timer: float, via: int, t: int) -> int:
    """Append an engagement of ``org`` with ``sol`` (and to the active list); returns its row."""
    eng = st.eng
    e = eng.size[0]
    if e >= len(eng.org) or st.n_active[0] >= len(st.active):
        raise RuntimeError("engagement table full: InnovationLayer.reserve_rows reserves too few")
    eng.org[e] = org
    eng.sol[e] = sol
    eng.stage[e] = stage
    eng.timer[e] = timer
    eng.started[e] = t
    eng.adopted[e] = -1
    eng.coverage[e] = 0.0
    eng.target[e] = 0.0
    eng.project_fte[e] = 0.0
    eng.via[e] = via
    eng.lost[e] = False
    eng.size[0] = e + 1
    st.active[st.n_active[0]] = e
    st.n_active[0] += 1
    st.engagement_of[sol, org] = e
    st.worked_with[org, st.sols.company[sol]] = True
    return e


@jit
def add_partnership(
    st, org: int, company: int, form: int, start: int, end: int, scale: float
) -> None:
    """Append an active partnership (``end`` -1: open-ended) of ``scale`` reference sizes (and to the
    list of partnerships not yet ended, ``PartnershipTable.live``)."""
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
    parts.scale[k] = scale
    parts.size[0] = k + 1
    parts.live[parts.n_live[0]] = k
    parts.n_live[0] += 1
    if form == STRATEGIC:
        st.orgs.strategic_count[org] += 1
        st.strategic[org, company] = True


@jit
def end_partnership(st, k: int) -> None:
    """End partnership ``k`` (it leaves the list of live partnerships at the next
    ``partnerships.partnership_step``)."""
    parts = st.parts
    parts.active[k] = False
    if parts.form[k] == STRATEGIC:
        st.orgs.strategic_count[parts.org[k]] -= 1
        st.strategic[parts.org[k], parts.company[k]] = False


# ----------------------------------------------------------------------------------------------------
# organisations: size, ownership, capacity, budgets


@jit(inline=True)
def size_factor(par, st, org: int) -> float:
    """The organisation's staff FTE in units of the reference size (``size_ref_fte``): rates of events
    that scale with the organisation (pilots found, partnership projects) are per reference size, so the
    national answer does not depend on how the country is partitioned into organisations."""
    return st.orgs.size_fte[org] / par.size_ref_fte


@jit(inline=True)
def ownership(par) -> float:
    """Ownership of innovation as a core task, 0..1 (lever ``innovation_core_task``): rises with the share
    of hours reserved for it, 1 - exp(-share / innovation_core_task_ownership_pct)."""
    return 1.0 - math.exp(-par.innovation_core_task / par.innovation_core_task_ownership_pct)


@jit(inline=True)
def free_capacity_fte(st, org: int) -> float:
    """Project staff time (FTE) the organisation has left this month."""
    return max(st.orgs.capacity_fte[org] - st.orgs.used_fte[org], 0.0)


@jit(inline=True)
def risk_funds_available(par, st, org: int) -> float:
    """DKK the organisation's risk fund (lever ``risk_budget``; pooled per [risk_budget] pooling) holds."""
    return max(st.orgs.risk_fund[st.orgs.fund[org]], 0.0)


@jit
def can_pay(par, st, org: int, dkk: float, risk_first: bool) -> bool:
    """Whether the organisation can pay ``dkk`` now: from its risk fund (if ``risk_first``) and its
    technology budget together."""
    available = max(st.orgs.tech_budget[org], 0.0)
    if risk_first:
        available += risk_funds_available(par, st, org)
    return available >= dkk


@jit(inline=True)
def pay(par, st, org: int, dkk: float, purpose: int, risk_first: bool) -> None:
    """Pay ``dkk``: first from the risk fund (if ``risk_first``), the rest from the technology budget
    (which may go below zero for running commitments; then new commitments wait)."""
    if risk_first:
        f = st.orgs.fund[org]
        from_fund = min(max(st.orgs.risk_fund[f], 0.0), dkk)
        st.orgs.risk_fund[f] -= from_fund
        dkk_left = dkk - from_fund
    else:
        dkk_left = dkk
    st.orgs.tech_budget[org] -= dkk_left
    spend(st, org, dkk, purpose)


# ----------------------------------------------------------------------------------------------------
# values, prices, costs


@jit(inline=True)
def addressable_fte(st, org: int, typ: int) -> float:
    """FTE of the organisation's demand that a solution type can address (this month)."""
    addressable, demand = st.types.addressable, st.demand
    total = 0.0
    for p in range(demand.shape[1]):
        total += addressable[typ, p] * demand[org, p]
    return total


@jit(inline=True)
def target_staff(st, org: int, typ: int) -> float:
    """Staff FTE in the professions a type addresses."""
    addressable, supply = st.types.addressable, st.supply
    total = 0.0
    for p in range(supply.shape[1]):
        if addressable[typ, p] > 0.0:
            total += supply[org, p]
    return total


@jit
def unit_coverage(par, st, org: int, typ: int) -> float:
    """Coverage of one pilot unit (``pilot_unit_fte`` staff of the type's professions) in the
    organisation: the share of its work of the type a kept frontier pilot covers."""
    staff = target_staff(st, org, typ)
    return min(par.pilot_unit_fte / staff, 1.0) if staff > 0.0 else 1.0


@jit(entry=True)
def licence_price_fte_year(par, st, sol: int) -> float:
    """The company's yearly price per covered addressable FTE: a share of the value it claims (raised by
    less competition under flexible procurement, lever ``procurement_flexibility``)."""
    flex = st.types.procurement_flexibility[st.sols.type[sol]]
    premium = 1.0 + flex * par.procurement_flexibility_price_premium
    return par.price_share_of_value * st.sols.claimed_effect[sol] * par.cost_per_fte_dkk * premium


@jit(inline=True)
def coverage_cost_dkk(par, st, e: int, fte: float, coverage: float) -> float:
    """One-off implementation fee (DKK) of extending engagement ``e`` by ``coverage``; ``fte`` is
    ``addressable_fte`` of its organisation and type (passed in: the caller has it already)."""
    return par.implementation_fee_years * st.eng.price_fte_year[e] * fte * coverage


@jit(inline=True)
def training_fte(par, st, typ: int, staff: float, coverage: float) -> float:
    """Staff time (FTE for one month) to train the staff of ``coverage`` of the work of type ``typ``;
    ``staff`` is ``target_staff`` of the organisation and type (passed in: the caller has it already)."""
    persons = staff * coverage * par.trained_staff_share
    return st.types.impl_hours[typ] * persons / (par.hours_per_fte / 12.0)


@jit(inline=True)
def complexity_score(st, sol: int) -> int:
    """Sum of NASSS complexity over the seven domains (0..14)."""
    complexity = st.sols.complexity
    total = 0
    for domain in range(complexity.shape[1]):
        total += complexity[sol, domain]
    return total


@jit
def mean_strain(st, org: int) -> float:
    """The organisation's strain, averaged over professions."""
    return st.strain[org].mean()


@jit
def evaluation_noise(par, st, typ: int) -> float:
    """Log-sd of an organisation's estimate of the effect of a solution of type ``typ`` (lever
    ``common_evaluation``: a shared paradigm pools evidence and cuts the noise)."""
    common = st.types.common_evaluation[typ]
    return par.evaluation_noise * (1.0 - common * par.common_evaluation_noise_cut)


@jit
def evaluation_months(par, st, typ: int) -> float:
    """Evaluation time (lever ``common_evaluation``: shorter with a common paradigm)."""
    common = st.types.common_evaluation[typ]
    return max(par.evaluation_months * (1.0 - common * par.common_evaluation_time_cut), 1.0)


@jit
def evaluation_cost_dkk(par, st, typ: int) -> float:
    """Cost of one evaluation (lever ``common_evaluation``: cheaper with a common paradigm)."""
    common = st.types.common_evaluation[typ]
    return par.evaluation_cost_dkk * (1.0 - common * par.common_evaluation_cost_cut)


@jit(entry=True)
def set_type_weights(st, first: int) -> None:
    """Each organisation's share of its sector's addressable FTE of each type from ``first`` on
    (``orgs.type_weight``, the weights of the national coverage that drives imitation), and each type's
    largest share (``types.largest_weight``)."""
    orgs, types = st.orgs, st.types
    n_orgs = len(orgs.sector)
    for k in range(first, types.size[0]):
        sector = types.sector[k]
        total = 0.0
        for o in range(n_orgs):
            w = 0.0
            if sector == ANY_SECTOR or orgs.sector[o] == sector:
                w = addressable_fte(st, o, k)
            orgs.type_weight[o, k] = w
            total += w
        largest = 0.0
        for o in range(n_orgs):
            orgs.type_weight[o, k] = orgs.type_weight[o, k] / total if total > 0.0 else 0.0
            largest = max(largest, orgs.type_weight[o, k])
        types.largest_weight[k] = largest


# ----------------------------------------------------------------------------------------------------
# random choices


@jit
def choose_weighted(weights: np.ndarray, n: int, rng) -> int:
    """An index below ``n`` with probability proportional to ``weights`` (one draw), or -1 if all are 0."""
    total = 0.0
    for i in range(n):
        total += weights[i]
    if total <= 0.0:
        return -1
    u = rng.random() * total
    acc = 0.0
    last = -1
    for i in range(n):
        if weights[i] > 0.0:
            acc += weights[i]
            last = i
            if u < acc:
                return i
    return last


@jit
def draw_type(st, sector: int, rng) -> int:
    """A solution type by its development weight, within ``sector`` (-1: across all sectors)."""
    types = st.types
    total = 0.0
    for k in range(types.size[0]):
        if sector < 0 or types.sector[k] == sector:
            total += types.weight[k]
    u = rng.random() * total
    acc = 0.0
    last = 0
    for k in range(types.size[0]):
        if sector < 0 or types.sector[k] == sector:
            acc += types.weight[k]
            last = k
            if u < acc:
                return k
    return last


@jit
def draw_org_by_size(st, sector: int, rng) -> int:
    """An organisation of ``sector`` (-1: any) with probability proportional to its staff FTE."""
    orgs = st.orgs
    first, last = 0, len(orgs.sector)
    if sector >= 0:
        first, last = orgs.sector_start[sector], orgs.sector_start[sector + 1]
    total = 0.0
    for i in range(first, last):
        total += orgs.size_fte[orgs.sector_orgs[i] if sector >= 0 else i]
    u = rng.random() * total
    acc = 0.0
    chosen = -1
    for i in range(first, last):
        o = orgs.sector_orgs[i] if sector >= 0 else i
        acc += orgs.size_fte[o]
        chosen = o
        if u < acc:
            return o
    return chosen


# ----------------------------------------------------------------------------------------------------
# development


@jit
def new_solution(
    t: int,
    par,
    st,
    company: int,
    typ: int,
    transformative: bool,
    rng,
    challenge_org: int,
    successor: bool,
) -> int:
    """A company starts developing a solution of type ``typ``; it is pilot-ready after its development time.

    A successor of a catalogue type improves on the best of the type's starting solutions
    (``types.best_effect``, mean gain ``successor_effect_gain``; successors do not compound); a first
    solution of a type, and a successor of a developed type, draw around the type's effect. A development answering a posted challenge
    (``challenge_org`` >= 0, lever ``challenge_driven_share``) fits the need better, is claimed less
    optimistically and is ready sooner; a transformative one may fail before it is ready.
    """
    sols, types = st.sols, st.types
    s = sols.size[0]
    if s >= len(sols.type):
        raise RuntimeError("solution table full: InnovationLayer.reserve_rows reserves too few")
    codeveloped = challenge_org >= 0
    optimism = par.claim_optimism
    fit = 1.0
    if codeveloped:
        optimism = 1.0 + (par.claim_optimism - 1.0) * (
            1.0 - par.challenge_driven_share_claim_realism
        )
        fit = par.challenge_driven_share_fit_bonus
    base = types.effect[typ]
    generation = 0
    if successor and types.best_effect[typ] > 0.0:
        base = types.best_effect[typ] * (1.0 + par.successor_effect_gain)
        generation = 1
        for other in range(s):
            if sols.type[other] == typ and sols.generation[other] >= generation:
                generation = sols.generation[other] + 1
    true_effect, claimed = draw_solution(
        base,
        types.effect_sd[typ],
        types.complexity[typ],
        transformative,
        par.effect_size,
        par.transformative_multiplier,
        par.transformative_complexity,
        optimism,
        par.claim_noise_sd,
        fit,
        par.max_effect,
        rng,
        sols.complexity[s],
    )
    months = par.transformative_months if transformative else par.development_months
    if codeveloped:
        months *= par.challenge_driven_share_time_factor
    fails = transformative and rng.random() < par.transformative_failure
    sols.type[s] = typ
    sols.company[s] = company
    sols.generation[s] = generation
    sols.sector[s] = types.sector[typ]
    sols.true_effect[s] = true_effect
    sols.claimed_effect[s] = claimed
    sols.transformative[s] = transformative
    sols.ready_month[s] = t + int(round(months))
    sols.on_market[s] = not fails
    sols.evidence[s] = 0
    sols.challenge_org[s] = challenge_org
    sols.first_pilot_month[s] = -1
    sols.created_month[s] = t
    sols.adopters[s] = 0
    sols.coverage[s] = 0.0
    sols.size[0] = s + 1
    return s


# ----------------------------------------------------------------------------------------------------
# pilots, evaluation, decision


@jit
def test_scale(par, st, org: int, sol: int) -> float:
    """Size of a pilot relative to a first pilot: 1 for a solution not yet evaluated in Denmark (a pilot
    is a unit-sized trial wherever it runs); for an evaluated one, a later adopter's local test,
    ``local_test_share`` of a pilot per reference size (it tests the solution in the organisation's own
    setting, in proportion to its size, so that taking up a solution costs the same per hour covered in a
    small and a large organisation)."""
    if st.sols.evidence[sol] >= EVALUATED:
        return par.local_test_share * size_factor(par, st, org)
    return 1.0


@jit
def pilot_cost_dkk(par, st, org: int, sol: int) -> float:
    """Public cost of a pilot (or, for a proven solution, of a local test, ``test_scale``): cheaper with
    easy access to test facilities (lever ``test_access``) and for a strategic partner's solution."""
    local = test_scale(par, st, org, sol)
    partner = (
        par.strategic_partnership_cap_pilot_cost_share
        if st.strategic[org, st.sols.company[sol]]
        else 1.0
    )
    return (
        par.pilot_cost_dkk
        * local
        * partner
        * (1.0 - par.test_access * par.test_access_pilot_cost_cut)
    )


@jit
def pilot_months(par, st, sol: int) -> float:
    """Duration of a pilot or local test (lever ``test_access``: faster with test facilities; lever
    ``spread_workflows``: a standard local test of a proven solution is shorter)."""
    months = par.pilot_months * (1.0 - par.test_access * par.test_access_pilot_time_cut)
    if st.sols.evidence[sol] >= EVALUATED:
        workflow = st.types.spread_workflows[st.sols.type[sol]]
        months *= par.local_test_months_share * (1.0 - workflow * par.spread_workflows_time_cut)
    return max(months, 1.0)


@jit
def try_start_pilot(t: int, par, st, org: int, sol: int, via: int, committed: bool) -> bool:
    """Start a pilot (or a local test of a proven solution) if the organisation has free project time
    and can pay it, risk fund first (lever ``risk_budget``); a committed pilot (a co-developed solution, a
    strategic partner's joint project) skips those checks."""
    sols, orgs, comp = st.sols, st.orgs, st.comp
    current = st.engagement_of[sol, org]
    if (
        current >= 0 and st.eng.stage[current] <= IN_USE
    ):  # engaged now (an ended one may be retried)
        return False
    cost = pilot_cost_dkk(par, st, org, sol)
    scale = test_scale(par, st, org, sol)
    staff = par.pilot_staff_fte * scale
    if not committed:
        if free_capacity_fte(st, org) < staff:
            return False
        if not can_pay(par, st, org, cost, True):
            return False
    pay(par, st, org, cost, K_PILOTS, True)
    months = pilot_months(par, st, sol)
    e = add_engagement(st, org, sol, PILOT, months, via, t)
    st.eng.project_fte[e] = staff
    st.eng.scope[e] = ORGANISATION if sols.evidence[sol] >= EVALUATED else UNIT
    add_partnership(
        st,
        org,
        sols.company[sol],
        PROJECT,
        t,
        t + int(months + evaluation_months(par, st, sols.type[sol])),
        scale,
    )
    orgs.used_fte[org] += staff
    comp.traction[sols.company[sol]] = True
    comp.revenue_month[sols.company[sol]] += par.pilot_company_share * cost
    if sols.evidence[sol] < EVALUATED:
        sols.frontier_pilots[sol] += 1
    sols.evidence[sol] = max(sols.evidence[sol], PILOTED)
    if sols.first_pilot_month[sol] < 0:
        sols.first_pilot_month[sol] = t
    count(st, C_PILOTS, org)
    return True


@jit
def try_start_scaleup_test(t: int, par, st, e: int) -> bool:
    """The local test with which an organisation starts scaling up a frontier pilot its unit keeps
    (engagement ``e``): as ``try_start_pilot`` for a later adopter of a proven solution, sized by the
    organisation (``test_scale``), on the same engagement, whose unit keeps using the solution meanwhile.
    Needs free project time and money; returns whether it started."""
    org, sol = st.eng.org[e], st.eng.sol[e]
    cost = pilot_cost_dkk(par, st, org, sol)
    staff = par.pilot_staff_fte * test_scale(par, st, org, sol)
    if free_capacity_fte(st, org) < staff or not can_pay(par, st, org, cost, True):
        return False
    pay(par, st, org, cost, K_PILOTS, True)
    st.eng.stage[e] = PILOT
    st.eng.timer[e] = pilot_months(par, st, sol)
    st.eng.project_fte[e] = staff
    st.orgs.used_fte[org] += staff
    st.comp.revenue_month[st.sols.company[sol]] += par.pilot_company_share * cost
    count(st, C_PILOTS, org)
    return True


@jit
def adoption_probability(par, st, e: int) -> float:
    """Probability that an organisation adopts a solution it has evaluated (or whose shared evidence it
    accepts).

    Logistic in the benefit-cost ratio (estimated yearly value of the hours saved over the yearly licence
    and the training it needs), shifted by the status-quo reluctance (``adoption_bias``); raised by the
    incentives units have (lever ``incentive_structures``), by strain and by champions; lowered by NASSS
    complexity; and, for a solution without national proof, lowered by its uncertainty unless a risk fund
    can carry it (lever ``risk_budget``).
    """
    eng, sols = st.eng, st.sols
    org, sol = eng.org[e], eng.sol[e]
    typ = sols.type[sol]
    fte = addressable_fte(st, org, typ)
    value = eng.est_effect[e] * fte * par.cost_per_fte_dkk
    price = licence_price_fte_year(par, st, sol) * fte
    training = (
        training_fte(par, st, typ, target_staff(st, org, typ), 1.0) / 12.0 * par.cost_per_fte_dkk
    )
    ratio = value / max(price + training / par.contract_years, 1.0)
    unproven = 0.0
    if sols.evidence[sol] < PROVEN:
        first_year = price + training
        cover = min(risk_funds_available(par, st, org) / max(first_year, 1.0), 1.0)
        unproven = par.unproven_adoption_penalty * (
            1.0 - par.risk_budget_uncertainty_tolerance * cover
        )
    logit = (
        par.adoption_steepness * (min(ratio, 4.0) - 1.0)
        + par.adoption_bias
        + par.incentive_structures * par.incentive_structures_adoption_logit
        + par.adoption_strain_logit * (mean_strain(st, org) - 1.0)
        + par.adoption_champion_logit * st.orgs.champion_factor[org]
        - par.complexity_adoption_penalty * complexity_score(st, sol)
        - unproven
    )
    return 1.0 / (1.0 + math.exp(-logit))


@jit
def adoption_probability_of(st, e: int) -> float:
    """``adoption_probability`` with the state's own parameters (for callers outside compiled code)."""
    return adoption_probability(st.params[0], st, e)


@jit
def decide(t: int, par, st, e: int, rng) -> bool:
    """After an evaluation (or on accepted shared evidence): adopt (enter procurement) or reject."""
    if rng.random() < adoption_probability(par, st, e):
        sol = st.eng.sol[e]
        if st.sols.evidence[sol] < EVALUATED:
            st.sols.evidence[sol] = EVALUATED
        enter_procurement(t, par, st, e, rng)
        return True
    if st.eng.coverage[e] > 0.0:  # a kept pilot's scale-up declined: it stays in its unit
        keep_in_unit(par, st, e)
        return False
    st.eng.stage[e] = REJECTED
    return False


@jit
def keep_in_unit(par, st, e: int) -> None:
    """A frontier pilot kept in its unit whose scale-up across the organisation was declined or not
    bought: back to its unit, in use (or its unit's roll-out resumed)."""
    eng = st.eng
    done = eng.target[e] - eng.coverage[e] <= par.rollout_done_share * eng.target[e]
    eng.stage[e] = IN_USE if done else ROLLOUT
    eng.scope[e] = UNIT


# ----------------------------------------------------------------------------------------------------
# procurement and roll-out


@jit
def contract_share(par, st, org: int, sol: int) -> float:
    """How much of the organisation's procurement scope ([procurement] framework_scope: its region, or
    the nation) already holds a framework contract for the solution that it may call off: the share, by
    staff, of the scope's organisations that bought it (1 after a joint procurement for the scope). A
    share rather than a yes/no, so a region of many small organisations and one of a few large ones
    offer the same chance."""
    if st.national_contract[sol]:
        return 1.0
    if par.framework_scope < 0.5:
        return st.region_contracts[sol, st.orgs.region[org]]
    total = 0.0
    for r in range(st.region_contracts.shape[1]):
        total += st.region_contracts[sol, r] * st.orgs.region_weight[r]
    return total


@jit
def enter_procurement(t: int, par, st, e: int, rng) -> None:
    """Choose the procurement route, its duration and outcome (lever ``procurement_flexibility``; the
    routes' rules in the scenario's [procurement] section).

    In order: a call-off on a framework contract in scope (reuse rises with flexibility); an innovation
    partnership for a co-developed solution with its committed buyer, where allowed, else pre-commercial
    procurement where allowed; a joint procurement by a region or a national body for a proven solution
    (where the rules provide it), which gives everyone in its scope a contract to call off later; an EU
    tender above the threshold (shortened by flexibility); a simpler procurement below it. Each route
    has its own duration, success rate and transaction cost.
    """
    eng, sols = st.eng, st.sols
    org, sol = eng.org[e], eng.sol[e]
    flex = st.types.procurement_flexibility[sols.type[sol]]
    eng.price_fte_year[e] = licence_price_fte_year(par, st, sol)
    fte = addressable_fte(st, org, sols.type[sol])
    if eng.scope[e] == UNIT:
        fte *= unit_coverage(par, st, org, sols.type[sol])
    contract = eng.price_fte_year[e] * fte * par.contract_years
    codeveloped = sols.challenge_org[sol] == org
    reuse = min(par.framework_reuse + flex * par.procurement_flexibility_framework_reuse, 1.0)
    if rng.random() < reuse * contract_share(par, st, org, sol):
        route, months, success, cost_share = (
            FRAMEWORK, par.framework_months, par.framework_success, par.framework_cost_share,
        )  # fmt: skip
    elif (
        codeveloped
        and par.innovation_partnership_allowed > 0.5
        and rng.random() < flex * par.procurement_flexibility_innovation_partnership
    ):
        route, months, success, cost_share = (
            INNOVATION_PARTNERSHIP,
            par.innovation_partnership_months,
            par.innovation_partnership_success,
            par.framework_cost_share,
        )
    elif codeveloped and par.pre_commercial_allowed > 0.5:
        route, months, success, cost_share = (
            PRE_COMMERCIAL,
            par.pre_commercial_months,
            par.pre_commercial_success,
            par.transaction_cost_share,
        )
    elif (
        par.joint_procurement > 0.5
        and sols.evidence[sol] >= PROVEN
        and rng.random() < flex * par.procurement_flexibility_joint_use
    ):
        route, months, success, cost_share = (
            JOINT, par.joint_months, par.tender_success, par.transaction_cost_share / par.joint_cost_divisor,
        )  # fmt: skip
    elif contract >= par.eu_threshold_dkk:
        route = EU_TENDER
        months = par.tender_months_eu * (1.0 - flex * par.procurement_flexibility_tender_time_cut)
        success = par.tender_success + flex * par.procurement_flexibility_success_gain * (
            1.0 - par.tender_success
        )
        cost_share = par.transaction_cost_share
    else:
        route = BELOW_THRESHOLD
        months = par.tender_months_below * (
            1.0 - flex * par.procurement_flexibility_tender_time_cut
        )
        success, cost_share = par.below_threshold_success, par.below_threshold_cost_share
    eng.stage[e] = PROCUREMENT
    eng.route[e] = route
    eng.timer[e] = max(months, 1.0)
    eng.lost[e] = rng.random() >= success  # this procurement will be lost (procurement_step)
    pay(par, st, org, cost_share * contract, K_PROCUREMENT, False)


@jit
def start_rollout(t: int, par, st, e: int, rng) -> None:
    """A won procurement: the organisation starts rolling the solution out.

    Its target coverage (where it will stop) is Beta-distributed around ``coverage_target_mean``, raised
    by ownership (lever ``innovation_core_task``) and competence; the realised effect on covered work
    follows competence. A joint procurement gives its whole scope a contract to call off; any contract
    adds the organisation's staff share of its region to the region's contract share
    (``contract_share``). Units with incentives get a staff bonus per adoption (lever
    ``incentive_structures``; [incentives] staff_bonus_dkk_per_adoption). ``adopted`` is the month this
    roll-out starts, also for a kept unit's scale-up: the window of scale-up finance
    (``pay_extension``) opens for the organisation's roll-out, not only for its unit's.
    """
    eng, sols, orgs = st.eng, st.sols, st.orgs
    org, sol = eng.org[e], eng.sol[e]
    mean = (
        par.coverage_target_mean
        + ownership(par) * par.innovation_core_task_target_gain
        + (orgs.competence[org] - par.competence_base) * par.competence_target_gain
    )
    mean = min(max(mean, 0.05), 0.98)
    concentration = par.coverage_target_concentration
    unit = unit_coverage(par, st, org, sols.type[sol])
    if eng.scope[e] == UNIT:
        eng.target[e] = unit
    else:
        target = rng.beta(mean * concentration, (1.0 - mean) * concentration)
        eng.target[e] = max(target, eng.coverage[e], min(unit, 1.0))
    first = eng.coverage[e] <= 0.0
    if first:
        sols.adopters[sol] += 1
    eng.adopted[e] = t
    eng.stage[e] = ROLLOUT
    eng.effect[e] = sols.true_effect[sol]
    if eng.scope[e] == ORGANISATION and sols.evidence[sol] == EVALUATED:
        sols.evidence[sol] = PROVEN
    r = orgs.region[org]
    if eng.route[e] == JOINT:  # a joint procurement buys for the whole region (or nation)
        st.region_contracts[sol, r] = 1.0
        if par.joint_procurement > 1.5:
            st.national_contract[sol] = True
    elif first:  # its own contract adds its share of the region
        st.region_contracts[sol, r] = min(st.region_contracts[sol, r] + orgs.region_share[org], 1.0)
    bonus = par.incentive_structures * par.staff_bonus_dkk_per_adoption
    if bonus > 0.0:
        pay(par, st, org, bonus, K_INCENTIVES, False)


@jit
def end_engagement(st, e: int, stage: int, counter: int) -> None:
    """End a roll-out or use (ABANDONED or REPLACED): coverage leaves the type's total."""
    eng, sols = st.eng, st.sols
    org, sol = eng.org[e], eng.sol[e]
    st.orgs.type_coverage[org, sols.type[sol]] -= eng.coverage[e]
    if st.orgs.type_coverage[org, sols.type[sol]] < 0.0:
        st.orgs.type_coverage[org, sols.type[sol]] = 0.0
    eng.coverage[e] = 0.0
    eng.stage[e] = stage
    sols.adopters[sol] -= 1
    count(st, counter, org)


@jit
def abandon(st, e: int) -> None:
    """The organisation drops the solution."""
    end_engagement(st, e, ABANDONED, C_ABANDONMENTS)


@jit(inline=True)
def extension_cost(par, st, e: int, fte: float, coverage: float) -> float:
    """DKK needed now to extend engagement ``e`` by ``coverage``: the implementation fee and the first
    month of the added licence (``fte``: ``addressable_fte`` of its organisation and type)."""
    return (
        coverage_cost_dkk(par, st, e, fte, coverage)
        + st.eng.price_fte_year[e] * fte * coverage / 12.0
    )


@jit(inline=True)
def pay_extension(par, st, e: int, fte: float, coverage: float, t: int) -> None:
    """Pay the implementation fee of an extension: from the risk fund first during the first
    [risk_budget] scaleup_months of a roll-out (scale-up finance, lever ``risk_budget``), else from the
    technology budget (``fte``: ``addressable_fte`` of its organisation and type)."""
    org = st.eng.org[e]
    scaleup = t - st.eng.adopted[e] < par.scaleup_months
    pay(par, st, org, coverage_cost_dkk(par, st, e, fte, coverage), K_IMPLEMENTATION, scaleup)


@jit(inline=True)
def affordable_share(par, st, e: int, fte: float, coverage: float, t: int) -> float:
    """Share (0..1) of an extension by ``coverage`` the organisation can pay now (``fte``:
    ``addressable_fte`` of its organisation and type)."""
    cost = extension_cost(par, st, e, fte, coverage)
    if cost <= 0.0:
        return 1.0
    org = st.eng.org[e]
    available = max(st.orgs.tech_budget[org], 0.0)
    if t - st.eng.adopted[e] < par.scaleup_months:
        available += risk_funds_available(par, st, org)
    return min(available / cost, 1.0)


__all__ = [
    "EVALUATION",
    "IN_USE",
    "PILOT",
    "TENDER_LOST",
    "abandon",
    "add_engagement",
    "add_partnership",
    "addressable_fte",
    "adoption_probability",
    "adoption_probability_of",
    "affordable_share",
    "can_pay",
    "choose_weighted",
    "count",
    "decide",
    "draw_org_by_size",
    "draw_type",
    "end_engagement",
    "end_partnership",
    "enter_procurement",
    "evaluation_cost_dkk",
    "evaluation_months",
    "evaluation_noise",
    "free_capacity_fte",
    "new_solution",
    "ownership",
    "pay",
    "pay_extension",
    "set_type_weights",
    "size_factor",
    "spend",
    "start_rollout",
    "target_staff",
    "training_fte",
    "try_start_pilot",
    "try_start_scaleup_test",
]
