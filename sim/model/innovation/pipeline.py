"""The innovation pipeline: each stage a named step, run monthly in the order of ``pipeline_month``.

An *engagement* is one organisation working with one solution. It moves through the stages
PILOT -> EVALUATION -> PROCUREMENT -> IMPLEMENTATION -> IN_USE, and can end REJECTED (evaluation says no),
TENDER_LOST (the procurement does not end with this solution) or ABANDONED (dropped after adoption).
Engagements are rows of arrays (``sim.model.innovation.state.Engagements``). The monthly steps are compiled
with numba and loop over engagements, organisations and solutions; what a single event does (start a
pilot, enter procurement, ...) is in ``sim.model.innovation.events``. The yearly steps over staff
(``competence_step``, ``career_step``) and ``budget_step`` stay vectorised numpy.

Where each lever acts (search for its name):
``innovation_core_task`` -> innovation_capacity; ``spread_workflows`` -> spread_step and implementation
times; ``competence_investment`` -> competence_step; ``proactive_scouting`` and ``role_transparency`` ->
matching_step; ``procurement_flexibility`` -> procurement_step (routes in ``events.enter_procurement``);
``career_paths`` -> career_step; ``incentive_structures`` -> adoption_decision and budget_step;
``common_evaluation`` -> evaluation_step and spread_step; ``risk_budget`` -> budget_step and pilot funding
(pilot_step); ``challenge_driven_share`` -> challenge_step.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.demography import PROFESSIONS
from sim.model.innovation.companies import company_finance_step, development_step
from sim.model.innovation.events import (
    add_partnership,
    adoption_probability,
    count,
    draw_archetype,
    enter_procurement,
    evaluation_months,
    mean_strain,
    new_development,
    open_for_pilot,
    spend,
    start_implementation,
    try_start_pilot,
    try_start_without_pilot,
)
from sim.model.innovation.jit import jit
from sim.model.innovation.partnerships import (
    STRATEGIC_RETAINER_DKK_MONTH,
    STRATEGIC_STAFF_FTE,
    partnership_step,
)
from sim.model.innovation.state import (
    ABANDONED,
    ACTIVE_PROJECT_STAGES,
    ANY_SECTOR,
    C_ABANDONMENTS,
    C_ADOPTIONS,
    C_EVALUATIONS,
    C_PROCUREMENTS,
    CHALLENGE,
    DOMAIN,
    EVALUATED,
    EVALUATION,
    FAILED,
    FRICTIONLESS,
    IMPLEMENTATION,
    IN_USE,
    LARGE,
    NONE,
    PARTNERSHIP,
    PILOT,
    PILOTED,
    PITCH,
    PROCUREMENT,
    PROJECT,
    PROVEN,
    REJECTED,
    SCALED,
    SCOUTING,
    SPREAD,
    STRATEGIC,
    TENDER_LOST,
    VIA,
    Engagements,
)

SPREAD_PROGRAMME_DKK_YEAR = (
    20e6  # assumption: national spread programme budget at spread_workflows = 1
)
CHALLENGE_COFUNDING_DKK = 1e6  # assumption: public co-funding of a challenge-driven development


# ----------------------------------------------------------------------------------------------------
# organisation resources: budgets, capacity, competence, careers (numpy, on the layer)


def budget_step(layer, t: int) -> None:
    """Each January, refill every organisation's risk budget (lever ``risk_budget``).

    Risk budget (DKK/yr) = risk_budget % of the operating budget (staff FTE x cost per FTE), grown by the
    'budget_growth' uncertainty, plus the savings a unit keeps and reinvests (lever
    ``incentive_structures``).
    """
    if t % 12 != 0:
        return
    p = layer.param
    years = t / 12.0
    growth = (1.0 + layer.uncertainty("budget_growth") / 100.0) ** years
    operating = (
        layer.model.accounts.supply_fte_org.sum(axis=1) * p("innovation.cost_per_fte_dkk") * growth
    )
    layer.risk_budget_dkk[:] = (
        operating * layer.lever("risk_budget") / 100.0 + layer.retained_savings_dkk
    )
    layer.retained_savings_dkk[:] = 0.0


def competence_step(layer, t: int) -> None:
    """Each January, staff digital competence grows with training (lever ``competence_investment``).

    competence += gain x training hours x (1 - competence) - decay x competence, for every staff member at
    once; the organisation's mean competence (``InnovationLayer.refresh_org_staff_stats``, after this step
    and ``career_step``) then sets implementation speed and realised effect.
    """
    if t % 12 != 0:
        return
    staff = layer.model.staff
    p = layer.param
    hours = layer.lever("competence_investment")
    gain = min(p("innovation.training_competence_gain") * hours, 1.0)
    decay = p("innovation.competence_decay_year")
    c = staff.competence
    c += np.float32(gain) * (np.float32(1.0) - c) - np.float32(decay) * c
    np.clip(c, 0.0, 1.0, out=c)


def career_step(layer, t: int, rng: np.random.Generator) -> None:
    """Each January, fill innovation career tracks up to ``career_paths`` % of staff (lever ``career_paths``).

    People on a track are champions and quit less (their quit propensity falls by ``career_retention``).
    """
    if t % 12 != 0:
        return
    staff = layer.model.staff
    target = int(round(layer.lever("career_paths") / 100.0 * staff.n_alive))
    current = int(staff.career_track.sum())
    if target > current:
        pool = np.flatnonzero(staff.alive & ~staff.career_track)
        chosen = rng.choice(pool, size=min(target - current, len(pool)), replace=False)
        staff.career_track[chosen] = True
        staff.champion[chosen] = True
        staff.quit_propensity[chosen] *= np.float32(
            1.0 - layer.param("innovation.career_retention")
        )


@jit
def project_slots(par, st, org: int) -> float:
    """Pilots and implementations an organisation can carry at once (lever ``innovation_core_task``):
    the reserved share of its staff's FTE buys slots, plus half a slot for every organisation."""
    reserved_fte = st.supply[org].sum() * par.innovation_core_task / 100.0
    return reserved_fte * par.projects_per_core_task_fte + 0.5


