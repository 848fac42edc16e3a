"""The starting state of the innovation layer: the companies, solutions and coverage Denmark has at the start.

``sim/data/adoption_2025.toml`` gives, per archetype of the catalogue, the share of the organisations of its
sector that use it in January 2025, the mean coverage inside a user and its spread, and the year of first
Danish use, with sources (or "assumption"). A run that starts earlier (the historical mode) scales the
share of users down linearly from its 2025 value to zero in the year of first use, through the dated
history points where the file has them. An archetype in ``PRACTICE_GAPS`` (transfer aids) starts a run before
2014 with a calibrated installed base whose effect the old workflow leaves partly unrealised.

Each archetype gets an incumbent solution (proven where anyone uses it) and a newer competitor, both from
established firms. Exactly the sourced share of the sector's organisations uses it (rounded at random),
chosen at random; each gets an engagement with the incumbent at a coverage drawn around the sourced mean
and a target at least as high, so roll-outs under way in 2025 continue.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from sim.model.innovation.state import IN_USE, INITIAL, PROVEN, ROLLOUT, SME, STARTUP

START_OF_DATA = 2025  # the year the shipped shares describe


@dataclass(frozen=True)
class PracticeGap:
    """Technology installed before the workflow that realises its effect was in use (issue 12).

    In a run that starts before ``until_year`` at least ``installed_share`` (a calibration key) of the
    sector's organisations use the archetype, and their engagements realise only ``1 - gap`` (a
    calibration key) of the solution's effect until a spread programme closes the gap
    (``pipeline.practice_step``)."""

    until_year: int
    installed_share: str
    gap: str


# Ceiling lifts were in place before the one-person transfer practice ("fra 2 til 1") that the
# 2014-2016 programme spread (SOURCES D-01, E-02, E-03); how many, and how much of their effect the old
# practice left unrealised, are calibrated (docs/CALIBRATION.md).
PRACTICE_GAPS = {
    "transfer_aids": PracticeGap(
        2014,
        "history.transfer_aids_installed_share_pre_2014",
        "history.transfer_aids_practice_gap",
    )
}


@dataclass(frozen=True)
class StartingUse:
    """Use of one archetype at the start of 2025 (see the module docstring)."""

    share_of_orgs: float
    coverage: float
    coverage_sd: float
    first_use_year: float
    history: tuple[tuple[float, float], ...]  # (decimal year, share of organisations)

    def share_at(self, year: float) -> float:
        """Share of organisations using it at the start of ``year`` (linear through the known points)."""
        points = sorted(
            {(self.first_use_year, 0.0), *self.history, (START_OF_DATA, self.share_of_orgs)}
        )
        xs = np.array([p[0] for p in points])
        ys = np.array([p[1] for p in points])
        return float(np.interp(year, xs, ys, left=0.0, right=self.share_of_orgs))


@lru_cache(maxsize=1)
def load_starting_use() -> dict[str, StartingUse]:
    """Read ``sim/data/adoption_2025.toml``: archetype key -> ``StartingUse``."""
    raw = tomllib.loads(
        resources.files("sim.data").joinpath("adoption_2025.toml").read_text(encoding="utf-8")
    )
    out = {}
    for key, row in raw.items():
        if "share_of_orgs" not in row:
            continue
        history = tuple(
            (float(h["year"]), float(h["share_of_orgs"]))
            for h in row.get("history", [])
            if "share_of_orgs" in h
        )
        out[key] = StartingUse(
            float(row["share_of_orgs"]),
            float(row["coverage"]),
            float(row["coverage_sd"]),
            float(row["first_use_year"]),
            history,
        )
    return out


@lru_cache(maxsize=1)
def technology_potential_range() -> tuple[float, float, float]:
    """(low, central, high) of the long-run potential of new solution types (``[technology_potential]``)."""
    raw = tomllib.loads(
        resources.files("sim.data").joinpath("adoption_2025.toml").read_text(encoding="utf-8")
    )
    row = raw["technology_potential"]
    return float(row["low"]), float(row["central"]), float(row["high"])


def _beta(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    """``n`` Beta draws with the given mean and standard deviation (mean clipped into (0, 1))."""
    mean = min(max(mean, 1e-3), 1 - 1e-3)
    var = min(sd * sd, mean * (1 - mean) * 0.95)
    if var <= 0:
        return np.full(n, mean)
    conc = mean * (1 - mean) / var - 1.0
    return rng.beta(mean * conc, (1 - mean) * conc, n)


def initial_companies(layer, rng: np.random.Generator) -> None:
    """The company population at the start (start-ups, SMEs, large firms); start-ups at a random point of
    their runway."""
    from sim.model.innovation.companies import create_companies
    from sim.model.innovation.state import LARGE

    p = layer.param
    counts = {
        STARTUP: p("companies.startups_initial"),
        SME: p("companies.smes_initial"),
        LARGE: p("companies.large_initial"),
    }
    for kind, n in counts.items():
        rows = create_companies(layer, kind, int(round(n)), 0)
        if kind == STARTUP:
            low, high = p("companies.initial_runway_low"), p("companies.initial_runway_high")
            layer.companies.cash[rows] *= rng.uniform(low, high, len(rows))
            layer.companies.founded[rows] = -rng.integers(0, 60, len(rows))


def initial_solutions_and_use(layer, rng: np.random.Generator, start_year: int) -> None:
    """Two solutions per archetype from established firms (the incumbent proven where used) and the
    coverage each using organisation has at the start of ``start_year``."""
    from sim.model.innovation import bookkeeping

    cat = layer.catalogue
    use = load_starting_use()
    established = np.flatnonzero(layer.companies.kind[: layer.companies.n] != STARTUP)
    st = layer.kernel_state()
    for k, arch in enumerate(cat.archetypes):
        start = use.get(arch.key)
        share = start.share_at(start_year) if start is not None else 0.0
        lag = PRACTICE_GAPS.get(arch.key)
        if lag is not None and start_year < lag.until_year:
            share = max(share, float(layer.scenario.param(lag.installed_share)))
        else:
            lag = None
        incumbent = -1
        for rank in range(2):
            true_effect, claimed, complexity = cat.draw(
                k,
                rng,
                layer.uncertainty("effect_size"),
                layer.param("innovation.claim_optimism"),
                layer.param("innovation.claim_noise_sd"),
                layer.param("innovation.max_effect"),
            )
            (s,) = layer.solutions.add(
                type=k,
                company=int(rng.choice(established)) if len(established) else 0,
                sector=arch.sector,
                true_effect=true_effect,
                claimed_effect=claimed,
                on_market=True,
                evidence=PROVEN if (rank == 0 and share > 0) else 0,
                evidence_effect=true_effect if (rank == 0 and share > 0) else 0.0,
                evaluations=1 if (rank == 0 and share > 0) else 0,
                challenge_org=-1,
                first_pilot_month=-1,
                complexity=complexity,
            )
            layer.grow_tables()
            if rank == 0:
                incumbent = int(s)
            layer.types.best_effect[k] = max(layer.types.best_effect[k], true_effect)
        if share <= 0 or start is None:
            continue
        members = layer.sector_orgs[
            layer.sector_start[arch.sector] : layer.sector_start[arch.sector + 1]
        ]
        # the sourced share of the sector's organisations, rounded at random, chosen at random
        n_users = int(share * len(members) + rng.random())
        users = np.sort(rng.choice(members, size=min(n_users, len(members)), replace=False))
        if not len(users):
            continue
        coverage = _beta(rng, start.coverage, start.coverage_sd, len(users))
        target = _beta(
            rng,
            layer.param("innovation.coverage_target_mean"),
            layer.param("innovation.starting_target_sd"),
            len(users),
        )
        target = np.maximum(target, coverage)
        rows = layer.eng.add(
            org=users,
            sol=incumbent,
            stage=np.where(target - coverage > 1e-3, ROLLOUT, IN_USE),
            started=-12,
            adopted=-12,
            coverage=coverage,
            target=target,
            via=INITIAL,
        )
        layer.engagement_of[incumbent, users] = rows
        share = layer.org["region_share"][users]
        np.add.at(layer.region_contracts[incumbent], layer.org_region[users], share)
        np.minimum(layer.region_contracts[incumbent], 1.0, out=layer.region_contracts[incumbent])
        layer.solutions.adopters[incumbent] += len(users)
        st = layer.kernel_state(inputs=False)
        layer.eng.price_fte_year[rows] = bookkeeping.licence_price(st, incumbent)
        layer.eng.effect[rows] = layer.solutions.true_effect[incumbent]
        if lag is not None:
            layer.eng.effect[rows] *= 1.0 - float(layer.scenario.param(lag.gap))
            layer.params["practice_gaps"] += len(rows)
        layer.add_active(rows)
