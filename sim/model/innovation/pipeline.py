"""The innovation pipeline: each stage a named step, run monthly in the order of ``pipeline_month``.

An *engagement* is one organisation working with one solution. It moves through PILOT -> EVALUATION ->
PROCUREMENT -> ROLLOUT -> IN_USE and can end REJECTED (the organisation decides no), TENDER_LOST,
ABANDONED, or REPLACED (a better successor of the same type took over its work). Adoption is a coverage:
during ROLLOUT the share of the organisation's addressable work that uses the solution grows towards a
target, as project time, competence and money allow.

Two routes lead to a pilot. At the *frontier*, organisations find solutions not yet proven in Denmark by
scouting and pitches, at rates per reference organisation size. *Diffusion* of proven solutions follows
the Bass hazard per organisation, with imitation of the national coverage; an organisation taking up a
proven solution runs a short local test, or accepts shared evidence (lever ``common_evaluation``), and
still decides and pays. Rates that scale with organisations are per reference size and coverage is
intensive, so the national answer does not depend on how the country is partitioned.

Where each lever acts is declared in ``sim.levers`` (``mechanisms``) and checked by a test; search this
package for ``par.<lever>`` to find it.

Speed: a loop over the active engagements (or over all solutions) reads the arrays it needs into locals
before it starts (``stage = eng.stage``). Each read of a struct field (``st.eng.stage``) in compiled code
takes and releases a reference to the array, which costs more than the loop body's arithmetic; a local
read once does not. The locals are the same arrays, so writes through them are writes to the state.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.innovation.companies import company_finance_step, development_step
from sim.model.innovation.events import (
    abandon,
    add_engagement,
    addressable_fte,
    affordable_share,
    choose_weighted,
    complexity_score,
    count,
    decide,
    end_engagement,
    evaluation_cost_dkk,
    evaluation_months,
    evaluation_noise,
    free_capacity_fte,
    keep_in_unit,
    ownership,
    pay,
    pay_extension,
    risk_funds_available,
    set_type_weights,
    size_factor,
    spend,
    start_rollout,
    target_staff,
    training_fte,
    try_start_pilot,
    try_start_scaleup_test,
)
from sim.model.innovation.jit import jit
from sim.model.innovation.partnerships import open_challenges, partnership_step, partnership_work
from sim.model.innovation.state import (
    ANY_SECTOR,
    C_ADOPTIONS,
    C_DEFERRED,
    C_EVALUATIONS,
    C_PROCUREMENTS,
    C_REPLACEMENTS,
    C_SCOUTING,
    CHALLENGE,
    EVALUATED,
    EVALUATION,
    FAILED,
    FRICTIONLESS,
    IN_USE,
    K_EVALUATION,
    K_LICENCES,
    K_PARTNERSHIPS,
    K_PROGRAMMES,
    ORGANISATION,
    PILOT,
    PITCH,
    PROCUREMENT,
    PROJECT,
    REPLACED,
    ROLLOUT,
    SCALED,
    SCOUTING,
    SPREAD,
    STRATEGIC,
    TENDER_LOST,
    UNIT,
)

# ----------------------------------------------------------------------------------------------------
# the start of a month: the active list, coverage, capacity, budgets


@jit
def begin_month(t: int, par, st) -> None:
    """Reset the month's outputs; keep only engagements still under way in the active list; recompute
    each organisation's coverage and best effect by type, each solution's national coverage, and the
    project time pilots and evaluations hold."""
    st.counts[:] = 0.0
    st.cost[:] = 0.0
    st.work[:] = 0.0
    orgs, eng, sols = st.orgs, st.eng, st.sols
    # the arrays the loops read, taken out of the structs once (see the module docstring)
    active, stage, org_of, sol_of = st.active, eng.stage, eng.org, eng.sol
    coverage, type_of = eng.coverage, sols.type
    type_coverage, type_effect, type_leader = orgs.type_coverage, orgs.type_effect, orgs.type_leader
    kept = 0
    for i in range(st.n_active[0]):  # one pass: keep the engagements under way, reset their types
        e = active[i]
        if PILOT <= stage[e] <= IN_USE:
            active[kept] = e
            kept += 1
            o, k = org_of[e], type_of[sol_of[e]]
            type_coverage[o, k] = 0.0
            type_effect[o, k] = 0.0
            type_leader[o, k] = 0.0
    st.n_active[0] = kept
    orgs.used_fte[:] = 0.0
    sols.coverage[: sols.size[0]] = 0.0
    used_fte, sol_coverage, type_weight = orgs.used_fte, sols.coverage, orgs.type_weight
    scope, effect, project_fte = eng.scope, eng.effect, eng.project_fte
    for i in range(kept):
        e = active[i]
        o, s = org_of[e], sol_of[e]
        k = type_of[s]
        if coverage[e] > 0.0:  # rolled out, in use (or a kept pilot being scaled up)
            type_coverage[o, k] += coverage[e]
            if scope[e] == ORGANISATION and stage[e] >= ROLLOUT:
                type_effect[o, k] = max(type_effect[o, k], effect[e])
            sol_coverage[s] += coverage[e] * type_weight[o, k]
        if stage[e] == PILOT or stage[e] == EVALUATION:  # (a kept pilot's scale-up test too)
            used_fte[o] += project_fte[e]


@jit
def capacity_step(par, st) -> None:
    """Project time each organisation has (lever ``innovation_core_task``): the reserved share of its
    staff FTE, plus ordinary time every organisation finds (``base_project_fte`` per reference size)."""
    orgs = st.orgs
    for o in range(len(orgs.sector)):
        orgs.capacity_fte[o] = orgs.size_fte[
            o
        ] * par.innovation_core_task / 100.0 + par.base_project_fte * size_factor(par, st, o)


@jit
def budget_step(t: int, par, st) -> None:
    """Money for innovation (lever ``risk_budget``; rules in [risk_budget]).

    Each month every organisation's technology budget (licences, implementation, evaluation,
    procurement) receives what its 2025 portfolio costs to run (in its 2025 budget already) plus
    ``tech_budget_share`` of its operating budget (staff FTE x cost per FTE) for new technology, both grown
    by the ``budget_growth`` uncertainty, plus what it kept last month (savings and OPI revenue, lever
    ``incentive_structures``); the balance is capped at ``tech_budget_cap_months`` of allowance. Each
    January every risk fund (one per organisation, region or the nation: [risk_budget] pooling) keeps
    ``carry_over_share`` of its balance and receives ``risk_budget`` % of its organisations' operating
    budgets, capped at ``horizon_years`` of allocation.
    """
    orgs = st.orgs
    growth = (1.0 + par.budget_growth / 100.0) ** (t / 12.0)
    for o in range(len(orgs.sector)):
        operating = orgs.size_fte[o] * par.cost_per_fte_dkk * growth
        allowance = operating * par.tech_budget_share / 12.0 + orgs.base_running_dkk[o] * growth
        orgs.tech_budget[o] = min(
            orgs.tech_budget[o] + allowance + orgs.cash_kept[o],
            allowance * par.tech_budget_cap_months,
        )
        orgs.cash_kept[o] = 0.0
    if t % 12 != 0:
        return
    allocation = np.zeros(len(orgs.risk_fund))
    for o in range(len(orgs.sector)):
        allocation[orgs.fund[o]] += (
            orgs.size_fte[o] * par.cost_per_fte_dkk * growth * par.risk_budget / 100.0
        )
    for f in range(len(orgs.risk_fund)):
        kept = max(orgs.risk_fund[f], 0.0) * par.carry_over_share
        orgs.risk_fund[f] = min(kept + allocation[f], allocation[f] * par.horizon_years)


# ----------------------------------------------------------------------------------------------------
# the frontier: finding solutions not yet proven


@jit
def start_codeveloped_pilots(t: int, par, st) -> None:
    """Co-developed solutions that became ready start their pilot at the challenging organisation."""
    sols = st.sols
    for s in range(sols.size[0]):
        if sols.ready_month[s] == t and sols.challenge_org[s] >= 0 and sols.on_market[s]:
            try_start_pilot(t, par, st, sols.challenge_org[s], s, CHALLENGE, True)


@jit
def matching_step(t: int, par, st, rng) -> None:
    """Organisations find market-ready solutions not yet proven in Denmark: scouting and pitches.

    Scouting (lever ``proactive_scouting``: scouting rounds per organisation-month) finds
    ``proactive_scouting_finds_per_round`` fitting solutions per round and reference size; pitches come
    from every company with such a solution (``pitches_per_company_month``), reach organisations in
    proportion to their size and turn into a pilot with a probability raised by clear roles (lever
    ``role_transparency``). Units with incentives (lever ``incentive_structures``) are keener on both.
    A found solution is chosen by its claimed value and piloted if the organisation has project time
    and money (``events.try_start_pilot``); a solution is piloted at most ``frontier_pilots_max`` times
    before the first positive evaluation (a company runs a few reference pilots, not one in every
    organisation, so the number of pilots does not grow with the number of organisations).
    """
    sols, orgs = st.sols, st.orgs
    n_orgs = len(orgs.sector)
    n_sols = sols.size[0]
    ready = np.empty(n_sols, np.int64)
    n_ready = 0
    # the arrays the loops read, taken out of the structs once (see the module docstring)
    on_market, ready_month, evidence, sol_sector = (
        sols.on_market,
        sols.ready_month,
        sols.evidence,
        sols.sector,
    )
    engagement_of, frontier_pilots, claimed_effect = (
        st.engagement_of,
        sols.frontier_pilots,
        sols.claimed_effect,
    )
    type_of, type_effect = sols.type, st.types.effect
    for s in range(n_sols):
        if on_market[s] and ready_month[s] <= t and evidence[s] < EVALUATED:
            ready[n_ready] = s
            n_ready += 1
    if n_ready == 0:
        return
    pitching = np.zeros(st.comp.size[0], np.bool_)
    for i in range(n_ready):
        pitching[sols.company[ready[i]]] = True
    total_size = 0.0
    for o in range(n_orgs):
        total_size += orgs.size_fte[o]
    eagerness = 1.0 + par.incentive_structures * par.incentive_structures_pilot_gain
    accept = min(
        par.pitch_acceptance + par.role_transparency * par.role_transparency_pitch_acceptance, 1.0
    )
    pitch_rate = par.pitches_per_company_month * pitching.sum() * accept * eagerness
    appeal = np.empty(n_ready)
    for o in range(n_orgs):
        scouting = par.proactive_scouting * par.proactive_scouting_finds_per_round * eagerness
        expected = scouting * size_factor(par, st, o) + pitch_rate * orgs.size_fte[o] / total_size
        if rng.random() < par.proactive_scouting:
            count(st, C_SCOUTING, o)
        finds = rng.poisson(expected)
        for _ in range(finds):
            if free_capacity_fte(st, o) < par.pilot_staff_fte:
                break
            sector = orgs.sector[o]
            for i in range(n_ready):
                s = ready[i]
                appeal[i] = 0.0
                if (
                    sol_sector[s] == sector
                    and engagement_of[s, o] < 0
                    and frontier_pilots[s] < par.frontier_pilots_max
                ):
                    appeal[i] = claimed_effect[s] * type_effect[type_of[s]] + 1e-9
            pick = choose_weighted(appeal, n_ready, rng)
            if pick >= 0:
                via = (
                    SCOUTING
                    if rng.random() * expected < scouting * size_factor(par, st, o)
                    else PITCH
                )
                try_start_pilot(t, par, st, o, ready[pick], via, False)


# ----------------------------------------------------------------------------------------------------
# from pilot to roll-out


@jit
def pilot_step(t: int, par, st) -> None:
    """Advance pilots and local tests; a finished one goes to evaluation (which costs money)."""
    eng = st.eng
    active, stage = st.active, eng.stage  # (see the module docstring)
    for i in range(st.n_active[0]):
        e = active[i]
        if stage[e] != PILOT:
            continue
        eng.timer[e] -= 1.0
        if eng.timer[e] <= 0.0:
            k = st.sols.type[eng.sol[e]]
            eng.stage[e] = EVALUATION
            eng.timer[e] = evaluation_months(par, st, k)
            pay(par, st, eng.org[e], evaluation_cost_dkk(par, st, k), K_EVALUATION, False)


@jit
def evaluation_step(t: int, par, st, rng) -> None:
    """Advance evaluations. A finished evaluation estimates the effect (noise cut by lever
    ``common_evaluation``), adds to the solution's evidence, and the organisation decides
    (``events.decide``)."""
    eng, sols = st.eng, st.sols
    active, stage = st.active, eng.stage  # (see the module docstring)
    for i in range(st.n_active[0]):
        e = active[i]
        if stage[e] != EVALUATION:
            continue
        eng.timer[e] -= 1.0
        if eng.timer[e] > 0.0:
            continue
        count(st, C_EVALUATIONS, eng.org[e])
        s = eng.sol[e]
        noise = evaluation_noise(par, st, sols.type[s])
        eng.est_effect[e] = sols.true_effect[s] * math.exp(rng.normal(-0.5 * noise * noise, noise))
        sols.evaluations[s] += 1
        sols.evidence_effect[s] += (eng.est_effect[e] - sols.evidence_effect[s]) / sols.evaluations[
            s
        ]
        decide(t, par, st, e, rng)


@jit
def procurement_step(t: int, par, st, rng) -> None:
    """Advance procurements (route, duration and outcome set by ``events.enter_procurement``, lever
    ``procurement_flexibility``). A won procurement starts the roll-out; a lost one ends."""
    eng = st.eng
    active, stage = st.active, eng.stage  # (see the module docstring)
    for i in range(st.n_active[0]):
        e = active[i]
        if stage[e] != PROCUREMENT:
            continue
        eng.timer[e] -= 1.0
        if eng.timer[e] > 0.0:
            continue
        if eng.lost[e]:
            if (
                eng.coverage[e] > 0.0
            ):  # a kept pilot whose scale-up was not bought: it stays in its unit
                keep_in_unit(par, st, e)
            else:
                eng.stage[e] = TENDER_LOST
        else:
            count(st, C_PROCUREMENTS, eng.org[e])
            count(st, C_ADOPTIONS, eng.org[e])
            start_rollout(t, par, st, e, rng)


# ----------------------------------------------------------------------------------------------------
# diffusion of proven solutions


@jit
def next_success(prob: float, rng) -> int:
    """Trials up to and including the next success of Bernoulli(``prob``) trials (geometric, >= 1)."""
    if prob >= 1.0:
        return 1
    if prob <= 0.0:
        return 1 << 62
    return geometric_gap(math.log1p(-prob), rng)


@jit
def geometric_gap(log_q: float, rng) -> int:
    """``next_success`` for 0 < prob < 1, given ``log_q = log1p(-prob)`` (worked out once for many
    draws at the same probability: the same numbers)."""
    return int(math.log(1.0 - rng.random()) / log_q) + 1


@jit(entry=True)
def draw_takeups(prob: float, n: int, rng, out: np.ndarray) -> int:
    """One Bernoulli(``prob``) trial for each of ``n`` candidates, in order, drawn by geometric gaps
    between successes (exact; the draws scale with the successes, not the candidates). Writes the
    successful candidates' positions into ``out``; returns how many."""
    if prob <= 0.0:  # no trial draws: no candidate
        return 0
    if prob >= 1.0:  # no trial draws: every candidate
        for k in range(n):
            out[k] = k
        return n
    log_q = math.log1p(-prob)
    m = 0
    k = geometric_gap(log_q, rng) - 1
    while k < n:
        out[m] = k
        m += 1
        k += geometric_gap(log_q, rng)
    return m


