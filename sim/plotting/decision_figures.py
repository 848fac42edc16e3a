"""Figures of the decision analyses: the recommendation forest plot and the goal-seeking front.

``recommendation_forest`` reads a recommend experiment's ``effects.parquet`` (``opisim recommend``);
``goal_front`` reads a goal-seeking directory's ``candidates.parquet`` and ``front.parquet``
(``opisim goal``). Both follow the house style and name their statistic in the source line. They are
registered in :data:`sim.plotting.figures.FIGURES` with a test of the directory's content, so that
``opisim plot`` and the report draw them only where they apply.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim import stats as ST
from sim.errors import ResultsError
from sim.plotting import labels as L
from sim.plotting import style as S
from sim.plotting.figures import PathLike, _finish, _legend_below, _number_formatter, _open
from sim.plotting.loaders import Results


def is_recommend(results: Results) -> bool:
    """Whether a directory holds a recommend experiment."""
    return results.kind == "experiment" and results.manifest.get("design_kind") == "recommend"


def _recommend_tables(results: Results, figure: str) -> tuple[pd.DataFrame, dict]:
    if not is_recommend(results):
        raise ResultsError(
            f"figure '{figure}' needs a recommend experiment (`opisim recommend FILE`), but "
            f"{results.path} has design kind {results.manifest.get('design_kind')!r}"
        )
    if not results.has("effects.parquet"):
        from sim.analysis.recommend import analyse

        analyse(results.path)
    info = json.loads((results.path / "recommend.json").read_text(encoding="utf-8"))
    return results.table("effects.parquet", None, None, figure), info


def recommendation_forest(
    results_dir: PathLike, lang: str = "en", width: str = "full", outcome: str | None = None
) -> Figure:
    """Each recommendation's effect on FTE freed: alone (from status quo) and removed (from all
    recommendations), mean and 5-95% over paired runs, sorted by the alone effect; then the theme
    bundles and all recommendations. Positive = frees labour.
    """
    name = "recommendation_forest"
    results = _open(results_dir, ("experiment",), name, lang, width)
    effects, info = _recommend_tables(results, name)
    outcome = outcome or str(info["ranking_outcome"])
    metric, _, year_text = outcome.rpartition("_")
    if metric != "fte_freed" or not year_text.isdigit():
        raise ResultsError(f"figure '{name}': outcome {outcome!r}; allowed: fte_freed_<year>")
    year = int(year_text)
    sub = effects[(effects["metric"] == "fte_freed") & (effects["year"] == year)]
    if sub.empty:
        raise ResultsError(f"figure '{name}': no effects for {outcome} in {results.path}")
    alone = sub[sub["kind"] == "alone"].sort_values("mean", ascending=True)
    removed = sub[sub["kind"] == "removed"].set_index("name")
    themes = sub[sub["kind"] == "theme"].sort_values("mean", ascending=True)
    theme_removed = sub[sub["kind"] == "theme_removed"].set_index("name")
    bundle = sub[sub["kind"] == "bundle"]
    rows: list[tuple[str, pd.Series, pd.Series | None, str]] = []
    for _, r in bundle.iterrows():
        rows.append((L.scenario("all_recommendations", lang), r, None, "all"))
    for _, r in themes.iterrows():
        rows.append(
            (
                L.scenario(f"theme_{r['name']}", lang),
                r,
                theme_removed.loc[r["name"]] if r["name"] in theme_removed.index else None,
                "theme",
            )
        )
    for _, r in alone.iterrows():
        rows.append(
            (
                L.lever(str(r["name"]), lang),
                r,
                removed.loc[r["name"]] if r["name"] in removed.index else None,
                "lever",
            )
        )
    n = len(rows)
    height = 3.2 + 0.40 * n if width == "full" else 3.6 + 0.44 * n
    with S.house_style(width):
        fig, body = S.new_figure(width, height)
        ax = body.subplots()
        lo_all, hi_all = 0.0, 0.0
        for i, (_title, main, other, group) in enumerate(rows):
            colour = S.GROUP_COLOURS[group]
            for r, offset, marker, face in (
                (main, 0.16, "o", colour),
                (other, -0.16, "D", "white"),
            ):
                if r is None:
                    continue
                y = i + offset
                ax.plot(
                    [r["p5"], r["p95"]], [y, y], color=colour, linewidth=1.0, solid_capstyle="butt"
                )
                ax.plot(
                    [r["mean"]], [y], marker=marker, color=colour, markerfacecolor=face,
                    markersize=3.8, markeredgewidth=0.9, linestyle="none",
                )  # fmt: skip
                lo_all, hi_all = min(lo_all, r["p5"]), max(hi_all, r["p95"])
        ax.axvline(0, color="#333333", linewidth=0.7)
        ax.set_yticks(np.arange(n), [t for t, *_ in rows])
        ax.set_ylim(-0.7, n - 0.3)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.tick_params(axis="y", length=0)
        ax.xaxis.set_major_formatter(_number_formatter(lang))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6 if width == "full" else 4))
        ax.set_xlim(lo_all - 0.04 * (hi_all - lo_all), hi_all + 0.04 * (hi_all - lo_all))
        ax.set_xlabel(
            f"{L.text('fte_freed_axis', lang)}, {year}: {L.text('difference_frees', lang)}"
        )
        handles = [
            Line2D([], [], marker="o", color="#333333", linestyle="-"),
            Line2D([], [], marker="D", color="#333333", markerfacecolor="white", linestyle="-"),
        ]
        names = [L.text("alone", lang), L.text("removed", lang)]
        _legend_below(body, handles, names, width, ncols=2)
        runs = int(info["futures"]) * int(info.get("replications") or 1)
        extra = (
            f"{ST.label(lang, runs)} ({info['futures']} {L.text('futures', lang)} x "
            f"{info.get('replications')} {L.text('seeds', lang)}, {L.text('paired', lang)})"
        )
        return _finish(fig, results, lang, width, extra=extra)


def is_goal(results: Results) -> bool:
    """Whether a directory holds goal-seeking results."""
    return results.kind == "goal"


def goal_front(results_dir: PathLike, lang: str = "en", width: str = "full") -> Figure:
    """Goal seeking: every evaluated portfolio's mean public cost against its probability of reaching
    the target (search futures), one panel per target year; the validated portfolios are marked and the
    required probability is drawn as a line.
    """
    name = "goal_front"
    results = _open(results_dir, ("goal",), name, lang, width)
    cands = results.table("candidates.parquet", None, None, name)
    front = results.table("front.parquet", None, None, name)
    info = results.json("goal.json")
    years = sorted(cands["target_year"].unique())
    with S.house_style(width):
        fig, body = S.new_figure(width, 7.5 if width == "full" else 6.5 * len(years))
        axes = np.atleast_1d(
            body.subplots(1, len(years), sharey=True)
            if width == "full"
            else body.subplots(len(years), 1)
        )
        for ax, year in zip(axes, years, strict=True):
            c = cands[cands["target_year"] == year]
            f = front[front["target_year"] == year]
            ax.scatter(
                c["cost"] / 1e6,
                c["probability"],
                s=5,
                color=S.LIGHT_GREY,
                edgecolor="none",
                zorder=2,
            )
            ax.scatter(
                f["cost"] / 1e6, f["probability"], s=16, color=S.OKABE_ITO["blue"], zorder=3, edgecolor="white", linewidth=0.4,
            )  # fmt: skip
            if "validation_probability" in f:
                ax.scatter(
                    f["validation_cost"] / 1e6, f["validation_probability"], s=18, marker="D",
                    facecolor="white", edgecolor=S.OKABE_ITO["vermillion"], linewidth=0.9, zorder=4,
                )  # fmt: skip
            ax.axhline(
                float(info.get("probability", 0.8)),
                color=S.GREY,
                linestyle=(0, (3, 2)),
                linewidth=0.9,
            )
            ax.set_ylim(-0.03, 1.03)
            ax.set_title(
                f"{L.format_number(float(info.get('target_fte', 10000)), lang)} {L.text('fte', lang)}, {year}",
                loc="left",
            )
            ax.xaxis.set_major_formatter(_number_formatter(lang))
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5 if width == "full" else 4))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: L.format_number(v, lang, 1)))
            ax.set_xlabel(L.text("public_cost_mdkk", lang))
        axes[0].set_ylabel(L.text("target_probability", lang))
        handles = [
            Line2D([], [], marker="o", color=S.LIGHT_GREY, linestyle="none"),
            Line2D([], [], marker="o", color=S.OKABE_ITO["blue"], linestyle="none"),
            Line2D(
                [],
                [],
                marker="D",
                color=S.OKABE_ITO["vermillion"],
                markerfacecolor="white",
                linestyle="none",
            ),
            Line2D([], [], color=S.GREY, linestyle=(0, (3, 2))),
        ]
        names = [
            L.text(key, lang)
            for key in (
                "goal_evaluated",
                "goal_validated_search",
                "goal_validated_fresh",
                "goal_required",
            )
        ]
        _legend_below(body, handles, names, width, ncols=4 if width == "full" else 2)
        extra = (
            f"NSGA-II, {info.get('population')} x {info.get('generations')}, "
            f"{info.get('futures')} {L.text('futures', lang)}"
        )
        return _finish(fig, results, lang, width, extra=extra)
