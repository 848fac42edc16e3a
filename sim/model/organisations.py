"""Hospitals and municipalities as Mesa agents, and building the world they live in.

Organisations are ordinary ``mesa.Agent`` objects holding their identity (name, region, sector, population
served) and an ``index`` into the model's per-organisation arrays (demand, supply, strain, portfolio), where
all monthly bookkeeping happens vectorised. ``build_world`` creates either the national world from
``sim/data/organisations.csv`` (5 regions, 22 hospitals, 98 municipalities) or a small synthetic one.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import mesa
import numpy as np

from sim.model.demography import BANDS, SECTORS

REGIONS = ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")
HOSPITAL, MUNICIPAL = 0, 1


class Organisation(mesa.Agent):
    """A health-care organisation: its identity and its row in the model's arrays.

    Attributes:
        index: row in the model's per-organisation arrays.
        name: Danish name.
        region: one of the 5 regions.
        sector: "hospital" or "municipal".
        population_served: citizens served in the first month (national units).
    """

    sector = "organisation"

    def __init__(
        self, model: mesa.Model, index: int, name: str, region: str, population_served: float
    ) -> None:
        super().__init__(model)
        self.index = index
        self.name = name
        self.region = region
        self.population_served = population_served

    @property
    def demand_fte(self) -> float:
        """This month's demand, FTE, all professions."""
        return float(self.model.accounts.demand_fte_org[self.index].sum())

    @property
    def supply_fte(self) -> float:
        """This month's supply, FTE, all professions."""
        return float(self.model.accounts.supply_fte_org[self.index].sum())

    @property
    def strain(self) -> float:
        """Demand over effective capacity, all professions."""
        cap = self.model.accounts.capacity_fte_org[self.index].sum()
        return float(self.model.accounts.demand_fte_org[self.index].sum() / max(cap, 1e-9))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, region={self.region!r})"


class Hospital(Organisation):
    """A regional hospital (acute hospital or Rigshospitalet)."""

    sector = "hospital"


class Municipality(Organisation):
    """A municipality (elder care, home care, home nursing, rehabilitation)."""

    sector = "municipal"


@dataclass
class WorldTable:
    """Per-organisation arrays built with the world.

    Attributes:
        sector: 0 hospital, 1 municipal [O].
        region: region index [O].
        pop0: population served per age band in the first month [O, B].
        names: organisation names [O].
    """

    sector: np.ndarray
    region: np.ndarray
    pop0: np.ndarray
    names: list[str]

    @property
    def n(self) -> int:
        return len(self.sector)


def _band_shares(national0: np.ndarray, share_80plus: float) -> np.ndarray:
    """Age-band shares of a municipality given its 80+ share (other bands keep national proportions)."""
    shares = national0 / national0.sum()
    out = shares.copy()
    out[4] = share_80plus
    # the 67-79 band moves with 80+ half as strongly (older municipalities are older throughout)
    out[3] = shares[3] * (share_80plus / shares[4]) ** 0.5
    rest = 1.0 - out[3] - out[4]
    out[:3] = shares[:3] / shares[:3].sum() * rest
    return out


def _read_organisations() -> list[dict[str, str]]:
    return [dict(row) for row in _organisation_rows()]


@cache
def _organisation_rows() -> tuple[dict[str, str], ...]:  # read once per process
    text = resources.files("sim.data").joinpath("organisations.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))


def build_world(
    model: mesa.Model, world, national0: np.ndarray, rng: np.random.Generator
) -> WorldTable:
    """Create the Hospital and Municipality agents and the per-organisation arrays.

    Args:
        model: the model the agents belong to.
        world: the scenario's ``[world]`` section.
        national0: national population per band in the first month [B].
        rng: the 'world' random stream (used only for the synthetic world).
    """
    if world.kind == "national":
        rows = _read_organisations()
        munis = [r for r in rows if r["kind"] == "municipality"]
        hosps = [r for r in rows if r["kind"] == "hospital"]
        muni_pop = np.array([float(r["population"]) for r in munis])
        muni_pop *= national0.sum() / muni_pop.sum()  # consistent with the projection's total
        muni_80 = np.array([float(r["share_80plus"]) for r in munis])
        muni_region = np.array([REGIONS.index(r["region"]) for r in munis])
        muni_names = [r["name"] for r in munis]
        hosp_region = np.array([REGIONS.index(r["region"]) for r in hosps])
        hosp_weight = np.array([float(r["catchment_weight"]) for r in hosps])
        hosp_names = [r["name"] for r in hosps]
    else:
        n_reg, n_h, n_m = world.n_regions, world.n_hospitals, world.n_municipalities
        size = rng.lognormal(0.0, 0.8, n_m)
        muni_pop = national0.sum() * size / size.sum()
        national_80 = national0[4] / national0.sum()
        muni_80 = np.clip(national_80 * rng.lognormal(0.0, 0.3, n_m), 0.01, 0.2)
        muni_region = np.arange(n_m) % n_reg
        muni_names = [f"Municipality {i + 1}" for i in range(n_m)]
        hosp_region = np.arange(n_h) % n_reg
        hosp_weight = np.ones(n_h)
        hosp_names = [f"Hospital {i + 1}" for i in range(n_h)]
        for r in range(n_reg):
            in_r = hosp_region == r
            if in_r.any():
                hosp_weight[in_r] /= in_r.sum()
        regions_without_hospital = set(range(n_reg)) - set(hosp_region.tolist())
        if regions_without_hospital:  # municipalities there are served by region 0's hospitals
            muni_region_for_hosp = np.where(
                np.isin(muni_region, list(regions_without_hospital)), 0, muni_region
            )
        else:
            muni_region_for_hosp = muni_region

    muni_pop0 = np.array(
        [p * _band_shares(national0, s) for p, s in zip(muni_pop, muni_80, strict=True)]
    )
    muni_pop0 *= national0 / muni_pop0.sum(
        axis=0
    )  # bands add up to the national projection exactly
    region_for_hosp = muni_region if world.kind == "national" else muni_region_for_hosp
    region_pop0 = np.zeros((len(REGIONS), len(BANDS)))
    np.add.at(region_pop0, region_for_hosp, muni_pop0)
    hosp_pop0 = region_pop0[hosp_region] * hosp_weight[:, None]

    n_h = len(hosp_names)
    names = hosp_names + muni_names
    sector = np.array([HOSPITAL] * n_h + [MUNICIPAL] * len(muni_names), dtype=np.int8)
    region = np.concatenate([hosp_region, muni_region]).astype(np.int16)
    pop0 = np.vstack([hosp_pop0, muni_pop0])
    for i, name in enumerate(names):
        cls = Hospital if sector[i] == HOSPITAL else Municipality
        cls(model, i, name, REGIONS[region[i]], float(pop0[i].sum()))
    return WorldTable(sector=sector, region=region, pop0=pop0, names=names)


def sector_name(code: int) -> str:
    """'hospital' or 'municipal' for a sector code."""
    return SECTORS[code]
