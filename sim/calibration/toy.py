"""``toy_bass``: a stochastic Bass diffusion with abandonment, the calibration machinery's test model.

98 organisations (as Danish municipalities) adopt one solution from January 2012. Each month a
non-adopter that never used it adopts with probability ``1 - exp(-(p + q * share_in_use) / 12)`` and a
user abandons with probability ``1 - exp(-abandon / 12)`` (and never returns). The statistics are the
share in use at the end of 2014, 2016, 2018, 2020, 2022 and 2024 and the share that ever used it by
2024: the last against the share in use pins the abandonment rate, the timing of the rise the split
between ``p`` and ``q``.

It is registered as a scenario-less model plug-in whose parameters are ``p``, ``q`` and ``abandon``
(all per year), so the calibration machinery (``opisim calibrate``) can be validated against known
parameters without the agent-based model. ``expected_statistics`` gives the mean statistics at given
parameters; ``experiments/calibrate_toy.toml`` holds them at :data:`TRUE_PARAMETERS` as its targets.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.models import ModelAdapter, register_model

N_ORGANISATIONS = 98
START_YEAR, END_YEAR = 2012, 2024
IN_USE_YEARS = (2014, 2016, 2018, 2020, 2022, 2024)
TRUE_PARAMETERS = {"p": 0.02, "q": 0.8, "abandon": 0.05}
FACTORS = {"p": (0.0, 0.5), "q": (0.0, 5.0), "abandon": (0.0, 1.0)}
STATISTICS = (*(f"in_use_{year}" for year in IN_USE_YEARS), "ever_used_2024")


def simulate_bass(
    p: float, q: float, abandon: float, seed: int, n: int = N_ORGANISATIONS
) -> dict[str, float]:
    """One run of the diffusion: the shares in :data:`STATISTICS`.

    Args:
        p: external adoption per year.
        q: imitation per year, times the share in use.
        abandon: abandonment hazard per year of a user.
        seed: the run's seed.
        n: number of organisations.
    """
    rng = np.random.default_rng(seed)
    state = np.zeros(n, dtype=np.int8)  # 0 never used, 1 in use, 2 abandoned
    leave = 1.0 - np.exp(-abandon / 12.0)
    out: dict[str, float] = {}
    for year in range(START_YEAR, END_YEAR + 1):
        for _ in range(12):
            share = float(np.count_nonzero(state == 1)) / n
            adopt = 1.0 - np.exp(-(p + q * share) / 12.0)
            u = rng.random(n)
            new_users = (state == 0) & (u < adopt)
            quitters = (state == 1) & (u < leave)
            state[new_users] = 1
            state[quitters] = 2
        if year in IN_USE_YEARS:
            out[f"in_use_{year}"] = float(np.count_nonzero(state == 1)) / n
    out["ever_used_2024"] = float(np.count_nonzero(state > 0)) / n
    return out


def expected_statistics(
    parameters: dict[str, float] | None = None, runs: int = 400, seed: int = 12
) -> dict[str, float]:
    """The mean of each statistic over ``runs`` runs (seeds from ``SeedSequence(seed)``), rounded to 4
    decimals: the toy calibration's targets at :data:`TRUE_PARAMETERS`."""
    params = dict(TRUE_PARAMETERS if parameters is None else parameters)
    seeds = np.random.SeedSequence(seed).generate_state(runs, dtype=np.uint64) >> np.uint64(1)
    frame = pd.DataFrame([simulate_bass(**params, seed=int(s)) for s in seeds])
    return {name: round(float(frame[name].mean()), 4) for name in STATISTICS}


def run_sd(
    parameters: dict[str, float] | None = None, runs: int = 400, seed: int = 12
) -> dict[str, float]:
    """The run-to-run standard deviation of each statistic (the noise of one run), 4 decimals."""
    params = dict(TRUE_PARAMETERS if parameters is None else parameters)
    seeds = np.random.SeedSequence(seed).generate_state(runs, dtype=np.uint64) >> np.uint64(1)
    frame = pd.DataFrame([simulate_bass(**params, seed=int(s)) for s in seeds])
    return {name: round(float(frame[name].std(ddof=1)), 4) for name in STATISTICS}


def evaluate_toy_bass(
    base: Any, params: dict[str, Any], seed: int, keep_timeseries: bool
) -> tuple[dict[str, float], pd.DataFrame | None]:
    """Model plug-in: one run at ``params`` (p, q, abandon; missing ones at their true value)."""
    values = {**TRUE_PARAMETERS, **{k: float(v) for k, v in params.items()}}
    unknown = sorted(set(values) - set(TRUE_PARAMETERS))
    if unknown:
        raise KeyError(f"toy_bass has no parameter {unknown[0]!r}; allowed: p, q, abandon")
    return simulate_bass(values["p"], values["q"], values["abandon"], seed), None


register_model(
    "toy_bass",
    ModelAdapter(
        "toy_bass",
        evaluate_toy_bass,
        uses_scenario=False,
        factors=FACTORS,
        description="stochastic Bass diffusion with abandonment, 98 organisations (calibration tests)",
        statistics=STATISTICS,
    ),
)


if __name__ == "__main__":  # print the toy calibration's targets
    means, sds = expected_statistics(), run_sd()
    for name in STATISTICS:
        print(f"{name}: observed = {means[name]}, run sd = {sds[name]}")
