"""The comparison table of ``opisim results``: each scenario's headline outcomes and its difference to the reference.

For every design point (scenario) and headline outcome: the mean and the 5-95% band over replications,
and the difference to the reference scenario (the first point) with its 5-95% band. Differences are
taken run by run, replication r of a scenario minus replication r of the reference; in a scenario-list
experiment both runs have the same seed (common random numbers), so the difference is paired by seed and
its band shows the effect of the scenario, not the noise between two unrelated runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import outputs
from sim.errors import ResultsError, did_you_mean
from sim.outputs import HEADLINE_OUTCOMES


def read_results(results_dir: str | Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """The manifest and the runs table of a results directory.

    Raises:
        ResultsError: if the directory, its manifest or its runs table is missing.
    """
    path = Path(results_dir)
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise ResultsError(
            f"{path}: no manifest.json; allowed: a results directory written by `opisim experiment`, "
            f"e.g. results/smoke"
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("kind") == "run":
        raise ResultsError(
            f"{path}: a single run (`opisim run`), not an experiment; its headline numbers are in "
            f"{path / 'summary.json'}, `opisim report {path}` writes its report; allowed here: an "
            f"experiment's results directory, e.g. results/smoke"
        )
    runs_path = path / "runs.parquet"
    if not runs_path.is_file():
        source = manifest.get("experiment_file")
        finish = (
            f"finish it with `opisim experiment {source} --resume --out {path}`"
            if source
            else "rerun its experiment with --resume"
        )
        raise ResultsError(
            f"{path}: no runs.parquet (the experiment has not finished); allowed: a finished results "
            f"directory, or {finish}"
        )
    return manifest, pd.read_parquet(runs_path)


def _band(values: np.ndarray) -> tuple[float, float, float]:
    if len(values) == 0:
        return float("nan"), float("nan"), float("nan")
    return float(np.mean(values)), float(np.percentile(values, 5)), float(np.percentile(values, 95))


def comparison_table(results_dir: str | Path, outcomes: list[str] | None = None) -> pd.DataFrame:
    """Per scenario and outcome: n, mean, p5, p95 and the difference to the reference with its band.

    Args:
        results_dir: a finished experiment directory.
        outcomes: outcome columns to compare (default: the headline outcomes present).

    Returns:
        Long table with columns ``point``, ``label``, ``outcome``, ``n``, ``mean``, ``p5``, ``p95``,
        ``diff_mean``, ``diff_p5``, ``diff_p95``, ``n_pairs``, ``paired_by_seed``.

    Raises:
        ResultsError: missing directory or files, or an unknown outcome.
    """
    manifest, runs = read_results(results_dir)
    if outcomes is None:
        outcomes = [o for o in HEADLINE_OUTCOMES if o in runs.columns]
    missing = [o for o in outcomes if o not in runs.columns]
    if missing:
        known = [c for c in runs.columns if runs[c].dtype.kind == "f" and c != "run_time_s"]
        raise ResultsError(
            f"{results_dir}: unknown outcome {missing[0]!r}; allowed: {', '.join(known)}"
            f"{did_you_mean(missing[0], known)}"
        )
    ok = runs[runs["status"] == "ok"]
    points = runs[["point", "label"]].drop_duplicates("point").sort_values("point")
    ref_point = int(points["point"].iloc[0])
    ref = ok[ok["point"] == ref_point].set_index("replication")
    rows = []
    for point, label in points.itertuples(index=False):
        mine = ok[ok["point"] == point].set_index("replication")
        common = mine.index.intersection(ref.index)
        paired = bool(len(common)) and bool(
            (mine.loc[common, "seed"] == ref.loc[common, "seed"]).all()
        )
        for outcome in outcomes:
            values = mine[outcome].dropna().to_numpy(dtype=float)
            mean, p5, p95 = _band(values)
            diff = (
                (mine.loc[common, outcome] - ref.loc[common, outcome])
                .dropna()
                .to_numpy(dtype=float)
            )
            d_mean, d_p5, d_p95 = _band(diff)
            rows.append(
                {
                    "point": int(point),
                    "label": label,
                    "outcome": outcome,
                    "n": len(values),
                    "mean": mean,
                    "p5": p5,
                    "p95": p95,
                    "diff_mean": d_mean,
                    "diff_p5": d_p5,
                    "diff_p95": d_p95,
                    "n_pairs": len(diff),
                    "paired_by_seed": paired,
                }
            )
    table = pd.DataFrame(rows)
    table.attrs["reference"] = str(points["label"].iloc[0])
    table.attrs["name"] = manifest.get("name", "")
    table.attrs["failed"] = int((runs["status"] != "ok").sum())
    return table


def _fmt(value: float, outcome: str) -> str:
    if not np.isfinite(value):
        return "-"
    parsed = outputs.parse_key(outcome)
    if parsed is not None and parsed[0].unit == "share":
        return f"{100 * value:.2f}%"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def _describe(outcome: str) -> str:
    """``name: label (unit): definition`` of an outcome (its name alone if it is no output)."""
    parsed = outputs.parse_key(outcome)
    if parsed is None:
        return outcome
    unit = outputs.unit(outcome)
    return (
        f"{outcome}: {outputs.label(outcome)}{f' ({unit})' if unit else ''}: {parsed[0].definition}"
    )


def format_comparison(table: pd.DataFrame) -> str:
    """The comparison table as text: one block per outcome, one line per scenario."""
    reference = table.attrs.get("reference", "")
    lines = [
        f"Experiment {table.attrs.get('name', '')}: mean and 5-95% band over replications; "
        f"difference to the reference '{reference}'"
        + (
            " paired by seed (common random numbers)"
            if table["paired_by_seed"].all()
            else " (not paired by seed: seeds differ between points)"
        ),
    ]
    if table.attrs.get("failed"):
        lines.append(f"Note: {table.attrs['failed']} failed run(s) left out.")
    width = max(12, *(len(str(label)) for label in table["label"]))
    for outcome, block in table.groupby("outcome", sort=False):
        lines.append("")
        lines.append(_describe(outcome))
        head = (
            f"  {'scenario':<{width}} {'n':>4} {'mean':>12} {'5%':>12} {'95%':>12}   "
            f"{'diff':>12} {'5%':>12} {'95%':>12}"
        )
        lines.append(head)
        for row in block.itertuples(index=False):
            lines.append(
                f"  {row.label:<{width}} {row.n:>4} {_fmt(row.mean, outcome):>12} "
                f"{_fmt(row.p5, outcome):>12} {_fmt(row.p95, outcome):>12}   "
                f"{_fmt(row.diff_mean, outcome):>12} {_fmt(row.diff_p5, outcome):>12} "
                f"{_fmt(row.diff_p95, outcome):>12}"
            )
    return "\n".join(lines)
