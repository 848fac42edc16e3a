"""Scenario discovery: the futures in which a policy misses its target, described as PRIM boxes.

PRIM (the Patient Rule Induction Method; Friedman and Fisher 1999, as used for scenario discovery by
Bryant and Lempert 2010) peels the space of uncertainties down to a box -- a few "uncertainty between a
and b" conditions -- that holds most of the futures of interest (here: target missed). Two numbers judge
a box: **coverage**, the share of all misses that lie inside it, and **density**, the share of futures
inside it that are misses. We use the EMA Workbench's implementation (``ema_workbench.analysis.prim``,
maintained, the reference implementation of scenario discovery), imported only when a box is wanted: it
is heavy and configures logging on import.

Which box of the peeling trajectory is reported: among the boxes restricting at most ``max_dims``
uncertainties (so that the answer stays readable), the one with the highest harmonic mean of coverage
and density (the F1 score of the box as a rule for "target missed"). This is an automatic, reproducible
version of the analyst's usual pick of a box on the coverage-density trade-off's knee; restrictions
whose removal costs less than 0.01 of that score are then dropped (PRIM peels thin slices off every
dimension, and a box should name only the uncertainties that matter). Up to
``max_boxes`` boxes are found (PRIM's covering: the second box is searched among the futures outside
the first); a box is kept only if its density is above the share of misses in the data (it says more
than "anything can happen").
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import warnings
from typing import Any

import numpy as np
import pandas as pd

MAX_DIMS = 3
MAX_BOXES = 2
MIN_CASES = 5


def _prim_class() -> Any:
    """The EMA Workbench's Prim class, imported lazily and quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        try:
            from ema_workbench.analysis import prim
        finally:  # the workbench may add handlers or change levels on import: put them back
            root.handlers[:] = handlers
            root.setLevel(level)
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim.Prim


def _make_prim(x: pd.DataFrame, y: np.ndarray, peel_alpha: float, mass_min: float) -> Any:
    """A Prim object for a binary outcome, across workbench versions (2.5 needs ``threshold``)."""
    prim_cls = _prim_class()
    kwargs: dict[str, Any] = {"peel_alpha": peel_alpha, "mass_min": mass_min}
    if "threshold" in inspect.signature(prim_cls.__init__).parameters:
        kwargs["threshold"] = 0.0  # keep every box; we judge them by coverage and density ourselves
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prim_cls(x, y, **kwargs)


def _restricted(lims: pd.DataFrame, init: pd.DataFrame) -> list[str]:
    return [
        c
        for c in lims.columns
        if not (
            np.isclose(lims[c].iloc[0], init[c].iloc[0])
            and np.isclose(lims[c].iloc[1], init[c].iloc[1])
        )
    ]


def _f1(
    x: pd.DataFrame,
    y: np.ndarray,
    remaining: np.ndarray,
    lims: pd.DataFrame,
    dims: list[str],
    cases: int,
) -> float:
    inside = _inside(x, lims, dims) & remaining
    hit = int((inside & y).sum())
    if not hit:
        return 0.0
    coverage, density = hit / cases, hit / inside.sum()
    return 2 * coverage * density / (coverage + density)


def _prune(
    x: pd.DataFrame,
    y: np.ndarray,
    remaining: np.ndarray,
    lims: pd.DataFrame,
    dims: list[str],
    cases: int,
) -> list[str]:
    """Drop restrictions that do not earn their place: one whose removal lowers the box's F1 score by
    less than 0.01 goes (the least useful first), so a box names only the uncertainties that matter."""
    dims = list(dims)
    while len(dims) > 1:
        score = _f1(x, y, remaining, lims, dims, cases)
        losses = {
            d: score - _f1(x, y, remaining, lims, [e for e in dims if e != d], cases) for d in dims
        }
        weakest = min(losses, key=losses.__getitem__)
        if losses[weakest] >= 0.01:
            break
        dims.remove(weakest)
    return dims


def _inside(x: pd.DataFrame, lims: pd.DataFrame, dims: list[str]) -> np.ndarray:
    mask = np.ones(len(x), dtype=bool)
    for c in dims:
        mask &= (x[c].to_numpy() >= lims[c].iloc[0]) & (x[c].to_numpy() <= lims[c].iloc[1])
    return mask


