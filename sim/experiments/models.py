"""Model plug-ins for experiments: the registry name -> adapter, the ``opisim`` adapter and a toy model.

An adapter evaluates one run (ARCHITECTURE.md, contract 3)::

    evaluate(base: Scenario | None, params: dict[str, Any], seed: int, keep_timeseries: bool)
        -> tuple[dict[str, float], pandas.DataFrame | None]

``params`` holds one design point's values by dotted key (plus ``"scenario"``, a resolved path, for a
scenario-list design) and the experiment's fixed ``[overrides]``. Register an adapter with
:func:`register_model`; a plain function is accepted and wrapped in a :class:`ModelAdapter` that takes no
scenario. The evaluate function must be picklable (a module-level function); adapters defined in a script
or notebook are shipped to the workers by value (cloudpickle), so they work there too.

Shipped here: ``"opisim"`` (the agent-based model through ``sim.run``), ``"opisim_history"`` (its
historical mode, for the calibration), ``"toy"`` (a cheap, noisy analytic
function of a scenario's levers and uncertainties with the same headline outcomes; for pipeline tests) and
``"toy_slow"`` (the toy model taking 0.2 s per run; for interruption tests). The analytic test functions of
the sensitivity layer register themselves from ``sim.analysis.testfunctions`` when it exists.
"""

from __future__ import annotations

import dataclasses
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import did_you_mean
from sim.model.history import STATISTICS as HISTORY_STATISTICS

EvaluateFn = Callable[
    [Any, dict[str, Any], int, bool], tuple[dict[str, float], "pd.DataFrame | None"]
]


@dataclass(frozen=True)
class ModelAdapter:
    """A model plug-in.

    Attributes:
        name: registry name, used in experiment files (``experiment.model``).
        evaluate: the run function (see the module docstring); must be picklable.
        uses_scenario: True if the model takes a scenario (base scenario, overrides, scenario lists);
            its factors are then dotted scenario keys (``levers.X``, ``uncertainties.X``, ...).
        factors: for models without a scenario, the allowed factor names with their (low, high) range;
            None accepts any name.
        description: one line for listings.
        statistics: the names of the summary outcomes the model returns, if it declares them
            (calibration files are checked against them before any run); None: not declared.
    """

    name: str
    evaluate: EvaluateFn
    uses_scenario: bool = False
    factors: dict[str, tuple[float, float]] | None = None
    description: str = ""
    statistics: tuple[str, ...] | None = None


_REGISTRY: dict[str, ModelAdapter] = {}


def register_model(name: str, adapter: ModelAdapter | EvaluateFn) -> ModelAdapter:
    """Register a model plug-in under ``name`` (replacing an earlier one of that name).

    Args:
        name: the name experiment files use in ``experiment.model``.
        adapter: a :class:`ModelAdapter`, or an evaluate function (wrapped as a scenario-less model).

    Returns:
        The registered adapter.
    """
    if not isinstance(adapter, ModelAdapter):
        if not callable(adapter):
            raise TypeError(
                f"register_model({name!r}): adapter must be a ModelAdapter or a function"
            )
        adapter = ModelAdapter(name=name, evaluate=adapter)
    elif adapter.name != name:
        adapter = dataclasses.replace(adapter, name=name)
    _REGISTRY[name] = adapter
    return adapter


def _load_plugins() -> None:
    """Let the analysis and calibration layers register their models (ishigami, sobol_g, the toy
    calibration model, ...)."""
    import sim.analysis.testfunctions  # noqa: F401
    import sim.calibration.toy  # noqa: F401


def get_model(name: str) -> ModelAdapter:
    """The adapter registered as ``name``.

    Raises:
        KeyError: if no such model is registered.
    """
    if name not in _REGISTRY:
        _load_plugins()
    return _REGISTRY[name]


def model_for_file(name: str, origin: str, key: str, error: type[Exception]) -> ModelAdapter:
    """The adapter a file names at ``key`` (e.g. ``experiment.model``).

    Raises:
        error: one line naming the file, the key, the registered models and the nearest one.
    """
    try:
        return get_model(name)
    except KeyError:
        models = available_models()
        raise error(
            f"{origin}: key '{key}' = {name!r} is not a known model; allowed: {', '.join(models)}"
            f"{did_you_mean(name, models)}"
        ) from None


def available_models() -> list[str]:
    """Names of all registered models, sorted."""
    _load_plugins()
    return sorted(_REGISTRY)


# ---------------------------------------------------------------------------------------------------
# opisim: the agent-based model


@lru_cache(maxsize=64)
def _load_scenario_cached(path: str, mtime_ns: int):  # -> Scenario
    from sim.scenario import load_scenario

    return load_scenario(path)


def scenario_for_run(base: Any, params: dict[str, Any]):  # -> Scenario
    """The scenario of one run: ``params["scenario"]`` (a path) or ``base``, with the other params as overrides."""
    import os

    params = dict(params)
    path = params.pop("scenario", None)
    if path is not None:
        scenario = _load_scenario_cached(str(path), os.stat(path).st_mtime_ns)
    elif base is not None:
        scenario = base
    else:
        raise ValueError("no base scenario and no 'scenario' parameter")
    return scenario.with_overrides(params) if params else scenario


def evaluate_opisim(
    base: Any, params: dict[str, Any], seed: int, keep_timeseries: bool
) -> tuple[dict[str, float], pd.DataFrame | None]:
    """Run the agent-based model once through ``sim.run`` (contract 1) and return its summary."""
    from sim.simulation import run

    result = run(scenario_for_run(base, params), seed=int(seed))
    summary = {key: float(value) for key, value in result.summary.items()}
    return summary, (result.timeseries if keep_timeseries else None)


