"""The innovation ecosystem's state as tables of arrays, and the typed views the compiled steps work on.

Engagements, solutions, companies and partnerships are rows of named arrays (``Table``), grown in blocks
between months. Every monthly step is compiled with numba and works on one struct, ``st``
(``kernel_struct``), that holds each table's struct (``st.eng``, ``st.sols``, ``st.comp``, ``st.parts``),
the organisation-level arrays (``st.orgs``), this month's supply, demand and strain, the catalogue, the
month's outputs, the parameters and the random streams; a step reads ``st.eng.timer[e]`` or
``st.sols.true_effect[s]``. The structs are numba StructRefs: passed by reference, so a call costs about a
microsecond whatever they hold. ``par = st.params[0]`` holds every number the steps use (calibration
parameters, levers, uncertainties) by name: ``par.pilot_cost_dkk``.

The codes of stages, routes into a pilot, partnership forms, company kinds and evidence levels live here,
next to the tables they describe.
"""

from __future__ import annotations

from types import SimpleNamespace

import numba
import numpy as np
from numba import types
from numba.experimental import structref

from sim.levers import LEVERS, UNCERTAINTIES
from sim.model.demography import PROFESSIONS
from sim.model.innovation.jit import PURE_PYTHON, jit

# engagement stages: PILOT -> EVALUATION -> PROCUREMENT -> IMPLEMENTATION -> IN_USE, or an end
NONE, PILOT, EVALUATION, PROCUREMENT, IMPLEMENTATION, IN_USE, REJECTED, TENDER_LOST, ABANDONED = (
    range(9)
)
STAGE_NAMES = (
    "none",
    "pilot",
    "evaluation",
    "procurement",
    "implementation",
    "in_use",
    "rejected",
    "tender_lost",
    "abandoned",
)
ACTIVE_PROJECT_STAGES = (PILOT, EVALUATION, PROCUREMENT, IMPLEMENTATION)
# how an organisation came to engage with a solution
VIA = ("scouting", "pitch", "challenge", "spread", "frictionless", "strategic_partnership")
SCOUTING, PITCH, CHALLENGE, SPREAD, FRICTIONLESS, PARTNERSHIP = range(6)
# partnership forms (the seed's four)
FORMS = ("project", "domain", "network", "strategic")
PROJECT, DOMAIN, NETWORK, STRATEGIC = range(4)
# companies
STARTUP, SME, LARGE = 0, 1, 2
KIND_NAMES = ("startup", "sme", "large")
ALIVE, FAILED, SCALED = 0, 1, 2
# solutions: evidence levels, and the sector code of a solution for every sector (the Bass check)
NO_EVIDENCE, PILOTED, EVALUATED, PROVEN = 0, 1, 2, 3
ANY_SECTOR = -1
# counters of the month, rows of ``st.counts``
COUNTERS = ("pilots_started", "evaluations", "procurements", "adoptions", "abandonments")
C_PILOTS, C_EVALUATIONS, C_PROCUREMENTS, C_ADOPTIONS, C_ABANDONMENTS = range(5)
# stocks at the end of the month, ``st.money_stats``
MONEY_STATS = (
    "startups_alive",
    "startups_scaled",
    "companies_alive",
    "partnerships_active",
    "partnerships_research_or_strategic",
)

N_PROF = len(PROFESSIONS)
N_DOMAINS = 7  # NASSS domains (sim.model.innovation.solutions.NASSS_DOMAINS)


