"""The recommendation answer: which recommendations free the most labour, alone and together.

An experiment of design kind ``recommend`` runs, in every sampled future (``sim.experiments.futures``)
and for every seed replication, the same set of scenarios under **common random numbers** (one run seed
per future and replication, shared by every scenario):

* ``baseline`` (status quo), ``lever_<l>`` (one lever at its recommended value), ``all_recommendations``,
  ``all_but_<l>`` (every recommendation but one), ``theme_<t>`` (the levers whose ``theme`` is ``t``);
* ``themes_<a>+<b>`` for every pair of themes (with three themes this is also "all but the third theme");
* ``pair_<a>+<b>`` for pairs of levers, on the first ``pair_futures`` futures only (91 pairs of 14 levers
  cost as much as the rest together; the subset is documented in the results);
* ``all_recommendations`` on ``discovery_futures`` extra futures, for scenario discovery (PRIM).

Lever names, themes, status-quo and recommended values come from ``sim.LEVERS``; outcomes from the run
summary (``fte_freed_<year>``, ``gap_fte_<year>``, ``public_cost_dkk_cum_<year>``,
``fte_years_freed_cum_<year>``). :func:`analyse` then computes paired effects run by run (same future,
same seed): *alone* = lever - status quo; *removed* = all - all but the lever; *theme*, *theme removed*
and the *bundle* likewise. Every effect is summarised with the one statistic of ``sim.stats`` (mean and
5-95% over all paired runs, i.e. over seeds and futures), with the Monte Carlo error of the mean (``se``,
futures as clusters) and the split of its variance into within-future seed noise and between-future
spread. Signs are direction-aware: positive means better (more FTE freed: ``fte_freed``; a smaller gap:
``gap_reduced``); the cost rows say what they are (``extra_public_cost``, DKK cumulative to the year).

The incremental cost ratio of a lever is ``mean(delta cost) / mean(delta FTE-years freed)`` over all
paired runs (a ratio of means: a mean of per-run ratios explodes when a run frees almost nothing). It is
reported only when the extra FTE-years are clearly positive (mean > 1 FTE-year and > 2 se); otherwise the
row says why (``frees no labour``, ``not distinguishable from zero``); a lever that frees labour and
saves money is ``dominant`` (negative ratio). Its band is the 5-95% range of a bootstrap over futures
(draws whose extra FTE-years are <= 0 count as an unbounded ratio).

Ranking: in each future the levers are ranked by their alone effect on the ranking outcome (mean over
that future's seeds, signed, largest first); ``p_top3`` is the share of futures in which a lever is among
the top three. Interactions: ``I(a, b) = Y(a+b) - Y(a) - Y(b) + Y(status quo)`` per paired run (positive:
synergy, negative: redundancy), for lever pairs and theme pairs. The decomposition explains the bundle:
sum of alone effects + pairwise interactions + higher-order remainder = effect of all recommendations.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ExperimentError, ResultsError
from sim.experiments.designs import register_design
from sim.experiments.futures import (
    describe_futures_structural,
    future_dimensions,
    futures_structural,
    sample_futures,
    structural_label,
    uncertainty_names,
    unknown_design_key,
)
from sim.experiments.portfolios import lever_overrides, lever_value
from sim.experiments.spec import ExperimentSpec
from sim.levers import LEVERS, PHASE_IN, THEMES
from sim.stats import Q_HIGH, Q_LOW, describe

DISCOVERY_BASE = 1_000_000  # seed_key of discovery future d is DISCOVERY_BASE + d
YEARS = (2030, 2035, 2045)
BASELINE = "baseline"
ALL = "all_recommendations"
DISCOVERY_LABEL = "all_recommendations_discovery"
TARGET_FTE = 10_000.0

_DESIGN_KEYS = {
    "kind": "the design kind, 'recommend'",
    "levers": "'all' or a list of lever names (the others stay at status quo)",
    "futures": "number of sampled futures (an integer >= 1)",
    "uncertainties": "'all' or a list of uncertainty names to vary",
    "ranges": "a table of narrower [low, high] ranges by uncertainty name",
    "themes": "true/false: theme bundles and theme pairs",
    "pairs": "'all', 'none' or a list of [lever, lever] pairs",
    "pair_futures": "futures (the first ones) on which lever pairs run (an integer >= 1)",
    "discovery_futures": "extra futures for all recommendations, for scenario discovery (>= 0)",
    "phase_in": "true (sim.levers.PHASE_IN, as the shipped scenarios), false (from the first month) or "
    "{start_year = Y, ramp_years = R}",
}
ANALYSIS_KEYS = {
    "years": "summary years, e.g. [2030, 2035, 2045]",
    "ranking_outcome": "the outcome levers are ranked by, e.g. 'fte_freed_2035'",
    "target_fte": "the FTE target of scenario discovery (default 10000)",
    "target_years": "years the target is checked in, e.g. [2030, 2035]",
    "top_k": "rank cut for the probability of being among the best (default 3)",
    "bootstrap": "bootstrap resamples of futures for ratio bands (default 1000)",
}

# Metric name -> (summary column template, sign that makes "positive = better", unit)
METRICS = {
    "fte_freed": ("fte_freed_{y}", 1.0, "FTE"),
    "gap_reduced": ("gap_fte_{y}", -1.0, "FTE"),
    "extra_public_cost": (
        "public_cost_dkk_cum_{y}",
        1.0,
        "DKK",
    ),  # cumulative to the year; + = costs more
    "fte_years": ("fte_years_freed_cum_{y}", 1.0, "FTE-years"),
}


# -- the plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecommendPlan:
    """A validated ``[design]`` (kind ``recommend``) and ``[analysis]`` table.

    Attributes:
        levers: analysed levers in ``sim.LEVERS`` order.
        futures: number of futures; uncertainties: varied uncertainties; ranges: narrower ranges.
        structural: the experiment's ``structural`` setting (``auto``, ``posterior``, ``none``):
            whether each future takes a draw of the calibrated posterior (sim.experiments.futures).
        themes: whether theme bundles and theme pairs run.
        pairs: lever pairs run on the first ``pair_futures`` futures.
        discovery_futures: extra futures for all recommendations.
        phase_in: ``(start_year, ramp_years)``: a recommended lever keeps its status-quo value until
            January of ``start_year`` and ramps linearly to the recommended value over ``ramp_years``
            (default ``sim.levers.PHASE_IN``, as the shipped scenarios); None: from the first month.
        years, ranking_outcome, target_fte, target_years, top_k, bootstrap: analysis settings.
    """

    levers: tuple[str, ...]
    futures: int
    uncertainties: tuple[str, ...]
    ranges: dict[str, tuple[float, float]]
    structural: str
    themes: bool
    pairs: tuple[tuple[str, str], ...]
    pair_futures: int
    discovery_futures: int
    years: tuple[int, ...] = YEARS
    ranking_outcome: str = "fte_freed_2035"
    target_fte: float = TARGET_FTE
    target_years: tuple[int, ...] = (2030, 2035)
    top_k: int = 3
    bootstrap: int = 1000
    theme_members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    phase_in: tuple[int, float] | None = (
        int(PHASE_IN["start_year"]),
        float(PHASE_IN["ramp_years"]),
    )


def _int(value: Any, origin: str, key: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ExperimentError(
            f"{origin}: key '{key}' = {value!r} is invalid; allowed: an integer >= {low}"
        )
    return value


def plan_from_tables(
    design: dict[str, Any], analysis: dict[str, Any], origin: str, structural: str = "auto"
) -> RecommendPlan:
    """Validate the ``[design]`` and ``[analysis]`` tables of a recommend experiment.

    ``structural`` is the experiment's setting (``experiment.structural`` or ``--structural``).

    Raises:
        ExperimentError: one line naming the file, the key and what is allowed.
    """
    for key in design:
        if key not in _DESIGN_KEYS:
            raise unknown_design_key(origin, key, "recommend", _DESIGN_KEYS)
    for key in analysis:
        if key not in ANALYSIS_KEYS:
            raise ExperimentError(
                f"{origin}: unknown key 'analysis.{key}'; allowed keys: {', '.join(ANALYSIS_KEYS)}"
            )
    raw_levers = design.get("levers", "all")
    if raw_levers == "all":
        levers = tuple(LEVERS)
    elif (
        isinstance(raw_levers, list) and raw_levers and all(isinstance(x, str) for x in raw_levers)
    ):
        unknown = [x for x in raw_levers if x not in LEVERS]
        if unknown:
            raise ExperimentError(
                f"{origin}: key 'design.levers' names unknown lever {unknown[0]!r}; allowed levers: "
                f"{', '.join(LEVERS)}"
            )
        levers = tuple(name for name in LEVERS if name in raw_levers)
    else:
        raise ExperimentError(
            f"{origin}: key 'design.levers' = {raw_levers!r} is invalid; allowed: {_DESIGN_KEYS['levers']}"
        )
    futures = _int(design.get("futures", 20), origin, "design.futures", 1)
    try:
        unc = tuple(uncertainty_names(design.get("uncertainties", "all")))
    except (KeyError, TypeError) as exc:
        raise ExperimentError(
            f"{origin}: key 'design.uncertainties' names unknown uncertainty {exc}; allowed: 'all' or "
            f"a list of: {', '.join(uncertainty_names())}"
        ) from None
    ranges_raw = design.get("ranges", {})
    ranges: dict[str, tuple[float, float]] = {}
    if not isinstance(ranges_raw, dict):
        raise ExperimentError(
            f"{origin}: key 'design.ranges' is invalid; allowed: {_DESIGN_KEYS['ranges']}"
        )
    for name, rng in ranges_raw.items():
        ok = (
            name in unc
            and isinstance(rng, list)
            and len(rng) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in rng)
        )
        if not ok:
            raise ExperimentError(
                f"{origin}: key 'design.ranges.{name}' = {rng!r} is invalid; allowed: [low, high] for a "
                f"varied uncertainty ({', '.join(unc)})"
            )
        ranges[name] = (float(rng[0]), float(rng[1]))
    try:
        sample_futures(1, 0, uncertainties=list(unc), ranges=ranges, structural=None)
    except ValueError as exc:
        raise ExperimentError(f"{origin}: key 'design.ranges': {exc}") from None
    themes = design.get("themes", True)
    if not isinstance(themes, bool):
        raise ExperimentError(
            f"{origin}: key 'design.themes' = {themes!r} is invalid; allowed: true, false"
        )
    raw_pairs = design.get("pairs", "all")
    if raw_pairs == "all":
        pairs = tuple(itertools.combinations(levers, 2))
    elif raw_pairs == "none":
        pairs = ()
    elif isinstance(raw_pairs, list) and all(
        isinstance(p, list) and len(p) == 2 and all(x in levers for x in p) and p[0] != p[1]
        for p in raw_pairs
    ):
        order = {name: i for i, name in enumerate(levers)}
        pairs = tuple(
            dict.fromkeys(tuple(sorted(p, key=order.__getitem__)) for p in raw_pairs)  # type: ignore[arg-type]
        )
    else:
        raise ExperimentError(
            f"{origin}: key 'design.pairs' = {raw_pairs!r} is invalid; allowed: 'all', 'none' or a list "
            f'of two different analysed levers, e.g. [["risk_budget", "test_access"]]'
        )
    pair_futures = _int(design.get("pair_futures", futures), origin, "design.pair_futures", 1)
    if pair_futures > futures:
        raise ExperimentError(
            f"{origin}: key 'design.pair_futures' = {pair_futures} is more than design.futures = "
            f"{futures}; allowed: 1 to {futures}"
        )
    discovery = _int(design.get("discovery_futures", 0), origin, "design.discovery_futures", 0)
    phase_in = _phase_in(design.get("phase_in", True), origin)
    years = analysis.get("years", list(YEARS))
    if not (
        isinstance(years, list)
        and years
        and all(isinstance(y, int) and not isinstance(y, bool) for y in years)
    ):
        raise ExperimentError(
            f"{origin}: key 'analysis.years' = {years!r} is invalid; allowed: {ANALYSIS_KEYS['years']}"
        )
    ranking = analysis.get("ranking_outcome", "fte_freed_2035")
    if not (
        isinstance(ranking, str) and ranking.startswith("fte_freed_") and ranking[-4:].isdigit()
    ):
        raise ExperimentError(
            f"{origin}: key 'analysis.ranking_outcome' = {ranking!r} is invalid; allowed: "
            f"'fte_freed_<year>' with a summary year"
        )
    if int(ranking[-4:]) not in years:
        years = sorted({*years, int(ranking[-4:])})
    target = analysis.get("target_fte", TARGET_FTE)
    if isinstance(target, bool) or not isinstance(target, int | float) or target <= 0:
        raise ExperimentError(
            f"{origin}: key 'analysis.target_fte' = {target!r} is invalid; allowed: a number > 0"
        )
    target_years = analysis.get("target_years", [2030, 2035])
    if not (isinstance(target_years, list) and all(isinstance(y, int) for y in target_years)):
        raise ExperimentError(
            f"{origin}: key 'analysis.target_years' = {target_years!r} is invalid; allowed: a list of years"
        )
    top_k = _int(analysis.get("top_k", 3), origin, "analysis.top_k", 1)
    boot = _int(analysis.get("bootstrap", 1000), origin, "analysis.bootstrap", 10)
    members = {
        theme: tuple(name for name in levers if LEVERS[name].theme == theme)
        for theme in THEMES
        if any(LEVERS[name].theme == theme for name in levers)
    }
    return RecommendPlan(
        levers=levers,
        futures=futures,
        uncertainties=unc,
        ranges=ranges,
        structural=structural,
        themes=themes,
        pairs=pairs,
        pair_futures=pair_futures,
        discovery_futures=discovery,
        years=tuple(int(y) for y in years),
        ranking_outcome=ranking,
        target_fte=float(target),
        target_years=tuple(int(y) for y in target_years),
        top_k=top_k,
        bootstrap=boot,
        theme_members=members,
        phase_in=phase_in,
    )


def _phase_in(raw: Any, origin: str) -> tuple[int, float] | None:
    """``design.phase_in`` as ``(start_year, ramp_years)``, or None for levers from the first month."""
    from sim.scenario import FIRST_YEAR, LAST_YEAR

    if raw is True:
        return int(PHASE_IN["start_year"]), float(PHASE_IN["ramp_years"])
    if raw is False:
        return None
    allowed = f"allowed: {_DESIGN_KEYS['phase_in']}"
    if not isinstance(raw, dict) or set(raw) != {"start_year", "ramp_years"}:
        raise ExperimentError(f"{origin}: key 'design.phase_in' = {raw!r} is invalid; {allowed}")
    year, ramp = raw["start_year"], raw["ramp_years"]
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ExperimentError(
            f"{origin}: key 'design.phase_in.start_year' = {year!r} is invalid; allowed: a year "
            f"{FIRST_YEAR}-{LAST_YEAR}"
        )
    if isinstance(ramp, bool) or not isinstance(ramp, int | float) or not 0 <= ramp <= 30:
        raise ExperimentError(
            f"{origin}: key 'design.phase_in.ramp_years' = {ramp!r} is invalid; allowed: a number "
            f"of years 0-30"
        )
    return int(year), float(ramp)


def plan_from_spec(spec: ExperimentSpec) -> RecommendPlan:
    """The plan of a recommend experiment spec."""
    if spec.design_kind != "recommend":
        raise ExperimentError(
            f"{spec.origin}: key 'design.kind' = {spec.design_kind!r}; allowed here: 'recommend'"
        )
    design = {k: v for k, v in spec.design.items() if k != "kind"}
    return plan_from_tables(design, dict(spec.analysis), spec.origin, spec.structural)


def scenario_members(plan: RecommendPlan) -> dict[str, tuple[str, ...]]:
    """Scenario label -> the levers it moves to their recommended value, in run order.

    Scenarios with the same set of levers are run once, under the first label (e.g. with three
    themes, ``themes_a+b`` is also "all but theme c").
    """
    out: dict[str, tuple[str, ...]] = {}
    seen: set[frozenset[str]] = set()

    def add(label: str, members: tuple[str, ...]) -> None:
        key = frozenset(members)
        if key not in seen:
            seen.add(key)
            out[label] = members

    add(BASELINE, ())
    for name in plan.levers:
        add(f"lever_{name}", (name,))
    add(ALL, plan.levers)
    for name in plan.levers:
        add(f"all_but_{name}", tuple(x for x in plan.levers if x != name))
    if plan.themes:
        for theme, members in plan.theme_members.items():
            add(f"theme_{theme}", members)
        for a, b in itertools.combinations(plan.theme_members, 2):
            add(
                f"themes_{a}+{b}",
                tuple(x for x in plan.levers if x in plan.theme_members[a] + plan.theme_members[b]),
            )
    for a, b in plan.pairs:
        add(f"pair_{a}+{b}", (a, b))
    return out


def label_of(
    members: tuple[str, ...] | set[str], scenarios: dict[str, tuple[str, ...]]
) -> str | None:
    """The label of the scenario that moves exactly ``members`` (None if none was run)."""
    key = frozenset(members)
    for label, mem in scenarios.items():
        if frozenset(mem) == key:
            return label
    return None


def _futures(spec: ExperimentSpec, plan: RecommendPlan, n: int, stream: str) -> pd.DataFrame:
    return sample_futures(
        n,
        spec.master_seed,
        uncertainties=list(plan.uncertainties),
        ranges=plan.ranges,
        structural=futures_structural(plan.structural, spec.origin),
        stream=stream,
    )


def build_recommend(
    table: dict[str, Any], origin: str, base: Any, spec: ExperimentSpec
) -> pd.DataFrame:
    """The design of a recommend experiment: every scenario in every future (see the module docstring).

    ``seed_key`` is the future's index (``DISCOVERY_BASE + d`` for discovery futures), so every scenario
    of a future shares its run seeds (common random numbers).
    """
    from sim.experiments.models import get_model

    if not get_model(spec.model).uses_scenario:
        raise ExperimentError(
            f"{origin}: key 'design.kind' = 'recommend' needs a model that takes scenarios (levers), "
            f"but model {spec.model!r} does not"
        )
    plan = plan_from_tables(
        {k: v for k, v in table.items() if k != "kind"},
        dict(spec.analysis),
        origin,
        spec.structural,
    )
    scenarios = scenario_members(plan)
    futures = _futures(spec, plan, plan.futures, "search")
    rows: list[dict[str, Any]] = []
    pair_labels = {f"pair_{a}+{b}" for a, b in plan.pairs}

    def lever_columns(members: tuple[str, ...]) -> dict[str, Any]:
        values = {
            name: (LEVERS[name].recommended if name in members else LEVERS[name].status_quo)
            for name in plan.levers
        }
        if plan.phase_in is None:
            overrides, _notes = lever_overrides(values)
            return overrides
        start, ramp = plan.phase_in
        return {
            f"levers.{name}": {
                "value": lever_value(name, value),
                "start_year": start,
                "ramp_years": ramp,
            }
            for name, value in values.items()
        }

    for label, members in scenarios.items():
        levers = lever_columns(members)
        n_f = plan.pair_futures if label in pair_labels else plan.futures
        for f in range(n_f):
            rows.append({"label": label, "seed_key": f, **levers, **futures.iloc[f].to_dict()})
    if plan.discovery_futures:
        extra = _futures(spec, plan, plan.discovery_futures, "discovery")
        levers = lever_columns(plan.levers)
        for d in range(plan.discovery_futures):
            rows.append(
                {
                    "label": DISCOVERY_LABEL,
                    "seed_key": DISCOVERY_BASE + d,
                    **levers,
                    **extra.iloc[d].to_dict(),
                }
            )
    design = pd.DataFrame(rows)
    design.insert(0, "point", range(len(design)))
    if base is not None:  # one check of the override keys against the scenario schema
        first = design.drop(columns=["point", "label", "seed_key"]).iloc[0].to_dict()
        try:
            base.with_overrides(first)
        except Exception as exc:  # ScenarioError: name the file
            raise ExperimentError(
                f"{origin}: the recommend design's overrides are invalid: {exc}"
            ) from None
    return design


register_design("recommend", build_recommend)


# -- the analysis ------------------------------------------------------------------------------


def _read(results_dir: Path) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    from sim.experiments.compare import read_results

    manifest, runs = read_results(results_dir)
    design_path = results_dir / "design.parquet"
    if manifest.get("design_kind") != "recommend" or not design_path.is_file():
        raise ResultsError(
            f"{results_dir}: not a recommend experiment (design kind {manifest.get('design_kind')!r}); "
            f"allowed: a directory written by `opisim recommend FILE`"
        )
    design = pd.read_parquet(design_path, columns=["point", "seed_key"])
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        raise ResultsError(
            f"{results_dir}: {len(failed)} of {len(runs)} runs failed (first: {failed.iloc[0]['run_id']}: "
            f"{str(failed.iloc[0]['error'])[:200]}); no effects from a partial ensemble: rerun with --resume"
        )
    if "seed_key" not in runs:
        runs = runs.merge(design, on="point", how="left")
    runs["future"] = runs["seed_key"].astype("int64")
    return manifest, runs, design


def _paired(
    runs: pd.DataFrame, a: str, b: str, column: str, futures: set[int] | None = None
) -> pd.Series:
    """Run-by-run difference ``Y(a) - Y(b)`` on the (future, replication) pairs both have."""
    left = runs[runs["label"] == a].set_index(["future", "replication"])[column]
    right = runs[runs["label"] == b].set_index(["future", "replication"])[column]
    diff = (left - right).dropna()
    if futures is not None:
        diff = diff[diff.index.get_level_values("future").isin(futures)]
    return diff


def _summarise(diff: pd.Series, sign: float) -> dict[str, float]:
    """Mean, band, Monte Carlo error and variance split of paired differences (signed)."""
    values = sign * diff.to_numpy(dtype=float)
    band = describe(values)
    if band.n == 0:
        return {
            "mean": math.nan, "p5": math.nan, "p95": math.nan, "se": math.nan, "n_runs": 0,
            "n_futures": 0, "sd_within": math.nan, "sd_between": math.nan, "share_between": math.nan,
        }  # fmt: skip
    frame = pd.DataFrame({"y": values, "f": diff.index.get_level_values("future")})
    by_future = frame.groupby("f")["y"]
    means = by_future.mean()
    n_f = len(means)
    # Monte Carlo error of the mean: futures are the independent units (seeds within a future share it);
    # with a single future, the seeds are
    se = (
        float(means.std(ddof=1) / math.sqrt(n_f))
        if n_f > 1
        else (float(np.std(values, ddof=1) / math.sqrt(band.n)) if band.n > 1 else math.nan)
    )
    within = float(by_future.var(ddof=1).mean()) if (by_future.size() > 1).any() else math.nan
    reps = float(by_future.size().mean())
    between_raw = float(means.var(ddof=1)) if n_f > 1 else math.nan
    between = (
        max(between_raw - (within / reps if np.isfinite(within) else 0.0), 0.0)
        if np.isfinite(between_raw)
        else math.nan
    )
    total = (within if np.isfinite(within) else 0.0) + (between if np.isfinite(between) else 0.0)
    return {
        "mean": band.mean,
        "p5": band.low,
        "p95": band.high,
        "se": se,
        "n_runs": band.n,
        "n_futures": n_f,
        "sd_within": math.sqrt(within) if np.isfinite(within) else math.nan,
        "sd_between": math.sqrt(between) if np.isfinite(between) else math.nan,
        "share_between": between / total if total > 0 else math.nan,
    }


def _ratio(
    runs: pd.DataFrame, a: str, b: str, year: int, rng: np.random.Generator, n_boot: int
) -> dict[str, Any]:
    """Incremental public cost per extra FTE-year freed, ``a`` vs ``b`` (see the module docstring)."""
    cost_col, fte_col = f"public_cost_dkk_cum_{year}", f"fte_years_freed_cum_{year}"
    if cost_col not in runs or fte_col not in runs:
        return {
            "ratio": math.nan,
            "ratio_p5": math.nan,
            "ratio_p95": math.nan,
            "ratio_note": "no per-year cost in the runs",
        }
    d_cost = _paired(runs, a, b, cost_col)
    d_fte = _paired(runs, a, b, fte_col)
    both = pd.concat({"c": d_cost, "e": d_fte}, axis=1).dropna()
    if both.empty:
        return {
            "ratio": math.nan,
            "ratio_p5": math.nan,
            "ratio_p95": math.nan,
            "ratio_note": "no paired runs",
        }
    by_future = both.groupby(level="future").agg(["sum", "count"])
    sums_c = by_future[("c", "sum")].to_numpy()
    sums_e = by_future[("e", "sum")].to_numpy()
    counts = by_future[("c", "count")].to_numpy()
    mean_c, mean_e = float(both["c"].mean()), float(both["e"].mean())
    per_future_e = sums_e / counts
    se_e = (
        float(per_future_e.std(ddof=1) / math.sqrt(len(per_future_e)))
        if len(per_future_e) > 1
        else 0.0
    )
    if mean_e <= 0:
        note = "frees no labour"
    elif mean_e <= max(1.0, 2 * se_e):
        note = "not distinguishable from zero"
    else:
        note = "dominant (saves cost)" if mean_c < 0 else ""
    ratio = mean_c / mean_e if note in ("", "dominant (saves cost)") else math.nan
    idx = rng.integers(0, len(counts), size=(n_boot, len(counts)))
    boot_c = sums_c[idx].sum(axis=1)
    boot_e = sums_e[idx].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = np.where(boot_e > 0, boot_c / np.where(boot_e > 0, boot_e, 1.0), np.inf)
    if math.isnan(ratio):
        lo = hi = math.nan
    else:
        lo, hi = (float(v) for v in np.quantile(boot, [Q_LOW, Q_HIGH], method="linear"))
    return {"ratio": ratio, "ratio_p5": lo, "ratio_p95": hi, "ratio_note": note}


@dataclass
class RecommendResult:
    """What :func:`analyse` computed (also written to the results directory as CSV and Parquet).

    Attributes:
        out_dir: the results directory.
        effects: one row per effect (kind, name), metric and year: mean, p5, p95, se, variance split.
        ranking: the direction-aware lever table, sorted by the alone effect on the ranking outcome.
        themes: the theme bundles' effects and their levers' sum.
        interactions: lever-pair and theme-pair interactions.
        decomposition: bundle = sum of alone effects + interactions + remainder, per year.
        scenarios: per scenario: outcomes (mean, band) and the probability of reaching the target.
        discovery: PRIM boxes of the futures in which all recommendations miss the target.
        info: settings and provenance (also ``recommend.json``).
    """

    out_dir: Path
    effects: pd.DataFrame
    ranking: pd.DataFrame
    themes: pd.DataFrame
    interactions: pd.DataFrame
    decomposition: pd.DataFrame
    scenarios: pd.DataFrame
    discovery: pd.DataFrame
    info: dict[str, Any]


def _write(frame: pd.DataFrame, out_dir: Path, name: str) -> None:
    from sim.experiments.storage import atomic_write_parquet

    atomic_write_parquet(out_dir / f"{name}.parquet", frame.reset_index(drop=True))
    frame.to_csv(out_dir / f"{name}.csv", index=False)


def analyse(results_dir: str | Path) -> RecommendResult:
    """Compute the recommendation answer from a finished recommend experiment and write its tables.

    Writes ``effects``, ``ranking``, ``themes``, ``interactions``, ``decomposition``, ``scenarios`` and
    ``discovery`` as CSV and Parquet, and ``recommend.json`` (settings, provenance, the explanation of
    the bundle) into the directory.

    Raises:
        ResultsError: not a (complete) recommend experiment.
    """
    from sim.analysis.discovery import discover

    out_dir = Path(results_dir)
    manifest, runs, _design = _read(out_dir)
    exp = manifest.get("experiment") or {}
    design_table = {k: v for k, v in (exp.get("design") or {}).items() if k != "kind"}
    plan = plan_from_tables(
        design_table, dict(exp.get("analysis") or {}), str(out_dir), exp.get("structural", "auto")
    )
    scenarios_all = scenario_members(plan)
    present = set(runs["label"])
    scenarios = {k: v for k, v in scenarios_all.items() if k in present}
    main = runs[runs["future"] < DISCOVERY_BASE]
    rng = np.random.default_rng(np.random.SeedSequence([int(manifest["master_seed"]), 0xB007]))
    pair_futures = set(range(plan.pair_futures))

    def metric_rows(
        kind: str, name: str, a: str, b: str, fut: set[int] | None = None
    ) -> list[dict]:
        rows = []
        for metric, (template, sign, unit) in METRICS.items():
            for year in plan.years:
                col = template.format(y=year)
                if col not in main:
                    continue
                stats = _summarise(_paired(main, a, b, col, fut), sign)
                rows.append(
                    {
                        "kind": kind,
                        "name": name,
                        "metric": metric,
                        "year": year,
                        "unit": unit,
                        **stats,
                    }
                )
        return rows

    effect_rows: list[dict] = []
    ratio_rows: list[dict] = []
    comparisons: list[tuple[str, str, str, str]] = []
    for name in plan.levers:
        alone = label_of({name}, scenarios)
        removed = label_of(set(plan.levers) - {name}, scenarios)
        if alone:
            comparisons.append(("alone", name, alone, BASELINE))
        if removed and ALL in scenarios:
            comparisons.append(("removed", name, ALL, removed))
    for theme, members in plan.theme_members.items():
        label = label_of(set(members), scenarios)
        if label:
            comparisons.append(("theme", theme, label, BASELINE))
        rest = label_of(set(plan.levers) - set(members), scenarios)
        if rest and ALL in scenarios:
            comparisons.append(("theme_removed", theme, ALL, rest))
    if ALL in scenarios:
        comparisons.append(("bundle", ALL, ALL, BASELINE))
    for kind, name, a, b in comparisons:
        effect_rows += metric_rows(kind, name, a, b)
        for year in plan.years:
            ratio_rows.append(
                {
                    "kind": kind,
                    "name": name,
                    "year": year,
                    **_ratio(main, a, b, year, rng, plan.bootstrap),
                }
            )
    effects = pd.DataFrame(effect_rows)
    ratios = pd.DataFrame(ratio_rows)

    # ranking per future: alone effects on the ranking outcome, mean over that future's seeds
    rank_col = plan.ranking_outcome
    per_future: dict[str, pd.Series] = {}
    per_future_removed: dict[str, pd.Series] = {}
    for kind, name, a, b in comparisons:
        if kind == "alone":
            per_future[name] = _paired(main, a, b, rank_col).groupby(level="future").mean()
        elif kind == "removed":
            per_future_removed[name] = _paired(main, a, b, rank_col).groupby(level="future").mean()

    def top_share(table: dict[str, pd.Series]) -> dict[str, float]:
        if not table:
            return {}
        frame = pd.DataFrame(table)
        ranks = frame.rank(axis=1, ascending=False, method="min")
        return {name: float((ranks[name] <= plan.top_k).mean()) for name in frame.columns}

    p_top = top_share(per_future)
    p_top_removed = top_share(per_future_removed)
    ranking = _ranking_table(plan, effects, ratios, p_top, p_top_removed)
    themes = _theme_table(plan, effects, ratios)
    interactions = _interactions(plan, main, scenarios, pair_futures)
    decomposition = _decomposition(plan, main, scenarios, effects, interactions, pair_futures)
    scen = _scenario_table(plan, runs, scenarios)
    discovery_frames = []
    x_cols = future_dimensions(runs.columns)
    disc_runs = runs[runs["label"].isin([ALL, DISCOVERY_LABEL])]
    for year in plan.target_years:
        col = f"fte_freed_{year}"
        if col not in disc_runs or disc_runs.empty or not x_cols:
            continue
        missed = (disc_runs[col] < plan.target_fte).to_numpy()
        boxes = discover(disc_runs[x_cols], missed, label=f"{ALL}, {year}")
        boxes.insert(0, "target_year", year)
        boxes.insert(0, "scenario", ALL)
        discovery_frames.append(boxes)
    discovery = (
        pd.concat(discovery_frames, ignore_index=True) if discovery_frames else pd.DataFrame()
    )
    info = {
        "results_dir": str(out_dir),
        "experiment_file": manifest.get("experiment_file"),
        "experiment_sha256": manifest.get("experiment_sha256"),
        "master_seed": manifest.get("master_seed"),
        "git": manifest.get("git"),
        "levers": list(plan.levers),
        "futures": plan.futures,
        "replications": manifest.get("replications"),
        "pair_futures": plan.pair_futures,
        "discovery_futures": plan.discovery_futures,
        "uncertainties": list(plan.uncertainties),
        "structural": (manifest.get("recommend") or {}).get("structural", "?"),
        "years": list(plan.years),
        "ranking_outcome": plan.ranking_outcome,
        "top_k": plan.top_k,
        "target_fte": plan.target_fte,
        "target_years": list(plan.target_years),
        "statistic": "mean and 5-95% over paired runs (seeds x futures)",
        "scenarios": {k: list(v) for k, v in scenarios.items()},
        "explanation": explain_decomposition(decomposition, plan.ranking_outcome),
    }
    (out_dir / "recommend.json").write_text(
        json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8"
    )
    for frame, name in (
        (effects, "effects"),
        (ranking, "ranking"),
        (themes, "themes"),
        (interactions, "interactions"),
        (decomposition, "decomposition"),
        (scen, "scenarios"),
        (discovery, "discovery"),
    ):
        _write(frame, out_dir, name)
    return RecommendResult(
        out_dir, effects, ranking, themes, interactions, decomposition, scen, discovery, info
    )


def _pick(effects: pd.DataFrame, kind: str, name: str, metric: str, year: int) -> dict[str, float]:
    row = effects[
        (effects["kind"] == kind)
        & (effects["name"] == name)
        & (effects["metric"] == metric)
        & (effects["year"] == year)
    ]
    if row.empty:
        return {
            "mean": math.nan,
            "p5": math.nan,
            "p95": math.nan,
            "se": math.nan,
            "share_between": math.nan,
        }
    return row.iloc[0].to_dict()


def _ranking_table(
    plan: RecommendPlan,
    effects: pd.DataFrame,
    ratios: pd.DataFrame,
    p_top: dict[str, float],
    p_top_removed: dict[str, float],
) -> pd.DataFrame:
    rank_year = int(plan.ranking_outcome[-4:])
    rows = []
    for name in plan.levers:
        row: dict[str, Any] = {
            "lever": name,
            "theme": LEVERS[name].theme,
            "status_quo": LEVERS[name].status_quo,
            "recommended": LEVERS[name].recommended,
        }
        for kind in ("alone", "removed"):
            for metric in ("fte_freed", "gap_reduced"):
                for year in plan.years:
                    r = _pick(effects, kind, name, metric, year)
                    key = f"{kind}_{metric}_{year}"
                    row[key] = r["mean"]
                    row[f"{key}_p5"] = r["p5"]
                    row[f"{key}_p95"] = r["p95"]
                    row[f"{key}_se"] = r["se"]
            r = _pick(effects, kind, name, "fte_freed", rank_year)
            row[f"{kind}_share_between"] = r["share_between"]
        for year in plan.years:
            rr = ratios[
                (ratios["kind"] == "alone") & (ratios["name"] == name) & (ratios["year"] == year)
            ]
            if len(rr):
                rr = rr.iloc[0]
                row[f"alone_cost_per_fte_year_{year}"] = rr["ratio"]
                row[f"alone_cost_per_fte_year_{year}_p5"] = rr["ratio_p5"]
                row[f"alone_cost_per_fte_year_{year}_p95"] = rr["ratio_p95"]
                row[f"alone_cost_note_{year}"] = rr["ratio_note"]
        row[f"p_top{plan.top_k}"] = p_top.get(name, math.nan)
        row[f"p_top{plan.top_k}_removed"] = p_top_removed.get(name, math.nan)
        rows.append(row)
    table = pd.DataFrame(rows)
    key = f"alone_fte_freed_{rank_year}"
    table = table.sort_values(key, ascending=False, na_position="last", kind="mergesort")
    table.insert(0, "rank", range(1, len(table) + 1))
    table.attrs["ranking_outcome"] = plan.ranking_outcome
    return table.reset_index(drop=True)


def _theme_table(plan: RecommendPlan, effects: pd.DataFrame, ratios: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for theme, members in plan.theme_members.items():
        for year in plan.years:
            bundle = _pick(effects, "theme", theme, "fte_freed", year)
            removed = _pick(effects, "theme_removed", theme, "fte_freed", year)
            alone_sum = float(
                sum(_pick(effects, "alone", name, "fte_freed", year)["mean"] for name in members)
            )
            rr = ratios[
                (ratios["kind"] == "theme") & (ratios["name"] == theme) & (ratios["year"] == year)
            ]
            rows.append(
                {
                    "theme": theme,
                    "year": year,
                    "levers": ", ".join(members),
                    "bundle_mean": bundle["mean"],
                    "bundle_p5": bundle["p5"],
                    "bundle_p95": bundle["p95"],
                    "removed_mean": removed["mean"],
                    "removed_p5": removed["p5"],
                    "removed_p95": removed["p95"],
                    "sum_alone": alone_sum,
                    "residual": bundle["mean"] - alone_sum,
                    "cost_per_fte_year": rr.iloc[0]["ratio"] if len(rr) else math.nan,
                    "cost_note": rr.iloc[0]["ratio_note"] if len(rr) else "",
                }
            )
    return pd.DataFrame(rows)


def _interaction(
    runs: pd.DataFrame, both: str, a: str, b: str, col: str, fut: set[int] | None
) -> pd.Series:
    """``Y(a+b) - Y(a) - Y(b) + Y(status quo)`` run by run."""
    ab = _paired(runs, both, BASELINE, col, fut)
    da = _paired(runs, a, BASELINE, col, fut)
    db = _paired(runs, b, BASELINE, col, fut)
    return (ab - da - db).dropna()


def _verdict(mean: float, se: float) -> str:
    """Synergy (> 0) or redundancy (< 0) when the mean is beyond 2 Monte Carlo errors and 1 FTE."""
    if not (np.isfinite(mean) and np.isfinite(se)) or abs(mean) <= max(2 * se, 1.0):
        return "none detectable"
    return "synergy" if mean > 0 else "redundancy"


def _interactions(
    plan: RecommendPlan,
    runs: pd.DataFrame,
    scenarios: dict[str, tuple[str, ...]],
    pair_futures: set[int],
) -> pd.DataFrame:
    rows = []
    candidates: list[tuple[str, str, str, str, str, str, set[int] | None]] = []
    for a, b in plan.pairs:
        both, la, lb = (
            label_of({a, b}, scenarios),
            label_of({a}, scenarios),
            label_of({b}, scenarios),
        )
        if both and la and lb:
            candidates.append(("levers", a, b, both, la, lb, pair_futures))
    for ta, tb in itertools.combinations(plan.theme_members, 2):
        members = set(plan.theme_members[ta]) | set(plan.theme_members[tb])
        both = label_of(members, scenarios)
        la, lb = (
            label_of(set(plan.theme_members[ta]), scenarios),
            label_of(set(plan.theme_members[tb]), scenarios),
        )
        if both and la and lb:
            candidates.append(("themes", ta, tb, both, la, lb, None))
    for kind, a, b, both, la, lb, fut in candidates:
        for year in plan.years:
            col = f"fte_freed_{year}"
            stats = _summarise(_interaction(runs, both, la, lb, col, fut), 1.0)
            verdict = _verdict(stats["mean"], stats["se"])
            rows.append(
                {
                    "kind": kind,
                    "a": a,
                    "b": b,
                    "year": year,
                    "metric": "fte_freed",
                    **stats,
                    "verdict": verdict,
                }
            )
    return pd.DataFrame(rows)


def _decomposition(
    plan: RecommendPlan,
    runs: pd.DataFrame,
    scenarios: dict[str, tuple[str, ...]],
    effects: pd.DataFrame,
    interactions: pd.DataFrame,
    pair_futures: set[int],
) -> pd.DataFrame:
    """Bundle = sum of alone effects + residual; on the pair futures also residual = pairwise + rest."""
    rows = []
    if ALL not in scenarios:
        return pd.DataFrame()
    alone_labels = [label_of({n}, scenarios) for n in plan.levers]
    all_pairs = (
        bool(plan.pairs) and len(plan.pairs) == len(plan.levers) * (len(plan.levers) - 1) // 2
    )
    for year in plan.years:
        col = f"fte_freed_{year}"
        bundle = _pick(effects, "bundle", ALL, "fte_freed", year)["mean"]
        sum_alone = float(
            sum(_pick(effects, "alone", n, "fte_freed", year)["mean"] for n in plan.levers)
        )
        per_run = _paired(runs, ALL, BASELINE, col)
        for lab in alone_labels:
            if lab:
                per_run = per_run - _paired(runs, lab, BASELINE, col)
        residual = _summarise(per_run.dropna(), 1.0)
        sum_removed = float(
            sum(_pick(effects, "removed", n, "fte_freed", year)["mean"] for n in plan.levers)
        )
        row = {
            "year": year,
            "futures": "all",
            "bundle": bundle,
            "sum_alone": sum_alone,
            "residual": bundle - sum_alone,
            "residual_se": residual["se"],
            "residual_verdict": _verdict(bundle - sum_alone, residual["se"]),
            "sum_removed": sum_removed,
            "sum_pairwise": math.nan,
            "higher_order": math.nan,
        }
        rows.append(row)
        if all_pairs and all(alone_labels):
            fut = pair_futures
            b = float(_paired(runs, ALL, BASELINE, col, fut).mean())
            s = float(sum(_paired(runs, lab, BASELINE, col, fut).mean() for lab in alone_labels))  # type: ignore[arg-type]
            sub = interactions[(interactions["kind"] == "levers") & (interactions["year"] == year)]
            pw = float(sub["mean"].sum())
            rows.append(
                {
                    "year": year,
                    "futures": f"first {plan.pair_futures}",
                    "bundle": b,
                    "sum_alone": s,
                    "residual": b - s,
                    "residual_se": math.nan,
                    "residual_verdict": "",
                    "sum_removed": math.nan,
                    "sum_pairwise": pw,
                    "higher_order": b - s - pw,
                }
            )
    return pd.DataFrame(rows)


def _scenario_table(
    plan: RecommendPlan, runs: pd.DataFrame, scenarios: dict[str, tuple[str, ...]]
) -> pd.DataFrame:
    rows = []
    main = runs[runs["future"] < DISCOVERY_BASE]
    for label in scenarios:
        sub = main[main["label"] == label]
        row: dict[str, Any] = {"label": label, "levers": len(scenarios[label]), "n_runs": len(sub)}
        for year in plan.years:
            for template in ("fte_freed_{y}", "gap_fte_{y}"):
                col = template.format(y=year)
                if col in sub:
                    band = describe(sub[col])
                    row[col] = band.mean
                    row[f"{col}_p5"] = band.low
                    row[f"{col}_p95"] = band.high
        for year in plan.target_years:
            col = f"fte_freed_{year}"
            if col in sub and len(sub):
                row[f"p_target_{year}"] = float((sub[col] >= plan.target_fte).mean())
        rows.append(row)
    return pd.DataFrame(rows)


def explain_decomposition(decomposition: pd.DataFrame, ranking_outcome: str) -> str:
    """'Sum of the alone effects vs the bundle' in one paragraph (for the CLI and the report)."""
    if decomposition.empty:
        return ""
    year = int(ranking_outcome[-4:])
    rows = decomposition[(decomposition["year"] == year) & (decomposition["futures"] == "all")]
    if rows.empty:
        return ""
    r = rows.iloc[0]
    verdict = {
        "redundancy": "the levers partly do the same work or get in each other's way (redundancy)",
        "synergy": "the levers reinforce each other (synergy)",
    }.get(str(r["residual_verdict"]), "no net interaction beyond Monte Carlo error")
    text = (
        f"In {year} the single-lever effects sum to {r['sum_alone']:+,.0f} FTE, while all recommendations "
        f"together free {r['bundle']:+,.0f} FTE more than the status quo; the residual "
        f"{r['residual']:+,.0f} FTE is the net interaction: {verdict}."
    )
    sub = decomposition[(decomposition["year"] == year) & (decomposition["futures"] != "all")]
    if len(sub) and np.isfinite(sub.iloc[0]["sum_pairwise"]):
        s = sub.iloc[0]
        text += (
            f" On the {s['futures']} futures, where every pair of levers was run, the residual "
            f"({s['residual']:+,.0f}) splits into pairwise interactions {s['sum_pairwise']:+,.0f} and "
            f"higher-order interactions {s['higher_order']:+,.0f}."
        )
    return text


# -- running and printing ------------------------------------------------------------------------


def run_recommend(
    experiment: str | Path | ExperimentSpec,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    dask: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool | None = None,
    log: Any = None,
    structural: str | None = None,
) -> RecommendResult:
    """Run a recommend experiment through the experiment layer, then :func:`analyse` it.

    Args:
        experiment: experiment file (design kind ``recommend``) or a validated spec.
        out, workers, dask, resume, overwrite, progress, log: as for
            :func:`sim.experiments.run_experiment`.
        structural: ``auto``, ``posterior`` or ``none``: whether each future takes a draw of the
            calibrated posterior (overrides the file's ``experiment.structural``).

    Raises:
        ExperimentError: invalid file, or failed runs (the others are kept; rerun with ``resume``).
    """
    from sim.experiments import load_experiment, run_experiment

    spec = experiment if isinstance(experiment, ExperimentSpec) else load_experiment(experiment)
    if structural is not None:
        spec = replace(spec, structural=structural)
    plan = plan_from_spec(spec)
    out_dir = Path(out) if out is not None else Path("results") / spec.name
    runs = run_experiment(
        spec,
        out=out_dir,
        workers=workers,
        dask=dask,
        resume=resume,
        overwrite=overwrite,
        progress=progress,
        log=log,
        manifest_extra={
            "structural": describe_futures_structural(spec.structural, spec.origin),
            "recommend": {
                "levers": list(plan.levers),
                "futures": plan.futures,
                "structural": structural_label(futures_structural(spec.structural, spec.origin)),
            },
        },
    )
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        first = failed.iloc[0]
        raise ExperimentError(
            f"{out_dir}: {len(failed)} of {len(runs)} runs failed (first: {first['run_id']}: "
            f"{str(first['error'])[:200]}); the others are stored: fix the cause and rerun with --resume"
        )
    return analyse(out_dir)


def _fmt(value: float, digits: int = 0) -> str:
    if value is None or not np.isfinite(value):
        return "-" if value is None or np.isnan(value) else ("inf" if value > 0 else "-inf")
    return f"{value:+,.{digits}f}" if digits == 0 else f"{value:,.{digits}f}"


def load_analysis(results_dir: str | Path) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """The analysed answer of a recommend experiment, analysing it first if needed.

    Returns:
        ``recommend.json`` as a dict, and the tables ``ranking``, ``themes``, ``interactions``,
        ``discovery`` and ``scenarios`` by name.
    """
    out_dir = Path(results_dir)
    if not (out_dir / "ranking.parquet").is_file():
        analyse(out_dir)
    info = json.loads((out_dir / "recommend.json").read_text(encoding="utf-8"))
    names = ("ranking", "themes", "interactions", "discovery", "scenarios")
    return info, {name: pd.read_parquet(out_dir / f"{name}.parquet") for name in names}


def recommend_text(results_dir: str | Path) -> str:
    """The recommendation answer as text (``opisim recommend`` and ``opisim results`` print it)."""
    out_dir = Path(results_dir)
    info, tables = load_analysis(out_dir)
    ranking, themes, inter = tables["ranking"], tables["themes"], tables["interactions"]
    disc, scen = tables["discovery"], tables["scenarios"]
    year = int(info["ranking_outcome"][-4:])
    k = info["top_k"]
    n_runs = info["futures"] * (info.get("replications") or 1)
    lines = [
        f"Which recommendations free the most labour ({info['results_dir']}; master seed "
        f"{info['master_seed']}; commit {str((info.get('git') or {}).get('commit') or '?')[:12]})",
        f"Paired effects (common random numbers) over {info['futures']} futures x "
        f"{info.get('replications')} seeds = {n_runs} runs per scenario; mean and 5-95% over those runs; "
        f"positive = frees labour / smaller gap. Ranked by the alone effect on FTE freed {year} "
        f"(signed, largest first); P(top {k}) = share of futures in which the lever is among the best {k}.",
        "",
        f"{'#':>2}  {'lever':<26} {'alone FTE ' + str(year):>24} {'removed from all':>24} "
        f"{'gap reduced':>12} {'P(top ' + str(k) + ')':>9} {'DKK per extra FTE-yr':>22}",
    ]
    for r in ranking.itertuples(index=False):
        d = r._asdict()
        alone = f"{_fmt(d[f'alone_fte_freed_{year}'])} [{_fmt(d[f'alone_fte_freed_{year}_p5'])}; {_fmt(d[f'alone_fte_freed_{year}_p95'])}]"
        removed = f"{_fmt(d[f'removed_fte_freed_{year}'])} [{_fmt(d[f'removed_fte_freed_{year}_p5'])}; {_fmt(d[f'removed_fte_freed_{year}_p95'])}]"
        ratio = d.get(f"alone_cost_per_fte_year_{year}", math.nan)
        note = d.get(f"alone_cost_note_{year}", "")
        ratio_text = f"{ratio:,.0f}" if np.isfinite(ratio) else (note or "-")
        lines.append(
            f"{d['rank']:>2}  {d['lever']:<26} {alone:>24} {removed:>24} "
            f"{_fmt(d[f'alone_gap_reduced_{year}']):>12} {d[f'p_top{k}']:>9.2f} {ratio_text:>22}"
        )
    share = ranking["alone_share_between"].dropna()
    if len(share):
        lines.append(
            f"Spread of the alone effects: on average {100 * share.mean():.0f}% of their variance lies "
            f"between futures, the rest is seed noise within a future (effects.csv: sd_between, sd_within)."
        )
    lines += ["", f"Themes, FTE freed {year} (bundle vs the sum of its levers alone):"]
    for r in themes[themes["year"] == year].itertuples(index=False):
        lines.append(
            f"  {r.theme:<10} bundle {_fmt(r.bundle_mean)} [{_fmt(r.bundle_p5)}; {_fmt(r.bundle_p95)}], "
            f"removed from all {_fmt(r.removed_mean)}, sum alone {_fmt(r.sum_alone)}, residual {_fmt(r.residual)}"
        )
    if info.get("explanation"):
        lines += ["", info["explanation"]]
    if len(inter):
        sub = inter[inter["year"] == year].sort_values("mean")
        shown = pd.concat([sub.head(3), sub.tail(3)]).drop_duplicates(subset=["kind", "a", "b"])
        lines += [
            "",
            f"Main interactions, FTE freed {year} (I = Y(a+b) - Y(a) - Y(b) + Y(status quo)):",
        ]
        for r in shown.itertuples(index=False):
            lines.append(
                f"  {r.kind:<6} {r.a} + {r.b}: {_fmt(r.mean)} (se {r.se:,.0f}) {r.verdict}"
            )
    lines += ["", "Probability of reaching the target (share of runs):"]
    for r in scen.itertuples(index=False):
        if r.label in (BASELINE, ALL) or r.label.startswith("theme_"):
            probs = ", ".join(
                f"{y}: {getattr(r, f'p_target_{y}'):.2f}"
                for y in info["target_years"]
                if hasattr(r, f"p_target_{y}")
            )
            lines.append(f"  {r.label:<22} {probs}")
    if len(disc):
        from sim.analysis.discovery import describe_boxes

        lines += [
            "",
            "Scenario discovery (PRIM): futures in which all recommendations miss the target",
        ]
        lines += ["  " + line for line in describe_boxes(disc).splitlines()]
    lines += [
        "",
        f"Tables: {out_dir}/ranking.csv, effects.csv, themes.csv, interactions.csv, decomposition.csv, discovery.csv",
    ]
    return "\n".join(lines)
