"""Solution types and solutions: the catalogue of 2025, and drawing new solutions and new types.

The catalogue ``sim/data/solutions.toml`` holds one *archetype* per kind of solution Denmark knows in
2025 (its target sector and professions, the share of their hours it can address, the true effect of a
first-generation solution, NASSS complexity, training hours, sources). Each archetype becomes a row of the
run's ``TypeTable``; development adds rows (new solution types) during the run, drawing on a long-run
potential that is an uncertainty (``technology_potential``), and adds better successors to existing types.
Solutions are rows of ``SolutionTable``, drawn by the compiled ``draw_solution``.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

import numpy as np

from sim.model.demography import PROFESSIONS, SECTORS
from sim.model.innovation.jit import jit
from sim.model.innovation.state import DEVELOPED, N_DOMAINS

INNOVATION_TYPES = ("technological", "organisational", "process", "service", "structural")
NASSS_DOMAINS = (
    "condition",
    "technology",
    "value_proposition",
    "adopter_system",
    "organisation",
    "wider_system",
    "embedding_over_time",
)


@dataclass(frozen=True)
class Archetype:
    """One kind of solution from the 2025 catalogue."""

    key: str
    label: str
    innovation_type: int
    sector: int
    addressable: np.ndarray  # [P]
    effect: float
    effect_sd: float
    complexity: np.ndarray  # [7]
    impl_hours: float
    weight: float
    source: str


@dataclass(frozen=True)
class Catalogue:
    """The 2025 archetypes (transformative modifiers are calibration constants, ``innovation.*``)."""

    archetypes: tuple[Archetype, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.archetypes)

    @cached_property
    def arrays(self) -> dict[str, np.ndarray]:
        """Per-archetype fields as arrays [A] (addressable [A, P], complexity [A, 7])."""
        arch = self.archetypes
        return {
            "sector": np.array([a.sector for a in arch], dtype=np.int64),
            "effect": np.array([a.effect for a in arch]),
            "effect_sd": np.array([a.effect_sd for a in arch]),
            "impl_hours": np.array([a.impl_hours for a in arch]),
            "innovation_type": np.array([a.innovation_type for a in arch], dtype=np.int8),
            "addressable": np.stack([a.addressable for a in arch]),
            "complexity": np.stack([a.complexity for a in arch]).astype(np.int64),
            "weight": np.array([a.weight for a in arch]),
        }

    def draw(
        self,
        archetype: int,
        rng: np.random.Generator,
        effect_size: float = 1.0,
        claim_optimism: float = 1.0,
        claim_noise_sd: float = 0.3,
        max_effect: float = 0.9,
    ) -> tuple[float, float, np.ndarray]:
        """One plain (not transformative, not co-developed) solution of ``archetype``: its true effect,
        claimed effect and NASSS complexity (``draw_solution``)."""
        arch = self.arrays
        complexity = np.zeros(arch["complexity"].shape[1], np.int64)
        true_effect, claimed = draw_solution(
            arch["effect"][archetype],
            arch["effect_sd"][archetype],
            arch["complexity"][archetype],
            False,
            effect_size,
            1.0,
            0.0,
            claim_optimism,
            claim_noise_sd,
            1.0,
            max_effect,
            rng,
            complexity,
        )
        return true_effect, claimed, complexity

    def freeable_share(self) -> np.ndarray:
        """[sectors, P]: share of each sector-profession's hours the 2025 archetypes free at full coverage
        and their mean effect (several archetypes on the same hours combine multiplicatively)."""
        keep = np.ones((len(SECTORS), len(PROFESSIONS)))
        for a in self.archetypes:
            keep[a.sector] *= 1.0 - a.addressable * a.effect
        return 1.0 - keep


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """Read ``sim/data/solutions.toml``."""
    raw = tomllib.loads(
        resources.files("sim.data").joinpath("solutions.toml").read_text(encoding="utf-8")
    )
    archetypes = []
    for key, row in raw.items():
        addressable = np.zeros(len(PROFESSIONS))
        for prof, share in row["addressable"].items():
            addressable[PROFESSIONS.index(prof)] = share
        archetypes.append(
            Archetype(
                key=key,
                label=row["label"],
                innovation_type=INNOVATION_TYPES.index(row["type"]),
                sector=SECTORS.index(row["sector"]),
                addressable=addressable,
                effect=float(row["effect"]),
                effect_sd=float(row["effect_sd"]),
                complexity=np.array(row["complexity"], dtype=np.int8),
                impl_hours=float(row["impl_hours"]),
                weight=float(row["weight"]),
                source=row["source"],
            )
        )
    return Catalogue(tuple(archetypes))


def add_catalogue_types(types_table, catalogue: Catalogue) -> None:
    """The 2025 archetypes as the first rows of a run's ``TypeTable``."""
    arr = catalogue.arrays
    types_table.add(
        sector=arr["sector"],
        innovation_type=arr["innovation_type"],
        addressable=arr["addressable"],
        effect=arr["effect"],
        effect_sd=arr["effect_sd"],
        best_effect=np.zeros(len(arr["sector"])),
        complexity=arr["complexity"],
        impl_hours=arr["impl_hours"],
        weight=arr["weight"],
        created_month=np.zeros(len(arr["sector"]), np.int64),
    )