@jit
def takeup_hazard_year(par, st, s: int, others: float, ownership_gain: float) -> float:
    """Bass hazard per year that an organisation takes up proven solution ``s``: external adoption (the
    spread programme, lever ``spread_workflows``, and scouting, lever ``proactive_scouting``) plus
    imitation of ``others``, the coverage of the solution among the other organisations
    (``others_coverage``), raised by ownership (lever ``innovation_core_task``: ``ownership_gain``, the
    month's ``1 + ownership x innovation_core_task_takeup_gain``, the same for every take-up)."""
    p_ext = (
        par.bass_p_year
        + st.types.spread_workflows[st.sols.type[s]] * par.spread_workflows_bass_p_year
        + par.proactive_scouting * par.proactive_scouting_bass_p_year
    )
    imitation = par.bass_q_year * others
    return (p_ext + imitation) * ownership_gain


@jit
def others_coverage(st, s: int, o: int) -> float:
    """Coverage of solution ``s`` in the organisations other than ``o``, as a share of their addressable
    work of its type: what ``o`` sees and imitates. Its own use does not make an organisation imitate
    itself; leaving it out makes a sector of three organisations diffuse as one of ninety-eight does
    (with the national coverage, an organisation holding a third of the work would imitate itself)."""
    w = st.orgs.type_weight[o, st.sols.type[s]]
    if w >= 1.0:
        return 0.0
    own = 0.0
    e = st.engagement_of[s, o]
    if e >= 0 and st.eng.stage[e] <= IN_USE:
        own = st.eng.coverage[e]
    return min(max((st.sols.coverage[s] - w * own) / (1.0 - w), 0.0), 1.0)


