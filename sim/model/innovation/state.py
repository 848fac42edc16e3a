"""The innovation ecosystem's state as tables of arrays, the codes that describe them, and the parameters.

Solution types, solutions, engagements, companies and partnerships are rows of named arrays (``Table``),
grown in blocks between months. Every monthly step is compiled (``sim.model.innovation.jit``) and works on
one struct, ``st``, which holds each table's struct (``st.types``, ``st.sols``, ``st.eng``, ``st.comp``,
``st.parts``), the organisation-level state (``st.orgs``), this month's supply, demand and strain, the
month's outputs, the parameters and the random streams; a step reads ``st.eng.coverage[e]`` or
``st.sols.true_effect[s]``. The structs are numba StructRefs, passed by reference (a call costs about a
microsecond whatever they hold); their constructors are generated from the field lists below into
``sim.model.innovation.structs`` (``python -m sim.model.innovation.codegen``; a test checks it is current).
``par = st.params[0]`` holds every number the steps use by name: calibration constants, lever-effect
coefficients, policy rules ([procurement], [incentives], [risk_budget]), this month's lever values and the
uncertainties (``par.pilot_cost_dkk``).
"""

from __future__ import annotations

import numba
import numpy as np
from numba import types
from numba.experimental import structref

from sim.levers import LEVERS, UNCERTAINTIES
from sim.model.demography import PROFESSIONS, SECTORS
from sim.model.innovation.jit import PURE_PYTHON

# ----------------------------------------------------------------------------------------------------
# codes

# engagement stages: PILOT -> EVALUATION -> PROCUREMENT -> ROLLOUT -> IN_USE, or an end
NONE, PILOT, EVALUATION, PROCUREMENT, ROLLOUT, IN_USE = range(6)
REJECTED, TENDER_LOST, ABANDONED, REPLACED = range(6, 10)
STAGE_NAMES = (
    "none",
    "pilot",
    "evaluation",
    "procurement",
    "rollout",
    "in_use",
    "rejected",
    "tender_lost",
    "abandoned",
    "replaced",
)
# what an engagement covers: the unit that piloted a solution not yet evaluated in Denmark (a frontier
# pilot the organisation keeps), or the organisation's work (a take-up it rolls out)
UNIT, ORGANISATION = 0, 1
# how an organisation came to engage with a solution
VIA = ("scouting", "pitch", "challenge", "spread", "frictionless", "strategic_partnership", "2025")
SCOUTING, PITCH, CHALLENGE, SPREAD, FRICTIONLESS, PARTNERSHIP, INITIAL = range(7)
# procurement routes (``events.enter_procurement``)
ROUTES = (
    "eu_tender",
    "below_threshold",
    "framework_call_off",
    "innovation_partnership",
    "pre_commercial",
    "joint_procurement",
)
EU_TENDER, BELOW_THRESHOLD, FRAMEWORK, INNOVATION_PARTNERSHIP, PRE_COMMERCIAL, JOINT = range(6)
# partnership forms (the seed's four)
FORMS = ("project", "domain", "network", "strategic")
PROJECT, DOMAIN, NETWORK, STRATEGIC = range(4)
# companies
STARTUP, SME, LARGE = 0, 1, 2
KIND_NAMES = ("startup", "sme", "large")
ALIVE, FAILED, SCALED = 0, 1, 2
# solutions: evidence levels (national), and the sector code of a solution for every sector (Bass check)
NO_EVIDENCE, PILOTED, EVALUATED, PROVEN = 0, 1, 2, 3
ANY_SECTOR = -1
# where a solution type comes from
CATALOGUE, DEVELOPED = 0, 1
# risk-fund pooling ([risk_budget] pooling)
POOLING = ("organisation", "region", "national")
# counters of the month, rows of ``st.counts`` [counters, sectors]
COUNTERS = (
    "pilots_started",
    "evaluations",
    "procurements",
    "adoptions",
    "abandonments",
    "replacements",
    "solution_types_created",
    "successors_developed",
    "challenges_posted",
    "scouting_rounds",
    "takeups_deferred",
)
(
    C_PILOTS,
    C_EVALUATIONS,
    C_PROCUREMENTS,
    C_ADOPTIONS,
    C_ABANDONMENTS,
    C_REPLACEMENTS,
    C_TYPES_CREATED,
    C_SUCCESSORS,
    C_CHALLENGES,
    C_SCOUTING,
    C_DEFERRED,
) = range(len(COUNTERS))
# stocks of the pipeline at the end of the month, rows of ``st.pipeline_stats`` [stats, sectors + 1]
PIPELINE_STATS = (
    "pilots_active",
    "rollouts_active",
    "solutions_in_use",
    "solutions_scaled",
    "solution_types_in_use",
)
# stocks of companies and partnerships at the end of the month, ``st.money_stats``
MONEY_STATS = (
    "startups_alive",
    "startups_scaled",
    "companies_alive",
    "partnerships_active",
    "partnership_scale_research_or_strategic",  # summed scale, in reference sizes (spin-outs)
)
M_RESEARCH_SCALE = MONEY_STATS.index("partnership_scale_research_or_strategic")
# public spending of the month by purpose, columns of ``st.cost`` [sectors, purposes]
COST_PURPOSES = (
    "pilots",
    "evaluation",
    "procurement",
    "licences",
    "implementation",
    "partnerships",
    "programmes",
    "incentives",
)
(
    K_PILOTS,
    K_EVALUATION,
    K_PROCUREMENT,
    K_LICENCES,
    K_IMPLEMENTATION,
    K_PARTNERSHIPS,
    K_PROGRAMMES,
    K_INCENTIVES,
) = range(len(COST_PURPOSES))

