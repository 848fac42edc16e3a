"""Step 4 of the month: labour accounting, and the monthly records that become a run's outputs.

All quantities are in national units (FTE or persons), whatever the staff scale. Per organisation and
profession: demand, supply (staff FTE), hours freed by innovation net of the hours innovation costs
(pilots, implementation, maintenance, training, reserved innovation time), the gap
``demand - (supply + freed)`` and the strain ``demand / (supply + freed)``, which feeds next month's quits.
"""

from __future__ import annotations

import numpy as np

from sim import outputs
from sim.model import kernels
from sim.model.demography import PROFESSIONS, SECTORS

SECTOR_ROWS = (*SECTORS, "all")

# Monthly series recorded per sector (hospital, municipal, all) and per profession: the rows of
# sim/outputs.py (flows per month; rates annualised).
SECTOR_COLUMNS = outputs.columns("sector")
PROFESSION_COLUMNS = outputs.columns("profession")
# Counters the innovation layer fills; system-wide ones (companies) are recorded on the 'all' row only.
INNOVATION_COUNTERS = tuple(n for n in SECTOR_COLUMNS if outputs.OUTPUTS[n].group == "innovation")
# The innovation counters that are monthly flows (summed over time); the others are stocks.
INNOVATION_FLOWS = tuple(n for n in INNOVATION_COUNTERS if outputs.OUTPUTS[n].kind == "flow")


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
        # freed = gross - work; capacity = max(supply + freed, 0); strain = demand / capacity, capped
        # at 3: no demand -> no strain (1); demand but nobody to meet it -> capped strain (one pass)
        self.freed_fte_org, self.capacity_fte_org, self.strain_org = kernels.labour_accounts(
            demand_fte, supply_fte, freed_gross_fte, innovation_work_fte
        )

    @property
    def vacancy_fte_org(self) -> np.ndarray:
        """Unmet demand (positive gap) per organisation and profession."""
        return np.maximum(self.demand_fte_org - self.capacity_fte_org, 0.0)