@jit
def spread_step(t: int, par, st, rng) -> None:
    """Organisations take up proven solutions (Bass diffusion, ``takeup_hazard_year``).

    Eligible (``eligible_for_takeup``): organisations of the target sector not yet engaged with the
    solution that either do not use its type or use a solution of the type whose realised effect the new
    one's evidence beats by ``upgrade_margin`` (a successor); an organisation that keeps a frontier pilot
    of it (scaling it up); one whose engagement ended ``reconsider_months`` ago. One Bernoulli trial per
    organisation-month, drawn by geometric gaps over the sector's organisations (``draw_takeups``), and
    the ineligible successes dropped: each eligible organisation gets its own trial, and the cost follows
    the successes. The trials are drawn at the highest hazard any organisation of the sector can have
    (imitating ``coverage / (1 - largest weight)``) and each success kept with the ratio of the
    organisation's own take-up probability to it (thinning), since each imitates the others' coverage
    (``others_coverage``). Each eligible success is ``take_up``. With ``innovation.frictionless`` the organisation
    adopts at full coverage at once (the Bass validation check).
    """
    sols, orgs = st.sols, st.orgs
    n_orgs = len(orgs.sector)
    hits = np.empty(n_orgs, np.int64)
    largest = st.types.largest_weight  # each type's largest organisation weight
    ownership_gain = 1.0 + ownership(par) * par.innovation_core_task_takeup_gain
    evidence, on_market = sols.evidence, sols.on_market  # (see the module docstring)
    for s in range(sols.size[0]):
        if evidence[s] < EVALUATED or not on_market[s]:
            continue
        sector = sols.sector[s]
        if sector == ANY_SECTOR:
            first, last = 0, n_orgs
        else:
            first, last = orgs.sector_start[sector], orgs.sector_start[sector + 1]
        w_max = largest[sols.type[s]]
        bound = min(sols.coverage[s] / (1.0 - w_max), 1.0) if w_max < 1.0 else 1.0
        prob = 1.0 - math.exp(-takeup_hazard_year(par, st, s, bound, ownership_gain) / 12.0)
        n_hits = draw_takeups(prob, last - first, rng, hits)
        for j in range(n_hits):
            i = first + hits[j]
            o = i if sector == ANY_SECTOR else orgs.sector_orgs[i]
            if not eligible_for_takeup(t, par, st, s, o):
                continue
            others = others_coverage(st, s, o)
            own = 1.0 - math.exp(-takeup_hazard_year(par, st, s, others, ownership_gain) / 12.0)
            if rng.random() * prob < own:
                take_up(t, par, st, o, s, rng)


