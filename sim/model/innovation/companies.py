"""Companies: health-tech start-ups, SMEs and large MedTech/pharma firms as Mesa agents.

Each ``Company`` is a ``mesa.Agent`` (identity, kind) with its row in ``CompanyTable``
(``sim.model.innovation.state``), where the monthly bookkeeping (cash, burn, revenue, failure, growth) runs
compiled over all companies. A company's row is written when it is founded; its agent is registered with
Mesa when the model's agents are next read (``register_companies``, called by
``HealthSystemModel.agents``, ``agents_by_type`` and ``agent_types``), in the order the companies were
founded and so with the same ids: a run that never reads its agents (``sim.run``) does not pay about ten
microseconds per company (some 1,200 a run). Three named steps:

- ``founding_step``: new start-ups, from the funding climate and from clinical/research collaboration;
- ``development_step``: companies develop new solutions: successors of existing types or new types
  (lever ``transformative_focus`` sets the weight on transformative work, lever ``challenge_driven_share``
  the share answering the health system's own posted challenges);
- ``company_finance_step``: burn (cut by lever ``test_access``), licence revenue, funding rounds, failure
  when cash runs out, growth to scale-up.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.innovation.events import (
    add_partnership,
    count,
    draw_org_by_size,
    draw_type,
    end_partnership,
    new_solution,
    pay,
    set_type_weights,
)
from sim.model.innovation.jit import jit
from sim.model.innovation.solutions import create_type
from sim.model.innovation.state import (
    ALIVE,
    C_CHALLENGES,
    C_SUCCESSORS,
    C_TYPES_CREATED,
    DOMAIN,
    FAILED,
    K_PROGRAMMES,
    KIND_NAMES,
    LARGE,
    M_RESEARCH_SCALE,
    SCALED,
    SME,
    STARTUP,
    CompanyTable,
)

__all__ = [
    "ALIVE",
    "FAILED",
    "LARGE",
    "SCALED",
    "SME",
    "STARTUP",
    "Company",
    "CompanyTable",
    "company_finance_step",
    "create_companies",
    "register_companies",
    "development_step",
    "found_companies",
    "founding_step",
]


class Company(mesa.Agent):
    """A health-tech company.

    Attributes:
        index: row in the model's ``CompanyTable``.
        kind: "startup", "sme" or "large".
    """

    def __init__(self, model: mesa.Model, index: int, kind: int) -> None:
        super().__init__(model)
        self.index = index
        self.kind = KIND_NAMES[kind]

    @property
    def cash_dkk(self) -> float:
        return float(self.model.innovation.companies.cash[self.index])

    @property
    def alive(self) -> bool:
        return bool(self.model.innovation.companies.status[self.index] != FAILED)


def create_companies(layer, kind: int, n: int, t: int) -> np.ndarray:
    """Found ``n`` companies of one kind: their rows (``found_companies``); each gets its ``Company``
    agent when the model's agents are next read (``register_companies``). Returns the rows."""
    comp = layer.companies
    if comp.reserve(n):
        layer.grow_tables()
    first = comp.n
    found_companies(t, layer.kernel_state(inputs=False), kind, n)
    return np.arange(first, first + n)


def register_companies(layer) -> None:
    """A ``Company`` agent for every company row that has none yet, in row (founding) order."""
    kinds = layer.companies.kind
    for i in range(layer.companies_registered, layer.companies.n):
        Company(layer.model, i, int(kinds[i]))
    layer.companies_registered = layer.companies.n


@jit(entry=True)
def found_companies(t: int, st, kind: int, n: int) -> None:
    """Rows for ``n`` new companies of one kind. A start-up starts with cash from the funding climate
    (uncertainty ``funding_climate``) and a monthly burn, both lognormal around the calibration values;
    established firms are not modelled as cash-constrained."""
    par, comp, rng = st.params[0], st.comp, st.rng_companies
    for _ in range(n):
        c = comp.size[0]
        comp.kind[c] = kind
        comp.status[c] = ALIVE
        comp.founded[c] = t
        comp.failed_month[c] = -1
        comp.was_startup[c] = kind == STARTUP
        if kind == STARTUP:
            cash_sd, burn_sd = par.startup_cash_sd, par.startup_burn_sd
            comp.cash[c] = (
                par.startup_cash_dkk
                * par.funding_climate
                * rng.lognormal(-0.5 * cash_sd * cash_sd, cash_sd)
            )
            comp.burn[c] = par.startup_burn_dkk_month * rng.lognormal(
                -0.5 * burn_sd * burn_sd, burn_sd
            )
        comp.size[0] = c + 1


def founding_step(layer, t: int) -> int:
    """New start-ups this month: a base rate scaled by the funding climate, plus spin-outs from active
    research and strategic partnerships, in proportion to their scale (a project's pilot, a strategic
    partner's organisation, in reference sizes: so that the same country split into fewer, larger
    organisations spins out as many). Their number is drawn from the companies stream, and they are
    founded, in one compiled call (``found_startups``). Returns the number founded."""
    p = layer.param
    rate = p("companies.startups_founded_year") / 12 * layer.uncertainty("funding_climate")
    founded, done = found_startups(
        t, layer.kernel_state(inputs=False), rate, p("companies.founding_per_partnership")
    )
    if not done:  # the company table was full: grown first
        create_companies(layer, STARTUP, founded, t)
    return founded


