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


@_jit
def chosen_column(cum: np.ndarray, n_cols: int, row: int, u: float) -> int:
    """``RowChooser.choose`` for one draw: the column of row ``row`` that the uniform draw ``u`` picks
    in the flattened cumulative rows ``cum`` (each row scaled to end at 1, row r offset by r)."""
    pick = np.searchsorted(cum, row + u, side="right")
    return min(pick - row * n_cols, n_cols - 1)


@_jit
def drawn_fte(u_part: float, u_level: float, part_time_share: float, part_time_level: float):
    """``ProfessionProfile.draw_fte`` for one person from its two uniform draws: part time (if
    ``u_part`` falls below the share) around the profession's level, clipped to 0.3-0.97, else full
    time; float32."""
    if u_part < part_time_share:
        level = part_time_level + (u_level - 0.5) * 0.24
        return np.float32(min(max(level, 0.3), 0.97))
    return np.float32(1.0)


@_jit
def newcomers(
    cum: np.ndarray,
    n_cols: int,
    category: np.ndarray,
    u_choice: np.ndarray,
    age_draw: np.ndarray,
    retire_draw: np.ndarray,
    u_fte: np.ndarray,
    beta_draw: np.ndarray,
    lognormal_draw: np.ndarray,
    t: int,
    n_prof: int,
    part_time_share: np.ndarray,
    part_time_level: np.ndarray,
    competence_shift: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The arithmetic of :func:`sim.model.staff.entry_step` after its draws, element by element:
    employer (``RowChooser.choose``), profession, birth and retirement month, FTE
    (``ProfessionProfile.draw_fte``), competence and quit propensity, with the same operations as the
    numpy chain. Returns (employer int32, profession int8, birth month int32, retirement month int32,
    fte float32, competence float32, propensity float32)."""
    n = len(category)
    employer = np.empty(n, np.int32)
    profession = np.empty(n, np.int8)
    birth_month = np.empty(n, np.int32)
    retire_month = np.empty(n, np.int32)
    fte = np.empty(n, np.float32)
    competence = np.empty(n, np.float32)
    propensity = np.empty(n, np.float32)
    for i in range(n):
        c = category[i]
        employer[i] = chosen_column(cum, n_cols, c, u_choice[i])
        p = c % n_prof
        profession[i] = p
        age = min(max(age_draw[i], 20.0), 60.0)
        retire_age = max(min(max(retire_draw[i], 55.0), 72.0), age + 1.0)
        birth = np.int32(t - np.rint(age * 12))
        birth_month[i] = birth
        retire_month[i] = np.int32(birth + np.rint(retire_age * 12))
        fte[i] = drawn_fte(u_fte[0, i], u_fte[1, i], part_time_share[p], part_time_level[p])
        competence[i] = np.float32(min(max(beta_draw[i] + competence_shift, 0.0), 1.0))
        propensity[i] = np.float32(lognormal_draw[i])
    return employer, profession, birth_month, retire_month, fte, competence, propensity


@_jit
def leaving_candidates(
    cand: np.ndarray,
    u: np.ndarray,
    cap: float,
    group: np.ndarray,
    propensity: np.ndarray,
    base_group: np.ndarray,
    felt_strain: np.ndarray,
    elasticity: float,
) -> np.ndarray:
    """The candidates ``cand`` (from thinning at ``cap``) that leave: ``u * cap < min(rate, cap)``
    with rate = base x max(1 + elasticity x (felt strain - 1), 0) of their group x ``propensity``
    (0 in the free group ``len(base_group)``); as :func:`sim.model.staff.quit_hazard` and
    :func:`sim.model.staff.exit_step` compute it. ``propensity`` empty: no personal factor, the rate
    capped before it is looked up (as :func:`sim.model.staff.move_step`)."""
    n_groups = len(base_group)
    keep = np.empty(len(cand), np.bool_)
    personal = len(propensity) > 0
    for i in range(len(cand)):
        g = group[cand[i]]
        if g < n_groups:
            rate = base_group[g] * max(1.0 + elasticity * (felt_strain[g] - 1.0), 0.0)
        else:
            rate = 0.0
        if personal:
            rate = rate * np.float64(propensity[cand[i]])
        keep[i] = u[i] * cap < min(rate, cap)
    return cand[keep]


@_jit
def move_to(
    movers: np.ndarray,
    u_choice: np.ndarray,
    cum: np.ndarray,
    n_cols: int,
    org_sector: np.ndarray,
    n_prof: int,
    t: int,
    employer: np.ndarray,
    group: np.ndarray,
    profession: np.ndarray,
    fte: np.ndarray,
    hire_month: np.ndarray,
    head_g: np.ndarray,
    fte_g: np.ndarray,
) -> None:
    """Move ``movers`` (distinct slots) to the employers drawn by ``RowChooser.choose`` (``u_choice``
    its uniform draws) within their sector and profession, and update the counters: what
    :func:`sim.model.staff.move_step` and ``StaffArrays.set_employer`` do, with the same numbers (the
    movers counted out of their old groups first, then into their new ones)."""
    n = len(movers)
    old_group = np.empty(n, group.dtype)
    new_group = np.empty(n, group.dtype)
    moved_fte = np.empty(n, fte.dtype)
    for i in range(n):
        slot = movers[i]
        c = org_sector[employer[slot]] * n_prof + profession[slot]
        e = chosen_column(cum, n_cols, c, u_choice[i])
        old_group[i] = group[slot]
        new_group[i] = e * n_prof + profession[slot]
        moved_fte[i] = fte[slot]
        employer[slot] = e
        group[slot] = new_group[i]
        hire_month[slot] = t
    count_into(head_g, fte_g, old_group, moved_fte, -1, True)
    count_into(head_g, fte_g, new_group, moved_fte, 1, True)


@_jit
def count_flow(
    counts: np.ndarray, key_of_group: np.ndarray, flow: int, group: np.ndarray, idx: np.ndarray
) -> None:
    """``counts[key_of_group[flow, group[idx]]] += 1`` for each slot of ``idx`` (keys out of range, the
    free group's, are not counted)."""
    keys = key_of_group[flow]
    for i in range(len(idx)):
        k = keys[group[idx[i]]]
        if k < len(counts):
            counts[k] += 1


@_jit
def recorded_flows(counts: np.ndarray, person_weight: float, out: np.ndarray) -> None:
    """The month's staff flows in persons, ``out`` [7, S * P] in ``RECORDED_STAFF_FLOWS`` order from
    ``counts`` [5, S * P] in agents (retirements, quits, moves, graduates, outside hires): retirements,
    quits, exits = retirements + quits, moves, graduates, outside hires, entries = graduates + hires."""
    n = counts.shape[1]
    for j in range(n):
        retired = counts[0, j] * person_weight
        quits = counts[1, j] * person_weight
        graduates = counts[3, j] * person_weight
        hires = counts[4, j] * person_weight
        out[0, j] = retired
        out[1, j] = quits
        out[2, j] = retired + quits
        out[3, j] = counts[2, j] * person_weight
        out[4, j] = graduates
        out[5, j] = hires
        out[6, j] = graduates + hires


@_jit
def new_hours(
    idx: np.ndarray,
    u_fte: np.ndarray,
    profession: np.ndarray,
    group: np.ndarray,
    felt_strain: np.ndarray,
    part_time_share: np.ndarray,
    part_time_level: np.ndarray,
    fte: np.ndarray,
    head_g: np.ndarray,
    fte_g: np.ndarray,
) -> np.ndarray:
    """New FTE fractions for the slots ``idx``, as :func:`sim.model.staff.part_time_step` computes them
    from ``ProfessionProfile.draw_fte``'s draws ``u_fte`` [2, n], set as ``StaffArrays.set_fte`` does
    (every change computed from the old values first, then written). Returns the changes (float32)."""
    n = len(idx)
    new = np.empty(n, np.float32)
    delta = np.empty(n, np.float32)
    changed_group = np.empty(n, group.dtype)
    for i in range(n):
        slot = idx[i]
        p = profession[slot]
        drawn = drawn_fte(u_fte[0, i], u_fte[1, i], part_time_share[p], part_time_level[p])
        g = group[slot]
        lowered = np.float64(drawn) * (1.0 - 0.5 * max(felt_strain[g] - 1.0, 0.0))
        new[i] = np.float32(min(max(lowered, 0.3), 1.0))
        delta[i] = new[i] - fte[slot]
        changed_group[i] = g
    for i in range(n):
        fte[idx[i]] = new[i]
    count_into(head_g, fte_g, changed_group, delta, 1, False)
    return delta


@_jit
def labour_accounts(
    demand: np.ndarray, supply: np.ndarray, freed_gross: np.ndarray, innovation_work: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Net freed FTE, capacity and strain [O, P] of :meth:`sim.model.accounting.LabourAccounts.update`,
    element by element with numpy's rules (``np.maximum``/``np.minimum`` keep a NaN)."""
    n_orgs, n_prof = demand.shape
    freed = np.empty((n_orgs, n_prof))
    capacity = np.empty((n_orgs, n_prof))
    strain = np.empty((n_orgs, n_prof))
    for o in range(n_orgs):
        for p in range(n_prof):
            f = freed_gross[o, p] - innovation_work[o, p]
            c = supply[o, p] + f
            if not (c >= 0.0 or c != c):
                c = 0.0
            d = demand[o, p]
            s = d / c if c > 0 else 3.0
            if d <= 0:
                s = 1.0
            if not (s <= 3.0 or s != s):
                s = 3.0
            freed[o, p] = f
            capacity[o, p] = c
            strain[o, p] = s
    return freed, capacity, strain


@_jit
def free_slots(
    idx: np.ndarray,
    group: np.ndarray,
    fte: np.ndarray,
    alive: np.ndarray,
    champion: np.ndarray,
    career_track: np.ndarray,
    head_g: np.ndarray,
    fte_g: np.ndarray,
) -> None:
    """``StaffArrays.remove`` without the free list: count the slots ``idx`` out of their groups (their
    groups and FTE read first), then mark them free (group ``len(fte_g)``, FTE 0, no flags)."""
    n = len(idx)
    old_group = np.empty(n, group.dtype)
    old_fte = np.empty(n, fte.dtype)
    for i in range(n):
        old_group[i] = group[idx[i]]
        old_fte[i] = fte[idx[i]]
    count_into(head_g, fte_g, old_group, old_fte, -1, True)
    free_group = len(fte_g)
    for i in range(n):
        slot = idx[i]
        alive[slot] = False
        fte[slot] = 0.0
        group[slot] = free_group
        champion[slot] = False
        career_track[slot] = False


@_jit
def due_retirements(
    months: np.ndarray,
    slots: np.ndarray,
    start: int,
    t: int,
    alive: np.ndarray,
    retire_month: np.ndarray,
) -> tuple[np.ndarray, int]:
    """``StaffArrays.retiring`` after the queue is filed: the sorted, distinct slots among the pending
    ones (``months`` sorted, read from ``start``) whose month is ``t`` and who are still alive and due
    at ``t``, and the new cursor (the first pending month after ``t``; ``start`` if none is due)."""
    if start < 0 or start >= len(months) or months[start] > t:
        return np.zeros(0, slots.dtype), start
    end = start
    while end < len(months) and months[end] <= t:
        end += 1
    due = np.empty(end - start, slots.dtype)
    n = 0
    for i in range(start, end):
        slot = slots[i]
        if months[i] == t and alive[slot] and retire_month[slot] == t:
            due[n] = slot
            n += 1
    due = np.sort(due[:n])
    keep = 0
    for i in range(n):
        if i == 0 or due[i] != due[keep - 1]:
            due[keep] = due[i]
            keep += 1
    return due[:keep], end