@jit
def innovation_capacity(par, st) -> None:
    """How many pilots and implementations each organisation can carry (lever ``innovation_core_task``),
    and how many it carries now.

    The reserved share of staff hours (``innovation_core_task`` %) buys project slots; the reserved hours are
    an innovation cost in the labour accounts (see ``innovation_work_step``).
    """
    orgs, eng = st.orgs, st.eng
    for o in range(len(orgs.sector)):
        orgs.capacity[o] = project_slots(par, st, o)
        orgs.active_projects[o] = 0.0
    for e in range(eng.size[0]):
        if PILOT <= eng.stage[e] <= IMPLEMENTATION:  # ACTIVE_PROJECT_STAGES
            orgs.active_projects[eng.org[e]] += 1.0


# ----------------------------------------------------------------------------------------------------
# finding solutions


@jit
def start_codeveloped_pilots(t: int, par, st) -> None:
    """Co-developed solutions that became ready start their pilot at the challenging organisation."""
    sols = st.sols
    for s in range(sols.size[0]):
        if sols.ready_month[s] == t and sols.challenge_org[s] >= 0 and sols.on_market[s]:
            try_start_pilot(t, par, st, sols.challenge_org[s], s, CHALLENGE, True)


@jit
def challenge_step(t: int, par, st, rng) -> int:
    """Organisations post challenges for co-development (lever ``challenge_driven_share``; goal 2).

    Each challenge goes to a strategic partner if the organisation has one, otherwise to a random alive
    start-up or SME, which starts developing a solution that fits the need (a fit bonus on the effect, a
    smaller gap between claim and truth) with the organisation as committed first buyer. A domain-specific
    partnership is formed and the public side co-funds the development. Returns challenges posted.
    """
    rate = par.challenge_rate_year * par.challenge_driven_share / 12.0
    comp, orgs = st.comp, st.orgs
    n_comp = comp.size[0]
    developers = np.empty(n_comp, np.int64)  # alive start-ups and SMEs
    n_developers = 0
    for c in range(n_comp):
        if comp.status[c] != FAILED and comp.kind[c] != LARGE:
            developers[n_developers] = c
            n_developers += 1
    partners = np.empty(n_comp, np.int64)
    posted = 0
    for org in range(len(orgs.sector)):
        if rng.random() >= rate or n_developers == 0:
            continue
        m = 0
        for c in range(n_comp):
            if st.strategic[org, c]:
                partners[m] = c
                m += 1
        pool, size = (partners, m) if m else (developers, n_developers)  # a strategic partner first
        company = pool[rng.integers(0, size)]
        archetype = draw_archetype(st, orgs.sector[org], rng)
        transformative = rng.random() < par.transformative_focus
        new_development(t, par, st, company, archetype, transformative, rng, org)
        add_partnership(st, org, company, DOMAIN, t, t + int(par.development_months) + 12)
        comp.cash[company] += CHALLENGE_COFUNDING_DKK
        spend(st, org, CHALLENGE_COFUNDING_DKK)
        posted += 1
    return posted