class Table:
    """Rows of named arrays, grown in blocks; ``size[0]`` rows are in use.

    Subclasses list ``FIELDS`` (name -> dtype, or (dtype, width) for a 2-D field); ``TABLE_STRUCTS`` maps
    each to the compiled constructor of its struct (from ``size`` and the arrays in ``FIELDS`` order).
    """

    FIELDS: dict[str, object] = {}

    def __init__(self, capacity: int) -> None:
        self.size = np.zeros(1, np.int64)
        for name, spec in self.FIELDS.items():
            dtype, width = spec if isinstance(spec, tuple) else (spec, None)
            shape = (capacity,) if width is None else (capacity, width)
            setattr(self, name, np.zeros(shape, dtype=dtype))
        self._view = None

    @property
    def n(self) -> int:
        """Rows in use."""
        return int(self.size[0])

    @property
    def capacity(self) -> int:
        return len(getattr(self, next(iter(self.FIELDS))))

    def reserve(self, extra: int) -> bool:
        """Make room for ``extra`` more rows; returns whether the arrays were reallocated."""
        grown = False
        while self.n + extra > self.capacity:
            for name in self.FIELDS:
                arr = getattr(self, name)
                setattr(self, name, np.concatenate([arr, np.zeros_like(arr)]))
            grown = True
        if grown:
            self._view = None
        return grown

    def add(self, **values) -> np.ndarray:
        """Append rows given as equal-length arrays (scalars broadcast); returns their indices."""
        k = len(next(v for v in values.values() if np.ndim(v) > 0))
        self.reserve(k)
        rows = slice(self.n, self.n + k)
        for name, value in values.items():
            getattr(self, name)[rows] = value
        self.size[0] += k
        return np.arange(rows.start, rows.stop)

    def view(self):
        """The struct of the current arrays for compiled steps (rebuilt only after growth)."""
        if self._view is None:
            build = TABLE_STRUCTS[type(self)]
            self._view = build(self.size, *(getattr(self, name) for name in self.FIELDS))
        return self._view


class Engagements(Table):
    """Organisation-solution engagements: one organisation working with one solution.

    Attributes (per engagement): org, sol; stage and the months left in it (``timer``); month started and
    adopted (-1 until in use); ramp-up (0..1) and its monthly step; realised effect; the organisation's
    estimate of the effect after evaluation; route in (``via``); training FTE during implementation; yearly
    price; whether the procurement will be lost (set when it starts).
    """

    FIELDS = {
        "org": np.int64,
        "sol": np.int64,
        "stage": np.int8,
        "timer": np.float64,
        "started": np.int64,
        "adopted": np.int64,
        "ramp": np.float64,
        "ramp_step": np.float64,
        "effect": np.float64,
        "est_effect": np.float64,
        "via": np.int8,
        "training_fte": np.float64,
        "price_year": np.float64,
        "lost": bool,
    }

    def __init__(self, capacity: int = 2048) -> None:
        super().__init__(capacity)

    def add(self, **values) -> np.ndarray:
        values.setdefault("adopted", -1)
        return super().add(**values)

    def in_stage(self, *stages: int) -> np.ndarray:
        """Indices of engagements in any of ``stages``."""
        lut = _STAGE_LOOKUP.get(stages)
        if lut is None:
            lut = _STAGE_LOOKUP[stages] = np.isin(np.arange(len(STAGE_NAMES)), stages)
        return np.flatnonzero(lut[self.stage[: self.n]])


_STAGE_LOOKUP: dict[tuple[int, ...], np.ndarray] = {}


class SolutionTable(Table):
    """Every solution of a run.

    Attributes (per solution):
        archetype, company, sector: indices (sector -1 = any sector, used for the Bass check).
        true_effect: share of addressable hours saved at full use (unknown to buyers).
        claimed_effect: the company's claim (optimistic on average).
        transformative: high effect, high risk, long horizon.
        ready_month: month it becomes pilot-ready; on_market: offered to buyers.
        evidence: 0 none, 1 piloted, 2 evaluated positively, 3 proven (in use after a positive evaluation).
        challenge_org: organisation that posted the challenge it answers (-1 if none).
        first_pilot_month: -1 until its first pilot.
        impl_hours: training hours per trained staff member.
        adopters: organisations implementing or using it now.
        addressable: share of each profession's hours it can touch [S, P].
        complexity: NASSS complexity per domain [S, 7] (0 simple, 1 complicated, 2 complex).
    """

    FIELDS = {
        "archetype": np.int64,
        "company": np.int64,
        "sector": np.int64,
        "true_effect": np.float64,
        "claimed_effect": np.float64,
        "transformative": bool,
        "ready_month": np.int64,
        "on_market": bool,
        "evidence": np.int8,
        "challenge_org": np.int64,
        "first_pilot_month": np.int64,
        "impl_hours": np.float64,
        "innovation_type": np.int8,
        "created_month": np.int64,
        "adopters": np.int64,
        "addressable": (np.float64, N_PROF),
        "complexity": (np.int64, N_DOMAINS),
    }

    def __init__(self, capacity: int = 512) -> None:
        super().__init__(capacity)


