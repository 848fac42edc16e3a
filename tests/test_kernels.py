"""The core model's compiled helpers give exactly the numbers of the numpy chains they replace."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model import kernels
from sim.model.staff import N_PROF, RowChooser, destination_weights


def _numpy_destination_rows(
    weights: np.ndarray, org_sector: np.ndarray, n_sectors: int
) -> np.ndarray:
    """The numpy construction of the chooser's rows that ``destination_cumulative`` replaces."""
    in_sector = (org_sector == np.arange(n_sectors)[:, None])[:, None, :]
    out = np.where(in_sector, weights.T, 0.0)
    unknown = ~(out.sum(axis=2) > 0)
    if unknown.any():
        out = np.where(in_sector & unknown[:, :, None], 1.0, out)
    return RowChooser(out.reshape(n_sectors * N_PROF, len(org_sector))).cum


@pytest.mark.parametrize("seed", range(5))
def test_count_into_equals_bincount(seed):
    rng = np.random.default_rng(seed)
    n_groups = 37
    head = rng.integers(0, 50, n_groups)
    fte = rng.uniform(0, 40, n_groups)
    group = rng.integers(0, n_groups + 1, 300).astype(np.int32)  # the free group included
    weights = rng.uniform(0.3, 1.0, 300).astype(np.float32)
    for sign in (1, -1):
        want_head = head + sign * np.bincount(group, minlength=n_groups + 1)[:n_groups]
        sums = np.bincount(group, weights=weights, minlength=n_groups + 1)[:n_groups]
        want_fte = fte + sums if sign > 0 else fte - sums
        got_head, got_fte = head.copy(), fte.copy()
        kernels.count_into(got_head, got_fte, group, weights, sign, True)
        assert np.array_equal(got_head, want_head)
        assert np.array_equal(got_fte, want_fte)  # bit for bit
        kernels.count_into(got_head, got_fte, group, weights, sign, False)
        assert np.array_equal(got_head, want_head)  # heads left alone


@pytest.mark.parametrize("p", [0.001, 0.03, 0.2])
def test_thinning_positions_equal_numpy(p):
    rng = np.random.default_rng(7)
    e = rng.standard_exponential(500)
    n = int(250 / p)
    want = (np.ceil(e / -math.log1p(-p)).astype(np.int64)).cumsum() - 1
    got, below = kernels.thinning_positions(e, -math.log1p(-p), n)
    assert np.array_equal(got, want)
    assert below == want.searchsorted(n)


@pytest.mark.parametrize("seed", range(5))
def test_destination_rows_equal_numpy(seed):
    rng = np.random.default_rng(seed)
    n_orgs = 23
    org_sector = rng.integers(0, 2, n_orgs)
    weights = rng.uniform(0, 5, (n_orgs, N_PROF)) * (rng.random((n_orgs, N_PROF)) < 0.6)
    weights[org_sector == 1, 2] = 0.0  # a profession nobody in sector 1 asks for: uniform there
    got = destination_weights(weights, org_sector, 2).cum
    assert np.array_equal(got, _numpy_destination_rows(weights, org_sector, 2))


def test_destination_rows_with_an_empty_sector_equal_numpy():
    org_sector = np.zeros(6, np.int64)  # sector 1 has no organisation: uniform over all
    weights = np.arange(6 * N_PROF, dtype=float).reshape(6, N_PROF)
    got = destination_weights(weights, org_sector, 2).cum
    assert np.array_equal(got, _numpy_destination_rows(weights, org_sector, 2))
