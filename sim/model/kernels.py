"""Compiled helpers of the core model's month (staff counters, thinning, destination choice).

At small staff scales a month of the core model is a few hundred tiny numpy calls, and their fixed cost
(not the arithmetic) dominates. Each helper here fuses a short chain of them into one compiled loop that
computes exactly the same numbers: the same operations on the same values in the same order (sums
accumulated element by element, as ``np.bincount`` and ``np.add.accumulate`` do). No helper draws random
numbers: the draws stay numpy ``Generator`` calls in Python, with the same sizes in the same order.

Cached on disk by numba (``__pycache__`` next to this file); ``NUMBA_DISABLE_JIT=1`` runs them as plain
Python with the same results.
"""

from __future__ import annotations

import numba
import numpy as np

_jit = numba.njit(cache=True, nogil=True)


@_jit
def count_into(
    head_g: np.ndarray,
    fte_g: np.ndarray,
    group: np.ndarray,
    fte: np.ndarray,
    sign: int,
    with_heads: bool,
) -> None:
    """``head_g += sign * bincount(group)`` (if ``with_heads``) and ``fte_g += sign * bincount(group,
    weights=fte)``, groups >= ``len(fte_g)`` ignored: the weights are summed per group in float64 in
    element order first, then added to (or subtracted from) the counters, as the numpy chain does."""
    n_groups = len(fte_g)
    sums = np.zeros(n_groups + 1)
    heads = np.zeros(n_groups + 1, np.int64)
    for i in range(len(group)):
        g = group[i]
        sums[g] += np.float64(fte[i])
        heads[g] += 1
    if with_heads:
        for g in range(n_groups):
            head_g[g] += sign * heads[g]
    for g in range(n_groups):
        if sign > 0:
            fte_g[g] += sums[g]
        else:
            fte_g[g] -= sums[g]


@_jit
def thinning_positions(exponentials: np.ndarray, divisor: float, n: int) -> tuple[np.ndarray, int]:
    """Positions ``cumsum(ceil(exponentials / divisor)) - 1`` (int64) of
    :func:`sim.model.staff.bernoulli_slots`, and how many of them are below ``n``
    (``positions.searchsorted(n)``: the positions never decrease)."""
    positions = np.empty(len(exponentials), np.int64)
    total = np.int64(0)
    below = 0
    for i in range(len(exponentials)):
        total += np.int64(np.ceil(exponentials[i] / divisor))
        positions[i] = total - 1
        if total - 1 < n:
            below = i + 1
    return positions, below


@_jit
def destination_cumulative(
    weights: np.ndarray, org_sector: np.ndarray, n_sectors: int, out: np.ndarray
) -> None:
    """The rows of :class:`sim.model.staff.RowChooser` for :func:`sim.model.staff.destination_weights`,
    written to ``out`` [S * P, O]: row ``s * P + p`` is ``weights[:, p]`` inside sector s, zero outside
    (all ones inside the sector if that is all zero; all ones if the sector has no organisation),
    cumulated, divided by its sum and shifted by its row index, its last value exactly the row index + 1.
    ``weights`` must be non-negative (as :func:`sim.model.staff.hiring_weights` gives): then a row's
    cumulated sum is positive exactly when numpy's pairwise sum of it is.
    """
    n_orgs, n_prof = weights.shape
    for s in range(n_sectors):
        for p in range(n_prof):
            r = s * n_prof + p
            # as np.add.accumulate: the first value, then each next one added
            acc = weights[0, p] if org_sector[0] == s else 0.0
            out[r, 0] = acc
            for o in range(1, n_orgs):
                acc += weights[o, p] if org_sector[o] == s else 0.0
                out[r, o] = acc
            if not acc > 0:  # nothing known: uniform within the sector
                acc = 1.0 if org_sector[0] == s else 0.0
                out[r, 0] = acc
                for o in range(1, n_orgs):
                    acc += 1.0 if org_sector[o] == s else 0.0
                    out[r, o] = acc
            if not acc > 0:  # no organisation in the sector: uniform over all
                for o in range(n_orgs):
                    out[r, o] = o + 1.0
            last = out[r, n_orgs - 1]
            for o in range(n_orgs):
                out[r, o] = out[r, o] / last + r
            out[r, n_orgs - 1] = r + 1