class CompanyTable(Table):
    """Company state (one row per ``Company`` agent).

    Attributes:
        kind: STARTUP, SME or LARGE. status: ALIVE, FAILED or SCALED (a scaled start-up is alive).
        cash: DKK. burn: DKK per month. revenue_year: public revenue over the last 12 months (DKK).
        revenue_month: this month's. founded, failed_month: months. traction: has had a pilot or a sale.
    """

    FIELDS = {
        "kind": np.int8,
        "status": np.int8,
        "cash": np.float64,
        "burn": np.float64,
        "revenue_year": np.float64,
        "revenue_month": np.float64,
        "founded": np.int64,
        "failed_month": np.int64,
        "traction": bool,
        "was_startup": bool,
    }

    def __init__(self, capacity: int = 1024) -> None:
        super().__init__(capacity)


class PartnershipTable(Table):
    """Partnerships: organisation, company, form, start and end month (-1 = open-ended), active."""

    FIELDS = {
        "org": np.int64,
        "company": np.int64,
        "form": np.int8,
        "start": np.int64,
        "end": np.int64,
        "active": bool,
    }

    def __init__(self, capacity: int = 2048) -> None:
        super().__init__(capacity)

    def active_count(self, form: int | None = None) -> int:
        n = self.n
        mask = self.active[:n] if form is None else self.active[:n] & (self.form[:n] == form)
        return int(mask.sum())


# ----------------------------------------------------------------------------------------------------
# parameters


def _calibration_keys() -> tuple[str, ...]:
    from sim.scenario import calibration_defaults

    return tuple(k for k in calibration_defaults() if k.startswith(("innovation.", "companies.")))


CALIBRATION_KEYS = _calibration_keys()
MODEL_PARAMS = (
    "hours_per_fte",
    "transformative_multiplier",
    "transformative_complexity",
    "transformative_failure",
)
PARAM_NAMES = (
    tuple(key.split(".", 1)[1] for key in CALIBRATION_KEYS)
    + tuple(LEVERS)
    + tuple(UNCERTAINTIES)
    + MODEL_PARAMS
)
# Every number the compiled steps use, by name: the ``innovation.*`` and ``companies.*`` calibration
# parameters (without the prefix), the 14 levers, the uncertainties, hours per FTE and the catalogue's
# transformative modifiers. One row of a structured array reaches compiled code by reference, so its
# size costs nothing per call; its fields read as attributes (``par.pilot_cost_dkk``).
PARAMS_DTYPE = np.dtype([(name, np.float64) for name in PARAM_NAMES])


def make_params(scenario, hours_per_fte: float, catalogue) -> np.ndarray:
    """The scenario's parameters, levers and uncertainties as a one-row array of ``PARAMS_DTYPE``
    (compiled steps read ``par = st.params[0]``, then ``par.pilot_cost_dkk``)."""
    values = {key.split(".", 1)[1]: float(scenario.param(key)) for key in CALIBRATION_KEYS}
    values.update({k: float(v) for k, v in scenario.levers.model_dump().items()})
    values.update({k: float(v) for k, v in scenario.uncertainties.model_dump().items()})
    values["hours_per_fte"] = float(hours_per_fte)
    values["transformative_multiplier"] = float(catalogue.transformative_multiplier)
    values["transformative_complexity"] = float(catalogue.transformative_complexity)
    values["transformative_failure"] = float(catalogue.transformative_failure)
    params = np.zeros(1, PARAMS_DTYPE)
    for name, value in values.items():
        params[name] = value
    # fields read as attributes (``par.pilot_cost_dkk``): compiled code sees a record; Python a np.record
    return params.view(np.recarray) if PURE_PYTHON else params