@jit
def eligible_for_takeup(t: int, par, st, s: int, o: int) -> bool:
    """Whether organisation ``o`` may take up solution ``s`` this month (see ``spread_step``)."""
    e = st.engagement_of[s, o]
    if e >= 0:
        stage = st.eng.stage[e]
        if st.eng.scope[e] == UNIT:
            # a frontier pilot: under way (it becomes the organisation's local test), kept (scaled up
            # now, also while its unit's roll-out is under way) or rejected (its unit's own verdict);
            # none bars the rest of the organisation, whatever its size. Only a unit's purchase under
            # way (a few months) is waited for, and a unit that covers nothing (yet, or any more).
            if stage == PROCUREMENT or (
                stage >= ROLLOUT and stage <= IN_USE and st.eng.coverage[e] <= 0.0
            ):
                return False
        elif stage <= IN_USE or t - st.eng.started[e] < par.reconsider_months:
            # an organisation-wide engagement that ended is reconsidered after reconsider_months
            return False
    own = st.orgs.type_effect[o, st.sols.type[s]]
    return own <= 0.0 or st.sols.evidence_effect[s] > own * (1.0 + par.upgrade_margin)


@jit
def take_up(t: int, par, st, org: int, sol: int, rng) -> None:
    """An organisation takes up a proven solution (if the engagement table has room this month; the room
    reserved, ``takeup_rows_per_org`` per organisation, is far above the take-ups a month sees): it accepts
    the shared evidence (probability
    ``common_evaluation x common_evaluation_evidence_acceptance``) and decides at once on the pooled
    estimate, or runs a local test first (``try_start_pilot``; without project time or money it lets the
    solution pass this month). Either way the adoption decision and the budgets still apply."""
    if st.eng.size[0] >= len(st.eng.org) or st.n_active[0] >= len(st.active):
        count(st, C_DEFERRED, org)
        return
    kept = st.engagement_of[sol, org]
    if kept >= 0 and st.eng.stage[kept] > IN_USE:  # reconsidered after it ended: start afresh
        kept = -1
    if kept >= 0 and (st.eng.stage[kept] == PILOT or st.eng.stage[kept] == EVALUATION):
        # a frontier pilot under way: the local test now
        st.eng.scope[kept] = ORGANISATION
        return
    if kept >= 0:
        # scale up a frontier pilot its unit keeps: a take-up like the others (below), on the unit's
        # engagement. One unit's pilot is not the organisation's local test, which is sized by the
        # organisation (``events.test_scale``); else an organisation large enough to hold a frontier
        # pilot of every solution would skip the tests smaller ones run.
        k = st.sols.type[sol]
        st.eng.scope[kept] = ORGANISATION
        if rng.random() < st.types.common_evaluation[k] * par.common_evaluation_evidence_acceptance:
            decide_on_shared_evidence(t, par, st, kept, rng)
        elif not try_start_scaleup_test(t, par, st, kept):
            st.eng.scope[kept] = UNIT
        return
    if par.frictionless > 0.5:
        e = add_engagement(st, org, sol, IN_USE, 0.0, FRICTIONLESS, t)
        st.eng.adopted[e] = t
        st.eng.coverage[e] = 1.0
        st.eng.target[e] = 1.0
        st.eng.effect[e] = st.sols.true_effect[sol]
        st.sols.adopters[sol] += 1
        st.orgs.type_coverage[org, st.sols.type[sol]] += 1.0
        count(st, C_ADOPTIONS, org)
        return
    k = st.sols.type[sol]
    if rng.random() < st.types.common_evaluation[k] * par.common_evaluation_evidence_acceptance:
        e = add_engagement(st, org, sol, EVALUATION, 0.0, SPREAD, t)
        decide_on_shared_evidence(t, par, st, e, rng)
    else:
        try_start_pilot(t, par, st, org, sol, SPREAD, False)


@jit
def decide_on_shared_evidence(t: int, par, st, e: int, rng) -> None:
    """The organisation of engagement ``e`` accepts the shared evidence on its solution: its estimate
    is the pooled estimate seen through the type's evaluation noise, and it decides at once
    (``decide``: the adoption decision and the budgets still apply)."""
    sol = st.eng.sol[e]
    noise = evaluation_noise(par, st, st.sols.type[sol])
    st.eng.est_effect[e] = st.sols.evidence_effect[sol] * math.exp(
        rng.normal(-0.5 * noise * noise, noise)
    )
    decide(t, par, st, e, rng)


