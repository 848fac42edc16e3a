"""Analytic test functions with known sensitivity indices, registered as experiment model plug-ins.

They let the whole sensitivity pipeline (experiment file, executors, storage, analysis) be checked against
answers nobody on this project chose (``VALIDATION.md`` sections 2-4). Each takes its factors by name
(``x1``, ``x2``, ...; no dotted keys, no scenario) and returns the single outcome ``y``:

* ``ishigami``: ``sin(x1) + a sin(x2)^2 + b x3^4 sin(x1)`` with a = 7, b = 0.1, inputs on [-pi, pi].
* ``sobol_g``: ``prod (|4 x_i - 2| + a_i) / (1 + a_i)`` on [0, 1]^6 with a = [78, 12, 0.5, 2, 97, 33];
  ``sobol_g8`` is the classic 8-factor variant a = [0, 1, 4.5, 9, 99, 99, 99, 99]. Other ``a`` vectors:
  :func:`register_sobol_g`.
* ``stochastic_toy``: ``x1 + x2 + sigma e`` with x on [0, 1], ``sigma^2 = 1/12`` and ``e`` standard normal
  drawn from the run's seed (VALIDATION.md s4): Var(Y) = 0.25, a third each from x1, x2 and the noise.
* ``constant``: ``y = 1`` whatever the factors (any names): every index must be exactly 0.
* ``goal_toy``: a scenario model for goal seeking with a known optimum: three levers on [0, 1]
  (``spread_workflows``, ``common_evaluation``, ``risk_budget``) add 8,000, 6,000 and 4,000 FTE at full
  value, scaled by ``uncertainties.effect_size``, plus normal noise (sd 200 FTE) drawn from the run seed;
  they cost 3, 1 and 1 billion DKK at full value. The cheapest portfolio that reaches a target with a
  given probability over a set of futures is computable exactly (:func:`goal_toy_optimum`).
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.models import ModelAdapter, register_model

ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1
SOBOL_G_A = (78.0, 12.0, 0.5, 2.0, 97.0, 33.0)
SOBOL_G8_A = (0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0)
TOY_SIGMA = math.sqrt(1.0 / 12.0)

Result = tuple[dict[str, float], "pd.DataFrame | None"]


def _get(params: dict[str, Any], name: str, model: str) -> float:
    try:
        return float(params[name])
    except KeyError:
        raise ValueError(
            f"model {model!r} needs factor {name!r}; got {sorted(params)} (factors are named x1, x2, ...)"
        ) from None


def ishigami(
    x1: float, x2: float, x3: float, a: float = ISHIGAMI_A, b: float = ISHIGAMI_B
) -> float:
    """The Ishigami function (Ishigami and Homma 1990)."""
    return math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)


def ishigami_indices(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, list[float]]:
    """Analytical first-order and total Sobol indices of the Ishigami function on [-pi, pi]^3."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return {"S1": [v1 / var, v2 / var, 0.0], "ST": [(v1 + v13) / var, v2 / var, v13 / var]}


def sobol_g(x: np.ndarray | list[float], a: tuple[float, ...] | list[float]) -> float:
    """The Sobol G function ``prod (|4 x_i - 2| + a_i) / (1 + a_i)``."""
    x = np.asarray(x, dtype=float)
    a_arr = np.asarray(a, dtype=float)
    return float(np.prod((np.abs(4.0 * x - 2.0) + a_arr) / (1.0 + a_arr)))


def sobol_g_indices(a: tuple[float, ...] | list[float]) -> dict[str, list[float]]:
    """Analytical first-order and total Sobol indices of the G function on [0, 1]^k."""
    vi = np.array([1.0 / (3.0 * (1.0 + ai) ** 2) for ai in a])
    total = float(np.prod(1.0 + vi) - 1.0)
    s1 = vi / total
    st = np.array([vi[i] * np.prod(np.delete(1.0 + vi, i)) for i in range(len(vi))]) / total
    return {"S1": s1.tolist(), "ST": st.tolist()}


def evaluate_ishigami(
    base: Any, params: dict[str, Any], seed: int, keep_timeseries: bool
) -> Result:
    """Adapter: the Ishigami function of factors x1, x2, x3 (the seed is ignored)."""
    x = [_get(params, f"x{i}", "ishigami") for i in (1, 2, 3)]
    return {"y": ishigami(*x)}, None


def evaluate_sobol_g(
    base: Any,
    params: dict[str, Any],
    seed: int,
    keep_timeseries: bool,
    a: tuple[float, ...] = SOBOL_G_A,
) -> Result:
    """Adapter: the Sobol G function of factors x1..xk with coefficients ``a`` (the seed is ignored)."""
    x = [_get(params, f"x{i + 1}", "sobol_g") for i in range(len(a))]
    return {"y": sobol_g(x, a)}, None


def evaluate_stochastic_toy(
    base: Any, params: dict[str, Any], seed: int, keep_timeseries: bool
) -> Result:
    """Adapter: ``x1 + x2 + sigma e`` with ``e ~ N(0, 1)`` drawn from ``seed``."""
    x1 = _get(params, "x1", "stochastic_toy")
    x2 = _get(params, "x2", "stochastic_toy")
    noise = np.random.default_rng(int(seed)).standard_normal()
    return {"y": x1 + x2 + TOY_SIGMA * float(noise)}, None


