"""Goal seeking: the cheapest portfolios of lever values (and start years) that reach an FTE target.

For each target year (e.g. 10,000 FTE net freed by 2030, and by 2035) a multi-objective search finds the
Pareto front of **public cost** (mean cumulative public cost to the target year, minimised), **FTE freed**
in the target year (mean, maximised) and the **probability** of reaching the target across futures and
seeds (maximised), subject to ``probability >= p_min`` (default 0.8).

The optimiser is pymoo's NSGA-II (Deb et al. 2002), chosen for fit, determinism and noise handling:

* fit: a population-based genetic algorithm evaluates a whole generation at once, so each generation is
  one experiment of ``population x futures x replications`` runs through the experiment layer (local
  workers or Dask, chunked storage, ``--resume``); constraints are native (constrained domination:
  feasible portfolios first, then by Pareto rank and crowding), and three correlated objectives are well
  within what NSGA-II's crowding handles (NSGA-III's reference directions pay off from about four);
* determinism: pymoo >= 0.6.2 draws from its own ``numpy.random.Generator`` seeded from the master seed,
  so the same file and master seed give the same generations and the same front; a resumed search replays
  the stored runs and reaches the same state;
* noise: every candidate is evaluated on the *same* futures (``sim.experiments.futures``) with the same
  run seeds (``seed_key`` = future), i.e. common random numbers, so candidates are compared on identical
  draws and the search cannot be fooled by lucky seeds of one candidate. The answer is then re-evaluated
  on fresh **validation futures** (another stream), because the front's probabilities are optimistically
  biased by selection (the winner's curse); the reported probability is the validated one.

Portfolios are encoded in ``[0, 1]^d`` (one coordinate per lever value and, when scenarios accept lever
schedules, one per start year) and translated into scenario overrides by the one function
:func:`sim.experiments.portfolios.lever_overrides`. Without schedule support the start years are not
searched, and the output says so. If no candidate reaches the probability, the result says plainly that
the target is unreachable within the lever ranges (and the search budget) and lists the closest
portfolios (highest probability, then most FTE freed).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
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
from sim.experiments.portfolios import lever_overrides, schedules_supported
from sim.experiments.seeds import derive_seed
from sim.experiments.spec import ExperimentSpec
from sim.levers import LEVERS
from sim.stats import describe

TARGET_FTE = 10_000.0
_SEARCH_TAG = 0x90A1

_DESIGN_KEYS = {
    "kind": "'goal'",
    "levers": "'all' or a list of lever names (the decision levers; the others stay at status quo)",
    "ranges": "a table of narrower [low, high] ranges by lever name",
    "start_years": "[first, last] range of the start year of each lever, or false",
    "ramp_years": "years of the linear ramp after a lever's start (an integer >= 0)",
    "futures": "number of search futures (an integer >= 2)",
    "uncertainties": "'all' or a list of uncertainty names to vary",
    "targets": "target years, e.g. [2030, 2035]",
    "target_fte": "the target of net FTE freed (a number > 0)",
    "probability": "the probability of reaching the target that counts as reached (0 < p <= 1)",
    "population": "candidates per generation (an integer >= 4)",
    "generations": "generations per target (an integer >= 1)",
    "validation_futures": "fresh futures on which the front is re-evaluated (an integer >= 2)",
    "validate": "front members re-evaluated on the validation futures (an integer >= 1)",
}


@dataclass(frozen=True)
class GoalPlan:
    """A validated goal-seeking ``[design]`` table (see ``_DESIGN_KEYS`` for each field); ``structural``
    is the experiment's setting (``auto``, ``posterior``, ``none``): whether each future takes a draw of
    the calibrated posterior."""

    levers: tuple[str, ...]
    ranges: dict[str, tuple[float, float]]
    start_years: tuple[int, int] | None
    ramp_years: int
    futures: int
    uncertainties: tuple[str, ...]
    structural: str
    targets: tuple[int, ...]
    target_fte: float
    probability: float
    population: int
    generations: int
    validation_futures: int
    validate: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def searches_start_years(self) -> bool:
        """Whether start years are decision variables (a range is given and schedules are supported)."""
        return (
            self.start_years is not None
            and self.start_years[1] > self.start_years[0]
            and (schedules_supported())
        )

    @property
    def n_var(self) -> int:
        """Number of decision variables."""
        return len(self.levers) * (2 if self.searches_start_years else 1)


def _bad(origin: str, key: str, value: Any) -> ExperimentError:
    return ExperimentError(
        f"{origin}: key 'design.{key}' = {value!r} is invalid; allowed: {_DESIGN_KEYS[key]}"
    )


def _int_key(design: dict[str, Any], key: str, default: int, low: int, origin: str) -> int:
    value = design.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise _bad(origin, key, value)
    return value


def plan_from_design(design: dict[str, Any], origin: str, structural: str = "auto") -> GoalPlan:
    """Validate the ``[design]`` table of a goal-seeking file (``structural``: the experiment's setting).

    Raises:
        ExperimentError: one line naming the file, the key and what is allowed.
    """
    from sim.scenario import FIRST_YEAR, LAST_YEAR

    for key in design:
        if key not in _DESIGN_KEYS:
            raise unknown_design_key(origin, key, "goal", _DESIGN_KEYS)
    raw = design.get("levers", "all")
    if raw == "all":
        levers = tuple(LEVERS)
    elif isinstance(raw, list) and raw and all(isinstance(x, str) for x in raw):
        unknown = [x for x in raw if x not in LEVERS]
        if unknown:
            raise ExperimentError(
                f"{origin}: key 'design.levers' names unknown lever {unknown[0]!r}; allowed levers: "
                f"{', '.join(LEVERS)}"
            )
        levers = tuple(name for name in LEVERS if name in raw)
    else:
        raise _bad(origin, "levers", raw)
    ranges: dict[str, tuple[float, float]] = {}
    raw_ranges = design.get("ranges", {})
    if not isinstance(raw_ranges, dict):
        raise _bad(origin, "ranges", raw_ranges)
    for name, rng in raw_ranges.items():
        row = LEVERS.get(name)
        ok = (
            name in levers
            and isinstance(rng, list)
            and len(rng) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in rng)
            and row is not None
            and row.low <= rng[0] < rng[1] <= row.high
        )
        if not ok:
            allowed = f"within [{row.low:g}, {row.high:g}]" if row else "a decision lever"
            raise ExperimentError(
                f"{origin}: key 'design.ranges.{name}' = {rng!r} is invalid; allowed: [low, high] with "
                f"low < high, {allowed}"
            )
        ranges[name] = (float(rng[0]), float(rng[1]))
    sy = design.get("start_years", False)
    start_years: tuple[int, int] | None
    if sy is False:
        start_years = None
    elif (
        isinstance(sy, list)
        and len(sy) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in sy)
        and FIRST_YEAR <= sy[0] <= sy[1] <= LAST_YEAR
    ):
        start_years = (int(sy[0]), int(sy[1]))
    else:
        raise ExperimentError(
            f"{origin}: key 'design.start_years' = {sy!r} is invalid; allowed: [first, last] with "
            f"{FIRST_YEAR} <= first <= last <= {LAST_YEAR}, or false"
        )
    ramp = _int_key(design, "ramp_years", 0, 0, origin)
    futures = _int_key(design, "futures", 20, 2, origin)
    try:
        unc = tuple(uncertainty_names(design.get("uncertainties", "all")))
    except (KeyError, TypeError):
        raise _bad(origin, "uncertainties", design.get("uncertainties")) from None
    targets = design.get("targets", [2030, 2035])
    if not (
        isinstance(targets, list)
        and targets
        and all(
            isinstance(y, int) and not isinstance(y, bool) and FIRST_YEAR <= y <= LAST_YEAR
            for y in targets
        )
        and len(set(targets)) == len(targets)
    ):
        raise _bad(origin, "targets", targets)
    target_fte = design.get("target_fte", TARGET_FTE)
    if isinstance(target_fte, bool) or not isinstance(target_fte, int | float) or target_fte <= 0:
        raise _bad(origin, "target_fte", target_fte)
    prob = design.get("probability", 0.8)
    if isinstance(prob, bool) or not isinstance(prob, int | float) or not 0 < prob <= 1:
        raise _bad(origin, "probability", prob)
    notes: list[str] = []
    if start_years is not None and start_years[1] > start_years[0] and not schedules_supported():
        notes.append(
            "start years not searched: this version's scenarios take no lever schedules, so every "
            "lever acts from the first simulated month"
        )
    return GoalPlan(
        levers=levers,
        ranges=ranges,
        start_years=start_years,
        ramp_years=ramp,
        futures=futures,
        uncertainties=unc,
        structural=structural,
        targets=tuple(int(y) for y in targets),
        target_fte=float(target_fte),
        probability=float(prob),
        population=_int_key(design, "population", 40, 4, origin),
        generations=_int_key(design, "generations", 20, 1, origin),
        validation_futures=_int_key(design, "validation_futures", 100, 2, origin),
        validate=_int_key(design, "validate", 8, 1, origin),
        notes=tuple(notes),
    )


def plan_from_spec(spec: ExperimentSpec) -> GoalPlan:
    """The plan of a goal-seeking experiment spec (design kind ``goal``)."""
    if spec.design_kind != "goal":
        raise ExperimentError(
            f"{spec.origin}: key 'design.kind' = {spec.design_kind!r}; allowed here: 'goal'"
        )
    if spec.base_scenario is None:
        raise ExperimentError(
            f"{spec.origin}: missing key 'experiment.base_scenario'; goal seeking moves levers of a "
            f'base scenario, e.g. base_scenario = "../scenarios/baseline.toml"'
        )
    return plan_from_design(
        {k: v for k, v in spec.design.items() if k != "kind"}, spec.origin, spec.structural
    )


# -- encoding: [0, 1]^d <-> lever values and start years ----------------------------------------------


def _bounds(plan: GoalPlan, name: str) -> tuple[float, float]:
    row = LEVERS[name]
    return plan.ranges.get(name, (row.low, row.high))


def decode(plan: GoalPlan, x: np.ndarray) -> tuple[dict[str, float], dict[str, int]]:
    """Lever values and start years of a point of the unit cube (integer levers rounded)."""
    values: dict[str, float] = {}
    starts: dict[str, int] = {}
    n = len(plan.levers)
    for i, name in enumerate(plan.levers):
        low, high = _bounds(plan, name)
        v = low + float(np.clip(x[i], 0.0, 1.0)) * (high - low)
        values[name] = float(round(v)) if LEVERS[name].integer else v
        if plan.start_years is not None:
            first, last = plan.start_years
            u = float(np.clip(x[n + i], 0.0, 1.0)) if plan.searches_start_years else 0.0
            starts[name] = int(round(first + u * (last - first)))
    return values, starts


def encode(plan: GoalPlan, values: dict[str, float]) -> np.ndarray:
    """The unit-cube point of given lever values (start years at the earliest)."""
    x = np.zeros(plan.n_var)
    for i, name in enumerate(plan.levers):
        low, high = _bounds(plan, name)
        x[i] = np.clip((values[name] - low) / (high - low), 0.0, 1.0)
    return x


def candidate_overrides(plan: GoalPlan, x: np.ndarray) -> tuple[dict[str, Any], list[str]]:
    """The scenario overrides of candidate ``x`` (through ``lever_overrides``) and its notes."""
    values, starts = decode(plan, x)
    if plan.start_years is None:  # every lever from the first month
        return lever_overrides(values)
    return lever_overrides(values, starts, plan.ramp_years)


# -- the batch design: candidates x futures ----------------------------------------------------------


def build_portfolios(
    table: dict[str, Any], origin: str, base: Any, spec: ExperimentSpec
) -> pd.DataFrame:
    """Design kind ``portfolios`` (written by goal seeking): every candidate in every future.

    ``[design]`` holds ``candidates`` (a list of ``{id, overrides}``) and ``futures`` (a list of
    override tables); ``seed_key`` is the future's index, so all candidates share their run seeds.
    """
    candidates = table.get("candidates")
    futures = table.get("futures")
    if (
        not isinstance(candidates, list)
        or not candidates
        or not isinstance(futures, list)
        or not futures
    ):
        raise ExperimentError(
            f"{origin}: design kind 'portfolios' needs non-empty lists 'candidates' and 'futures' "
            f"(it is written by `opisim goal`)"
        )
    keys = None
    rows = []
    for cand in candidates:
        overrides = dict(cand["overrides"])
        if keys is None:
            keys = list(overrides)
        elif list(overrides) != keys:
            raise ExperimentError(
                f"{origin}: candidates of design kind 'portfolios' set different keys"
            )
        for f, fut in enumerate(futures):
            rows.append({"label": str(cand["id"]), "seed_key": f, **overrides, **fut})
    design = pd.DataFrame(rows)
    design.insert(0, "point", range(len(design)))
    if base is not None:
        first = design.drop(columns=["point", "label", "seed_key"]).iloc[0].to_dict()
        try:
            base.with_overrides(first)
        except Exception as exc:
            raise ExperimentError(f"{origin}: a candidate's overrides are invalid: {exc}") from None
    return design


def _goal_design(table: dict[str, Any], origin: str, base: Any) -> pd.DataFrame:
    raise ExperimentError(
        f"{origin}: design kind 'goal' is a search, not a fixed design; run it with `opisim goal "
        f"{origin}`"
    )


register_design("portfolios", build_portfolios)
register_design("goal", _goal_design)


# -- the search ---------------------------------------------------------------------------------------


@dataclass
class GoalResult:
    """The outcome of :func:`run_goal` (also written to the results directory).

    Attributes:
        out_dir: the results directory.
        answers: one row per target year: reachable or not, the cheapest validated portfolio (or the
            closest), its cost, FTE freed and probabilities, and the notes.
        front: the validated candidates per target year (the Pareto front's cheapest members, or the
            closest ones), with search and validation statistics and lever values.
        candidates: every evaluated candidate (generation, lever values, objectives).
        discovery: PRIM boxes of the validation futures in which the answer misses the target.
        info: settings and provenance (also ``goal.json``).
    """

    out_dir: Path
    answers: pd.DataFrame
    front: pd.DataFrame
    candidates: pd.DataFrame
    discovery: pd.DataFrame
    info: dict[str, Any]


class _Evaluator:
    """Evaluates batches of candidates as experiments (one results directory per batch)."""

    def __init__(
        self,
        spec: ExperimentSpec,
        plan: GoalPlan,
        year: int,
        out_dir: Path,
        run_kw: dict[str, Any],
    ) -> None:
        self.spec, self.plan, self.year, self.out_dir, self.run_kw = (
            spec,
            plan,
            year,
            out_dir,
            run_kw,
        )
        self.overrides = {k: v for k, v in spec.overrides.items() if k != "world.staff_scale"}
        self.overrides["time.end_year"] = year

    def futures_table(self, n: int, stream: str) -> list[dict[str, float]]:
        frame = sample_futures(
            n,
            self.spec.master_seed,
            uncertainties=list(self.plan.uncertainties),
            structural=futures_structural(self.plan.structural, self.spec.origin),
            stream=stream,
        )
        return [{k: float(v) for k, v in row.items()} for row in frame.to_dict("records")]

    def run(
        self, name: str, candidates: list[dict[str, Any]], futures: list[dict[str, float]]
    ) -> pd.DataFrame:
        """Run the candidates on the futures; return the runs table (label = candidate id)."""
        from sim.experiments.runner import run_experiment
        from sim.experiments.spec import spec_from_dict

        data = {
            "experiment": {
                "name": f"{self.spec.name}_{self.year}_{name}",
                "description": f"goal seeking {self.spec.name}: target {self.year}, {name}",
                "base_scenario": str(self.spec.base_scenario),
                "model": self.spec.model,
                "replications": self.spec.replications,
                "master_seed": self.spec.master_seed,
                **({"staff_scale": self.spec.staff_scale} if self.spec.staff_scale else {}),
                "outputs": ["summary"],
                # the futures carry the posterior's draws (or there are none): no draws per run
                "structural": futures_structural(self.plan.structural, self.spec.origin),
            },
            "overrides": self.overrides,
            "design": {"kind": "portfolios", "candidates": candidates, "futures": futures},
        }
        spec = spec_from_dict(
            data,
            origin=f"{self.spec.origin} (target {self.year}, {name})",
            base_dir=self.spec.base_dir,
        )
        runs = run_experiment(
            spec,
            out=self.out_dir / name,
            manifest_extra={
                "structural": describe_futures_structural(self.plan.structural, self.spec.origin)
            },
            **self.run_kw,
        )
        failed = runs[runs["status"] != "ok"]
        if len(failed):
            first = failed.iloc[0]
            raise ExperimentError(
                f"{self.out_dir / name}: {len(failed)} of {len(runs)} runs failed (first: "
                f"{first['run_id']}: {str(first['error'])[:200]}); fix the cause and rerun with --resume"
            )
        return runs

    def objectives(self, runs: pd.DataFrame) -> pd.DataFrame:
        """Per candidate: mean cost, FTE freed (mean, band) and the probability of the target."""
        fte_col = f"fte_freed_{self.year}"
        cost_col = f"public_cost_dkk_cum_{self.year}"
        if cost_col not in runs:
            cost_col = "public_cost_dkk_cum"  # runs end in the target year: the same number
        rows = []
        for label, sub in runs.groupby("label", sort=False):
            band = describe(sub[fte_col])
            rows.append(
                {
                    "id": label,
                    "cost": float(sub[cost_col].mean()),
                    "fte": band.mean,
                    "fte_p5": band.low,
                    "fte_p95": band.high,
                    "probability": float((sub[fte_col] >= self.plan.target_fte).mean()),
                    "n_runs": band.n,
                }
            )
        return pd.DataFrame(rows)


def _anchors(plan: GoalPlan) -> list[np.ndarray]:
    """Known portfolios put into the first generation: all recommendations, all at the top, status quo."""
    rec = encode(plan, {n: LEVERS[n].recommended for n in plan.levers})
    top = encode(plan, {n: _bounds(plan, n)[1] for n in plan.levers})
    sq = encode(plan, {n: LEVERS[n].status_quo for n in plan.levers})
    return [rec, top, sq]


def _search(
    ev: _Evaluator, plan: GoalPlan, seed: int, log: Callable[[str], None]
) -> tuple[pd.DataFrame, list[str]]:
    """NSGA-II over the unit cube; every candidate's objectives, in evaluation order."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem
    from scipy.stats import qmc

    n_var = plan.n_var
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    x0 = qmc.LatinHypercube(d=n_var, rng=rng).random(plan.population)
    for i, anchor in enumerate(_anchors(plan)[: plan.population]):
        x0[i] = anchor
    problem = Problem(n_var=n_var, n_obj=3, n_ieq_constr=1, xl=np.zeros(n_var), xu=np.ones(n_var))
    algorithm = NSGA2(pop_size=plan.population, sampling=x0, eliminate_duplicates=True)
    algorithm.setup(problem, termination=("n_gen", plan.generations), seed=seed, verbose=False)
    futures = ev.futures_table(plan.futures, "search")
    archive: list[dict[str, Any]] = []
    notes: list[str] = []
    gen = 0
    while algorithm.has_next():
        pop = algorithm.ask()
        xs = pop.get("X")
        candidates = []
        for j, x in enumerate(xs):
            overrides, cand_notes = candidate_overrides(plan, x)
            notes += [n for n in cand_notes if n not in notes]
            candidates.append({"id": f"g{gen:03d}c{j:03d}", "overrides": overrides})
        obj = ev.objectives(ev.run(f"gen_{gen:03d}", candidates, futures)).set_index("id")
        obj = obj.loc[[c["id"] for c in candidates]]
        f_values = np.column_stack([obj["cost"], -obj["fte"], -obj["probability"]])
        g_values = (plan.probability - obj["probability"].to_numpy())[:, None]
        Evaluator().eval(StaticProblem(problem, F=f_values, G=g_values), pop)
        algorithm.tell(infills=pop)
        for j, x in enumerate(xs):
            values, starts = decode(plan, x)
            row = {"generation": gen, **obj.iloc[j].to_dict(), "id": candidates[j]["id"]}
            row.update({f"lever.{k}": v for k, v in values.items()})
            row.update({f"start.{k}": v for k, v in starts.items()})
            row.update({f"x{i}": float(v) for i, v in enumerate(x)})
            archive.append(row)
        feasible = obj[obj["probability"] >= plan.probability]
        best = (
            f"cheapest reaching it: {feasible['cost'].min() / 1e6:,.0f} mDKK"
            if len(feasible)
            else f"none reaches it yet (best probability {obj['probability'].max():.2f})"
        )
        log(f"target {ev.year}: generation {gen + 1}/{plan.generations}: {best}")
        gen += 1
    return pd.DataFrame(archive), notes


def _front(archive: pd.DataFrame, plan: GoalPlan) -> tuple[pd.DataFrame, bool]:
    """Feasible non-dominated candidates (cheapest first), or the closest ones if none is feasible."""
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    unique = archive.drop_duplicates(subset=[c for c in archive if c.startswith("x")])
    feasible = unique[unique["probability"] >= plan.probability]
    if len(feasible):
        f = np.column_stack([feasible["cost"], -feasible["fte"], -feasible["probability"]])
        first = NonDominatedSorting().do(f, only_non_dominated_front=True)
        front = feasible.iloc[np.sort(first)].sort_values(["cost", "id"], kind="mergesort")
        return front.reset_index(drop=True), True
    closest = unique.sort_values(
        ["probability", "fte", "cost"], ascending=[False, False, True], kind="mergesort"
    )
    return closest.reset_index(drop=True), False


def _spread(front: pd.DataFrame, k: int, reachable: bool) -> pd.DataFrame:
    """``k`` members to validate: for a front, spread evenly from the cheapest to the most probable
    (the cheapest sit on the probability's edge, where the winner's curse bites); else the closest."""
    if not reachable or len(front) <= k:
        return front.head(k)
    positions = np.unique(np.round(np.linspace(0, len(front) - 1, k)).astype(int))
    return front.iloc[positions]


def _lever_text(row: pd.Series, plan: GoalPlan) -> str:
    parts = []
    for name in plan.levers:
        v = row[f"lever.{name}"]
        start = row.get(f"start.{name}")
        txt = f"{name}={v:g}"
        if plan.searches_start_years and start is not None and np.isfinite(start):
            txt += f" from {int(start)}"
        parts.append(txt)
    return ", ".join(parts)


def run_goal(
    experiment: str | Path | ExperimentSpec,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    dask: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool | None = False,
    log: Callable[[str], None] | None = None,
    structural: str | None = None,
) -> GoalResult:
    """Run goal seeking (design kind ``goal``) and write its results.

    Args:
        experiment: a goal-seeking file (e.g. ``experiments/goal_10k.toml``) or its validated spec.
        out: results directory (default ``results/<name>/``).
        workers, dask: where runs execute (as for :func:`sim.experiments.run_experiment`).
        resume: keep finished runs; the search replays them and continues (same result).
        overwrite: start again.
        progress: progress bars of the batch experiments (default off; one line per generation).
        log: receives progress lines (default: stderr).
        structural: ``auto``, ``posterior`` or ``none``: whether each future takes a draw of the
            calibrated posterior (overrides the file's ``experiment.structural``).

    Returns:
        The :class:`GoalResult`; ``goal.json``, ``answers.csv``, ``front.csv``, ``candidates.csv`` and
        ``discovery.csv`` (and Parquet twins) are in ``out``.

    Raises:
        ExperimentError: invalid file, existing results without ``resume``/``overwrite``, failed runs.
    """
    from sim.analysis.discovery import discover
    from sim.experiments import load_experiment
    from sim.experiments.runner import _stderr_log
    from sim.experiments.spec import load_base
    from sim.experiments.storage import atomic_write_json
    from sim.provenance import git_state, versions

    log = log or _stderr_log
    spec = experiment if isinstance(experiment, ExperimentSpec) else load_experiment(experiment)
    if structural is not None:
        spec = replace(spec, structural=structural)
    plan = plan_from_spec(spec)
    base = load_base(spec)
    for year in plan.targets:
        if year > base.time.end_year or year < base.time.start_year:
            raise ExperimentError(
                f"{spec.origin}: key 'design.targets' has {year}, outside the base scenario's years "
                f"{base.time.start_year}-{base.time.end_year}; allowed: years the runs simulate"
            )
    if resume and overwrite:
        raise ExperimentError("--resume and --overwrite: allowed: one of them, not both")
    out_dir = Path(out) if out is not None else Path("results") / spec.name
    manifest_path = out_dir / "manifest.json"
    if manifest_path.exists() and not (resume or overwrite):
        raise ExperimentError(
            f"{out_dir}: already holds results; allowed: --resume to continue them, --overwrite to "
            f"start again, or --out DIR for another directory"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    experiment_file = spec.origin if Path(spec.origin).is_file() else None
    manifest: dict[str, Any] = {
        "kind": "goal",
        "name": spec.name,
        "description": spec.description,
        "experiment_file": experiment_file,
        "experiment_toml": spec.text,
        "experiment_sha256": spec.sha256,
        "experiment": spec.to_dict(),
        "master_seed": spec.master_seed,
        "replications": spec.replications,
        "staff_scale": spec.staff_scale,
        "model": spec.model,
        "design_kind": "goal",
        "structural": describe_futures_structural(plan.structural, spec.origin),
        "optimiser": "pymoo NSGA-II",
        "versions": versions(),
        "git": git_state(),
        "started": started,
        "finished": None,
        "status": "running",
        "rerun": f"opisim goal {experiment_file} --out {out_dir}" if experiment_file else None,
    }
    atomic_write_json(manifest_path, manifest)
    run_kw = {
        "workers": workers,
        "dask": dask,
        "resume": resume,
        "overwrite": overwrite,
        "progress": progress,
        "log": log if progress is not False else (lambda line: None),
    }
    t0 = time.monotonic()
    answers, fronts, archives, boxes = [], [], [], []
    notes = list(plan.notes)
    for year in plan.targets:
        ev = _Evaluator(spec, plan, year, out_dir / f"target_{year}", run_kw)
        seed = derive_seed(spec.master_seed, _SEARCH_TAG, year)
        archive, search_notes = _search(ev, plan, seed, log)
        notes += [n for n in search_notes if n not in notes]
        archive.insert(0, "target_year", year)
        archives.append(archive)
        front, reachable = _front(archive, plan)
        chosen = _spread(front, plan.validate, reachable).copy()
        validation = ev.futures_table(plan.validation_futures, "validation")
        cands = [
            {
                "id": cid,
                "overrides": candidate_overrides(
                    plan,
                    row[[f"x{i}" for i in range(plan.n_var)]].to_numpy(float),
                )[0],
            }
            for cid, (_, row) in zip(chosen["id"], chosen.iterrows(), strict=True)
        ]
        rec_x = encode(plan, {n: LEVERS[n].recommended for n in plan.levers})
        rec_overrides, _ = candidate_overrides(plan, rec_x)
        cands.append({"id": "all_recommendations", "overrides": rec_overrides})
        v_runs = ev.run("validation", cands, validation)
        v_obj = ev.objectives(v_runs).set_index("id")
        chosen["validation_probability"] = chosen["id"].map(v_obj["probability"])
        chosen["validation_fte"] = chosen["id"].map(v_obj["fte"])
        chosen["validation_fte_p5"] = chosen["id"].map(v_obj["fte_p5"])
        chosen["validation_fte_p95"] = chosen["id"].map(v_obj["fte_p95"])
        chosen["validation_cost"] = chosen["id"].map(v_obj["cost"])
        chosen["portfolio"] = [_lever_text(r, plan) for _, r in chosen.iterrows()]
        chosen["reachable_in_search"] = reachable
        fronts.append(chosen)
        confirmed = chosen[chosen["validation_probability"] >= plan.probability]
        if reachable and len(confirmed):
            best = confirmed.sort_values("validation_cost", kind="mergesort").iloc[0]
            status = "reached"
            sentence = (
                f"Target {plan.target_fte:,.0f} FTE by {year}: reachable with probability >= "
                f"{plan.probability:g}. Cheapest portfolio found: mean public cost "
                f"{best['validation_cost'] / 1e6:,.0f} mDKK to {year}, {best['validation_fte']:,.0f} FTE freed "
                f"(5-95%: {best['validation_fte_p5']:,.0f} to {best['validation_fte_p95']:,.0f}), probability "
                f"{best['validation_probability']:.2f} on {plan.validation_futures} fresh futures "
                f"({best['probability']:.2f} in the search)."
            )
        else:
            best = chosen.sort_values(
                ["validation_probability", "validation_fte"], ascending=False, kind="mergesort"
            ).iloc[0]
            status = "not_confirmed" if reachable else "unreachable"
            n_v = plan.validation_futures * spec.replications
            se = math.sqrt(
                max(best["validation_probability"] * (1 - best["validation_probability"]), 1e-12)
                / n_v
            )
            why = (
                f"portfolios that reached it on the search futures fall below it on fresh futures (best "
                f"{best['validation_probability']:.2f}, sampling error about {se:.2f}: more futures or a "
                f"longer search would tell)"
                if reachable
                else "no portfolio within the lever ranges reached it in the search"
            )
            sentence = (
                f"Target {plan.target_fte:,.0f} FTE by {year} is NOT reached with probability >= "
                f"{plan.probability:g}: {why}. Closest portfolio: {best['validation_fte']:,.0f} FTE freed "
                f"(5-95%: {best['validation_fte_p5']:,.0f} to {best['validation_fte_p95']:,.0f}), probability "
                f"{best['validation_probability']:.2f} on {plan.validation_futures} fresh futures, mean public "
                f"cost {best['validation_cost'] / 1e6:,.0f} mDKK."
            )
        rec_p = float(v_obj["probability"].get("all_recommendations", math.nan))
        answers.append(
            {
                "target_year": year,
                "target_fte": plan.target_fte,
                "probability_required": plan.probability,
                "status": status,
                "id": best["id"],
                "cost": best["validation_cost"],
                "fte": best["validation_fte"],
                "fte_p5": best["validation_fte_p5"],
                "fte_p95": best["validation_fte_p95"],
                "probability": best["validation_probability"],
                "search_probability": best["probability"],
                "portfolio": best["portfolio"],
                "all_recommendations_probability": rec_p,
                "answer": sentence,
                **{c: best[c] for c in best.index if c.startswith(("lever.", "start."))},
            }
        )
        sub = v_runs[v_runs["label"] == best["id"]]
        x_cols = future_dimensions(sub.columns)
        if x_cols:
            b = discover(
                sub[x_cols], (sub[f"fte_freed_{year}"] < plan.target_fte).to_numpy(), label=""
            )
            b.insert(0, "target_year", year)
            b.insert(0, "scenario", f"portfolio {best['id']}")
            boxes.append(b)
    answers_df = pd.DataFrame(answers)
    front_df = pd.concat(fronts, ignore_index=True)
    candidates_df = pd.concat(archives, ignore_index=True)
    discovery_df = pd.concat(boxes, ignore_index=True) if boxes else pd.DataFrame()
    for frame, name in (
        (answers_df, "answers"),
        (front_df, "front"),
        (candidates_df, "candidates"),
        (discovery_df, "discovery"),
    ):
        from sim.experiments.storage import atomic_write_parquet

        atomic_write_parquet(out_dir / f"{name}.parquet", frame)
        frame.to_csv(out_dir / f"{name}.csv", index=False)
    info = {
        "results_dir": str(out_dir),
        "experiment_file": experiment_file,
        "experiment_sha256": spec.sha256,
        "master_seed": spec.master_seed,
        "git": manifest["git"],
        "levers": list(plan.levers),
        "start_years_searched": plan.searches_start_years,
        "futures": plan.futures,
        "replications": spec.replications,
        "validation_futures": plan.validation_futures,
        "population": plan.population,
        "generations": plan.generations,
        "targets": list(plan.targets),
        "target_fte": plan.target_fte,
        "probability": plan.probability,
        "structural": structural_label(futures_structural(plan.structural, spec.origin)),
        "optimiser": "pymoo NSGA-II (constrained domination), common random numbers, validation on fresh futures",
        "notes": notes,
        "answers": [a["answer"] for a in answers],
        "elapsed_s": round(time.monotonic() - t0, 1),
    }
    (out_dir / "goal.json").write_text(
        json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8"
    )
    manifest.update(
        finished=datetime.now(UTC).isoformat(timespec="seconds"), status="complete", notes=notes
    )
    atomic_write_json(manifest_path, manifest)
    return GoalResult(out_dir, answers_df, front_df, candidates_df, discovery_df, info)


def goal_text(results_dir: str | Path) -> str:
    """The goal-seeking answer as text (``opisim goal`` and ``opisim results`` print it)."""
    from sim.analysis.discovery import describe_boxes

    out_dir = Path(results_dir)
    path = out_dir / "goal.json"
    if not path.is_file():
        raise ResultsError(
            f"{out_dir}: no goal.json (goal seeking has not finished); allowed: a directory written "
            f"by `opisim goal FILE` (finish it with --resume)"
        )
    info = json.loads(path.read_text(encoding="utf-8"))
    front = pd.read_parquet(out_dir / "front.parquet")
    disc = (
        pd.read_parquet(out_dir / "discovery.parquet")
        if (out_dir / "discovery.parquet").is_file()
        else pd.DataFrame()
    )
    lines = [
        f"Goal seeking: {info['target_fte']:,.0f} FTE net freed, probability >= {info['probability']:g} "
        f"({info['results_dir']}; master seed {info['master_seed']}; commit "
        f"{str((info.get('git') or {}).get('commit') or '?')[:12]})",
        f"{info['optimiser']}; population {info['population']} x {info['generations']} generations, "
        f"{info['futures']} search futures x {info['replications']} seeds; validation on "
        f"{info['validation_futures']} fresh futures.",
    ]
    lines += [f"Note: {n}" for n in info.get("notes", [])]
    for sentence in info["answers"]:
        lines += ["", sentence]
    for year, sub in front.groupby("target_year", sort=True):
        order = "cheapest first" if bool(sub["reachable_in_search"].iloc[0]) else "closest first"
        lines += ["", f"Validated portfolios, target {year} ({order}; P search / P validation):"]
        for r in sub.itertuples(index=False):
            lines.append(
                f"  {r.id}: cost {r.validation_cost / 1e6:,.0f} mDKK, FTE {r.validation_fte:,.0f}, "
                f"P {r.probability:.2f} / {r.validation_probability:.2f}: {r.portfolio}"
            )
    if len(disc):
        lines += [
            "",
            "Scenario discovery (PRIM): validation futures in which the answer misses the target",
        ]
        lines += ["  " + line for line in describe_boxes(disc).splitlines()]
    lines += ["", f"Tables: {out_dir}/answers.csv, front.csv, candidates.csv, discovery.csv"]
    return "\n".join(lines)
