"""Solutions: labour-saving innovations drawn from a catalogue of archetypes (not agents; rows of arrays).

The catalogue ``sim/data/solutions.toml`` holds one archetype per kind of solution with its target sector and
professions, the share of their hours it can address, its true effect, NASSS complexity per domain and its
source. ``draw_solution`` draws one solution of an archetype (compiled; called when a development starts).
Every solution of a run is a row of ``sim.model.innovation.state.SolutionTable``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

import numpy as np

from sim.model.demography import PROFESSIONS, SECTORS
from sim.model.innovation.jit import jit
from sim.model.innovation.state import (
    ANY_SECTOR,
    EVALUATED,
    NO_EVIDENCE,
    PILOTED,
    PROVEN,
    SolutionTable,
)

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
__all__ = [
    "ANY_SECTOR",
    "EVALUATED",
    "INNOVATION_TYPES",
    "NASSS_DOMAINS",
    "NO_EVIDENCE",
    "PILOTED",
    "PROVEN",
    "Archetype",
    "Catalogue",
    "SolutionTable",
    "draw_solution",
    "load_catalogue",
]


@dataclass(frozen=True)
class Archetype:
    """One kind of solution from the catalogue."""

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
    """The archetypes and the transformative modifiers (``arrays``: the archetypes' fields as arrays, for
    the compiled steps)."""

    archetypes: tuple[Archetype, ...]
    transformative_multiplier: float
    transformative_complexity: int
    transformative_failure: float

    def weights(self, sector: int | None = None) -> np.ndarray:
        """Relative frequency of each archetype (optionally only those of one sector)."""
        w = np.array([a.weight for a in self.archetypes])
        if sector is not None:
            w = w * np.array([a.sector == sector for a in self.archetypes])
        return w / w.sum()

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
        }

    def draw(
        self,
        archetype: int,
        rng: np.random.Generator,
        effect_size: float = 1.0,
        claim_optimism: float = 1.0,
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
            1.0,
            rng,
            complexity,
        )
        return true_effect, claimed, complexity

    @cached_property
    def cumulative_weights(self) -> np.ndarray:
        """[sectors + 1, A]: cumulative archetype frequencies within each sector, last row over all."""
        rows = [self.weights(s) for s in range(len(SECTORS))] + [self.weights()]
        cum = np.cumsum(np.stack(rows), axis=1)
        cum[:, -1] = 1.0  # guard against rounding: a uniform draw below 1 always finds an archetype
        return cum


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """Read ``sim/data/solutions.toml``."""
    raw = tomllib.loads(
        resources.files("sim.data").joinpath("solutions.toml").read_text(encoding="utf-8")
    )
    trans = raw.pop("transformative")
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
    return Catalogue(
        tuple(archetypes),
        float(trans["transformative_multiplier"]),
        int(trans["transformative_complexity"]),
        float(trans["transformative_failure"]),
    )


@jit(entry=True)
def draw_solution(
    effect: float,
    effect_sd: float,
    complexity: np.ndarray,
    transformative: bool,
    effect_size: float,
    transformative_multiplier: float,
    transformative_complexity: float,
    claim_optimism: float,
    fit_bonus: float,
    rng: np.random.Generator,
    complexity_out: np.ndarray,
) -> tuple[float, float]:
    """Draw one solution of an archetype (its ``effect``, ``effect_sd`` and NASSS ``complexity``).

    The true effect is lognormal around the archetype's effect, scaled by the 'effect_size' uncertainty,
    the transformative multiplier and a fit bonus (challenge-driven co-development); the claim is the true
    effect times an optimism factor with mean ``claim_optimism``. A transformative solution is more complex
    in three random domains. Writes the complexity into ``complexity_out``; returns (true effect, claim).
    """
    true_effect = effect * np.exp(rng.normal(-0.5 * effect_sd * effect_sd, effect_sd))
    true_effect *= effect_size * fit_bonus
    complexity_out[:] = complexity
    if transformative:
        true_effect *= transformative_multiplier
        domains = np.arange(len(complexity_out))
        for k in range(3):  # three distinct domains: a partial shuffle
            j = k + rng.integers(0, len(domains) - k)
            domains[k], domains[j] = domains[j], domains[k]
            d = domains[k]
            complexity_out[d] = min(complexity_out[d] + int(transformative_complexity), 2)
    true_effect = min(max(true_effect, 0.0), 0.95)
    claimed = true_effect * claim_optimism * np.exp(rng.normal(-0.045, 0.3))
    return true_effect, min(max(claimed, 0.0), 0.95)