N_PROF = len(PROFESSIONS)
N_SECTORS = len(SECTORS)
N_DOMAINS = 7  # NASSS domains (sim.model.innovation.solutions.NASSS_DOMAINS)


# ----------------------------------------------------------------------------------------------------
# tables


class Table:
    """Rows of named arrays, grown in blocks; ``size[0]`` rows are in use.

    Subclasses list ``FIELDS`` (name -> dtype, or (dtype, width) for a 2-D field); the compiled
    constructor of each table's struct is generated from them (``sim.model.innovation.structs``).
    ``COUNTS`` names further one-element counters (like ``size``) that the struct carries, for a list
    kept in a field (the first ``count[0]`` entries of the field).
    """

    FIELDS: dict[str, object] = {}
    DEFAULTS: dict[str, object] = {}  # values of a new row other than 0
    COUNTS: tuple[str, ...] = ()

    def __init__(self, capacity: int) -> None:
        self.size = np.zeros(1, np.int64)
        for name in self.COUNTS:
            setattr(self, name, np.zeros(1, np.int64))
        for name, spec in self.FIELDS.items():
            dtype, width = spec if isinstance(spec, tuple) else (spec, None)
            shape = (capacity,) if width is None else (capacity, width)
            setattr(self, name, np.zeros(shape, dtype=dtype))
        for name, value in self.DEFAULTS.items():
            getattr(self, name)[:] = value
        self._view = None

    @property
    def n(self) -> int:
        """Rows in use."""
        return int(self.size[0])

    @property
    def capacity(self) -> int:
        return len(getattr(self, next(iter(self.FIELDS))))

    def reserve(self, extra: int) -> bool:
        """Make room for ``extra`` more rows (the capacity doubled as often as needed, the arrays
        reallocated once); returns whether the arrays were reallocated."""
        old = capacity = self.capacity
        while self.n + extra > capacity:
            capacity *= 2
        if capacity == old:
            return False
        for name in self.FIELDS:
            arr = getattr(self, name)
            grown = np.zeros((capacity, *arr.shape[1:]), arr.dtype)
            grown[:old] = arr
            if name in self.DEFAULTS:
                grown[old:] = self.DEFAULTS[name]
            setattr(self, name, grown)
        self._view = None
        return True

    def add(self, **values) -> np.ndarray:
        """Append rows given as equal-length arrays (scalars broadcast); returns their indices."""
        k = max((self._rows(name, v) for name, v in values.items()), default=1)
        self.reserve(k)
        rows = slice(self.n, self.n + k)
        for name, value in values.items():
            getattr(self, name)[rows] = value
        self.size[0] += k
        return np.arange(rows.start, rows.stop)

    def _rows(self, name: str, value) -> int:
        """How many rows ``value`` gives field ``name`` (a scalar, or one row of a 2-D field, is one)."""
        two_d = isinstance(self.FIELDS[name], tuple)
        dims = np.ndim(value)
        if dims == 0 or (two_d and dims == 1):
            return 1
        return len(value)

    def view(self):
        """The struct of the current arrays for compiled steps (rebuilt only after growth)."""
        if self._view is None:
            from sim.model.innovation.structs import TABLE_CONSTRUCTORS

            build = TABLE_CONSTRUCTORS[type(self).__name__]
            arrays = (getattr(self, name) for name in (*self.COUNTS, *self.FIELDS))
            self._view = build(self.size, *arrays)
        return self._view


