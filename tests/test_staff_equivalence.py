"""The fast staff mechanisms give exactly what their plain versions gave (same draws, same numbers)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_staff import PROFILE  # the same profile as the unit tests

from sim.model.staff import (
    N_PROF,
    RowChooser,
    _geometric,
    _in_sorted,
    bernoulli_slots,
    destination_weights,
    initial_staff,
)


def plain_destination_cum(
    weights: np.ndarray, org_sector: np.ndarray, n_sectors: int
) -> np.ndarray:
    """The chooser's cumulative weights as first written: a loop over sectors, then RowChooser."""
    out = np.zeros((n_sectors * N_PROF, len(org_sector)))
    for s in range(n_sectors):
        in_s = org_sector == s
        block = weights[in_s].T
        block = np.where(block.sum(axis=1, keepdims=True) > 0, block, 1.0)
        out[s * N_PROF : (s + 1) * N_PROF, in_s] = block
    w = np.where(out.sum(axis=1, keepdims=True) > 0, out, 1.0)
    cum = np.cumsum(w, axis=1)
    cum = cum / cum[:, -1:] + np.arange(len(cum))[:, None]
    cum[:, -1] = np.arange(1, len(cum) + 1)
    return cum.ravel()


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 30))
def test_destination_chooser_is_the_plain_one(seed, n_orgs):
    rng = np.random.default_rng(seed)
    org_sector = rng.permutation(np.arange(n_orgs) % 2)
    weights = rng.lognormal(0.0, 2.0, (n_orgs, N_PROF)) * (rng.random((n_orgs, N_PROF)) < 0.6)
    weights[:, rng.integers(N_PROF)] = 0.0  # a profession nobody needs: uniform within the sector
    chooser = destination_weights(weights, org_sector, 2)
    assert chooser.cum.tobytes() == plain_destination_cum(weights, org_sector, 2).tobytes()


def test_chooser_row_of_zeros_is_uniform():
    cum = RowChooser(np.zeros((3, 4))).cum
    assert (
        cum.tobytes()
        == (np.arange(3)[:, None] + np.array([0.25, 0.5, 0.75, 1.0])).ravel().tobytes()
    )


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.floats(1e-6, 0.999, allow_nan=False),
    st.integers(0, 3000),
)
def test_geometric_is_numpys(seed, p, size):
    """Same numbers as ``rng.geometric`` and the generator left in the same state, for every p (the
    fast path below 0.3, numpy's own above)."""
    ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
    gaps = _geometric(p, size, ours)
    assert gaps.dtype == np.int64
    assert gaps.tobytes() == numpys.geometric(p, size=size).tobytes()
    assert ours.bit_generator.state == numpys.bit_generator.state


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 50_000), st.floats(1e-4, 0.2))
def test_bernoulli_slots_as_with_numpys_geometric(seed, n, p):
    """The slots drawn as first written (numpy's geometric gaps) and the generator's state after."""
    plain_rng = np.random.default_rng(seed)
    expected = np.zeros(0, np.int64)
    if n > 0:
        size = int(n * p + 6.0 * np.sqrt(n * p) + 16)
        positions = plain_rng.geometric(p, size=size).cumsum() - 1
        while positions[-1] < n:
            more = np.cumsum(plain_rng.geometric(p, size=size)) + positions[-1]
            positions = np.concatenate([positions, more])
        expected = positions[: positions.searchsorted(n)]
    rng = np.random.default_rng(seed)
    assert bernoulli_slots(n, p, rng).tobytes() == expected.tobytes()
    assert rng.bit_generator.state == plain_rng.bit_generator.state


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 60), max_size=40), st.lists(st.integers(0, 60), min_size=1))
def test_in_sorted_is_isin(values, members):
    values, members = np.array(values, np.int64), np.unique(np.array(members, np.int64))
    assert np.array_equal(_in_sorted(values, members), np.isin(values, members))


def test_fte_draw_is_the_plain_one():
    profession = np.random.default_rng(0).integers(0, N_PROF, 5000).astype(np.int8)
    got = PROFILE.draw_fte(profession, np.random.default_rng(1))
    rng = np.random.default_rng(1)
    pt, mean = PROFILE.part_time_share[profession], PROFILE.mean_fte[profession]
    pt_level = np.clip((mean - (1.0 - pt)) / np.maximum(pt, 1e-9), 0.3, 0.97)
    u = rng.random((2, len(profession)))
    level = np.clip(pt_level + (u[1] - 0.5) * 0.24, 0.3, 0.97)
    assert got.tobytes() == np.where(u[0] < pt, level, 1.0).astype(np.float32).tobytes()


def test_retirements_after_the_horizon_are_never_needed():
    """With a horizon, retirements are found in the same months, in the same order, as without."""
    heads = np.full(3 * N_PROF, 400)
    every = initial_staff(heads, PROFILE, np.random.default_rng(2))
    within = initial_staff(heads, PROFILE, np.random.default_rng(2), horizon=48)
    rng = np.random.default_rng(3)
    for t in range(48):
        a, b = every.retiring(t), within.retiring(t)
        assert np.array_equal(a, b)
        for staff in (every, within):
            staff.remove(a)
        if (
            t % 5 == 0
        ):  # newcomers: some retire within the horizon, some after; they reuse freed slots
            n = 30
            retire = (t + 12 + rng.integers(0, 60, n)).astype(np.int32)
            for staff in (every, within):
                staff.add(
                    np.zeros(n, np.int8),
                    np.zeros(n, np.int32),
                    np.full(n, t - 12 * 60, np.int32),
                    retire,
                    np.ones(n, np.float32),
                    t,
                    np.zeros(n, np.float32),
                    np.ones(n, np.float32),
                )
