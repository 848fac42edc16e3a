"""The innovation ecosystem: companies, solution types, solutions, partnerships and the pipeline, as one
layer of the model.

``InnovationLayer`` owns the state (``sim.model.innovation.state``) and runs each month, in this order:

    set_month (lever schedules) -> competence_step, career_step (each January) -> founding_step ->
    pipeline_month: begin_month -> budget_step -> capacity_step -> development_step ->
    start_codeveloped_pilots -> partnership_step -> matching_step -> pilot_step -> evaluation_step ->
    procurement_step -> spread_step -> rollout_step -> replace_step -> abandonment_step ->
    freed_hours_step -> innovation_work_step

and, in step 5 of the month, ``money_month`` (licences by coverage, retainers, national programmes,
company finance) and the savings units keep. ``pipeline_month`` and ``money_month``
(``sim.model.innovation.pipeline``) are compiled, as are the steps they call; founding (new ``Company``
agents) runs in Python; the January steps over staff are one compiled pass over every slot
(``bookkeeping.year_staff_pass``) and a compiled update of those the career step draws.

The world starts with the solutions Denmark uses in 2025 at their sourced coverage
(``sim.model.innovation.initial``). Hours are counted *additional to the 2025 balance*: the January 2025
state frees ``base_freed_share`` of each organisation-profession's demand and costs ``base_work_share`` of
its supply in innovation work (maintenance of the 2025 solutions, the status quo's reserved time,
training and career tracks); both are inside the 2025 staffing that demand is calibrated to, so the model
reports gross and work beyond them, scaled with each month's demand and supply. In the first month
nothing happens yet, so with every lever at its status-quo value in that month net FTE freed is 0 in
January of the first year by definition (the shipped scenarios phase levers in from 2026,
``sim.levers.PHASE_IN``; a scenario that moves a staff-time lever in the first month starts with that
lever's extra work).

With ``innovation.frictionless = true`` one proven solution for every sector spreads by the pure Bass
rule through the same ``spread_step`` (the validation check of VALIDATION.md s1).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.levers import LEVERS, UNCERTAINTIES
from sim.model.demography import PROFESSIONS, SECTORS
from sim.model.innovation import bookkeeping
from sim.model.innovation import companies as company_steps
from sim.model.innovation.initial import initial_companies, initial_solutions_and_use
from sim.model.innovation.jit import PURE_PYTHON
from sim.model.innovation.solutions import add_catalogue_types, load_catalogue, type_key
from sim.model.innovation.state import (
    ANY_SECTOR,
    COST_PURPOSES,
    COUNTERS,
    FRICTIONLESS,
    IN_USE,
    KERNEL_STREAMS,
    MONEY_STATS,
    ORG_FIELDS,
    ORGANISATION,
    PIPELINE_STATS,
    POOLING,
    PROVEN,
    STARTUP,
    STRATEGIC,
    CompanyTable,
    Engagements,
    PartnershipTable,
    SolutionTable,
    TypeTable,
    make_params,
)
from sim.scenario import SCOPED_LEVERS

# the counters of the month, then the pipeline's stocks (``pipeline.pipeline_stats_step``)
PIPELINE_FLOWS = COUNTERS + PIPELINE_STATS
# the system-wide money records of a month (``money_step``): two counts, then stocks of MONEY_STATS
_MONEY_STOCKS = ("startups_alive", "startups_scaled", "companies_alive", "partnerships_active")
_MONEY_TOTALS = ("startups_founded", "startups_failed", *_MONEY_STOCKS)
_MONEY_STOCK_ROWS = np.array([MONEY_STATS.index(name) for name in _MONEY_STOCKS])


class _StaffTally:
    """What January's pass over the staff tallies (``competence_step``) for the career step and the
    organisations' staff statistics: competence summed and champions counted per organisation, the
    slots alive and on a career track, and the size of the pool of slots a track can take (alive, not
    on one)."""

    __slots__ = ("comp_sum", "champion_count", "n_alive", "n_career", "n_pool")

    def __init__(self, comp_sum: np.ndarray, champion_count: np.ndarray) -> None:
        self.comp_sum = comp_sum
        self.champion_count = champion_count
        self.n_alive = 0
        self.n_career = 0
        self.n_pool = 0

    @classmethod
    def zeros(cls, n_orgs: int) -> _StaffTally:
        """Empty sums and counts for ``n_orgs`` organisations."""
        return cls(np.zeros(n_orgs), np.zeros(n_orgs, np.int64))


class InnovationLayer:
    """State and monthly steps of the innovation ecosystem (see the module docstring for the order)."""

    def __init__(self, model) -> None:
        self.model = model
        sc = model.scenario
        self.scenario = sc
        from sim.scenario import calibration_defaults

        self.param = cache(sc.param_number)  # the scenario is immutable: each key is looked up once
        self._calibration_keys = tuple(calibration_defaults())
        self._uncertainties = sc.uncertainties.model_dump()
        self.lever_paths = sc.lever_paths(model.dates)  # lever -> value in each month
        self.programme_paths = sc.programme_paths(model.dates)
        self.frictionless = sc.innovation.frictionless
        self.catalogue = load_catalogue()
        self.n_orgs = model.world.n
        self.org_sector = model.org_sector.astype(np.int64)
        self.org_region = model.world.region.astype(np.int64)
        order = np.argsort(self.org_sector, kind="stable")
        sizes = np.bincount(self.org_sector, minlength=len(SECTORS))
        self.sector_orgs = order.astype(np.int64)
        self.sector_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.types = TypeTable()
        self.solutions = SolutionTable()
        self.companies = CompanyTable()
        self.partnerships = PartnershipTable()
        self.eng = Engagements()
        self._tables = (self.types, self.solutions, self.eng, self.companies, self.partnerships)
        self.params = make_params(sc, model.hours_per_fte, len(self.catalogue.archetypes))
        self.params["frictionless"] = float(self.frictionless)
        n_regions = int(self.org_region.max()) + 1
        self.engagement_of = np.full((self.solutions.capacity, self.n_orgs), -1, dtype=np.int32)
        self.region_contracts = np.zeros((self.solutions.capacity, n_regions))
        self.national_contract = np.zeros(self.solutions.capacity, dtype=bool)
        self.worked_with = np.zeros((self.n_orgs, self.companies.capacity), dtype=bool)
        self.strategic = np.zeros((self.n_orgs, self.companies.capacity), dtype=bool)
        self.active = np.zeros(self.eng.capacity, np.int64)
        self.n_active = np.zeros(1, np.int64)
        # organisation-level state (``state.ORG_FIELDS``)
        pooling = POOLING[int(self.param("risk_budget.pooling"))]
        fund = {
            "organisation": np.arange(self.n_orgs),
            "region": self.org_region,
            "national": np.zeros(self.n_orgs, np.int64),
        }[pooling].astype(np.int64)
        self.org = {
            "sector": self.org_sector,
            "region": self.org_region,
            "region_share": np.zeros(self.n_orgs),
            "region_weight": np.zeros(n_regions),
            "fund": fund,
            "sector_orgs": self.sector_orgs,
            "sector_start": self.sector_start,
            "size_fte": np.zeros(self.n_orgs),
            "tech_budget": np.zeros(self.n_orgs),
            "base_running_dkk": np.zeros(self.n_orgs),
            "risk_fund": np.zeros(int(fund.max()) + 1),
            "capacity_fte": np.zeros(self.n_orgs),
            "used_fte": np.zeros(self.n_orgs),
            "champion_factor": np.zeros(self.n_orgs),
            "competence": np.full(self.n_orgs, self.param("innovation.competence_base")),
            "strategic_count": np.zeros(self.n_orgs, np.int64),
            "type_coverage": np.zeros((self.n_orgs, self.types.capacity)),
            "type_weight": np.zeros((self.n_orgs, self.types.capacity)),
            "type_effect": np.zeros((self.n_orgs, self.types.capacity)),
            "type_leader": np.zeros((self.n_orgs, self.types.capacity)),
            "cash_kept": np.zeros(self.n_orgs),
        }
        self.counts = np.zeros((len(COUNTERS), len(SECTORS)))
        self.cost_dkk = np.zeros((len(SECTORS), len(COST_PURPOSES)))
        potential = self.uncertainty("technology_potential")
        self.potential_left = np.full((len(SECTORS), len(PROFESSIONS)), potential)
        self.startups_founded = 0
        self.startups_failed = 0
        self.startups_founded_month = 0
        self.companies_registered = 0  # company rows with their Mesa agent (``register_companies``)
        shape = (self.n_orgs, len(PROFESSIONS))
        self._supply, self._demand, self._strain = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        self._freed, self._work = np.zeros(shape), np.zeros(shape)
        self._pipeline_stats = np.zeros((len(PIPELINE_STATS), len(SECTORS) + 1))
        self._money_stats = np.zeros(len(MONEY_STATS))
        # budgets' growth since the start, each month (as Python computes it: ``**`` on floats)
        rate = 1.0 + self.uncertainty("budget_growth") / 100.0
        self._budget_growth = [rate ** (t / 12.0) for t in range(model.n_months)]
        self._state, self._state_stale = None, True
        # histories: one row per month (adopters per solution, coverage per type, as many as there
        # were then), padded into [months, solutions] and [months, types] matrices when read (cheaper
        # than preallocated matrices, which would have to be widened as the tables grow)
        self._adoption_rows: list[np.ndarray | None] = [None] * model.n_months
        self._coverage_rows: list[np.ndarray | None] = [None] * model.n_months
        self._months_recorded = 0
        self.graduate_competence = self.param("innovation.competence_base")
        rng = model.streams["companies"]
        if self.frictionless:
            self._setup_frictionless()
        else:
            add_catalogue_types(self.types, self.catalogue)
            initial_companies(self, rng)
            initial_solutions_and_use(self, rng, model.scenario.time.start_year)
        self.refresh_org_staff_stats()
        self._set_balance()
        self._month_levers = self._month_lever_values()
        self._levers_written = (-2, -1)  # (month, number of types) that set_month last wrote

    # ------------------------------------------------------------------------------------------------
    # inputs

    def lever(self, name: str, t: int | None = None) -> float:
        """A lever's value in month ``t`` (default: the current month) from the scenario's schedule."""
        month = self.model.month_index if t is None else t
        return float(self.lever_paths[name][min(month, len(self.lever_paths[name]) - 1)])

    def uncertainty(self, name: str) -> float:
        """The scenario's value of an uncertainty."""
        return float(self._uncertainties[name])

    def set_month(self, t: int) -> bool:
        """Write each lever's value for month ``t`` into the parameters the compiled steps read, and the
        values of the levers programmes scope (``SCOPED_LEVERS``) into each solution type's row: the
        lever's own value, or a programme's where it is larger for the programme's archetypes (the
        values of every month are worked out once, ``_month_lever_values``). Returns whether it wrote
        anything: a month that follows the one last written, with the same values and no type added
        since, finds them in place (and then counts as written)."""
        fields, values, scoped, as_before = self._month_levers
        n = self.types.n
        if t == self._levers_written[0] + 1 and as_before[t] and n == self._levers_written[1]:
            self._levers_written = (t, n)
            return False
        self.params.view(np.float64)[fields] = values[t]
        for name, (rows, by_month) in scoped.items():
            column = getattr(self.types, name)
            column[:n] = self.lever_paths[name][t]
            column[rows] = by_month[t]
        self._levers_written = (t, n)
        return True

    def _month_lever_values(self) -> tuple[np.ndarray, np.ndarray, dict, list[bool]]:
        """What ``set_month`` writes, for every month: the positions of the levers among the parameters
        and their values [months, levers]; for each scoped lever, the catalogue types its programmes
        reach and the lever's value for them [months, types] (the largest of the lever's own value and
        its programmes'); and whether each month's values are those of the month before (then a month
        that follows the one last written, with no new type, has nothing to write)."""
        names = list(self.lever_paths)
        fields = np.array([self.params.dtype.names.index(name) for name in names])
        values = np.stack(
            [np.asarray(self.lever_paths[name], np.float64) for name in names], axis=1
        )
        keys = self.catalogue.keys
        scoped = {}
        for name in SCOPED_LEVERS:
            own = np.asarray(self.lever_paths[name], np.float64)
            by_type = np.repeat(own[:, None], len(keys), axis=1)
            reached = np.zeros(len(keys), bool)
            for archetypes, paths in self.programme_paths:
                if name in paths:
                    rows = [keys.index(key) for key in archetypes]
                    by_type[:, rows] = np.maximum(
                        by_type[:, rows], np.asarray(paths[name])[:, None]
                    )
                    reached[rows] = True
            rows = np.flatnonzero(reached)
            scoped[name] = (rows, by_type[:, rows])
        as_before = np.zeros(len(values), bool)
        as_before[1:] = (values[1:] == values[:-1]).all(axis=1)
        for name, (_, by_month) in scoped.items():
            own = np.asarray(self.lever_paths[name], np.float64)
            as_before[1:] &= own[1:] == own[:-1]
            as_before[1:] &= (by_month[1:] == by_month[:-1]).all(axis=1)
        return fields, values, scoped, as_before.tolist()

    # ------------------------------------------------------------------------------------------------
    # the 2025 balance

    def _set_balance(self) -> None:
        """The starting balance: the share of demand the starting coverage frees and the share of supply
        innovation work costs at status-quo lever values (see the module docstring)."""
        saved = self.params.copy()
        for name, lever in LEVERS.items():
            self.params[name] = lever.status_quo
        for name in SCOPED_LEVERS:
            getattr(self.types, name)[: self.types.n] = LEVERS[name].status_quo
        st = self.kernel_state()
        bookkeeping.balance_month(st)  # begin_month, capacity, freed hours, innovation work
        demand, supply = self._demand, self._supply
        self.base_freed_share = np.divide(
            self._freed, demand, out=np.zeros_like(demand), where=demand > 0
        )
        maintenance = self.param("innovation.maintenance_share") * self._freed
        self.base_work_share = np.divide(
            self._work - maintenance, supply, out=np.zeros_like(supply), where=supply > 0
        )
        self.params[:] = saved
        # running costs of the starting portfolio (licences), in the 2025 budgets already
        n = self.eng.n
        org, sol = self.eng.org[:n], self.eng.sol[:n]
        addressable = (demand[org] * self.types.addressable[self.solutions.type[sol]]).sum(axis=1)
        monthly = self.eng.price_fte_year[:n] * addressable * self.eng.coverage[:n] / 12.0
        self.org["base_running_dkk"][:] = np.bincount(org, weights=monthly, minlength=self.n_orgs)
        self.base_cost_dkk = np.bincount(
            self.org_sector, weights=self.org["base_running_dkk"], minlength=len(SECTORS)
        )

    def additional(self) -> tuple[np.ndarray, np.ndarray]:
        """(gross FTE freed, FTE of innovation work) [O, P] beyond the starting balance, this month:
        ``freed - demand x base_freed_share`` and ``work - (supply x base_work_share + maintenance_share
        x demand x base_freed_share)`` (compiled, ``bookkeeping.additional_hours``)."""
        return bookkeeping.additional_hours(
            self._freed,
            self._work,
            self._demand,
            self._supply,
            self.base_freed_share,
            self.base_work_share,
            self.param("innovation.maintenance_share"),
        )

    # ------------------------------------------------------------------------------------------------
    # the month

    def pipeline_step(self, t: int) -> None:
        """Step 3 of the month: the pipeline, in order (see the module docstring)."""
        self.set_month(t)
        self.startups_founded_month = 0
        if not self.frictionless:
            if (
                t % 12 == 0 and t > 0
            ):  # the first month is the starting balance: nothing happens yet
                tally = self.competence_step(t)  # the pass over the staff also tallies them
                self.career_step(t, self.model.streams["competence"], tally)
                self.refresh_org_staff_stats(tally)
            if t > 0:
                self.startups_founded_month = company_steps.founding_step(self, t)
        # compiled in one call: this month's inputs, the room check, the type weights (January), the
        # pipeline, the hours beyond the balance (``additional``) and what the month records (adopters
        # per solution, coverage per type: written by pipeline_stats_step; counters and stocks by
        # sector); if a table lacks room it is grown and the call repeated
        model, accounts = self.model, self.model.accounts
        while True:
            short, gross, work, adopters, coverage, flows = bookkeeping.pipeline_month_io(
                t,
                self.kernel_state(inputs=False),
                accounts.supply_fte_org,
                model.demand_fte,
                accounts.strain_org,
                self.base_freed_share,
                self.base_work_share,
                self.param("innovation.maintenance_share"),
            )
            if not short:
                break
            self.reserve_rows(t)
        model.freed_gross_fte = gross
        model.innovation_work_fte = work
        self._adoption_rows[t] = adopters
        self._coverage_rows[t] = coverage
        self._months_recorded = t + 1
        model.recorder.record_flows(t, PIPELINE_FLOWS, flows)
        if self.frictionless:  # the one solution targets every sector: counted on the 'all' row
            self._record_frictionless_stats(t)

    def money_step(self, t: int) -> None:
        """Step 5 of the month: licences, company finance, and what units keep of the value they free
        (lever ``incentive_structures``; [incentives] cash rule)."""
        # compiled in one call: money_month and the month's money records
        failed, _, public_cost, totals = bookkeeping.money_month_io(
            t,
            self.kernel_state(inputs=False),
            self.base_cost_dkk,
            self._budget_growth[t],
            self.startups_founded_month,
            _MONEY_STOCK_ROWS,
        )
        self.startups_failed += failed
        self.incentive_savings(into=self.org["cash_kept"])
        rec = self.model.recorder
        rec.record_flow(t, "public_cost_dkk", public_cost)  # beyond the 2025 running costs
        rec.record_totals(t, _MONEY_TOTALS, totals)

    def incentive_savings(self, into: np.ndarray | None = None) -> np.ndarray:
        """DKK per organisation that go back into its technology budget this month from the value of the
        hours it frees ([incentives] rules; lever ``incentive_structures``), added to ``into`` (default:
        a new array of zeros), which is returned.

        Freed hours fill the gap; they become budget room only under the ``cash_rule``: "none" (never),
        "surplus" (only hours an organisation does not need: its supply plus the hours freed exceed demand,
        so positions are left unfilled) or "gains" (default: documented gains stay in the organisation's
        budget, KL 2017, so every net hour freed counts). Of the value of those hours, ``realised_share``
        becomes budget room; units keep the lever's share of it for their own innovation and the
        organisation reinvests ``reinvestment_share`` of the rest in technology.
        """
        out = np.zeros(self.n_orgs) if into is None else into
        kept = self.lever("incentive_structures")
        reinvested = self.param("incentives.reinvestment_share")
        bookkeeping.keep_cash(  # compiled: the hours' value, by rule, then the shares
            self.model.freed_gross_fte,
            self.model.innovation_work_fte,
            self._supply,
            self._demand,
            int(self.param("incentives.cash_rule")),
            self.param("innovation.cost_per_fte_dkk"),
            self.param("incentives.realised_share"),
            kept + (1.0 - kept) * reinvested,
            out,
        )
        return out

    def competence_step(self, t: int) -> _StaffTally:
        """Each January, staff who work with solutions gain digital competence from training (lever
        ``competence_investment``, hours per staff-year), and everyone's competence drifts back towards
        the workforce's base level (``competence_base``, renewed by graduates) at ``competence_decay_year``.

        competence += gain x hours x covered x (1 - competence) - decay x (competence - base), where
        ``covered`` is the share of the staff member's profession's work at their employer that solutions
        cover (those are the staff trained; ``innovation_work_step`` counts their hours).

        Returns what the same pass over the staff tallies for ``career_step`` and
        ``refresh_org_staff_stats`` (neither changes competence, so the sums are theirs).
        """
        staff = self.model.staff
        hours = self.lever("competence_investment", t)
        gain = min(
            self.param("lever_effects.competence_investment_competence_per_hour") * hours, 1.0
        )
        decay = self.param("innovation.competence_decay_year")
        base = self.param("innovation.competence_base")
        covered = np.empty(self.n_orgs * len(PROFESSIONS), np.float32)  # [O x P]
        n_types = self.types.n
        if not bookkeeping.covered_share(  # compiled; numpy if a coverage is negative or NaN
            self.org["type_coverage"], self.types.addressable, n_types, covered
        ):
            covered[:] = self.covered_share().ravel()
        # gain x covered x (1 - c) - decay x (c - base), in float32, over every slot, and the staff
        # tallied in the same compiled pass; the group of a slot is employer x P + profession (free
        # slots: past the end)
        tally = _StaffTally.zeros(self.n_orgs)
        tally.n_alive, tally.n_career, tally.n_pool = bookkeeping.year_staff_pass(
            staff.competence,
            staff.group,
            covered,
            np.float32(gain),
            np.float32(decay),
            np.float32(base),
            staff.employer,
            staff.alive,
            staff.champion,
            staff.career_track,
            tally.comp_sum,
            tally.champion_count,
        )
        return tally

    def covered_share(self) -> np.ndarray:
        """[O, P]: share of each organisation-profession's staff working with solutions: the coverage of
        the most covered type that addresses the profession (the staff ``innovation_work_step`` trains;
        ``bookkeeping.covered_share`` computes the same in one compiled call)."""
        n_types = self.types.n
        # only types some organisation covers: the others add nothing to a maximum that starts at 0
        in_use = np.flatnonzero((self.org["type_coverage"][:, :n_types] > 0.0).any(axis=0))
        coverage = self.org["type_coverage"][:, in_use]  # [O, K in use]
        addressed = self.types.addressable[in_use] > 0  # [K in use, P]
        return (coverage[:, :, None] * addressed[None, :, :]).max(axis=1, initial=0.0)

    def career_step(self, t: int, rng: np.random.Generator, tally: _StaffTally) -> None:
        """Each January, fill innovation career tracks up to ``career_paths`` % of staff (lever
        ``career_paths``): people on a track act as champions and quit less (quit propensity cut by
        ``career_paths_retention``); their innovation time is counted as work. ``tally`` (from
        ``competence_step``): the staff alive, on a track, and the size of the pool (alive, not on a
        track); the new champions are added to its counts."""
        staff = self.model.staff
        target = int(round(self.lever("career_paths", t) / 100.0 * tally.n_alive))
        current = tally.n_career
        if target > current:
            # the draw of ``rng.choice(pool, size, replace=False)`` over the pool's slots, without
            # listing them: positions in the pool first, then their slots (the same draws)
            positions = rng.choice(
                tally.n_pool, size=min(target - current, tally.n_pool), replace=False
            )
            chosen = bookkeeping.pool_slots(positions, staff.alive, staff.career_track)
            bookkeeping.join_career(
                chosen,
                staff.career_track,
                staff.champion,
                staff.quit_propensity,
                np.float32(1.0 - self.param("lever_effects.career_paths_retention")),
                staff.employer,
                tally.champion_count,
            )

    def reserve_rows(self, t: int) -> None:
        """Room for everything month ``t`` can add (``pipeline.rows_needed``), before the compiled month
        runs: it cannot grow tables."""
        engagements, partnerships, solutions, types, short = bookkeeping.room_needed(
            t, self.kernel_state()
        )
        if not short:
            return
        grown = self.eng.reserve(engagements)
        grown |= self.partnerships.reserve(partnerships)
        grown |= self.solutions.reserve(solutions)
        grown |= self.types.reserve(types)
        if grown or len(self.active) < self.eng.capacity:
            self.grow_tables()

    def add_active(self, rows: np.ndarray) -> None:
        """Append engagements to the active list (used when the starting state is built in Python)."""
        if len(self.active) < self.eng.capacity:
            self.grow_tables()
        n = self.n_active[0]
        self.active[n : n + len(rows)] = rows
        self.n_active[0] = n + len(rows)

    def kernel_state(self, inputs: bool = True):
        """The state as the compiled steps see it, with this month's supply, demand, strain and sizes
        (copied in unless ``inputs`` is false). The struct holds the tables' current arrays; it is rebuilt
        only after a table has grown."""
        if inputs:
            accounts = self.model.accounts
            bookkeeping.month_inputs(  # copies, sizes, region shares and weights (compiled)
                accounts.supply_fte_org,
                self.model.demand_fte,
                accounts.strain_org,
                self._supply,
                self._demand,
                self._strain,
                self.org["size_fte"],
                self.org_region,
                self.org["region_share"],
                self.org["region_weight"],
            )
        tables = self._tables
        if (
            self._state_stale
            or self._state is None
            or tables[0]._view is None
            or tables[1]._view is None
            or tables[2]._view is None
            or tables[3]._view is None
            or tables[4]._view is None
        ):
            from sim.model.innovation.structs import make_kernel, make_orgs

            views = tuple(table.view() for table in tables)

            orgs = make_orgs(*(self.org[name] for name in ORG_FIELDS))
            self._state = make_kernel(
                *views,
                orgs,
                self.engagement_of,
                self.region_contracts,
                self.national_contract,
                self.worked_with,
                self.strategic,
                self.active,
                self.n_active,
                self._supply,
                self._demand,
                self._strain,
                self.potential_left,
                self.counts,
                self.cost_dkk,
                self._freed,
                self._work,
                self._pipeline_stats,
                self._money_stats,
                self.params,
                *(self.model.streams[name] for name in KERNEL_STREAMS),
            )
            self._state_stale = False
        return self._state

    def grow_tables(self) -> None:
        """Grow the arrays sized by the tables (organisation x solution, x company, x type; the active list)
        to the tables' capacities; the compiled state is rebuilt on its next use if any array (or a table,
        ``Table.reserve``) was reallocated."""
        sols, comp, kinds = self.solutions.capacity, self.companies.capacity, self.types.capacity
        grown = False
        if self.engagement_of.shape[0] < sols:
            self.engagement_of = _grown(self.engagement_of, sols, axis=0, fill=-1)
            self.region_contracts = _grown(self.region_contracts, sols, axis=0)
            self.national_contract = _grown(self.national_contract, sols, axis=0)
            grown = True
        if self.worked_with.shape[1] < comp:
            self.worked_with = _grown(self.worked_with, comp, axis=1)
            self.strategic = _grown(self.strategic, comp, axis=1)
            grown = True
        if self.org["type_coverage"].shape[1] < kinds:
            for name in ("type_coverage", "type_weight", "type_effect", "type_leader"):
                self.org[name] = _grown(self.org[name], kinds, axis=1)
            grown = True
        if len(self.active) < self.eng.capacity:
            self.active = _grown(self.active, self.eng.capacity, axis=0)
            grown = True
        if grown:
            self._state_stale = True

    # ------------------------------------------------------------------------------------------------
    # views for users and tests

    def stock(self, name: str) -> float:
        """A stock of companies or partnerships at the end of the last month (``state.MONEY_STATS``)."""
        return float(self._money_stats[MONEY_STATS.index(name)])

    def adopters_by_solution(self) -> np.ndarray:
        """Organisations rolling out or using each solution."""
        return self.solutions.adopters[: self.solutions.n]

    def n_target_orgs(self, sols: np.ndarray) -> np.ndarray:
        """Number of organisations each solution targets (its sector's, or all)."""
        sector = self.solutions.sector[sols].astype(np.int64)
        sizes = np.diff(self.sector_start)
        return np.where(sector == ANY_SECTOR, self.n_orgs, sizes[np.maximum(sector, 0)])

    def adoption_probability(self, e: int) -> float:
        """Probability that the organisation of engagement ``e`` adopts after its evaluation."""
        from sim.model.innovation.events import adoption_probability_of

        return float(adoption_probability_of(self.kernel_state(), e))

    def register_agents(self) -> None:
        """Register a Mesa agent for every company founded since the agents were last read."""
        if self.companies_registered < self.companies.n:
            company_steps.register_companies(self)

    def type_name(self, k: int) -> str:
        """The key of solution type ``k`` (an archetype's, or ``new_type_<k>``)."""
        return type_key(self.catalogue, k)

    # ------------------------------------------------------------------------------------------------
    # staff hooks (called by the model)

    def on_new_staff(self, idx: np.ndarray) -> None:
        """Newcomers: a few act as champions without a career track."""
        staff = self.model.staff
        rng = self.model.streams["competence"]
        staff.champion[idx] = rng.random(len(idx)) < self.param("innovation.champion_base_share")

    def on_exits(self, idx: np.ndarray) -> None:
        """Leavers: champions lost lower the organisation's champion factor at once."""
        staff = self.model.staff
        bookkeeping.lose_champions(  # compiled: champions per organisation, then the factor
            idx,
            staff.champion,
            staff.employer,
            self.model.person_weight,
            self.champions_org,
            self.headcount_org,
            self.param("innovation.champion_density_ref"),
            self.org["champion_factor"],
        )

    def refresh_org_staff_stats(self, tally: _StaffTally | None = None) -> None:
        """Mean competence and champions per organisation, from the staff arrays, or from ``tally``
        (January's pass over the staff, ``competence_step``, with the career step's champions added)."""
        staff = self.model.staff
        if tally is None:
            # one compiled pass over the staff: competence summed and champions counted per
            # organisation (free slots keep their last employer, with no champion flag)
            tally = _StaffTally.zeros(self.n_orgs)
            bookkeeping.staff_tally(
                staff.employer,
                staff.competence,
                staff.alive,
                staff.champion,
                tally.comp_sum,
                tally.champion_count,
            )
        self.champions_org = np.zeros(self.n_orgs)
        head = bookkeeping.org_staff_stats(
            staff.head_g, tally.champion_count, self.model.person_weight, self.champions_org
        )
        base = self.param("innovation.competence_base")
        self.org["competence"][:] = np.divide(
            tally.comp_sum, head, out=np.full(self.n_orgs, base), where=head > 0
        )
        self.headcount_org = head * self.model.person_weight
        bookkeeping.champion_factor(
            self.champions_org,
            self.headcount_org,
            self.param("innovation.champion_density_ref"),
            self.org["champion_factor"],
        )

    # ------------------------------------------------------------------------------------------------
    # outputs

    def leading_adoption(self, n: int = 5) -> dict[str, int]:
        """Adopters of the ``n`` most adopted solutions, labelled by type and id."""
        adopters = self.adopters_by_solution()
        order = np.argsort(-adopters, kind="stable")[:n]
        return {
            f"{self.type_name(int(self.solutions.type[s]))} #{s}": int(adopters[s])
            for s in order
            if adopters[s] > 0
        }

    def adoption_history(self) -> np.ndarray:
        """Organisations using each solution, month by month so far [months, solutions]."""
        return _padded(self._adoption_rows[: self._months_recorded], self.solutions.n, np.int32)

    def coverage_history(self) -> np.ndarray:
        """Share of the national addressable hours of each type in use, month by month [months, types]."""
        return _padded(self._coverage_rows[: self._months_recorded], self.types.n, np.float64)

    def adoption_table(self, dates: pd.DatetimeIndex) -> pd.DataFrame:
        """Monthly adopters and coverage of every solution ever adopted (long format)."""
        hist = self.adoption_history()
        ever = np.flatnonzero(hist.max(axis=0) > 0) if len(hist) else np.zeros(0, np.int64)
        n_target = self.n_target_orgs(ever) if len(ever) else np.zeros(0, np.int64)
        names = [self.type_name(int(k)) for k in self.solutions.type[ever]]
        t_n = len(hist)
        return pd.DataFrame(
            {
                "date": np.repeat(np.asarray(dates[:t_n]), len(ever)),
                "solution_id": np.tile(ever, t_n),
                "archetype": _repeated_labels(names, t_n),
                "generation": np.tile(self.solutions.generation[ever], t_n),
                "adopters": hist[:, ever].ravel(),
                "n_target_orgs": np.tile(n_target, t_n),
            },
            copy=False,  # every column is a new array
        )

    def coverage_table(self, dates: pd.DatetimeIndex) -> pd.DataFrame:
        """Monthly coverage of every solution type that has been in use (long format): the share of the
        national addressable hours of the type (in its sector) that solutions cover."""
        hist = self.coverage_history()
        ever = np.flatnonzero(hist.max(axis=0) > 0) if len(hist) else np.zeros(0, np.int64)
        t_n = len(hist)
        sector = self.types.sector[ever]
        names = [self.type_name(int(k)) for k in ever]
        return pd.DataFrame(
            {
                "date": np.repeat(np.asarray(dates[:t_n]), len(ever)),
                "archetype": _repeated_labels(names, t_n),
                "sector": _repeated_labels([SECTORS[s] if s >= 0 else "all" for s in sector], t_n),
                "origin": _repeated_labels(
                    [
                        "catalogue" if k < len(self.catalogue.archetypes) else "developed"
                        for k in ever
                    ],
                    t_n,
                ),
                "coverage": hist[:, ever].ravel(),
            },
            copy=False,  # every column is a new array
        )

    def summary(self) -> dict[str, float]:
        """Scalar innovation outcomes: time to scale, pilotitis, solutions scaled, the catalogue's growth."""
        sols = self.solutions
        n = sols.n
        hist = self.adoption_history()
        threshold = self.param("innovation.scaled_threshold_orgs")
        scaled = hist.max(axis=0) >= threshold if len(hist) else np.zeros(n, bool)
        first_scaled = (
            np.where(scaled, np.argmax(hist >= threshold, axis=0), -1)
            if len(hist)
            else np.full(n, -1)
        )
        piloted = sols.first_pilot_month[:n] >= 0
        months = first_scaled[scaled & piloted] - sols.first_pilot_month[:n][scaled & piloted]
        horizon = len(hist)
        mature = piloted & (sols.first_pilot_month[:n] <= horizon - 36)
        # spread beyond its pilot units: some organisation rolled it out organisation-wide (a frontier
        # pilot kept in a unit, however many organisations keep one, is not spread)
        eng, m = self.eng, self.eng.n
        org_wide = (eng.scope[:m] == ORGANISATION) & (eng.adopted[:m] >= 0)
        spread_beyond = np.zeros(n, bool)
        spread_beyond[eng.sol[:m][org_wide]] = True
        cov = self.coverage_history()
        in_use_types = (cov[-1] > 0).sum() if len(cov) else 0
        developed = self.types.origin[: self.types.n] == 1
        return {
            "solutions_scaled_cum": float(scaled.sum()),
            "months_pilot_to_scale_mean": float(months.mean()) if len(months) else float("nan"),
            "share_pilots_never_spread": float(1.0 - spread_beyond[mature].mean())
            if mature.any()
            else float("nan"),
            "solutions_piloted_cum": float(piloted.sum()),
            "engagements_cum": float(self.eng.n),
            "partnerships_strategic_final": float(self.partnerships.active_count(STRATEGIC)),
            "solution_types_final": float(in_use_types),
            "solution_types_developed_in_use_final": float(
                (cov[-1][developed[: cov.shape[1]]] > 0).sum() if len(cov) else 0
            ),
        }

    # ------------------------------------------------------------------------------------------------
    # the Bass check

    def _setup_frictionless(self) -> None:
        """One proven solution for every sector; nothing else happens (Bass check). The scenario's
        ``innovation.bass_p`` and ``bass_q`` replace the calibrated rates; no programme adds to them."""
        cat = self.catalogue.arrays
        self.types.add(
            sector=ANY_SECTOR,
            innovation_type=cat["innovation_type"][0],
            addressable=cat["addressable"][0],
            effect=cat["effect"][0],
            effect_sd=cat["effect_sd"][0],
            best_effect=cat["effect"][0],
            complexity=cat["complexity"][0],
            impl_hours=cat["impl_hours"][0],
            weight=1.0,
        )
        self.companies.add(kind=np.array([STARTUP]), status=0, failed_month=-1)
        self.solutions.add(
            type=0,
            company=0,
            sector=ANY_SECTOR,
            true_effect=cat["effect"][0],
            claimed_effect=cat["effect"][0],
            on_market=True,
            evidence=PROVEN,
            evidence_effect=cat["effect"][0],
            challenge_org=-1,
            first_pilot_month=0,
            complexity=cat["complexity"][0],
        )
        self.grow_tables()
        for name in LEVERS:
            self.lever_paths[name] = np.zeros_like(self.lever_paths[name])
        self.params["bass_p_year"] = self.scenario.innovation.bass_p
        self.params["bass_q_year"] = self.scenario.innovation.bass_q

    # ------------------------------------------------------------------------------------------------
    # records

    def _record_frictionless_stats(self, t: int) -> None:
        """The Bass check's one solution targets every sector: its stocks go on the 'all' row."""
        rec = self.model.recorder
        for i, name in enumerate(PIPELINE_STATS):
            rec.record_total(t, name, self._pipeline_stats[i, -1])