# ----------------------------------------------------------------------------------------------------
# the compiled side: numba StructRefs over the same arrays (passed by reference)


def _array_type(spec) -> types.Array:
    """The numba type of a table field: (dtype) -> 1-D, (dtype, width) -> 2-D, C-contiguous."""
    dtype, width = spec if isinstance(spec, tuple) else (spec, None)
    return types.Array(numba.from_dtype(np.dtype(dtype)), 1 if width is None else 2, "C")


def _fields(fields: dict[str, object]) -> list[tuple[str, types.Type]]:
    return [("size", types.int64[::1])] + [(k, _array_type(v)) for k, v in fields.items()]


@structref.register
class EngagementsStruct(types.StructRef):
    """Numba type of the engagement table as compiled steps see it (``st.eng``)."""


@structref.register
class SolutionsStruct(types.StructRef):
    """Numba type of the solution table (``st.sols``)."""


@structref.register
class CompaniesStruct(types.StructRef):
    """Numba type of the company table (``st.comp``)."""


@structref.register
class PartnershipsStruct(types.StructRef):
    """Numba type of the partnership table (``st.parts``)."""


@structref.register
class OrgsStruct(types.StructRef):
    """Numba type of the organisation-level state (``st.orgs``)."""


@structref.register
class KernelStruct(types.StructRef):
    """Numba type of ``st``: everything a compiled step reads or writes (``kernel_struct``)."""


class _Proxy(structref.StructRefProxy):
    """A compiled-side struct held by Python (its fields are reached through the owning tables)."""


