"""Unit tests of the vectorised staff mechanisms (sim.model.staff)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.staff import (
    MAX_MOVE_MONTH,
    MAX_QUIT_MONTH,
    N_PROF,
    ProfessionProfile,
    RowChooser,
    StaffArrays,
    bernoulli_slots,
    exit_step,
    felt_strain_step,
    initial_staff,
    monthly,
    quit_hazard,
    stochastic_round,
    strain_factor,
)

PROFILE = ProfessionProfile(
    mean_fte=np.array([0.89, 0.97, 0.84, 0.82, 0.9]),
    part_time_share=np.array([0.5, 0.1, 0.71, 0.71, 0.4]),
    retirement_age_mean=64.5,
    retirement_age_sd=2.5,
    graduate_age_mean=27.0,
)


def make_staff(n_per_group: int = 2000, n_orgs: int = 2) -> StaffArrays:
    heads = np.full(n_orgs * N_PROF, n_per_group)
    return initial_staff(heads, PROFILE, np.random.default_rng(1))


def test_monthly_rate_compounds_to_yearly():
    assert (1 - monthly(0.13)) ** 12 == pytest.approx(0.87)


def test_stochastic_round_is_unbiased():
    rng = np.random.default_rng(0)
    x = np.full(200_000, 2.3)
    assert stochastic_round(x, rng).mean() == pytest.approx(2.3, abs=0.01)


def test_initial_staff_matches_profile():
    staff = make_staff()
    assert staff.n_alive == 2 * N_PROF * 2000
    fte = staff.fte[staff.alive]
    prof = staff.profession[staff.alive]
    for p in range(N_PROF):
        assert fte[prof == p].mean() == pytest.approx(PROFILE.mean_fte[p], abs=0.02)
    age = staff.age_years(0)[staff.alive]
    assert age.min() >= 22 and age.max() < 72
    assert (staff.retire_month[staff.alive] > 0).all()  # nobody starts past retirement
    # SOSU staff are older: about 30% over 55 (SOURCES W-36)
    sosu = np.isin(prof, (2, 3))
    assert 0.2 < (age[sosu] >= 55).mean() < 0.4


def test_quit_hazard_rises_with_strain():
    staff = make_staff(200)
    q = np.full(2 * N_PROF, 0.01)
    low = quit_hazard(staff, q, np.ones(2 * N_PROF), elasticity=1.0).sum()
    high = quit_hazard(staff, q, np.full(2 * N_PROF, 1.3), elasticity=1.0).sum()
    assert high == pytest.approx(low * 1.3, rel=1e-4)


def test_quit_hazard_is_zero_for_free_slots():
    staff = make_staff(10)
    staff.remove(np.arange(5))
    h = quit_hazard(staff, np.full(2 * N_PROF, 0.5), np.ones(2 * N_PROF), elasticity=1.0)
    assert (h[:5] == 0).all()


def test_exit_draws_match_hazard():
    staff = make_staff(5000)
    strain = np.ones(2 * N_PROF)
    q = np.full(2 * N_PROF, 0.02)
    retired, quits = exit_step(staff, q, strain, 0.0, 0, np.random.default_rng(3))
    assert len(retired) == 0  # nobody retires in the first month: retirement months are >= 1
    expected = quit_hazard(staff, q, strain, 0.0).sum()
    assert len(quits) == pytest.approx(expected, rel=0.1)


def test_retirement_is_due_exactly_at_the_retirement_month():
    staff = make_staff(100)
    strain = np.ones(2 * N_PROF)
    for t in (1, 24, 100):
        retired, _ = exit_step(
            staff, np.zeros(2 * N_PROF), strain, 0.0, t, np.random.default_rng(0)
        )
        due = np.flatnonzero(staff.alive & (staff.retire_month == t))
        assert np.array_equal(np.sort(retired), due)


def test_felt_strain_moves_towards_group_strain():
    felt = np.ones(3)
    felt_strain_step(felt, np.full(3, 2.0), memory_months=4.0)
    assert felt == pytest.approx(1.25)


def test_incremental_counters_match_a_full_recount():
    staff = make_staff(300)
    rng = np.random.default_rng(5)
    staff.remove(rng.choice(staff.capacity, 700, replace=False))
    movers = np.flatnonzero(staff.alive)[:400]
    staff.set_employer(movers, np.zeros(len(movers), np.int32), t=3)
    changed = np.flatnonzero(staff.alive)[-500:]
    staff.set_fte(changed, np.full(len(changed), 0.5, np.float32))
    head, fte = staff.headcount_by_group().copy(), staff.fte_by_group().copy()
    staff.recount()
    assert np.array_equal(head, staff.headcount_by_group())
    assert np.allclose(fte, staff.fte_by_group())
    assert head.sum() == staff.n_alive


def test_slots_are_reused_before_growing():
    staff = make_staff(10)
    cap = staff.capacity
    staff.remove(np.arange(7))
    n = 5
    idx = staff.add(
        np.zeros(n, np.int8),
        np.zeros(n, np.int32),
        np.zeros(n, np.int32),
        np.full(n, 500, np.int32),
        np.ones(n, np.float32),
        3,
        np.zeros(n, np.float32),
        np.ones(n, np.float32),
    )
    assert staff.capacity == cap and set(idx) <= set(range(7))
    assert staff.n_alive == cap - 2


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.0, 10.0), min_size=2, max_size=6), st.integers(0, 2**31 - 1))
def test_row_chooser_follows_weights(weights, seed):
    w = np.array([weights, weights[::-1]])
    if w.sum(axis=1).min() <= 0:
        return
    cat = np.repeat([0, 1], 20_000)
    picks = RowChooser(w).choose(cat, np.random.default_rng(seed))
    for row in (0, 1):
        freq = np.bincount(picks[cat == row], minlength=w.shape[1]) / 20_000
        assert np.abs(freq - w[row] / w[row].sum()).max() < 0.02
        assert (freq[w[row] == 0] == 0).all()


def test_bernoulli_slots_are_exact_and_unique():
    rng = np.random.default_rng(4)
    hits = np.zeros(1000)
    for _ in range(400):
        idx = bernoulli_slots(1000, 0.05, rng)
        assert np.all(np.diff(idx) > 0) and (idx.size == 0 or (idx[0] >= 0 and idx[-1] < 1000))
        hits[idx] += 1
    assert hits.mean() / 400 == pytest.approx(0.05, rel=0.05)
    assert len(bernoulli_slots(10, 0.0, rng)) == 0 and len(bernoulli_slots(0, 0.5, rng)) == 0
    assert len(bernoulli_slots(50, 1.0, rng)) == 50


def test_thinning_caps_are_not_binding_in_the_baseline(baseline):
    """Quits and moves are drawn by thinning under fixed caps: no one's probability may reach them."""
    import sim

    sc = baseline.with_overrides(
        {"world.staff_scale": 0.05, "uncertainties.attrition_sensitivity": 2.0}
    )
    model = sim.HealthSystemModel(scenario=sc, seed=1)
    strained = np.full(model.staff.n_groups, 1.5)  # far above any strain the baseline reaches
    h = quit_hazard(model.staff, model.quit_month_group, strained, model.strain_elasticity)
    assert h.max() < MAX_QUIT_MONTH
    moves = model.move_month_group * strain_factor(strained, model.strain_elasticity)
    assert moves.max() < MAX_MOVE_MONTH
