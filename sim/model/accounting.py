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
        # no demand -> no strain; demand but nobody to meet it -> capped strain
        strain = np.full(demand_fte.shape, 3.0)
        np.divide(demand_fte, self.capacity_fte_org, out=strain, where=self.capacity_fte_org > 0)
        strain[demand_fte <= 0] = 1.0
        self.strain_org = np.minimum(strain, 3.0, out=strain)

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
        self._cols: dict[tuple[str, ...], np.ndarray] = {}
        self._prof_cols: dict[tuple[str, ...], np.ndarray] = {}
        self._onehot: tuple[np.ndarray, np.ndarray] | None = None  # (org_sector, one-hot [S, O])
        self._stacked: np.ndarray | None = None  # buffer [O, P, 6] reused by record_accounts

    def col(self, name: str) -> int:
        return self._col[name]

    def cols(self, names: tuple[str, ...]) -> np.ndarray:
        """Column indices of several sector columns (cached per tuple of names)."""
        cols = self._cols.get(names)
        if cols is None:
            cols = self._cols[names] = np.array([self._col[name] for name in names])
        return cols

    def _sector_onehot(self, org_sector: np.ndarray) -> np.ndarray:
        """One-hot [S, O] of the organisations' sectors (built once per ``org_sector`` array)."""
        if self._onehot is None or self._onehot[0] is not org_sector:
            onehot = np.zeros((len(SECTORS), len(org_sector)))
            onehot[org_sector, np.arange(len(org_sector))] = 1.0
            self._onehot = (org_sector, onehot)
        return self._onehot[1]

    def record_accounts(
        self, t: int, accounts: LabourAccounts, org_sector: np.ndarray, headcount_org: np.ndarray
    ) -> None:
        """Aggregate the accounts by sector and profession into row t."""
        onehot = self._sector_onehot(org_sector)
        stacked = self._stacked
        if stacked is None or stacked.shape[:2] != headcount_org.shape:
            stacked = self._stacked = np.empty((*headcount_org.shape, 6))
        stacked[..., 0] = accounts.demand_fte_org
        stacked[..., 1] = accounts.supply_fte_org
        stacked[..., 2] = accounts.freed_fte_org
        stacked[..., 3] = accounts.freed_gross_fte_org
        stacked[..., 4] = accounts.innovation_work_fte_org
        stacked[..., 5] = headcount_org  # [O, P, 6]
        by_sp = np.einsum("so,opk->spk", onehot, stacked)  # [S, P, 6]
        by_sp = np.concatenate([by_sp, by_sp.sum(axis=0, keepdims=True)], axis=0)  # + 'all'
        demand, supply, freed, head = by_sp[..., 0], by_sp[..., 1], by_sp[..., 2], by_sp[..., 5]
        prof = self.profession[t]
        prof[..., 0:2] = by_sp[..., 0:2]  # demand, supply
        prof[..., 2] = demand - (supply + freed)
        prof[..., 3] = freed
        prof[..., 4] = head
        totals = by_sp.sum(axis=1)  # [sector row, 6]: demand, supply, freed, gross, work, head
        d, s, f = totals[:, 0], totals[:, 1], totals[:, 2]
        row = self.sector[t]
        c = self._col
        row[:, self.cols(_ACCOUNT_COLUMNS)] = totals
        gap = d - (s + f)
        row[:, c["gap_fte"]] = gap
        row[:, c["gap_share"]] = np.divide(gap, d, out=np.zeros_like(d), where=d > 0)
        capacity = s + f
        row[:, c["strain"]] = np.divide(d, capacity, out=np.zeros_like(d), where=capacity > 0)

    def record_flow(self, t: int, name: str, by_sector: np.ndarray) -> None:
        """Record a flow given per sector [S]; the 'all' row is their sum."""
        self.sector[t, : len(SECTORS), self._col[name]] = by_sector
        self.sector[t, len(SECTORS), self._col[name]] = by_sector.sum()

    def record_flows(self, t: int, names: tuple[str, ...], by_sector: np.ndarray) -> None:
        """Record several flows at once, given per [sector, flow]; the same as ``record_flow`` for each."""
        cols = self.cols(names)
        row = self.sector[t]
        row[: len(SECTORS), cols] = by_sector
        row[len(SECTORS), cols] = by_sector.sum(axis=0)

    def record_profession_flow(self, t: int, name: str, by_sector_profession: np.ndarray) -> None:
        """Record a flow given per [sector, profession]; the 'all' row is their sum."""
        k = PROFESSION_COLUMNS.index(name)
        n = by_sector_profession.shape[0]
        self.profession[t, :n, :, k] = by_sector_profession
        self.profession[t, n, :, k] = by_sector_profession.sum(axis=0)

    def record_profession_flows(
        self, t: int, names: tuple[str, ...], by_sector_profession: np.ndarray
    ) -> None:
        """Record several flows at once, given per [flow, sector, profession]; the same as
        ``record_profession_flow`` for each."""
        cols = self._prof_cols.get(names)
        if cols is None:
            cols = self._prof_cols[names] = np.array([PROFESSION_COLUMNS.index(n) for n in names])
        n = by_sector_profession.shape[1]
        prof = self.profession[t]
        prof[:n, :, cols] = by_sector_profession.transpose(1, 2, 0)
        prof[n][:, cols] = by_sector_profession.sum(axis=1).T

    def record_total(self, t: int, name: str, value: float) -> None:
        """Record a system-wide quantity on the 'all' row only."""
        self.sector[t, len(SECTORS), self._col[name]] = value


# the sector columns that are plain sums of the accounts, in the order record_accounts stacks them
_ACCOUNT_COLUMNS = (
    "demand_fte",
    "supply_fte",
    "fte_freed",
    "fte_freed_gross",
    "fte_innovation_work",
    "staff_headcount",
)
