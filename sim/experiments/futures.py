"""Futures: one sampler of the uncertain world every decision analysis evaluates a policy in.

A *future* is one draw of everything that is not policy: the exogenous uncertainties of
``sim.UNCERTAINTIES`` (demography, education intake, effect size, ...) and, once the calibration ships a
posterior, the model's structural coefficients (``calibration.<section>.<key>``). The recommendation
answer and goal seeking evaluate every scenario or candidate portfolio on the *same* futures (and the
same run seeds within each future), so their differences are paired.

:func:`sample_futures` returns a table with one row per future and one column per dotted override key,
ready to be applied with ``Scenario.with_overrides``:

* ``uncertainties.<name>``: a Latin hypercube (``scipy.stats.qmc.LatinHypercube``) over each
  uncertainty's range in ``sim.UNCERTAINTIES`` (or a narrower range given by the caller), uniform within
  the range: the ranges are plausible bounds, not distributions, so every part of them is covered evenly.
* structural coefficients: drawn by a callable ``structural(n, seed) -> DataFrame`` with ``n`` rows and
  ``calibration.<section>.<key>`` columns (e.g. resampling the calibration's weighted posterior). The
  default (``structural="default"``) is :data:`DEFAULT_STRUCTURAL`, None today: the calibration adds its
  posterior sampler there -- one line -- and every experiment that samples futures picks it up.

Everything is drawn from ``numpy.random.SeedSequence([master_seed, tag, stream])``, so the same
``(n, master_seed, stream)`` gives the same futures on any machine; ``stream`` keeps independent sets
apart (e.g. search futures and the fresh futures used to validate a goal-seeking answer).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.levers import UNCERTAINTIES

StructuralSampler = Callable[[int, int], pd.DataFrame]

#: The structural-uncertainty sampler used by default: ``structural(n, seed) -> DataFrame`` of
#: ``calibration.<section>.<key>`` columns. None until the calibration's posterior ships; then this is the
#: one line to change, e.g. ``DEFAULT_STRUCTURAL = posterior_sampler`` (from the calibration module).
DEFAULT_STRUCTURAL: StructuralSampler | None = None

_FUTURES_TAG = 0xF07
_STRUCTURAL_TAG = 0x57C
STREAMS = {"search": 0, "validation": 1, "discovery": 2}


def _stream_id(stream: str | int) -> int:
    if isinstance(stream, int):
        return stream
    if stream not in STREAMS:
        raise ValueError(f"unknown futures stream {stream!r}; allowed: {', '.join(STREAMS)}")
    return STREAMS[stream]


def uncertainty_names(selection: str | Sequence[str] = "all") -> list[str]:
    """The uncertainties named by ``"all"`` or a list (checked against ``sim.UNCERTAINTIES``).

    Raises:
        KeyError: an unknown uncertainty name.
    """
    if isinstance(selection, str):
        if selection != "all":
            raise KeyError(selection)
        return list(UNCERTAINTIES)
    for name in selection:
        if name not in UNCERTAINTIES:
            raise KeyError(name)
    return list(selection)


def sample_futures(
    n: int,
    master_seed: int,
    *,
    uncertainties: str | Sequence[str] = "all",
    ranges: dict[str, tuple[float, float]] | None = None,
    structural: StructuralSampler | Literal["default"] | None = "default",
    stream: str | int = "search",
) -> pd.DataFrame:
    """``n`` futures as a table of dotted override keys (one row per future).

    Args:
        n: number of futures (>= 1).
        master_seed: the experiment's master seed.
        uncertainties: ``"all"`` or the names of the uncertainties to vary; the others keep their
            scenario values (columns are only made for the varied ones).
        ranges: narrower ``(low, high)`` ranges by uncertainty name (default: the row's range).
        structural: ``"default"`` (:data:`DEFAULT_STRUCTURAL`), None (exogenous uncertainties only) or
            a sampler ``structural(n, seed) -> DataFrame`` of ``calibration.<section>.<key>`` columns.
        stream: which independent set of futures: ``"search"``, ``"validation"``, ``"discovery"``
            or an integer.

    Returns:
        A DataFrame indexed ``0..n-1`` (name ``future``) with ``uncertainties.<name>`` columns (in
        ``sim.UNCERTAINTIES`` order) followed by the structural columns, if any.

    Raises:
        ValueError: ``n < 1``, a bad range, or a structural sampler that returns the wrong shape.
        KeyError: an unknown uncertainty.
    """
    if n < 1:
        raise ValueError(f"n = {n}: the number of futures must be >= 1")
    names = uncertainty_names(uncertainties)
    ranges = dict(ranges or {})
    lows, highs = [], []
    for name in names:
        row = UNCERTAINTIES[name]
        low, high = ranges.pop(name, (row.low, row.high))
        if not row.low <= low < high <= row.high:
            raise ValueError(
                f"range of uncertainty {name!r} = [{low}, {high}]: allowed: low < high within "
                f"[{row.low:g}, {row.high:g}]"
            )
        lows.append(float(low))
        highs.append(float(high))
    if ranges:
        raise KeyError(next(iter(ranges)))
    stream_id = _stream_id(stream)
    frame = pd.DataFrame(index=pd.RangeIndex(n, name="future"))
    if names:
        rng = np.random.default_rng(np.random.SeedSequence([master_seed, _FUTURES_TAG, stream_id]))
        unit = qmc.LatinHypercube(d=len(names), rng=rng).random(n)
        values = qmc.scale(unit, lows, highs)
        for j, name in enumerate(names):
            frame[f"uncertainties.{name}"] = values[:, j]
    sampler = DEFAULT_STRUCTURAL if structural == "default" else structural
    if sampler is not None:
        seed_state = np.random.SeedSequence([master_seed, _STRUCTURAL_TAG, stream_id])
        seed = int(seed_state.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
        extra = pd.DataFrame(sampler(n, seed)).reset_index(drop=True)
        if len(extra) != n:
            raise ValueError(f"structural sampler returned {len(extra)} rows; expected {n}")
        bad = [c for c in extra.columns if not str(c).startswith("calibration.")]
        if bad:
            raise ValueError(
                f"structural sampler returned column {bad[0]!r}; allowed: calibration.<section>.<key>"
            )
        extra.index = frame.index
        frame = pd.concat([frame, extra.astype(float)], axis=1)
    return frame


def structural_label(structural: StructuralSampler | Literal["default"] | None) -> str:
    """What the structural part of the futures is, in words, for manifests and reports."""
    sampler = DEFAULT_STRUCTURAL if structural == "default" else structural
    if sampler is None:
        return "none (structural coefficients at their calibrated values)"
    return f"{getattr(sampler, '__module__', '?')}.{getattr(sampler, '__name__', repr(sampler))}"
