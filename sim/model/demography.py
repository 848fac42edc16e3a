"""Step 1 of the month: population by age band (projection, interpolated monthly) and demand for care hours.

Demand of organisation o for profession p in month t is ``sum_b pop[o, b, t] * use[sector(o), p, b]``: the
population it serves in each age band times the age-specific use of that profession's hours. Each
organisation's population follows the national projection per band (``growth[t, b]``), so the whole demand
path is one small tensor product computed once at start.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import numpy as np

BANDS = ("age_0_16", "age_17_24", "age_25_66", "age_67_79", "age_80_plus")
OLD_BANDS = (3, 4)  # bands scaled by the 'demography' uncertainty
YOUTH_BAND = 1  # band that scales education intake
PROFESSIONS = ("nurse", "doctor", "sosu_assistant", "sosu_helper", "other_clinical")
SECTORS = ("hospital", "municipal")


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("sim.data").joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines))


def population_table() -> tuple[np.ndarray, np.ndarray]:
    """The shipped projection: (years [Y], persons [Y, B])."""
    years, pop = _population_table()
    return years.copy(), pop.copy()


@cache
def _population_table() -> tuple[np.ndarray, np.ndarray]:  # read once per process
    rows = _read_csv("population.csv")
    years = np.array([float(r["year"]) for r in rows])
    pop = np.array([[float(r[b]) for b in BANDS] for r in rows])
    return years, pop


def demand_profiles() -> np.ndarray:
    """Relative use per citizen: array [sector, profession, band]."""
    return _demand_profiles().copy()


@cache
def _demand_profiles() -> np.ndarray:  # read once per process
    out = np.zeros((len(SECTORS), len(PROFESSIONS), len(BANDS)))
    for row in _read_csv("demand_profiles.csv"):
        s, p = SECTORS.index(row["sector"]), PROFESSIONS.index(row["profession"])
        out[s, p] = [float(row["w" + b[3:]]) for b in BANDS]
    return out


class Demography:
    """National population by band for every simulated month.

    Args:
        decimal_years: the simulated months as decimal years (e.g. 2025.0, 2025.0833, ...).
        growth_multiplier: the 'demography' uncertainty; scales growth of the 67-79 and 80+ bands since the
            first simulated month (1.0 = main projection).

    Attributes:
        national: persons [T, B].
        growth: national[t] / national[0], per band [T, B].
    """

    def __init__(self, decimal_years: np.ndarray, growth_multiplier: float = 1.0) -> None:
        years, pop = population_table()
        national = np.column_stack(
            [np.interp(decimal_years, years, pop[:, b]) for b in range(len(BANDS))]
        )
        for b in OLD_BANDS:
            national[:, b] = national[0, b] + growth_multiplier * (national[:, b] - national[0, b])
        self.national = national
        self.growth = national / national[0]

    def youth_index(self, t: int) -> float:
        """Size of the 17-24 band relative to the first month (scales education intake)."""
        return float(self.growth[t, YOUTH_BAND])


def demand_hours_path(growth: np.ndarray, org_pop0: np.ndarray, org_use: np.ndarray) -> np.ndarray:
    """Demand in hours-per-year units for every month: [T, O, P].

    Args:
        growth: population growth per band [T, B].
        org_pop0: population served per organisation and band in the first month [O, B].
        org_use: calibrated use per citizen per organisation [O, P, B] (the sector's row, scaled).
    """
    k = org_pop0[:, None, :] * org_use  # [O, P, B]
    return np.einsum("tb,opb->top", growth, k)
