"""HealthSystemModel: the Mesa model and the order of a simulated month, in one place.

Each month (MODEL.md section 3), in this order:

1. ``demography_and_demand_step``  population by age band and each organisation's demand in hours
2. ``workforce_flows_step``        strain felt, retirements and quits, moves, changes of hours, graduates,
                                   hiring from outside
3. ``innovation_pipeline_step``    companies, matching, pilots, evaluation, procurement, implementation,
                                   spread, abandonment (``sim.model.innovation``)
4. ``labour_accounting_step``      supply, freed hours, gap and strain (feeds step 2 next month)
5. ``money_and_incentives_step``   budgets, retained savings, company cash, start-up failure and growth
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.levers import LEVERS
from sim.model import kernels
from sim.model.accounting import LabourAccounts, Recorder
from sim.model.demography import (
    PROFESSIONS,
    SECTORS,
    Demography,
    demand_hours_path,
    demand_profiles,
)
from sim.model.organisations import HOSPITAL, build_world
from sim.model.staff import (
    N_PROF,
    ProfessionProfile,
    destination_weights,
    entry_step,
    exit_step,
    felt_strain_step,
    hiring_weights,
    initial_staff,
    monthly,
    move_step,
    part_time_step,
    stochastic_round,
)
from sim.rng import RandomStreams
from sim.scenario import Scenario, load_scenario

GRADUATION_MONTH = 9  # September: yearly cohorts enter
# staff flows counted per sector and profession each month, and the flows recorded (exits and entries added)
_FLOWS = ("retirements", "quits", "moves", "graduates", "outside_hires")
RECORDED_STAFF_FLOWS = (
    "retirements",
    "quits",
    "exits",
    "moves",
    "graduates",
    "outside_hires",
    "entries",
)
DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml"


def _flow_rates(scenario: Scenario, kind: str) -> np.ndarray:
    """Yearly quit or move rates per [sector, profession] from the calibration table."""
    p = scenario.param
    out = np.zeros((len(SECTORS), N_PROF))
    for s, sector in enumerate(SECTORS):
        for j, prof in enumerate(PROFESSIONS):
            if prof == "nurse":
                key = f"flows.{kind}_rate_nurse_{sector}"
            elif prof in ("sosu_assistant", "sosu_helper"):
                key = f"flows.{kind}_rate_sosu_{sector}"
            elif prof == "doctor":
                key = f"flows.{kind}_rate_doctor"
            else:
                key = f"flows.{kind}_rate_other"
            out[s, j] = p(key)
    return out


def initial_persons(scenario: Scenario) -> np.ndarray:
    """Initial workforce in persons per [sector, profession] (hospital FTE converted with mean FTE)."""
    p = scenario.param
    out = np.zeros((len(SECTORS), N_PROF))
    for j, prof in enumerate(PROFESSIONS):
        out[HOSPITAL, j] = p(f"stock.hospital_{prof}_fte") / p(f"fte_fraction.{prof}")
        out[1, j] = p(f"stock.municipal_{prof}_headcount")
    return out


class HealthSystemModel(mesa.Model):
    """The Danish health system, month by month: organisations (Mesa agents), staff (arrays), innovation.

    Args:
        scenario: a validated :class:`sim.Scenario`; if None, ``scenario_path`` (default: the shipped
            baseline) is loaded.
        seed: run seed; every random stream derives from it and its own name (None: fresh entropy).
        scenario_path: path of a scenario file, used when ``scenario`` is None.
        staff_scale: optional override of ``world.staff_scale``.
        collect: run Mesa's DataCollector every month (``sim.run`` turns it off: it records everything
            in ``recorder`` anyway, vectorised).
        **kwargs: optional lever overrides by lever name (None keeps the scenario's value), so that
            ``mesa.batch_run`` and SolaraViz can pass levers as keyword arguments.

    Attributes:
        scenario, seed, streams: the inputs and the named random streams.
        month_index: months simulated so far; ``n_months`` in total.
        dates: first day of each simulated month (numpy datetime64[M]).
        world: per-organisation arrays (sector, region, population); the agents are in ``model.agents``.
        staff: :class:`sim.model.staff.StaffArrays`.
        accounts: this month's :class:`LabourAccounts`.
        recorder: the monthly records behind ``RunResult``.
        innovation: the innovation layer, or None when ``innovation.enabled`` is false.
        datacollector: Mesa DataCollector with national headline series.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        seed: int | None = 1,
        scenario_path: str | None = None,
        staff_scale: float | None = None,
        collect: bool = True,
        **kwargs: Any,
    ) -> None:
        if seed is None:  # as Mesa does: fresh, unreproducible entropy (recorded in model.seed)
            seed = int(np.random.SeedSequence().entropy % (2**63))
        super().__init__(rng=int(seed))
        if scenario is None:
            scenario = load_scenario(scenario_path or DEFAULT_SCENARIO)
        overrides = {}
        unknown = sorted(set(kwargs) - set(LEVERS))
        if unknown:
            raise TypeError(f"unknown lever keyword(s) {unknown}; allowed: {', '.join(LEVERS)}")
        for name, value in kwargs.items():
            if value is not None:
                overrides[f"levers.{name}"] = value
        if staff_scale is not None:
            overrides["world.staff_scale"] = staff_scale
        if overrides:
            scenario = scenario.with_overrides(overrides)
        if isinstance(getattr(type(self), "scenario", None), property):
            # Mesa >= 3.5 owns a ``scenario`` property whose setter writes ``scenario.model = self``: that
            # would make our (shared, reusable) Scenario keep the model alive. Its getter reads this.
            self._scenario = scenario
        else:
            self.scenario = scenario
        self.seed = int(seed)
        self.streams = RandomStreams(self.seed)
        self.scale = scenario.world.staff_scale
        self.person_weight = 1.0 / self.scale  # persons per agent
        self.hours_per_fte = scenario.param("labour.hours_per_fte")

        start, end = scenario.time.start_year, scenario.time.end_year
        self.n_months = (end - start + 1) * 12
        self.dates = np.arange(
            np.datetime64(f"{start}-01", "M"), np.datetime64(f"{end + 1}-01", "M")
        )
        decimal_years = start + np.arange(self.n_months) / 12.0
        self.month_index = 0

        # World and demography
        self.demography = Demography(decimal_years, scenario.uncertainties.demography)
        self.world = build_world(
            self, scenario.world, self.demography.national[0], self.streams["world"]
        )
        self.org_sector = self.world.sector.astype(np.int64)
        self.group_sector = np.repeat(self.org_sector, N_PROF)
        # flow key of each group: flow * S * P + sector * P + profession (the free group: out of range)
        n_sp = len(SECTORS) * N_PROF
        group_profession = np.tile(np.arange(N_PROF), self.world.n)
        self._sp_of_group = self.group_sector * N_PROF + group_profession
        group_sp = np.append(self._sp_of_group, len(_FLOWS) * n_sp)
        self._flow_key_of_group = group_sp + n_sp * np.arange(len(_FLOWS))[:, None]
        self._calibrate_demand()

        # Staff
        p = scenario.param
        self.profile = ProfessionProfile(
            mean_fte=np.array([p(f"fte_fraction.{x}") for x in PROFESSIONS]),
            part_time_share=np.array([p(f"part_time_share.{x}") for x in PROFESSIONS]),
            retirement_age_mean=p("flows.retirement_age_mean"),
            retirement_age_sd=p("flows.retirement_age_sd"),
            graduate_age_mean=p("education.graduate_age_mean"),
        )
        self.staff = initial_staff(
            self._initial_agents, self.profile, self.streams["staff_init"], self.n_months
        )
        quit_year = _flow_rates(scenario, "quit")
        move_year = _flow_rates(scenario, "move")
        self.quit_month_group = monthly(quit_year)[self.org_sector].ravel()
        self.move_month_group = monthly(move_year)[self.org_sector].ravel()
        self.strain_elasticity = (
            p("flows.strain_elasticity") * scenario.uncertainties.attrition_sensitivity
        )
        self.strain_memory = p("flows.strain_memory_months")
        self.felt_strain = 1.0 / (1.0 - np.tile(self._gap0, self.world.n))  # initial strain = D / S
        self.part_time_month = float(monthly(p("flows.part_time_change_rate")))
        self.outside_hiring_rate = np.full(N_PROF, p("flows.outside_hiring_rate"))
        self.outside_hiring_rate[PROFESSIONS.index("sosu_helper")] = p(
            "flows.outside_hiring_rate_sosu_helper"
        )

        # Accounting and records
        self.accounts = LabourAccounts(self.world.n)
        self.recorder = Recorder(self.n_months, hours_per_fte=self.hours_per_fte)
        self.freed_gross_fte = np.zeros((self.world.n, N_PROF))
        self.innovation_work_fte = np.zeros((self.world.n, N_PROF))
        self.demand_fte = self.demand_fte_path[0]
        self._account(0, record=False)
        self.last_recorded_month = 0

        # Innovation layer (issue 3); imported here to keep the core usable alone
        self.innovation = None
        if scenario.innovation.enabled:
            from sim.model.compile_notice import notify_if_compiling
            from sim.model.innovation import InnovationLayer

            notify_if_compiling()  # before the first compiled step: a cold cache compiles for ~1 min
            self.innovation = InnovationLayer(self)

        self.datacollector = mesa.DataCollector(
            model_reporters={
                name: _reporter(name)
                for name in (
                    "demand_fte",
                    "supply_fte",
                    "fte_freed",
                    "gap_fte",
                    "gap_share",
                    "strain",
                    "staff_headcount",
                    "pilots_active",
                    "adoptions",
                    "solutions_in_use",
                    "solutions_scaled",
                    "startups_alive",
                )
            }
        )
        self.collect = collect
        self.running = True

    # ----------------------------------------------------------------------------------------------
    # set-up helpers

    def _calibrate_demand(self) -> None:
        """Scale each sector-profession use profile so 2025 demand = 2025 supply x (1 + initial gap)."""
        sc = self.scenario
        persons = initial_persons(sc)
        mean_fte = np.array([sc.param(f"fte_fraction.{x}") for x in PROFESSIONS])
        supply0 = persons * mean_fte  # FTE [S, P]
        self._gap0 = np.array([sc.param(f"initial_gap_share.{x}") for x in PROFESSIONS])
        target = supply0 / (1.0 - self._gap0)  # gap share = (D - S) / D
        profiles = demand_profiles()  # [S, P, B]
        org_profiles = profiles[self.org_sector]  # [O, P, B]
        raw = np.einsum("ob,opb->op", self.world.pop0, org_profiles)
        org_use = org_profiles.copy()
        initial_agents = np.zeros((self.world.n, N_PROF))
        rng = self.streams["staff_init"]
        for s in range(len(SECTORS)):
            in_s = self.org_sector == s
            total = raw[in_s].sum(axis=0)
            factor = np.divide(target[s], total, out=np.zeros(N_PROF), where=total > 0)
            org_use[in_s] *= factor[None, :, None]
            share = np.divide(raw[in_s], total, out=np.zeros_like(raw[in_s]), where=total > 0)
            initial_agents[in_s] = share * persons[s] * self.scale
        self._initial_agents = stochastic_round(initial_agents, rng).ravel()
        self.demand_fte_path = demand_hours_path(
            self.demography.growth, self.world.pop0, org_use
        )  # [T, O, P]

    # ----------------------------------------------------------------------------------------------
    # the month

    def step(self) -> None:
        """Simulate one month, in the order of MODEL.md section 3."""
        t = self.month_index
        self.demography_and_demand_step(t)
        self.workforce_flows_step(t)
        self.innovation_pipeline_step(t)
        self.labour_accounting_step(t)
        self.money_and_incentives_step(t)
        if self.collect:
            self.datacollector.collect(self)
        self.month_index += 1
        if self.month_index >= self.n_months:
            self.running = False

    def demography_and_demand_step(self, t: int) -> None:
        """1. Population follows the projection; demand[o, p] in FTE for this month."""
        self.demand_fte = self.demand_fte_path[t]

    def workforce_flows_step(self, t: int) -> None:
        """2. Strain felt, retirements and quits, moves, changes of hours, graduates, outside hiring."""
        staff = self.staff
        felt_strain_step(self.felt_strain, self.accounts.strain_org.ravel(), self.strain_memory)

        retired, quit_ = exit_step(
            staff,
            self.quit_month_group,
            self.felt_strain,
            self.strain_elasticity,
            t,
            self.streams["exits"],
        )
        counts = np.zeros((len(_FLOWS), len(SECTORS) * N_PROF), np.int64)  # [flow, S * P] in agents
        self._count_flow(counts, "retirements", retired)
        self._count_flow(counts, "quits", quit_)
        if self.innovation is not None:
            self.innovation.on_exits(np.concatenate([retired, quit_]))
        staff.remove(retired)
        staff.remove(quit_)

        vacancy = self.accounts.vacancy_fte_org
        weights = destination_weights(
            hiring_weights(vacancy, self.demand_fte),
            self.org_sector,
            len(SECTORS),
        )
        movers = move_step(
            staff,
            self.move_month_group,
            self.felt_strain,
            self.org_sector,
            weights,
            self.strain_elasticity,
            t,
            self.streams["moves"],
        )
        self._count_flow(counts, "moves", movers)
        part_time_step(
            staff, self.part_time_month, self.profile, self.felt_strain, self.streams["part_time"]
        )

        competence_mean = self.innovation.graduate_competence if self.innovation else 0.4
        if (t % 12) + 1 == GRADUATION_MONTH:
            idx = entry_step(
                staff,
                self.graduate_cohort(t),
                weights,
                self.profile,
                t,
                self.profile.graduate_age_mean,
                3.0,
                competence_mean,
                self.streams["graduates"],
            )
            self._count_flow(counts, "graduates", idx)
            if self.innovation:
                self.innovation.on_new_staff(idx)
        idx = entry_step(
            staff,
            self.outside_hires(vacancy),
            weights,
            self.profile,
            t,
            38.0,
            9.0,
            competence_mean,
            self.streams["hiring"],
        )
        self._count_flow(counts, "outside_hires", idx)
        if self.innovation and len(idx):
            self.innovation.on_new_staff(idx)
        self._record_flows(t, counts)

    def _count_flow(self, counts: np.ndarray, flow: str, idx: np.ndarray) -> None:
        """Count the slots ``idx`` (as they are now) into ``counts`` [flow, sector * P + profession]."""
        kernels.count_flow(
            counts.ravel(), self._flow_key_of_group, _FLOWS.index(flow), self.staff.group, idx
        )

    def _record_flows(self, t: int, counts: np.ndarray) -> None:
        """Record the month's flows per [sector, profession] in persons from ``counts`` in agents."""
        n_sec = len(SECTORS)
        recorded = np.empty((len(RECORDED_STAFF_FLOWS), n_sec, N_PROF))
        kernels.recorded_flows(
            counts, self.person_weight, recorded.reshape(len(RECORDED_STAFF_FLOWS), -1)
        )  # in RECORDED_STAFF_FLOWS order
        self.recorder.record_flows_by_profession(t, RECORDED_STAFF_FLOWS, recorded)

    def graduate_cohort(self, t: int) -> np.ndarray:
        """This year's graduates in agents per [sector, profession] (intake x completion, scaled)."""
        p = self.scenario.param
        factor = (
            self.demography.youth_index(t)
            * self.scenario.uncertainties.education_intake
            * self.scale
        )
        rng = self.streams["graduates"]
        cohort = np.zeros((len(SECTORS), N_PROF))
        hospital_share = {
            "nurse": p("education.hospital_share_nurse"),
            "doctor": 1.0,
            "sosu_assistant": p("education.hospital_share_sosu_assistant"),
            "sosu_helper": 0.0,
            "other_clinical": p("education.hospital_share_other_clinical"),
        }
        for j, prof in enumerate(PROFESSIONS):
            n = p(f"education.intake_{prof}") * factor
            n = rng.binomial(int(stochastic_round(n, rng)), p(f"education.completion_{prof}"))
            if prof == "nurse":
                n = rng.binomial(n, p("education.public_share_nurse"))
            to_hospital = rng.binomial(n, hospital_share[prof])
            cohort[HOSPITAL, j] = to_hospital
            cohort[1, j] = n - to_hospital
        return cohort

    def outside_hires(self, vacancy: np.ndarray | None = None) -> np.ndarray:
        """Hires from outside (re-entrants, unskilled, foreign) per [sector, profession], in agents.

        ``vacancy``: this month's vacancies [O, P] if already at hand (default: from the accounts).
        """
        vac = self.accounts.vacancy_fte_org if vacancy is None else vacancy  # [O, P]
        n_sec = len(SECTORS)
        # vacancies summed per sector and profession, organisation by organisation in index order
        by_sector = np.bincount(self._sp_of_group, weights=vac.ravel(), minlength=n_sec * N_PROF)
        by_sector = by_sector.reshape(n_sec, N_PROF)
        expected = by_sector / self.profile.mean_fte * self.outside_hiring_rate * self.scale
        return stochastic_round(expected, self.streams["hiring"])

    def innovation_pipeline_step(self, t: int) -> None:
        """3. The innovation pipeline (no-op when the innovation layer is off)."""
        if self.innovation is not None:
            self.innovation.pipeline_step(t)

    def labour_accounting_step(self, t: int) -> None:
        """4. Supply, freed hours, gap and strain; records the month."""
        self._account(t, record=True)
        self.last_recorded_month = t

    def _account(self, t: int, record: bool) -> None:
        supply = self.staff.fte_by_group().reshape(self.world.n, N_PROF) * self.person_weight
        demand = self.demand_fte_path[t]
        self.accounts.update(demand, supply, self.freed_gross_fte, self.innovation_work_fte)
        if record:
            head = (
                self.staff.headcount_by_group().reshape(self.world.n, N_PROF) * self.person_weight
            )
            # totals, gap, strain and rates (attrition, job leaving, hours freed) follow when read
            self.recorder.record_accounts(t, self.accounts, self.org_sector, head)

    def money_and_incentives_step(self, t: int) -> None:
        """5. Budgets, retained savings, company cash, start-up failure and growth."""
        if self.innovation is not None:
            self.innovation.money_step(t)

    # ----------------------------------------------------------------------------------------------
    # Mesa's agent sets: companies are registered when they are read (``companies.register_companies``)

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """Every agent (``mesa.Model.agents``), companies founded so far included."""
        self._register_companies()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type, mesa.agent.AgentSet]:
        """The agents by type (``mesa.Model.agents_by_type``), companies founded so far included."""
        self._register_companies()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """The agent types (``mesa.Model.agent_types``), companies founded so far included."""
        self._register_companies()
        return super().agent_types

    def _register_companies(self) -> None:
        layer = getattr(self, "innovation", None)  # None while the model is built
        if layer is not None:
            layer.register_agents()

    # ----------------------------------------------------------------------------------------------
    # views for the explorer and users

    def current(self, column: str, sector: str = "all") -> float:
        """The last recorded value of a sector column (national units)."""
        t = self.last_recorded_month
        return float(
            self.recorder.sector[
                t, ("hospital", "municipal", "all").index(sector), self.recorder.col(column)
            ]
        )

    def current_headline(self) -> dict[str, float]:
        """This month's headline numbers (national units)."""
        keys = (
            "demand_fte",
            "supply_fte",
            "fte_freed",
            "gap_fte",
            "gap_share",
            "strain",
            "staff_headcount",
            "attrition_rate",
            "pilots_active",
            "solutions_in_use",
            "solutions_scaled",
            "startups_alive",
        )
        out = {"date": str(self.dates[self.last_recorded_month])}
        out.update({k: self.current(k) for k in keys})
        return out

    def leading_adoption(self, n: int = 5) -> dict[str, int]:
        """Adopting organisations of the ``n`` most adopted solutions (empty without innovation)."""
        return self.innovation.leading_adoption(n) if self.innovation is not None else {}


def _reporter(column: str):
    def report(model: HealthSystemModel) -> float:
        return model.current(column)

    report.__name__ = f"report_{column}"
    return report