class TypeTable(Table):
    """Solution types: the catalogue, which grows as development creates new types.

    A type is what solutions compete on: the work it can take over (``addressable``, the share of each
    profession's hours in its sector) and how hard it is to adopt. Solutions of one type are substitutes;
    a later, better solution of a type (a successor) can replace an older one.

    Attributes (per type):
        sector: target sector. innovation_type: technological, organisational, process, service or
        structural. addressable [P]: share of each profession's hours in the sector it can touch.
        effect, effect_sd: mean and log-sd of a first-generation solution's true effect (share of the
        addressable hours saved). best_effect: the best true effect of the type's starting solutions
        (0 for a developed type); successors draw around it raised by ``successor_effect_gain``, so
        successors do not compound (a simplification: each generation improves on the 2025 state).
        complexity [7]: NASSS complexity of the type. impl_hours: training hours per trained staff member.
        weight: relative frequency among new developments. created_month, origin (CATALOGUE or DEVELOPED).
        coverage: share of the national addressable hours of the type in use (end of last month).
        largest_weight: the largest organisation's share of the type's addressable hours (the largest
        ``orgs.type_weight`` of the type, set with them by ``events.set_type_weights``).
        spread_workflows, common_evaluation, procurement_flexibility: this month's value of the three
        levers a programme can scope to some types (a scenario's [[programmes]]; otherwise the lever's
        own value), read by the mechanisms where these levers act on a solution of the type.
    """

    FIELDS = {
        "sector": np.int64,
        "innovation_type": np.int8,
        "addressable": (np.float64, N_PROF),
        "effect": np.float64,
        "effect_sd": np.float64,
        "best_effect": np.float64,
        "complexity": (np.int64, N_DOMAINS),
        "impl_hours": np.float64,
        "weight": np.float64,
        "created_month": np.int64,
        "origin": np.int8,
        "coverage": np.float64,
        "largest_weight": np.float64,
        "spread_workflows": np.float64,
        "common_evaluation": np.float64,
        "procurement_flexibility": np.float64,
    }

    def __init__(self, capacity: int = 64) -> None:
        super().__init__(capacity)


class SolutionTable(Table):
    """Every solution (product) of a run.

    Attributes (per solution):
        type, company: indices. generation: 0 for the first solution of its type, +1 for each successor.
        sector: its type's sector (-1 = any sector, used for the Bass check).
        true_effect: share of addressable hours saved at full use (unknown to buyers).
        claimed_effect: the company's claim (optimistic on average).
        transformative: high effect, high risk, long horizon.
        ready_month: month it becomes pilot-ready; on_market: offered to buyers.
        evidence: 0 none, 1 piloted, 2 evaluated positively, 3 proven (rolled out after a positive
        evaluation), national. challenge_org: organisation that posted the challenge it answers (-1).
        first_pilot_month: -1 until its first pilot. created_month.
        adopters: organisations rolling it out or using it now.
        coverage: share of its sector's addressable hours of its type covered by it (national, end of
        last month: the Bass imitation term).
        evidence_effect: the effect its evaluations found so far (their mean), which later adopters see;
        evaluations: how many there were. frontier_pilots: pilots started before its first positive
        evaluation.
        complexity [7]: NASSS complexity per domain (0 simple, 1 complicated, 2 complex).
    """

    FIELDS = {
        "type": np.int64,
        "company": np.int64,
        "generation": np.int64,
        "sector": np.int64,
        "true_effect": np.float64,
        "claimed_effect": np.float64,
        "transformative": bool,
        "ready_month": np.int64,
        "on_market": bool,
        "evidence": np.int8,
        "challenge_org": np.int64,
        "first_pilot_month": np.int64,
        "created_month": np.int64,
        "adopters": np.int64,
        "coverage": np.float64,
        "evidence_effect": np.float64,
        "evaluations": np.int64,
        "frontier_pilots": np.int64,
        "complexity": (np.int64, N_DOMAINS),
    }
    DEFAULTS = {"challenge_org": -1, "first_pilot_month": -1}

    def __init__(self, capacity: int = 512) -> None:
        super().__init__(capacity)


