"""Compiled bookkeeping between the model and the innovation layer, around the compiled month.

Each month the layer reads the model's accounts and staff and writes hours and cash back: this month's
supply, demand, strain and organisation sizes; whether the tables have room for what the month can add;
the hours freed and worked beyond the 2025 balance; the cash units keep; and, from the staff arrays, the
organisations' competence and champions and the yearly competence update. Done in numpy these are a few
dozen small array operations a month (a few microseconds each, most of a month's Python time) or passes
over every staff member; here each is one compiled call.

Every function gives the same numbers, bit for bit, as the numpy expressions it replaces (named in its
docstring): the same operations in the same order and precision. numpy sums fewer than 8 numbers one by
one from 0 (its pairwise summation starts at 8), so sums over professions (5) and regions (at most 5,
``WorldConfig.n_regions``) are plain loops here; ``np.maximum``/``np.minimum`` keep their NaN and
signed-zero rules (``_maximum``, ``_minimum``).
"""

from __future__ import annotations

import numpy as np

from sim.model.innovation.events import licence_price_fte_year, set_type_weights
from sim.model.innovation.jit import jit
from sim.model.innovation.pipeline import (
    begin_month,
    capacity_step,
    freed_hours_step,
    innovation_work_step,
    money_month,
    pipeline_month,
    rows_needed,
)


@jit
def _maximum(a: float, b: float) -> float:
    """``np.maximum`` of two floats (NaN in ``a`` propagates; of two equal numbers, ``b``)."""
    return a if (a > b or a != a) else b


@jit
def _minimum(a: float, b: float) -> float:
    """``np.minimum`` of two floats (NaN in ``a`` propagates; of two equal numbers, ``b``)."""
    return a if (a < b or a != a) else b


@jit
def _divide(a: float, b: float) -> float:
    """``a / b`` as numpy divides (0/0 is NaN, x/0 is +-inf) without raising."""
    if b != 0.0:
        return a / b
    if a != a or a == 0.0:
        return np.nan
    return np.inf if (a > 0.0) == (np.copysign(1.0, b) > 0.0) else -np.inf


