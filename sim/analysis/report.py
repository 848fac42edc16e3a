"""Plain-text report of a sensitivity experiment: the lever ranking, other factors, noise and warnings.

``opisim results DIR`` calls :func:`print_ranking` for results directories of kind "sensitivity".
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from sim.errors import ResultsError

INFLUENCE_NOTE = (
    "Influence ({metric}) is how much the outcome moves while a lever sweeps its whole range, in either "
    "direction; the value of a recommendation is the signed, paired effect of moving it from status quo "
    "to recommended: `opisim recommend experiments/recommend.toml` ranks that."
)


def _fmt(value: float, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _read(results_dir: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    info_path = results_dir / "analysis.json"
    if not info_path.is_file():
        from sim.analysis.sensitivity import analyse

        analyse(results_dir)  # the runs are there: compute the analysis now (raises if incomplete)
    info = json.loads(info_path.read_text(encoding="utf-8"))
    indices = pd.read_parquet(results_dir / "indices.parquet")
    ranking = pd.read_parquet(results_dir / "ranking.parquet")
    return info, indices, ranking


def ranking_text(results_dir: str | Path) -> str:
    """The report of an analysed sensitivity experiment as text.

    Raises:
        ResultsError: if the directory is not a (complete) sensitivity experiment.
    """
    path = Path(results_dir)
    if not (path / "manifest.json").is_file():
        raise ResultsError(
            f"{path}: no manifest.json; allowed: a results directory of `opisim sensitivity`"
        )
    info, indices, ranking = _read(path)
    method = info["method"]
    lines = [
        f"Sensitivity analysis: {info.get('experiment') or path.name} ({method}, {info['design_points']} "
        f"design points, {info['runs']} runs, model {info.get('model')})",
        f"Randomness: {info['randomness']} -- {info['randomness_explained']}",
    ]
    if len(ranking):
        outcome = info["ranking_outcome"]
        metric = ranking["metric"].iloc[0]
        lines += [
            "",
            f"Influence diagnostic (not the value of a recommendation): levers ranked by {metric} of "
            f"{outcome}",
            "  " + INFLUENCE_NOTE.format(metric=metric),
            f"{'rank':>4}  {'lever':<26} {metric:>9} {'interval':>21}  {'sq -> rec effect':>22}  noise?",
        ]
        for r in ranking.itertuples(index=False):
            interval = f"[{_fmt(r.low)}, {_fmt(r.high)}]"
            effect = f"{_fmt(r.effect_sq_to_rec, 1)} +/- {_fmt(r.effect_conf, 1)}"
            flag = {True: "overlaps", False: "", None: "n/a"}.get(r.overlaps_noise, "n/a")
            lines.append(
                f"{r.rank:>4}  {r.lever:<26} {_fmt(r.value):>9} {interval:>21}  {effect:>22}  {flag}"
            )
        noise = info["noise"].get(outcome, {})
        lines.append(
            f"Noise level ({metric}): {_fmt(noise.get('value', float('nan')))} ({noise.get('how', '')}); "
            f"'overlaps': the lever's interval reaches the noise level."
        )
        lines.append(
            f"Effect status quo -> recommended (in {outcome} units): {info.get('effect_method')}"
        )
    metric_cols = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma"), "ofat": ("swing",)}[
        method
    ]
    others = indices[(indices["kind"] != "lever") & (indices["kind"] != "pair")]
    for outcome, group in others.groupby("outcome", sort=False):
        lines += ["", f"Other factors, {outcome}:"]
        for r in group.itertuples(index=False):
            vals = "  ".join(
                f"{c} {_fmt(getattr(r, c))} +/- {_fmt(getattr(r, c + '_conf'))}"
                if hasattr(r, c + "_conf")
                else f"{c} {_fmt(getattr(r, c))}"
                for c in metric_cols
            )
            lines.append(f"  {r.factor:<34} ({r.kind:<11}) {vals}")
    conv = info.get("convergence")
    if conv and len(conv.get("sizes", [])) > 1:
        changes = ", ".join(
            f"{k.replace('max_abs_change_', '')} {v:.4f}" for k, v in conv.items() if k != "sizes"
        )
        lines += [
            "",
            f"Convergence: largest change of an index between n = {conv['sizes'][0]} and "
            f"{conv['sizes'][-1]}: {changes}",
        ]
    if info.get("warnings"):
        lines += ["", f"Warnings ({len(info['warnings'])}):"]
        lines += [f"  - {w}" for w in info["warnings"][:30]]
        if len(info["warnings"]) > 30:
            lines.append(f"  ... and {len(info['warnings']) - 30} more in analysis.json")
    lines += [
        "",
        f"Tables: {path / 'indices.csv'}, {path / 'ranking.csv'}; details: {path / 'analysis.json'}",
    ]
    return "\n".join(lines)


def print_ranking(results_dir: str | Path) -> None:
    """Print the ranking report of a sensitivity results directory (``opisim results DIR``)."""
    print(ranking_text(results_dir))
