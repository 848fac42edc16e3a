"""Step 2 of the month: every staff member as one row of numpy arrays, and the vectorised workforce flows.

Staff live in slots of a structure of arrays (``StaffArrays``). A slot is either alive or free; people who
leave free their slot, and newcomers fill free slots before the arrays grow, so no array is copied in the
monthly loop. Age is derived from the birth month (no monthly update) and retirement happens at a
retirement month drawn on entry (filed once a year by month). Quits, moves and changes of hours are one
Bernoulli trial per person each month, drawn exactly by thinning (candidate slots from geometric gaps
under a fixed cap, then acceptance at the person's own probability), so a month costs in proportion to
the events, not the workforce, and never needs a per-person Python loop.

At ``staff_scale = s`` each slot stands for ``1 / s`` people; all flows in persons are scaled by ``s`` on
the way in (with stochastic rounding) and every output is multiplied by ``1 / s`` on the way out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from sim.model import kernels
from sim.model.demography import PROFESSIONS

N_PROF = len(PROFESSIONS)


def monthly(rate_per_year: np.ndarray | float) -> np.ndarray | float:
    """Convert a yearly probability to a monthly one."""
    return 1.0 - (1.0 - np.asarray(rate_per_year)) ** (1.0 / 12.0)


def stochastic_round(x: np.ndarray | float, rng: np.random.Generator) -> np.ndarray:
    """Round to integers up or down with probability equal to the fraction (unbiased)."""
    x = np.asarray(x, dtype=float)
    base = np.floor(x)
    return (base + (rng.random(x.shape) < (x - base))).astype(np.int64)


@dataclass
class StaffArrays:
    """All staff as a structure of arrays, one slot per agent.

    Attributes:
        profession: index into ``PROFESSIONS`` [N] (int8).
        employer: organisation index [N] (int32).
        group: ``employer * N_PROF + profession``; ``free_group`` for a free slot [N] (int32).
        birth_month: month index of birth, relative to the first simulated month [N] (int32).
        hire_month: month the person joined the current employer [N] (int32).
        retire_month: month the person will retire [N] (int32).
        fte: FTE fraction, 0 for a free slot [N] (float32).
        competence: digital competence 0..1 [N] (float32).
        champion: innovation champion [N] (bool).
        career_track: on an innovation career track [N] (bool).
        quit_propensity: personal multiplier of the quit hazard, mean 1 [N] (float32).
        alive: slot holds a person [N] (bool).
        horizon: the first month that :meth:`retiring` will never be asked about (the end of the run);
            retirements from then on are not filed. None: file every retirement.
    """

    n_groups: int
    horizon: int | None = None
    profession: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    employer: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    group: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    birth_month: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    hire_month: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    retire_month: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    fte: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    competence: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    champion: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    career_track: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    quit_propensity: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    free_slots: list[np.ndarray] = field(default_factory=list)
    head_g: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    fte_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _retirement_queue: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    _retirement_months: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    _retirement_slots: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    _retirement_cursor: int = -1  # next pending retirement; -1 until the queue is first filed

    def __post_init__(self) -> None:
        self.head_g = np.zeros(self.n_groups, np.int64)
        self.fte_g = np.zeros(self.n_groups)

    ARRAYS = (
        "profession",
        "employer",
        "group",
        "birth_month",
        "hire_month",
        "retire_month",
        "fte",
        "competence",
        "champion",
        "career_track",
        "quit_propensity",
        "alive",
    )

    @property
    def free_group(self) -> int:
        """The group id of a free slot (one past the last real group)."""
        return self.n_groups

    @property
    def capacity(self) -> int:
        return len(self.alive)

    @property
    def n_alive(self) -> int:
        return int(self.alive.sum())

    def age_years(self, t: int) -> np.ndarray:
        """Age in whole years at month ``t`` (derived, never stored)."""
        return (t - self.birth_month) // 12

    def _take_slots(self, n: int) -> np.ndarray:
        """Slots for ``n`` newcomers: free slots first (oldest first), then new slots at the end."""
        free = np.concatenate(self.free_slots) if self.free_slots else np.zeros(0, np.int64)
        use, keep = free[:n], free[n:]
        self.free_slots = [keep] if len(keep) else []
        missing = n - len(use)
        if missing > 0:
            start = self.capacity
            grow = max(missing, self.capacity // 8)
            for name in self.ARRAYS:
                arr = getattr(self, name)
                fill = self.free_group if name == "group" else 0
                setattr(self, name, np.concatenate([arr, np.full(grow, fill, dtype=arr.dtype)]))
            new = np.arange(start, start + grow)
            use = np.concatenate([use, new[:missing]])
            if grow > missing:
                self.free_slots.append(new[missing:])
        return use

    def add(
        self,
        profession: np.ndarray,
        employer: np.ndarray,
        birth_month: np.ndarray,
        retire_month: np.ndarray,
        fte: np.ndarray,
        t: int,
        competence: np.ndarray,
        quit_propensity: np.ndarray,
    ) -> np.ndarray:
        """Put newcomers into slots; returns their slot indices."""
        idx = self._take_slots(len(profession))
        group = employer * N_PROF + profession
        self.profession[idx] = profession
        self.employer[idx] = employer
        self.group[idx] = group
        self.birth_month[idx] = birth_month
        self.hire_month[idx] = t
        self.retire_month[idx] = retire_month
        self.fte[idx] = fte
        self.competence[idx] = competence
        self.champion[idx] = False
        self.career_track[idx] = False
        self.quit_propensity[idx] = quit_propensity
        self.alive[idx] = True
        self._count(group, fte, +1)
        self._schedule_retirement(idx, np.asarray(retire_month))
        return idx

    def remove(self, idx: np.ndarray) -> None:
        """Free the slots of people who left."""
        idx = np.asarray(idx)
        kernels.free_slots(
            idx,
            self.group,
            self.fte,
            self.alive,
            self.champion,
            self.career_track,
            self.head_g,
            self.fte_g,
        )
        self.free_slots.append(idx)

    def set_employer(self, idx: np.ndarray, employer: np.ndarray, t: int) -> None:
        """Move people (distinct slots ``idx``) to new employers (same profession)."""
        old_group, fte = self.group[idx], self.fte[idx]
        new_group = employer * N_PROF + self.profession[idx]
        self._count(old_group, fte, -1)
        self.employer[idx] = employer
        self.group[idx] = new_group
        self.hire_month[idx] = t
        self._count(new_group, fte, +1)

    def set_fte(self, idx: np.ndarray, fte: np.ndarray) -> np.ndarray:
        """Change people's FTE fractions; returns the change per person."""
        delta = fte - self.fte[idx]
        self.fte[idx] = fte
        kernels.count_into(self.head_g, self.fte_g, self.group[idx], delta, 1, False)
        return delta

    def _count(self, group: np.ndarray, fte: np.ndarray, sign: int) -> None:
        """Add (sign +1) or remove (-1) people of ``group`` with ``fte`` to or from the counters."""
        # one compiled pass: the numbers of np.bincount (with and without weights) added to the counters
        kernels.count_into(self.head_g, self.fte_g, group, fte, sign, True)

    def _schedule_retirement(self, idx: np.ndarray, retire_month: np.ndarray) -> None:
        """Queue newcomers for retirement; :meth:`retiring` files the queue once a year.

        Newcomers retire at least a year after they arrive, so the queue can wait until the next January,
        when it is sorted by retirement month and merged into the pending retirements (one argsort and
        one merge a year, no per-person or per-year Python work).
        """
        self._retirement_queue.append((np.asarray(retire_month), np.asarray(idx)))

    def _file_queue(self) -> None:
        """Merge the queue into the pending retirements: one array of months, sorted, read with a cursor."""
        months = np.concatenate([m for m, _ in self._retirement_queue])
        slots = np.concatenate([i for _, i in self._retirement_queue])
        if self.horizon is not None:  # most newcomers retire after the end of the run
            within = months < self.horizon
            months, slots = months[within], slots[within]
        # months fit in int16 (< 2,730 years): numpy then sorts with a radix sort, ~10x faster
        order = np.argsort(months.astype(np.int16), kind="stable")
        months, slots = months[order], slots[order]
        start = self._retirement_cursor
        if 0 <= start < len(self._retirement_months):  # merge with the pending ones (both sorted)
            pending_months = self._retirement_months[start:]
            at = np.searchsorted(pending_months, months, side="right")
            months = np.insert(pending_months, at, months)
            slots = np.insert(self._retirement_slots[start:], at, slots)
        self._retirement_months, self._retirement_slots = months, slots
        self._retirement_cursor = 0
        self._retirement_queue = []

    def retiring(self, t: int) -> np.ndarray:
        """Slots of people whose retirement month is ``t`` (pending retirements sorted by month)."""
        if self._retirement_queue and (t % 12 == 0 or self._retirement_cursor < 0):
            self._file_queue()
        # those due at t, alive and still retiring at t, sorted and distinct (one compiled pass)
        due, self._retirement_cursor = kernels.due_retirements(
            self._retirement_months,
            self._retirement_slots,
            self._retirement_cursor,
            t,
            self.alive,
            self.retire_month,
        )
        return due

    def headcount_by_group(self) -> np.ndarray:
        """Agents per group [G] (kept up to date by every change; see :meth:`recount`)."""
        return self.head_g

    def fte_by_group(self) -> np.ndarray:
        """FTE (agent units) per group [G] (kept up to date by every change; see :meth:`recount`)."""
        return self.fte_g

    def recount(self) -> None:
        """Recompute the per-group counters from the arrays (removes float drift; used yearly)."""
        g = self.n_groups + 1
        self.head_g = np.bincount(self.group, minlength=g)[: self.n_groups].astype(np.int64)
        self.fte_g = np.bincount(self.group, weights=self.fte, minlength=g)[: self.n_groups]