@jit
def matching_step(t: int, par, st, rng) -> None:
    """Organisations find solutions: proactive scouting and company pitches.

    Lever ``incentive_structures`` makes units keener: scouting and pitch acceptance scale with
    (1 + share of savings kept).

    Scouting (lever ``proactive_scouting``): each month an organisation scouts with that probability and
    picks a market-ready solution for its sector by claimed effect; it fits its needs with probability
    ``scouting_fit``. Pitches: companies with a ready solution pitch to random organisations of its sector;
    a pitch turns into a pilot with a probability that rises with clear roles (lever
    ``role_transparency``). Both need a free project slot and risk budget for the pilot.
    """
    sols, orgs = st.sols, st.orgs
    n_orgs = len(orgs.sector)
    ready = np.empty(sols.size[0], np.int64)
    n_ready = 0
    for s in range(sols.size[0]):
        if sols.on_market[s] and sols.ready_month[s] <= t:
            ready[n_ready] = s
            n_ready += 1
    if n_ready == 0:
        return
    ready = ready[:n_ready]
    # only organisations with a free project slot and money for at least a local test start a pilot
    open_orgs = np.empty(n_orgs, np.bool_)
    for o in range(n_orgs):
        open_orgs[o] = open_for_pilot(par, st, o)
    eagerness = 1.0 + par.incentive_structures
    # scouting
    appeal = np.empty(n_ready)
    for o in range(n_orgs):
        if rng.random() >= par.proactive_scouting * eagerness:
            continue
        if rng.random() >= par.scouting_fit or not open_orgs[o]:
            continue
        for i in range(n_ready):
            s = ready[i]
            appeal[i] = 0.0
            if (
                sols.sector[s] == orgs.sector[o]
                and not st.engaged[s, o]
                and not orgs.uses_archetype[o, sols.archetype[s]]
            ):
                appeal[i] = sols.claimed_effect[s] * sols.addressable[s].sum()
        total = appeal.sum()
        if total <= 0.0:
            continue
        u = rng.random() * total
        acc = 0.0
        for i in range(n_ready):
            acc += appeal[i]
            if appeal[i] > 0.0 and u < acc:
                try_start_pilot(t, par, st, o, ready[i], SCOUTING, False)
                break
    # pitches: from every company with a ready solution
    pitching = np.zeros(st.comp.size[0], np.bool_)
    for i in range(n_ready):
        pitching[sols.company[ready[i]]] = True
    n_pitch = rng.poisson(par.pitches_per_company_month * pitching.sum())
    accept_p = (par.pitch_acceptance + 0.4 * par.role_transparency) * eagerness
    for _ in range(n_pitch):
        s = ready[rng.integers(0, n_ready)]
        sector = sols.sector[s]
        start, end = orgs.sector_start[sector], orgs.sector_start[sector + 1]
        o = orgs.sector_orgs[start + rng.integers(0, end - start)]
        if rng.random() < accept_p and not st.engaged[s, o] and open_orgs[o]:
            try_start_pilot(t, par, st, o, s, PITCH, False)


# ----------------------------------------------------------------------------------------------------
# from pilot to use


