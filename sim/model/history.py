"""The historical mode: one run of a historical scenario (2012-2024) reduced to the statistics of the
calibration targets in ``sim/data/history_targets.toml``.

``history_statistics(scenario, seed)`` builds :class:`sim.HealthSystemModel`, steps it month by month,
records what the targets need at their dates and returns one number per target the model can produce
(``STATISTICS``); the targets it cannot produce are listed with the reason in ``NOT_PRODUCED``. How
each target maps to the model, and its ambiguities, is in docs/CALIBRATION.md ("Targets and their model
statistics"); the short version:

* **share of municipalities using an archetype** (wash toilets, screen visits): municipalities with an
  engagement of the archetype's type that covers some of their work (coverage > 0), at any scope: a
  kept frontier pilot in one unit counts, as a municipality using wash toilets in a few homes answers
  "in use". **Introduced, being introduced or tested** and **using or planning** also count engagements
  under way without coverage yet (pilot, local test, evaluation, procurement).
* **the welfare-technology programme's gains**: the value of the gross hours the programme's archetypes
  (transfer aids and wash toilets, the two of its four areas the catalogue has) free beyond their level
  before the programme (end of December 2013), at ``innovation.cost_per_fte_dkk``. The sources do not say whether 434 and 521 mDKK
  are yearly gain levels or sums over the years: ``programme_gains_<Y>`` is the yearly level (mean over
  the months of year Y x DKK per FTE-year), ``programme_gains_<Y>_cumulative`` the sum of those yearly
  levels from 2014 to Y.
* **dose-packed medicine as a share of people aged 75+**: the national coverage of
  ``medicine_dispensing`` (share of its addressable hours covered) x ``history.dose_packed_share_at_full_coverage``
  (the share of people aged 75+ on dose-packing where it covers all the work it can, an assumption in
  ``sim/data/calibration.toml``); its municipal spread is the mean coverage of the top tenth of
  municipalities over that of the bottom tenth (capped at ``SPREAD_CAP`` when the bottom tenth has none).
* **job-leaving** of hospital nurses and municipal SOSU staff: exits and moves over the twelve months of
  the target's definition (November 2021 to October 2022) over the mean headcount, as the status-quo
  pattern test computes it for 2025.

The run must cover December 2013 to March 2024 (``scenarios/history/history_2012_2024.toml`` does).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from sim.model.demography import PROFESSIONS, SECTORS

# The programme's four areas (SOURCES D-01) include feeding robots and assistive aids, which have no
# archetype; KL's own headline for the 521 mDKK names the other two ("en halv milliard på loftlifte og
# vasketoiletter", SOURCES D-01), so the gains are compared with transfer aids and wash toilets.
PROGRAMME_ARCHETYPES = ("transfer_aids", "wash_toilets")
# the level the gains are counted from: the end of December 2013, before the programme's first month
# (its baseline measurement, D-05, was taken in February-March 2014 on the state before the programme)
PROGRAMME_BASE = (2013, 12)
PROGRAMME_YEARS = (2014, 2015, 2016, 2017)
SPREAD_CAP = 100.0  # top / bottom decile ratio when the bottom decile has no coverage
JOB_LEAVING_WINDOW = (
    (2021, 11),
    (2022, 10),
)  # "between November 2021 and November 2022" (W-30, W-31)
FIRST_NEEDED, LAST_NEEDED = (2013, 12), (2024, 3)


@dataclass(frozen=True)
class Statistic:
    """How one target is computed: ``kind`` and its arguments (see the module docstring)."""

    kind: str  # "use_share", "engaged_share", "gains", "gains_cumulative", "dose_share",
    # "dose_growth", "dose_spread", "job_leaving"
    archetype: str = ""
    year: int = 0
    sector: str = ""
    professions: tuple[str, ...] = ()


# target name (sim/data/history_targets.toml) -> statistic; dates come from the targets file
STATISTICS: dict[str, Statistic] = {
    "programme_gains_target": Statistic("gains", year=2017),
    "programme_gains_2015": Statistic("gains", year=2015),
    "programme_gains_2016": Statistic("gains", year=2016),
    "programme_gains_2015_cumulative": Statistic("gains_cumulative", year=2015),
    "programme_gains_2016_cumulative": Statistic("gains_cumulative", year=2016),
    "wash_toilets_in_use_2015": Statistic("use_share", "wash_toilets"),
    "wash_toilets_in_use_2016": Statistic("use_share", "wash_toilets"),
    "wash_toilets_trial_or_use_2015": Statistic("engaged_share", "wash_toilets"),
    "screen_visits_2018": Statistic("use_share", "screen_visits"),
    "screen_visits_plans_2019": Statistic("engaged_share", "screen_visits"),
    "dose_packed_2021": Statistic("dose_share", "medicine_dispensing"),
    "dose_packed_2024": Statistic("dose_share", "medicine_dispensing"),
    "dose_packed_growth_2021_2024": Statistic("dose_growth", "medicine_dispensing"),
    "dose_packed_spread_2024": Statistic("dose_spread", "medicine_dispensing"),
    "job_leaving_hospital_nurses": Statistic(
        "job_leaving", sector="hospital", professions=("nurse",)
    ),
    "job_leaving_municipal_sosu": Statistic(
        "job_leaving", sector="municipal", professions=("sosu_assistant", "sosu_helper")
    ),
}
# the cumulative readings are not targets of the file: they take the dates of the yearly ones
_DATE_OF = {
    "programme_gains_2015_cumulative": "programme_gains_2015",
    "programme_gains_2016_cumulative": "programme_gains_2016",
    "dose_packed_growth_2021_2024": "dose_packed_2024",
}
# targets of the file the historical run does not produce, and why
NOT_PRODUCED: dict[str, str] = {
    "screen_visits_first_use": "an input: when screen visits enter the run (the starting state)",
    "copd_pilot": "an input: the starting state of telemonitoring",
    "copd_national_decision": "an input: the COPD programme's schedule in the scenario",
    "copd_national_launch": "a policy date written into the scenario (November 2023); the delay "
    "came from shared infrastructure the model does not represent",
    "sosu_gap_2035": "a 2035 projection: checked by the status-quo pattern tests",
    "nurse_balance_2030": "a 2030 projection: checked by the status-quo pattern tests",
    "backcast_hospital_fte": "an input of a backcast; the historical mode holds the 2025 workforce",
    "backcast_municipal_care_fte": "an input of a backcast; the historical mode holds the 2025 "
    "workforce",
}


@lru_cache(maxsize=1)
def history_targets() -> dict[str, dict[str, Any]]:
    """The targets of ``sim/data/history_targets.toml``: name -> table."""
    text = resources.files("sim.data").joinpath("history_targets.toml").read_text(encoding="utf-8")
    return {k: v for k, v in tomllib.loads(text).items() if isinstance(v, dict)}


def month_of(decimal_year: float, start_year: int) -> int:
    """Index of the month that contains ``decimal_year`` (month m of year y spans y + (m-1)/12 to y + m/12)
    in a run that starts in January of ``start_year``."""
    return int(math.floor((decimal_year - start_year) * 12 + 1e-9))


def statistic_dates() -> dict[str, float]:
    """The decimal date of each statistic (its target's ``date``)."""
    targets = history_targets()
    return {name: float(targets[_DATE_OF.get(name, name)]["date"]) for name in STATISTICS}


class _Observer:
    """Records, month by month, what the statistics need (the model keeps only the current state)."""

    def __init__(self, model) -> None:
        from sim.model.innovation.state import IN_USE, PILOT, PROCUREMENT, ROLLOUT

        self.model = model
        layer = model.innovation
        # engagement stages: under way (pilot to in use) and holding coverage (a kept pilot being
        # bought for scale-up, a roll-out, in use)
        self.under_way = tuple(range(PILOT, IN_USE + 1))
        self.holding = (PROCUREMENT, ROLLOUT, IN_USE)
        self.layer = layer
        self.start = model.scenario.time.start_year
        keys = layer.catalogue.keys
        self.type_of = {key: keys.index(key) for key in keys}
        self.municipal = np.flatnonzero(model.org_sector == SECTORS.index("municipal"))
        self.cost_per_fte = layer.param("innovation.cost_per_fte_dkk")
        self.full_coverage_share = model.scenario.param(
            "history.dose_packed_share_at_full_coverage"
        )
        self.dates = statistic_dates()
        self.snapshots: dict[int, list[str]] = {}
        for name, date in self.dates.items():
            if STATISTICS[name].kind in ("use_share", "engaged_share", "dose_share", "dose_spread"):
                self.snapshots.setdefault(month_of(date, self.start), []).append(name)
        self.values: dict[str, float] = {}
        self.programme_freed = np.full(model.n_months, np.nan)  # gross FTE of the programme's types

    # ---------------------------------------------------------------------------------------------

    def _engagements(self, archetype: str, stages: tuple[int, ...]) -> np.ndarray:
        eng = self.layer.eng
        n = eng.n
        sols = self.layer.solutions
        rows = np.flatnonzero(np.isin(eng.stage[:n], stages))
        return rows[sols.type[eng.sol[rows]] == self.type_of[archetype]]

    def org_coverage(self, archetype: str) -> np.ndarray:
        """Coverage of the archetype's type in each organisation (sum over its solutions, at most 1)."""
        eng = self.layer.eng
        rows = self._engagements(archetype, self.under_way)
        cover = np.bincount(eng.org[rows], weights=eng.coverage[rows], minlength=self.layer.n_orgs)
        return np.minimum(cover, 1.0)

    def municipal_share(self, archetype: str, engaged: bool) -> float:
        """Share of municipalities using the archetype (coverage > 0), or also with one under way."""
        if engaged:
            rows = self._engagements(archetype, self.under_way)
            orgs = np.zeros(self.layer.n_orgs, bool)
            orgs[self.layer.eng.org[rows]] = True
            return float(orgs[self.municipal].mean())
        return float((self.org_coverage(archetype)[self.municipal] > 0.0).mean())

    def national_coverage(self, archetype: str) -> float:
        """Share of the national addressable hours of the archetype's type covered (this month)."""
        k = self.type_of[archetype]
        weights = self.layer.org["type_weight"][:, k]
        return float((self.org_coverage(archetype) * weights).sum())

    def freed_fte(self, archetypes: tuple[str, ...]) -> float:
        """Gross FTE the archetypes' solutions free this month, nationally (additive over engagements;
        ``pipeline.freed_hours_step`` combines solutions on the same hours multiplicatively, which for
        one engagement per organisation and type is the same)."""
        layer = self.layer
        eng = layer.eng
        k_comp = layer.param("innovation.competence_effect_share")
        total = 0.0
        for archetype in archetypes:
            rows = self._engagements(archetype, self.holding)
            rows = rows[eng.coverage[rows] > 0.0]
            if not len(rows):
                continue
            orgs = eng.org[rows]
            k = self.type_of[archetype]
            addressable = layer._demand[orgs] @ layer.types.addressable[k]  # FTE per engagement
            competence = 1.0 - k_comp + k_comp * layer.org["competence"][orgs]
            total += float((addressable * eng.effect[rows] * competence * eng.coverage[rows]).sum())
        return total

    # ---------------------------------------------------------------------------------------------

    def observe(self, t: int) -> None:
        """After month ``t``: keep the programme's freed hours and the snapshots due this month."""
        self.programme_freed[t] = self.freed_fte(PROGRAMME_ARCHETYPES)
        for name in self.snapshots.get(t, ()):
            stat = STATISTICS[name]
            if stat.kind == "use_share":
                self.values[name] = self.municipal_share(stat.archetype, engaged=False)
            elif stat.kind == "engaged_share":
                self.values[name] = self.municipal_share(stat.archetype, engaged=True)
            elif stat.kind == "dose_share":
                self.values[name] = (
                    self.national_coverage(stat.archetype) * self.full_coverage_share
                )
            elif stat.kind == "dose_spread":
                self.values[name] = decile_ratio(self.org_coverage(stat.archetype)[self.municipal])

    def statistics(self) -> dict[str, float]:
        """All statistics, once the run is over."""
        out = dict(self.values)
        base = self.programme_freed[self._index(*PROGRAMME_BASE)]
        yearly = {}
        for year in PROGRAMME_YEARS:
            first = self._index(year, 1)
            months = self.programme_freed[first : first + 12]
            yearly[year] = (months.mean() - base) * self.cost_per_fte / 1e6
        for name, stat in STATISTICS.items():
            if stat.kind == "gains":
                out[name] = float(yearly[stat.year])
            elif stat.kind == "gains_cumulative":
                out[name] = float(sum(yearly[y] for y in PROGRAMME_YEARS if y <= stat.year))
            elif stat.kind == "dose_growth":
                before = out["dose_packed_2021"]
                out[name] = out["dose_packed_2024"] / before if before > 0 else SPREAD_CAP
            elif stat.kind == "job_leaving":
                out[name] = self.job_leaving(stat.sector, stat.professions)
        return {name: out[name] for name in STATISTICS}

    def job_leaving(self, sector: str, professions: tuple[str, ...]) -> float:
        """Exits and moves over the window's months over the mean headcount (a yearly rate)."""
        from sim.model.accounting import PROFESSION_COLUMNS

        first, last = (self._index(*ym) for ym in JOB_LEAVING_WINDOW)
        prof = self.model.recorder.profession[first : last + 1, SECTORS.index(sector)]
        cols = [PROFESSIONS.index(p) for p in professions]
        block = prof[:, cols]  # [months, professions, columns]
        leavers = (
            block[..., PROFESSION_COLUMNS.index("exits")].sum()
            + block[..., PROFESSION_COLUMNS.index("moves")].sum()
        )
        head = block[..., PROFESSION_COLUMNS.index("staff_headcount")].sum(axis=1).mean()
        return float(leavers / head * 12.0 / (last - first + 1)) if head > 0 else 0.0

    def _index(self, year: int, month: int) -> int:
        return (year - self.start) * 12 + month - 1


def decile_ratio(coverage: np.ndarray) -> float:
    """Mean of the top tenth over the mean of the bottom tenth (at least one organisation each), capped
    at ``SPREAD_CAP``."""
    values = np.sort(np.asarray(coverage, dtype=float))
    k = max(1, int(round(len(values) / 10)))
    top, bottom = values[-k:].mean(), values[:k].mean()
    if bottom <= 0.0:
        return SPREAD_CAP
    return float(min(top / bottom, SPREAD_CAP))


def check_period(scenario) -> None:
    """Raise ValueError unless the scenario runs the innovation layer over December 2013 - March 2024."""
    time = scenario.time
    if not scenario.innovation.enabled or scenario.innovation.frictionless:
        raise ValueError(
            f"{scenario.source}: the historical mode needs the innovation layer "
            "(innovation.enabled = true, innovation.frictionless = false)"
        )
    if time.start_year > FIRST_NEEDED[0] or time.end_year < LAST_NEEDED[0]:
        raise ValueError(
            f"{scenario.source}: the historical mode needs time.start_year <= {FIRST_NEEDED[0]} and "
            f"time.end_year >= {LAST_NEEDED[0]} (got {time.start_year}-{time.end_year}); see "
            "scenarios/history/history_2012_2024.toml"
        )


def history_statistics(scenario, seed: int) -> dict[str, float]:
    """Run a historical scenario and return one statistic per target it can produce (``STATISTICS``).

    Args:
        scenario: a validated scenario covering 2014-2024 with the innovation layer on, e.g.
            ``scenarios/history/history_2012_2024.toml`` with a calibration draw as overrides.
        seed: the run seed.

    Returns:
        Target name -> value (shares as fractions, gains in mDKK, ratios, yearly rates); every value
        finite.

    Raises:
        ValueError: the scenario does not cover the period or has the innovation layer off.
    """
    from sim.model.model import HealthSystemModel
    from sim.simulation import release_model

    check_period(scenario)
    model = HealthSystemModel(scenario=scenario, seed=seed, collect=False)
    observer = _Observer(model)
    try:
        while model.running:
            t = model.month_index
            model.step()
            observer.observe(t)
        return observer.statistics()
    finally:
        release_model(model)


__all__ = [
    "NOT_PRODUCED",
    "PROGRAMME_ARCHETYPES",
    "STATISTICS",
    "decile_ratio",
    "history_statistics",
    "history_targets",
    "month_of",
    "statistic_dates",
]
