"""Futures: one sampler of the uncertain world every decision analysis evaluates a policy in.

A *future* is one draw of everything that is not policy: the exogenous uncertainties of
``sim.UNCERTAINTIES`` (demography, education intake, effect size, ...) and the model's structural
coefficients from the calibrated posterior (``calibration.<section>.<key>``). The recommendation
answer and goal seeking evaluate every scenario or candidate portfolio on the *same* futures (and the
same run seeds within each future), so their differences are paired.

:func:`sample_futures` returns a table with one row per future and one column per dotted override key,
ready to be applied with ``Scenario.with_overrides``:

* ``uncertainties.<name>``: a Latin hypercube (``scipy.stats.qmc.LatinHypercube``) over each
  uncertainty's range in ``sim.UNCERTAINTIES`` (or a narrower range given by the caller), uniform within
  the range: the ranges are plausible bounds, not distributions, so every part of them is covered evenly.
* structural coefficients: drawn by a sampler ``structural(n, seed) -> DataFrame`` with ``n`` rows and
  ``calibration.<section>.<key>`` (or ``uncertainties.<name>``) columns. The setting follows the
  experiments' ``structural`` (:mod:`sim.experiments.structural`): ``"auto"`` (default) uses
  :data:`DEFAULT_STRUCTURAL` -- the calibration's :func:`sim.calibration.posterior.draw_structural`,
  which resamples ``sim/data/posterior.parquet`` by weight -- when that file exists and nothing when it
  does not; ``"posterior"`` insists on it; ``"none"`` keeps the calibrated point values. Each future
  takes one posterior draw, shared by every scenario and seed of that future, so the between-future
  spread includes the structural uncertainty. A posterior column ``uncertainties.<name>`` (the
  calibration fits ``effect_size``) replaces that uncertainty's uniform draw: the calibrated distribution
  is the better-informed one.

Everything is drawn from ``numpy.random.SeedSequence([master_seed, tag, stream])``, so the same
``(n, master_seed, stream)`` gives the same futures on any machine; ``stream`` keeps independent sets
apart (e.g. search futures and the fresh futures used to validate a goal-seeking answer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.calibration.posterior import acts_from_2025, draw_structural, posterior_available
from sim.errors import ExperimentError, did_you_mean
from sim.levers import UNCERTAINTIES

StructuralSampler = Callable[[int, int], pd.DataFrame]
StructuralSetting = StructuralSampler | Literal["auto", "posterior", "none"] | None
STRUCTURAL_MODES = ("auto", "posterior", "none")

#: The structural-uncertainty sampler of ``"auto"`` and ``"posterior"``: ``structural(n, seed) ->
#: DataFrame`` of ``calibration.<section>.<key>`` columns, resampled by weight from the shipped posterior
#: ``sim/data/posterior.parquet`` (written by ``opisim calibrate --ship``).
DEFAULT_STRUCTURAL: StructuralSampler = draw_structural

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


def structural_sampler(structural: StructuralSetting) -> StructuralSampler | None:
    """The sampler a structural setting stands for (None: no structural columns).

    ``"auto"``: :data:`DEFAULT_STRUCTURAL` if the shipped posterior exists, else None; ``"posterior"``:
    :data:`DEFAULT_STRUCTURAL` (which fails without a posterior); ``"none"`` or None: None; a callable:
    itself.

    Raises:
        ValueError: an unknown setting.
    """
    if structural is None or callable(structural):
        return structural
    if structural not in STRUCTURAL_MODES:
        raise ValueError(
            f"structural = {structural!r}; allowed: {', '.join(STRUCTURAL_MODES)} or a sampler"
        )
    if structural == "none" or (structural == "auto" and not posterior_available()):
        return None
    return DEFAULT_STRUCTURAL


def futures_structural(asked: str, origin: str) -> str:
    """An experiment's ``structural`` setting resolved for its futures: ``"posterior"`` or ``"none"``.

    Raises:
        ExperimentError: an unknown setting, or ``posterior`` without a (valid) posterior file, naming
            ``origin`` and the key ``experiment.structural`` (as for any experiment).
    """
    from sim.experiments.structural import resolve

    return resolve(asked, True, origin).mode


def describe_futures_structural(asked: str, origin: str) -> dict[str, Any]:
    """The manifest's ``structural`` entry of an experiment whose futures carry the posterior draws."""
    from sim.experiments.structural import resolve

    out = resolve(asked, True, origin).describe()
    if out["mode"] == "posterior":
        out["draws"] = (
            "future f takes draw f of a weighted resampling seeded from SeedSequence([master_seed, "
            "0x57C, stream]) (sim.experiments.futures), shared by every scenario and seed of that future"
        )
    return out