@jit
def pilot_step(t: int, par, st) -> None:
    """Advance pilots; a finished pilot goes to evaluation. Pilots cost staff hours and risk budget
    (lever ``risk_budget``, charged when the pilot starts in ``events.try_start_pilot``)."""
    eng = st.eng
    cost = par.evaluation_cost_dkk * (1.0 - 0.5 * par.common_evaluation)
    months = evaluation_months(par)
    for e in range(eng.size[0]):
        if eng.stage[e] != PILOT:
            continue
        eng.timer[e] -= 1.0
        if eng.timer[e] <= 0.0:
            eng.stage[e] = EVALUATION
            eng.timer[e] = months
            spend(st, eng.org[e], cost)


@jit
def evaluation_step(t: int, par, st, rng) -> None:
    """Advance evaluations (lever ``common_evaluation``: shorter, cheaper, less noisy; see
    ``events.evaluation_months``). A finished evaluation reveals the true effect with noise; the
    organisation then decides (``adoption_decision``) to procure or to reject."""
    eng, sols = st.eng, st.sols
    noise = par.evaluation_noise * (1.0 - 0.5 * par.common_evaluation)
    for e in range(eng.size[0]):
        if eng.stage[e] != EVALUATION:
            continue
        eng.timer[e] -= 1.0
        if eng.timer[e] > 0.0:
            continue
        count(st, C_EVALUATIONS, eng.org[e])
        s = eng.sol[e]
        eng.est_effect[e] = sols.true_effect[s] * math.exp(rng.normal(-0.5 * noise * noise, noise))
        if adoption_decision(par, st, e, rng):
            sols.evidence[s] = max(sols.evidence[s], EVALUATED)
            enter_procurement(t, par, st, e, rng)
        else:
            eng.stage[e] = REJECTED


@jit
def adoption_decision(par, st, e: int, rng) -> bool:
    """Whether the organisation adopts after its evaluation (lever ``incentive_structures``): a draw
    against ``events.adoption_probability`` (benefit-cost ratio, savings kept, strain, champions, NASSS
    complexity)."""
    return rng.random() < adoption_probability(par, st, e)


@jit
def procurement_step(t: int, par, st) -> None:
    """Advance procurements (route, duration and outcome set on entry by ``events.enter_procurement``,
    lever ``procurement_flexibility``). A won procurement starts implementation; a lost one ends."""
    eng = st.eng
    for e in range(eng.size[0]):
        if eng.stage[e] != PROCUREMENT:
            continue
        eng.timer[e] -= 1.0
        if eng.timer[e] > 0.0:
            continue
        if eng.lost[e]:
            eng.stage[e] = TENDER_LOST
        else:
            count(st, C_PROCUREMENTS, eng.org[e])
            start_implementation(t, par, st, e)


@jit
def implementation_step(t: int, par, st) -> None:
    """Ramp-up after procurement: training hours, digital competence and champions set the speed
    (lever ``competence_investment`` through competence); the realised effect grows linearly to full use."""
    eng, sols = st.eng, st.sols
    for e in range(eng.size[0]):
        if eng.stage[e] != IMPLEMENTATION:
            continue
        eng.ramp[e] = min(eng.ramp[e] + eng.ramp_step[e], 1.0)
        if eng.ramp[e] < 1.0:
            continue
        eng.stage[e] = IN_USE
        eng.adopted[e] = t
        eng.training_fte[e] = 0.0
        count(st, C_ADOPTIONS, eng.org[e])
        s = eng.sol[e]
        sols.evidence[s] = max(
            sols.evidence[s], PROVEN if sols.evidence[s] >= EVALUATED else PILOTED
        )


