"""The innovation pipeline: each stage a named step, run monthly in the order ``InnovationLayer`` gives.

An *engagement* is one organisation working with one solution. It moves through the stages
PILOT -> EVALUATION -> PROCUREMENT -> IMPLEMENTATION -> IN_USE, and can end REJECTED (evaluation says no),
TENDER_LOST (the procurement does not end with this solution) or ABANDONED (dropped after adoption).
Engagements are rows of arrays; each step works on all engagements of its stage at once. Python loops run
only over the few events of a month (a pilot that starts, a solution that spreads), never over staff.

Where each lever acts (search for its name):
``innovation_core_task`` -> innovation_capacity; ``spread_workflows`` -> spread_step and implementation
times; ``competence_investment`` -> competence_step; ``proactive_scouting`` and ``role_transparency`` ->
matching_step; ``procurement_flexibility`` -> procurement_step; ``career_paths`` -> career_step;
``incentive_structures`` -> adoption_decision and budget_step; ``common_evaluation`` -> evaluation_step and
spread_step; ``risk_budget`` -> budget_step and pilot funding; ``challenge_driven_share`` -> challenge_step.
"""

from __future__ import annotations

import numpy as np

from sim.model.demography import PROFESSIONS
from sim.model.innovation.partnerships import DOMAIN, PROJECT, STRATEGIC_STAFF_FTE
from sim.model.innovation.solutions import ANY_SECTOR, EVALUATED, PILOTED, PROVEN

NONE, PILOT, EVALUATION, PROCUREMENT, IMPLEMENTATION, IN_USE, REJECTED, TENDER_LOST, ABANDONED = (
    range(9)
)
ACTIVE_PROJECT_STAGES = (PILOT, EVALUATION, PROCUREMENT, IMPLEMENTATION)
VIA = ("scouting", "pitch", "challenge", "spread", "frictionless", "strategic_partnership")
SCOUTING, PITCH, CHALLENGE, SPREAD, FRICTIONLESS, PARTNERSHIP = range(6)
SPREAD_PROGRAMME_DKK_YEAR = (
    20e6  # assumption: national spread programme budget at spread_workflows = 1
)
CHALLENGE_COFUNDING_DKK = 1e6  # assumption: public co-funding of a challenge-driven development


_STAGE_LUTS: dict[tuple[int, ...], np.ndarray] = {}


class Engagements:
    """Organisation-solution engagements as rows of arrays (grown in blocks)."""

    FIELDS = {
        "org": np.int32,
        "sol": np.int32,
        "stage": np.int8,
        "timer": np.float64,
        "started": np.int32,
        "adopted": np.int32,
        "ramp": np.float64,
        "ramp_step": np.float64,
        "effect": np.float64,
        "est_effect": np.float64,
        "via": np.int8,
        "training_fte": np.float64,
        "price_year": np.float64,
    }

    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        for name, dtype in self.FIELDS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))

    def add(self, **values) -> int:
        if self.n == len(self.org):
            for name in self.FIELDS:
                arr = getattr(self, name)
                setattr(self, name, np.concatenate([arr, np.zeros(len(arr), dtype=arr.dtype)]))
        i = self.n
        for name, value in values.items():
            getattr(self, name)[i] = value
        self.adopted[i] = values.get("adopted", -1)
        self.n += 1
        return i

    def in_stage(self, *stages: int) -> np.ndarray:
        """Indices of engagements in any of ``stages``."""
        lut = _STAGE_LUTS.get(stages)
        if lut is None:
            lut = _STAGE_LUTS[stages] = np.isin(np.arange(16), stages)
        return np.flatnonzero(lut[self.stage[: self.n]])


# ----------------------------------------------------------------------------------------------------
# organisation resources: budgets, capacity, competence, careers


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
    layer.risk_budget_dkk = (
        operating * layer.lever("risk_budget") / 100.0 + layer.retained_savings_dkk
    )
    layer.retained_savings_dkk = np.zeros_like(layer.retained_savings_dkk)