# ----------------------------------------------------------------------------------------------------
# roll-out, replacement, abandonment


@jit(inline=True)
def rollout_rate_year(par, st, e: int, ownership_gain: float) -> float:
    """How fast coverage closes on its target (per year): ``rollout_rate_year``, raised by ownership
    (lever ``innovation_core_task``: ``ownership_gain``, the month's ``1 + ownership x
    innovation_core_task_rollout_gain``, the same for every roll-out), competence (lever
    ``competence_investment``), champions (lever ``career_paths``) and, for a proven solution, the
    standard spread workflow (lever ``spread_workflows``); slowed by NASSS complexity."""
    org, sol = st.eng.org[e], st.eng.sol[e]
    orgs = st.orgs
    complexity = complexity_score(st, sol)
    workflow = (
        st.types.spread_workflows[st.sols.type[sol]] * par.spread_workflows_rollout_gain
        if st.sols.adopters[sol] > 1
        else 0.0
    )
    return (
        par.rollout_rate_year
        * ownership_gain
        * max(1.0 + par.competence_rollout_gain * (orgs.competence[org] - par.competence_base), 0.1)
        * (1.0 + par.champion_rollout_gain * min(orgs.champion_factor[org], 2.0))
        * (1.0 + workflow)
        / (1.0 + par.complexity_rollout_drag * complexity)
    )


@jit
def rollout_step(t: int, par, st) -> None:
    """Roll-outs extend coverage towards their target.

    Each month coverage closes ``1 - exp(-rate / 12)`` of its distance to the target. The extension needs
    staff time to train the staff of the newly covered work (from the organisation's project time; without
    it an organisation still manages ``unreserved_rollout_share`` of the extension) and money for the
    implementation fee and licence (``events.affordable_share``): what is missing waits. A roll-out at its
    target is IN_USE. Coverage beyond the type's whole work replaces older solutions (``replace_step``).
    """
    eng, orgs = st.eng, st.orgs
    # the arrays the loops read, taken out of the structs once (see the module docstring)
    active, stage, org_of, sol_of, target, coverage, adopted, effect = (
        st.active,
        eng.stage,
        eng.org,
        eng.sol,
        eng.target,
        eng.coverage,
        eng.adopted,
        eng.effect,
    )
    type_of, tech_budget, used_fte = st.sols.type, orgs.tech_budget, orgs.used_fte
    type_coverage, type_leader = orgs.type_coverage, orgs.type_leader
    type_addressable, supply_of, work_of = st.types.addressable, st.supply, st.work
    n_prof = work_of.shape[1]
    done_share, scaleup_months = par.rollout_done_share, par.scaleup_months
    ownership_gain = 1.0 + ownership(par) * par.innovation_core_task_rollout_gain
    for i in range(st.n_active[0]):
        e = active[i]
        if stage[e] != ROLLOUT:
            continue
        o, s = org_of[e], sol_of[e]
        k = type_of[s]
        gap = target[e] - coverage[e]
        if gap <= done_share * target[e]:
            stage[e] = IN_USE
            continue
        if tech_budget[o] <= 0.0 and (
            t - adopted[e] >= scaleup_months or risk_funds_available(par, st, o) <= 0.0
        ):
            continue  # no money for any extension this month
        want = gap * -math.expm1(-rollout_rate_year(par, st, e, ownership_gain) / 12.0)
        # the organisation's addressable FTE and staff of the type, worked out once per roll-out
        fte, staff = addressable_fte(st, o, k), target_staff(st, o, k)
        need = training_fte(par, st, k, staff, want)
        share = 1.0
        if need > 0.0:
            share = min(max(free_capacity_fte(st, o) / need, par.unreserved_rollout_share), 1.0)
        share *= affordable_share(par, st, e, fte, want * share, t)
        delta = want * share
        if delta <= 0.0:
            continue
        pay_extension(par, st, e, fte, delta, t)
        used = training_fte(par, st, k, staff, delta)
        used_fte[o] += used
        for p in range(n_prof):
            if type_addressable[k, p] > 0.0 and staff > 0.0:
                work_of[o, p] += used * supply_of[o, p] / staff
        coverage[e] += delta
        type_coverage[o, k] += delta
        type_leader[o, k] = max(type_leader[o, k], effect[e])


@jit
def practice_step(par, st) -> None:
    """Practice change on technology already installed: an engagement rolled out or in use whose
    realised effect is below its solution's true effect has a *practice gap* (the old workflow kept,
    e.g. two staff per transfer with a ceiling lift in place). While a spread programme scopes the type
    above the status quo of ``spread_workflows``, the gap closes at the yearly rate
    ``spread_workflows_practice_rate_year`` x the programme's intensity (its excess over the status
    quo, as a share of the room above it), with no staff time and no money; what closed stays closed
    when the programme ends.

    Only the historical starting state gives engagements a gap (``initial.PRACTICE_GAPS``: transfer
    aids in a run that starts before 2014; it counts them in ``par.practice_gaps``): every other engagement starts at its solution's true effect, so a run that starts
    in 2025 is unchanged by this step whatever the levers."""
    rate = par.spread_workflows_practice_rate_year
    if rate <= 0.0 or par.practice_gaps <= 0.0:
        return
    status_quo = par.spread_workflows_status_quo
    room = max(1.0 - status_quo, 1e-9)
    workflows, type_of, true_effect = st.types.spread_workflows, st.sols.type, st.sols.true_effect
    active, stage, effect, sol_of = st.active, st.eng.stage, st.eng.effect, st.eng.sol
    for i in range(st.n_active[0]):
        e = active[i]
        if stage[e] != ROLLOUT and stage[e] != IN_USE:
            continue
        s = sol_of[e]
        gap = true_effect[s] - effect[e]
        excess = workflows[type_of[s]] - status_quo
        if gap <= 0.0 or excess <= 0.0:
            continue
        effect[e] += gap * -math.expm1(-rate * min(excess / room, 1.0) / 12.0)