@jit
def spread_step(t: int, par, st, rng) -> None:
    """Spread of proven solutions to other organisations (lever ``spread_workflows``).

    Every organisation of the target sector not yet engaged with a proven solution takes it up with the
    Bass hazard p + q A/N per year (A adopters of N), where p grows with the spread programme
    (``spread_workflows``) and q is peer imitation. An organisation that takes it up skips its own pilot
    with probability ``common_evaluation`` (evidence from others accepted) and then goes through
    procurement and implementation like any other; without a free slot (or, for its own local test, the
    budget) it lets the solution pass this month.
    """
    sols, orgs = st.sols, st.orgs
    n_orgs = len(orgs.sector)
    p_ext = par.bass_p_year + par.spread_programme_p_year * par.spread_workflows
    eligible = np.empty(n_orgs, np.int64)
    for s in range(sols.size[0]):
        if sols.evidence[s] < PROVEN or not sols.on_market[s]:
            continue
        sector = sols.sector[s]
        if sector == ANY_SECTOR:
            first, last = 0, n_orgs
        else:
            first, last = orgs.sector_start[sector], orgs.sector_start[sector + 1]
        hazard = p_ext + par.bass_q_year * sols.adopters[s] / max(last - first, 1)
        prob = 1.0 - math.exp(-hazard / 12.0)
        archetype = sols.archetype[s]
        m = 0  # organisations of the target group not engaged with it and without a substitute
        for i in range(first, last):
            o = i if sector == ANY_SECTOR else orgs.sector_orgs[i]
            if not st.engaged[s, o] and not orgs.uses_archetype[o, archetype]:
                eligible[m] = o
                m += 1
        # one Bernoulli(prob) per eligible organisation, in order, drawn by geometric gaps between
        # successes (exact, and the draws scale with the take-ups, not with the organisations)
        k = next_success(prob, rng) - 1
        while k < m:
            o = eligible[k]
            if rng.random() < par.common_evaluation:
                try_start_without_pilot(t, par, st, o, s, rng)
            else:
                try_start_pilot(t, par, st, o, s, SPREAD, False)
            k += next_success(prob, rng)


@jit
def next_success(prob: float, rng) -> int:
    """Trials up to and including the next success of Bernoulli(``prob``) trials (geometric, >= 1)."""
    if prob >= 1.0:
        return 1
    if prob <= 0.0:
        return 1 << 62
    return int(math.log(1.0 - rng.random()) / math.log1p(-prob)) + 1


@jit
def abandonment_step(t: int, par, st, rng) -> None:
    """Organisations drop solutions in use or in implementation.

    Yearly hazard = base + per NASSS complexity point (assumption), raised by strain, by losing champions
    and when the supplier has failed, lowered by champions. More complex solutions are abandoned more.
    """
    eng, sols, orgs = st.eng, st.sols, st.orgs
    for e in range(eng.size[0]):
        stage = eng.stage[e]
        if stage != IMPLEMENTATION and stage != IN_USE:
            continue
        org, s = eng.org[e], eng.sol[e]
        yearly = par.abandon_base_year + par.abandon_per_complexity * sols.complexity[s].sum()
        factor = (
            (1.0 + max(mean_strain(st, org) - 1.0, 0.0))
            * (2.0 if st.comp.status[sols.company[s]] == FAILED else 1.0)
            * (1.5 - 0.5 * min(orgs.champion_factor[org], 1.0))
            * (1.5 if stage == IMPLEMENTATION else 1.0)
        )
        if rng.random() < 1.0 - math.exp(-yearly * factor / 12.0):
            eng.stage[e] = ABANDONED
            orgs.uses_archetype[org, sols.archetype[s]] = False
            eng.training_fte[e] = 0.0
            sols.adopters[s] -= 1
            count(st, C_ABANDONMENTS, org)


# ----------------------------------------------------------------------------------------------------
# hours


@jit(entry=True)
def freed_hours_step(par, st) -> None:
    """Gross FTE freed per organisation and profession [O, P], into ``st.freed``.

    Each solution in use (or ramping up) saves ``addressable x realised effect x ramp`` of the target
    profession's hours; several solutions on the same hours combine multiplicatively,
    ``1 - prod(1 - share)``, so freed hours never exceed the addressable hours and never exceed demand.
    """
    eng, sols = st.eng, st.sols
    log_keep = np.zeros(st.freed.shape)
    for e in range(eng.size[0]):
        if eng.stage[e] != IMPLEMENTATION and eng.stage[e] != IN_USE:
            continue
        o, s = eng.org[e], eng.sol[e]
        done = eng.effect[e] * eng.ramp[e]
        for p in range(log_keep.shape[1]):
            if sols.addressable[s, p] > 0.0:
                log_keep[o, p] += math.log1p(-min(sols.addressable[s, p] * done, 0.999))
    for o in range(log_keep.shape[0]):
        for p in range(log_keep.shape[1]):
            st.freed[o, p] = st.demand[o, p] * -math.expm1(log_keep[o, p])


