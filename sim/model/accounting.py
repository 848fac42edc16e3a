"""Step 4 of the month: labour accounting, and the monthly records that become a run's outputs.

All quantities are in national units (FTE or persons), whatever the staff scale. Per organisation and
profession: demand, supply (staff FTE), hours freed by innovation net of the hours innovation costs
(pilots, implementation, maintenance, training, reserved innovation time), the gap
``demand - (supply + freed)`` and the strain ``demand / (supply + freed)``, which feeds next month's quits.
"""

from __future__ import annotations

import numpy as np

from sim.model.demography import PROFESSIONS, SECTORS

SECTOR_ROWS = (*SECTORS, "all")

# Counters the innovation layer fills; system-wide ones (companies) are recorded on the 'all' row only.
INNOVATION_COUNTERS = (
    "pilots_started",
    "pilots_active",
    "evaluations",
    "procurements",
    "adoptions",
    "abandonments",
    "solutions_in_use",
    "solutions_scaled",
    "startups_founded",
    "startups_alive",
    "startups_failed",
    "startups_scaled",
    "companies_alive",
    "partnerships_active",
    "public_cost_dkk",
)

# Monthly series recorded per sector (hospital, municipal, all). Flows are per month; rates annualised.
SECTOR_COLUMNS = (
    "demand_fte",
    "supply_fte",
    "fte_freed",
    "fte_freed_gross",
    "fte_innovation_work",
    "gap_fte",
    "gap_share",
    "strain",
    "staff_headcount",
    "entries",
    "graduates",
    "outside_hires",
    "exits",
    "retirements",
    "quits",
    "moves",
    "attrition_rate",
    "job_leaving_rate",
    "hours_freed",
    *INNOVATION_COUNTERS,
)
PROFESSION_COLUMNS = (
    "demand_fte",
    "supply_fte",
    "gap_fte",
    "fte_freed",
    "staff_headcount",
    "entries",
    "exits",
    "moves",
)


class LabourAccounts:
    """This month's labour accounts per organisation and profession (national units).

    Attributes:
        demand_fte_org, supply_fte_org, freed_gross_fte_org, innovation_work_fte_org: [O, P].
        freed_fte_org: net freed FTE = gross freed - innovation work [O, P].
        capacity_fte_org: supply + net freed [O, P].
        strain_org: demand / capacity per organisation and profession [O, P].
    """

    def __init__(self, n_orgs: int) -> None:
        shape = (n_orgs, len(PROFESSIONS))
        self.demand_fte_org = np.zeros(shape)
        self.supply_fte_org = np.zeros(shape)
        self.freed_gross_fte_org = np.zeros(shape)
        self.innovation_work_fte_org = np.zeros(shape)
        self.freed_fte_org = np.zeros(shape)
        self.capacity_fte_org = np.zeros(shape)
        self.strain_org = np.ones(shape)

    def update(
        self,
        demand_fte: np.ndarray,
        supply_fte: np.ndarray,
        freed_gross_fte: np.ndarray,
        innovation_work_fte: np.ndarray,
    ) -> None:
        """Recompute the accounts from this month's demand, supply and innovation effects."""
        self.demand_fte_org = demand_fte
        self.supply_fte_org = supply_fte
        self.freed_gross_fte_org = freed_gross_fte
        self.innovation_work_fte_org = innovation_work_fte
        self.freed_fte_org = freed_gross_fte - innovation_work_fte
        self.capacity_fte_org = np.maximum(supply_fte + self.freed_fte_org, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            strain = demand_fte / self.capacity_fte_org
        # no demand -> no strain; demand but nobody to meet it -> capped strain
        self.strain_org = np.where(
            demand_fte <= 0, 1.0, np.where(self.capacity_fte_org > 0, strain, 3.0)
        )
        np.minimum(self.strain_org, 3.0, out=self.strain_org)

    @property
    def vacancy_fte_org(self) -> np.ndarray:
        """Unmet demand (positive gap) per organisation and profession."""
        return np.maximum(self.demand_fte_org - self.capacity_fte_org, 0.0)


class Recorder:
    """Preallocated monthly records: [T, sector row, column] and [T, sector row, profession, column]."""

    def __init__(self, n_months: int) -> None:
        self.sector = np.zeros((n_months, len(SECTOR_ROWS), len(SECTOR_COLUMNS)))
        self.profession = np.zeros(
            (n_months, len(SECTOR_ROWS), len(PROFESSIONS), len(PROFESSION_COLUMNS))
        )
        self._col = {name: i for i, name in enumerate(SECTOR_COLUMNS)}

    def col(self, name: str) -> int:
        return self._col[name]

    def record_accounts(
        self, t: int, accounts: LabourAccounts, org_sector: np.ndarray, headcount_org: np.ndarray
    ) -> None:
        """Aggregate the accounts by sector and profession into row t."""
        n_sec = len(SECTORS)
        onehot = np.zeros((n_sec, len(org_sector)))
        onehot[org_sector, np.arange(len(org_sector))] = 1.0
        stacked = np.stack(
            [
                accounts.demand_fte_org,
                accounts.supply_fte_org,
                accounts.freed_fte_org,
                accounts.freed_gross_fte_org,
                accounts.innovation_work_fte_org,
                headcount_org,
            ],
            axis=-1,
        )  # [O, P, 6]
        by_sp = np.einsum("so,opk->spk", onehot, stacked)  # [S, P, 6]
        by_sp = np.concatenate([by_sp, by_sp.sum(axis=0, keepdims=True)], axis=0)  # + 'all'
        demand, supply, freed, gross, work, head = (by_sp[..., k] for k in range(6))
        prof = self.profession[t]
        prof[..., 0] = demand
        prof[..., 1] = supply
        prof[..., 2] = demand - (supply + freed)
        prof[..., 3] = freed
        prof[..., 4] = head
        row = self.sector[t]
        c = self._col
        d, s, f = demand.sum(1), supply.sum(1), freed.sum(1)
        row[:, c["demand_fte"]] = d
        row[:, c["supply_fte"]] = s
        row[:, c["fte_freed"]] = f
        row[:, c["fte_freed_gross"]] = gross.sum(1)
        row[:, c["fte_innovation_work"]] = work.sum(1)
        row[:, c["gap_fte"]] = d - (s + f)
        with np.errstate(divide="ignore", invalid="ignore"):
            row[:, c["gap_share"]] = np.where(d > 0, (d - (s + f)) / d, 0.0)
            row[:, c["strain"]] = np.where(s + f > 0, d / (s + f), 0.0)
        row[:, c["staff_headcount"]] = head.sum(1)

    def record_flow(self, t: int, name: str, by_sector: np.ndarray) -> None:
        """Record a flow given per sector [S]; the 'all' row is their sum."""
        self.sector[t, : len(SECTORS), self._col[name]] = by_sector
        self.sector[t, len(SECTORS), self._col[name]] = by_sector.sum()

    def record_profession_flow(self, t: int, name: str, by_sector_profession: np.ndarray) -> None:
        """Record a flow given per [sector, profession]; the 'all' row is their sum."""
        k = PROFESSION_COLUMNS.index(name)
        n = by_sector_profession.shape[0]
        self.profession[t, :n, :, k] = by_sector_profession
        self.profession[t, n, :, k] = by_sector_profession.sum(axis=0)

    def record_total(self, t: int, name: str, value: float) -> None:
        """Record a system-wide quantity on the 'all' row only."""
        self.sector[t, len(SECTORS), self._col[name]] = value
