"""The calibrated posterior as the default distribution of structural uncertainty.

``opisim calibrate FILE --ship`` writes the last ABC-SMC generation to ``sim/data/posterior.parquet``:
one row per accepted particle with its normalised ``weight`` and one column per calibrated coefficient
(dotted scenario keys such as ``calibration.innovation.bass_q_year``). :func:`draw_structural` resamples
it by weight. Experiments use it by default when the file exists: replication ``r`` of every scenario
gets posterior draw ``r`` (common random numbers), and each run records the row it used
(``posterior_draw`` in ``runs.parquet``). ``structural = "none"`` in an experiment file, or
``--structural none``, switches it off.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.errors import CalibrationError

POSTERIOR_FILE = "posterior.parquet"
META_COLUMNS = ("generation", "particle", "weight", "distance")
# coefficients of the historical starting state (sim/data/calibration.toml [history]): a run that starts
# in 2025 does not read them, so they are no sensitivity factor or scenario-discovery dimension of one
HISTORY_ONLY_PREFIX = "calibration.history."
STRUCTURAL_MODES = ("auto", "posterior", "none")


def shipped_path() -> Path:
    """Where the shipped posterior lives: ``sim/data/posterior.parquet`` (it may not exist)."""
    return Path(str(resources.files("sim.data").joinpath(POSTERIOR_FILE)))


def weighted_indices(weights: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` row indices drawn with replacement in proportion to ``weights``.

    Draw ``k`` uses the ``k``-th uniform number of ``numpy.random.default_rng(seed)``, so the first
    draws do not depend on ``n`` (``weighted_indices(w, 5, s)[:3] == weighted_indices(w, 3, s)``).
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or len(w) == 0 or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("weights must be a non-empty vector of finite, non-negative numbers")
    cdf = np.cumsum(w) / w.sum()
    cdf[-1] = 1.0
    u = np.random.default_rng(int(seed)).random(int(n))
    return np.searchsorted(cdf, u, side="right").astype(np.int64)


def parameter_columns(frame: pd.DataFrame) -> list[str]:
    """The coefficient columns of a posterior table (all but generation, particle, weight, distance)."""
    return [c for c in frame.columns if c not in META_COLUMNS and not c.startswith("stat:")]


def acts_from_2025(key: str) -> bool:
    """Whether a coefficient can change a run that starts in 2025 (the history-only ones cannot)."""
    return not key.startswith(HISTORY_ONLY_PREFIX)


@lru_cache(maxsize=8)
def _read(path: str, mtime_ns: int) -> tuple[pd.DataFrame, str]:
    data = Path(path).read_bytes()
    frame = pq.read_table(path).to_pandas()
    return frame, hashlib.sha256(data).hexdigest()


def load_posterior(path: str | Path | None = None) -> pd.DataFrame:
    """The posterior table (``attrs["sha256"]`` and ``attrs["path"]`` say which file).

    Args:
        path: a posterior Parquet file; default the shipped ``sim/data/posterior.parquet``.

    Raises:
        CalibrationError: the file is missing or is not a posterior table.
    """
    p = Path(path) if path is not None else shipped_path()
    if not p.is_file():
        raise CalibrationError(
            f"{p}: no posterior file; allowed: run `opisim calibrate experiments/calibrate_history.toml "
            f'--ship` to make it, or set structural = "none"'
        )
    frame, sha = _read(str(p), p.stat().st_mtime_ns)
    if "weight" not in frame.columns or not parameter_columns(frame):
        raise CalibrationError(
            f"{p}: not a posterior table (needs a 'weight' column and coefficient columns)"
        )
    frame = frame.copy()
    frame.attrs.update(path=str(p), sha256=sha)
    return frame


def posterior_available(path: str | Path | None = None) -> bool:
    """Whether a posterior file exists (the shipped one by default)."""
    return (Path(path) if path is not None else shipped_path()).is_file()


def draw_structural(n: int, seed: int, path: str | Path | None = None) -> pd.DataFrame:
    """``n`` draws of the calibrated coefficients, resampled by weight from the posterior.

    Args:
        n: number of draws.
        seed: seed of the resampling (draw ``k`` does not depend on ``n``).
        path: a posterior file; default the shipped one.

    Returns:
        One row per draw, one column per dotted key (``calibration.<section>.<key>``, ...); the index,
        named ``posterior_draw``, is the row of the posterior table each draw took.
    """
    frame = load_posterior(path)
    rows = weighted_indices(frame["weight"].to_numpy(), n, seed)
    cols = parameter_columns(frame)
    out = frame.loc[rows, cols].copy()
    out.index = pd.Index(rows, name="posterior_draw")
    out.attrs.update(frame.attrs)
    return out


def posterior_row(frame: pd.DataFrame, row: int) -> dict[str, float]:
    """The coefficients of one posterior row, as scenario overrides."""
    return {key: float(frame.at[int(row), key]) for key in parameter_columns(frame)}


def posterior_intervals(
    path: str | Path | None = None, alphas: tuple[float, float] = (0.05, 0.95)
) -> dict[str, tuple[float, float]]:
    """Each coefficient's weighted (5%, 95%) interval, e.g. as ranges of sensitivity factors."""
    from sim.calibration.runner import weighted_quantiles

    frame = load_posterior(path)
    w = frame["weight"].to_numpy()
    out = {}
    for key in parameter_columns(frame):
        lo, hi = weighted_quantiles(frame[key].to_numpy(), w, alphas)
        out[key] = (lo, hi)
    return out


def ship_posterior(source: str | Path, target: str | Path | None = None) -> Path:
    """Copy a calibration's ``posterior.parquet`` to ``sim/data/`` (or ``target``); returns the path."""
    source = Path(source)
    target = Path(target) if target is not None else shipped_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, tmp)
    tmp.replace(target)
    _read.cache_clear()
    return target


def describe(path: str | Path | None = None) -> dict[str, Any]:
    """Where a posterior came from (its Parquet metadata), for manifests."""
    p = Path(path) if path is not None else shipped_path()
    meta = pq.read_schema(p).metadata or {}
    out: dict[str, Any] = {
        k.decode()[len("opisim.") :]: v.decode()
        for k, v in meta.items()
        if k.startswith(b"opisim.")
    }
    if "parameters" in out:
        out["parameters"] = json.loads(out["parameters"])
    out.pop("priors", None)
    return out