@jit
def innovation_work_step(par, st) -> None:
    """FTE that innovation costs per organisation and profession [O, P], into ``st.work``.

    max(reserved core-task time, pilot + implementation + partnership time) + maintenance + training.
    Pilot and evaluation staff time is spread over the target professions by their addressable hours;
    training time during implementation evenly over the target professions; strategic partnership time
    over all professions by supply.
    """
    eng, sols = st.eng, st.sols
    n_orgs, n_prof = st.work.shape
    used = np.zeros((n_orgs, n_prof))
    for e in range(eng.size[0]):
        stage = eng.stage[e]
        if stage != PILOT and stage != EVALUATION and stage != IMPLEMENTATION:
            continue
        o, s = eng.org[e], eng.sol[e]
        if stage == IMPLEMENTATION:
            targets = 0.0
            for p in range(n_prof):
                targets += 1.0 if sols.addressable[s, p] > 0 else 0.0
            for p in range(n_prof):
                if sols.addressable[s, p] > 0:
                    used[o, p] += eng.training_fte[e] / max(targets, 1.0)
        else:
            total = max(sols.addressable[s].sum(), 1e-12)
            for p in range(n_prof):
                used[o, p] += sols.addressable[s, p] / total * par.pilot_staff_fte
    for o in range(n_orgs):
        supply_total = max(st.supply[o].sum(), 1e-9)
        partners = st.orgs.strategic_count[o] * STRATEGIC_STAFF_FTE
        for p in range(n_prof):
            supply = st.supply[o, p]
            used[o, p] += supply / supply_total * partners
            reserved = supply * par.innovation_core_task / 100.0
            training = supply * par.competence_investment / par.hours_per_fte
            st.work[o, p] = (
                max(reserved, used[o, p]) + par.maintenance_share * st.freed[o, p] + training
            )


# ----------------------------------------------------------------------------------------------------
# the month


@jit(entry=True)
def rows_needed(t: int, st) -> tuple[int, int, int]:
    """Upper bounds on the engagements, partnerships and solutions month ``t`` can add (compiled steps
    cannot grow tables, so ``InnovationLayer.reserve_rows`` makes room first).

    Every start that is not committed needs a free project slot, and an organisation has at most
    ceil(capacity) of them; committed starts are co-developed solutions coming due and joint projects of
    strategic partnerships (those at the start of the month and at most one new one per organisation).
    Each pilot adds a project partnership, each organisation at most one challenge (a domain partnership)
    and one strategic partnership; each company at most one development, each organisation at most one
    challenge.
    """
    par, orgs, sols = st.params[0], st.orgs, st.sols
    n_orgs = len(orgs.sector)
    bound = n_orgs
    for o in range(n_orgs):
        bound += int(math.ceil(project_slots(par, st, o))) + orgs.strategic_count[o]
    for s in range(sols.size[0]):
        if sols.ready_month[s] == t and sols.challenge_org[s] >= 0:
            bound += 1
    return bound, bound + 2 * n_orgs, st.comp.size[0] + n_orgs


@jit(entry=True)
def pipeline_month(t: int, st) -> None:
    """Step 3 of the month, compiled: the pipeline in order, then the hours it frees and costs.

    Each process draws from its own random stream (``st.rng_*``), so a lever that makes one process draw
    more leaves the draws of the others alone (common random numbers across scenarios).
    """
    par = st.params[0]
    development_step(t, par, st, st.rng_companies)
    start_codeveloped_pilots(t, par, st)
    challenge_step(t, par, st, st.rng_matching)
    partnership_step(t, par, st, st.rng_matching)
    innovation_capacity(par, st)
    matching_step(t, par, st, st.rng_matching)
    pilot_step(t, par, st)
    evaluation_step(t, par, st, st.rng_pilots)
    procurement_step(t, par, st)
    implementation_step(t, par, st)
    spread_step(t, par, st, st.rng_implementation)
    abandonment_step(t, par, st, st.rng_implementation)
    freed_hours_step(par, st)
    innovation_work_step(par, st)
    pipeline_stats_step(par, st)


