"""Sensitivity analysis of a finished results directory: indices, ranking, warnings, convergence, robustness.

Everything here reads what the experiment layer wrote (``manifest.json``, ``design.parquet``,
``runs.parquet``; ARCHITECTURE.md contract 2), so an analysis can be redone without rerunning the model:

* :func:`analyse` -- the tidy indices table, the lever ranking, the warnings and ``analysis.json``.
* :func:`convergence` -- indices at N/2 and N (Sobol) or r/2 and r trajectories (Morris), from the same
  runs: SALib's Sobol sample is nested, so the first half of a 2N sample is the N sample.
* :func:`compare_rankings` -- robustness of the ranking across two master seeds (Spearman of ST or mu*,
  and whether the top 3 levers agree).

The SALib sample is regenerated from the stored experiment file and checked against ``design.parquet``;
runs are put back into SALib's order by ``point`` whatever order they finished in. A failed run, a missing
run or a NaN outcome stops the analysis with a clear message rather than yielding indices from a partial
sample.
"""

from __future__ import annotations

import json
import math
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.designs import (
    DEFAULT_OUTCOMES,
    SEED_FACTOR,
    Plan,
    is_power_of_two,
    parse_plan,
    salib_sample,
)
from sim.errors import ResultsError

INDEX_COLUMNS = (
    "method",
    "outcome",
    "factor",
    "factor2",
    "kind",
    "randomness",
    "n",
    "S1",
    "S1_conf",
    "ST",
    "ST_conf",
    "S2",
    "S2_conf",
    "mu",
    "mu_star",
    "mu_star_conf",
    "sigma",
    "swing",
    "swing_conf",
)
RANDOMNESS_TEXT = {
    "seed_factor": (
        "seed as an extra factor: one run per design point; the seed is sampled like any factor and held "
        "fixed within each Saltelli pair / Morris trajectory, so the factors' total indices are not "
        "inflated by noise and the seed's own index is the noise share E[Var(Y|X)]/Var(Y)"
    ),
    "replicate_mean": (
        "mean of R replications per design point: the noise left in the mean (variance s^2/R) is "
        "absorbed by every total index (ST biased upwards by about the residual noise share)"
    ),
}


@dataclass
class SensitivityResult:
    """What :func:`analyse` computes.

    Attributes:
        indices: tidy indices table (columns ``INDEX_COLUMNS``).
        ranking: the levers ranked for the ranking outcome.
        warnings: human-readable warnings.
        info: the content of ``analysis.json``.
    """

    indices: pd.DataFrame
    ranking: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------
# reading a results directory