def future_dimensions(columns: Iterable[str]) -> list[str]:
    """The columns of a futures run table that describe its future: the sampled uncertainties and the
    posterior's coefficients that act from 2025 (the dimensions scenario discovery searches)."""
    return [
        c
        for c in columns
        if c.startswith("uncertainties.") or (c.startswith("calibration.") and acts_from_2025(c))
    ]


def unknown_design_key(origin: str, key: str, kind: str, allowed: Iterable[str]) -> ExperimentError:
    """The error for an unknown ``[design]`` key of a design that samples futures (``structural``
    belongs to ``[experiment]``, as in every experiment)."""
    if key == "structural":
        return ExperimentError(
            f"{origin}: key 'design.structural' is not a key of kind = {kind!r}; allowed: "
            f'structural = "auto", "posterior" or "none" in [experiment] (or --structural)'
        )
    return ExperimentError(
        f"{origin}: unknown key 'design.{key}' for kind = {kind!r}; allowed keys: "
        f"{', '.join(allowed)}{did_you_mean(key, list(allowed))}"
    )


def sample_futures(
    n: int,
    master_seed: int,
    *,
    uncertainties: str | Sequence[str] = "all",
    ranges: dict[str, tuple[float, float]] | None = None,
    structural: StructuralSetting = "auto",
    stream: str | int = "search",
) -> pd.DataFrame:
    """``n`` futures as a table of dotted override keys (one row per future).

    Args:
        n: number of futures (>= 1).
        master_seed: the experiment's master seed.
        uncertainties: ``"all"`` or the names of the uncertainties to vary; the others keep their
            scenario values (columns are only made for the varied ones).
        ranges: narrower ``(low, high)`` ranges by uncertainty name (default: the row's range).
        structural: ``"auto"`` (the posterior's coefficients if ``sim/data/posterior.parquet``
            exists), ``"posterior"``, ``"none"`` / None (exogenous uncertainties only) or a sampler
            ``structural(n, seed) -> DataFrame`` of ``calibration.<section>.<key>`` columns (see
            :func:`structural_sampler`).
        stream: which independent set of futures: ``"search"``, ``"validation"``, ``"discovery"``
            or an integer.

    Returns:
        A DataFrame indexed ``0..n-1`` (name ``future``) with ``uncertainties.<name>`` columns (in
        ``sim.UNCERTAINTIES`` order) followed by the structural columns, if any (a structural
        ``uncertainties.<name>`` column replaces the uniform one in place).

    Raises:
        ValueError: ``n < 1``, a bad range, or a structural sampler that returns the wrong shape.
        KeyError: an unknown uncertainty.
        sim.errors.CalibrationError: ``"posterior"`` without a posterior file.
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
    sampler = structural_sampler(structural)
    if sampler is not None:
        seed_state = np.random.SeedSequence([master_seed, _STRUCTURAL_TAG, stream_id])
        seed = int(seed_state.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
        extra = pd.DataFrame(sampler(n, seed)).reset_index(drop=True)
        if len(extra) != n:
            raise ValueError(f"structural sampler returned {len(extra)} rows; expected {n}")
        bad = [
            c for c in extra.columns if not str(c).startswith(("calibration.", "uncertainties."))
        ]
        if bad:
            raise ValueError(
                f"structural sampler returned column {bad[0]!r}; allowed: "
                f"calibration.<section>.<key> or uncertainties.<name>"
            )
        extra.index = frame.index
        extra = extra.astype(float)
        for column in [c for c in extra.columns if c in frame.columns]:
            frame[column] = extra.pop(column)
        frame = pd.concat([frame, extra], axis=1)
    return frame


def structural_label(structural: StructuralSetting) -> str:
    """What the structural part of the futures is, in words, for manifests and reports."""
    sampler = structural_sampler(structural)
    if sampler is None:
        return "none (structural coefficients at their calibrated values)"
    name = f"{getattr(sampler, '__module__', '?')}.{getattr(sampler, '__name__', repr(sampler))}"
    if sampler is draw_structural:
        from sim.calibration.posterior import load_posterior

        posterior = load_posterior()
        return f"{name} ({posterior.attrs['path']}, sha256 {posterior.attrs['sha256'][:12]})"
    return name