def innovation_capacity(layer) -> np.ndarray:
    """How many pilots and implementations each organisation can carry (lever ``innovation_core_task``).

    The reserved share of staff hours (``innovation_core_task`` %) buys project slots; the reserved hours are
    an innovation cost in the labour accounts (see ``innovation_work_step``).
    """
    reserved_fte = (
        layer.model.accounts.supply_fte_org.sum(axis=1)
        * layer.lever("innovation_core_task")
        / 100.0
    )
    return reserved_fte * layer.param("innovation.projects_per_core_task_fte") + 0.5


def competence_step(layer, t: int) -> None:
    """Each January, staff digital competence grows with training (lever ``competence_investment``).

    competence += gain x training hours x (1 - competence) - decay x competence, for every staff member at
    once; the organisation's mean competence then sets implementation speed and realised effect.
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
    layer.refresh_org_staff_stats()


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
    layer.refresh_org_staff_stats()


# ----------------------------------------------------------------------------------------------------
# finding solutions


def challenge_step(layer, t: int, rng: np.random.Generator) -> int:
    """Organisations post challenges for co-development (lever ``challenge_driven_share``; goal 2).

    Each challenge goes to a strategic partner if the organisation has one, otherwise to a random alive
    start-up or SME, which starts developing a solution that fits the need (a fit bonus on the effect, a
    smaller gap between claim and truth) with the organisation as committed first buyer. A domain-specific
    partnership is formed and the public side co-funds the development. Returns challenges posted.
    """
    rate = (
        layer.param("innovation.challenge_rate_year") * layer.lever("challenge_driven_share") / 12.0
    )
    posting = np.flatnonzero(rng.random(layer.n_orgs) < rate)
    alive = np.flatnonzero(layer.companies.alive & (layer.companies.kind[: layer.companies.n] != 2))
    if len(alive) == 0:
        return 0
    for org in posting:
        partners = layer.partnerships.strategic_partners(int(org))
        company = int(rng.choice(partners)) if len(partners) else int(rng.choice(alive))
        sector = int(layer.org_sector[org])
        archetype = int(
            rng.choice(len(layer.catalogue.archetypes), p=layer.catalogue.weights(sector))
        )
        layer.new_development(
            company=company,
            archetype=archetype,
            transformative=bool(rng.random() < layer.lever("transformative_focus")),
            t=t,
            rng=rng,
            challenge_org=int(org),
        )
        dev_months = int(layer.param("companies.development_months"))
        layer.partnerships.add(int(org), company, DOMAIN, t, t + dev_months + 12)
        layer.companies.cash[company] += CHALLENGE_COFUNDING_DKK
        layer.spend(int(org), CHALLENGE_COFUNDING_DKK)
    return len(posting)


def matching_step(layer, t: int, rng: np.random.Generator) -> None:
    """Organisations find solutions: proactive scouting and company pitches.

    Lever ``incentive_structures`` makes units keener: scouting and pitch acceptance scale with
    (1 + share of savings kept).

    Scouting (lever ``proactive_scouting``): each month an organisation scouts with that probability and
    picks a market-ready solution for its sector by claimed effect; it fits its needs with probability
    ``scouting_fit``. Pitches: companies with a ready solution pitch to random organisations of its sector;
    a pitch turns into a pilot with a probability that rises with clear roles (lever
    ``role_transparency``). Both need a free project slot and risk budget for the pilot.
    """
    sols = layer.solutions
    ready = np.flatnonzero(sols.on_market[: sols.n] & (sols.ready_month[: sols.n] <= t))
    if len(ready) == 0:
        return
    p = layer.param
    # only organisations with a free project slot and money for at least a local test can start a pilot
    open_orgs = layer.open_for_pilots()
    # scouting; units that keep part of the savings look harder and say yes more often
    # (incentive_structures)
    eagerness = 1.0 + layer.lever("incentive_structures")
    scouts = np.flatnonzero(
        rng.random(layer.n_orgs) < layer.lever("proactive_scouting") * eagerness
    )
    fit = rng.random(len(scouts)) < p("innovation.scouting_fit")
    for org in scouts[fit & open_orgs[scouts]]:
        options = ready[
            (sols.sector[ready] == layer.org_sector[org])
            & ~layer.engaged[org, ready]
            & ~layer.uses_archetype[org, sols.archetype[ready]]
        ]
        if len(options) == 0:
            continue
        w = sols.claimed_effect[options] * sols.addressable[options].sum(axis=1)
        sol = int(rng.choice(options, p=w / w.sum()))
        layer.try_start_pilot(int(org), sol, SCOUTING, t)
    # pitches
    companies = sols.company[ready]
    n_pitch = rng.poisson(p("innovation.pitches_per_company_month") * len(np.unique(companies)))
    if n_pitch == 0:
        return
    sol_pick = ready[rng.integers(0, len(ready), n_pitch)]
    target = sols.sector[sol_pick]
    sizes, offsets, pool = layer.sector_pools
    org_pick = pool[offsets[target] + (rng.random(n_pitch) * sizes[target]).astype(np.int64)]
    accept_p = (
        p("innovation.pitch_acceptance") + 0.4 * layer.lever("role_transparency")
    ) * eagerness
    accepted = (
        (rng.random(n_pitch) < accept_p) & ~layer.engaged[org_pick, sol_pick] & open_orgs[org_pick]
    )
    for org, sol in zip(org_pick[accepted], sol_pick[accepted], strict=True):
        layer.try_start_pilot(int(org), int(sol), PITCH, t)


# ----------------------------------------------------------------------------------------------------
# from pilot to use


def pilot_step(layer, t: int) -> None:
    """Advance pilots; a finished pilot goes to evaluation. Pilots cost staff hours and risk budget
    (lever ``risk_budget``, charged when the pilot starts)."""
    eng = layer.eng
    idx = eng.in_stage(PILOT)
    eng.timer[idx] -= 1
    done = idx[eng.timer[idx] <= 0]
    if len(done):
        eng.stage[done] = EVALUATION
        eng.timer[done] = layer.evaluation_months()
        cost = layer.param("innovation.evaluation_cost_dkk") * (
            1.0 - 0.5 * layer.lever("common_evaluation")
        )
        for org in eng.org[done]:
            layer.spend(int(org), cost)


def evaluation_step(layer, t: int, rng: np.random.Generator) -> None:
    """Advance evaluations (lever ``common_evaluation``: shorter, cheaper, less noisy; see
    ``InnovationLayer.evaluation_months``). A finished evaluation reveals the true effect with noise; the
    organisation then decides (``adoption_decision``) to procure or to reject."""
    eng = layer.eng
    idx = eng.in_stage(EVALUATION)
    eng.timer[idx] -= 1
    done = idx[eng.timer[idx] <= 0]
    if len(done) == 0:
        return
    layer.count("evaluations", eng.org[done])
    noise = layer.param("innovation.evaluation_noise") * (
        1.0 - 0.5 * layer.lever("common_evaluation")
    )
    true = layer.solutions.true_effect[eng.sol[done]]
    eng.est_effect[done] = true * np.exp(rng.normal(-0.5 * noise * noise, noise, len(done)))
    adopt = adoption_decision(layer, done, rng)
    go, stop = done[adopt], done[~adopt]
    eng.stage[stop] = REJECTED
    sols = layer.solutions
    positive = eng.sol[go]
    sols.evidence[positive] = np.maximum(sols.evidence[positive], EVALUATED)
    for e in go:
        layer.enter_procurement(int(e), t, rng)


def adoption_decision(layer, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whether each organisation adopts after its evaluation (lever ``incentive_structures``).

    Logistic in the benefit-cost ratio: the estimated yearly value of the hours saved over the yearly price
    (set on the company's claim) plus implementation; raised when the unit keeps part of the savings
    (``incentive_structures``), by strain, and by champions; lowered by NASSS complexity (assumption).
    """
    eng, sols, p = layer.eng, layer.solutions, layer.param
    org, sol = eng.org[idx], eng.sol[idx]
    value = layer.yearly_value_dkk(org, sol, eng.est_effect[idx])
    price = layer.yearly_price_dkk(org, sol)
    impl = layer.implementation_cost_dkk_year(org, sol)
    ratio = value / np.maximum(price + impl, 1.0)
    strain = layer.model.accounts.strain_org[org].mean(axis=1)
    logit = (
        p("innovation.adoption_steepness") * (np.minimum(ratio, 4.0) - 1.0)
        + p("innovation.adoption_bias")
        + 1.5 * layer.lever("incentive_structures")
        + 1.0 * (strain - 1.0)
        + 0.4 * layer.champion_factor[org]
        - p("innovation.complexity_adoption_penalty") * sols.complexity_score(sol)
    )
    return rng.random(len(idx)) < 1.0 / (1.0 + np.exp(-logit))