class Engagements(Table):
    """Organisation-solution engagements: one organisation working with one solution.

    Adoption is a *coverage*: the share of the organisation's addressable work of the solution's type
    (units, wards, districts, citizens) that uses it. It grows during ROLLOUT towards ``target`` and stays
    there IN_USE; a successor rolling out in the same organisation takes over covered work first.

    Attributes (per engagement): org, sol; stage and the months left in it (``timer``); month started and
    month its current roll-out started (-1 until then; a kept unit's scale-up restarts it); coverage and
    its target; the solution's true effect (the realised effect on covered work also follows the
    organisation's competence, ``pipeline.freed_hours_step``); the
    organisation's estimate of the effect; route in (``via``); procurement route; whether the procurement
    will be lost (set when it starts); the yearly licence price per covered addressable FTE; the staff FTE
    its pilot or local test and evaluation take; its scope: UNIT (a frontier pilot kept in the unit that
    ran it) or ORGANISATION (a take-up rolled out across the organisation's work).
    """

    FIELDS = {
        "org": np.int64,
        "sol": np.int64,
        "stage": np.int8,
        "timer": np.float64,
        "started": np.int64,
        "adopted": np.int64,
        "coverage": np.float64,
        "target": np.float64,
        "effect": np.float64,
        "est_effect": np.float64,
        "via": np.int8,
        "route": np.int8,
        "lost": bool,
        "price_fte_year": np.float64,
        "project_fte": np.float64,
        "scope": np.int8,
    }
    DEFAULTS = {"adopted": -1, "scope": 1}

    def __init__(self, capacity: int = 2048) -> None:
        super().__init__(capacity)

    def in_stage(self, *stages: int) -> np.ndarray:
        """Indices of engagements in any of ``stages``."""
        return np.flatnonzero(np.isin(self.stage[: self.n], stages))