ENGAGEMENTS_STRUCT = EngagementsStruct(_fields(Engagements.FIELDS))
SOLUTIONS_STRUCT = SolutionsStruct(_fields(SolutionTable.FIELDS))
COMPANIES_STRUCT = CompaniesStruct(_fields(CompanyTable.FIELDS))
PARTNERSHIPS_STRUCT = PartnershipsStruct(_fields(PartnershipTable.FIELDS))
ORG_FIELDS = {
    "sector": types.int64[::1],
    "region": types.int64[::1],
    "sector_orgs": types.int64[::1],  # organisations grouped by sector
    # [sectors + 1]: where each sector's group starts in sector_orgs
    "sector_start": types.int64[::1],
    "risk_budget": types.float64[::1],
    "active_projects": types.float64[::1],
    "capacity": types.float64[::1],
    "champion_factor": types.float64[::1],
    "competence": types.float64[::1],
    "strategic_count": types.int64[::1],
    "uses_archetype": types.boolean[:, ::1],  # [O, A]
}
ORGS_STRUCT = OrgsStruct(list(ORG_FIELDS.items()))
GENERATOR = numba.typeof(np.random.default_rng(0))  # numpy Generators, drawn from in compiled code
KERNEL_STREAMS = ("companies", "matching", "pilots", "procurement", "implementation")
KERNEL_ARRAYS = {
    "engaged": types.boolean[:, ::1],  # [S, O] has the organisation ever engaged with the solution
    "region_contracts": types.boolean[:, ::1],  # [S, regions] a region holds a contract to call off
    "worked_with": types.boolean[:, ::1],  # [O, C] the organisation has worked with the company
    "strategic": types.boolean[:, ::1],  # [O, C] an active strategic partnership
    "supply": types.float64[:, ::1],  # [O, P] FTE, this month
    "demand": types.float64[:, ::1],  # [O, P] FTE, this month
    "strain": types.float64[:, ::1],  # [O, P] this month
    "catalogue_cum_weights": types.float64[:, ::1],  # [sectors + 1, A]
    "catalogue_effect": types.float64[::1],  # [A]
    "catalogue_effect_sd": types.float64[::1],
    "catalogue_sector": types.int64[::1],
    "catalogue_impl_hours": types.float64[::1],
    "catalogue_type": types.int8[::1],
    "catalogue_addressable": types.float64[:, ::1],  # [A, P]
    "catalogue_complexity": types.int64[:, ::1],  # [A, 7]
    "counts": types.float64[:, ::1],  # [counters, sectors] events of the month
    "cost": types.float64[::1],  # [sectors] public spending of the month, DKK
    "freed": types.float64[:, ::1],  # [O, P] gross FTE freed this month
    "work": types.float64[:, ::1],  # [O, P] FTE innovation costs this month
    # [3, sectors + 1]: pilots active, solutions in use, solutions scaled, by sector; last column: all
    "pipeline_stats": types.float64[:, ::1],
    "money_stats": types.float64[::1],  # MONEY_STATS, at the end of the month
}
KERNEL_STRUCT = KernelStruct(
    [
        ("eng", ENGAGEMENTS_STRUCT),
        ("sols", SOLUTIONS_STRUCT),
        ("comp", COMPANIES_STRUCT),
        ("parts", PARTNERSHIPS_STRUCT),
        ("orgs", ORGS_STRUCT),
    ]
    + list(KERNEL_ARRAYS.items())
    + [("params", numba.from_dtype(PARAMS_DTYPE)[::1])]
    + [(f"rng_{name}", GENERATOR) for name in KERNEL_STREAMS]
)
for _struct_type in (
    EngagementsStruct,
    SolutionsStruct,
    CompaniesStruct,
    PartnershipsStruct,
    OrgsStruct,
    KernelStruct,
):
    structref.define_boxing(_struct_type, _Proxy)


if PURE_PYTHON:

    def new_struct(struct_type) -> SimpleNamespace:
        """On the pure-Python path a struct is a plain namespace with the same fields."""
        return SimpleNamespace()

else:
    new_struct = structref.new  # an intrinsic: usable only inside compiled functions


# Compiled constructors, one per struct, cached like every step (a struct's fields can only be set by
# name in compiled code). Arguments in the order of the table's FIELDS, after ``size``.


@jit(entry=True)
def _engagements_struct(
    size, org, sol, stage, timer, started, adopted, ramp, ramp_step, effect, est_effect, via,
    training_fte, price_year, lost,
):  # fmt: skip
    s = new_struct(ENGAGEMENTS_STRUCT)
    s.size, s.org, s.sol, s.stage, s.timer, s.started, s.adopted = (
        size, org, sol, stage, timer, started, adopted,
    )  # fmt: skip
    s.ramp, s.ramp_step, s.effect, s.est_effect, s.via = ramp, ramp_step, effect, est_effect, via
    s.training_fte, s.price_year, s.lost = training_fte, price_year, lost
    return s


@jit(entry=True)
def _solutions_struct(
    size, archetype, company, sector, true_effect, claimed_effect, transformative, ready_month,
    on_market, evidence, challenge_org, first_pilot_month, impl_hours, innovation_type,
    created_month, adopters, addressable, complexity,
):  # fmt: skip
    s = new_struct(SOLUTIONS_STRUCT)
    s.size, s.archetype, s.company, s.sector = size, archetype, company, sector
    s.true_effect, s.claimed_effect, s.transformative = true_effect, claimed_effect, transformative
    s.ready_month, s.on_market, s.evidence, s.challenge_org = (
        ready_month, on_market, evidence, challenge_org,
    )  # fmt: skip
    s.first_pilot_month, s.impl_hours, s.innovation_type = (
        first_pilot_month, impl_hours, innovation_type,
    )  # fmt: skip
    s.created_month, s.adopters, s.addressable, s.complexity = (
        created_month, adopters, addressable, complexity,
    )  # fmt: skip
    return s