def procurement_step(layer, t: int, rng: np.random.Generator) -> None:
    """Advance procurements (duration and outcome set on entry by ``InnovationLayer.enter_procurement``,
    lever ``procurement_flexibility``). A won procurement starts implementation; a lost one ends."""
    eng = layer.eng
    idx = eng.in_stage(PROCUREMENT)
    eng.timer[idx] -= 1
    done = idx[eng.timer[idx] <= 0]
    if len(done) == 0:
        return
    won = done[
        eng.est_effect[done] >= 0
    ]  # a lost tender is marked with a negative estimate on entry
    lost = done[eng.est_effect[done] < 0]
    eng.stage[lost] = TENDER_LOST
    layer.count("procurements", eng.org[won])
    for e in won:
        layer.start_implementation(int(e), t)


def implementation_step(layer, t: int) -> None:
    """Ramp-up after procurement: training hours, digital competence and champions set the speed
    (lever ``competence_investment`` through competence); the realised effect grows linearly to full use."""
    eng = layer.eng
    idx = eng.in_stage(IMPLEMENTATION)
    eng.ramp[idx] = np.minimum(eng.ramp[idx] + eng.ramp_step[idx], 1.0)
    done = idx[eng.ramp[idx] >= 1.0]
    if len(done):
        eng.stage[done] = IN_USE
        eng.adopted[done] = t
        eng.training_fte[done] = 0.0
        layer.count("adoptions", eng.org[done])
        sols = layer.solutions
        sols.evidence[eng.sol[done]] = np.maximum(
            sols.evidence[eng.sol[done]],
            np.where(sols.evidence[eng.sol[done]] >= EVALUATED, PROVEN, PILOTED),
        )


