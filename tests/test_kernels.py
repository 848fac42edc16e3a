"""The core model's compiled helpers give exactly the numbers of the numpy chains they replace."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_staff import PROFILE  # the same profile as the unit tests

from sim.model import kernels
from sim.model.accounting import LabourAccounts
from sim.model.staff import (
    MAX_MOVE_MONTH,
    MAX_QUIT_MONTH,
    N_PROF,
    RowChooser,
    StaffArrays,
    bernoulli_slots,
    destination_weights,
    draw_quit_propensity,
    entry_step,
    exit_step,
    initial_staff,
    move_step,
    part_time_step,
    quit_hazard,
    strain_factor,
)


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


def _numpy_entry(staff, counts, weights, profile, t, age_mean, age_sd, competence_mean, rng):
    """The numpy chain of entry_step that ``kernels.newcomers`` replaces (the same draws)."""
    category = np.repeat(np.arange(len(counts)), counts)
    employer = weights.choose(category, rng).astype(np.int32)
    profession = category % N_PROF
    n = len(employer)
    age = np.clip(rng.normal(age_mean, age_sd, n), 20.0, 60.0)
    retire_age = np.maximum(profile.draw_retirement_age(n, rng), age + 1.0)
    birth_month = (t - np.rint(age * 12)).astype(np.int32)
    retire_month = (birth_month + np.rint(retire_age * 12)).astype(np.int32)
    fte = profile.draw_fte(profession, rng)
    competence = np.clip(rng.beta(2.0, 3.0, n) + (competence_mean - 0.4), 0.0, 1.0)
    propensity = draw_quit_propensity(n, rng)
    return staff.add(
        profession.astype(np.int8),
        employer,
        birth_month,
        retire_month,
        fte,
        t,
        competence.astype(np.float32),
        propensity,
    )


@pytest.mark.parametrize("seed", range(3))
def test_entry_step_equals_the_numpy_chain(seed):
    n_orgs = 7
    org_sector = np.array([0, 0, 0, 1, 1, 1, 1])
    rng = np.random.default_rng(seed)
    heads = rng.integers(5, 30, n_orgs * N_PROF)
    weights = destination_weights(rng.uniform(0, 3, (n_orgs, N_PROF)), org_sector, 2)
    counts = rng.integers(0, 40, (2, N_PROF))
    a = initial_staff(heads, PROFILE, np.random.default_rng(1))
    b = initial_staff(heads, PROFILE, np.random.default_rng(1))
    got = entry_step(a, counts, weights, PROFILE, 30, 38.0, 9.0, 0.55, np.random.default_rng(seed))
    want = _numpy_entry(
        b, counts.ravel(), weights, PROFILE, 30, 38.0, 9.0, 0.55, np.random.default_rng(seed)
    )
    assert np.array_equal(got, want)
    for name in StaffArrays.ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    assert np.array_equal(a.head_g, b.head_g) and np.array_equal(a.fte_g, b.fte_g)


@pytest.mark.parametrize("elasticity", [0.0, 1.5, 8.0])
def test_exit_step_equals_the_numpy_chain(elasticity):
    staff = initial_staff(np.full(3 * N_PROF, 400), PROFILE, np.random.default_rng(2))
    staff.remove(np.arange(0, staff.capacity, 7))  # some free slots
    q = np.random.default_rng(3).uniform(0.0, 0.04, 3 * N_PROF)  # some above the cap
    strain = np.random.default_rng(4).uniform(0.5, 1.6, 3 * N_PROF)
    _, got = exit_step(staff, q, strain, elasticity, 0, np.random.default_rng(5))
    rng = np.random.default_rng(5)
    cand = bernoulli_slots(staff.capacity, MAX_QUIT_MONTH, rng)
    hazard = quit_hazard(staff, q, strain, elasticity, cand)
    want = cand[rng.random(len(cand)) * MAX_QUIT_MONTH < np.minimum(hazard, MAX_QUIT_MONTH)]
    assert len(want) > 0 and np.array_equal(got, want)


@pytest.mark.parametrize("elasticity", [0.0, 1.5, 8.0])
def test_move_step_equals_the_numpy_chain(elasticity):
    org_sector = np.array([0, 0, 1])
    heads = np.full(3 * N_PROF, 400)
    a = initial_staff(heads, PROFILE, np.random.default_rng(2))
    b = initial_staff(heads, PROFILE, np.random.default_rng(2))
    base = np.random.default_rng(3).uniform(0.0, 0.04, 3 * N_PROF)
    strain = np.random.default_rng(4).uniform(0.5, 1.6, 3 * N_PROF)
    weights = destination_weights(np.ones((3, N_PROF)), org_sector, 2)
    got = move_step(a, base, strain, org_sector, weights, elasticity, 5, np.random.default_rng(6))
    rng = np.random.default_rng(6)
    rate = np.minimum(base * strain_factor(strain, elasticity), MAX_MOVE_MONTH)
    cand = bernoulli_slots(b.capacity, MAX_MOVE_MONTH, rng)
    cand = cand[b.alive[cand]]
    want = cand[rng.random(len(cand)) * MAX_MOVE_MONTH < rate[b.group[cand]]]
    category = org_sector[b.employer[want]] * N_PROF + b.profession[want]
    b.set_employer(want, weights.choose(category, rng), 5)
    assert len(want) > 0 and np.array_equal(got, want)
    assert np.array_equal(a.employer, b.employer) and np.array_equal(a.fte_g, b.fte_g)


def test_part_time_step_equals_the_numpy_chain():
    heads = np.full(2 * N_PROF, 300)
    a = initial_staff(heads, PROFILE, np.random.default_rng(2))
    b = initial_staff(heads, PROFILE, np.random.default_rng(2))
    strain = np.random.default_rng(4).uniform(0.5, 2.5, 2 * N_PROF)
    idx, delta = part_time_step(a, 0.05, PROFILE, strain, np.random.default_rng(8))
    rng = np.random.default_rng(8)
    want = bernoulli_slots(b.capacity, 0.05, rng)
    want = want[b.alive[want]]
    new = PROFILE.draw_fte(b.profession[want], rng)
    new = new * (1.0 - 0.5 * np.maximum(strain[b.group[want]] - 1.0, 0.0))
    want_delta = b.set_fte(want, np.clip(new, 0.3, 1.0).astype(np.float32))
    assert len(want) > 0 and np.array_equal(idx, want) and np.array_equal(delta, want_delta)
    assert np.array_equal(a.fte, b.fte) and np.array_equal(a.fte_g, b.fte_g)


def test_recorded_flows_equal_the_numpy_chain():
    counts = np.random.default_rng(0).integers(0, 9, (5, 2 * N_PROF))
    out = np.empty((7, 2 * N_PROF))
    kernels.recorded_flows(counts, 1 / 0.3, out)
    by = counts * (1 / 0.3)
    want = np.stack([by[0], by[1], by[0] + by[1], by[2], by[3], by[4], by[3] + by[4]])
    assert np.array_equal(out, want)


def test_labour_accounts_equal_the_numpy_chain():
    rng = np.random.default_rng(1)
    demand = rng.uniform(0, 50, (30, N_PROF))
    demand[:3] = 0.0  # no demand: no strain
    supply = rng.uniform(0, 50, (30, N_PROF))
    supply[3:6] = 0.0  # nobody to meet it: capped strain
    gross, work = rng.uniform(0, 5, (2, 30, N_PROF))
    work[6:9] = 80.0  # negative capacity, floored at 0
    accounts = LabourAccounts(30)
    accounts.update(demand, supply, gross, work)
    freed = gross - work
    capacity = np.maximum(supply + freed, 0.0)
    strain = np.full(demand.shape, 3.0)
    np.divide(demand, capacity, out=strain, where=capacity > 0)
    strain[demand <= 0] = 1.0
    strain = np.minimum(strain, 3.0)
    assert np.array_equal(accounts.freed_fte_org, freed)
    assert np.array_equal(accounts.capacity_fte_org, capacity)
    assert np.array_equal(accounts.strain_org, strain)
    assert (strain == 3.0).any() and (strain == 1.0).any()


def test_retiring_and_remove_equal_the_numpy_chain():
    staff = initial_staff(np.full(2 * N_PROF, 500), PROFILE, np.random.default_rng(3), horizon=240)
    head, fte = staff.head_g.copy(), staff.fte_g.copy()
    due_total = 0
    for t in range(1, 60):
        due = staff.retiring(t)
        months = staff._retirement_months  # filed (if it was due) by the call
        # what retiring returned before: the slots filed for t, alive and still due, sorted, distinct
        alive_due = staff._retirement_slots[months == t]
        alive_due = alive_due[staff.alive[alive_due] & (staff.retire_month[alive_due] == t)]
        assert np.array_equal(due, np.unique(alive_due))
        want_head = head - np.bincount(staff.group[due], minlength=len(head) + 1)[: len(head)]
        sums = np.bincount(staff.group[due], weights=staff.fte[due], minlength=len(head) + 1)
        want_fte = fte - sums[: len(head)]
        staff.remove(due)
        assert np.array_equal(staff.head_g, want_head) and np.array_equal(staff.fte_g, want_fte)
        assert not staff.alive[due].any() and (staff.group[due] == staff.free_group).all()
        head, fte = want_head, want_fte
        due_total += len(due)
    assert due_total > 0