@jit
def replace_step(t: int, par, st) -> None:
    """Where the solutions of a type now cover more than all of an organisation's work of that type, the
    roll-out took over work from older, weaker solutions: their coverage shrinks by the excess, and one
    whose coverage is gone is REPLACED (counted). If no weaker solution is left to give way, the roll-out
    stops where the work is all covered."""
    eng, sols, orgs = st.eng, st.sols, st.orgs
    # the arrays the loops read, taken out of the structs once (see the module docstring)
    active, stage, org_of, sol_of, coverage = st.active, eng.stage, eng.org, eng.sol, eng.coverage
    type_of, type_coverage = sols.type, orgs.type_coverage
    for i in range(st.n_active[0]):
        e = active[i]
        if stage[e] != ROLLOUT and stage[e] != IN_USE:
            continue
        o, k = org_of[e], type_of[sol_of[e]]
        excess = type_coverage[o, k] - 1.0
        if excess <= 1e-12 or eng.effect[e] >= orgs.type_leader[o, k]:
            continue
        cut = min(coverage[e], excess)
        coverage[e] -= cut
        type_coverage[o, k] -= cut
        if coverage[e] < 0.002:
            end_engagement(st, e, REPLACED, C_REPLACEMENTS)
    for i in range(st.n_active[0]):
        e = active[i]
        if stage[e] != ROLLOUT:
            continue
        o, k = org_of[e], type_of[sol_of[e]]
        excess = type_coverage[o, k] - 1.0
        if excess > 1e-12:
            cut = min(coverage[e], excess)
            coverage[e] -= cut
            eng.target[e] = coverage[e]
            type_coverage[o, k] -= cut


@jit
def abandonment_step(t: int, par, st, rng) -> None:
    """Organisations drop solutions they roll out or use.

    Yearly hazard = base + per NASSS complexity point (assumption), raised by strain, by a failed supplier,
    during roll-out and when the technology budget is overdrawn; lowered by champions (lever
    ``career_paths``), ownership (lever ``innovation_core_task``) and competence (lever
    ``competence_investment``).
    """
    eng, sols, orgs = st.eng, st.sols, st.orgs
    n_orgs = len(orgs.sector)
    org_factor = np.empty(n_orgs)
    largest = 0.0
    owned = 1.0 - ownership(par) * par.innovation_core_task_abandon_cut  # the same for all
    for o in range(n_orgs):
        org_factor[o] = (
            (1.0 + max(st.strain[o].mean() - 1.0, 0.0))
            * (1.0 - par.abandon_champion_cut * min(orgs.champion_factor[o], 1.0))
            * owned
            * max(
                1.0 - par.competence_abandon_cut * (orgs.competence[o] - par.competence_base), 0.1
            )
            * (par.abandon_budget_factor if orgs.tech_budget[o] < 0.0 else 1.0)
        )
        largest = max(largest, org_factor[o])
    # one Bernoulli trial per engagement, drawn by thinning: candidates at the largest possible monthly
    # probability (geometric gaps over the active list), each kept with its own probability's share
    ceiling = (
        (par.abandon_base_year + par.abandon_per_complexity * 2 * sols.complexity.shape[1])
        * largest
        * max(par.abandon_failed_supplier_factor, 1.0)
        * max(par.abandon_rollout_factor, 1.0)
    )
    p_max = -math.expm1(-ceiling / 12.0)
    k = next_success(p_max, rng) - 1
    while k < st.n_active[0]:
        e = st.active[k]
        stage = eng.stage[e]
        if stage == ROLLOUT or stage == IN_USE:
            org, s = eng.org[e], eng.sol[e]
            complexity = complexity_score(st, s)
            yearly = (par.abandon_base_year + par.abandon_per_complexity * complexity) * (
                org_factor[org]
                * (
                    par.abandon_failed_supplier_factor
                    if st.comp.status[sols.company[s]] == FAILED
                    else 1.0
                )
                * (par.abandon_rollout_factor if stage == ROLLOUT else 1.0)
            )
            if rng.random() * p_max < -math.expm1(-yearly / 12.0):
                abandon(st, e)
        k += next_success(p_max, rng)


# ----------------------------------------------------------------------------------------------------
# hours


@jit(entry=True)
def freed_hours_step(par, st) -> None:
    """Gross FTE freed per organisation and profession [O, P], into ``st.freed``.

    Each solution rolled out or in use saves ``addressable x realised effect x coverage`` of the
    profession's hours, where the realised effect is the solution's true effect of which the part
    ``competence_effect_share`` follows the organisation's current digital competence (lever
    ``competence_investment``). Shares on the same hours combine as competing claims on what is left,
    ``1 - exp(-sum of shares)``, so freed hours never exceed demand (and each solution's share counts in
    full while the total is small).
    """
    eng = st.eng
    # the arrays the loops read, taken out of the structs once (see the module docstring)
    active, coverage, effect, org_of, sol_of = st.active, eng.coverage, eng.effect, eng.org, eng.sol
    type_of, addressable, org_competence = st.sols.type, st.types.addressable, st.orgs.competence
    freed, demand = st.freed, st.demand
    total = np.zeros(freed.shape)
    k_comp = par.competence_effect_share
    for i in range(st.n_active[0]):
        e = active[i]
        if coverage[e] <= 0.0:
            continue
        o, k = org_of[e], type_of[sol_of[e]]
        competence = 1.0 - k_comp + k_comp * org_competence[o]
        done = effect[e] * competence * coverage[e]
        for p in range(total.shape[1]):
            total[o, p] += addressable[k, p] * done
    for o in range(total.shape[0]):
        for p in range(total.shape[1]):
            if total[o, p] == 0.0:  # -expm1(-0.0) is 0.0: the same number, without the call
                freed[o, p] = demand[o, p] * 0.0
            else:
                freed[o, p] = demand[o, p] * -math.expm1(-total[o, p])