def spread_step(layer, t: int, rng: np.random.Generator) -> None:
    """Spread of proven solutions to other organisations (lever ``spread_workflows``).

    Every organisation of the target sector not yet engaged with a proven solution takes it up with the
    Bass hazard p + q A/N per year (A adopters of N), where p grows with the spread programme
    (``spread_workflows``) and q is peer imitation. An organisation that takes it up skips its own pilot
    with probability ``common_evaluation`` (evidence from others accepted) and then goes through
    procurement and implementation like any other.
    """
    sols = layer.solutions
    proven = np.flatnonzero((sols.evidence[: sols.n] >= PROVEN) & sols.on_market[: sols.n])
    if len(proven) == 0:
        return
    p = layer.param
    adopters = layer.adopters_by_solution()[proven]
    n_target = layer.n_target_orgs(proven)
    p_ext = p("innovation.bass_p_year") + p("innovation.spread_programme_p_year") * layer.lever(
        "spread_workflows"
    )
    hazard = p_ext + p("innovation.bass_q_year") * adopters / np.maximum(n_target, 1)
    prob = 1.0 - np.exp(-hazard / 12.0)  # [S']
    eligible = (
        layer.target_mask(proven)
        & ~layer.engaged[:, proven].T
        & ~layer.uses_archetype[:, sols.archetype[proven]].T
    )  # [S', O]
    draws = rng.random(eligible.shape) < prob[:, None]
    s_i, orgs = np.nonzero(eligible & draws)
    skip = rng.random(len(orgs)) < layer.lever("common_evaluation")
    # an organisation without a free slot (or, for its own local test, the budget) lets it pass this month
    can = np.where(
        skip, layer.active_projects[orgs] < layer.capacity[orgs], layer.open_for_pilots()[orgs]
    )
    s_i, orgs, skip = s_i[can], orgs[can], skip[can]
    for k in range(len(orgs)):
        org, sol = int(orgs[k]), int(proven[s_i[k]])
        if skip[k]:
            layer.try_start_without_pilot(org, sol, t, rng)
        else:
            layer.try_start_pilot(org, sol, SPREAD, t)


