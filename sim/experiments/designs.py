"""Experiment designs: the table of design points an experiment runs (scenario list, grid, Latin hypercube).

A design builder turns the ``[design]`` table of an experiment file into a DataFrame with one row per
design point: ``point`` (0..n-1, the design's own order), ``label``, one column per factor (dotted key,
e.g. ``levers.risk_budget``; ``scenario`` for a scenario list) and optionally an integer ``seed_key``
column (see ``seeds.py``). Builders are registered by kind with :func:`register_design`; the sensitivity
layer registers ``ofat``, ``morris`` and ``sobol`` from ``sim.analysis.designs``, imported lazily.

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
    """Let the analysis layer register its design kinds (ofat, morris, sobol)."""
    import sim.analysis.designs  # noqa: F401


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


register_design("scenarios", build_scenarios)
register_design("grid", build_grid)
register_design("lhs", build_lhs)


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