class Recorder:
    """Preallocated monthly records: ``sector`` [T, sector row, column] and ``profession``
    [T, sector row, profession, column].

    Writing a month is cheap; what can wait is computed in batches when the records are read (through
    ``sector`` or ``profession``, so every reader sees complete months): the 'all' rows of the flows, the
    accounts by sector and profession beyond their monthly sum by sector (totals, gap, gap share, strain)
    and the rates derived from them (attrition, job leaving, hours freed). The numbers are the same,
    bit for bit, as when every month was completed as it was written: the same sums in the same order.
    """

    def __init__(self, n_months: int, hours_per_fte: float = 1.0) -> None:
        """``hours_per_fte`` converts freed FTE into the monthly ``hours_freed``."""
        self._sector = np.zeros((n_months, len(SECTOR_ROWS), len(SECTOR_COLUMNS)))
        self._profession = np.zeros(
            (n_months, len(SECTOR_ROWS), len(PROFESSIONS), len(PROFESSION_COLUMNS))
        )
        self.hours_per_fte = hours_per_fte
        self._col = {name: i for i, name in enumerate(SECTOR_COLUMNS)}
        self._cols: dict[tuple[str, ...], np.ndarray] = {}
        self._onehot: tuple[np.ndarray, np.ndarray] | None = None  # (org_sector, one-hot [S, O])
        self._stacked: np.ndarray | None = None  # buffer [O, P, 6] reused by record_accounts
        # work left for _complete: flows whose 'all' row is still to be summed [T, column], in months
        # [_flows_from, _flows_to); months whose accounts by sector [T, S, P, 6] are still to be completed
        self._all_pending = np.zeros((n_months, len(SECTOR_COLUMNS)), bool)
        self._flows_from, self._flows_to = n_months, 0
        self._accounts_by_sp = np.zeros((n_months, len(SECTORS), len(PROFESSIONS), 6))
        self._accounts_pending = np.zeros(n_months, bool)
        # flows by profession to write: names -> (values [T, flow, S, P], months pending [T])
        self._by_profession: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray]] = {}
        self._pending = False

    @property
    def sector(self) -> np.ndarray:
        """[T, sector row, column] (every recorded month complete)."""
        if self._pending:
            self._complete()
        return self._sector

    @property
    def profession(self) -> np.ndarray:
        """[T, sector row, profession, column] (every recorded month complete)."""
        if self._pending:
            self._complete()
        return self._profession

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
        """Aggregate the accounts by sector and profession into month t (completed when read)."""
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
        np.einsum("so,opk->spk", onehot, stacked, out=self._accounts_by_sp[t])  # [S, P, 6]
        self._accounts_pending[t] = True
        self._pending = True

    def record_flow(self, t: int, name: str, by_sector: np.ndarray) -> None:
        """Record a flow given per sector [S]; the 'all' row is their sum."""
        c = self._col[name]
        self._sector[t, : len(SECTORS), c] = by_sector
        if by_sector.shape == (len(SECTORS),) and _sums_alike_later(by_sector.dtype):
            self._defer_all_row(t, c)
        else:  # a sum in another precision: now, as given
            self._sector[t, len(SECTORS), c] = by_sector.sum()
            self._all_pending[t, c] = False

    def record_flows(self, t: int, names: tuple[str, ...], by_sector: np.ndarray) -> None:
        """Record several flows at once, given per [sector, flow] (float64); the same as
        ``record_flow`` for each."""
        cols = self.cols(names)
        self._sector[t][: len(SECTORS), cols] = by_sector
        self._defer_all_row(t, cols)

    def _defer_all_row(self, t: int, cols: int | np.ndarray) -> None:
        """Mark the 'all' row of columns ``cols`` in month t as the sum of the sectors, to do when read."""
        self._all_pending[t, cols] = True
        self._flows_from = min(self._flows_from, t)
        self._flows_to = max(self._flows_to, t + 1)
        self._pending = True

    def record_profession_flow(self, t: int, name: str, by_sector_profession: np.ndarray) -> None:
        """Record a flow given per [sector, profession]; the 'all' row is their sum."""
        k = PROFESSION_COLUMNS.index(name)
        n = by_sector_profession.shape[0]
        self._profession[t, :n, :, k] = by_sector_profession
        self._profession[t, n, :, k] = by_sector_profession.sum(axis=0)

    def record_flows_by_profession(
        self, t: int, names: tuple[str, ...], by_flow_sector_profession: np.ndarray
    ) -> None:
        """Record flows given per [flow, sector, profession] (float64), written when read: each flow's
        sector column gets its sum over professions and its profession column (if it has one) the
        values, as ``record_flow`` and ``record_profession_flow`` would. Record these flows no other way.
        """
        entry = self._by_profession.get(names)
        if entry is None:
            n_months = len(self._sector)
            values = np.zeros((n_months, *by_flow_sector_profession.shape))
            entry = self._by_profession[names] = (values, np.zeros(n_months, bool))
        entry[0][t] = by_flow_sector_profession
        entry[1][t] = True
        self._pending = True

    def record_total(self, t: int, name: str, value: float) -> None:
        """Record a system-wide quantity on the 'all' row only."""
        c = self._col[name]
        self._sector[t, len(SECTORS), c] = value
        self._all_pending[t, c] = False

    def record_totals(self, t: int, names: tuple[str, ...], values: np.ndarray) -> None:
        """Record several system-wide quantities on the 'all' row only (as ``record_total`` each)."""
        cols = self.cols(names)
        self._sector[t, len(SECTORS), cols] = values
        self._all_pending[t, cols] = False

    def _complete(self) -> None:
        """Do the work left for when the records are read: 'all' rows of flows, then the accounts."""
        self._pending = False
        n_sec = len(SECTORS)
        for names, (values, pending) in self._by_profession.items():
            months = np.flatnonzero(pending)
            if len(months):
                pending[months] = False
                self._write_flows_by_profession(names, months, values[months])
        lo, hi = self._flows_from, self._flows_to
        if lo < hi:
            pending = self._all_pending[lo:hi]
            # sectors added in order, as by_sector.sum() did month by month
            np.copyto(
                self._sector[lo:hi, n_sec], self._sector[lo:hi, :n_sec].sum(axis=1), where=pending
            )
            pending[:] = False
            self._flows_from, self._flows_to = len(self._all_pending), 0
        months = np.flatnonzero(self._accounts_pending)
        if len(months):
            self._accounts_pending[months] = False
            self._complete_accounts(months)

    def _write_flows_by_profession(
        self, names: tuple[str, ...], months: np.ndarray, values: np.ndarray
    ) -> None:
        """Write flows [month, flow, S, P] of ``months``: sector rows (sums over professions, the 'all'
        row to follow) and profession columns with their 'all' row."""
        n_sec = len(SECTORS)
        cols = self.cols(names)
        by_sector = values.sum(axis=3).transpose(0, 2, 1)  # [M, S, flow], professions in order
        self._sector[months[:, None, None], np.arange(n_sec)[:, None], cols] = by_sector
        self._all_pending[months[:, None], cols] = True
        self._flows_from = min(self._flows_from, int(months[0]))
        self._flows_to = max(self._flows_to, int(months[-1]) + 1)
        for j, name in enumerate(names):
            if name in PROFESSION_COLUMNS:
                k = PROFESSION_COLUMNS.index(name)
                self._profession[months, :n_sec, :, k] = values[:, j]
                self._profession[months, n_sec, :, k] = values[:, j].sum(axis=1)

    def _complete_accounts(self, months: np.ndarray) -> None:
        """Totals, gaps, strain and rates of ``months`` from their accounts by sector and profession."""
        by_sp = self._accounts_by_sp[months]  # [M, S, P, 6]
        by_sp = np.concatenate([by_sp, by_sp.sum(axis=1, keepdims=True)], axis=1)  # + 'all'
        demand, supply, freed, head = by_sp[..., 0], by_sp[..., 1], by_sp[..., 2], by_sp[..., 5]
        for name, values in (
            ("demand_fte", demand),
            ("supply_fte", supply),
            ("gap_fte", demand - (supply + freed)),
            ("fte_freed", freed),
            ("staff_headcount", head),
            ("fte_freed_gross", by_sp[..., 3]),
            ("fte_innovation_work", by_sp[..., 4]),
        ):
            self._profession[months, :, :, PROFESSION_COLUMNS.index(name)] = values
        totals = by_sp.sum(axis=2)  # [M, sector row, 6]: demand, supply, freed, gross, work, head
        d, s, f = totals[..., 0], totals[..., 1], totals[..., 2]
        rows = self._sector[months]  # [M, sector row, column] (a copy, written back below)
        c = self._col
        rows[..., self.cols(_ACCOUNT_COLUMNS)] = totals
        gap = d - (s + f)
        rows[..., c["gap_fte"]] = gap
        rows[..., c["gap_share"]] = np.divide(gap, d, out=np.zeros_like(d), where=d > 0)
        capacity = s + f
        rows[..., c["strain"]] = np.divide(d, capacity, out=np.zeros_like(d), where=capacity > 0)
        headcount = np.maximum(rows[..., c["staff_headcount"]], 1e-9)
        exits, moves = rows[..., c["exits"]], rows[..., c["moves"]]
        rows[..., c["attrition_rate"]] = exits * 12 / headcount
        rows[..., c["job_leaving_rate"]] = (exits + moves) * 12 / headcount
        rows[..., c["hours_freed"]] = rows[..., c["fte_freed_gross"]] * self.hours_per_fte / 12
        self._sector[months] = rows


def _sums_alike_later(dtype: np.dtype) -> bool:
    """Whether the sum of a flow over the sectors comes out the same later, from the float64 records:
    float64 (the same additions), integers and booleans (exact either way)."""
    return dtype == np.float64 or dtype.kind in "iub"


# the sector columns that are plain sums of the accounts, in the order record_accounts stacks them
_ACCOUNT_COLUMNS = (
    "demand_fte",
    "supply_fte",
    "fte_freed",
    "fte_freed_gross",
    "fte_innovation_work",
    "staff_headcount",
)
