"""The one statistic every table and figure shows: the mean and the 5-95% band, named on each.

Every summary of runs in opisim -- ``opisim results``, the report, every figure and the recommendation
and goal-seeking tables -- uses these functions, so the same results directory gives the same numbers
everywhere. The choice:

* **central value: the mean.** Paired effects are differences of runs, and the mean of differences is
  the difference of means, so the effect of a bundle, the sum of single-lever effects and their residual
  add up exactly in the tables (a median does not); an expected number of FTE freed is also what a budget
  decision weighs. The mean is sensitive to a few extreme runs, which is why the band is always shown.
* **band: the 5% and 95% quantiles of the runs** (numpy's default linear interpolation), i.e. the
  spread a single run can take over seeds (and over futures, where futures are sampled). It is not a
  confidence interval of the mean; where a Monte Carlo error is needed it is given separately (``se``).

``describe(...).label(lang)`` says what was computed, e.g. "mean and 5-95% over 20 runs"; the words
are in ``sim/data/words.toml`` (``[statistic]``).

Not covered: a calibration's weighted posterior (``sim.calibration``, its figures and report tables),
which is summarised by weighted quantiles -- the posterior median and 5-95% interval of each coefficient
and of the predictive draws -- because those are weighted particles, not runs of equal weight.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

CENTRAL = "mean"
Q_LOW = 0.05
Q_HIGH = 0.95

# The statistic in words, [English, Danish], from sim/data/words.toml (where every word of a figure is).
_WORDS: dict[str, list[str]] = tomllib.loads(
    resources.files("sim.data").joinpath("words.toml").read_text(encoding="utf-8")
)["statistic"]


@dataclass(frozen=True)
class Band:
    """The central value and band of a set of values.

    Attributes:
        mean: the central value (the mean).
        low, high: the 5% and 95% quantiles.
        n: how many finite values they summarise.
    """

    mean: float
    low: float
    high: float
    n: int


def _finite(values: Iterable[float] | np.ndarray | pd.Series) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    return arr[np.isfinite(arr)]


def describe(values: Iterable[float] | np.ndarray | pd.Series) -> Band:
    """Mean and 5-95% quantiles of the finite values (NaN for an empty set)."""
    arr = _finite(values)
    if arr.size == 0:
        return Band(float("nan"), float("nan"), float("nan"), 0)
    low, high = np.quantile(arr, [Q_LOW, Q_HIGH])
    return Band(float(arr.mean()), float(low), float(high), int(arr.size))


def band_frame(frame: pd.DataFrame, by: list[str], cols: list[str]) -> pd.DataFrame:
    """Per ``by`` group: the central value of each column in ``cols`` and its band.

    Returns:
        One row per group: the ``by`` columns, each ``col`` (mean), ``col_lo`` and ``col_hi``
        (5% and 95% quantiles) and ``n`` (rows in the group).
    """
    grouped = frame.groupby(by, sort=True)[cols]
    out = grouped.mean()
    low = grouped.quantile(Q_LOW)
    high = grouped.quantile(Q_HIGH)
    for c in cols:
        out[f"{c}_lo"] = low[c]
        out[f"{c}_hi"] = high[c]
    out["n"] = grouped.size()
    return out.reset_index()


def label(lang: str = "en", n: int | None = None) -> str:
    """The statistic in words, e.g. "mean and 5-95% over 20 runs" (without ``n``: "mean and 5-95%")."""
    i = 1 if lang == "da" else 0
    return _WORDS["with_n"][i].format(n=n) if n is not None else _WORDS["without_n"][i]