def evaluate_constant(
    base: Any, params: dict[str, Any], seed: int, keep_timeseries: bool
) -> Result:
    """Adapter: ``y = 1`` for any factors."""
    return {"y": 1.0}, None


def register_sobol_g(name: str, a: tuple[float, ...] | list[float]) -> ModelAdapter:
    """Register a Sobol G function with coefficients ``a`` as model ``name`` (factors x1..x{len(a)})."""
    a = tuple(float(v) for v in a)
    return register_model(
        name,
        ModelAdapter(
            name,
            partial(evaluate_sobol_g, a=a),
            uses_scenario=False,
            factors={f"x{i + 1}": (0.0, 1.0) for i in range(len(a))},
            description=f"Sobol G function, a = {list(a)} (validation)",
        ),
    )


GOAL_TOY_LEVERS = {  # lever -> (FTE freed at full value, public cost at full value in DKK)
    "spread_workflows": (8000.0, 3.0e9),
    "common_evaluation": (6000.0, 1.0e9),
    "risk_budget": (4000.0, 1.0e9),
}
GOAL_TOY_NOISE = 200.0


def _lever_number(value: Any) -> float:
    """A lever's value whether the scenario holds a number or a schedule ({value, start_year, ...})."""
    if isinstance(value, dict):
        value = value.get("value")
    return float(getattr(value, "value", value))


def goal_toy_outcome(
    levers: dict[str, float], effect_size: float, seed: int
) -> tuple[float, float]:
    """FTE freed and public cost of the goal toy for lever values, an effect size and a run seed."""
    noise = GOAL_TOY_NOISE * float(np.random.default_rng(int(seed)).standard_normal())
    capacity = sum(w * levers[name] for name, (w, _c) in GOAL_TOY_LEVERS.items())
    cost = sum(c * levers[name] for name, (_w, c) in GOAL_TOY_LEVERS.items())
    return effect_size * capacity + noise, cost


def evaluate_goal_toy(
    base: Any, params: dict[str, Any], seed: int, keep_timeseries: bool
) -> Result:
    """Adapter: the goal toy's FTE freed (2030, 2035) and cumulative public cost for a scenario."""
    from sim.experiments.models import scenario_for_run

    scenario = scenario_for_run(base, params)
    levers = {name: _lever_number(getattr(scenario.levers, name)) for name in GOAL_TOY_LEVERS}
    fte, cost = goal_toy_outcome(levers, float(scenario.uncertainties.effect_size), seed)
    out = {"public_cost_dkk_cum": cost}
    for year in (2030, 2035):
        out[f"fte_freed_{year}"] = fte
        out[f"public_cost_dkk_cum_{year}"] = cost
    return out, None


def goal_toy_optimum(
    effect_sizes: np.ndarray, seeds: np.ndarray, target: float, probability: float
) -> tuple[dict[str, float], float]:
    """The exact cheapest goal-toy portfolio reaching ``target`` in a share >= ``probability`` of runs.

    Args:
        effect_sizes, seeds: one entry per run (future x replication) the portfolio is judged on.
        target: the FTE target; probability: the share of runs that must reach it.

    Returns:
        The optimal lever values and their cost. The levers are bought cheapest-FTE-first (common
        evaluation, then risk budget, then spread workflows), up to the smallest capacity whose share
        of runs with ``effect_size * capacity + noise >= target`` is at least ``probability``.
    """
    noise = np.array(
        [GOAL_TOY_NOISE * np.random.default_rng(int(s)).standard_normal() for s in seeds]
    )
    need = (target - noise) / np.asarray(effect_sizes, dtype=float)  # capacity each run needs
    k = math.ceil(probability * len(need) - 1e-9)
    capacity = float(np.sort(need)[k - 1])
    order = sorted(GOAL_TOY_LEVERS, key=lambda n: GOAL_TOY_LEVERS[n][1] / GOAL_TOY_LEVERS[n][0])
    values, left = {}, capacity
    for name in order:
        w, _c = GOAL_TOY_LEVERS[name]
        values[name] = float(min(1.0, max(0.0, left / w)))
        left -= values[name] * w
    cost = sum(GOAL_TOY_LEVERS[n][1] * v for n, v in values.items())
    return values, cost


register_model(
    "ishigami",
    ModelAdapter(
        "ishigami",
        evaluate_ishigami,
        uses_scenario=False,
        factors={f"x{i}": (-math.pi, math.pi) for i in (1, 2, 3)},
        description="Ishigami function, a = 7, b = 0.1 (validation)",
    ),
)
register_sobol_g("sobol_g", SOBOL_G_A)
register_sobol_g("sobol_g8", SOBOL_G8_A)
register_model(
    "stochastic_toy",
    ModelAdapter(
        "stochastic_toy",
        evaluate_stochastic_toy,
        uses_scenario=False,
        factors={"x1": (0.0, 1.0), "x2": (0.0, 1.0)},
        description="x1 + x2 + noise with variance 1/12 (VALIDATION.md s4)",
    ),
)
register_model(
    "goal_toy",
    ModelAdapter(
        "goal_toy",
        evaluate_goal_toy,
        uses_scenario=True,
        description="three levers, known cheapest portfolio for a noisy target (goal-seeking validation)",
    ),
)
register_model(
    "constant",
    ModelAdapter(
        "constant", evaluate_constant, uses_scenario=False, description="y = 1 (validation)"
    ),
)