@jit
def innovation_work_step(t: int, par, st) -> None:
    """FTE that innovation costs per organisation and profession [O, P], added to ``st.work`` (which
    already holds the month's roll-out training).

    Pilots and evaluations (``pilot_staff_fte`` each, over the type's professions by addressable hours);
    scouting rounds (lever ``proactive_scouting``); strategic partnerships and challenges (lever
    ``strategic_partnership_cap``, ``challenge_driven_share``, ``partnerships.partnership_work``); the
    governance overhead of the hours reserved for innovation (lever ``innovation_core_task``); staff on
    career tracks (lever ``career_paths``); competence training of the staff working with solutions (lever
    ``competence_investment``); maintenance of the solutions in use. Organisation-wide time is spread over
    professions by supply.
    """
    eng, sols, types, orgs = st.eng, st.sols, st.types, st.orgs
    n_orgs, n_prof = st.work.shape
    covered = np.zeros(
        (n_orgs, n_prof)
    )  # share of staff working with solutions: the largest type's
    # the arrays the loops read, taken out of the structs once (see the module docstring)
    active, stage_of, org_of, sol_of, coverage = (
        st.active,
        eng.stage,
        eng.org,
        eng.sol,
        eng.coverage,
    )
    type_of, addressable, type_coverage, work = (
        sols.type,
        types.addressable,
        orgs.type_coverage,
        st.work,
    )
    for i in range(st.n_active[0]):
        e = active[i]
        stage = stage_of[e]
        o, k = org_of[e], type_of[sol_of[e]]
        if stage == PILOT or stage == EVALUATION:
            total = 0.0
            for p in range(n_prof):
                total += addressable[k, p]
            for p in range(n_prof):
                work[o, p] += addressable[k, p] / max(total, 1e-12) * eng.project_fte[e]
        elif coverage[e] > 0.0:
            share = type_coverage[o, k]
            for p in range(n_prof):
                if addressable[k, p] > 0.0:
                    covered[o, p] = max(covered[o, p], share)
    org_wide = np.zeros(n_orgs)
    challenges = np.zeros(n_orgs)
    open_challenges(st, challenges)
    for o in range(n_orgs):
        scale = size_factor(par, st, o)
        org_wide[o] = (
            par.proactive_scouting * par.proactive_scouting_staff_fte_per_round * scale
            + partnership_work(par, st, o, challenges[o])
            + orgs.size_fte[o]
            * par.innovation_core_task
            / 100.0
            * par.innovation_core_task_overhead_share
        )
    supply_of, freed = st.supply, st.freed
    for o in range(n_orgs):
        supply_total = 0.0
        for p in range(n_prof):
            supply_total += supply_of[o, p]
        supply_total = max(supply_total, 1e-9)
        for p in range(n_prof):
            supply = supply_of[o, p]
            training = supply * covered[o, p] * par.competence_investment / par.hours_per_fte
            career = supply * par.career_paths / 100.0 * par.career_paths_time_share
            work[o, p] += (
                supply / supply_total * org_wide[o]
                + training
                + career
                + par.maintenance_share * freed[o, p]
            )


# ----------------------------------------------------------------------------------------------------
# the month


@jit(entry=True)
def rows_needed(t: int, st) -> tuple[int, int, int, int]:
    """Upper bounds on the engagements, partnerships, solutions and types month ``t`` can add (compiled
    steps cannot grow tables, so ``InnovationLayer.reserve_rows`` makes room first).

    Every organisation can start at most a few pilots from matching (bounded by its project time) and one
    take-up per proven solution; partnerships: one project per pilot plus one strategic per organisation
    and one domain partnership per development; solutions: one per company; types: one per company
    still alive (only an alive company develops, once a month). The types bound only decides when the
    table grows (nothing loops over its spare rows); the other tables keep their historical bounds.
    """
    par, orgs, sols = st.params[0], st.orgs, st.sols
    n_orgs = len(orgs.sector)
    pilots = n_orgs  # committed pilots: co-developed (one per solution due) and joint projects
    for o in range(n_orgs):
        slots = (orgs.capacity_fte[o] + par.base_project_fte * size_factor(par, st, o)) / max(
            par.pilot_staff_fte, 1e-9
        )
        pilots += int(math.ceil(slots)) + 4 * orgs.strategic_count[o] + 2
    for s in range(sols.size[0]):
        if sols.ready_month[s] == t and sols.challenge_org[s] >= 0:
            pilots += 1
    engagements = pilots + par.takeup_rows_per_org * n_orgs
    companies = st.comp.size[0]
    alive, status = 0, st.comp.status
    for c in range(companies):
        if status[c] != FAILED:
            alive += 1
    return engagements, pilots + 2 * n_orgs + companies, companies, alive


@jit(entry=True)
def pipeline_month(t: int, events: bool, st) -> None:
    """Step 3 of the month, compiled: the pipeline in order, then the hours it frees and costs.

    ``events`` is false in the first month of a run, which records the starting balance (nothing
    happens yet). Each process draws from its own random stream (``st.rng_*``), so a lever that makes one
    process draw more leaves the draws of the others alone (common random numbers across scenarios).
    """
    par = st.params[0]
    begin_month(t, par, st)
    budget_step(t, par, st)
    capacity_step(par, st)
    if events and par.frictionless > 0.5:
        spread_step(t, par, st, st.rng_implementation)
    elif events:
        development_step(t, par, st, st.rng_companies)
        start_codeveloped_pilots(t, par, st)
        partnership_step(t, par, st, st.rng_matching)
        matching_step(t, par, st, st.rng_matching)
        pilot_step(t, par, st)
        evaluation_step(t, par, st, st.rng_pilots)
        procurement_step(t, par, st, st.rng_procurement)
        spread_step(t, par, st, st.rng_implementation)
        rollout_step(t, par, st)
        replace_step(t, par, st)
        abandonment_step(t, par, st, st.rng_implementation)
        practice_step(par, st)
    freed_hours_step(par, st)
    innovation_work_step(t, par, st)
    pipeline_stats_step(par, st)