def type_key(catalogue: Catalogue, k: int) -> str:
    """Name of solution type ``k``: the archetype key, or ``new_type_<k>`` for a developed type."""
    return catalogue.archetypes[k].key if k < len(catalogue.archetypes) else f"new_type_{k}"


# ----------------------------------------------------------------------------------------------------
# compiled draws


@jit(entry=True)
def draw_solution(
    base_effect: float,
    effect_sd: float,
    complexity: np.ndarray,
    transformative: bool,
    effect_size: float,
    transformative_multiplier: float,
    transformative_complexity: float,
    claim_optimism: float,
    claim_noise_sd: float,
    fit_bonus: float,
    max_effect: float,
    rng: np.random.Generator,
    complexity_out: np.ndarray,
) -> tuple[float, float]:
    """Draw one solution around a base effect.

    The true effect is lognormal around ``base_effect`` (log-sd ``effect_sd``), scaled by the
    'effect_size' uncertainty, the transformative multiplier and a fit bonus (challenge-driven
    co-development), capped at ``max_effect``; the claim is the true effect times an optimism factor with
    mean ``claim_optimism`` and log-sd ``claim_noise_sd``. A transformative solution is more complex in three random domains. Writes the
    complexity into ``complexity_out``; returns (true effect, claim).
    """
    true_effect = base_effect * math.exp(rng.normal(-0.5 * effect_sd * effect_sd, effect_sd))
    true_effect *= effect_size * fit_bonus
    for d in range(len(complexity_out)):
        complexity_out[d] = complexity[d]
    if transformative:
        true_effect *= transformative_multiplier
        domains = np.arange(len(complexity_out))
        for k in range(3):  # three distinct domains: a partial shuffle
            j = k + rng.integers(0, len(domains) - k)
            domains[k], domains[j] = domains[j], domains[k]
            d = domains[k]
            complexity_out[d] = min(complexity_out[d] + int(transformative_complexity), 2)
    true_effect = min(max(true_effect, 0.0), max_effect)
    claimed = (
        true_effect
        * claim_optimism
        * math.exp(rng.normal(-0.5 * claim_noise_sd * claim_noise_sd, claim_noise_sd))
    )
    return true_effect, min(max(claimed, 0.0), max_effect)


@jit
def create_type(t: int, par, st, sector: int, transformative: bool, rng) -> int:
    """A new solution type in ``sector``, carved out of the potential left for its professions.

    The long-run potential (uncertainty ``technology_potential``: a share of each sector-profession's hours
    that new types can free at full coverage) shrinks as types are created: a new type takes a
    Beta-distributed share of what is left (mean ``new_type_potential_share``, times
    ``transformative_potential_factor`` if transformative) for one or two professions chosen in proportion to what is left. Its effect is drawn
    like a first-generation solution; its addressable share is set so that addressable x effect equals the
    potential taken. Returns the new row, or -1 if the sector's potential is used up.
    """
    types, left = st.types, st.potential_left
    n_prof = left.shape[1]
    total = 0.0
    for p in range(n_prof):
        total += left[sector, p]
    if total <= 1e-6:
        return -1
    k = types.size[0]
    if k >= len(types.sector):
        raise RuntimeError("type table full: InnovationLayer.reserve_rows reserves too few")
    effect = par.new_type_effect * (par.transformative_multiplier if transformative else 1.0)
    effect = min(effect, par.max_effect)
    mean_take = par.new_type_potential_share * (
        par.transformative_potential_factor if transformative else 1.0
    )
    mean_take = min(mean_take, 0.9)  # numerical guard: the Beta below needs a mean below 1
    n_targets = 2 if rng.random() < par.new_type_two_professions_share else 1
    for p in range(n_prof):
        types.addressable[k, p] = 0.0
    for _ in range(n_targets):
        u = rng.random() * total
        acc = 0.0
        chosen = n_prof - 1
        for p in range(n_prof):
            acc += left[sector, p]
            if left[sector, p] > 0.0 and u < acc:
                chosen = p
                break
        a = par.new_type_take_beta_a
        take = left[sector, chosen] * rng.beta(a, a / mean_take - a)
        types.addressable[k, chosen] += min(take / effect, 1.0)
        left[sector, chosen] -= take
        total -= take
    types.sector[k] = sector
    types.innovation_type[k] = rng.integers(0, 5)
    types.effect[k] = effect
    types.effect_sd[k] = par.new_type_effect_sd
    types.best_effect[k] = 0.0
    for d in range(N_DOMAINS):
        types.complexity[k, d] = rng.integers(0, 3) if transformative else rng.integers(0, 2)
    types.impl_hours[k] = par.new_type_impl_hours
    types.weight[k] = 1.0
    types.created_month[k] = t
    types.origin[k] = DEVELOPED
    types.coverage[k] = 0.0
    types.spread_workflows[k] = par.spread_workflows
    types.common_evaluation[k] = par.common_evaluation
    types.procurement_flexibility[k] = par.procurement_flexibility
    types.size[0] = k + 1
    return k


__all__ = [
    "INNOVATION_TYPES",
    "NASSS_DOMAINS",
    "Archetype",
    "Catalogue",
    "add_catalogue_types",
    "create_type",
    "draw_solution",
    "load_catalogue",
    "type_key",
]