def _repeated_labels(labels: list[str], times: int) -> pd.api.extensions.ExtensionArray:
    """``labels`` repeated ``times`` times end to end, as a pandas string array (the dtype a column of
    Python strings gets): one Arrow array of the short list, referenced ``times`` times as the chunks of
    one chunked array (nothing is copied) where pandas keeps strings in Arrow (pandas 3), else
    repeated by index."""
    short = pd.array(labels, dtype="str")
    if getattr(short.dtype, "storage", None) != "pyarrow":
        return short.take(np.tile(np.arange(len(labels)), times))
    chunk = pa.array(labels, pa.large_string())
    return pd.array(pa.chunked_array([chunk] * times, pa.large_string()), dtype=short.dtype)


def _padded(rows: list[np.ndarray | None], width: int, dtype) -> np.ndarray:
    """[len(rows), width] matrix of ``rows``, each padded with zeros on the right (a month not recorded,
    None, is all zeros)."""
    out = np.zeros((len(rows), width), dtype)
    for t, row in enumerate(rows):
        if row is not None:
            out[t, : len(row)] = row
    return out


def _grown(table: np.ndarray, size: int, axis: int, fill=0) -> np.ndarray:
    """``table`` extended with ``fill`` along ``axis`` to ``size``."""
    shape = list(table.shape)
    shape[axis] = size
    # zeros from np.zeros: the operating system supplies zeroed pages as they are first written
    out = np.zeros(shape, table.dtype) if fill == 0 else np.full(shape, fill, table.dtype)
    out[tuple(slice(0, n) for n in table.shape)] = table
    return out


__all__ = [
    "FRICTIONLESS",
    "IN_USE",
    "LEVERS",
    "PROFESSIONS",
    "PURE_PYTHON",
    "UNCERTAINTIES",
    "InnovationLayer",
    "_grown",
]