def _parse_experiment_text(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ResultsError(
                f"{where}: manifest.json's experiment_toml is neither TOML nor JSON"
            ) from None


def load_manifest(results_dir: str | Path) -> dict[str, Any]:
    """The manifest of a results directory.

    Raises:
        ResultsError: if the directory or its manifest is missing or unreadable.
    """
    path = Path(results_dir) / "manifest.json"
    if not path.is_file():
        raise ResultsError(
            f"{results_dir}: no manifest.json; allowed: a results directory written by "
            f"`opisim experiment` or `opisim sensitivity`"
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path}: not valid JSON ({exc})") from None


def plan_from_results(results_dir: str | Path, manifest: dict[str, Any] | None = None) -> Plan:
    """The sensitivity plan of a results directory, rebuilt from the stored experiment file.

    Raises:
        ResultsError: if the experiment is not an OFAT, Morris or Sobol design.
    """
    manifest = manifest or load_manifest(results_dir)
    where = str(results_dir)
    data = _parse_experiment_text(str(manifest.get("experiment_toml", "")), where)
    design = dict(data.get("design", {}))
    if design.get("kind") not in ("ofat", "morris", "sobol"):
        raise ResultsError(
            f"{where}: design kind {design.get('kind')!r} is not a sensitivity design; allowed: "
            f"results of an experiment with design kind ofat, morris or sobol"
        )
    exp = data.get("experiment", {})
    return parse_plan(
        design,
        dict(data.get("analysis", {})),
        f"{where} (stored experiment file)",
        str(manifest.get("model", exp.get("model", "opisim"))),
        int(manifest.get("master_seed", exp.get("master_seed", 0))),
        int(manifest.get("replications", exp.get("replications", 1))),
    )


def _read_parquet(results_dir: Path, name: str) -> pd.DataFrame:
    path = results_dir / name
    if not path.is_file():
        raise ResultsError(
            f"{results_dir}: {name} is missing; the experiment has not finished (rerun it with --resume)"
        )
    return pd.read_parquet(path)


def check_design(plan: Plan, design: pd.DataFrame, where: str) -> np.ndarray | None:
    """Check ``design.parquet`` against the SALib sample regenerated from the plan.

    Returns:
        The regenerated (unrounded) SALib sample in point order, or None for OFAT.

    Raises:
        ResultsError: if the stored design is not the plan's sample (other SALib version, edited file).
    """
    names = [f.name for f in plan.factors]
    missing = [n for n in names if n not in design.columns]
    if missing:
        raise ResultsError(f"{where}: design.parquet lacks factor column(s) {missing}")
    design = design.sort_values("point")
    if list(design["point"]) != list(range(len(design))):
        raise ResultsError(f"{where}: design.parquet points are not 0..n-1")
    if plan.method == "ofat":
        return None
    sample = salib_sample(plan)
    if len(sample) != len(design):
        raise ResultsError(
            f"{where}: design.parquet has {len(design)} points but the {plan.method} sample of the stored "
            f"experiment file has {len(sample)}"
        )
    stored = design[names].to_numpy(dtype=float)
    expected = sample[:, : len(names)].copy()
    for j, f in enumerate(plan.factors):
        if f.integer:
            expected[:, j] = np.round(expected[:, j])
    if not np.allclose(stored, expected, rtol=1e-9, atol=1e-9):
        raise ResultsError(
            f"{where}: design.parquet differs from the SALib sample regenerated from the stored "
            f"experiment file (another SALib version?); the analysis needs SALib's own sample order"
        )
    return sample


def outcome_names(
    runs: pd.DataFrame, plan: Plan, outcomes: list[str] | tuple[str, ...] | None
) -> list[str]:
    """The outcomes to analyse: as asked, else ``[analysis] outcomes``, else the defaults present (or all).

    Raises:
        ResultsError: if an asked outcome is not a column of ``runs.parquet``.
    """
    reserved = {
        "run_id",
        "point",
        "replication",
        "seed",
        "label",
        "run_time_s",
        "status",
        "error",
        "seed_key",
        "posterior_draw",
    }
    reserved |= {f.name for f in plan.factors}
    available = [
        c for c in runs.columns if c not in reserved and pd.api.types.is_numeric_dtype(runs[c])
    ]
    asked = list(outcomes or plan.options.outcomes or [])
    if asked:
        unknown = [o for o in asked if o not in available]
        if unknown:
            raise ResultsError(
                f"outcome(s) {unknown} not in runs.parquet; allowed: {', '.join(available)}"
            )
        return asked
    default = [o for o in DEFAULT_OUTCOMES if o in available]
    return default or available


def point_means(
    plan: Plan, runs: pd.DataFrame, outcomes: list[str], n_points: int, where: str
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Per-point means and within-point variances of the outcomes, in point order.

    Returns:
        (means, within-point variances (NaN with one replication), replications per point).

    Raises:
        ResultsError: failed runs, missing runs or NaN outcomes.
    """
    if "status" in runs.columns:
        failed = runs[runs["status"] != "ok"]
        if len(failed):
            first = failed.iloc[0]
            raise ResultsError(
                f"{where}: {len(failed)} of {len(runs)} runs failed (first: {first.get('run_id', '?')}: "
                f"{str(first.get('error', ''))[:200]}); the indices need the complete sample: fix the "
                f"cause and rerun the experiment with --resume"
            )
    counts = runs.groupby("point").size()
    reps = int(counts.max()) if len(counts) else 0
    missing_points = sorted(set(range(n_points)) - set(counts.index))
    if missing_points or (counts != reps).any() or len(counts) != n_points:
        raise ResultsError(
            f"{where}: runs.parquet holds {len(runs)} runs for {len(counts)} of {n_points} design points "
            f"(missing points e.g. {missing_points[:5]}); the indices need the complete sample: rerun the "
            f"experiment with --resume"
        )
    for outcome in outcomes:
        bad = runs[~np.isfinite(runs[outcome].to_numpy(dtype=float))]
        if len(bad):
            raise ResultsError(
                f"{where}: outcome '{outcome}' is NaN or infinite in {len(bad)} of {len(runs)} runs "
                f"(first: {bad.iloc[0].get('run_id', '?')}); indices from a partial sample would be "
                f'wrong: leave it out (analysis.outcomes, analysis.nan_outcomes = "skip", or '
                f"`opisim sensitivity FILE --analyse-only --outcome NAME ...`) or fix the model"
            )
    grouped = runs.sort_values(["point", "replication"]).groupby("point")[outcomes]
    means = grouped.mean().reindex(range(n_points))
    within = grouped.var(ddof=1).reindex(range(n_points)) if reps > 1 else means * np.nan
    return means, within, reps


# ---------------------------------------------------------------------------------------------------
# the methods


def _empty_row(plan: Plan, outcome: str, factor: str, kind: str, n: int) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(INDEX_COLUMNS, np.nan)
    row.update(
        method=plan.method,
        outcome=outcome,
        factor=factor,
        factor2="",
        kind=kind,
        randomness=plan.options.randomness,
        n=n,
    )
    return row


def _bootstrap_seed(plan: Plan) -> int:
    return int(plan.sample_seed % 2**31)


def sobol_rows(plan: Plan, y: np.ndarray, outcome: str, n: int) -> list[dict[str, Any]]:
    """Sobol indices of one outcome from the first ``n`` base rows of the Saltelli sample."""
    from SALib.analyze import sobol as sobol_analyze

    facs = plan.analysed_factors
    second = plan.settings["second_order"]
    per = 2 * len(facs) + 2 if second else len(facs) + 2
    y = np.asarray(y[: n * per], dtype=float)
    rows = []
    constant = np.ptp(y) == 0.0
    if constant:
        res = {k: np.zeros(len(facs)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        if second:
            res["S2"] = np.zeros((len(facs), len(facs)))
            res["S2_conf"] = np.zeros((len(facs), len(facs)))
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sobol_analyze.analyze(
                plan.problem(),
                y,
                calc_second_order=second,
                num_resamples=plan.options.num_resamples,
                conf_level=plan.options.conf_level,
                seed=_bootstrap_seed(plan),
            )
    for i, f in enumerate(facs):
        row = _empty_row(plan, outcome, f.name, f.kind, n)
        for key in ("S1", "S1_conf", "ST", "ST_conf"):
            row[key] = float(res[key][i])
        rows.append(row)
    if second:
        for i in range(len(facs)):
            for j in range(i + 1, len(facs)):
                row = _empty_row(plan, outcome, facs[i].name, "pair", n)
                row["factor2"] = facs[j].name
                row["S2"] = float(res["S2"][i, j])
                row["S2_conf"] = float(res["S2_conf"][i, j])
                rows.append(row)
    return rows


def morris_rows(
    plan: Plan, x: np.ndarray, y: np.ndarray, outcome: str, trajectories: int
) -> list[dict[str, Any]]:
    """Morris elementary-effect statistics of one outcome from the first ``trajectories`` trajectories."""
    from SALib.analyze import morris as morris_analyze

    facs = plan.analysed_factors
    size = trajectories * (len(facs) + 1)
    x, y = x[:size], np.asarray(y[:size], dtype=float)
    if np.ptp(y) == 0.0:
        res = {k: np.zeros(len(facs)) for k in ("mu", "mu_star", "mu_star_conf", "sigma")}
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = morris_analyze.analyze(
                plan.problem(),
                x,
                y,
                num_resamples=plan.options.num_resamples,
                conf_level=plan.options.conf_level,
                num_levels=plan.settings["levels"],
                seed=_bootstrap_seed(plan),
            )
    rows = []
    for i, f in enumerate(facs):
        row = _empty_row(plan, outcome, f.name, f.kind, trajectories)
        for key in ("mu", "mu_star", "mu_star_conf", "sigma"):
            row[key] = float(res[key][i])
        rows.append(row)
    return rows


def _ofat_points(plan: Plan, design: pd.DataFrame) -> dict[str, list[int]]:
    """For each factor, the design points of its sweep (the base point included)."""
    names = [f.name for f in plan.factors]
    base = design.loc[design["point"] == 0, names].iloc[0]
    out = {}
    for f in plan.factors:
        others = [n for n in names if n != f.name]
        same = np.isclose(design[others].to_numpy(float), base[others].to_numpy(float)).all(axis=1)
        out[f.name] = sorted(design.loc[same, "point"].astype(int).tolist())
    return out


def _paired_diff(
    runs: pd.DataFrame, outcome: str, a: int, b: int, conf: float
) -> tuple[float, float]:
    """Mean of y(b) - y(a) paired by replication (common random numbers), and its half-width."""
    ya = runs[runs["point"] == a].set_index("replication")[outcome]
    yb = runs[runs["point"] == b].set_index("replication")[outcome]
    diff = (yb - ya.reindex(yb.index)).to_numpy(float)
    mean = float(diff.mean())
    if len(diff) < 2:
        return mean, float("nan")
    half = stats.t.ppf(0.5 + conf / 2, len(diff) - 1) * diff.std(ddof=1) / math.sqrt(len(diff))
    return mean, float(half)


def ofat_rows(
    plan: Plan, design: pd.DataFrame, runs: pd.DataFrame, means: pd.DataFrame, outcome: str
) -> list[dict[str, Any]]:
    """OFAT swing of one outcome: max minus min of the mean over the factor's sweep (others at base),
    with a paired (common random numbers) interval of the difference between the two extremes."""
    sweeps = _ofat_points(plan, design)
    reps = int(runs.groupby("point").size().max())
    rows = []
    for f in plan.factors:
        pts = sweeps[f.name]
        m = means.loc[pts, outcome]
        lo, hi = int(m.idxmin()), int(m.idxmax())
        swing, half = _paired_diff(runs, outcome, lo, hi, plan.options.conf_level)
        row = _empty_row(plan, outcome, f.name, f.kind, reps)
        row["swing"] = swing
        row["swing_conf"] = half
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------------
# ranking, effects, noise and warnings


def one_factor_pairs(plan: Plan, n_rows: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """The sample's pairs of points that differ in one factor only, by factor index.

    Morris: consecutive points of a trajectory (one step each). Sobol: Saltelli's A and AB_i rows of the
    same base row. With the seed as a factor, both points of a pair share their seed.
    """
    d = len(plan.analysed_factors)
    pairs: dict[int, tuple[list[int], list[int]]] = {i: ([], []) for i in range(d)}
    if plan.method == "morris":
        order = _morris_moved(plan, n_rows)
        for row, factor in order:
            pairs[factor][0].append(row)
            pairs[factor][1].append(row + 1)
    else:
        per = 2 * d + 2 if plan.settings["second_order"] else d + 2
        for start in range(0, n_rows, per):
            for i in range(d):
                pairs[i][0].append(start)
                pairs[i][1].append(start + 1 + i)
    return {i: (np.array(a, dtype=int), np.array(b, dtype=int)) for i, (a, b) in pairs.items()}


def _morris_moved(plan: Plan, n_rows: int) -> list[tuple[int, int]]:
    """(row, factor moved between row and row + 1) for every Morris step."""
    sample = salib_sample(plan)[:n_rows]
    d = len(plan.analysed_factors)
    out = []
    for start in range(0, n_rows, d + 1):
        for k in range(start, start + d):
            moved = np.flatnonzero(sample[k + 1] != sample[k])
            if len(moved) == 1:
                out.append((k, int(moved[0])))
    return out


def lever_effects(
    plan: Plan,
    design: pd.DataFrame,
    runs: pd.DataFrame,
    means: pd.DataFrame,
    outcome: str,
) -> pd.DataFrame:
    """Effect on ``outcome`` of moving each lever from status quo to recommended.

    OFAT: the pair of design points at status quo and recommended (others at base), paired by seed.
    Morris/Sobol: a local linear fit: the slope through the origin of the outcome change on the lever
    change over the sample's pairs of points that move that lever alone (Morris steps, Saltelli's
    A/AB_i pairs; with the seed as a factor both points of a pair share the seed), so the slope is
    averaged over the other factors' range. Effect = slope x (recommended - status quo); its interval
    comes from the slope's standard error (t quantile).
    """
    from sim.levers import LEVERS

    levers = [f for f in plan.factors if f.kind == "lever"]
    rows = []
    if plan.method == "ofat":
        sweeps = _ofat_points(plan, design)
        for f in levers:
            row = LEVERS[f.short]
            pts = design.set_index("point").loc[sweeps[f.name], f.name].to_numpy(float)
            idx = sweeps[f.name]
            sq_value = round(row.status_quo) if f.integer else row.status_quo
            rec_value = round(row.recommended) if f.integer else row.recommended
            sq = [p for p, v in zip(idx, pts, strict=True) if np.isclose(v, sq_value)]
            rec = [p for p, v in zip(idx, pts, strict=True) if np.isclose(v, rec_value)]
            if sq and rec:
                eff, half = _paired_diff(runs, outcome, sq[0], rec[0], plan.options.conf_level)
                method = "ofat pair: status quo vs recommended, others at base, paired by seed"
            else:
                eff, half, method = float("nan"), float("nan"), "ofat pair missing from the design"
            rows.append(
                {"factor": f.name, "effect": eff, "effect_conf": half, "effect_method": method}
            )
        return pd.DataFrame(rows, columns=["factor", "effect", "effect_conf", "effect_method"])
    names = [f.name for f in plan.factors]
    x = design.sort_values("point")[names].to_numpy(float)
    y = means[outcome].to_numpy(float)
    pairs = one_factor_pairs(plan, len(y))
    label = "Morris steps" if plan.method == "morris" else "Saltelli A/AB_i pairs"
    for f in levers:
        j = names.index(f.name)
        a, b = pairs[j]
        dx, dy = x[b, j] - x[a, j], y[b] - y[a]
        keep = dx != 0
        dx, dy = dx[keep], dy[keep]
        delta = LEVERS[f.short].recommended - LEVERS[f.short].status_quo
        if len(dx) < 2:
            rows.append(
                {
                    "factor": f.name,
                    "effect": float("nan"),
                    "effect_conf": float("nan"),
                    "effect_method": f"local linear fit impossible: < 2 {label} move it",
                }
            )
            continue
        slope = float(dx @ dy / (dx @ dx))
        resid = dy - slope * dx
        se = math.sqrt(float(resid @ resid) / (len(dx) - 1) / float(dx @ dx))
        tq = stats.t.ppf(0.5 + plan.options.conf_level / 2, len(dx) - 1)
        rows.append(
            {
                "factor": f.name,
                "effect": slope * delta,
                "effect_conf": float(tq * se * abs(delta)),
                "effect_method": f"local linear fit over the {label} that move the lever alone",
            }
        )
    return pd.DataFrame(rows, columns=["factor", "effect", "effect_conf", "effect_method"])


def noise_level(
    plan: Plan,
    indices: pd.DataFrame,
    means: pd.DataFrame,
    within: pd.DataFrame,
    reps: int,
    outcome: str,
) -> dict[str, Any]:
    """The noise level an index must exceed, on the scale of the method's ranking metric.

    Sobol: the noise share of the analysed output's variance (seed_factor: ST of the seed, with its
    interval; replicate_mean: mean within-point variance / R over the variance of the point means).
    Morris: seed_factor: mu* of the seed; replicate_mean: the mean |EE| that noise alone gives,
    sqrt(2/pi) sqrt(2 s^2 / R) / delta. OFAT: none (the effect's own paired interval is used).
    """
    sub = indices[(indices["outcome"] == outcome) & (indices["factor"] == SEED_FACTOR)]
    if plan.method == "sobol":
        if plan.seed_is_factor and len(sub):
            st, conf = float(sub["ST"].iloc[0]), float(sub["ST_conf"].iloc[0])
            return {"metric": "ST", "value": st, "upper": st + conf, "how": "ST of the seed factor"}
        if reps > 1:
            var_means = float(means[outcome].var(ddof=1))
            share = float(within[outcome].mean()) / reps / var_means if var_means > 0 else 0.0
            return {
                "metric": "ST",
                "value": share,
                "upper": share,
                "how": "mean within-point variance / R over the variance of the point means",
            }
    elif plan.method == "morris":
        if plan.seed_is_factor and len(sub):
            mu, conf = float(sub["mu_star"].iloc[0]), float(sub["mu_star_conf"].iloc[0])
            return {
                "metric": "mu_star",
                "value": mu,
                "upper": mu + conf,
                "how": "mu* of the seed factor",
            }
        if reps > 1:
            levels = plan.settings["levels"]
            delta = levels / (2.0 * (levels - 1))
            s2 = float(within[outcome].mean())
            mu = math.sqrt(2 / math.pi) * math.sqrt(2 * s2 / reps) / delta
            return {
                "metric": "mu_star",
                "value": mu,
                "upper": mu,
                "how": "mean |EE| of noise alone",
            }
    return {"metric": None, "value": float("nan"), "upper": float("nan"), "how": "not estimable"}


def ranking_table(
    plan: Plan,
    indices: pd.DataFrame,
    effects: pd.DataFrame,
    noise: dict[str, Any],
    outcome: str,
) -> pd.DataFrame:
    """The levers ranked by ST (Sobol), mu* (Morris) or swing (OFAT) for ``outcome``.

    ``overlaps_noise`` is True where the lever's interval reaches down to the noise level (the upper end
    of the noise share's interval): its effect is not clearly above the model's own randomness; None
    where the noise level cannot be estimated (one run per point without a seed factor). For OFAT it is
    True where the status quo -> recommended effect's interval covers 0.
    """
    from sim.levers import LEVERS

    metric = {"sobol": "ST", "morris": "mu_star", "ofat": "swing"}[plan.method]
    conf_col = f"{metric}_conf"
    sub = indices[(indices["outcome"] == outcome) & (indices["kind"] == "lever")].copy()
    sub = sub.merge(effects, on="factor", how="left")
    sub["abs_metric"] = sub[metric].abs() if metric == "swing" else sub[metric]
    sub = sub.sort_values("abs_metric", ascending=False, kind="stable").reset_index(drop=True)
    rows = []
    for rank, r in enumerate(sub.itertuples(index=False), start=1):
        value, conf = float(getattr(r, metric)), float(getattr(r, conf_col))
        lever = LEVERS[r.factor.split(".")[-1]]
        if plan.method == "ofat":
            eff, econf = float(r.effect), float(r.effect_conf)
            overlaps = bool(np.isnan(econf) or abs(eff) - econf <= 0.0)
        else:
            upper = noise["upper"]
            overlaps = None if np.isnan(upper) else bool(value - conf <= upper)
        rows.append(
            {
                "rank": rank,
                "lever": lever.name,
                "factor": r.factor,
                "theme": lever.theme,
                "method": plan.method,
                "outcome": outcome,
                "randomness": plan.options.randomness,
                "metric": metric,
                "value": value,
                "conf": conf,
                "low": value - conf,
                "high": value + conf,
                "noise_level": noise["value"],
                "overlaps_noise": overlaps,
                "status_quo": lever.status_quo,
                "recommended": lever.recommended,
                "effect_sq_to_rec": float(r.effect),
                "effect_conf": float(r.effect_conf),
                "effect_method": r.effect_method,
            }
        )
    return pd.DataFrame(rows)


def index_warnings(plan: Plan, indices: pd.DataFrame) -> list[str]:
    """Warnings: sample size not a power of 2, negative indices, intervals wide relative to the index."""
    out = []
    opts = plan.options
    if plan.method == "sobol" and not is_power_of_two(plan.settings["n"]):
        out.append(
            f"sobol: N = {plan.settings['n']} is not a power of 2; the Sobol' sequence's balance properties "
            f"(and SALib's convergence) hold only for powers of 2"
        )
    if plan.method == "morris":
        levels = plan.settings["levels"]
        for f in plan.factors:
            if not f.integer:
                continue
            grid = f.low + np.arange(levels) / (levels - 1) * (f.high - f.low)
            jump = levels // 2
            nominal = grid[jump] - grid[0]
            actual = np.round(grid[jump:]) - np.round(grid[: levels - jump])
            err = float(np.abs(actual - nominal).max() / nominal)
            if err > 0:
                out.append(
                    f"morris: {f.name} is an integer lever, so the design rounds its levels; its elementary "
                    f"effects use SALib's nominal step and are off by up to {err:.0%}"
                )
    cols = {"sobol": ("S1", "ST"), "morris": ("mu_star",), "ofat": ()}[plan.method]
    for r in indices[indices["kind"] != "pair"].itertuples(index=False):
        for col in cols:
            value, conf = float(getattr(r, col)), float(getattr(r, f"{col}_conf"))
            if np.isnan(value):
                continue
            tag = f"{r.outcome}: {col} of {r.factor} = {value:.4f} +/- {conf:.4f}"
            if col != "mu_star" and value < 0:
                if value + conf >= 0:
                    out.append(f"{tag} is negative but its interval covers 0: read it as 0")
                else:
                    out.append(
                        f"{tag} is negative beyond its interval: the estimate has not converged, raise N"
                    )
                continue
            scale = 1.0
            if col == "mu_star":
                top = indices.loc[indices["outcome"] == r.outcome, "mu_star"].max()
                scale = float(top) if top > 0 else 1.0
            if value >= opts.ci_min_index * scale and conf > opts.ci_width_warning * value:
                out.append(
                    f"{tag}: interval half-width is more than {opts.ci_width_warning:.0%} of the index; "
                    f"raise N (or trajectories) before reading it"
                )
    return out


# ---------------------------------------------------------------------------------------------------
# the public entry points


@dataclass
class _Loaded:
    plan: Plan
    manifest: dict[str, Any]
    design: pd.DataFrame
    runs: pd.DataFrame
    sample: np.ndarray | None
    where: str


def _load(results_dir: str | Path, plan: Plan | None = None) -> _Loaded:
    results_dir = Path(results_dir)
    manifest = load_manifest(results_dir)
    plan = plan or plan_from_results(results_dir, manifest)
    where = str(results_dir)
    design = (
        _read_parquet(results_dir, "design.parquet").sort_values("point").reset_index(drop=True)
    )
    runs = _read_parquet(results_dir, "runs.parquet").sort_values(["point", "replication"])
    sample = check_design(plan, design, where)
    return _Loaded(plan, manifest, design, runs.reset_index(drop=True), sample, where)


def analyse_frames(
    plan: Plan,
    design: pd.DataFrame,
    runs: pd.DataFrame,
    outcomes: list[str] | tuple[str, ...] | None = None,
    sample: np.ndarray | None = None,
    where: str = "<frames>",
    prefix: int | None = None,
) -> SensitivityResult:
    """Analyse a design and its runs (the contents of ``design.parquet`` and ``runs.parquet``).

    Args:
        plan: the sensitivity plan.
        design: the design table, one row per point.
        runs: one row per run with ``point``, ``replication``, ``status`` and outcome columns.
        outcomes: outcomes to analyse (default: ``[analysis] outcomes`` or the headline outcomes).
        sample: the unrounded SALib sample (regenerated from the plan if None).
        where: name used in messages.
        prefix: analyse only the first ``prefix`` base rows (Sobol N) or trajectories (Morris).

    Raises:
        ResultsError: failed, missing or NaN runs.
    """
    design = design.sort_values("point").reset_index(drop=True)
    names = outcome_names(runs, plan, outcomes)
    skipped: dict[str, int] = {}
    if plan.options.nan_outcomes == "skip":
        for name in list(names):
            n_bad = int((~np.isfinite(runs[name].to_numpy(dtype=float))).sum())
            if n_bad:
                skipped[name] = n_bad
                names.remove(name)
        if not names:
            raise ResultsError(
                f"{where}: every outcome is NaN in some runs ({skipped}); nothing can be analysed"
            )
    means, within, reps = point_means(plan, runs, names, len(design), where)
    if sample is None and plan.method != "ofat":
        sample = salib_sample(plan)
    rows: list[dict[str, Any]] = []
    for outcome in names:
        y = means[outcome].to_numpy(float)
        if plan.method == "sobol":
            rows += sobol_rows(plan, y, outcome, prefix or plan.settings["n"])
        elif plan.method == "morris":
            r = plan.settings["optimal_trajectories"] or plan.settings["trajectories"]
            rows += morris_rows(plan, sample, y, outcome, prefix or r)
        else:
            rows += ofat_rows(plan, design, runs, means, outcome)
    indices = pd.DataFrame(rows, columns=list(INDEX_COLUMNS))
    ranking_outcome = plan.options.ranking_outcome
    if ranking_outcome not in names:
        ranking_outcome = "fte_freed_2035" if "fte_freed_2035" in names else names[0]
    warns = [
        f"{o}: undefined (NaN) in {k} of {len(runs)} runs; no indices for it, since they would come from a "
        f'partial sample (analysis.nan_outcomes = "skip")'
        for o, k in skipped.items()
    ]
    warns += index_warnings(plan, indices)
    noise_by_outcome = {o: noise_level(plan, indices, means, within, reps, o) for o in names}
    for o in names:
        if np.ptp(means[o].to_numpy(float)) == 0.0:
            warns.append(f"{o}: the outcome is constant over the sample; every index is 0")
    has_levers = any(f.kind == "lever" for f in plan.factors)
    if has_levers:
        effects = lever_effects(plan, design, runs, means, ranking_outcome)
        ranking = ranking_table(
            plan, indices, effects, noise_by_outcome[ranking_outcome], ranking_outcome
        )
    else:
        ranking = pd.DataFrame()
    if plan.options.randomness == "replicate_mean" and plan.method == "sobol":
        for o, nz in noise_by_outcome.items():
            if np.isfinite(nz["value"]) and nz["value"] > 0.05:
                warns.append(
                    f"{o}: noise left in the mean of {reps} replications is {nz['value']:.1%} of the "
                    f"variance analysed; total indices are inflated by up to that much (use "
                    f'randomness = "seed_factor" or more replications)'
                )
    info = {
        "method": plan.method,
        "randomness": plan.options.randomness,
        "randomness_explained": RANDOMNESS_TEXT[plan.options.randomness],
        "outcomes": names,
        "skipped_outcomes": skipped,
        "ranking_outcome": ranking_outcome if has_levers else None,
        "factors": [
            {"factor": f.name, "kind": f.kind, "low": f.low, "high": f.high, "integer": f.integer}
            for f in plan.analysed_factors
        ],
        "settings": plan.settings,
        "replications": reps,
        "design_points": len(design),
        "runs": len(runs),
        "sample_seed": plan.sample_seed,
        "conf_level": plan.options.conf_level,
        "num_resamples": plan.options.num_resamples,
        "ci_width_warning": plan.options.ci_width_warning,
        "ci_min_index": plan.options.ci_min_index,
        "noise": noise_by_outcome,
        "effect_method": (ranking["effect_method"].iloc[0] if len(ranking) else None),
        "warnings": warns,
    }
    return SensitivityResult(indices, ranking, warns, info)


def _atomic_write(path: Path, write: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    tmp.replace(path)


def write_result(result: SensitivityResult, results_dir: str | Path) -> None:
    """Write ``indices``, ``ranking`` (Parquet and CSV) and ``analysis.json`` into ``results_dir``."""
    out = Path(results_dir)
    for name, frame in (("indices", result.indices), ("ranking", result.ranking)):
        _atomic_write(out / f"{name}.parquet", lambda p, f=frame: f.to_parquet(p, index=False))
        _atomic_write(out / f"{name}.csv", lambda p, f=frame: f.to_csv(p, index=False))
    text = json.dumps(result.info, indent=2, default=_json_default) + "\n"
    _atomic_write(out / "analysis.json", lambda p: p.write_text(text, encoding="utf-8"))


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return str(obj)


def analyse(
    results_dir: str | Path,
    outcomes: list[str] | tuple[str, ...] | None = None,
    write: bool = True,
    plan: Plan | None = None,
) -> SensitivityResult:
    """Analyse a finished sensitivity experiment and (by default) write the outputs next to its runs.

    Args:
        results_dir: the experiment's results directory.
        outcomes: outcomes to analyse (default: the experiment file's ``[analysis] outcomes``, else the
            headline outcomes present in ``runs.parquet``).
        write: write ``indices.*``, ``ranking.*``, ``convergence.*`` and ``analysis.json``.
        plan: use this plan instead of rebuilding it from the stored experiment file.

    Raises:
        ResultsError: not a sensitivity experiment, incomplete, failed or NaN runs.
    """
    loaded = _load(results_dir, plan)
    result = analyse_frames(
        loaded.plan, loaded.design, loaded.runs, outcomes, loaded.sample, loaded.where
    )
    result.info["results_dir"] = str(results_dir)
    result.info["experiment"] = loaded.manifest.get("name")
    result.info["master_seed"] = loaded.manifest.get("master_seed")
    result.info["model"] = loaded.manifest.get("model")
    if loaded.plan.method != "ofat":
        conv = _convergence_from(loaded, result.info["outcomes"])
        result.info["convergence"] = _convergence_summary(conv)
        if write:
            out = Path(results_dir)
            _atomic_write(out / "convergence.parquet", lambda p: conv.to_parquet(p, index=False))
            _atomic_write(out / "convergence.csv", lambda p: conv.to_csv(p, index=False))
    if write:
        write_result(result, results_dir)
    return result


def _convergence_from(loaded: _Loaded, outcomes: list[str]) -> pd.DataFrame:
    plan = loaded.plan
    full = (
        plan.settings["n"]
        if plan.method == "sobol"
        else (plan.settings["optimal_trajectories"] or plan.settings["trajectories"])
    )
    sizes = [full // 2, full] if full // 2 >= 2 else [full]
    frames = []
    for size in sizes:
        res = analyse_frames(
            plan, loaded.design, loaded.runs, outcomes, loaded.sample, loaded.where, prefix=size
        )
        frames.append(res.indices)
    table = pd.concat(frames, ignore_index=True)
    return table[table["kind"] != "pair"].reset_index(drop=True)


def convergence(results_dir: str | Path, outcomes: list[str] | None = None) -> pd.DataFrame:
    """Indices at half and full sample size from the same runs (Sobol N/2 vs N, Morris r/2 vs r).

    SALib's Sobol sample is nested (the first N (D + 2) rows of the 2N sample are the N sample) and Morris
    trajectories are independent, so no extra runs are needed. Column ``n`` holds the size.
    """
    loaded = _load(results_dir)
    if loaded.plan.method == "ofat":
        raise ResultsError(
            f"{results_dir}: convergence applies to morris and sobol designs, not ofat"
        )
    names = outcome_names(loaded.runs, loaded.plan, outcomes)
    return _convergence_from(loaded, names)


def _convergence_summary(conv: pd.DataFrame) -> dict[str, Any]:
    sizes = sorted(conv["n"].unique())
    if len(sizes) < 2:
        return {"sizes": [int(s) for s in sizes]}
    small = conv[conv["n"] == sizes[0]].set_index(["outcome", "factor"])
    big = conv[conv["n"] == sizes[-1]].set_index(["outcome", "factor"])
    out: dict[str, Any] = {"sizes": [int(s) for s in sizes]}
    for col in ("S1", "ST", "mu_star"):
        if big[col].notna().any():
            out[f"max_abs_change_{col}"] = float((big[col] - small[col]).abs().max())
    return out


def ranking_metric(results_dir: str | Path) -> tuple[pd.DataFrame, str]:
    """The written ranking table of a results directory and its metric.

    Raises:
        ResultsError: if the directory has not been analysed.
    """
    path = Path(results_dir) / "ranking.parquet"
    if not path.is_file():
        raise ResultsError(
            f"{results_dir}: no ranking.parquet; run `opisim sensitivity` on the experiment file or "
            f"sim.analysis.analyse(results_dir) first"
        )
    table = pd.read_parquet(path)
    metric = str(table["metric"].iloc[0]) if len(table) else "ST"
    return table, metric


def compare_rankings(dir_a: str | Path, dir_b: str | Path, top: int = 3) -> dict[str, Any]:
    """Robustness of the lever ranking between two analysed results directories (e.g. two master seeds).

    Returns:
        ``spearman`` (rank correlation of the ranking metric over the levers), ``top_a``, ``top_b``
        (the ``top`` levers of each), ``same_top`` (same set) and ``same_order``.
    """
    a, metric = ranking_metric(dir_a)
    b, _ = ranking_metric(dir_b)
    merged = a[["lever", "value"]].merge(b[["lever", "value"]], on="lever", suffixes=("_a", "_b"))
    if len(merged) < 2:
        raise ResultsError(
            f"{dir_a} and {dir_b}: fewer than 2 levers in common; nothing to compare"
        )
    rho = stats.spearmanr(merged["value_a"], merged["value_b"]).statistic
    top_a = a.sort_values("rank")["lever"].head(top).tolist()
    top_b = b.sort_values("rank")["lever"].head(top).tolist()
    return {
        "metric": metric,
        "outcome": str(a["outcome"].iloc[0]),
        "spearman": float(rho),
        "top_a": top_a,
        "top_b": top_b,
        "same_top": set(top_a) == set(top_b),
        "same_order": top_a == top_b,
        "dir_a": str(dir_a),
        "dir_b": str(dir_b),
    }
