"""The innovation ecosystem: companies, solutions, partnerships and the pipeline, as one layer of the model.

``InnovationLayer`` owns the state (companies, solutions, engagements, partnerships, organisation budgets and
staff-derived innovation resources; ``sim.model.innovation.state``) and runs each month, in this order:

    budget_step -> competence_step -> career_step (each January) -> founding_step -> pipeline_month:
    development_step -> co-developed pilots -> challenge_step -> partnership_step -> innovation_capacity ->
    matching_step -> pilot_step -> evaluation_step -> procurement_step -> implementation_step ->
    spread_step -> abandonment_step -> freed_hours_step -> innovation_work_step

and, in step 5 of the month, ``money_month``: licences, retainers, the spread programme, company finance;
then the savings units keep. ``pipeline_month`` and ``money_month`` (``sim.model.innovation.pipeline``) are
compiled with numba, as are the steps they call; founding (new ``Company`` agents) and the yearly steps over
staff run in Python and numpy. With ``innovation.frictionless = true`` all of this is replaced by pure Bass
diffusion of one proven solution across every organisation (the validation check of VALIDATION.md s1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.levers import LEVERS, UNCERTAINTIES
from sim.model.demography import PROFESSIONS, SECTORS
from sim.model.innovation import companies as company_steps
from sim.model.innovation import pipeline as steps
from sim.model.innovation.partnerships import NETWORK, STRATEGIC
from sim.model.innovation.solutions import load_catalogue
from sim.model.innovation.state import (
    ABANDONED,
    ANY_SECTOR,
    C_ADOPTIONS,
    COUNTERS,
    EVALUATION,
    FRICTIONLESS,
    IN_USE,
    KERNEL_STREAMS,
    MONEY_STATS,
    PILOT,
    PROCUREMENT,
    PROVEN,
    STARTUP,
    CompanyTable,
    Engagements,
    PartnershipTable,
    SolutionTable,
    kernel_struct,
    make_params,
    orgs_struct,
)

# the counters of the month, then the pipeline's stocks (``pipeline.pipeline_stats_step``)
PIPELINE_FLOWS = COUNTERS + ("pilots_active", "solutions_in_use", "solutions_scaled")


class InnovationLayer:
    """State and monthly steps of the innovation ecosystem (see the module docstring for the order)."""

    def __init__(self, model) -> None:
        self.model = model
        sc = model.scenario
        self.scenario = sc
        from sim.scenario import calibration_defaults

        self._params = {key: sc.param(key) for key in calibration_defaults()}
        self.param = self._params.__getitem__
        self._levers = sc.levers.model_dump()
        self._uncertainties = sc.uncertainties.model_dump()
        self.frictionless = sc.innovation.frictionless
        self.catalogue = load_catalogue()
        self.params = make_params(sc, model.hours_per_fte, self.catalogue)
        self.n_orgs = model.world.n
        self.org_sector = model.org_sector.astype(np.int64)
        self.org_region = model.world.region.astype(np.int64)
        order = np.argsort(self.org_sector, kind="stable")
        sizes = np.bincount(self.org_sector, minlength=len(SECTORS))
        self.sector_orgs = order.astype(np.int64)
        self.sector_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.solutions = SolutionTable()
        self.companies = CompanyTable()
        self.partnerships = PartnershipTable()
        self.eng = Engagements()
        n_regions = int(self.org_region.max()) + 1
        # [S, O]: has the organisation ever engaged with the solution; [S, regions]: a contract to call off
        self.engaged = np.zeros((self.solutions.capacity, self.n_orgs), dtype=bool)
        self.region_contracts = np.zeros((self.solutions.capacity, n_regions), dtype=bool)
        # [O, C]: has the organisation worked with the company; is it a strategic partner
        self.worked_with = np.zeros((self.n_orgs, self.companies.capacity), dtype=bool)
        self.strategic = np.zeros((self.n_orgs, self.companies.capacity), dtype=bool)
        # solutions of one archetype are substitutes: an organisation uses at most one of each
        self.uses_archetype = np.zeros((self.n_orgs, len(self.catalogue.archetypes)), dtype=bool)
        self.strategic_count = np.zeros(self.n_orgs, np.int64)
        self.risk_budget_dkk = np.zeros(self.n_orgs)
        self.retained_savings_dkk = np.zeros(self.n_orgs)
        self.active_projects = np.zeros(self.n_orgs)
        self.capacity = np.zeros(self.n_orgs)
        self.champion_factor = np.zeros(self.n_orgs)
        self.competence_org = np.full(self.n_orgs, 0.4)
        self.counts = np.zeros((len(COUNTERS), len(SECTORS)))
        self.cost_dkk = np.zeros(len(SECTORS))
        self.startups_founded = 0
        self.startups_failed = 0
        self.startups_founded_month = 0
        # organisations using each solution, month by month [months, solutions] (columns grow)
        self._adoption = np.zeros((model.n_months, self.solutions.capacity), np.int64)
        self._months_recorded = 0
        self.graduate_competence = (
            0.4 + 0.2 * self.lever("competence_investment") / LEVERS["competence_investment"].high
        )
        shape = (self.n_orgs, len(PROFESSIONS))
        self._supply, self._demand, self._strain = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        self._freed, self._work = np.zeros(shape), np.zeros(shape)
        self._pipeline_stats = np.zeros((3, len(SECTORS) + 1))
        self._money_stats = np.zeros(len(MONEY_STATS))
        self._orgs = orgs_struct(
            self.org_sector,
            self.org_region,
            self.sector_orgs,
            self.sector_start,
            self.risk_budget_dkk,
            self.active_projects,
            self.capacity,
            self.champion_factor,
            self.competence_org,
            self.strategic_count,
            self.uses_archetype,
        )
        self._state, self._state_parts = None, ()
        rng = model.streams["companies"]
        if self.frictionless:
            self._setup_frictionless(rng)
        else:
            company_steps.initial_companies(self, rng)
        self.refresh_org_staff_stats()

    # ------------------------------------------------------------------------------------------------
    # inputs

    def lever(self, name: str) -> float:
        """The scenario's value of a lever."""
        return float(self._levers[name])

    def uncertainty(self, name: str) -> float:
        """The scenario's value of an uncertainty."""
        return float(self._uncertainties[name])

    # ------------------------------------------------------------------------------------------------
    # the month

    def pipeline_step(self, t: int) -> None:
        """Step 3 of the month: the pipeline, in order (see the module docstring)."""
        self.counts[:] = 0.0
        self.cost_dkk[:] = 0.0
        self.startups_founded_month = 0
        streams = self.model.streams
        if self.frictionless:
            self._frictionless_spread(t, streams["implementation"])
            st = self.kernel_state()
            steps.freed_hours_step(self.params[0], st)
            steps.pipeline_stats_step(self.params[0], st)
            gross, work = self._freed.copy(), np.zeros_like(self._freed)
        else:
            steps.budget_step(self, t)
            steps.competence_step(self, t)
            steps.career_step(self, t, streams["competence"])
            if t % 12 == 0:
                self.refresh_org_staff_stats()  # competence and champions, after both steps
            self.startups_founded_month = company_steps.founding_step(self, t, streams["companies"])
            self.reserve_rows(t)
            steps.pipeline_month(t, self.kernel_state(inputs=False))
            gross, work = self._freed.copy(), self._work.copy()
        self.model.freed_gross_fte = gross
        self.model.innovation_work_fte = work
        if self._adoption.shape[1] < self.solutions.capacity:
            self._adoption = _grown(self._adoption, self.solutions.capacity, axis=1)
        self._adoption[t, : self.solutions.n] = self.solutions.adopters[: self.solutions.n]
        self._months_recorded = t + 1
        self._record_pipeline(t)

    def money_step(self, t: int) -> None:
        """Step 5 of the month: licences, company finance, savings kept by units, public cost."""
        if self.frictionless:
            steps.money_stats_step(self.kernel_state(inputs=False))
            self._record_money(t, 0, 0)
            return
        failed, scaled = steps.money_month(t, self.kernel_state(inputs=False))
        self.startups_failed += failed
        # incentive_structures: units keep a share of the value of hours freed; a fifth of it is reinvested
        value = (
            self.model.freed_gross_fte.sum(axis=1)
            * self.param("innovation.cost_per_fte_dkk")
            / 12.0
        )
        self.retained_savings_dkk += 0.2 * self.lever("incentive_structures") * value
        self._record_money(t, failed, scaled)

    def reserve_rows(self, t: int) -> None:
        """Room for everything month ``t`` can add (``pipeline.rows_needed``), before the compiled month
        runs: it cannot grow tables."""
        engagements, partnerships, solutions = steps.rows_needed(t, self.kernel_state())
        self.eng.reserve(engagements)
        self.partnerships.reserve(partnerships)
        if self.solutions.reserve(solutions):
            self.grow_tables()

    def kernel_state(self, inputs: bool = True):
        """The state as the compiled steps see it, with this month's supply, demand and strain (copied in
        unless ``inputs`` is false). The struct holds the tables' current arrays; it is rebuilt only after
        a table has grown."""
        if inputs:
            accounts = self.model.accounts
            np.copyto(self._supply, accounts.supply_fte_org)
            np.copyto(self._demand, self.model.demand_fte)
            np.copyto(self._strain, accounts.strain_org)
        views = (
            self.eng.view(),
            self.solutions.view(),
            self.companies.view(),
            self.partnerships.view(),
        )
        # by identity of the objects themselves, held here (ids of freed arrays get reused)
        parts = (*views, self.engaged, self.region_contracts, self.worked_with, self.strategic)
        if len(parts) != len(self._state_parts) or any(
            a is not b for a, b in zip(parts, self._state_parts, strict=False)
        ):
            cat = self.catalogue.arrays
            self._state = kernel_struct(
                *views,
                self._orgs,
                self.engaged,
                self.region_contracts,
                self.worked_with,
                self.strategic,
                self._supply,
                self._demand,
                self._strain,
                self.catalogue.cumulative_weights,
                cat["effect"],
                cat["effect_sd"],
                cat["sector"],
                cat["impl_hours"],
                cat["innovation_type"],
                cat["addressable"],
                cat["complexity"],
                self.counts,
                self.cost_dkk,
                self._freed,
                self._work,
                self._pipeline_stats,
                self._money_stats,
                self.params,
                *(self.model.streams[name] for name in KERNEL_STREAMS),
            )
            self._state_parts = parts
        return self._state

    def grow_tables(self) -> None:
        """Grow the organisation x solution and organisation x company tables with their owners."""
        sols, comp = self.solutions.capacity, self.companies.capacity
        if self.engaged.shape[0] < sols:
            self.engaged = _grown(self.engaged, sols, axis=0)
            self.region_contracts = _grown(self.region_contracts, sols, axis=0)
        if self.worked_with.shape[1] < comp:
            self.worked_with = _grown(self.worked_with, comp, axis=1)
            self.strategic = _grown(self.strategic, comp, axis=1)

    # ------------------------------------------------------------------------------------------------
    # views for users and tests

    def stock(self, name: str) -> float:
        """A stock of companies or partnerships at the end of the last month (``state.MONEY_STATS``)."""
        return float(self._money_stats[MONEY_STATS.index(name)])

    def adopters_by_solution(self) -> np.ndarray:
        """Organisations using each solution (implementation or in use)."""
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
        lost = idx[staff.champion[idx]]
        if len(lost):
            per_org = (
                np.bincount(staff.employer[lost], minlength=self.n_orgs) * self.model.person_weight
            )
            self.champions_org = np.maximum(self.champions_org - per_org, 0.0)
            self._update_champion_factor()

    def refresh_org_staff_stats(self) -> None:
        """Mean competence and champions per organisation, from the staff arrays."""
        staff = self.model.staff
        employer = staff.employer  # free slots keep their last employer, with no champion flag
        head = staff.head_g.reshape(self.n_orgs, -1).sum(axis=1)
        comp = np.bincount(employer, weights=staff.competence * staff.alive, minlength=self.n_orgs)
        self.competence_org[:] = np.divide(
            comp, head, out=np.full(self.n_orgs, 0.4), where=head > 0
        )
        self.headcount_org = head * self.model.person_weight
        self.champions_org = (
            np.bincount(employer, weights=staff.champion, minlength=self.n_orgs)
            * self.model.person_weight
        )
        self._update_champion_factor()

    def _update_champion_factor(self) -> None:
        density = np.divide(
            self.champions_org,
            self.headcount_org,
            out=np.zeros(self.n_orgs),
            where=self.headcount_org > 0,
        )
        self.champion_factor[:] = density / 0.01  # 1 at 1% champions (assumption)

    # ------------------------------------------------------------------------------------------------
    # outputs

    def leading_adoption(self, n: int = 5) -> dict[str, int]:
        """Adopters of the ``n`` most adopted solutions, labelled by archetype and id."""
        adopters = self.adopters_by_solution()
        order = np.argsort(-adopters, kind="stable")[:n]
        return {
            f"{self.catalogue.archetypes[self.solutions.archetype[s]].label} #{s}": int(adopters[s])
            for s in order
            if adopters[s] > 0
        }

    def adoption_history(self) -> np.ndarray:
        """Organisations using each solution, month by month so far [months, solutions]."""
        return self._adoption[: self._months_recorded, : self.solutions.n]

    def adoption_table(self, dates: pd.DatetimeIndex) -> pd.DataFrame:
        """Monthly adopters of every solution ever adopted (long format)."""
        hist = self.adoption_history()
        ever = np.flatnonzero(hist.max(axis=0) > 0) if len(hist) else np.zeros(0, np.int64)
        n_target = self.n_target_orgs(ever) if len(ever) else np.zeros(0, np.int64)
        names = [self.catalogue.archetypes[a].key for a in self.solutions.archetype[ever]]
        t_n = len(hist)
        return pd.DataFrame(
            {
                "date": np.repeat(np.asarray(dates[:t_n]), len(ever)),
                "solution_id": np.tile(ever, t_n),
                "archetype": np.tile(np.array(names, dtype=object), t_n),
                "adopters": hist[:, ever].ravel(),
                "n_target_orgs": np.tile(n_target, t_n),
            }
        )

    def summary(self) -> dict[str, float]:
        """Scalar innovation outcomes: time to scale, pilotitis, solutions scaled."""
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
        spread_beyond = hist.max(axis=0) >= 2 if len(hist) else np.zeros(n, bool)
        return {
            "solutions_scaled_cum": float(scaled.sum()),
            "months_pilot_to_scale_mean": float(months.mean()) if len(months) else float("nan"),
            "share_pilots_never_spread": float(1.0 - spread_beyond[mature].mean())
            if mature.any()
            else float("nan"),
            "solutions_piloted_cum": float(piloted.sum()),
            "engagements_cum": float(self.eng.n),
            "partnerships_strategic_final": float(self.partnerships.active_count(STRATEGIC)),
        }

    # ------------------------------------------------------------------------------------------------
    # the Bass check

    def _setup_frictionless(self, rng: np.random.Generator) -> None:
        """One proven solution offered to every organisation; nothing else happens (Bass check)."""
        cat = self.catalogue.arrays
        true_effect, claimed, complexity = self.catalogue.draw(0, rng)
        self.solutions.add(
            archetype=np.zeros(1, np.int64),
            company=0,
            sector=ANY_SECTOR,
            true_effect=true_effect,
            claimed_effect=claimed,
            on_market=True,
            evidence=PROVEN,
            challenge_org=-1,
            first_pilot_month=0,
            impl_hours=cat["impl_hours"][0],
            innovation_type=cat["innovation_type"][0],
            addressable=cat["addressable"][0],
            complexity=complexity,
        )
        self.companies.add(kind=np.array([STARTUP]), status=0, failed_month=-1)

    def _frictionless_spread(self, t: int, rng: np.random.Generator) -> None:
        """Bass diffusion with the scenario's p and q per year, monthly hazard rule, no frictions."""
        adopted = self.engaged[0]
        new = np.flatnonzero(
            bass_step(
                adopted,
                self.scenario.innovation.bass_p,
                self.scenario.innovation.bass_q,
                1.0 / 12.0,
                rng,
            )
        )
        self.engaged[0, new] = True
        self.eng.add(
            org=new,
            sol=0,
            stage=IN_USE,
            via=FRICTIONLESS,
            started=t,
            adopted=t,
            ramp=1.0,
            effect=self.solutions.true_effect[0],
        )
        self.solutions.adopters[0] += len(new)
        self.counts[C_ADOPTIONS] += np.bincount(self.org_sector[new], minlength=len(SECTORS))

    # ------------------------------------------------------------------------------------------------
    # records

    def _record_pipeline(self, t: int) -> None:
        """The month's events and pipeline stocks, by sector."""
        rec = self.model.recorder
        stats = self._pipeline_stats
        rec.record_flows(t, PIPELINE_FLOWS, np.concatenate([self.counts, stats[:, :-1]]).T)
        if self.frictionless:  # the one solution targets every sector: counted on the 'all' row
            rec.record_total(t, "solutions_in_use", stats[1, -1])
            rec.record_total(t, "solutions_scaled", stats[2, -1])

    def _record_money(self, t: int, failed: int, scaled: int) -> None:
        rec = self.model.recorder
        rec.record_flow(t, "public_cost_dkk", self.cost_dkk.copy())
        rec.record_total(t, "startups_founded", float(self.startups_founded_month))
        rec.record_total(t, "startups_failed", float(failed))
        stats = self._money_stats
        for name in ("startups_alive", "startups_scaled", "companies_alive", "partnerships_active"):
            rec.record_total(t, name, float(stats[MONEY_STATS.index(name)]))


def _grown(table: np.ndarray, size: int, axis: int) -> np.ndarray:
    """``table`` padded with False along ``axis`` to ``size``."""
    pad = [(0, 0)] * table.ndim
    pad[axis] = (0, size - table.shape[axis])
    return np.pad(table, pad)


def bass_step(
    adopted: np.ndarray, p: float, q: float, dt: float, rng: np.random.Generator
) -> np.ndarray:
    """One step of Bass diffusion on individual adopters (the hazard rule of VALIDATION.md s1).

    Each non-adopter adopts with probability ``1 - exp(-(p + q A/N) dt)``; returns the new adopters' mask.

    Args:
        adopted: who has adopted so far [N] (bool).
        p, q: external and imitation rates per unit of time; dt: the step in the same unit.
    """
    n = len(adopted)
    share = adopted.sum() / max(n, 1)
    prob = 1.0 - np.exp(-(p + q * share) * dt)
    return ~adopted & (rng.random(n) < prob)


__all__ = [
    "InnovationLayer",
    "bass_step",
    "LEVERS",
    "UNCERTAINTIES",
    "PROFESSIONS",
    "NETWORK",
    "ABANDONED",
    "EVALUATION",
    "PILOT",
    "PROCUREMENT",
    "STRATEGIC",
]