@jit(entry=True)
def found_startups(t: int, st, base_rate: float, per_partnership: float) -> tuple[int, bool]:
    """Draw this month's new start-ups (Poisson, ``base_rate`` plus ``per_partnership`` per reference
    size of research and strategic partnerships) and found them if the company table has room.
    Returns (number drawn, whether they are founded)."""
    rate = base_rate
    rate += per_partnership * st.money_stats[M_RESEARCH_SCALE]
    n = st.rng_companies.poisson(rate)
    if n == 0:
        return 0, True
    if st.comp.size[0] + n > len(st.comp.kind):
        return n, False
    found_companies(t, st, STARTUP, n)
    return n, True


@jit
def development_step(t: int, par, st, rng) -> None:
    """Companies start developing new solutions.

    Each alive company starts a development with a monthly chance (larger firms more often). A share
    ``challenge_driven_share`` (lever) answers a challenge posted by an organisation of the target sector
    (chosen in proportion to its size): the organisation co-funds it from its risk fund, gives staff time
    while it is developed and is the committed first buyer; the two form a domain partnership. A share
    ``transformative_focus`` (lever) is transformative: larger effect, more complex, longer, may fail.
    A development creates a new solution type with probability ``new_type_share`` (``new_type_share x
    transformative_new_type_factor`` if transformative) while the type's sector has potential left
    (``solutions.create_type``); otherwise it is a successor of an existing type (``events.new_solution``:
    better than the type's best starting solution, on average).
    """
    comp = st.comp
    for c in range(comp.size[0]):
        if comp.status[c] == FAILED:
            continue
        rate = par.development_prob_month * (
            par.development_large_factor
            if comp.kind[c] == LARGE
            else par.development_sme_factor
            if comp.kind[c] == SME
            else 1.0
        )
        if rng.random() >= rate:
            continue
        typ = draw_type(st, -1, rng)
        sector = st.types.sector[typ]
        transformative = rng.random() < par.transformative_focus
        new_type_p = par.new_type_share * (
            par.transformative_new_type_factor if transformative else 1.0
        )
        successor = True
        if rng.random() < new_type_p:
            k = create_type(t, par, st, sector, transformative, rng)
            if k >= 0:
                typ, successor = k, False
                set_type_weights(st, k)
        challenge_org = -1
        if rng.random() < par.challenge_driven_share:
            challenge_org = draw_org_by_size(st, sector, rng)
        s = new_solution(t, par, st, c, typ, transformative, rng, challenge_org, successor)
        if challenge_org >= 0:
            months = st.sols.ready_month[s] - t
            add_partnership(st, challenge_org, c, DOMAIN, t, t + months + 12, 1.0)
            comp.cash[c] += par.challenge_driven_share_cofunding_dkk
            pay(
                par, st, challenge_org, par.challenge_driven_share_cofunding_dkk, K_PROGRAMMES, True
            )
            count(st, C_CHALLENGES, challenge_org)
        if successor:
            st.counts[C_SUCCESSORS, sector] += 1.0
        else:
            st.counts[C_TYPES_CREATED, sector] += 1.0


@jit
def company_finance_step(t: int, par, st, rng) -> tuple[int, int]:
    """Cash, revenue, funding rounds, failure and scale-up. Returns (start-ups failed, start-ups scaled).

    Lever ``test_access``: easy access to test facilities cuts a start-up's burn (cheaper, faster testing).
    A failed company's solutions leave the market and its partnerships end.
    """
    comp = st.comp
    cut = 1.0 - par.test_access_burn_cut * par.test_access
    climate = par.funding_climate
    failed = scaled = 0
    for c in range(comp.size[0]):
        startup = comp.kind[c] == STARTUP and comp.status[c] == ALIVE
        comp.cash[c] += comp.revenue_month[c] - (comp.burn[c] * cut if startup else 0.0)
        comp.revenue_year[c] = comp.revenue_year[c] * (11.0 / 12.0) + comp.revenue_month[c]
        comp.revenue_month[c] = 0.0
        if not startup:
            continue
        round_prob = (
            par.funding_round_prob_month if comp.traction[c] else par.funding_round_prob_no_traction
        )
        if rng.random() < round_prob * climate:
            comp.cash[c] += par.funding_round_dkk * climate
        if comp.cash[c] < 0:
            comp.status[c] = FAILED
            comp.failed_month[c] = t
            failed += 1
        elif comp.revenue_year[c] >= par.scaleup_revenue_dkk_year:
            comp.status[c] = SCALED
            scaled += 1
    if failed:
        companies_failed(st)
    return failed, scaled


@jit
def companies_failed(st) -> None:
    """Solutions of failed companies leave the market; their partnerships end."""
    sols, comp, parts = st.sols, st.comp, st.parts
    for s in range(sols.size[0]):
        if sols.on_market[s] and comp.status[sols.company[s]] == FAILED:
            sols.on_market[s] = False
    active, company, status = parts.active, parts.company, comp.status  # read once
    for k in range(parts.size[0]):
        if active[k] and status[company[k]] == FAILED:
            end_partnership(st, k)
