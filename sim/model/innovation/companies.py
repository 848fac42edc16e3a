"""Companies: health-tech start-ups, SMEs and large MedTech/pharma firms as Mesa agents.

Each ``Company`` is a ``mesa.Agent`` (identity, kind) with its row in ``CompanyTable``, where the monthly
bookkeeping (cash, burn, revenue, failure, growth) runs vectorised over all companies. Three named steps:

- ``founding_step``: new start-ups, from the funding climate and from clinical/research collaboration;
- ``development_step``: companies bring new solutions towards pilot-readiness (lever
  ``transformative_focus`` sets the weight on transformative solutions);
- ``company_finance_step``: burn (cut by lever ``test_access``), licence revenue, funding rounds, failure
  when cash runs out, growth to scale-up.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.innovation.solutions import draw_solution

STARTUP, SME, LARGE = 0, 1, 2
KIND_NAMES = ("startup", "sme", "large")
ALIVE, FAILED, SCALED = 0, 1, 2


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


class CompanyTable:
    """Company state as arrays (grown in blocks).

    Attributes:
        kind: STARTUP, SME or LARGE. status: ALIVE, FAILED or SCALED (a scaled start-up is alive).
        cash: DKK. burn: DKK per month. revenue_year: public revenue over the last 12 months (DKK).
        founded, failed_month: months. traction: has had a pilot or a sale.
    """

    FIELDS = {
        "kind": np.int8,
        "status": np.int8,
        "cash": np.float64,
        "burn": np.float64,
        "revenue_year": np.float64,
        "revenue_month": np.float64,
        "founded": np.int32,
        "failed_month": np.int32,
        "traction": bool,
        "was_startup": bool,
    }

    def __init__(self, capacity: int = 512) -> None:
        self.n = 0
        for name, dtype in self.FIELDS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))

    def add(self, kind: int, cash: float, burn: float, founded: int) -> int:
        if self.n == len(self.kind):
            for name in self.FIELDS:
                arr = getattr(self, name)
                setattr(self, name, np.concatenate([arr, np.zeros(len(arr), dtype=arr.dtype)]))
        i = self.n
        self.kind[i], self.status[i], self.cash[i], self.burn[i], self.founded[i] = (
            kind,
            ALIVE,
            cash,
            burn,
            founded,
        )
        self.failed_month[i] = -1
        self.was_startup[i] = kind == STARTUP
        self.n += 1
        return i

    @property
    def alive(self) -> np.ndarray:
        return self.status[: self.n] != FAILED

    def startups_alive(self) -> int:
        """Start-ups (and scaled start-ups) still alive."""
        n = self.n
        return int(((self.status[:n] != FAILED) & self.was_startup[:n]).sum())


def create_company(layer, kind: int, t: int, rng: np.random.Generator) -> int:
    """Found one company (a Mesa agent plus its row)."""
    p = layer.param
    if kind == STARTUP:
        cash = (
            p("companies.startup_cash_dkk")
            * layer.uncertainty("funding_climate")
            * rng.lognormal(-0.125, 0.5)
        )
        burn = p("companies.startup_burn_dkk_month") * rng.lognormal(-0.045, 0.3)
    else:
        cash, burn = 0.0, 0.0  # established firms are not modelled as cash-constrained
    i = layer.companies.add(kind, cash, burn, t)
    Company(layer.model, i, kind)
    return i


def founding_step(layer, t: int, rng: np.random.Generator) -> int:
    """New start-ups this month: a base rate scaled by the funding climate, plus spin-outs from active
    research and strategic partnerships. Returns the number founded."""
    p = layer.param
    rate = p("companies.startups_founded_year") / 12 * layer.uncertainty("funding_climate")
    rate += (
        p("companies.founding_per_partnership") * layer.partnerships.active_research_or_strategic()
    )
    n = int(rng.poisson(rate))
    for _ in range(n):
        create_company(layer, STARTUP, t, rng)
    return n


def development_step(layer, t: int, rng: np.random.Generator) -> None:
    """Companies start developing new solutions (lever ``transformative_focus``).

    Each alive company starts a development with a monthly chance (larger firms more often). A new
    development is transformative with probability ``transformative_focus`` (larger effect, one more NASSS
    complexity point in three domains, longer development, a chance of failing before it is ready).
    """
    comp = layer.companies
    n = comp.n
    if n == 0:
        return
    base = layer.param("companies.development_prob_month")
    rate = base * np.array([1.0, 1.5, 3.0])[comp.kind[:n]] * comp.alive
    starts = np.flatnonzero(rng.random(n) < rate)
    if len(starts) == 0:
        return
    focus = layer.lever("transformative_focus")
    archetypes = rng.choice(
        len(layer.catalogue.archetypes), size=len(starts), p=layer.catalogue.weights()
    )
    transformative = rng.random(len(starts)) < focus
    for c, a, tr in zip(starts, archetypes, transformative, strict=True):
        layer.new_development(
            company=int(c), archetype=int(a), transformative=bool(tr), t=t, rng=rng
        )


def company_finance_step(layer, t: int, rng: np.random.Generator) -> tuple[int, int]:
    """Cash, revenue, funding rounds, failure and scale-up. Returns (start-ups failed, start-ups scaled).

    Lever ``test_access``: easy access to test facilities cuts a start-up's burn (cheaper, faster testing).
    """
    p = layer.param
    comp = layer.companies
    n = comp.n
    if n == 0:
        return 0, 0
    status, kind = comp.status[:n], comp.kind[:n]
    startup = (kind == STARTUP) & (status == ALIVE)
    cut = 1.0 - p("companies.test_access_burn_cut") * layer.lever("test_access")
    comp.cash[:n] += comp.revenue_month[:n] - np.where(startup, comp.burn[:n] * cut, 0.0)
    comp.revenue_year[:n] = comp.revenue_year[:n] * (11.0 / 12.0) + comp.revenue_month[:n]
    comp.revenue_month[:n] = 0.0
    round_prob = np.where(
        comp.traction[:n],
        p("companies.funding_round_prob_month"),
        p("companies.funding_round_prob_no_traction"),
    )
    rounds = startup & (rng.random(n) < round_prob * layer.uncertainty("funding_climate"))
    comp.cash[:n] += np.where(
        rounds, p("companies.funding_round_dkk") * layer.uncertainty("funding_climate"), 0.0
    )
    failing = startup & (comp.cash[:n] < 0)
    comp.status[:n][failing] = FAILED
    comp.failed_month[:n][failing] = t
    scaling = (
        startup & ~failing & (comp.revenue_year[:n] >= p("companies.scaleup_revenue_dkk_year"))
    )
    comp.status[:n][scaling] = SCALED
    if failing.any():
        layer.on_companies_failed(np.flatnonzero(failing))
    return int(failing.sum()), int(scaling.sum())


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
        for _ in range(int(round(count))):
            i = create_company(layer, kind, 0, rng)
            if kind == STARTUP:
                layer.companies.cash[i] *= rng.uniform(0.3, 1.5)
                layer.companies.founded[i] = -int(rng.integers(0, 60))
    established = np.flatnonzero(layer.companies.kind[: layer.companies.n] != STARTUP)
    for a in range(len(layer.catalogue.archetypes)):
        for _ in range(2):
            company = int(rng.choice(established)) if len(established) else 0
            values = draw_solution(
                layer.catalogue,
                a,
                False,
                layer.uncertainty("effect_size"),
                p("innovation.claim_optimism"),
                rng,
            )
            layer.solutions.add(
                company=company,
                ready_month=0,
                on_market=True,
                challenge_org=-1,
                first_pilot_month=-1,
                scaled_month=-1,
                created_month=0,
                **values,
            )
