"""The innovation ecosystem: companies, solutions, partnerships and the pipeline, as one layer of the model.

``InnovationLayer`` owns the state (companies, solutions, engagements, partnerships, organisation budgets and
staff-derived innovation resources) and runs the pipeline each month in this order:

    budget_step -> competence_step -> career_step -> founding_step -> development_step -> ready co-developed
    pilots -> challenge_step -> partnership_step -> matching_step -> pilot_step -> evaluation_step ->
    procurement_step -> implementation_step -> spread_step -> abandonment_step -> freed hours and
    innovation work into the labour accounts

and, in step 5 of the month, ``money_step``: licences, company finance, retained savings, public cost.
With ``innovation.frictionless = true`` all of this is replaced by pure Bass diffusion of one proven solution
across every organisation (the validation check of VALIDATION.md s1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.levers import LEVERS, UNCERTAINTIES
from sim.model.demography import PROFESSIONS, SECTORS
from sim.model.innovation import companies as company_steps
from sim.model.innovation import pipeline as steps
from sim.model.innovation.companies import STARTUP, CompanyTable
from sim.model.innovation.partnerships import (
    NETWORK,
    PROJECT,
    STRATEGIC,
    STRATEGIC_RETAINER_DKK_MONTH,
    PartnershipTable,
    partnership_step,
)
from sim.model.innovation.pipeline import (
    ABANDONED,
    ACTIVE_PROJECT_STAGES,
    EVALUATION,
    FRICTIONLESS,
    IMPLEMENTATION,
    IN_USE,
    PILOT,
    PROCUREMENT,
    SPREAD_PROGRAMME_DKK_YEAR,
    Engagements,
)
from sim.model.innovation.solutions import (
    ANY_SECTOR,
    PILOTED,
    PROVEN,
    SolutionTable,
    draw_solution,
    load_catalogue,
)

COUNTERS = ("pilots_started", "evaluations", "procurements", "adoptions", "abandonments")


class InnovationLayer:
    """State and monthly steps of the innovation ecosystem (see the module docstring for the order)."""

    def __init__(self, model) -> None:
        self.model = model
        sc = model.scenario
        self.scenario = sc
        from sim.scenario import calibration_defaults

        self._params = {key: sc.param(key) for key in calibration_defaults()}
        self.param = self._params.__getitem__
        self._pilot_cost = self.param("innovation.pilot_cost_dkk")
        self._local_test = self.param("innovation.local_test_share")
        self._levers = sc.levers.model_dump()
        self._uncertainties = sc.uncertainties.model_dump()
        self.frictionless = sc.innovation.frictionless
        self.catalogue = load_catalogue()
        self.n_orgs = model.world.n
        self.org_sector = model.org_sector
        self.org_region = model.world.region.astype(np.int64)
        self.orgs_by_sector = [np.flatnonzero(self.org_sector == s) for s in range(len(SECTORS))]
        sizes = np.array([len(o) for o in self.orgs_by_sector])
        self.sector_pools = (
            sizes,
            np.concatenate([[0], np.cumsum(sizes)[:-1]]),
            np.concatenate(self.orgs_by_sector),
        )
        self.solutions = SolutionTable()
        self.companies = CompanyTable()
        self.partnerships = PartnershipTable(self.n_orgs)
        self.eng = Engagements()
        self.engaged = np.zeros((self.n_orgs, self.solutions.capacity), dtype=bool)
        self.region_contracts = np.zeros(
            (self.org_region.max() + 1, self.solutions.capacity), dtype=bool
        )
        # solutions of one archetype are substitutes: an organisation uses at most one of each
        self.uses_archetype = np.zeros((self.n_orgs, len(self.catalogue.archetypes)), dtype=bool)
        self.risk_budget_dkk = np.zeros(self.n_orgs)
        self.retained_savings_dkk = np.zeros(self.n_orgs)
        self.active_projects = np.zeros(self.n_orgs)
        self.champion_factor = np.zeros(self.n_orgs)
        self.competence_org = np.full(self.n_orgs, 0.4)
        self.counts = {name: np.zeros(len(SECTORS)) for name in COUNTERS}
        self.cost_dkk = np.zeros(len(SECTORS))
        self.startups_founded = 0
        self.startups_failed = 0
        self.adoption_history: list[np.ndarray] = []
        self.graduate_competence = (
            0.4 + 0.2 * self.lever("competence_investment") / LEVERS["competence_investment"].high
        )
        rng = model.streams["companies"]
        if self.frictionless:
            self._setup_frictionless(rng)
        else:
            company_steps.initial_companies(self, rng)
            self._grow_engaged()
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
        """Step 3 of the month: the pipeline, in order."""
        for arr in self.counts.values():
            arr[:] = 0.0
        self.cost_dkk[:] = 0.0
        self.startups_founded_month = 0
        streams = self.model.streams
        if self.frictionless:
            self._frictionless_spread(t, streams["implementation"])
        else:
            steps.budget_step(self, t)
            steps.competence_step(self, t)
            steps.career_step(self, t, streams["competence"])
            self.startups_founded_month = company_steps.founding_step(self, t, streams["companies"])
            company_steps.development_step(self, t, streams["companies"])
            self._grow_engaged()
            self._start_codeveloped_pilots(t)
            steps.challenge_step(self, t, streams["matching"])
            self._grow_engaged()
            partnership_step(self, t, streams["matching"])
            self.active_projects = np.bincount(
                self.eng.org[self.eng.in_stage(*ACTIVE_PROJECT_STAGES)], minlength=self.n_orgs
            ).astype(float)
            self.capacity = steps.innovation_capacity(self)
            steps.matching_step(self, t, streams["matching"])
            steps.pilot_step(self, t)
            steps.evaluation_step(self, t, streams["pilots"])
            steps.procurement_step(self, t, streams["procurement"])
            steps.implementation_step(self, t)
            steps.spread_step(self, t, streams["implementation"])
            steps.abandonment_step(self, t, streams["implementation"])
        gross = steps.freed_hours_step(self)
        self.model.freed_gross_fte = gross
        self.model.innovation_work_fte = (
            steps.innovation_work_step(self, gross)
            if not self.frictionless
            else np.zeros_like(gross)
        )
        self.adoption_history.append(self.adopters_by_solution().copy())
        self._record_pipeline(t)

    def money_step(self, t: int) -> None:
        """Step 5 of the month: licences, company finance, savings kept by units, public cost."""
        if self.frictionless:
            self._record_money(t, 0, 0)
            return
        eng = self.eng
        in_use = eng.in_stage(IMPLEMENTATION, IN_USE)
        if len(in_use):
            monthly = eng.price_year[in_use] / 12.0
            self.cost_dkk += np.bincount(
                self.org_sector[eng.org[in_use]], weights=monthly, minlength=len(SECTORS)
            )
            comp = self.companies
            comp.revenue_month[: comp.n] += np.bincount(
                self.solutions.company[eng.sol[in_use]], weights=monthly, minlength=comp.n
            )[: comp.n]
        # strategic retainers, the spread programme
        strategic = self.partnerships.strategic_count.astype(float) * STRATEGIC_RETAINER_DKK_MONTH
        np.add.at(self.cost_dkk, self.org_sector, strategic)
        n = self.partnerships.n
        sel = self.partnerships.active[:n] & (self.partnerships.form[:n] == STRATEGIC)
        np.add.at(
            self.companies.revenue_month,
            self.partnerships.company[:n][sel],
            STRATEGIC_RETAINER_DKK_MONTH,
        )
        self.cost_dkk += (
            SPREAD_PROGRAMME_DKK_YEAR / 12.0 * self.lever("spread_workflows") / len(SECTORS)
        )
        failed, scaled = company_steps.company_finance_step(
            self, t, self.model.streams["companies"]
        )
        self.startups_failed += failed
        # incentive_structures: units keep a share of the value of hours freed; a fifth of it is reinvested
        value = (
            self.model.freed_gross_fte.sum(axis=1)
            * self.param("innovation.cost_per_fte_dkk")
            / 12.0
        )
        self.retained_savings_dkk += 0.2 * self.lever("incentive_structures") * value
        self._record_money(t, failed, scaled)

    # ------------------------------------------------------------------------------------------------
    # events used by the steps

    def new_development(
        self,
        company: int,
        archetype: int,
        transformative: bool,
        t: int,
        rng: np.random.Generator,
        challenge_org: int = -1,
    ) -> int:
        """A company starts developing a solution; it becomes pilot-ready after its development time."""
        p = self.param
        fit = 1.2 if challenge_org >= 0 else 1.0
        optimism = (
            p("innovation.claim_optimism")
            if challenge_org < 0
            else 1.0 + 0.5 * (p("innovation.claim_optimism") - 1.0)
        )
        values = draw_solution(
            self.catalogue,
            archetype,
            transformative,
            self.uncertainty("effect_size"),
            optimism,
            rng,
            fit_bonus=fit,
        )
        months = (
            p("companies.transformative_months")
            if transformative
            else p("companies.development_months")
        )
        if challenge_org >= 0:
            months *= 0.8
        fails = transformative and rng.random() < self.catalogue.transformative_failure
        return self.solutions.add(
            company=company,
            ready_month=t + int(round(months)),
            on_market=not fails,
            challenge_org=challenge_org,
            first_pilot_month=-1,
            scaled_month=-1,
            created_month=t,
            **values,
        )

    def open_for_pilots(self) -> np.ndarray:
        """Organisations with a free project slot and budget for at least a local test [O]."""
        return (self.active_projects < self.capacity) & (
            self.risk_budget_dkk >= 0.5 * self._local_test * self._pilot_cost
        )

    def can_start_project(self, org: int) -> bool:
        return self.active_projects[org] < self.capacity[org]

    def try_start_pilot(
        self, org: int, sol: int, via: int, t: int, committed: bool = False
    ) -> bool:
        """Start a pilot if the organisation has a free project slot and the risk budget (unless committed)."""
        if self.engaged[org, sol] or self.uses_archetype[org, self.solutions.archetype[sol]]:
            return False
        p = self.param
        if not committed and (
            not self.can_start_project(org)
            or self.risk_budget_dkk[org] < 0.5 * self._local_test * self._pilot_cost
        ):
            return False
        company = int(self.solutions.company[sol])
        # a later adopter of a proven solution runs a shorter, cheaper local test
        local = self._local_test if self.solutions.evidence[sol] >= PROVEN else 1.0
        cost = (
            self._pilot_cost
            * local
            * (0.5 if self.partnerships.has_strategic(org, company) else 1.0)
        )
        if not committed and self.risk_budget_dkk[org] < cost:
            return False
        self.risk_budget_dkk[org] -= cost
        self.spend(org, cost)
        months = p("innovation.pilot_months") * (1.0 - 0.4 * self.lever("test_access")) * local
        self._add_engagement(org, sol, PILOT, months, via, t)
        self.partnerships.add(org, company, PROJECT, t, t + int(months + self.evaluation_months()))
        self.companies.traction[company] = True
        self.companies.revenue_month[company] += 0.5 * cost  # companies are paid part of a pilot
        sols = self.solutions
        sols.evidence[sol] = max(sols.evidence[sol], PILOTED)
        if sols.first_pilot_month[sol] < 0:
            sols.first_pilot_month[sol] = t
        self.count("pilots_started", np.array([org]))
        self.active_projects[org] += 1
        return True

    def try_start_without_pilot(self, org: int, sol: int, t: int, rng: np.random.Generator) -> bool:
        """Take up a proven solution on others' evidence (lever ``common_evaluation``): straight to procurement."""
        if (
            self.engaged[org, sol]
            or not self.can_start_project(org)
            or self.uses_archetype[org, self.solutions.archetype[sol]]
        ):
            return False
        e = self._add_engagement(org, sol, PROCUREMENT, 0, steps.SPREAD, t)
        self.eng.est_effect[e] = self.solutions.true_effect[sol]  # the shared evaluation's estimate
        self.active_projects[org] += 1
        self.enter_procurement(e, t, rng)
        return True

    def enter_procurement(self, e: int, t: int, rng: np.random.Generator) -> None:
        """Set the procurement route, duration and outcome (lever ``procurement_flexibility``).

        Routes: call-off on a framework agreement another organisation of the region already holds (reuse
        grows with flexibility); an innovation partnership for a co-developed solution with a committed
        buyer (allowed with probability = flexibility); an EU tender above the threshold (about 1.64 mDKK,
        FACTS s6), shortened by flexibility; a simpler procurement below it. Transaction costs 1.4% of
        contract value (FACTS s6).
        """
        p, eng, sols = self.param, self.eng, self.solutions
        org, sol = int(eng.org[e]), int(eng.sol[e])
        flex = self.lever("procurement_flexibility")
        price = float(self.yearly_price_dkk(np.array([org]), np.array([sol]))[0])
        eng.price_year[e] = price
        contract = price * p("innovation.contract_years")
        region_has_contract = self._region_holds_contract(org, sol)
        if region_has_contract and rng.random() < 0.2 + 0.7 * flex:
            months, success, cost_share = p("innovation.framework_months"), 0.98, 0.002
        elif sols.challenge_org[sol] == org and rng.random() < flex:
            months, success, cost_share = p("innovation.framework_months") + 1, 0.95, 0.005
        elif contract >= p("innovation.eu_threshold_dkk"):
            months = p("innovation.tender_months_eu") * (1.0 - 0.4 * flex)
            success = p("innovation.tender_success") + 0.2 * flex * (
                1 - p("innovation.tender_success")
            )
            cost_share = p("innovation.transaction_cost_share")
        else:
            months = p("innovation.tender_months_below") * (1.0 - 0.3 * flex)
            success, cost_share = 0.9, 0.005
        eng.stage[e] = PROCUREMENT
        eng.timer[e] = max(months, 1.0)
        if rng.random() >= success:
            eng.est_effect[e] = -1.0  # this tender will be lost (see procurement_step)
        self.spend(org, cost_share * contract)

    def start_implementation(self, e: int, t: int) -> None:
        """Implementation: ramp-up time from complexity, competence, champions, and the spread workflow for
        the 2nd..nth adopter (lever ``spread_workflows``); training hours spread over the ramp-up."""
        p, eng, sols = self.param, self.eng, self.solutions
        org, sol = int(eng.org[e]), int(eng.sol[e])
        later_adopter = sols.evidence[sol] >= PROVEN
        spread = self.lever("spread_workflows") if later_adopter else 0.0
        competence = self.competence_org[org]
        months = (
            p("innovation.implementation_months")
            * (1.0 + 0.15 * sols.complexity_score(sol))
            * (1.3 - 0.6 * competence)
            / (1.0 + 0.3 * min(self.champion_factor[org], 2.0))
            * (1.0 - 0.4 * spread)
        )
        months = max(months, 1.0)
        if self.uses_archetype[org, sols.archetype[sol]]:  # a substitute got there first
            eng.stage[e] = steps.TENDER_LOST
            return
        eng.stage[e] = IMPLEMENTATION
        self.uses_archetype[org, sols.archetype[sol]] = True
        self.region_contracts[self.org_region[org], sol] = True
        eng.ramp[e] = 0.0
        eng.ramp_step[e] = 1.0 / months
        eng.effect[e] = min(sols.true_effect[sol] * (0.55 + 0.45 * competence), 0.95)
        trained = self._trained_staff(org, sol)
        hours = sols.impl_hours[sol] * trained * (1.0 - 0.3 * spread)
        eng.training_fte[e] = hours / months * 12.0 / self.model.hours_per_fte

    def evaluation_months(self) -> float:
        """Evaluation time (lever ``common_evaluation``: a common paradigm halves it at 1)."""
        return max(
            self.param("innovation.evaluation_months")
            * (1.0 - 0.5 * self.lever("common_evaluation")),
            1.0,
        )

    def spend(self, org: int, dkk: float) -> None:
        """Book public spending of an organisation this month."""
        self.cost_dkk[self.org_sector[org]] += dkk

    def count(self, name: str, orgs: np.ndarray) -> None:
        """Count events of this month by the organisations' sectors."""
        np.add.at(self.counts[name], self.org_sector[np.asarray(orgs, dtype=np.int64)], 1.0)

    def yearly_value_dkk(self, org: np.ndarray, sol: np.ndarray, effect: np.ndarray) -> np.ndarray:
        """Yearly value of the hours a solution would save at an organisation, at ``effect``."""
        demand = self.model.demand_fte[org]  # [n, P]
        addressable_fte = (self.solutions.addressable[sol] * demand).sum(axis=1)
        return effect * addressable_fte * self.param("innovation.cost_per_fte_dkk")

    def yearly_price_dkk(self, org: np.ndarray, sol: np.ndarray) -> np.ndarray:
        """The company's yearly price: a share of the value it claims."""
        claimed = self.solutions.claimed_effect[sol]
        return self.param("innovation.price_share_of_value") * self.yearly_value_dkk(
            org, sol, claimed
        )

    def implementation_cost_dkk_year(self, org: np.ndarray, sol: np.ndarray) -> np.ndarray:
        """Training hours of an implementation, valued and spread over the contract."""
        hours = self.solutions.impl_hours[sol] * self._trained_staff(org, sol)
        return (
            hours
            / self.model.hours_per_fte
            * self.param("innovation.cost_per_fte_dkk")
            / self.param("innovation.contract_years")
        )

    def adopters_by_solution(self) -> np.ndarray:
        """Organisations using each solution (implementation or in use)."""
        idx = self.eng.in_stage(IMPLEMENTATION, IN_USE)
        return np.bincount(self.eng.sol[idx], minlength=self.solutions.n)

    def target_mask(self, sols: np.ndarray) -> np.ndarray:
        """[S', O]: organisations a solution targets (its sector, or all)."""
        sector = self.solutions.sector[sols]
        return (sector[:, None] == ANY_SECTOR) | (sector[:, None] == self.org_sector[None, :])

    def n_target_orgs(self, sols: np.ndarray) -> np.ndarray:
        return self.target_mask(sols).sum(axis=1)

    def companies_worked_with(self, org: int) -> np.ndarray:
        """Alive companies whose solutions this organisation has piloted or uses."""
        n = self.eng.n
        sols = self.eng.sol[:n][self.eng.org[:n] == org]
        comps = np.unique(self.solutions.company[sols])
        return comps[self.companies.status[comps] != 1]

    def on_companies_failed(self, failed: np.ndarray) -> None:
        """Failed companies: their solutions leave the market, their partnerships end."""
        sols = self.solutions
        sols.on_market[: sols.n][np.isin(sols.company[: sols.n], failed)] = False
        self.partnerships.end_for_companies(failed)

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
        alive = staff.alive
        employer = staff.employer
        head = np.bincount(employer[alive], minlength=self.n_orgs)
        comp = np.bincount(employer[alive], weights=staff.competence[alive], minlength=self.n_orgs)
        self.competence_org = np.divide(comp, head, out=np.full(self.n_orgs, 0.4), where=head > 0)
        self.headcount_org = head * self.model.person_weight
        self.champions_org = (
            np.bincount(employer[alive & staff.champion], minlength=self.n_orgs)
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
        self.champion_factor = density / 0.01  # 1 at 1% champions (assumption)

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

    def adoption_table(self, dates: pd.DatetimeIndex) -> pd.DataFrame:
        """Monthly adopters of every solution ever adopted (long format)."""
        n_sol = self.solutions.n
        hist = np.zeros((len(self.adoption_history), n_sol), dtype=np.int64)
        for t, row in enumerate(self.adoption_history):
            hist[t, : len(row)] = row
        ever = np.flatnonzero(hist.max(axis=0) > 0) if len(hist) else np.zeros(0, np.int64)
        n_target = self.n_target_orgs(ever) if len(ever) else np.zeros(0, np.int64)
        names = [self.catalogue.archetypes[a].key for a in self.solutions.archetype[ever]]
        t_n = len(self.adoption_history)
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
        hist = np.zeros((len(self.adoption_history), n), dtype=np.int64)
        for t, row in enumerate(self.adoption_history):
            hist[t, : len(row)] = row
        threshold = self.param("innovation.scaled_threshold_orgs")
        scaled = hist.max(axis=0) >= threshold if len(hist) else np.zeros(n, bool)
        first_scaled = (
            np.where(scaled, np.argmax(hist >= threshold, axis=0), -1)
            if len(hist)
            else np.full(n, -1)
        )
        piloted = sols.first_pilot_month[:n] >= 0
        months = first_scaled[scaled & piloted] - sols.first_pilot_month[:n][scaled & piloted]
        horizon = len(self.adoption_history)
        mature = piloted & (sols.first_pilot_month[:n] <= horizon - 36)
        spread_beyond = hist.max(axis=0) >= 2 if len(hist) else np.zeros(n, bool)
        n_pilots = float(sum(1 for _ in ())) if False else float(self.eng.n)
        return {
            "solutions_scaled_cum": float(scaled.sum()),
            "months_pilot_to_scale_mean": float(months.mean()) if len(months) else float("nan"),
            "share_pilots_never_spread": float(1.0 - spread_beyond[mature].mean())
            if mature.any()
            else float("nan"),
            "solutions_piloted_cum": float(piloted.sum()),
            "engagements_cum": n_pilots,
            "partnerships_strategic_final": float(self.partnerships.active_count(STRATEGIC)),
        }

    # ------------------------------------------------------------------------------------------------
    # internals

    def _add_engagement(
        self, org: int, sol: int, stage: int, months: float, via: int, t: int
    ) -> int:
        self.engaged[org, sol] = True
        return self.eng.add(org=org, sol=sol, stage=stage, timer=months, started=t, via=via)

    def _grow_engaged(self) -> None:
        need = self.solutions.capacity
        if self.engaged.shape[1] < need:
            grown = np.zeros((self.n_orgs, need), dtype=bool)
            grown[:, : self.engaged.shape[1]] = self.engaged
            self.engaged = grown
            contracts = np.zeros((self.org_region.max() + 1, need), dtype=bool)
            contracts[:, : self.region_contracts.shape[1]] = self.region_contracts
            self.region_contracts = contracts

    def _start_codeveloped_pilots(self, t: int) -> None:
        """Co-developed solutions that became ready start their pilot at the challenging organisation."""
        sols = self.solutions
        n = sols.n
        ready = np.flatnonzero(
            (sols.ready_month[:n] == t) & (sols.challenge_org[:n] >= 0) & sols.on_market[:n]
        )
        for sol in ready:
            self.try_start_pilot(
                int(sols.challenge_org[sol]), int(sol), steps.CHALLENGE, t, committed=True
            )

    def _region_holds_contract(self, org: int, sol: int) -> bool:
        """Has another organisation of the region procured this solution (a framework to call off)?"""
        return bool(self.region_contracts[self.org_region[org], sol])

    def _trained_staff(self, org, sol):
        """Staff trained for an implementation: a share of the target professions' headcount
        (scalar or vectorised over pairs of organisation and solution)."""
        target = self.solutions.addressable[sol] > 0
        supply = self.model.accounts.supply_fte_org[org]
        share = self.param("innovation.implementation_share_of_staff") / 0.85  # FTE -> persons
        return (supply * target).sum(axis=-1) * share

    def _setup_frictionless(self, rng: np.random.Generator) -> None:
        """One proven solution offered to every organisation; nothing else happens (Bass check)."""
        values = draw_solution(self.catalogue, 0, False, 1.0, 1.0, rng)
        values["sector"] = ANY_SECTOR
        self.solutions.add(
            company=0,
            ready_month=0,
            on_market=True,
            challenge_org=-1,
            first_pilot_month=0,
            scaled_month=-1,
            created_month=0,
            **values,
        )
        self.solutions.evidence[0] = PROVEN
        self.companies.add(STARTUP, 0.0, 0.0, 0)
        self._grow_engaged()

    def _frictionless_spread(self, t: int, rng: np.random.Generator) -> None:
        """Bass diffusion with the scenario's p and q per year, monthly hazard rule, no frictions."""
        adopted = self.engaged[:, 0]
        new = bass_step(
            adopted,
            self.scenario.innovation.bass_p,
            self.scenario.innovation.bass_q,
            1.0 / 12.0,
            rng,
        )
        for org in np.flatnonzero(new):
            e = self._add_engagement(int(org), 0, IN_USE, 0, FRICTIONLESS, t)
            self.eng.ramp[e] = 1.0
            self.eng.effect[e] = self.solutions.true_effect[0]
            self.eng.adopted[e] = t
        self.count("adoptions", np.flatnonzero(new))

    def _record_pipeline(self, t: int) -> None:
        rec = self.model.recorder
        for name, arr in self.counts.items():
            rec.record_flow(t, name, arr.copy())
        eng = self.eng
        pilots = eng.in_stage(PILOT)
        rec.record_flow(
            t,
            "pilots_active",
            np.bincount(self.org_sector[eng.org[pilots]], minlength=len(SECTORS)),
        )
        adopters = self.adoption_history[-1]
        threshold = self.param("innovation.scaled_threshold_orgs")
        sector = self.solutions.sector[: len(adopters)].astype(np.int64)
        in_any = (
            sector >= 0
        )  # solutions for any sector (the Bass check) are counted on the 'all' row
        n_sec = len(SECTORS)
        in_use = np.bincount(sector[in_any & (adopters > 0)], minlength=n_sec)[:n_sec]
        scaled = np.bincount(sector[in_any & (adopters >= threshold)], minlength=n_sec)[:n_sec]
        rec.record_flow(t, "solutions_in_use", in_use.astype(float))
        rec.record_flow(t, "solutions_scaled", scaled.astype(float))
        if self.frictionless:  # the one solution targets every sector
            rec.record_total(t, "solutions_in_use", float((adopters > 0).sum()))
            rec.record_total(t, "solutions_scaled", float((adopters >= threshold).sum()))

    def _record_money(self, t: int, failed: int, scaled: int) -> None:
        rec = self.model.recorder
        rec.record_flow(t, "public_cost_dkk", self.cost_dkk.copy())
        rec.record_total(t, "startups_founded", float(self.startups_founded_month))
        rec.record_total(t, "startups_failed", float(failed))
        comp = self.companies
        n = comp.n
        rec.record_total(t, "startups_alive", float(comp.startups_alive()))
        rec.record_total(
            t, "startups_scaled", float(((comp.status[:n] == 2) & comp.was_startup[:n]).sum())
        )
        rec.record_total(t, "companies_alive", float(comp.alive.sum()))
        rec.record_total(t, "partnerships_active", float(self.partnerships.active_count()))


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
    "PROCUREMENT",
]