class CompanyTable(Table):
    """Company state (one row per ``Company`` agent).

    Attributes:
        kind: STARTUP, SME or LARGE. status: ALIVE, FAILED or SCALED (a scaled start-up is alive).
        cash: DKK. burn: DKK per month. revenue_year: public revenue per year, smoothed (each month
        ``revenue_year * 11/12 + revenue_month``: about the last 12 months' sum at a steady revenue; DKK).
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
    DEFAULTS = {"failed_month": -1}

    def __init__(self, capacity: int = 1024) -> None:
        super().__init__(capacity)


class PartnershipTable(Table):
    """Partnerships: organisation, company, form, start and end month (-1 = open-ended), active, and
    scale (its size in reference sizes: a project's pilot, a strategic partner's organisation).

    ``live`` is not an attribute of a row but a list: its first ``n_live[0]`` entries are the rows of the
    partnerships not yet ended, in the order they were formed (``events.add_partnership`` appends;
    ``partnerships.partnership_step`` drops the ended ones each month). The monthly loops over
    partnerships walk this list, not the whole table (most partnerships of a run have ended), and still
    check ``active``, since a partnership can end between two monthly compactions. Rows are added only
    by the compiled ``events.add_partnership``.
    """

    FIELDS = {
        "org": np.int64,
        "company": np.int64,
        "form": np.int8,
        "start": np.int64,
        "end": np.int64,
        "active": bool,
        "scale": np.float64,
        "live": np.int64,
    }
    COUNTS = ("n_live",)

    def __init__(self, capacity: int = 2048) -> None:
        super().__init__(capacity)

    def active_count(self, form: int | None = None) -> int:
        n = self.n
        mask = self.active[:n] if form is None else self.active[:n] & (self.form[:n] == form)
        return int(mask.sum())


TABLES = (TypeTable, SolutionTable, Engagements, CompanyTable, PartnershipTable)

# ----------------------------------------------------------------------------------------------------
# parameters

# calibration sections whose entries the compiled steps read (by key without the section prefix)
PARAM_SECTIONS = (
    "innovation",
    "companies",
    "lever_effects",
    "procurement",
    "incentives",
    "risk_budget",
)


def _calibration_keys() -> tuple[str, ...]:
    from sim.scenario import calibration_defaults

    return tuple(k for k in calibration_defaults() if k.split(".", 1)[0] in PARAM_SECTIONS)


CALIBRATION_KEYS = _calibration_keys()
# spread_workflows_status_quo: the lever's status-quo value (a practice gap closes only above it);
# practice_gaps: the number of engagements the starting state gave a practice gap (initial.py)
MODEL_PARAMS = (
    "hours_per_fte",
    "n_types_catalogue",
    "frictionless",
    "spread_workflows_status_quo",
    "practice_gaps",
)
PARAM_NAMES = (
    tuple(key.split(".", 1)[1] for key in CALIBRATION_KEYS)
    + tuple(LEVERS)
    + tuple(UNCERTAINTIES)
    + MODEL_PARAMS
)
# Every number the compiled steps use, by name. One row of a structured array reaches compiled code by
# reference, so its size costs nothing per call; its fields read as attributes (``par.pilot_cost_dkk``).
# Lever fields hold this month's value of the lever (its schedule, ``InnovationLayer.set_month``).
PARAMS_DTYPE = np.dtype([(name, np.float64) for name in PARAM_NAMES])


def make_params(scenario, hours_per_fte: float, n_types: int) -> np.ndarray:
    """The scenario's parameters, status-quo-or-scheduled levers (set each month) and uncertainties as a
    one-row array of ``PARAMS_DTYPE`` (compiled steps read ``par = st.params[0]``)."""
    values = {key.split(".", 1)[1]: scenario.param_number(key) for key in CALIBRATION_KEYS}
    values.update({name: float(LEVERS[name].status_quo) for name in LEVERS})
    values.update({k: float(v) for k, v in scenario.uncertainties.model_dump().items()})
    values["hours_per_fte"] = float(hours_per_fte)
    values["spread_workflows_status_quo"] = float(LEVERS["spread_workflows"].status_quo)
    values["n_types_catalogue"] = float(n_types)
    params = np.zeros(1, PARAMS_DTYPE)
    for name, value in values.items():
        params[name] = value
    # fields read as attributes: compiled code sees a record; plain Python needs a np.record
    return params.view(np.recarray) if PURE_PYTHON else params


# ----------------------------------------------------------------------------------------------------
# the compiled side: numba StructRef types over the same arrays (passed by reference)


def _array_type(spec) -> types.Array:
    """The numba type of a table field: (dtype) -> 1-D, (dtype, width) -> 2-D, C-contiguous."""
    dtype, width = spec if isinstance(spec, tuple) else (spec, None)
    return types.Array(numba.from_dtype(np.dtype(dtype)), 1 if width is None else 2, "C")


def table_fields(table: type[Table]) -> list[tuple[str, types.Type]]:
    """(name, numba type) of a table's struct: ``size``, its COUNTS, then its FIELDS in order."""
    counts = [(name, types.int64[::1]) for name in ("size", *table.COUNTS)]
    return counts + [(k, _array_type(v)) for k, v in table.FIELDS.items()]


@structref.register
class TypeTableStruct(types.StructRef):
    """Numba type of the solution-type table (``st.types``)."""


@structref.register
class SolutionTableStruct(types.StructRef):
    """Numba type of the solution table (``st.sols``)."""


@structref.register
class EngagementsStruct(types.StructRef):
    """Numba type of the engagement table (``st.eng``)."""


@structref.register
class CompanyTableStruct(types.StructRef):
    """Numba type of the company table (``st.comp``)."""


@structref.register
class PartnershipTableStruct(types.StructRef):
    """Numba type of the partnership table (``st.parts``)."""


@structref.register
class OrgsStruct(types.StructRef):
    """Numba type of the organisation-level state (``st.orgs``)."""


@structref.register
class KernelStruct(types.StructRef):
    """Numba type of ``st``: everything a compiled step reads or writes."""


class _Proxy(structref.StructRefProxy):
    """A compiled-side struct held by Python (its fields are reached through the owning tables)."""