def abandonment_step(layer, t: int, rng: np.random.Generator) -> None:
    """Organisations drop solutions in use or in implementation.

    Yearly hazard = base + per NASSS complexity point (assumption), raised by strain, by losing champions
    and when the supplier has failed, lowered by champions. More complex solutions are abandoned more.
    """
    eng, p = layer.eng, layer.param
    idx = eng.in_stage(IMPLEMENTATION, IN_USE)
    if len(idx) == 0:
        return
    org, sol = eng.org[idx], eng.sol[idx]
    cx = layer.solutions.complexity_score(sol)
    yearly = p("innovation.abandon_base_year") + p("innovation.abandon_per_complexity") * cx
    strain = layer.model.accounts.strain_org[org].mean(axis=1)
    supplier_failed = layer.companies.status[layer.solutions.company[sol]] == 1
    factor = (
        (1.0 + np.maximum(strain - 1.0, 0.0))
        * np.where(supplier_failed, 2.0, 1.0)
        * (1.5 - 0.5 * np.minimum(layer.champion_factor[org], 1.0))
        * np.where(eng.stage[idx] == IMPLEMENTATION, 1.5, 1.0)
    )
    drop = rng.random(len(idx)) < 1.0 - np.exp(-yearly * factor / 12.0)
    gone = idx[drop]
    if len(gone):
        eng.stage[gone] = ABANDONED
        layer.uses_archetype[eng.org[gone], layer.solutions.archetype[eng.sol[gone]]] = False
        eng.training_fte[gone] = 0.0
        layer.count("abandonments", eng.org[gone])


# ----------------------------------------------------------------------------------------------------
# hours


def freed_hours_step(layer) -> np.ndarray:
    """Gross FTE freed per organisation and profession [O, P].

    Each solution in use (or ramping up) saves ``addressable x realised effect x ramp`` of the target
    profession's hours; several solutions on the same hours combine multiplicatively,
    ``1 - prod(1 - share)``, so freed hours never exceed the addressable hours and never exceed demand.
    """
    eng = layer.eng
    idx = eng.in_stage(IMPLEMENTATION, IN_USE)
    freed = np.zeros((layer.n_orgs, len(PROFESSIONS)))
    if len(idx) == 0:
        return freed
    share = layer.solutions.addressable[eng.sol[idx]] * (eng.effect[idx] * eng.ramp[idx])[:, None]
    log_keep = np.zeros_like(freed)
    np.add.at(log_keep, eng.org[idx], np.log1p(-np.minimum(share, 0.999)))
    return layer.model.demand_fte * (1.0 - np.exp(log_keep))


def innovation_work_step(layer, gross_freed: np.ndarray) -> np.ndarray:
    """FTE that innovation costs per organisation and profession [O, P].

    max(reserved core-task time, pilot + implementation + partnership time) + maintenance + training.
    """
    p = layer.param
    model = layer.model
    supply = model.accounts.supply_fte_org
    reserved = supply * layer.lever("innovation_core_task") / 100.0
    used = np.zeros_like(supply)
    eng = layer.eng
    pilots = eng.in_stage(PILOT, EVALUATION)
    if len(pilots):
        w = layer.solutions.addressable[eng.sol[pilots]]
        w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
        np.add.at(used, eng.org[pilots], w * p("innovation.pilot_staff_fte"))
    impl = eng.in_stage(IMPLEMENTATION)
    if len(impl):
        w = layer.solutions.addressable[eng.sol[impl]] > 0
        w = w / np.maximum(w.sum(axis=1, keepdims=True), 1)
        np.add.at(used, eng.org[impl], w * eng.training_fte[impl][:, None])
    strategic = layer.partnerships.strategic_count
    if strategic.any():
        share = supply / np.maximum(supply.sum(axis=1, keepdims=True), 1e-9)
        used += share * (strategic * STRATEGIC_STAFF_FTE)[:, None]
    training = supply * layer.lever("competence_investment") / model.hours_per_fte
    return np.maximum(reserved, used) + p("innovation.maintenance_share") * gross_freed + training


__all__ = [
    "ABANDONED",
    "EVALUATION",
    "IMPLEMENTATION",
    "IN_USE",
    "PILOT",
    "PROCUREMENT",
    "REJECTED",
    "TENDER_LOST",
    "ANY_SECTOR",
    "PROJECT",
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
    "pilot_step",
    "procurement_step",
    "spread_step",
]