# ---------------------------------------------------------------------------------------------------
# opisim_history: the historical mode (calibration to Danish history, issue 12)


def evaluate_opisim_history(
    base: Any, params: dict[str, Any], seed: int, keep_timeseries: bool
) -> tuple[dict[str, float], pd.DataFrame | None]:
    """One run of the historical mode: ``sim.model.history.history_statistics(scenario, seed)``.

    The scenario is a historical one (``scenarios/history/``) with the run's parameters as overrides;
    the statistics are named as the targets of ``sim/data/history_targets.toml``
    (``sim.model.history.STATISTICS``).
    """
    history_statistics = importlib.import_module("sim.model.history").history_statistics
    statistics = history_statistics(scenario_for_run(base, params), int(seed))
    return {str(k): float(v) for k, v in statistics.items()}, None


# ---------------------------------------------------------------------------------------------------
# toy: a cheap stand-in with the same headline outcomes (not a model of anything)


def toy_weights() -> dict[str, float]:
    """The toy model's weight of each lever: evenly from 0.5 (first lever) to 1.5 (last)."""
    from sim.levers import LEVERS

    return dict(zip(LEVERS, np.linspace(0.5, 1.5, len(LEVERS)).tolist(), strict=True))


def _unit(value: float, low: float, high: float) -> float:
    return (float(value) - low) / (high - low) if high > low else 0.0


def evaluate_toy(
    base: Any, params: dict[str, Any], seed: int, keep_timeseries: bool
) -> tuple[dict[str, float], pd.DataFrame | None]:
    """A noisy analytic function of the scenario's levers and uncertainties (milliseconds per run).

    Lever ``i`` scaled to [0, 1] adds ``weight_i`` to a score; ``uncertainties.effect_size`` multiplies it;
    outcomes are smooth functions of the score with multiplicative noise from ``seed``. Used to test the
    experiment pipeline without the cost of the agent-based model.
    """
    from sim.levers import LEVERS, UNCERTAINTIES

    scenario = scenario_for_run(base, params)
    levers = scenario.levers.model_dump()
    unc = scenario.uncertainties.model_dump()
    score = sum(
        weight * _unit(levers[name], LEVERS[name].low, LEVERS[name].high)
        for name, weight in toy_weights().items()
    )
    score *= unc["effect_size"] / UNCERTAINTIES["effect_size"].default
    rng = np.random.default_rng(seed)
    noise = rng.normal(1.0, 0.08, size=4)
    fte_2030 = 400.0 * score * noise[0]
    fte_2035 = 1000.0 * score * noise[1]
    gap_2035 = max(0.0, 15000.0 * unc["demography"] / unc["education_intake"] - fte_2035) * noise[2]
    startups = float(rng.poisson(60 + 10 * score * unc["funding_climate"]))
    cost = 5e8 + 2e8 * score * noise[3]
    summary = {
        "fte_freed_2030": fte_2030,
        "fte_freed_2035": fte_2035,
        "gap_fte_2035": gap_2035,
        "gap_share_2035": gap_2035 / 150000.0,
        "startups_alive_2035": startups,
        "public_cost_dkk_cum": cost,
        "public_cost_per_fte_freed_dkk": cost / fte_2035 if fte_2035 > 0 else float("nan"),
    }
    timeseries = None
    if keep_timeseries:
        dates = pd.date_range(
            f"{scenario.time.start_year}-01-01", f"{scenario.time.end_year}-12-01", freq="MS"
        )
        ramp = np.linspace(0.0, 1.0, len(dates))
        frames = []
        for share, sector in ((0.45, "hospital"), (0.55, "municipal"), (1.0, "all")):
            freed = share * fte_2035 * ramp
            frames.append(
                pd.DataFrame(
                    {
                        "date": dates,
                        "year": dates.year.astype("int64"),
                        "month": dates.month.astype("int64"),
                        "sector": sector,
                        "fte_freed": freed,
                        "gap_fte": share * gap_2035 * ramp,
                        "noise": rng.normal(0.0, 1.0, len(dates)),
                    }
                )
            )
        timeseries = pd.concat(frames, ignore_index=True)
    return summary, timeseries


def evaluate_toy_slow(
    base: Any, params: dict[str, Any], seed: int, keep_timeseries: bool
) -> tuple[dict[str, float], pd.DataFrame | None]:
    """The toy model taking 0.2 s of wall time per run (for interruption tests)."""
    time.sleep(0.2)
    return evaluate_toy(base, params, seed, keep_timeseries)


register_model(
    "opisim",
    ModelAdapter(
        "opisim", evaluate_opisim, uses_scenario=True, description="the agent-based model (sim.run)"
    ),
)
register_model(
    "opisim_history",
    ModelAdapter(
        "opisim_history",
        evaluate_opisim_history,
        uses_scenario=True,
        description="the historical mode 2012-2024 (sim.model.history.history_statistics)",
        statistics=tuple(HISTORY_STATISTICS),
    ),
)
register_model(
    "toy",
    ModelAdapter(
        "toy", evaluate_toy, uses_scenario=True, description="cheap noisy analytic stand-in (tests)"
    ),
)
register_model(
    "toy_slow",
    ModelAdapter(
        "toy_slow",
        evaluate_toy_slow,
        uses_scenario=True,
        description="toy model, 0.2 s per run (tests)",
    ),
)