@jit(entry=True)
def pipeline_stats_step(par, st) -> None:
    """Stocks of the pipeline at the end of the month, into ``st.pipeline_stats`` (``PIPELINE_STATS`` x
    [sectors + all]): pilots and roll-outs under way, solutions in use (anywhere) and scaled (at
    ``scaled_threshold_orgs`` organisations or more), solution types in use; by the sector they target
    (a solution for any sector, the Bass check, only in the last column). Also each type's national
    coverage (``types.coverage``: its covered share of the national addressable hours of the type)."""
    stats = st.pipeline_stats
    stats[:] = 0.0
    all_ = stats.shape[1] - 1
    eng, sols, types = st.eng, st.sols, st.types
    # the arrays the loops read, taken out of the structs once (see the module docstring)
    active, stage, org_of, sol_of, coverage = st.active, eng.stage, eng.org, eng.sol, eng.coverage
    org_sector, type_of, type_weight = st.orgs.sector, sols.type, st.orgs.type_weight
    type_coverage = types.coverage
    type_coverage[: types.size[0]] = 0.0
    for i in range(st.n_active[0]):  # one pass: the stage counts and the coverage by type
        e = active[i]
        o = org_of[e]
        sector = org_sector[o]
        if stage[e] == PILOT:
            stats[0, sector] += 1.0
            stats[0, all_] += 1.0
        elif stage[e] == ROLLOUT:
            stats[1, sector] += 1.0
            stats[1, all_] += 1.0
        if coverage[e] > 0.0:
            k = type_of[sol_of[e]]
            type_coverage[k] += coverage[e] * type_weight[o, k]
    in_use = np.zeros(types.size[0], np.bool_)
    sol_sector, adopters = sols.sector, sols.adopters
    for s in range(sols.size[0]):
        sector = sol_sector[s]
        if adopters[s] > 0:
            in_use[type_of[s]] = True
            stats[2, all_] += 1.0
            if sector != ANY_SECTOR:
                stats[2, sector] += 1.0
        if adopters[s] >= par.scaled_threshold_orgs:
            stats[3, all_] += 1.0
            if sector != ANY_SECTOR:
                stats[3, sector] += 1.0
    for k in range(types.size[0]):
        if in_use[k]:
            stats[4, all_] += 1.0
            if types.sector[k] != ANY_SECTOR:
                stats[4, types.sector[k]] += 1.0


@jit(entry=True)
def money_month(t: int, st) -> tuple[int, int]:
    """Step 5 of the month, compiled: licences by coverage (and the OPI revenue share a co-developing
    organisation earns on them, lever ``incentive_structures``), strategic retainers, the national
    programmes that levers pay for, company finance. Returns (start-ups failed, start-ups scaled)."""
    par = st.params[0]
    eng, sols, comp, parts, orgs = st.eng, st.sols, st.comp, st.parts, st.orgs
    # the arrays the loop reads, taken out of the structs once (see the module docstring)
    active, coverage, org_of, sol_of, price = (
        st.active,
        eng.coverage,
        eng.org,
        eng.sol,
        eng.price_fte_year,
    )
    type_of, challenge_org, company_of = sols.type, sols.challenge_org, sols.company
    revenue_month, cash_kept = comp.revenue_month, orgs.cash_kept
    for i in range(st.n_active[0]):
        e = active[i]
        if coverage[e] <= 0.0:
            continue
        o, s = org_of[e], sol_of[e]
        fte = addressable_fte(st, o, type_of[s])
        monthly = price[e] * fte * coverage[e] / 12.0
        pay(par, st, o, monthly, K_LICENCES, False)
        revenue = monthly
        partner = challenge_org[s]
        if partner >= 0 and partner != o:
            royalty = monthly * par.opi_revenue_share * par.incentive_structures
            cash_kept[partner] += royalty
            revenue -= royalty
        revenue_month[company_of[s]] += revenue
    ongoing, form, live = parts.active, parts.form, parts.live  # read once (as above)
    for i in range(parts.n_live[0]):  # the partnerships not ended (``PartnershipTable.live``)
        k = live[i]
        if ongoing[k] and form[k] == STRATEGIC:
            retainer = par.strategic_partnership_cap_retainer_dkk_month * size_factor(
                par, st, parts.org[k]
            )
            pay(par, st, parts.org[k], retainer, K_PARTNERSHIPS, False)
            comp.revenue_month[parts.company[k]] += retainer
    national = (
        par.spread_workflows * par.spread_workflows_programme_dkk_year
        + par.common_evaluation * par.common_evaluation_body_dkk_year
        + par.test_access * par.test_access_facility_dkk_year
        + par.role_transparency * par.role_transparency_coordination_dkk_year
        + par.transformative_focus * par.transformative_focus_programme_dkk_year
    ) / 12.0
    n_sectors = st.cost.shape[0]
    for sector in range(n_sectors):
        st.cost[sector, K_PROGRAMMES] += national / n_sectors
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
    status, was_startup = comp.status, comp.was_startup  # read once (see the module docstring)
    for c in range(comp.size[0]):
        if status[c] != FAILED:
            stats[2] += 1.0
            if was_startup[c]:
                stats[0] += 1.0
        if status[c] == SCALED and was_startup[c]:
            stats[1] += 1.0
    active, form, scale, live = parts.active, parts.form, parts.scale, parts.live
    for i in range(parts.n_live[0]):  # the partnerships not ended (``PartnershipTable.live``)
        k = live[i]
        if active[k]:
            stats[3] += 1.0
            if form[k] == PROJECT or form[k] == STRATEGIC:
                stats[4] += scale[k]


__all__ = [
    "abandonment_step",
    "begin_month",
    "budget_step",
    "capacity_step",
    "draw_takeups",
    "evaluation_step",
    "freed_hours_step",
    "geometric_gap",
    "innovation_work_step",
    "matching_step",
    "money_month",
    "money_stats_step",
    "next_success",
    "pilot_step",
    "pipeline_month",
    "pipeline_stats_step",
    "procurement_step",
    "replace_step",
    "rollout_rate_year",
    "rollout_step",
    "rows_needed",
    "set_type_weights",
    "spend",
    "spread_step",
    "start_codeveloped_pilots",
    "take_up",
    "takeup_hazard_year",
    "others_coverage",
]
