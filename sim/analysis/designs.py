"""Sensitivity designs ``ofat``, ``morris`` and ``sobol``: the SALib samples, as experiment designs.

Registered into the experiment layer's design registry, so an analysis experiment runs through the same
executors, seeds, storage and ``--resume`` as any experiment. The ``[design]`` table names the factors and
the sample size; the ``[analysis]`` table (passed through by the experiment layer) says how the model's
randomness is treated::

    [design]
    kind = "sobol"                  # "ofat" | "morris" | "sobol"
    levers = "all"                  # or a list of lever names; range LEVERS[name].low .. .high
    uncertainties = ["effect_size"] # or "all"; range UNCERTAINTIES[name].low .. .high
    structural = "all"              # or a list: calibrated coefficients over their posterior 5-95%
    n = 1024                        # sobol: base sample size N (a power of 2); runs N (D + 2)
    second_order = false            # sobol: also S2 (runs N (2D + 2))
    # trajectories = 20, levels = 4 # morris: runs r (D + 1); optimal_trajectories = k picks k of r
    # points = 5                    # ofat: values per factor, evenly spaced over its range
    [design.factors]                # any other factor, or a narrower range: dotted key -> [low, high]
    "uncertainties.demography" = [0.9, 1.1]

    [analysis]
    randomness = "seed_factor"      # or "replicate_mean" (sobol and morris; ofat always averages)

Randomness (VALIDATION.md s4). ``seed_factor`` (the default for Morris and Sobol) samples the seed as one
more factor ``seed`` in [0, 1) and maps it to an integer ``seed_key``; the experiment layer derives the run
seed from ``(master_seed, seed_key)`` alone, so the seed is held fixed within each Saltelli pair (and along
each Morris trajectory) and the seed's own index is the noise share ``E[Var(Y|X)] / Var(Y)``. This keeps the
factors' total indices unbiased: with ``replicate_mean`` the mean of R runs still carries noise of variance
``s^2 / R`` which every total index absorbs (ST inflated by about ``noise / (R Var)``). ``replicate_mean``
needs no extra factor and is the right choice for deterministic models. OFAT uses common random numbers:
every point's replication r has the same seed, so differences between points are paired.

The SALib sample is drawn from a seed derived from the master seed, so it is reproducible, and the
analysis regenerates it from the stored experiment file to restore SALib's order and check the design.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ExperimentError, did_you_mean
from sim.experiments.designs import factor_range, register_design
from sim.experiments.seeds import derive_seed
from sim.experiments.spec import flatten_dotted

METHODS = ("ofat", "morris", "sobol")
RANDOMNESS = ("seed_factor", "replicate_mean")
SEED_FACTOR = "seed"
SEED_KEY_SPAN = 2**31
_SAMPLE_SEED_TAG = 0x5A11B  # the SALib sample's stream, apart from the runs' seeds

_COMMON_KEYS = ("kind", "levers", "uncertainties", "structural", "factors")
_METHOD_KEYS = {
    "ofat": ("points",),
    "morris": ("trajectories", "levels", "optimal_trajectories"),
    "sobol": ("n", "second_order"),
}
ANALYSIS_KEYS = {
    "randomness": 'how model randomness is treated: "seed_factor" or "replicate_mean"',
    "outcomes": "a list of summary outcome names to analyse",
    "ranking_outcome": "the outcome levers are ranked by (default fte_freed_2035 if analysed)",
    "ci_width_warning": "warn when an interval's half-width exceeds this share of its index (0..10)",
    "ci_min_index": "ignore the interval-width warning for indices below this value (>= 0)",
    "conf_level": "confidence level of the intervals, in (0, 1)",
    "num_resamples": "bootstrap resamples for the intervals (an integer >= 10)",
    "nan_outcomes": '"refuse" (default: a NaN outcome stops the analysis) or "skip" (no indices for it)',
}
DEFAULT_OUTCOMES = (
    "fte_freed_2030",
    "fte_freed_2035",
    "gap_share_2035",
    "public_cost_per_fte_freed_dkk",
    "startups_alive_2035",
)


@dataclass(frozen=True)
class Factor:
    """One analysed factor.

    Attributes:
        name: the design column (dotted scenario key, or a bare name for scenario-less models).
        low, high: the sampled range.
        kind: ``lever``, ``uncertainty``, ``factor`` (other keys) or ``seed``.
        integer: values are rounded to integers in the design (integer levers).
    """

    name: str
    low: float
    high: float
    kind: str
    integer: bool = False

    @property
    def short(self) -> str:
        """The name without its section, e.g. ``risk_budget``."""
        return self.name.split(".")[-1]


@dataclass(frozen=True)
class AnalysisOptions:
    """The validated ``[analysis]`` table."""

    randomness: str
    outcomes: tuple[str, ...] | None = None
    ranking_outcome: str | None = None
    ci_width_warning: float = 0.5
    ci_min_index: float = 0.05
    conf_level: float = 0.95
    num_resamples: int = 200
    nan_outcomes: str = "refuse"


@dataclass(frozen=True)
class Plan:
    """A validated sensitivity design: method, factors, sample size and randomness treatment.

    Attributes:
        method: ``ofat``, ``morris`` or ``sobol``.
        factors: the model factors in the design's column order (the seed factor is not among them).
        options: the ``[analysis]`` options.
        settings: method settings (``n``, ``second_order``, ``trajectories``, ``levels``,
            ``optimal_trajectories``, ``points``).
        sample_seed: seed of the SALib sample.
        origin: where the plan came from, for messages.
    """

    method: str
    factors: tuple[Factor, ...]
    options: AnalysisOptions
    settings: dict[str, Any] = field(default_factory=dict)
    sample_seed: int = 0
    origin: str = "<dict>"

    @property
    def seed_is_factor(self) -> bool:
        """Whether the seed is sampled as an extra factor."""
        return self.method != "ofat" and self.options.randomness == "seed_factor"

    @property
    def analysed_factors(self) -> tuple[Factor, ...]:
        """The factors SALib sees: the model factors plus the seed when it is a factor."""
        if self.seed_is_factor:
            return (*self.factors, Factor(SEED_FACTOR, 0.0, 1.0, "seed"))
        return self.factors

    def problem(self) -> dict[str, Any]:
        """The SALib problem over the analysed factors."""
        facs = self.analysed_factors
        return {
            "num_vars": len(facs),
            "names": [f.name for f in facs],
            "bounds": [[f.low, f.high] for f in facs],
        }


def _err(origin: str, key: str, value: Any, allowed: str) -> ExperimentError:
    return ExperimentError(f"{origin}: key '{key}' = {value!r} is invalid; allowed: {allowed}")


def _int_setting(table: dict, key: str, default: int | None, low: int, origin: str) -> int | None:
    value = table.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise _err(origin, f"design.{key}", value, f"an integer >= {low}")
    return value


def parse_analysis(
    table: dict[str, Any], method: str, replications: int, origin: str
) -> AnalysisOptions:
    """Validate the ``[analysis]`` table of a sensitivity experiment.

    Raises:
        ExperimentError: unknown key or bad value, naming the file and what is allowed.
    """
    for key in table:
        if key not in ANALYSIS_KEYS:
            raise ExperimentError(
                f"{origin}: unknown key 'analysis.{key}'; allowed keys: {', '.join(ANALYSIS_KEYS)}"
                f"{did_you_mean(key, ANALYSIS_KEYS)}"
            )
    default = "replicate_mean" if method == "ofat" else "seed_factor"
    randomness = table.get("randomness", default)
    if randomness not in RANDOMNESS:
        raise _err(origin, "analysis.randomness", randomness, '"seed_factor" or "replicate_mean"')
    if method == "ofat" and randomness != "replicate_mean":
        raise _err(
            origin,
            "analysis.randomness",
            randomness,
            '"replicate_mean" for kind = "ofat" (it averages replications under common random numbers)',
        )
    if randomness == "seed_factor" and replications != 1:
        raise ExperimentError(
            f"{origin}: key 'experiment.replications' = {replications} does not fit "
            f"analysis.randomness = 'seed_factor' (one run per design point, the seed is a sampled "
            f'factor); allowed: replications = 1, or randomness = "replicate_mean"'
        )
    outcomes = table.get("outcomes")
    if outcomes is not None and (
        not isinstance(outcomes, list)
        or not outcomes
        or not all(isinstance(o, str) for o in outcomes)
    ):
        raise _err(origin, "analysis.outcomes", outcomes, "a non-empty list of outcome names")
    ranking = table.get("ranking_outcome")
    if ranking is not None and (
        not isinstance(ranking, str) or (outcomes and ranking not in outcomes)
    ):
        raise _err(origin, "analysis.ranking_outcome", ranking, "one of analysis.outcomes")

    def number(key: str, default: float, low: float, high: float, open_low: bool = False) -> float:
        value = table.get(key, default)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok = ok and (value > low if open_low else value >= low) and value <= high
        if not ok:
            lo = f"> {low}" if open_low else f">= {low}"
            raise _err(origin, f"analysis.{key}", value, f"a number {lo} and <= {high}")
        return float(value)

    resamples = table.get("num_resamples", 200)
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 10:
        raise _err(origin, "analysis.num_resamples", resamples, "an integer >= 10")
    conf = number("conf_level", 0.95, 0.0, 0.999, open_low=True)
    nan_outcomes = table.get("nan_outcomes", "refuse")
    if nan_outcomes not in ("refuse", "skip"):
        raise _err(origin, "analysis.nan_outcomes", nan_outcomes, '"refuse" or "skip"')
    return AnalysisOptions(
        randomness=randomness,
        outcomes=tuple(outcomes) if outcomes else None,
        ranking_outcome=ranking,
        ci_width_warning=number("ci_width_warning", 0.5, 0.0, 10.0, open_low=True),
        ci_min_index=number("ci_min_index", 0.05, 0.0, 1.0),
        conf_level=conf,
        num_resamples=resamples,
        nan_outcomes=nan_outcomes,
    )


def _names(value: Any, allowed: dict[str, Any], key: str, origin: str) -> list[str]:
    if value == "all":
        return list(allowed)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _err(origin, key, value, f'"all" or a list of names from: {", ".join(allowed)}')
    for name in value:
        if name not in allowed:
            raise ExperimentError(
                f"{origin}: key '{key}' names unknown {key.split('.')[-1][:-1]} {name!r}; allowed: "
                f"{', '.join(allowed)}{did_you_mean(name, allowed)}"
            )
    if len(set(value)) != len(value):
        raise _err(origin, key, value, "each name once")
    return list(value)


def structural_ranges(
    value: Any, origin: str, uses_scenario: bool, model: str
) -> dict[str, tuple[float, float]]:
    """``[design] structural = "all"`` or a list of coefficients: each calibrated coefficient as a factor
    over its posterior 5-95% interval (``sim/data/posterior.parquet``). ``"all"`` leaves out the
    coefficients of the historical starting state (``calibration.history.*``), which a run from 2025 does
    not read; a list may name them.

    Raises:
        ExperimentError: no posterior, a scenario-less model, or a coefficient it does not hold.
    """
    from sim.calibration.posterior import acts_from_2025, posterior_available, posterior_intervals

    if not uses_scenario:
        raise ExperimentError(
            f"{origin}: key 'design.structural' needs a scenario model but model {model!r} takes "
            f"none; allowed: list its factors in [design.factors]"
        )
    if not posterior_available():
        raise ExperimentError(
            f"{origin}: key 'design.structural' needs the calibrated posterior "
            f"(sim/data/posterior.parquet), which is not there; allowed: run `opisim calibrate "
            f"experiments/calibrate_history.toml --ship`, or give calibration.* keys with ranges in "
            f"[design.factors]"
        )
    intervals = posterior_intervals()
    if value == "all":
        intervals = {k: v for k, v in intervals.items() if acts_from_2025(k)}
    names = _names(value, intervals, "design.structural", origin)
    return {name: intervals[name] for name in names}


def parse_factors(table: dict[str, Any], origin: str, model: str) -> tuple[Factor, ...]:
    """The factors named by ``levers``, ``uncertainties`` and ``[design.factors]``, in that order.

    Raises:
        ExperimentError: unknown lever, uncertainty or factor, or a range outside the allowed one.
    """
    from sim.experiments.models import get_model
    from sim.levers import LEVERS, UNCERTAINTIES

    adapter = get_model(model)
    ranges: dict[str, tuple[float, float]] = {}
    for section, rows in (("levers", LEVERS), ("uncertainties", UNCERTAINTIES)):
        if section not in table:
            continue
        if not adapter.uses_scenario:
            raise ExperimentError(
                f"{origin}: key 'design.{section}' needs a scenario model but model {model!r} takes "
                f"none; allowed: list its factors in [design.factors]"
            )
        for name in _names(table[section], rows, f"design.{section}", origin):
            ranges[f"{section}.{name}"] = (float(rows[name].low), float(rows[name].high))
    if "structural" in table:
        ranges.update(structural_ranges(table["structural"], origin, adapter.uses_scenario, model))
    extra = table.get("factors", {})
    if not isinstance(extra, dict):
        raise _err(origin, "design.factors", extra, "a table of factor keys to [low, high]")
    for key, rng in flatten_dotted(extra).items():
        where = f"design.factors.{key}"
        if key == SEED_FACTOR:
            raise ExperimentError(
                f"{origin}: key '{where}': '{SEED_FACTOR}' is reserved; allowed: set "
                f'analysis.randomness = "seed_factor" to make the seed a factor'
            )
        allowed = factor_range(key, origin, where, model)
        ok = (
            isinstance(rng, list)
            and len(rng) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in rng)
            and rng[0] < rng[1]
        )
        if not ok:
            raise _err(origin, where, rng, "[low, high] with low < high")
        if allowed is not None and not (allowed[0] <= rng[0] and rng[1] <= allowed[1]):
            raise ExperimentError(
                f"{origin}: key '{where}' = {rng!r} is out of range; allowed: within "
                f"[{allowed[0]:g}, {allowed[1]:g}]"
            )
        ranges[key] = (float(rng[0]), float(rng[1]))
    if not ranges:
        raise ExperimentError(
            f"{origin}: the design names no factors; allowed: 'design.levers', 'design.uncertainties' "
            f"or a [design.factors] table of key -> [low, high]"
        )
    structural_keys = (
        set(structural_ranges(table["structural"], origin, True, model))
        if "structural" in table
        else set()
    )
    factors = []
    for key, (low, high) in ranges.items():
        section, _, name = key.partition(".")
        kind = (
            {"levers": "lever", "uncertainties": "uncertainty"}.get(section, "factor")
            if name
            else "factor"
        )
        if key in structural_keys:
            kind = "structural"
        integer = kind == "lever" and LEVERS[name].integer
        factors.append(Factor(key, low, high, kind, integer))
    return tuple(factors)


def parse_plan(
    design: dict[str, Any],
    analysis: dict[str, Any],
    origin: str,
    model: str,
    master_seed: int,
    replications: int,
) -> Plan:
    """Validate a sensitivity ``[design]`` and ``[analysis]`` into a :class:`Plan`.

    Raises:
        ExperimentError: naming the file, the key and what is allowed.
    """
    method = design.get("kind")
    if method not in METHODS:
        raise _err(origin, "design.kind", method, ", ".join(METHODS))
    allowed = _COMMON_KEYS + _METHOD_KEYS[method]
    for key in design:
        if key not in allowed:
            raise ExperimentError(
                f"{origin}: unknown key 'design.{key}' for kind = {method!r}; allowed keys: "
                f"{', '.join(allowed)}{did_you_mean(key, allowed)}"
            )
    options = parse_analysis(analysis, method, replications, origin)
    factors = parse_factors(design, origin, model)
    settings: dict[str, Any] = {}
    if method == "sobol":
        if "n" not in design:
            raise ExperimentError(
                f"{origin}: missing key 'design.n'; allowed: the base sample size N, a power of 2 "
                f"(the design runs N (D + 2) points, N (2D + 2) with second_order)"
            )
        settings["n"] = _int_setting(design, "n", None, 2, origin)
        second = design.get("second_order", False)
        if not isinstance(second, bool):
            raise _err(origin, "design.second_order", second, "true or false")
        settings["second_order"] = second
    elif method == "morris":
        settings["trajectories"] = _int_setting(design, "trajectories", 10, 2, origin)
        levels = _int_setting(design, "levels", 4, 2, origin)
        if levels % 2:
            raise _err(origin, "design.levels", levels, "an even integer >= 2 (4 is standard)")
        settings["levels"] = levels
        optimal = _int_setting(design, "optimal_trajectories", None, 2, origin)
        if optimal is not None and optimal >= settings["trajectories"]:
            raise _err(
                origin, "design.optimal_trajectories", optimal, "fewer than design.trajectories"
            )
        settings["optimal_trajectories"] = optimal
    else:
        settings["points"] = _int_setting(design, "points", 5, 2, origin)
    return Plan(
        method=method,
        factors=factors,
        options=options,
        settings=settings,
        sample_seed=derive_seed(master_seed, _SAMPLE_SEED_TAG) % 2**32,
        origin=origin,
    )


def is_power_of_two(n: int) -> bool:
    """Whether ``n`` is a positive power of 2."""
    return n > 0 and n & (n - 1) == 0


def salib_sample(plan: Plan) -> np.ndarray:
    """The SALib sample (rows in SALib's order, columns = ``plan.analysed_factors``), unrounded.

    Sobol: Saltelli's scheme on a scrambled Sobol' sequence (``SALib.sample.sobol``); nested, so the first
    ``N (D + 2)`` rows of a ``2N`` sample are the ``N`` sample. Morris: ``SALib.sample.morris``.
    """
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    problem = plan.problem()
    if plan.method == "sobol":
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore"
            )  # the non-power-of-2 warning is reported by the analysis
            return sobol_sample.sample(
                problem,
                plan.settings["n"],
                calc_second_order=plan.settings["second_order"],
                scramble=True,
                seed=plan.sample_seed,
            )
    if plan.method == "morris":
        return morris_sample.sample(
            problem,
            plan.settings["trajectories"],
            num_levels=plan.settings["levels"],
            optimal_trajectories=plan.settings["optimal_trajectories"],
            seed=plan.sample_seed,
        )
    raise ValueError(f"no SALib sample for method {plan.method!r}")


def _round_integers(frame: pd.DataFrame, factors: tuple[Factor, ...]) -> pd.DataFrame:
    for f in factors:
        if f.integer:
            frame[f.name] = frame[f.name].round().astype("int64")
    return frame


def seed_keys(plan: Plan, sample: np.ndarray) -> np.ndarray:
    """Integer seed keys from the seed factor's column (the last) of a SALib sample.

    Sobol: ``floor(u 2^31)``. Morris: ``trajectory * levels + level`` (the seed stays fixed along a
    trajectory except at its own step; different trajectories get different seeds).
    """
    u = sample[:, -1]
    if plan.method == "sobol":
        return np.floor(u * SEED_KEY_SPAN).astype("int64")
    levels = plan.settings["levels"]
    rows_per_traj = len(plan.analysed_factors) + 1
    traj = np.arange(len(u)) // rows_per_traj
    return (traj * levels + np.rint(u * (levels - 1))).astype("int64")


def sample_labels(plan: Plan, n_rows: int) -> list[str]:
    """Readable labels: Sobol ``n00012:AB:x1`` (base row and matrix), Morris ``t003s02``."""
    names = [f.short for f in plan.analysed_factors]
    d = len(names)
    if plan.method == "sobol":
        roles = ["A", *(f"AB:{n}" for n in names)]
        if plan.settings["second_order"]:
            roles += [f"BA:{n}" for n in names]
        roles.append("B")
        return [f"n{i // len(roles):05d}:{roles[i % len(roles)]}" for i in range(n_rows)]
    return [f"t{i // (d + 1):03d}s{i % (d + 1):02d}" for i in range(n_rows)]


def base_values(plan: Plan, base: Any) -> dict[str, float]:
    """Each factor's base value: the base scenario's value, or the middle of the range."""
    values = {}
    for f in plan.factors:
        value = None
        if base is not None and f.kind in ("lever", "uncertainty"):
            section = base.levers if f.kind == "lever" else base.uncertainties
            value = getattr(section, f.short, None)
        values[f.name] = float(value) if value is not None else (f.low + f.high) / 2.0
    return values


def ofat_frame(plan: Plan, base: Any) -> pd.DataFrame:
    """OFAT: the base point, then each factor over ``points`` values (plus, for levers, the status-quo
    and recommended values), the others at base. Every row has ``seed_key`` 0: common random numbers."""
    from sim.levers import LEVERS

    centre = base_values(plan, base)
    rows = [{"label": "base", **centre}]
    for f in plan.factors:
        values = list(np.linspace(f.low, f.high, plan.settings["points"]))
        if f.kind == "lever":
            values += [LEVERS[f.short].status_quo, LEVERS[f.short].recommended]
        if f.integer:
            values = [float(round(v)) for v in values]
        seen = {round(centre[f.name], 12)}
        for v in sorted(values):
            if round(v, 12) in seen:
                continue
            seen.add(round(v, 12))
            rows.append({"label": f"{f.short}={v:g}", **centre, f.name: float(v)})
    frame = pd.DataFrame(rows, columns=["label", *(f.name for f in plan.factors)])
    frame = _round_integers(frame, plan.factors)
    frame.insert(0, "point", np.arange(len(frame), dtype="int64"))
    frame["seed_key"] = np.zeros(len(frame), dtype="int64")
    return frame


def design_frame(plan: Plan, base: Any = None) -> pd.DataFrame:
    """The design table of a plan: ``point``, ``label``, factor columns, ``seed_key`` where needed."""
    if plan.method == "ofat":
        return ofat_frame(plan, base)
    sample = salib_sample(plan)
    names = [f.name for f in plan.factors]
    frame = pd.DataFrame(sample[:, : len(names)], columns=names)
    frame = _round_integers(frame, plan.factors)
    frame.insert(0, "label", sample_labels(plan, len(sample)))
    frame.insert(0, "point", np.arange(len(sample), dtype="int64"))
    if plan.seed_is_factor:
        frame["seed_key"] = seed_keys(plan, sample)
    return frame


def plan_from_spec(spec: Any) -> Plan:
    """The plan of an :class:`~sim.experiments.spec.ExperimentSpec`."""
    return parse_plan(
        dict(spec.design),
        dict(spec.analysis),
        spec.origin,
        spec.model,
        spec.master_seed,
        spec.replications,
    )


def _builder(table: dict[str, Any], origin: str, base: Any, spec: Any = None) -> pd.DataFrame:
    if spec is None:
        raise ExperimentError(
            f"{origin}: sensitivity designs need the experiment spec (model, master seed, replications)"
        )
    return design_frame(plan_from_spec(spec), base)


def expected_runs(plan: Plan, replications: int = 1) -> int:
    """The number of runs the plan needs (design points times replications)."""
    d = len(plan.analysed_factors)
    if plan.method == "sobol":
        per = 2 * d + 2 if plan.settings["second_order"] else d + 2
        return plan.settings["n"] * per * replications
    if plan.method == "morris":
        r = plan.settings["optimal_trajectories"] or plan.settings["trajectories"]
        return r * (d + 1) * replications
    return len(ofat_frame(plan, None)) * replications


for _kind in METHODS:
    register_design(_kind, _builder)

__all__ = [
    "AnalysisOptions",
    "Factor",
    "Plan",
    "design_frame",
    "expected_runs",
    "is_power_of_two",
    "parse_plan",
    "plan_from_spec",
    "salib_sample",
    "seed_keys",
]
