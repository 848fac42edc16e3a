"""The compiled bookkeeping between the model and the innovation layer (``sim.model.innovation.bookkeeping``)
gives the same numbers, bit for bit, as the numpy expressions it replaced; the layer's fused month keeps
its views consistent; companies get their Mesa agents, in founding order, when the agents are read."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.model.innovation import bookkeeping
from sim.model.innovation.companies import Company
from sim.model.model import DEFAULT_SCENARIO

N_ORGS, N_PROF = 37, 5


def _wide(rng: np.random.Generator, shape) -> np.ndarray:
    """Positive numbers over six orders of magnitude (rounding differs if the order of operations does)."""
    return rng.random(shape) * 10.0 ** rng.uniform(-3, 3, shape)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(11)


def test_month_inputs_are_the_numpy_copies_sizes_and_region_shares(rng):
    supply_in, demand_in, strain_in = (_wide(rng, (N_ORGS, N_PROF)) for _ in range(3))
    region = rng.integers(0, 4, N_ORGS)
    region[region == 3] = 2  # region 3 has no organisation: its weight is 0
    supply, demand, strain = (np.zeros((N_ORGS, N_PROF)) for _ in range(3))
    size, share, weight = np.zeros(N_ORGS), np.zeros(N_ORGS), np.zeros(4)
    bookkeeping.month_inputs(
        supply_in, demand_in, strain_in, supply, demand, strain, size, region, share, weight
    )
    np.testing.assert_array_equal(supply, supply_in)
    np.testing.assert_array_equal(demand, demand_in)
    np.testing.assert_array_equal(strain, strain_in)
    expected_size = supply_in.sum(axis=1)
    by_region = np.bincount(region, weights=expected_size, minlength=4)
    np.testing.assert_array_equal(size, expected_size)
    np.testing.assert_array_equal(share, expected_size / by_region[region])
    np.testing.assert_array_equal(weight, by_region / by_region.sum())
    assert weight[3] == 0.0


@pytest.mark.parametrize("n", [0, 1, 5, 7, 8, 9, 15, 16, 17, 127, 128, 129, 200, 300, 1000])
def test_numpy_sum_adds_in_numpys_order(rng, n):
    rows = _wide(rng, (40, n)) * np.where(rng.random((40, n)) < 0.5, -1.0, 1.0)
    expected = rows.sum(axis=1)
    got = np.array([bookkeeping.numpy_sum(row) for row in rows])
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(got, [row.sum() for row in rows])
    if n >= 8:  # the order matters for these numbers: one by one would differ somewhere
        one_by_one = np.zeros(len(rows))
        for j in range(n):
            one_by_one += rows[:, j]
        assert (one_by_one != expected).any()


def test_divide_follows_numpy_for_zero_denominators():
    with np.errstate(divide="ignore", invalid="ignore"):
        for a, b in [(1.0, 0.0), (-1.0, 0.0), (0.0, 0.0), (1.0, -0.0), (3.0, 2.0)]:
            expected = np.float64(a) / np.float64(b)
            got = bookkeeping._divide(a, b)
            assert (np.isnan(expected) and np.isnan(got)) or got == expected


def test_additional_hours_are_the_numpy_expression(rng):
    freed, work, demand, supply, bfs, bws = (_wide(rng, (N_ORGS, N_PROF)) for _ in range(6))
    maintenance = 0.137
    gross, extra = bookkeeping.additional_hours(freed, work, demand, supply, bfs, bws, maintenance)
    base_freed = demand * bfs
    np.testing.assert_array_equal(gross, freed - base_freed)
    np.testing.assert_array_equal(extra, work - (supply * bws + maintenance * base_freed))


@pytest.mark.parametrize("rule", [0, 1, 2])
def test_cash_kept_is_the_numpy_expression(rng, rule):
    gross, work, supply, demand = (_wide(rng, (N_ORGS, N_PROF)) for _ in range(4))
    cost, realised, factor = 612_345.6, 0.7, 0.55
    start = _wide(rng, N_ORGS)
    kept = start.copy()
    bookkeeping.keep_cash(gross, work, supply, demand, rule, cost, realised, factor, kept)
    if rule == 0:
        expected = start + np.zeros(N_ORGS)
    else:
        net = np.maximum(gross - work, 0.0)
        if rule == 1:
            net = np.minimum(net, np.maximum(supply + net - demand, 0.0))
        expected = start + net.sum(axis=1) * cost / 12.0 * realised * factor
    np.testing.assert_array_equal(kept, expected)


def _staff(rng, n=5_000):
    employer = rng.integers(0, N_ORGS, n).astype(np.int32)
    competence = rng.random(n).astype(np.float32)
    alive = rng.random(n) < 0.9
    champion = alive & (rng.random(n) < 0.1)
    return employer, competence, alive, champion


def test_staff_statistics_are_the_numpy_bincounts(rng):
    employer, competence, alive, champion = _staff(rng)
    head_g = rng.integers(0, 50, N_ORGS * N_PROF)
    head_g[:N_PROF] = 0  # an organisation with no one: its champion density is 0
    weight = 10.0
    comp, count, champions = np.full(N_ORGS, 7.0), np.ones(N_ORGS, np.int64), np.zeros(N_ORGS)
    bookkeeping.staff_tally(employer, competence, alive, champion, comp, count)  # zeroes first
    head = bookkeeping.org_staff_stats(head_g, count, weight, champions)
    np.testing.assert_array_equal(head, head_g.reshape(N_ORGS, -1).sum(axis=1))
    np.testing.assert_array_equal(
        comp, np.bincount(employer, weights=competence * alive, minlength=N_ORGS)
    )
    np.testing.assert_array_equal(count, np.bincount(employer[champion], minlength=N_ORGS))
    np.testing.assert_array_equal(
        champions, np.bincount(employer[champion], minlength=N_ORGS).astype(float) * weight
    )
    headcount, ref, factor = head * weight, 0.07, np.zeros(N_ORGS)
    bookkeeping.champion_factor(champions, headcount, ref, factor)
    density = np.divide(champions, headcount, out=np.zeros(N_ORGS), where=headcount > 0)
    np.testing.assert_array_equal(factor, density / ref)
    assert factor[0] == 0.0


def test_losing_champions_is_the_numpy_update(rng):
    employer, _, _, champion = _staff(rng)
    champions = _wide(rng, N_ORGS) * 10
    headcount = champions * 20 + 1
    leavers = rng.choice(len(employer), 400, replace=False)
    ref, factor = 0.07, np.zeros(N_ORGS)
    expected = np.maximum(
        champions - np.bincount(employer[leavers[champion[leavers]]], minlength=N_ORGS) * 10.0,
        0.0,
    )
    bookkeeping.lose_champions(leavers, champion, employer, 10.0, champions, headcount, ref, factor)
    np.testing.assert_array_equal(champions, expected)
    np.testing.assert_array_equal(factor, champions / headcount / ref)
    # no champion among the leavers: nothing changes
    before = champions.copy()
    bookkeeping.lose_champions(
        np.flatnonzero(~champion)[:50], champion, employer, 10.0, champions, headcount, ref, factor
    )
    np.testing.assert_array_equal(champions, before)


def _numpy_competence_update(competence, group, covered, gain, decay, base):
    """The yearly competence step as numpy did it (the sequence ``year_staff_pass`` replaces)."""
    c = competence.copy()
    w = covered.take(np.minimum(group, covered.size - 1))
    w *= gain
    rest = np.subtract(np.float32(1.0), c)
    w *= rest
    np.subtract(c, base, out=rest)
    rest *= decay
    w -= rest
    c += w
    np.clip(c, 0.0, 1.0, out=c)
    return c


def test_the_january_pass_is_the_competence_update_then_the_separate_tallies(rng):
    n = 20_000
    employer = rng.integers(0, N_ORGS, n).astype(np.int32)
    alive = rng.random(n) < 0.9
    group = np.where(alive, employer * N_PROF + rng.integers(0, N_PROF, n), N_ORGS * N_PROF)
    group = group.astype(np.int32)  # free slots: past the end
    competence = rng.random(n).astype(np.float32)
    competence[:10] = [0.0, 1.0, 0.999999, 1e-7, 0.5, 0.25, 0.75, 0.1, 0.9, 0.3]
    champion = alive & (rng.random(n) < 0.1)
    career = alive & (rng.random(n) < 0.05)
    covered = rng.random(N_ORGS * N_PROF).astype(np.float32)
    gain, decay, base = np.float32(0.6), np.float32(0.15), np.float32(0.4)
    expected = _numpy_competence_update(competence, group, covered, gain, decay, base)
    comp, count = np.full(N_ORGS, 3.0), np.ones(N_ORGS, np.int64)
    n_alive, n_career, n_pool = bookkeeping.year_staff_pass(
        competence, group, covered, gain, decay, base, employer, alive, champion, career,
        comp, count,
    )  # fmt: skip
    assert competence.dtype == np.float32
    np.testing.assert_array_equal(competence, expected)
    # the tallies of the updated staff, as the separate passes give them
    comp_ref, count_ref = np.zeros(N_ORGS), np.zeros(N_ORGS, np.int64)
    bookkeeping.staff_tally(employer, expected, alive, champion, comp_ref, count_ref)
    np.testing.assert_array_equal(comp, comp_ref)
    np.testing.assert_array_equal(comp, np.bincount(employer, weights=expected * alive))
    np.testing.assert_array_equal(count, count_ref)
    assert (n_alive, n_career) == (int(alive.sum()), int(career.sum()))
    assert n_pool == int((alive & ~career).sum())


@pytest.mark.parametrize("size", [0, 1, 37, "all"])
def test_pool_slots_are_the_draw_over_the_listed_pool(rng, size):
    """Drawing positions in the pool and finding their slots (``pool_slots``) chooses the very slots
    ``rng.choice(pool, size, replace=False)`` chooses from the listed pool, in the same order, with the
    same random numbers used."""
    _, _, alive, _ = _staff(rng)
    career = alive & (rng.random(len(alive)) < 0.05)
    pool = np.flatnonzero(alive & ~career)
    k = len(pool) if size == "all" else size
    listed = np.random.default_rng(7)
    expected = listed.choice(pool, size=k, replace=False)
    counted = np.random.default_rng(7)
    positions = counted.choice(len(pool), size=k, replace=False)
    chosen = bookkeeping.pool_slots(positions, alive, career)
    np.testing.assert_array_equal(chosen, expected)
    assert listed.random() == counted.random()  # the same draws were used


def test_joining_a_career_track_is_the_numpy_update_and_counts_new_champions(rng):
    employer, _, alive, champion = _staff(rng)
    n = len(employer)
    career = alive & (rng.random(n) < 0.05)
    propensity = rng.lognormal(0.0, 0.5, n).astype(np.float32)
    chosen = rng.choice(np.flatnonzero(alive & ~career), 300, replace=False)
    factor = np.float32(1.0 - 0.3)
    exp_career, exp_champion, exp_propensity = career.copy(), champion.copy(), propensity.copy()
    exp_career[chosen] = True
    exp_champion[chosen] = True
    exp_propensity[chosen] *= factor
    count = np.bincount(employer[champion], minlength=N_ORGS)
    bookkeeping.join_career(chosen, career, champion, propensity, factor, employer, count)
    np.testing.assert_array_equal(career, exp_career)
    np.testing.assert_array_equal(champion, exp_champion)
    assert propensity.dtype == np.float32
    np.testing.assert_array_equal(propensity, exp_propensity)
    np.testing.assert_array_equal(count, np.bincount(employer[exp_champion], minlength=N_ORGS))


def _numpy_covered_share(type_coverage, addressable, n_types):
    """``InnovationLayer.covered_share`` (numpy), raveled to float32 as the competence step uses it."""
    in_use = np.flatnonzero((type_coverage[:, :n_types] > 0.0).any(axis=0))
    coverage = type_coverage[:, in_use]
    addressed = addressable[in_use] > 0
    share = (coverage[:, :, None] * addressed[None, :, :]).max(axis=1, initial=0.0)
    return share.ravel().astype(np.float32)


def test_covered_share_is_the_numpy_maximum(rng):
    n_types, capacity = 12, 16
    coverage = rng.random((N_ORGS, capacity)) * (rng.random((N_ORGS, capacity)) < 0.3)
    coverage[:, 3] = 0.0  # a type no one covers
    coverage[:, n_types:] = 0.7  # rows past the table's end are not read
    coverage[5] = 0.0  # an organisation that covers nothing
    addressable = rng.random((capacity, N_PROF)) * (rng.random((capacity, N_PROF)) < 0.5)
    addressable[:, 2] = 0.0  # a profession no type addresses
    covered = np.full(N_ORGS * N_PROF, -1.0, np.float32)
    assert bookkeeping.covered_share(coverage, addressable, n_types, covered)
    np.testing.assert_array_equal(covered, _numpy_covered_share(coverage, addressable, n_types))
    assert not np.signbit(covered).any()
    # no type yet: nothing covered
    assert bookkeeping.covered_share(coverage, addressable, 0, covered)
    np.testing.assert_array_equal(covered, np.zeros(N_ORGS * N_PROF, np.float32))
    # a negative, -0.0 or NaN coverage of a type in use: declined (numpy's maximum decides)
    for odd in (-0.25, -0.0, np.nan):
        bad = coverage.copy()
        bad[7, 1] = odd
        bad[8, 1] = 0.5  # type 1 in use
        assert not bookkeeping.covered_share(bad, addressable, n_types, covered)


def _small_model(**overrides):
    scenario = sim.load_scenario(DEFAULT_SCENARIO).with_overrides(
        {
            "world.kind": "synthetic",
            "world.n_regions": 2,
            "world.n_hospitals": 2,
            "world.n_municipalities": 4,
            "world.staff_scale": 0.02,
            **overrides,
        }
    )
    return sim.HealthSystemModel(scenario=scenario, seed=5, collect=False)


def test_the_fused_month_keeps_the_layer_views_consistent():
    model = _small_model()
    layer = model.innovation
    for _ in range(14):
        supply_before = model.accounts.supply_fte_org.copy()  # the month's input (last month's)
        model.step()
        gross, work = layer.additional()
        np.testing.assert_array_equal(model.freed_gross_fte, gross)
        np.testing.assert_array_equal(model.innovation_work_fte, work)
        np.testing.assert_array_equal(layer._supply, supply_before)
        t = model.month_index - 1
        adopters = layer.adoption_history()
        np.testing.assert_array_equal(adopters[t], layer.adopters_by_solution())
        np.testing.assert_array_equal(
            layer.coverage_history()[t], layer.types.coverage[: layer.types.n]
        )
    assert len(layer.adoption_history()) == model.month_index


@pytest.mark.parametrize("career_paths", [None, 5.0])
def test_january_staff_steps_are_the_separate_numpy_steps(career_paths):
    """competence_step, career_step and refresh_org_staff_stats (one compiled pass, a compiled join)
    leave staff, organisations and the random stream as the numpy steps they replaced did."""
    overrides = {} if career_paths is None else {"levers.career_paths": career_paths}
    model = _small_model(**overrides)
    layer, staff = model.innovation, model.staff
    for _ in range(24):
        model.step()
    t = 24
    rng = model.streams["competence"]
    before = {name: getattr(staff, name).copy() for name in staff.ARRAYS}
    rng_state = rng.bit_generator.state
    # the numpy steps, on copies
    gain = min(
        layer.param("lever_effects.competence_investment_competence_per_hour")
        * layer.lever("competence_investment", t),
        1.0,
    )
    competence = _numpy_competence_update(
        before["competence"],
        before["group"],
        layer.covered_share().ravel().astype(np.float32),
        np.float32(gain),
        np.float32(layer.param("innovation.competence_decay_year")),
        np.float32(layer.param("innovation.competence_base")),
    )
    alive, career, champion = (
        before["alive"],
        before["career_track"].copy(),
        before["champion"].copy(),
    )
    propensity = before["quit_propensity"].copy()
    target = int(round(layer.lever("career_paths", t) / 100.0 * int(alive.sum())))
    current = int(career.sum())
    assert target > current  # the step has someone to choose
    pool = np.flatnonzero(alive & ~career)
    chosen = rng.choice(pool, size=min(target - current, len(pool)), replace=False)
    career[chosen] = True
    champion[chosen] = True
    propensity[chosen] *= np.float32(1.0 - layer.param("lever_effects.career_paths_retention"))
    rng_after = rng.bit_generator.state
    weight, n_orgs = model.person_weight, layer.n_orgs
    comp = np.bincount(before["employer"], weights=competence * alive, minlength=n_orgs)
    head = staff.head_g.reshape(n_orgs, -1).sum(axis=1)
    base = layer.param("innovation.competence_base")
    org_competence = np.divide(comp, head, out=np.full(n_orgs, base), where=head > 0)
    champions = np.bincount(before["employer"][champion], minlength=n_orgs) * weight
    # the layer's steps
    rng.bit_generator.state = rng_state
    tally = layer.competence_step(t)
    layer.career_step(t, rng, tally)
    layer.refresh_org_staff_stats(tally)
    assert rng.bit_generator.state == rng_after
    np.testing.assert_array_equal(staff.competence, competence)
    np.testing.assert_array_equal(staff.career_track, career)
    np.testing.assert_array_equal(staff.champion, champion)
    np.testing.assert_array_equal(staff.quit_propensity, propensity)
    np.testing.assert_array_equal(layer.org["competence"], org_competence)
    np.testing.assert_array_equal(layer.champions_org, champions)
    np.testing.assert_array_equal(layer.headcount_org, head * weight)
    # the same as a full pass over the staff now
    tallied = (layer.org["competence"].copy(), layer.champions_org.copy())
    layer.refresh_org_staff_stats()
    np.testing.assert_array_equal(layer.org["competence"], tallied[0])
    np.testing.assert_array_equal(layer.champions_org, tallied[1])


def test_companies_get_their_agents_in_founding_order_when_agents_are_read():
    model = _small_model()
    for _ in range(24):
        model.step()
    layer = model.innovation
    assert layer.companies.n > layer.companies_registered  # founded, not yet registered
    companies = sorted(model.agents_by_type[Company], key=lambda a: a.unique_id)
    assert layer.companies_registered == layer.companies.n == len(companies)
    assert [a.index for a in companies] == list(range(layer.companies.n))
    kinds = ("startup", "sme", "large")
    assert [a.kind for a in companies] == [kinds[k] for k in layer.companies.kind[: len(companies)]]
    # ids follow the organisations' without a gap, as if each company had registered when founded
    organisations = max(a.unique_id for a in model.agents if not isinstance(a, Company))
    assert [a.unique_id for a in companies] == list(
        range(organisations + 1, organisations + 1 + len(companies))
    )
    model.step()
    assert len(model.agents) == model.world.n + layer.companies.n  # read again: the new ones too


def test_set_month_skips_only_months_that_would_write_the_same(tmp_path):
    """A month whose lever values equal the last month's, with no type added, writes nothing; the
    parameters and the scoped type columns are then what a full write gives (ramps, a programme)."""
    text = DEFAULT_SCENARIO.read_text() + (
        "\n[levers]\nrisk_budget = { value = 0.5, start_year = 2026, ramp_years = 1 }\n"
        "\n[[programmes]]\n"
        'name = "spread"\narchetypes = ["transfer_aids"]\n'
        "levers = { spread_workflows = { value = 0.9, start_year = 2025, start_month = 6, "
        "ramp_years = 1 } }\n"
    )
    path = tmp_path / "ramps.toml"
    path.write_text(text)
    scenario = sim.load_scenario(path).with_overrides(
        {"world.kind": "synthetic", "world.n_municipalities": 4, "world.staff_scale": 0.02}
    )
    model = sim.HealthSystemModel(scenario=scenario, seed=2, collect=False)
    layer = model.innovation
    scoped = ("spread_workflows", "common_evaluation", "procurement_flexibility")
    skipped = 0
    for t in range(30):
        skipped += not layer.set_month(t)
        params = layer.params.copy()
        columns = [getattr(layer.types, name)[: layer.types.n].copy() for name in scoped]
        layer._levers_written = (-2, -1)  # force a full write
        layer.set_month(t)
        np.testing.assert_array_equal(layer.params, params)
        for name, column in zip(scoped, columns, strict=True):
            np.testing.assert_array_equal(getattr(layer.types, name)[: layer.types.n], column)
        model.step()  # writes month t again (in full: the month was just written), then steps
    assert 0 < skipped < 30


def test_set_month_skips_every_month_whose_levers_are_last_months():
    """Under constant levers every month after the first is skipped, not every other one: a skipped
    month counts as written."""
    scenario = sim.load_scenario(DEFAULT_SCENARIO).with_overrides(
        {"world.kind": "synthetic", "world.n_municipalities": 4, "world.staff_scale": 0.02}
    )
    layer = sim.HealthSystemModel(scenario=scenario, seed=2, collect=False).innovation
    wrote = [layer.set_month(t) for t in range(24)]
    assert wrote == [True] + [False] * 23
