"""Companies: health-tech start-ups, SMEs and large MedTech/pharma firms as Mesa agents.

Each ``Company`` is a ``mesa.Agent`` (identity, kind) with its row in ``CompanyTable``
(``sim.model.innovation.state``), where the monthly bookkeeping (cash, burn, revenue, failure, growth) runs
compiled over all companies. Three named steps:

- ``founding_step``: new start-ups, from the funding climate and from clinical/research collaboration;
- ``development_step``: companies bring new solutions towards pilot-readiness (lever
  ``transformative_focus`` sets the weight on transformative solutions);
- ``company_finance_step``: burn (cut by lever ``test_access``), licence revenue, funding rounds, failure
  when cash runs out, growth to scale-up.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.innovation.events import draw_archetype, end_partnership, new_development
from sim.model.innovation.jit import jit
from sim.model.innovation.state import (
    ALIVE,
    FAILED,
    KIND_NAMES,
    LARGE,
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
    "found_companies",
    "development_step",
    "founding_step",
    "initial_companies",
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
    """Found ``n`` companies of one kind: a ``Company`` agent each, and their rows (``found_companies``).
    Returns the rows."""
    comp = layer.companies
    if comp.reserve(n):
        layer.grow_tables()
    first = comp.n
    found_companies(t, layer.kernel_state(inputs=False), kind, n)
    for i in range(first, first + n):
        Company(layer.model, i, kind)
    return np.arange(first, first + n)


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
            comp.cash[c] = par.startup_cash_dkk * par.funding_climate * rng.lognormal(-0.125, 0.5)
            comp.burn[c] = par.startup_burn_dkk_month * rng.lognormal(-0.045, 0.3)
        comp.size[0] = c + 1


def founding_step(layer, t: int, rng: np.random.Generator) -> int:
    """New start-ups this month: a base rate scaled by the funding climate, plus spin-outs from active
    research and strategic partnerships. Returns the number founded."""
    p = layer.param
    rate = p("companies.startups_founded_year") / 12 * layer.uncertainty("funding_climate")
    # research (project) and strategic partnerships active at the end of last month
    research = layer.stock("partnerships_research_or_strategic")
    rate += p("companies.founding_per_partnership") * research
    founded = int(rng.poisson(rate))
    if founded:
        create_companies(layer, STARTUP, founded, t)
    return founded


@jit
def development_step(t: int, par, st, rng) -> None:
    """Companies start developing new solutions (lever ``transformative_focus``).

    Each alive company starts a development with a monthly chance (larger firms more often). A new
    development is transformative with probability ``transformative_focus`` (larger effect, one more NASSS
    complexity point in three domains, longer development, a chance of failing before it is ready).
    """
    comp = st.comp
    for c in range(comp.size[0]):
        if comp.status[c] == FAILED:
            continue
        rate = par.development_prob_month * (
            3.0 if comp.kind[c] == LARGE else 1.5 if comp.kind[c] == SME else 1.0
        )
        if rng.random() < rate:
            archetype = draw_archetype(st, -1, rng)
            transformative = rng.random() < par.transformative_focus
            new_development(t, par, st, c, archetype, transformative, rng, -1)


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
    for k in range(parts.size[0]):
        if parts.active[k] and comp.status[parts.company[k]] == FAILED:
            end_partnership(st, k)


def initial_companies(layer, rng: np.random.Generator) -> None:
    """The 2025 company population (start-ups, SMEs, large firms) and the solutions already on the market.

    Every archetype starts with two pilot-ready solutions from established firms, so the status quo has
    something to scout; start-ups start at a random point of their runway.
    """
    p = layer.param
    counts = {
        STARTUP: p("companies.startups_initial"),
        SME: p("companies.smes_initial"),
        LARGE: p("companies.large_initial"),
    }
    for kind, count in counts.items():
        rows = create_companies(layer, kind, int(round(count)), 0)
        if kind == STARTUP:
            layer.companies.cash[rows] *= rng.uniform(0.3, 1.5, len(rows))
            layer.companies.founded[rows] = -rng.integers(0, 60, len(rows))
    established = np.flatnonzero(layer.companies.kind[: layer.companies.n] != STARTUP)
    catalogue = layer.catalogue.arrays
    for a in range(len(layer.catalogue.archetypes)):
        for _ in range(2):
            true_effect, claimed, complexity = layer.catalogue.draw(
                a, rng, layer.uncertainty("effect_size"), p("innovation.claim_optimism")
            )
            layer.solutions.add(
                archetype=np.array([a]),
                company=int(rng.choice(established)) if len(established) else 0,
                sector=catalogue["sector"][a],
                true_effect=true_effect,
                claimed_effect=claimed,
                ready_month=0,
                on_market=True,
                challenge_org=-1,
                first_pilot_month=-1,
                impl_hours=catalogue["impl_hours"][a],
                innovation_type=catalogue["innovation_type"][a],
                addressable=catalogue["addressable"][a],
                complexity=complexity,
            )
    layer.grow_tables()