@jit
def numpy_sum(a) -> float:
    """``a.sum()`` of a 1-D float64 array as numpy sums a contiguous row shorter than its buffer
    (8,192): from 0, one by one below 8 numbers, else pairwise in blocks of up to 128 unrolled by 8."""
    n = len(a)
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[i]
        return res
    if n <= 128:
        r0, r1, r2, r3, r4, r5, r6, r7 = a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
        i = 8
        while i < n - (n % 8):
            r0 += a[i]
            r1 += a[i + 1]
            r2 += a[i + 2]
            r3 += a[i + 3]
            r4 += a[i + 4]
            r5 += a[i + 5]
            r6 += a[i + 6]
            r7 += a[i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[i]
            i += 1
        return res
    half = n // 2
    half -= half % 8
    return numpy_sum(a[:half]) + numpy_sum(a[half:])


@jit(entry=True)
def month_inputs(
    supply_in,
    demand_in,
    strain_in,
    supply,
    demand,
    strain,
    size,
    region,
    region_share,
    region_weight,
) -> None:
    """This month's inputs copied into the arrays the compiled state holds, and the sizes derived from
    them: ``size = supply.sum(axis=1)``; ``region_share = size / by_region[region]`` and
    ``region_weight = by_region / by_region.sum()`` with ``by_region = np.bincount(region, size)``."""
    n_orgs, n_prof = supply.shape
    for o in range(n_orgs):
        total = 0.0
        for p in range(n_prof):
            supply[o, p] = supply_in[o, p]
            demand[o, p] = demand_in[o, p]
            strain[o, p] = strain_in[o, p]
            total += supply_in[o, p]
        size[o] = total
    by_region = np.zeros(len(region_weight))
    for o in range(n_orgs):
        by_region[region[o]] += size[o]
    for o in range(n_orgs):
        region_share[o] = _divide(size[o], by_region[region[o]])
    national = 0.0
    for r in range(len(by_region)):
        national += by_region[r]
    for r in range(len(by_region)):
        region_weight[r] = _divide(by_region[r], national)


@jit(entry=True)
def room_needed(t: int, st) -> tuple[int, int, int, int, bool]:
    """``pipeline.rows_needed`` for month ``t`` and whether any table lacks that room: (engagements,
    partnerships, solutions, types, short)."""
    engagements, partnerships, solutions, types = rows_needed(t, st)
    eng_capacity = len(st.eng.org)
    short = (
        st.eng.size[0] + engagements > eng_capacity
        or st.parts.size[0] + partnerships > len(st.parts.org)
        or st.sols.size[0] + solutions > len(st.sols.type)
        or st.types.size[0] + types > len(st.types.sector)
    )
    return engagements, partnerships, solutions, types, short


@jit(entry=True)
def pipeline_month_io(
    t: int, st, supply_in, demand_in, strain_in, base_freed_share, base_work_share, maintenance
):
    """Step 3 of the month in one call, as ``InnovationLayer.pipeline_step`` did it in steps: this
    month's inputs (``month_inputs``); if a table lacks room for what the month can add
    (``room_needed``), nothing more (returns ``short``: the caller grows the tables and calls again);
    else the yearly type weights (January), ``pipeline.pipeline_month``, the hours beyond the balance
    (``additional_hours``) and the month's records.

    Returns (short, gross FTE freed [O, P], FTE of innovation work [O, P], adopters per solution
    (int32), coverage per type, the month's counters then pipeline stocks by sector [S, flows]).
    """
    orgs = st.orgs
    month_inputs(
        supply_in,
        demand_in,
        strain_in,
        st.supply,
        st.demand,
        st.strain,
        orgs.size_fte,
        orgs.region,
        orgs.region_share,
        orgs.region_weight,
    )
    if room_needed(t, st)[4]:
        none = np.empty((0, 0))
        return True, none, none, np.empty(0, np.int32), np.empty(0), none
    if t % 12 == 0:
        set_type_weights(st, 0)
    pipeline_month(t, t > 0, st)
    gross, work = additional_hours(
        st.freed, st.work, st.demand, st.supply, base_freed_share, base_work_share, maintenance
    )
    adopters = st.sols.adopters[: st.sols.size[0]].astype(np.int32)
    coverage = st.types.coverage[: st.types.size[0]].copy()
    counts, stats = st.counts, st.pipeline_stats
    n_counts, n_sectors = counts.shape
    flows = np.empty((n_sectors, n_counts + stats.shape[0]))
    for s in range(n_sectors):
        for i in range(n_counts):
            flows[s, i] = counts[i, s]
        for i in range(stats.shape[0]):
            flows[s, n_counts + i] = stats[i, s]
    return False, gross, work, adopters, coverage, flows


@jit(entry=True)
def money_month_io(t: int, st, base_cost, growth: float, founded: int, stock_rows):
    """Step 5's compiled part in one call: ``pipeline.money_month`` and what the month records of it.

    Returns (start-ups failed, start-ups scaled, the public cost beyond the budgets' starting running
    costs by sector, ``st.cost.sum(axis=1) - base_cost * growth``, and the system-wide totals:
    ``founded``, the failed, then ``st.money_stats[stock_rows]``).
    """
    failed, scaled = money_month(t, st)
    cost = st.cost
    public = np.empty(cost.shape[0])
    for s in range(cost.shape[0]):
        total = 0.0
        total += numpy_sum(cost[s])
        public[s] = total - base_cost[s] * growth
    totals = np.empty(2 + len(stock_rows))
    totals[0] = founded
    totals[1] = failed
    for i in range(len(stock_rows)):
        totals[2 + i] = st.money_stats[stock_rows[i]]
    return failed, scaled, public, totals


@jit(entry=True)
def additional_hours(freed, work, demand, supply, base_freed_share, base_work_share, maintenance):
    """(gross FTE freed, FTE of innovation work) beyond the starting balance, as new arrays [O, P]:
    ``freed - demand * base_freed_share`` and
    ``work - (supply * base_work_share + maintenance * (demand * base_freed_share))``."""
    gross = np.empty_like(freed)
    extra_work = np.empty_like(work)
    n_orgs, n_prof = freed.shape
    for o in range(n_orgs):
        for p in range(n_prof):
            base_freed = demand[o, p] * base_freed_share[o, p]
            base_work = supply[o, p] * base_work_share[o, p] + maintenance * base_freed
            gross[o, p] = freed[o, p] - base_freed
            extra_work[o, p] = work[o, p] - base_work
    return gross, extra_work


@jit(entry=True)
def keep_cash(
    gross, work, supply, demand, rule: int, cost_per_fte: float, realised, factor, cash_kept
):
    """Add to ``cash_kept`` [O] what each organisation keeps this month of the value of the hours it
    frees (``InnovationLayer.incentive_savings``; ``rule`` 0: none, 1: surplus hours only, 2: every net
    hour): ``net = np.maximum(gross - work, 0)`` (rule 1: at most ``np.maximum(supply + net - demand,
    0)``), then ``net.sum(axis=1) * cost_per_fte / 12.0 * realised * factor``."""
    n_orgs, n_prof = gross.shape
    for o in range(n_orgs):
        if rule == 0:
            cash_kept[o] += 0.0
            continue
        total = 0.0
        for p in range(n_prof):
            net = _maximum(gross[o, p] - work[o, p], 0.0)
            if rule == 1:
                net = _minimum(net, _maximum(supply[o, p] + net - demand[o, p], 0.0))
            total += net
        cash_kept[o] += total * cost_per_fte / 12.0 * realised * factor


@jit(entry=True)
def staff_tally(employer, competence, alive, champion, comp_sum, champion_count) -> None:
    """Per organisation, in slot order: the competence of its staff summed (``np.bincount(employer,
    competence * alive)``) into ``comp_sum`` and its champions counted (``np.bincount(employer[champion])``)
    into ``champion_count``, both zeroed first."""
    comp_sum[:] = 0.0
    champion_count[:] = 0
    for i in range(len(employer)):
        if alive[i]:
            comp_sum[employer[i]] += np.float64(competence[i])
        if champion[i]:
            champion_count[employer[i]] += 1


@jit(entry=True)
def org_staff_stats(head_g, champion_count, person_weight: float, champions):
    """From a tally (``staff_tally``): the champions in persons (``champion_count * person_weight``) into
    ``champions``; returns the headcount in agents (``head_g.reshape(n_orgs, -1).sum(axis=1)``)."""
    n_orgs = len(champions)
    per_org = len(head_g) // n_orgs
    head = np.zeros(n_orgs, np.int64)
    for o in range(n_orgs):
        for g in range(o * per_org, (o + 1) * per_org):
            head[o] += head_g[g]
        champions[o] = np.float64(champion_count[o]) * person_weight
    return head


@jit(entry=True)
def champion_factor(champions, headcount, density_ref: float, factor) -> None:
    """``factor = (champions / headcount, 0 where no one works) / density_ref``."""
    for o in range(len(factor)):
        density = champions[o] / headcount[o] if headcount[o] > 0 else 0.0
        factor[o] = density / density_ref


@jit(entry=True)
def lose_champions(
    idx, champion, employer, person_weight, champions, headcount, density_ref, factor
) -> None:
    """Leavers ``idx``: the champions among them lower their organisation's champions at once
    (``max(champions - np.bincount(employer[lost]) * person_weight, 0)``) and the champion factor."""
    lost = np.zeros(len(champions), np.int64)
    any_lost = False
    for i in idx:
        if champion[i]:
            lost[employer[i]] += 1
            any_lost = True
    if not any_lost:
        return
    for o in range(len(champions)):
        champions[o] = _maximum(champions[o] - np.float64(lost[o]) * person_weight, 0.0)
    champion_factor(champions, headcount, density_ref, factor)


@jit
def _competence_next(c, covered, gain, decay, base):
    """One slot's yearly competence step in float32 (all arguments float32), as the numpy sequence
    ``w = covered * gain; w *= 1 - c; rest = (c - base) * decay; w -= rest; c += w``, clipped to [0, 1]."""
    w = covered * gain
    w = w * (np.float32(1.0) - c)
    rest = (c - base) * decay
    w = w - rest
    c = c + w
    if c < np.float32(0.0):
        return np.float32(0.0)
    if c > np.float32(1.0):
        return np.float32(1.0)
    return c


@jit(entry=True)
def covered_share(type_coverage, addressable, n_types: int, covered) -> bool:
    """``InnovationLayer.covered_share`` in float32 into ``covered`` [O x P]: for each organisation and
    profession, the largest ``type_coverage[o, k] * (addressable[k, p] > 0)`` over the types ``k <
    n_types`` that some organisation covers (``> 0``), at least 0, then cast to float32.

    Returns False (``covered`` not written) if a coverage of such a type is negative, -0.0 or NaN:
    then numpy's maximum could pick a signed zero or NaN differently, and the caller uses numpy."""
    n_orgs, n_prof = type_coverage.shape[0], addressable.shape[1]
    in_use = np.zeros(n_types, np.bool_)
    for o in range(n_orgs):
        for k in range(n_types):
            if type_coverage[o, k] > 0.0:
                in_use[k] = True
    for o in range(n_orgs):
        for k in range(n_types):
            if in_use[k]:
                cov = type_coverage[o, k]
                if not (cov > 0.0 or (cov == 0.0 and np.copysign(1.0, cov) > 0.0)):
                    return False
    for o in range(n_orgs):
        for p in range(n_prof):
            top = 0.0
            for k in range(n_types):
                if in_use[k] and addressable[k, p] > 0.0:
                    cov = type_coverage[o, k]
                    if cov > top:
                        top = cov
            covered[o * n_prof + p] = np.float32(top)
    return True


@jit(entry=True)
def year_staff_pass(
    competence,
    group,
    covered,
    gain,
    decay,
    base,
    employer,
    alive,
    champion,
    career_track,
    comp_sum,
    champion_count,
) -> tuple[int, int, int]:
    """January's one pass over every staff slot: the yearly competence step (``c += gain *
    covered[group] * (1 - c) - decay * (c - base)`` in float32, clipped to [0, 1]; ``covered`` [O x P]
    float32, a free slot's group, past the end, reads the last entry), then, with the new competence,
    what ``staff_tally`` sums and counts (into ``comp_sum`` and ``champion_count``, zeroed first), and
    what the career step needs: how many slots are alive and not on a track (its pool; ``pool_slots``
    finds the chosen ones among them afterwards, so the pass writes no list of them). Each slot's
    competence is final before it is summed, and the sums run in slot order, so the numbers are those
    of the separate passes.

    Returns (slots alive, slots on a career track, length of the pool)."""
    last = len(covered) - 1
    comp_sum[:] = 0.0
    champion_count[:] = 0
    n_alive = 0
    n_career = 0
    n_pool = 0
    for i in range(len(competence)):
        c = _competence_next(competence[i], covered[min(group[i], last)], gain, decay, base)
        competence[i] = c
        if alive[i]:
            comp_sum[employer[i]] += np.float64(c)
            n_alive += 1
            if not career_track[i]:
                n_pool += 1
        if career_track[i]:
            n_career += 1
        if champion[i]:
            champion_count[employer[i]] += 1
    return n_alive, n_career, n_pool


@jit(entry=True)
def pool_slots(positions, alive, career_track):
    """The slots at ``positions`` (0-based, distinct) among the slots alive and not on a career track,
    counted in slot order: ``np.flatnonzero(alive & ~career_track)[positions]``, in the order of
    ``positions``, by one pass over the slots up to the last one needed."""
    out = np.empty(len(positions), np.int64)
    if len(positions) == 0:
        return out
    order = np.argsort(positions)
    j = 0
    rank = 0
    for i in range(len(alive)):
        if alive[i] and not career_track[i]:
            while j < len(order) and positions[order[j]] == rank:
                out[order[j]] = i
                j += 1
            if j == len(order):
                break
            rank += 1
    return out


@jit(entry=True)
def join_career(chosen, career_track, champion, quit_propensity, factor, employer, champion_count):
    """The distinct slots ``chosen`` join a career track and act as champions (those not yet champions
    counted into ``champion_count`` by employer); their quit propensity is multiplied by ``factor``
    (float32, as ``quit_propensity[chosen] *= factor``)."""
    for c in chosen:
        career_track[c] = True
        if not champion[c]:
            champion[c] = True
            champion_count[employer[c]] += 1
        quit_propensity[c] = quit_propensity[c] * factor


@jit(entry=True)
def licence_price(st, sol: int) -> float:
    """``events.licence_price_fte_year`` of solution ``sol`` with the state's parameters (a call from
    Python that passes only the state: unboxing the parameter record costs far more)."""
    return licence_price_fte_year(st.params[0], st, sol)


@jit(entry=True)
def balance_month(st) -> None:
    """The steps of month 0 that give the starting balance (``InnovationLayer._set_balance``):
    ``begin_month``, ``capacity_step``, ``freed_hours_step`` and ``innovation_work_step``."""
    par = st.params[0]
    begin_month(0, par, st)
    capacity_step(par, st)
    freed_hours_step(par, st)
    innovation_work_step(0, par, st)