@dataclass
class ProfessionProfile:
    """How a profession's people are drawn: hours, age, retirement (from calibration.toml)."""

    mean_fte: np.ndarray  # [P]
    part_time_share: np.ndarray  # [P]
    retirement_age_mean: float
    retirement_age_sd: float
    graduate_age_mean: float

    @cached_property
    def part_time_level(self) -> np.ndarray:
        """Mean FTE of a part-timer per profession [P]: the level that gives the calibrated mean
        (computed once: a profile is not changed after it is built)."""
        pt = self.part_time_share
        return np.clip((self.mean_fte - (1.0 - pt)) / np.maximum(pt, 1e-9), 0.3, 0.97)

    def draw_fte(self, profession: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """FTE fractions: full time, or part time around the level that gives the calibrated mean."""
        u = rng.random((2, len(profession)))
        part = u[0] < self.part_time_share[profession]
        level = self.part_time_level[profession] + (u[1] - 0.5) * 0.24
        return np.where(part, _clip(level, 0.3, 0.97), 1.0).astype(np.float32)

    def draw_retirement_age(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Retirement age in years per person."""
        age = rng.normal(self.retirement_age_mean, self.retirement_age_sd, n)
        return _clip(age, 55.0, 72.0)


def _clip(x: np.ndarray, low: float, high: float) -> np.ndarray:
    """``np.clip(x, low, high)`` with less overhead; the same numbers except that a -0.0 clipped at a
    bound of 0 comes out +0.0, so use it with non-zero bounds."""
    return np.minimum(np.maximum(x, low), high)


# personal multipliers of the quit hazard: lognormal with mean 1 and sd of log 0.3 (assumption)
QUIT_PROPENSITY_LOG_MEAN, QUIT_PROPENSITY_LOG_SD = -0.045, 0.3


def draw_quit_propensity(n: int, rng: np.random.Generator) -> np.ndarray:
    """Personal multipliers of the quit hazard (``QUIT_PROPENSITY_LOG_MEAN``, ``_SD``)."""
    return rng.lognormal(QUIT_PROPENSITY_LOG_MEAN, QUIT_PROPENSITY_LOG_SD, n).astype(np.float32)


# Initial age distribution per profession: 23 + Beta(a, b) * (retirement age - 23) years (assumption;
# SOSU staff older: SOURCES W-36, 30% of SOSU staff over 55, which Beta(1.4, 1) reproduces).
AGE_BETA = {
    "nurse": (1.1, 1.2),
    "doctor": (1.2, 1.4),
    "sosu_assistant": (1.4, 1.0),
    "sosu_helper": (1.5, 1.0),
    "other_clinical": (1.2, 1.2),
}


def initial_staff(
    headcount_by_group: np.ndarray,
    profile: ProfessionProfile,
    rng: np.random.Generator,
    horizon: int | None = None,
) -> StaffArrays:
    """Create the 2025 workforce: ``headcount_by_group[g]`` agents in group g (employer * P + profession).

    ``horizon``: months simulated (retirements after the run are not filed; see :class:`StaffArrays`).
    """
    n_groups = len(headcount_by_group)
    staff = StaffArrays(n_groups=n_groups, horizon=horizon)
    groups = np.repeat(np.arange(n_groups), headcount_by_group)
    profession = (groups % N_PROF).astype(np.int8)
    employer = (groups // N_PROF).astype(np.int32)
    n = len(groups)
    a = np.array([AGE_BETA[p][0] for p in PROFESSIONS])[profession]
    b = np.array([AGE_BETA[p][1] for p in PROFESSIONS])[profession]
    retire_age = profile.draw_retirement_age(n, rng)
    age = 23.0 + rng.beta(a, b) * (retire_age - 23.0)  # between 23 and the person's retirement age
    birth_month = np.floor(-age * 12).astype(np.int32)
    retire_month = np.maximum(birth_month + np.round(retire_age * 12), 1).astype(np.int32)
    fte = profile.draw_fte(profession, rng)
    competence = rng.beta(2.0, 3.0, n).astype(np.float32)
    propensity = draw_quit_propensity(n, rng)
    staff.add(
        profession,
        employer,
        birth_month,
        retire_month,
        fte,
        0,
        competence,
        propensity,
    )
    # tenure: spread hire months over the past (tenure up to 20 years, shorter for the young)
    tenure = np.minimum(rng.exponential(8.0 * 12, n), (age - 21.0) * 12).astype(np.int32)
    staff.hire_month[:n] = -tenure
    return staff


def felt_strain_step(felt: np.ndarray, group_strain: np.ndarray, memory_months: float) -> None:
    """The strain staff feel follows their employer-profession group's strain with a delay (smoothing).

    A person's strain is their group's felt strain (derived, not stored per person: everyone in a group
    shares employer, profession and workload).
    """
    felt += (group_strain - felt) / memory_months


# Upper bounds of monthly probabilities used for thinning (exact as long as no person's probability exceeds
# them; probabilities are capped there). Fixed, so every scenario draws the same candidate slots (common
# random numbers).
MAX_QUIT_MONTH = 0.03
MAX_MOVE_MONTH = 0.03
_FREE_GROUP_HAZARD = np.zeros(1)
_NO_PROPENSITY = np.zeros(0, np.float32)


def bernoulli_slots(n: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Indices of the slots 0..n-1 that each succeed independently with probability ``p``.

    Exact Bernoulli sampling at a cost proportional to the number of successes: the gaps between
    successes are geometric, so the work is O(n p), not O(n).
    """
    if n <= 0 or p <= 0:
        return np.zeros(0, np.int64)
    expected = n * p
    size = int(expected + 6.0 * math.sqrt(expected) + 16)
    # _geometric's inversion, its cumulative sum and the cut in one compiled pass
    if 1e-9 <= p < 0.3:
        positions, below = kernels.thinning_positions(
            rng.standard_exponential(size), -math.log1p(-p), n
        )
        if below < size:
            return positions[:below]
    else:
        positions = _geometric(p, size, rng).cumsum() - 1
    while positions[-1] < n:  # rarely needed: draw more gaps until past the end
        more = np.cumsum(_geometric(p, size, rng)) + positions[-1]
        positions = np.concatenate([positions, more])
    return positions[: positions.searchsorted(n)]


def _geometric(p: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """``rng.geometric(p, size)``, the same numbers from the same stream, about twice as fast.

    For p < 1/3 numpy draws each value by inversion, ``ceil(-E / log1p(-p))`` with E a standard
    exponential (numpy's ``random_geometric_inversion``); here the exponentials are drawn in one call and
    divided and rounded up as an array (``math.log1p`` is the C library's, as numpy's is). Larger or tiny
    p (numpy searches, or caps the values) go to numpy itself.
    """
    if not 1e-9 <= p < 0.3:
        return rng.geometric(p, size=size)
    gaps = rng.standard_exponential(size)
    gaps /= -math.log1p(-p)
    np.ceil(gaps, out=gaps)
    return gaps.astype(np.int64)


def strain_factor(felt_strain: np.ndarray, elasticity: float) -> np.ndarray:
    """How strain scales leaving (quits and moves): max(1 + elasticity x (felt strain - 1), 0) per group."""
    return np.maximum(1.0 + elasticity * (felt_strain - 1.0), 0.0)


def quit_hazard(
    staff: StaffArrays,
    quit_month_group: np.ndarray,
    felt_strain: np.ndarray,
    elasticity: float,
    slots: np.ndarray | None = None,
) -> np.ndarray:
    """Monthly probability of leaving the modelled workforce, per slot (0 for free slots).

    Hazard = group base rate x (1 + elasticity x (felt strain - 1)), floored at 0, x personal propensity:
    it rises with strain (the vicious circle) and falls for people on a career track (their propensity is
    lowered when the track is assigned). ``slots`` restricts it to some slots (default: all).
    """
    if slots is None:
        slots = np.arange(staff.capacity)
    hazard = quit_month_group * strain_factor(felt_strain, elasticity)
    group_hazard = np.concatenate((hazard, _FREE_GROUP_HAZARD))
    return group_hazard[staff.group[slots]] * staff.quit_propensity[slots]


def exit_step(
    staff: StaffArrays,
    quit_month_group: np.ndarray,
    felt_strain: np.ndarray,
    elasticity: float,
    t: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Retirements and quits of month t. Returns (retired idx, quit idx).

    Each person quits with probability ``quit_hazard`` (capped at ``MAX_QUIT_MONTH``), drawn by thinning:
    candidate slots succeed with probability MAX_QUIT_MONTH (:func:`bernoulli_slots`), and a candidate
    quits with probability hazard / MAX_QUIT_MONTH. This is exactly one Bernoulli trial per person at a
    cost proportional to the candidates, not to the whole workforce.
    """
    retired_idx = staff.retiring(t)
    cand = bernoulli_slots(staff.capacity, MAX_QUIT_MONTH, rng)
    # quit_hazard of the candidates and the acceptance, in one compiled pass
    quitting = kernels.leaving_candidates(
        cand,
        rng.random(len(cand)),
        MAX_QUIT_MONTH,
        staff.group,
        staff.quit_propensity,
        quit_month_group,
        felt_strain,
        elasticity,
    )
    if len(retired_idx) and len(quitting):
        quitting = quitting[~_in_sorted(quitting, retired_idx)]
    return retired_idx, quitting


def _in_sorted(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_unique)`` for a sorted, non-empty ``sorted_unique`` (one searchsorted)."""
    pos = sorted_unique.searchsorted(values)
    return sorted_unique[np.minimum(pos, len(sorted_unique) - 1)] == values


class RowChooser:
    """Draws, for each item, a column of ``weights[category[item]]`` with probability proportional to it.

    Built once per month from the destination weights and shared by every flow of the month (moves,
    graduates, hires). Rows are normalised cumulative sums shifted by their row index, so one
    ``searchsorted`` serves every category at once. A row of zeros falls back to uniform choice.
    """

    def __init__(self, weights: np.ndarray | None = None, cum: np.ndarray | None = None) -> None:
        if cum is not None:  # rows already built (see destination_weights)
            self.n_cols = cum.shape[1]
            self.cum = cum.ravel()
            return
        n_rows, self.n_cols = weights.shape
        cum = np.add.accumulate(weights, axis=1)  # non-negative: a row's last value is its sum
        if not (cum[:, -1] > 0).all():
            cum = np.add.accumulate(np.where(cum[:, -1:] > 0, weights, 1.0), axis=1)
        cum = cum / cum[:, -1:]
        cum += np.arange(n_rows)[:, None]
        cum[:, -1] = np.arange(1, n_rows + 1)  # exact row ends
        self.cum = cum.ravel()

    def choose(self, category: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if len(category) == 0:
            return np.zeros(0, np.int64)
        pick = self.cum.searchsorted(category + rng.random(len(category)), side="right")
        return np.minimum(pick - category * self.n_cols, self.n_cols - 1)


def destination_weights(weights: np.ndarray, org_sector: np.ndarray, n_sectors: int) -> RowChooser:
    """Where newcomers and movers go: a chooser over [sector * N_PROF + profession, organisation],
    zero outside the sector, uniform within the sector where nothing is known."""
    cum = np.empty((n_sectors * N_PROF, len(org_sector)))
    # one compiled pass, the same numbers as RowChooser(rows) with rows [S * P, O] = weights.T inside
    # the sector, zero outside, ones inside where the sector's row is all zero
    kernels.destination_cumulative(weights, org_sector, n_sectors, cum)
    return RowChooser(cum=cum)


def hiring_weights(vacancy_fte: np.ndarray, demand_fte: np.ndarray) -> np.ndarray:
    """Where newcomers go: mostly to vacancies, a little in proportion to size [O, P]."""
    return np.maximum(vacancy_fte, 0.0) + 0.05 * demand_fte


def move_step(
    staff: StaffArrays,
    move_month_group: np.ndarray,
    group_strain: np.ndarray,
    org_sector: np.ndarray,
    weights: RowChooser,
    elasticity: float,
    t: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Moves between employers of the same sector and profession; returns the movers' slots.

    Each person moves with probability base x (1 + elasticity x (strain - 1)), capped at MAX_MOVE_MONTH;
    candidates are drawn by thinning (slots succeed at MAX_MOVE_MONTH, a candidate moves with its own rate
    / MAX_MOVE_MONTH), so the cost is proportional to the number of movers. Destinations are drawn by ``weights`` [S * P, O] (vacancies
    first, see :func:`destination_weights`).
    """
    cand = bernoulli_slots(staff.capacity, MAX_MOVE_MONTH, rng)
    cand = cand[staff.alive[cand]]
    # rate = min(base x strain_factor, MAX_MOVE_MONTH) of the candidates' groups and the acceptance,
    # in one compiled pass
    movers = kernels.leaving_candidates(
        cand,
        rng.random(len(cand)),
        MAX_MOVE_MONTH,
        staff.group,
        _NO_PROPENSITY,
        move_month_group,
        group_strain,
        elasticity,
    )
    if len(movers) == 0:
        return movers
    # weights.choose (its one draw) and staff.set_employer in one compiled pass
    kernels.move_to(
        movers,
        rng.random(len(movers)),
        weights.cum,
        weights.n_cols,
        org_sector,
        N_PROF,
        t,
        staff.employer,
        staff.group,
        staff.profession,
        staff.fte,
        staff.hire_month,
        staff.head_g,
        staff.fte_g,
    )
    return movers


def part_time_step(
    staff: StaffArrays,
    rate_month: float,
    profile: ProfessionProfile,
    felt_strain: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Some people change their hours each month: they redraw their FTE fraction, lowered by strain.

    Returns (slots that changed, change in FTE per slot).
    """
    if staff.capacity == 0 or rate_month <= 0:
        return np.zeros(0, np.int64), np.zeros(0)
    idx = bernoulli_slots(staff.capacity, rate_month, rng)
    idx = idx[staff.alive[idx]]
    # profile.draw_fte's draws, then the new hours (drawn, lowered by strain: the FTE times
    # 1 - 0.5 x max(strain - 1, 0), clipped to 0.3-1) and staff.set_fte in one compiled pass
    return idx, kernels.new_hours(
        idx,
        rng.random((2, len(idx))),
        staff.profession,
        staff.group,
        felt_strain,
        profile.part_time_share,
        profile.part_time_level,
        staff.fte,
        staff.head_g,
        staff.fte_g,
    )


def entry_step(
    staff: StaffArrays,
    counts_by_profession_sector: np.ndarray,
    weights: RowChooser,
    profile: ProfessionProfile,
    t: int,
    age_mean: float,
    age_sd: float,
    competence_mean: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Newcomers (graduates or outside hires) of each (sector, profession) placed by ``weights``.

    Args:
        counts_by_profession_sector: agents to add [S, P].
        weights: the month's :class:`RowChooser` from :func:`destination_weights`.
    Returns the newcomers' slots.
    """
    counts = np.asarray(counts_by_profession_sector, dtype=np.int64).ravel()
    if counts.sum() == 0:
        return np.zeros(0, np.int64)
    category = np.repeat(np.arange(len(counts)), counts)
    n = len(category)
    # the draws of weights.choose, the age, profile.draw_retirement_age, profile.draw_fte, the
    # competence and draw_quit_propensity, in that order; then their arithmetic in one compiled pass
    # (age clipped to 20-60, retirement age to 55-72 and at least a year later, months rounded with
    # rint, FTE as draw_fte, competence clipped to 0-1)
    u_choice = rng.random(n)
    age_draw = rng.normal(age_mean, age_sd, n)
    retire_draw = rng.normal(profile.retirement_age_mean, profile.retirement_age_sd, n)
    u_fte = rng.random((2, n))
    beta_draw = rng.beta(2.0, 3.0, n)
    lognormal_draw = rng.lognormal(QUIT_PROPENSITY_LOG_MEAN, QUIT_PROPENSITY_LOG_SD, n)
    employer, profession, birth_month, retire_month, fte, competence, propensity = (
        kernels.newcomers(
            weights.cum,
            weights.n_cols,
            category,
            u_choice,
            age_draw,
            retire_draw,
            u_fte,
            beta_draw,
            lognormal_draw,
            t,
            N_PROF,
            profile.part_time_share,
            profile.part_time_level,
            competence_mean - 0.4,
        )
    )
    return staff.add(
        profession,
        employer,
        birth_month,
        retire_month,
        fte,
        t,
        competence,
        propensity,
    )