def discover(
    x: pd.DataFrame,
    missed: np.ndarray,
    *,
    label: str = "",
    max_dims: int = MAX_DIMS,
    max_boxes: int = MAX_BOXES,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> pd.DataFrame:
    """PRIM boxes of the futures in which the target is missed.

    Args:
        x: one row per run, one column per uncertainty (e.g. ``uncertainties.effect_size``).
        missed: True where the run missed the target.
        label: what the boxes describe (kept in the ``label`` column).
        max_dims: most uncertainties a reported box may restrict.
        max_boxes: most boxes (each searched outside the earlier ones).
        peel_alpha, mass_min: PRIM's peeling step and smallest box mass.

    Returns:
        One row per box restriction (``box``, ``dimension``, ``low``, ``high``; NaN for a side the box
        leaves at the data's own bound) with the box's
        ``coverage``, ``density``, ``mass`` and ``n_inside``, plus ``cases`` and ``n`` (misses and runs
        in the data) and ``note``; a single row with a ``note`` and no box when there is nothing to
        discover (no misses, only misses, or fewer than 5 of either).
    """
    x = x.reset_index(drop=True).astype(float)
    y = np.asarray(missed, dtype=bool)
    n, cases = len(y), int(y.sum())
    base = {"label": label, "cases": cases, "n": n}
    empty = {"box": 0, "dimension": "", "low": np.nan, "high": np.nan, "coverage": np.nan,
             "density": np.nan, "mass": np.nan, "n_inside": 0}  # fmt: skip
    if cases == 0:
        return pd.DataFrame(
            [{**base, **empty, "note": "target reached in every run: nothing to discover"}]
        )
    if cases == n:
        return pd.DataFrame(
            [{**base, **empty, "note": "target missed in every run (no future reaches it)"}]
        )
    if min(cases, n - cases) < MIN_CASES:
        return pd.DataFrame(
            [
                {
                    **base,
                    **empty,
                    "note": f"too few misses or hits (fewer than {MIN_CASES}) for a box",
                }
            ]
        )
    x = x.loc[:, x.nunique() > 1]
    prim = _make_prim(x, y.astype(int), peel_alpha, mass_min)
    rows: list[dict[str, Any]] = []
    remaining = np.ones(n, dtype=bool)
    for number in range(1, max_boxes + 1):
        with warnings.catch_warnings(), contextlib.redirect_stdout(None):
            warnings.simplefilter("ignore")
            box = prim.find_box()
        if box is None:
            break
        traj = box.peeling_trajectory.reset_index(drop=True)
        init = box.box_lims[0]
        best, best_score, best_dims = None, -1.0, []
        for i in range(len(traj)):
            dims = _restricted(box.box_lims[i], init)
            if not dims or len(dims) > max_dims:
                continue
            inside = _inside(x, box.box_lims[i], dims) & remaining
            hit = int((inside & y).sum())
            coverage = hit / cases
            density = hit / inside.sum() if inside.sum() else 0.0
            score = 2 * coverage * density / (coverage + density) if coverage + density else 0.0
            if score > best_score:
                best, best_score, best_dims = i, score, dims
        if best is None:
            break
        lims = box.box_lims[best]
        best_dims = _prune(x, y, remaining, lims, best_dims, cases)
        inside = _inside(x, lims, best_dims) & remaining
        hit = int((inside & y).sum())
        density = hit / inside.sum()
        if density <= y[remaining].mean() or (number > 1 and density < 0.5):
            break
        stats = {
            "box": number,
            "coverage": hit / cases,
            "density": density,
            "mass": inside.sum() / n,
            "n_inside": int(inside.sum()),
            "note": "",
        }
        for dim in best_dims:
            low, high = float(lims[dim].iloc[0]), float(lims[dim].iloc[1])
            rows.append(
                {
                    **base,
                    **stats,
                    "dimension": dim,
                    "low": np.nan if np.isclose(low, init[dim].iloc[0]) else low,
                    "high": np.nan if np.isclose(high, init[dim].iloc[1]) else high,
                }
            )
        remaining &= ~inside
        if not (remaining & y).any():
            break
    if not rows:
        return pd.DataFrame([{**base, **empty, "note": "no box denser than the data as a whole"}])
    cols = [
        "label",
        "box",
        "dimension",
        "low",
        "high",
        "coverage",
        "density",
        "mass",
        "n_inside",
        "cases",
        "n",
        "note",
    ]
    return pd.DataFrame(rows)[cols]


def describe_boxes(boxes: pd.DataFrame, lang: str = "en") -> str:
    """PRIM boxes in words, one line per box (``"effect_size <= 0.82 and ...: coverage 0.91, ..."``)."""
    if boxes.empty:
        return ""
    lines = []
    group_cols = [c for c in ("scenario", "target_year") if c in boxes] or ["label"]
    for key, group in boxes.groupby(group_cols, sort=False):
        head = ", ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
        first = group.iloc[0]
        if not first["dimension"]:
            lines.append(
                f"{head}: {first['note']} ({int(first['cases'])} of {int(first['n'])} runs miss)"
            )
            continue
        for number, box in group.groupby("box", sort=True):
            joiner = " og " if lang == "da" else " and "
            conds = joiner.join(
                _condition(str(r.dimension).split(".")[-1], r.low, r.high)
                for r in box.itertuples(index=False)
            )
            b = box.iloc[0]
            if lang == "da":
                stats = f"dækning {b['coverage']:.2f}, tæthed {b['density']:.2f}"
            else:
                stats = f"coverage {b['coverage']:.2f}, density {b['density']:.2f}"
            lines.append(
                f"{head}, box {number}: {conds} ({stats}; {int(b['cases'])} of {int(b['n'])} runs miss)"
            )
    return "\n".join(lines)


def _condition(name: str, low: float, high: float) -> str:
    """``low <= name <= high``, leaving out a side the box does not restrict (NaN)."""
    if np.isnan(low):
        return f"{name} <= {high:.3g}"
    if np.isnan(high):
        return f"{name} >= {low:.3g}"
    return f"{low:.3g} <= {name} <= {high:.3g}"