@jit(entry=True)
def _companies_struct(
    size, kind, status, cash, burn, revenue_year, revenue_month, founded, failed_month, traction,
    was_startup,
):  # fmt: skip
    s = new_struct(COMPANIES_STRUCT)
    s.size, s.kind, s.status, s.cash, s.burn = size, kind, status, cash, burn
    s.revenue_year, s.revenue_month, s.founded = revenue_year, revenue_month, founded
    s.failed_month, s.traction, s.was_startup = failed_month, traction, was_startup
    return s


@jit(entry=True)
def _partnerships_struct(size, org, company, form, start, end, active):
    s = new_struct(PARTNERSHIPS_STRUCT)
    s.size, s.org, s.company, s.form, s.start, s.end, s.active = (
        size, org, company, form, start, end, active,
    )  # fmt: skip
    return s


@jit(entry=True)
def orgs_struct(
    sector, region, sector_orgs, sector_start, risk_budget, active_projects, capacity,
    champion_factor, competence, strategic_count, uses_archetype,
):  # fmt: skip
    """The organisation-level struct (``st.orgs``), arguments in the order of ``ORG_FIELDS``."""
    s = new_struct(ORGS_STRUCT)
    s.sector, s.region, s.sector_orgs, s.sector_start = sector, region, sector_orgs, sector_start
    s.risk_budget, s.active_projects, s.capacity = risk_budget, active_projects, capacity
    s.champion_factor, s.competence, s.strategic_count = (
        champion_factor, competence, strategic_count,
    )  # fmt: skip
    s.uses_archetype = uses_archetype
    return s


@jit(entry=True)
def kernel_struct(
    eng, sols, comp, parts, orgs, engaged, region_contracts, worked_with, strategic, supply,
    demand, strain, catalogue_cum_weights, catalogue_effect, catalogue_effect_sd,
    catalogue_sector, catalogue_impl_hours, catalogue_type, catalogue_addressable,
    catalogue_complexity, counts, cost, freed, work, pipeline_stats, money_stats, params,
    rng_companies, rng_matching, rng_pilots, rng_procurement, rng_implementation,
):  # fmt: skip
    """The compiled side's state (``st``): the table structs, the arrays in the order of
    ``KERNEL_ARRAYS``, the parameters (a one-row array of ``PARAMS_DTYPE``) and the random streams of
    ``KERNEL_STREAMS``. Built once a run (again after a table grows)."""
    s = new_struct(KERNEL_STRUCT)
    s.eng, s.sols, s.comp, s.parts, s.orgs = eng, sols, comp, parts, orgs
    s.engaged, s.region_contracts, s.worked_with, s.strategic = (
        engaged, region_contracts, worked_with, strategic,
    )  # fmt: skip
    s.supply, s.demand, s.strain = supply, demand, strain
    s.catalogue_cum_weights, s.catalogue_effect = catalogue_cum_weights, catalogue_effect
    s.catalogue_effect_sd, s.catalogue_sector = catalogue_effect_sd, catalogue_sector
    s.catalogue_impl_hours, s.catalogue_type = catalogue_impl_hours, catalogue_type
    s.catalogue_addressable, s.catalogue_complexity = catalogue_addressable, catalogue_complexity
    s.counts, s.cost, s.freed, s.work = counts, cost, freed, work
    s.pipeline_stats, s.money_stats = pipeline_stats, money_stats
    s.params = params
    s.rng_companies, s.rng_matching, s.rng_pilots = rng_companies, rng_matching, rng_pilots
    s.rng_procurement, s.rng_implementation = rng_procurement, rng_implementation
    return s


TABLE_STRUCTS = {
    Engagements: _engagements_struct,
    SolutionTable: _solutions_struct,
    CompanyTable: _companies_struct,
    PartnershipTable: _partnerships_struct,
}
