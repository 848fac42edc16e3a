"""Experiment designs: the table of design points an experiment runs (scenario list, grid, Latin hypercube,
response curves).

A design builder turns the ``[design]`` table of an experiment file into a DataFrame with one row per
design point: ``point`` (0..n-1, the design's own order), ``label``, one column per factor (dotted key,
e.g. ``levers.risk_budget``; ``scenario`` for a scenario list) and optionally an integer ``seed_key``
column (see ``seeds.py``). Builders are registered by kind with :func:`register_design`; the sensitivity
layer registers ``ofat``, ``morris`` and ``sobol`` from ``sim.analysis.designs``, the decision analyses
``recommend`` (``sim.analysis.recommend``) and ``goal`` / ``portfolios`` (``sim.analysis.goal``), imported
lazily.

A builder is called as ``builder(design_table, origin, base)`` (or with a fourth keyword argument
``spec``, the :class:`ExperimentSpec`, if its signature has one) and raises
:class:`sim.errors.ExperimentError` for a bad table, naming ``origin``, the key and what is allowed.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.errors import ExperimentError, ScenarioError, did_you_mean
from sim.experiments.spec import ExperimentSpec, flatten_dotted

DesignBuilder = Callable[..., pd.DataFrame]

_DESIGNS: dict[str, DesignBuilder] = {}
_LHS_SEED_TAG = 0x1D5  # distinguishes the design's random stream from the runs' seeds


def register_design(kind: str, builder: DesignBuilder) -> None:
    """Register a design builder for ``[design] kind = "<kind>"``."""
    _DESIGNS[kind] = builder


def _load_plugins() -> None:
    """Let the analysis layer register its design kinds (ofat, morris, sobol, recommend, goal,
    portfolios)."""
    import sim.analysis.designs  # noqa: F401
    import sim.analysis.goal  # noqa: F401
    import sim.analysis.recommend  # noqa: F401


def available_designs() -> list[str]:
    """All registered design kinds."""
    _load_plugins()
    return list(_DESIGNS)


def factor_range(
    key: str, origin: str, where: str, model: str = "opisim"
) -> tuple[float, float] | None:
    """Check a factor key and return its allowed (low, high) range, or None if it has none.

    Scenario models take dotted scenario keys: ``levers.<lever>`` and ``uncertainties.<name>`` (ranges
    from ``sim.levers``) and other sections' keys (``world.*``, ``time.*``, ``innovation.*``,
    ``calibration.*``; checked when applied). Scenario-less models take the names they declare.

    Raises:
        ExperimentError: unknown lever, uncertainty or factor, naming the file, key and allowed names.
    """
    from sim.experiments.models import get_model
    from sim.levers import LEVERS, UNCERTAINTIES

    adapter = get_model(model)
    if not adapter.uses_scenario:
        if adapter.factors is None:
            return None
        if key not in adapter.factors:
            raise ExperimentError(
                f"{origin}: key '{where}' names unknown factor {key!r} of model {model!r}; "
                f"allowed: {', '.join(adapter.factors)}{did_you_mean(key, adapter.factors)}"
            )
        return adapter.factors[key]
    section, _, name = key.partition(".")
    if section == "levers":
        if name not in LEVERS:
            raise ExperimentError(
                f"{origin}: key '{where}' names unknown lever {name!r}; allowed levers: "
                f"{', '.join(LEVERS)}{did_you_mean(name, LEVERS)}"
            )
        return LEVERS[name].low, LEVERS[name].high
    if section == "uncertainties":
        if name not in UNCERTAINTIES:
            raise ExperimentError(
                f"{origin}: key '{where}' names unknown uncertainty {name!r}; allowed uncertainties: "
                f"{', '.join(UNCERTAINTIES)}{did_you_mean(name, UNCERTAINTIES)}"
            )
        return UNCERTAINTIES[name].low, UNCERTAINTIES[name].high
    if section in ("world", "time", "innovation", "calibration", "meta") and name:
        return None
    sections = ("levers", "uncertainties", "world", "time", "innovation", "calibration")
    raise ExperimentError(
        f"{origin}: key '{where}' is not a scenario key; allowed: 'levers.<lever>', "
        f"'uncertainties.<name>', or 'world.*', 'time.*', 'innovation.*', 'calibration.*'"
        f"{did_you_mean(section, sections)}"
    )


def _check_keys(table: dict[str, Any], allowed: tuple[str, ...], origin: str, kind: str) -> None:
    for key in table:
        if key not in allowed:
            raise ExperimentError(
                f"{origin}: unknown key 'design.{key}' for kind = {kind!r}; allowed keys: "
                f"{', '.join(allowed)}{did_you_mean(key, allowed)}"
            )


def _check_point(base: Any, overrides: dict[str, Any], origin: str, where: str) -> None:
    if base is None:
        return
    try:
        base.with_overrides(overrides)
    except ScenarioError as exc:
        raise ExperimentError(f"{origin}: key '{where}': {exc}") from None


def build_scenarios(
    table: dict[str, Any], origin: str, base: Any, spec: ExperimentSpec
) -> pd.DataFrame:
    """A list of scenario files to compare; the first is the reference. Factor column: ``scenario``."""
    from sim.experiments.models import get_model
    from sim.scenario import load_scenario

    _check_keys(table, ("kind", "scenarios"), origin, "scenarios")
    if not get_model(spec.model).uses_scenario:
        raise ExperimentError(
            f"{origin}: key 'design.kind' = 'scenarios' needs a model that takes scenarios, but "
            f"model {spec.model!r} does not; allowed: 'grid', 'lhs' or a sensitivity design"
        )
    paths = table.get("scenarios")
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ExperimentError(
            f"{origin}: key 'design.scenarios' = {paths!r} is invalid; allowed: a list of scenario "
            f"file paths (relative to the experiment file), the first being the reference"
        )
    if not paths:
        raise ExperimentError(
            f"{origin}: key 'design.scenarios' is empty; allowed: a list of at least one scenario file"
        )
    if len(set(paths)) != len(paths):
        dup = next(p for p in paths if paths.count(p) > 1)
        raise ExperimentError(
            f"{origin}: key 'design.scenarios' lists {dup!r} twice; allowed: each once"
        )
    names = []
    for i, raw in enumerate(paths):
        path = spec.resolve(raw)
        if not path.is_file():
            raise ExperimentError(
                f"{origin}: key 'design.scenarios[{i}]' = {raw!r}: file not found (looked for {path}); "
                f"allowed: a scenario .toml file, relative to the experiment file"
            )
        try:
            scenario = load_scenario(path)
            if spec.overrides:
                scenario.with_overrides(spec.overrides)
        except ScenarioError as exc:
            raise ExperimentError(f"{origin}: key 'design.scenarios[{i}]': {exc}") from None
        names.append(scenario.name if scenario.name != "unnamed" else path.stem)
    labels = [n if names.count(n) == 1 else f"{n}_{i}" for i, n in enumerate(names)]
    return pd.DataFrame({"point": range(len(paths)), "label": labels, "scenario": paths})


def _format_value(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def build_grid(table: dict[str, Any], origin: str, base: Any, spec: ExperimentSpec) -> pd.DataFrame:
    """Full factorial over ``[design.grid]``: dotted key -> list of values; the first key varies slowest."""
    _check_keys(table, ("kind", "grid"), origin, "grid")
    grid = table.get("grid")
    if not isinstance(grid, dict) or not grid:
        raise ExperimentError(
            f"{origin}: key 'design.grid' is missing or empty; allowed: a table of dotted keys to lists "
            f'of values, e.g. [design.grid] "levers.risk_budget" = [0.1, 0.5, 1.0]'
        )
    grid = flatten_dotted(grid)
    for key, values in grid.items():
        where = f"design.grid.{key}"
        factor_range(key, origin, where, spec.model)
        if not isinstance(values, list) or not values:
            raise ExperimentError(
                f"{origin}: key '{where}' = {values!r} is invalid; allowed: a non-empty list of values"
            )
        for value in values:
            _check_point(base, {key: value}, origin, where)
    keys = list(grid)
    rows = []
    for point, combo in enumerate(itertools.product(*(grid[k] for k in keys))):
        label = ",".join(
            f"{k.split('.')[-1]}={_format_value(v)}" for k, v in zip(keys, combo, strict=True)
        )
        rows.append({"point": point, "label": label, **dict(zip(keys, combo, strict=True))})
    return pd.DataFrame(rows, columns=["point", "label", *keys])


def build_lhs(table: dict[str, Any], origin: str, base: Any, spec: ExperimentSpec) -> pd.DataFrame:
    """A Latin hypercube (``scipy.stats.qmc``) of ``samples`` points over ``[design.factors]`` ranges.

    The sample is drawn from a stream derived from the master seed, so it is reproducible.
    """
    from sim.levers import LEVERS

    _check_keys(table, ("kind", "samples", "factors"), origin, "lhs")
    samples = table.get("samples")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ExperimentError(
            f"{origin}: key 'design.samples' = {samples!r} is invalid; allowed: an integer >= 1"
        )
    factors = table.get("factors")
    if not isinstance(factors, dict) or not factors:
        raise ExperimentError(
            f"{origin}: key 'design.factors' is missing or empty; allowed: a table of dotted keys to "
            f'[low, high], e.g. [design.factors] "levers.risk_budget" = [0.0, 1.0]'
        )
    factors = flatten_dotted(factors)
    bounds = []
    for key, rng in factors.items():
        where = f"design.factors.{key}"
        allowed = factor_range(key, origin, where, spec.model)
        ok = (
            isinstance(rng, list)
            and len(rng) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in rng)
            and rng[0] < rng[1]
        )
        if not ok:
            raise ExperimentError(
                f"{origin}: key '{where}' = {rng!r} is invalid; allowed: [low, high] with low < high"
            )
        if allowed is not None and not (allowed[0] <= rng[0] and rng[1] <= allowed[1]):
            raise ExperimentError(
                f"{origin}: key '{where}' = {rng!r} is out of range; allowed: within "
                f"[{allowed[0]:g}, {allowed[1]:g}]"
            )
        bounds.append((float(rng[0]), float(rng[1])))
    ss = np.random.SeedSequence([spec.master_seed, _LHS_SEED_TAG])
    sampler = qmc.LatinHypercube(d=len(factors), rng=np.random.default_rng(ss))
    unit = sampler.random(n=samples)
    lows = np.array([b[0] for b in bounds])
    highs = np.array([b[1] for b in bounds])
    values = qmc.scale(unit, lows, highs) if len(factors) else unit
    frame = pd.DataFrame(values, columns=list(factors))
    for key in factors:
        section, _, name = key.partition(".")
        if section == "levers" and name in LEVERS and LEVERS[name].integer:
            frame[key] = frame[key].round().astype("int64")
    others = [k for k in factors if k.partition(".")[0] not in ("levers", "uncertainties")]
    for point, row in enumerate(frame[others].to_dict("records") if others else []):
        keys = ", ".join(others)
        _check_point(base, row, origin, f"design.factors ({keys}) at sample {point}")
    frame.insert(0, "label", [f"lhs{p:05d}" for p in range(samples)])
    frame.insert(0, "point", range(samples))
    return frame


# ---------------------------------------------------------------------------------------------------
# response curves: each lever over its range, the others at the base scenario's values

RESPONSE_KEYS = ("kind", "levers", "points", "range", "include")
RESPONSE_RANGES = ("allowed", "analysis")
RESPONSE_INCLUDE = ("status_quo", "recommended")
REFERENCE_LABEL = "reference"


def response_values(
    name: str, points: int, span: str = "allowed", include: tuple[str, ...] = RESPONSE_INCLUDE
) -> list[float]:
    """The values at which lever ``name`` is run: ``points`` evenly spaced over its allowed range
    (``low``..``high``, ``span = "allowed"``) or its analysed range (``analysis_low``..``analysis_high``),
    plus its status-quo and/or recommended value (``include``); rounded for whole-number levers, sorted,
    each once."""
    from sim.levers import LEVERS

    row = LEVERS[name]
    low, high = (row.low, row.high) if span == "allowed" else (row.analysis_low, row.analysis_high)
    values = [float(v) for v in np.linspace(low, high, points)]
    values += [float(getattr(row, key)) for key in include]
    if row.integer:
        values = [float(round(v)) for v in values]
    return sorted({round(v, 12): v for v in values}.values())


def build_response(
    table: dict[str, Any], origin: str, base: Any, spec: ExperimentSpec
) -> pd.DataFrame:
    """Response curves: each lever in ``levers`` over ``points`` values of its range, one at a time, the
    other levers at the base scenario's values, and one reference point with every lever at the base.

    Factor columns: ``levers.<name>`` for each lever in ``levers``. Labels: ``reference`` and
    ``<lever>=<value>``; a value equal to the base's is the reference point, not repeated. Every point's
    replication r has the same seed (``seeds.COMMON_SEED_DESIGNS``): the curves are paired by seed.

    Raises:
        ExperimentError: unknown key, unknown lever, too few points, an unknown range or inclusion, a model
            without levers, or a base scenario that schedules a lever the design varies.
    """
    from sim.experiments.models import get_model
    from sim.levers import LEVERS

    _check_keys(table, RESPONSE_KEYS, origin, "response")
    if not get_model(spec.model).uses_scenario or base is None:
        raise ExperimentError(
            f"{origin}: key 'design.kind' = 'response' varies levers of a scenario, but model "
            f"{spec.model!r} takes none; allowed: a model that takes scenarios (e.g. 'opisim') and a "
            f"base_scenario"
        )
    names = table.get("levers", "all")
    if names == "all":
        names = list(LEVERS)
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ExperimentError(
            f"{origin}: key 'design.levers' = {names!r} is invalid; allowed: \"all\" or a non-empty "
            f"list of lever names"
        )
    for name in names:
        factor_range(f"levers.{name}", origin, "design.levers", spec.model)
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ExperimentError(
            f"{origin}: key 'design.levers' lists {dup!r} twice; allowed: each once"
        )
    points = table.get("points", 7)
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ExperimentError(
            f"{origin}: key 'design.points' = {points!r} is invalid; allowed: an integer >= 2 (values "
            f"per lever, evenly spaced over its range)"
        )
    span = table.get("range", "allowed")
    if span not in RESPONSE_RANGES:
        raise ExperimentError(
            f"{origin}: key 'design.range' = {span!r} is invalid; allowed: \"allowed\" (the lever's "
            f'whole range, where mechanisms switch off) or "analysis" (its analysed policy range)'
        )
    include = table.get("include", list(RESPONSE_INCLUDE))
    if not isinstance(include, list) or any(k not in RESPONSE_INCLUDE for k in include):
        raise ExperimentError(
            f"{origin}: key 'design.include' = {include!r} is invalid; allowed: a list of "
            f"{', '.join(repr(k) for k in RESPONSE_INCLUDE)} (values added to the even grid)"
        )
    scheduled = [n for n in names if n in base.lever_schedules]
    if scheduled:
        raise ExperimentError(
            f"{origin}: key 'design.levers': the base scenario schedules {', '.join(scheduled)}, but a "
            f"response curve sets each lever to constant values; allowed: a base scenario with plain "
            f"values for the levers the design varies (e.g. ../scenarios/baseline.toml)"
        )
    centre = {f"levers.{n}": getattr(base.levers, n) for n in names}
    rows = [{"label": REFERENCE_LABEL, **centre}]
    for name in names:
        key = f"levers.{name}"
        for value in response_values(name, points, span, tuple(include)):
            if round(value, 12) == round(float(centre[key]), 12):
                continue
            value = int(value) if LEVERS[name].integer else value
            rows.append({"label": f"{name}={_format_value(float(value))}", **centre, key: value})
    frame = pd.DataFrame(rows, columns=["label", *centre])
    frame.insert(0, "point", range(len(frame)))
    return frame


def response_layout(design: pd.DataFrame) -> pd.DataFrame:
    """Which lever each point of a response design varies, and to what value.

    Returns one row per (lever, point) with columns ``lever``, ``point``, ``value``, ``reference``: each
    lever's own points, plus the reference point (``reference`` True) at the base value of every lever.

    Raises:
        ValueError: the table is not a response design (no reference point, or a label that names no
            lever column).
    """
    labels = design["label"].astype(str)
    if (labels == REFERENCE_LABEL).sum() != 1:
        raise ValueError(f"a response design has exactly one point labelled {REFERENCE_LABEL!r}")
    ref = design.loc[labels == REFERENCE_LABEL].iloc[0]
    columns = [c for c in design.columns if c.startswith("levers.")]
    rows = []
    for column in columns:
        name = column.split(".", 1)[1]
        rows.append(
            {
                "lever": name,
                "point": int(ref["point"]),
                "value": float(ref[column]),
                "reference": True,
            }
        )
    for _, row in design.loc[labels != REFERENCE_LABEL].iterrows():
        name = str(row["label"]).split("=", 1)[0]
        if f"levers.{name}" not in columns:
            raise ValueError(f"design point {row['label']!r} names no lever column of the design")
        rows.append(
            {
                "lever": name,
                "point": int(row["point"]),
                "value": float(row[f"levers.{name}"]),
                "reference": False,
            }
        )
    out = pd.DataFrame(rows, columns=["lever", "point", "value", "reference"])
    order = {c.split(".", 1)[1]: i for i, c in enumerate(columns)}
    out["order"] = out["lever"].map(order)
    return (
        out.sort_values(["order", "value"], kind="stable")
        .drop(columns="order")
        .reset_index(drop=True)
    )


register_design("scenarios", build_scenarios)
register_design("grid", build_grid)
register_design("lhs", build_lhs)
register_design("response", build_response)


def build_design(spec: ExperimentSpec, base: Any) -> pd.DataFrame:
    """The design table of an experiment, checked (columns ``point``, ``label``, factors).

    Raises:
        ExperimentError: unknown kind, bad design table, or a design with no points.
    """
    _load_plugins()
    kind = spec.design_kind
    if kind not in _DESIGNS:
        raise ExperimentError(
            f"{spec.origin}: key 'design.kind' = {kind!r} is not a known design; allowed: "
            f"{', '.join(_DESIGNS)}{did_you_mean(kind, _DESIGNS)}"
        )
    builder = _DESIGNS[kind]
    params = inspect.signature(builder).parameters
    if "spec" in params:
        design = builder(dict(spec.design), spec.origin, base, spec=spec)
    else:
        design = builder(dict(spec.design), spec.origin, base)
    if not isinstance(design, pd.DataFrame) or not {"point", "label"} <= set(design.columns):
        raise ExperimentError(f"{spec.origin}: design kind {kind!r} did not return a design table")
    if len(design) == 0:
        raise ExperimentError(
            f"{spec.origin}: the design (kind = {kind!r}) has no points; allowed: at least one point"
        )
    design = design.reset_index(drop=True)
    if list(design["point"]) != list(range(len(design))):
        raise ExperimentError(f"{spec.origin}: design kind {kind!r} returned points out of order")
    design["point"] = design["point"].astype("int64")
    if "seed_key" in design.columns:
        design["seed_key"] = design["seed_key"].astype("int64")
    return design


def factor_columns(design: pd.DataFrame) -> list[str]:
    """The factor columns of a design table (all but point, label and seed_key)."""
    return [c for c in design.columns if c not in ("point", "label", "seed_key")]