TABLE_STRUCT_TYPES = {
    TypeTable: TypeTableStruct(table_fields(TypeTable)),
    SolutionTable: SolutionTableStruct(table_fields(SolutionTable)),
    Engagements: EngagementsStruct(table_fields(Engagements)),
    CompanyTable: CompanyTableStruct(table_fields(CompanyTable)),
    PartnershipTable: PartnershipTableStruct(table_fields(PartnershipTable)),
}
# organisation-level state, ``st.orgs`` (arrays owned by ``InnovationLayer``)
ORG_FIELDS = {
    "sector": types.int64[::1],
    "region": types.int64[::1],
    "region_share": types.float64[::1],  # the organisation's share of its region's staff FTE
    "region_weight": types.float64[::1],  # [regions] each region's share of the nation's staff FTE
    "fund": types.int64[::1],  # index of the risk fund that pays for the organisation (pooling)
    "sector_orgs": types.int64[::1],  # organisations grouped by sector
    "sector_start": types.int64[::1],  # [sectors + 1]: where each sector's group starts
    "size_fte": types.float64[::1],  # staff FTE this month
    "tech_budget": types.float64[::1],  # DKK: balance for licences, implementation, evaluation
    "base_running_dkk": types.float64[::1],  # DKK a month: running costs of the starting portfolio
    "risk_fund": types.float64[::1],  # [funds] DKK: risk-fund balances
    "capacity_fte": types.float64[::1],  # FTE of staff time available to innovation projects
    "used_fte": types.float64[::1],  # FTE of project time in use this month
    "champion_factor": types.float64[::1],
    "competence": types.float64[::1],
    "strategic_count": types.int64[::1],
    "type_coverage": types.float64[:, ::1],  # [O, K] coverage of each type (sum over its solutions)
    "type_weight": types.float64[:, ::1],  # [O, K] organisation's share of its sector's type hours
    "type_effect": types.float64[:, ::1],  # [O, K] best realised effect of the type in use
    "type_leader": types.float64[:, ::1],  # [O, K] scratch: best effect rolling out this month
    "cash_kept": types.float64[::1],  # DKK this month: savings and OPI revenue kept for innovation
}
GENERATOR = numba.typeof(np.random.default_rng(0))  # numpy Generators, drawn from in compiled code
KERNEL_STREAMS = ("companies", "matching", "pilots", "procurement", "implementation")
KERNEL_ARRAYS = {
    "engagement_of": types.int32[
        :, ::1
    ],  # [S, O] the organisation's engagement with the solution (-1)
    "region_contracts": types.float64[:, ::1],  # [S, regions] share of the region under contract
    "national_contract": types.boolean[::1],  # [S] a national framework contract to call off
    "worked_with": types.boolean[:, ::1],  # [O, C] the organisation has worked with the company
    "strategic": types.boolean[:, ::1],  # [O, C] an active strategic partnership
    "active": types.int64[::1],  # engagements not ended (first ``n_active[0]`` entries)
    "n_active": types.int64[::1],
    "supply": types.float64[:, ::1],  # [O, P] FTE, this month
    "demand": types.float64[:, ::1],  # [O, P] FTE, this month
    "strain": types.float64[:, ::1],  # [O, P] this month
    "potential_left": types.float64[:, ::1],  # [sectors, P] freeable share left for new types
    "counts": types.float64[:, ::1],  # [counters, sectors] events of the month
    "cost": types.float64[:, ::1],  # [sectors, purposes] public spending of the month, DKK
    "freed": types.float64[:, ::1],  # [O, P] gross FTE freed this month
    "work": types.float64[:, ::1],  # [O, P] FTE innovation costs this month
    "pipeline_stats": types.float64[:, ::1],  # [PIPELINE_STATS, sectors + 1]; last column: all
    "money_stats": types.float64[::1],  # MONEY_STATS, at the end of the month
}
ORGS_STRUCT = OrgsStruct(list(ORG_FIELDS.items()))
KERNEL_STRUCT = KernelStruct(
    [(name, TABLE_STRUCT_TYPES[table]) for name, table in zip(
        ("types", "sols", "eng", "comp", "parts"), TABLES, strict=True
    )]
    + [("orgs", ORGS_STRUCT)]
    + list(KERNEL_ARRAYS.items())
    + [("params", numba.from_dtype(PARAMS_DTYPE)[::1])]
    + [(f"rng_{name}", GENERATOR) for name in KERNEL_STREAMS]
)  # fmt: skip
KERNEL_TABLE_NAMES = ("types", "sols", "eng", "comp", "parts")
for _struct_type in (*map(type, TABLE_STRUCT_TYPES.values()), OrgsStruct, KernelStruct):
    structref.define_boxing(_struct_type, _Proxy)


if PURE_PYTHON:
    from types import SimpleNamespace

    def new_struct(struct_type) -> SimpleNamespace:
        """On the pure-Python path a struct is a plain namespace with the same fields."""
        return SimpleNamespace()

else:
    new_struct = structref.new  # an intrinsic: usable only inside compiled functions