@jit(entry=True)
def pipeline_stats_step(par, st) -> None:
    """Stocks of the pipeline at the end of the month, into ``st.pipeline_stats`` [3, sectors + 1]:
    pilots active, solutions in use (at one organisation or more) and solutions scaled (in use at
    ``scaled_threshold_orgs`` or more), by the sector they target; the last column counts every solution
    (a solution for any sector, the Bass check, only there)."""
    stats = st.pipeline_stats
    stats[:] = 0.0
    all_ = stats.shape[1] - 1
    eng, sols = st.eng, st.sols
    for e in range(eng.size[0]):
        if eng.stage[e] == PILOT:
            stats[0, st.orgs.sector[eng.org[e]]] += 1.0
            stats[0, all_] += 1.0
    for s in range(sols.size[0]):
        sector = sols.sector[s]
        if sols.adopters[s] > 0:
            stats[1, all_] += 1.0
            if sector != ANY_SECTOR:
                stats[1, sector] += 1.0
        if sols.adopters[s] >= par.scaled_threshold_orgs:
            stats[2, all_] += 1.0
            if sector != ANY_SECTOR:
                stats[2, sector] += 1.0


@jit(entry=True)
def money_month(t: int, st) -> tuple[int, int]:
    """Step 5 of the month, compiled: licences and retainers paid, the spread programme, company finance.
    Returns (start-ups failed, start-ups scaled)."""
    par = st.params[0]
    eng, sols, comp, parts = st.eng, st.sols, st.comp, st.parts
    for e in range(eng.size[0]):
        if eng.stage[e] == IMPLEMENTATION or eng.stage[e] == IN_USE:
            monthly = eng.price_year[e] / 12.0
            spend(st, eng.org[e], monthly)
            comp.revenue_month[sols.company[eng.sol[e]]] += monthly
    for k in range(parts.size[0]):
        if parts.active[k] and parts.form[k] == STRATEGIC:
            spend(st, parts.org[k], STRATEGIC_RETAINER_DKK_MONTH)
            comp.revenue_month[parts.company[k]] += STRATEGIC_RETAINER_DKK_MONTH
    for sector in range(len(st.cost)):
        st.cost[sector] += SPREAD_PROGRAMME_DKK_YEAR / 12.0 * par.spread_workflows / len(st.cost)
    result = company_finance_step(t, par, st, st.rng_companies)
    money_stats_step(st)
    return result


@jit(entry=True)
def money_stats_step(st) -> None:
    """Stocks of companies and partnerships at the end of the month, into ``st.money_stats``
    (``state.MONEY_STATS``)."""
    comp, parts = st.comp, st.parts
    stats = st.money_stats
    stats[:] = 0.0
    for c in range(comp.size[0]):
        if comp.status[c] != FAILED:
            stats[2] += 1.0
            if comp.was_startup[c]:
                stats[0] += 1.0
        if comp.status[c] == SCALED and comp.was_startup[c]:
            stats[1] += 1.0
    for k in range(parts.size[0]):
        if parts.active[k]:
            stats[3] += 1.0
            if parts.form[k] == PROJECT or parts.form[k] == STRATEGIC:
                stats[4] += 1.0


__all__ = [
    "ABANDONED",
    "ACTIVE_PROJECT_STAGES",
    "ANY_SECTOR",
    "EVALUATION",
    "FRICTIONLESS",
    "IMPLEMENTATION",
    "IN_USE",
    "NONE",
    "PARTNERSHIP",
    "PILOT",
    "PROCUREMENT",
    "PROFESSIONS",
    "PROJECT",
    "REJECTED",
    "TENDER_LOST",
    "VIA",
    "Engagements",
    "abandonment_step",
    "adoption_decision",
    "budget_step",
    "career_step",
    "challenge_step",
    "competence_step",
    "evaluation_step",
    "freed_hours_step",
    "implementation_step",
    "innovation_capacity",
    "innovation_work_step",
    "matching_step",
    "money_month",
    "money_stats_step",
    "pipeline_stats_step",
    "pilot_step",
    "pipeline_month",
    "procurement_step",
    "project_slots",
    "rows_needed",
    "spread_step",
    "next_success",
]
