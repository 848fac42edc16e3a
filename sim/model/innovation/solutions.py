"""Solutions: labour-saving innovations drawn from a catalogue of archetypes (not agents; rows of arrays).

The catalogue ``sim/data/solutions.toml`` holds one archetype per kind of solution with its target sector and
professions, the share of their hours it can address, its true effect, NASSS complexity per domain and its
source. ``SolutionTable`` keeps every solution that exists in a run as a row of arrays.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from sim.model.demography import PROFESSIONS, SECTORS

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
ANY_SECTOR = -1

# evidence levels
NO_EVIDENCE, PILOTED, EVALUATED, PROVEN = 0, 1, 2, 3


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
    """The archetypes and the transformative modifiers."""

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


class SolutionTable:
    """Every solution of a run as rows of arrays (grown in blocks).

    Attributes (per solution):
        archetype, company, sector: indices (sector -1 = any sector, used for the Bass check).
        addressable: share of each profession's hours it can touch [S, P].
        true_effect: share of addressable hours saved at full use (unknown to buyers).
        claimed_effect: the company's claim (optimistic on average).
        complexity: NASSS complexity per domain [S, 7] (0 simple, 1 complicated, 2 complex).
        transformative: high effect, high risk, long horizon.
        ready_month: month it becomes pilot-ready; on_market: offered to buyers.
        evidence: 0 none, 1 piloted, 2 evaluated positively, 3 proven (in use after a positive evaluation).
        challenge_org: organisation that posted the challenge it answers (-1 if none).
        first_pilot_month, scaled_month: -1 until it happens.
        impl_hours: training hours per trained staff member.
    """

    FIELDS = {
        "archetype": np.int16,
        "company": np.int32,
        "sector": np.int8,
        "true_effect": np.float64,
        "claimed_effect": np.float64,
        "transformative": bool,
        "ready_month": np.int32,
        "on_market": bool,
        "evidence": np.int8,
        "challenge_org": np.int32,
        "first_pilot_month": np.int32,
        "scaled_month": np.int32,
        "impl_hours": np.float64,
        "innovation_type": np.int8,
        "created_month": np.int32,
    }

    def __init__(self, capacity: int = 256) -> None:
        self.n = 0
        for name, dtype in self.FIELDS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))
        self.addressable = np.zeros((capacity, len(PROFESSIONS)))
        self.complexity = np.zeros((capacity, len(NASSS_DOMAINS)), dtype=np.int8)

    @property
    def capacity(self) -> int:
        return len(self.archetype)

    def _grow(self) -> None:
        extra = self.capacity
        for name in self.FIELDS:
            arr = getattr(self, name)
            setattr(self, name, np.concatenate([arr, np.zeros(extra, dtype=arr.dtype)]))
        self.addressable = np.vstack(
            [self.addressable, np.zeros((extra, self.addressable.shape[1]))]
        )
        self.complexity = np.vstack(
            [self.complexity, np.zeros((extra, self.complexity.shape[1]), np.int8)]
        )

    def add(self, **values) -> int:
        """Append one solution; returns its index."""
        if self.n == self.capacity:
            self._grow()
        i = self.n
        for name, value in values.items():
            getattr(self, name)[i] = value
        self.n += 1
        return i

    def complexity_score(self, idx: np.ndarray | int) -> np.ndarray:
        """Sum of NASSS complexity over the seven domains (0..14)."""
        return self.complexity[idx].sum(axis=-1)


def draw_solution(
    catalogue: Catalogue,
    archetype: int,
    transformative: bool,
    effect_size: float,
    claim_optimism: float,
    rng: np.random.Generator,
    fit_bonus: float = 1.0,
) -> dict:
    """Draw one solution's properties from its archetype.

    The true effect is lognormal around the archetype's effect, scaled by the 'effect_size' uncertainty,
    the transformative multiplier and a fit bonus (challenge-driven co-development); the claim is the true
    effect times an optimism factor with mean ``claim_optimism``.
    """
    a = catalogue.archetypes[archetype]
    sd = a.effect_sd
    effect = a.effect * np.exp(rng.normal(-0.5 * sd * sd, sd)) * effect_size * fit_bonus
    complexity = a.complexity.copy()
    if transformative:
        effect *= catalogue.transformative_multiplier
        bump = rng.choice(len(NASSS_DOMAINS), size=3, replace=False)
        complexity[bump] = np.minimum(complexity[bump] + catalogue.transformative_complexity, 2)
    effect = float(np.clip(effect, 0.0, 0.95))
    claimed = float(np.clip(effect * claim_optimism * np.exp(rng.normal(-0.045, 0.3)), 0.0, 0.95))
    return {
        "archetype": archetype,
        "sector": a.sector,
        "true_effect": effect,
        "claimed_effect": claimed,
        "transformative": transformative,
        "impl_hours": a.impl_hours,
        "innovation_type": a.innovation_type,
        "addressable": a.addressable,
        "complexity": complexity,
    }
