"""The figures: one function per figure, each reading a results directory and returning a Figure.

Every function has the signature ``f(results_dir, lang="en", width="full") -> Figure`` (some add an
optional keyword, e.g. the outcome), checks the directory's kind first and raises
:class:`sim.errors.ResultsError` with a clear message for the wrong kind or missing data. Figures only
read results; they never run the model. Over replications they show the median and the 5-95% band.

``FIGURES`` maps each figure name (as used by ``opisim plot --figure``) to its function, the kinds of
results it reads and its caption.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure, FigureBase
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from sim.errors import ResultsError, did_you_mean
from sim.outputs import OUTPUTS, TARGET_FTE, TARGET_YEAR
from sim.plotting import labels as L
from sim.plotting import style as S
from sim.plotting.loaders import Results, _article, open_results

Q_LOW, Q_HIGH = 0.05, 0.95
FIRST_YEAR, LAST_YEAR = 2025, 2045

# Timeseries columns that are monthly flows (cumulated for the figures); the others are stocks.
FLOW_COUNTERS = frozenset(name for name, row in OUTPUTS.items() if row.kind == "flow")
FUNNEL_STAGES = (
    "pilots_started",
    "evaluations",
    "procurements",
    "adoptions",
    "solutions_scaled",
    "abandonments",
)
STARTUP_SERIES = ("startups_alive", "startups_founded", "startups_failed", "startups_scaled")
MAX_SCENARIO_LINES = 7
MAX_ADOPTION_CURVES = 20
MAX_COMPARED_SCENARIOS = 40
_OUTCOME_PREFERENCE = ("fte_freed_2035", "fte_freed_2030", "fte_freed_2045", "gap_share_2035")

PathLike = str | Path | Results


# -- helpers ----------------------------------------------------------------------------------------


def _open(
    results_dir: PathLike, kinds: tuple[str, ...], figure: str, lang: str, width: str
) -> Results:
    L.check_lang(lang)
    S.check_width(width)
    results = open_results(results_dir)
    results.require(kinds, figure)
    return results


def _number_formatter(lang: str, decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: L.format_number(v, lang, decimals))


def _percent_formatter(lang: str) -> FuncFormatter:
    sep = " %" if lang == "da" else "%"
    return FuncFormatter(lambda v, _pos: f"{L.format_number(v, lang, 0)}{sep}")


def _decimal_year(frame: pd.DataFrame) -> np.ndarray:
    if "year" in frame and "month" in frame:
        return frame["year"].to_numpy(float) + (frame["month"].to_numpy(float) - 1) / 12
    dates = pd.to_datetime(frame["date"])
    return (dates.dt.year + (dates.dt.month - 1) / 12).to_numpy(float)


def _year_axis(ax: Axes, start: float, end: float, step: int = 5) -> None:
    ax.set_xlim(start, end)
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.xaxis.set_minor_locator(MultipleLocator(1))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}"))
    ax.tick_params(axis="x", which="minor", length=1.5)


def _fte_axis(ax: Axes, lang: str, label: str | None = None) -> None:
    ax.yaxis.set_major_formatter(_number_formatter(lang))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=3))
    if label:
        ax.set_ylabel(label)


def _band_stats(frame: pd.DataFrame, by: list[str], cols: list[str]) -> pd.DataFrame:
    """Median and 5-95% quantiles of ``cols`` over replications, per ``by`` group."""
    grouped = frame.groupby(by, sort=True)[cols]
    med = grouped.median()
    lo = grouped.quantile(Q_LOW)
    hi = grouped.quantile(Q_HIGH)
    out = med.copy()
    for c in cols:
        out[f"{c}_lo"] = lo[c]
        out[f"{c}_hi"] = hi[c]
    return out.reset_index()


def _plot_series(
    ax: Axes,
    x: np.ndarray,
    stats: pd.DataFrame,
    col: str,
    colour: str,
    label: str,
    band: bool,
    **kw: object,
) -> None:
    if band and f"{col}_lo" in stats:
        ax.fill_between(
            x,
            stats[f"{col}_lo"].to_numpy(),
            stats[f"{col}_hi"].to_numpy(),
            color=colour,
            alpha=S.BAND_ALPHA,
            linewidth=0,
        )
    ax.plot(x, stats[col].to_numpy(), color=colour, label=label, **kw)


def _legend_below(
    fig: FigureBase, handles: list, labels_: list[str], width: str, ncols: int | None = None
) -> None:
    if ncols is None:
        ncols = min(len(handles), 4 if width == "full" else 2)
    longest = max((len(x) for x in labels_), default=0)
    limit = 96 if width == "full" else 46  # characters that fit on one legend row
    while ncols > 1 and ncols * (longest + 5) > limit:
        ncols -= 1
    fig.legend(handles, labels_, loc="outside lower center", ncols=max(ncols, 1))


def _band_handle(colour: str) -> Patch:
    return Patch(facecolor=colour, alpha=S.BAND_ALPHA + 0.1, edgecolor="none")


def _experiment_series(
    results: Results, figure: str, cols: list[str], labels_: list[str] | None = None
) -> pd.DataFrame:
    """Experiment timeseries (sector 'all') for ``labels_``, with a decimal year column ``t``."""
    base = ["label", "replication", "year", "month", "sector"]
    filters: list[tuple[str, str, object]] = [("sector", "==", "all")]
    if labels_ is not None:
        filters.append(("label", "in", list(labels_)))
    frame = results.table("timeseries.parquet", base + cols, filters, figure)
    frame = frame[frame["sector"] == "all"]
    if labels_ is not None:
        frame = frame[frame["label"].isin(labels_)]
    if frame.empty:
        raise ResultsError(
            f"figure '{figure}': timeseries.parquet in {results.path} has no rows for "
            f"sector 'all'{' and ' + ', '.join(labels_) if labels_ else ''}"
        )
    frame = frame.copy()
    frame["t"] = _decimal_year(frame)
    return frame


def _cumulate(frame: pd.DataFrame, cols: list[str], by: list[str]) -> pd.DataFrame:
    """Replace monthly flow columns by their running totals within each ``by`` group."""
    frame = frame.sort_values([*by, "t"]).copy()
    for c in cols:
        if c in FLOW_COUNTERS:
            frame[c] = frame.groupby(by, sort=False)[c].cumsum()
    return frame


def _finish(
    fig: Figure,
    results: Results,
    lang: str,
    width: str,
    scenario: str | None = None,
    extra: str = "",
) -> Figure:
    S.add_source(fig, results.source(scenario, extra), lang, width)
    return fig


def _scenario_colour(label: str, index: int) -> str:
    if label in S.SCENARIO_COLOURS:
        return S.SCENARIO_COLOURS[label]
    free = [
        c for c in S.CYCLE if c not in S.SCENARIO_COLOURS.values() and c != S.OKABE_ITO["yellow"]
    ]
    return free[index % len(free)] if free else S.CYCLE[index % len(S.CYCLE)]


# -- demographic pressure ---------------------------------------------------------------------------


def demographic_pressure(results_dir: PathLike, lang: str = "en", width: str = "full") -> Figure:
    """Demand vs supply of FTE by sector, 2025-2045, with the gap shaded (the double pressure).

    Reads a run directory, or an experiment directory's reference scenario (median and 5-95% band over
    replications). Supply plus net FTE freed by innovation is drawn when innovation frees any labour;
    the shaded gap is demand minus (supply + net FTE freed), as in the labour accounts.
    """
    name = "demographic_pressure"
    results = _open(results_dir, ("run", "experiment"), name, lang, width)
    cols = ["demand_fte", "supply_fte", "fte_freed"]
    sectors = ["hospital", "municipal", "all"]
    if results.kind == "run":
        frame = results.table("timeseries.parquet", ["year", "month", "sector", *cols], None, name)
        frame = frame[frame["sector"].isin(sectors)].copy()
        frame["replication"] = 0
        scenario = results.name
    else:
        scenario = results.reference_label()
        base = ["label", "replication", "year", "month", "sector"]
        frame = results.table("timeseries.parquet", base + cols, [("label", "==", scenario)], name)
        frame = frame[(frame["label"] == scenario) & frame["sector"].isin(sectors)].copy()
    if frame.empty:
        raise ResultsError(f"figure '{name}': no timeseries rows for the sectors in {results.path}")
    frame["capacity_fte"] = frame["supply_fte"] + frame["fte_freed"]
    # Annual means: monthly supply has a yearly saw-tooth (graduates enter once a year).
    frame = frame.groupby(["sector", "replication", "year"], as_index=False)[
        [*cols, "capacity_fte"]
    ].mean()
    frame["t"] = frame["year"].astype(float)
    stats = _band_stats(frame, ["sector", "t"], [*cols, "capacity_fte"])
    band = results.kind != "run"
    show_capacity = bool((frame["fte_freed"].abs() > 0.005 * frame["supply_fte"]).any())

    present = [s for s in sectors if (stats["sector"] == s).any()]
    with S.house_style(width):
        fig, body = S.new_figure(width, 7.8 if width == "full" else 15.0)
        axes = (
            body.subplots(1, len(present))
            if width == "full"
            else body.subplots(len(present), 1, sharex=True)
        )
        axes = np.atleast_1d(axes)
        for ax, sector in zip(axes, present, strict=True):
            s = stats[stats["sector"] == sector].sort_values("t")
            x = s["t"].to_numpy()
            top = s["demand_fte"].to_numpy()
            bottom = s["capacity_fte"].to_numpy()
            ax.fill_between(
                x,
                bottom,
                top,
                where=top > bottom,
                interpolate=True,
                color=S.GAP_COLOUR,
                alpha=0.22,
                linewidth=0,
                hatch=None,
            )
            _plot_series(ax, x, s, "demand_fte", S.DEMAND_COLOUR, L.text("demand", lang), band)
            _plot_series(ax, x, s, "supply_fte", S.SUPPLY_COLOUR, L.text("supply", lang), band)
            if show_capacity:
                _plot_series(
                    ax,
                    x,
                    s,
                    "capacity_fte",
                    S.CAPACITY_COLOUR,
                    L.text("capacity", lang),
                    band,
                    linestyle=(0, (4, 1.5)),
                )
            ax.set_title(L.sector(sector, lang))
            _year_axis(ax, max(FIRST_YEAR, x.min()), min(LAST_YEAR, x.max()))
            _fte_axis(ax, lang)
            _annotate_gap(ax, s, lang)
        axes[0].set_ylabel(L.text("demand_supply_axis", lang))
        if width == "single":
            for ax in axes:
                ax.set_ylabel(L.text("demand_supply_axis", lang))
        handles = [Line2D([], [], color=S.DEMAND_COLOUR), Line2D([], [], color=S.SUPPLY_COLOUR)]
        names = [L.text("demand", lang), L.text("supply", lang)]
        if show_capacity:
            handles.append(Line2D([], [], color=S.CAPACITY_COLOUR, linestyle=(0, (4, 1.5))))
            names.append(L.text("capacity", lang))
        handles.append(Patch(facecolor=S.GAP_COLOUR, alpha=0.22, edgecolor="none"))
        names.append(L.text("gap", lang))
        if band:
            handles.append(_band_handle(S.GREY))
            names.append(L.text("band", lang))
        _legend_below(body, handles, names, width, ncols=len(handles) if width == "full" else 2)
        return _finish(
            fig,
            results,
            lang,
            width,
            scenario=L.scenario(scenario, lang),
            extra=L.text("annual_mean", lang),
        )


def _annotate_gap(ax: Axes, s: pd.DataFrame, lang: str) -> None:
    """Write the gap in the last year up to 2035 (annual mean) into the panel's upper left corner."""
    dec = s[s["t"] < 2036]
    if dec.empty:
        return
    row = dec.iloc[-1]
    gap = row["demand_fte"] - row["capacity_fte"]
    share = 100 * gap / row["demand_fte"] if row["demand_fte"] else float("nan")
    year = int(row["t"])
    gap_word = L.text("gap", lang).split(" (")[0]
    pct = " %" if lang == "da" else "%"
    txt = (
        f"{gap_word} {year}: {L.format_number(gap, lang)} {L.text('fte', lang)}\n"
        f"({L.format_number(share, lang, 1)}{pct})"
    )
    ax.text(
        0.03,
        0.97,
        txt,
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize="small",
        color="#333333",
    )


# -- FTE freed over time ----------------------------------------------------------------------------


def _pick_scenarios(labels_: list[str], final: pd.Series) -> tuple[list[str], int]:
    """At most MAX_SCENARIO_LINES scenarios: status quo, bundles, then the strongest others."""
    priority = [
        x
        for x in (
            "baseline",
            "all_recommendations",
            "theme_core_task",
            "theme_citizens",
            "theme_industry",
        )
        if x in labels_
    ]
    rest = [x for x in final.sort_values(ascending=False).index if x not in priority]
    chosen = (priority + rest)[:MAX_SCENARIO_LINES]
    return [x for x in labels_ if x in chosen], len(labels_) - len(chosen)


def fte_freed(results_dir: PathLike, lang: str = "en", width: str = "full") -> Figure:
    """FTE freed (net) over time per scenario: median and 5-95% band, and the 10,000 FTE by 2030 target.

    Reads an experiment directory with timeseries. With more than seven scenarios, the status quo, the
    bundles and the strongest single levers are drawn (the scenario comparison shows them all).
    """
    name = "fte_freed"
    results = _open(results_dir, ("experiment",), name, lang, width)
    order = results.design_labels()
    frame = _experiment_series(results, name, ["fte_freed"])
    stats = _band_stats(frame, ["label", "t"], ["fte_freed"])
    final = stats.sort_values("t").groupby("label")["fte_freed"].last()
    present = [x for x in order if x in set(stats["label"])]
    chosen, omitted = _pick_scenarios(present, final)
    chosen.sort(key=lambda x: -final[x])
    with S.house_style(width):
        fig, body = S.new_figure(width, 8.5 if width == "full" else 9.5)
        ax = body.subplots()
        x_max = float(stats["t"].max())
        handles, names = [], []
        for i, label in enumerate(chosen):
            s = stats[stats["label"] == label].sort_values("t")
            colour = _scenario_colour(label, i)
            title = L.scenario(label, lang, prefix=True)
            _plot_series(ax, s["t"].to_numpy(), s, "fte_freed", colour, title, True)
            handles.append(Line2D([], [], color=colour))
            names.append(title)
        target_x = TARGET_YEAR + 11 / 12
        ax.axhline(TARGET_FTE, color=S.GREY, linestyle=(0, (3, 2)), linewidth=0.9)
        ax.plot(
            [target_x],
            [TARGET_FTE],
            marker="D",
            color=S.OKABE_ITO["black"],
            markersize=3.5,
            linestyle="none",
            zorder=5,
        )
        ax.annotate(
            L.text("target_10k", lang),
            (target_x, TARGET_FTE),
            xytext=(-3, 3),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize="small",
            color="#333333",
        )
        _year_axis(ax, max(FIRST_YEAR, float(stats["t"].min())), min(LAST_YEAR + 1, x_max))
        _fte_axis(ax, lang, L.text("fte_freed_axis", lang))
        lo = min(0.0, float(stats["fte_freed_lo"].min()))
        hi = max(float(stats["fte_freed_hi"].max()), TARGET_FTE) * 1.08
        ax.set_ylim(lo - 0.03 * (hi - lo) if lo < 0 else 0.0, hi)
        if lo < 0:
            ax.axhline(0, color="#333333", linewidth=0.6, zorder=1)
        handles.append(_band_handle(S.GREY))
        names.append(L.text("band", lang))
        if width == "full":
            body.legend(handles, names, loc="outside right upper")
        else:
            _legend_below(body, handles, names, width, ncols=2)
        extra = ""
        if omitted:
            extra = (
                f"{omitted} scenarios not drawn, see scenario_comparison"
                if lang == "en"
                else f"{omitted} scenarier ikke vist, se scenario_comparison"
            )
        return _finish(fig, results, lang, width, extra=extra)


# -- scenario comparison ----------------------------------------------------------------------------


def scenario_comparison(results_dir: PathLike, lang: str = "en", width: str = "full") -> Figure:
    """FTE freed in 2030 and 2035 per scenario (median and 5-95% over replications), sorted by 2035.

    Reads an experiment directory's runs.parquet (successful runs only). Colours say the scenario's
    group: status quo, one lever alone, a theme bundle, all recommendations.
    """
    name = "scenario_comparison"
    results = _open(results_dir, ("experiment",), name, lang, width)
    years = (2030, 2035)
    cols = [f"fte_freed_{y}" for y in years]
    runs = results.table("runs.parquet", ["label", "status", *cols], None, name)
    runs = runs[runs["status"] == "ok"]
    if runs.empty:
        raise ResultsError(
            f"figure '{name}': runs.parquet in {results.path} has no successful runs"
        )
    stats = _band_stats(runs, ["label"], cols).sort_values(
        cols[-1], ascending=True, ignore_index=True
    )
    n = len(stats)
    if n > MAX_COMPARED_SCENARIOS:
        raise ResultsError(
            f"figure '{name}' compares a list of scenarios (at most {MAX_COMPARED_SCENARIOS}), but "
            f"{results.path} has {n} design points (a sampled or grid design); read it with "
            f"`opisim results {results.path}` instead"
        )
    height = 2.6 + 0.42 * n if width == "full" else 3.0 + 0.46 * n
    with S.house_style(width):
        fig, body = S.new_figure(width, height)
        ax = body.subplots()
        ypos = np.arange(n)
        markers = {2030: ("o", "none"), 2035: ("D", None)}
        offsets = {2030: 0.17, 2035: -0.17}
        for year, col in zip(years, cols, strict=True):
            for i, row in stats.iterrows():
                colour = S.GROUP_COLOURS[L.scenario_group(str(row["label"]))]
                marker, face = markers[year]
                y = ypos[i] + offsets[year]
                ax.plot(
                    [row[f"{col}_lo"], row[f"{col}_hi"]],
                    [y, y],
                    color=colour,
                    linewidth=1.0,
                    solid_capstyle="butt",
                )
                ax.plot(
                    [row[col]],
                    [y],
                    marker=marker,
                    color=colour,
                    markersize=3.8,
                    markerfacecolor=face if face else colour,
                    markeredgewidth=0.9,
                    linestyle="none",
                )
        ax.set_yticks(ypos, [L.scenario(str(x), lang) for x in stats["label"]])
        ax.set_ylim(-0.6, n - 0.4)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.tick_params(axis="y", length=0)
        ax.axvline(TARGET_FTE, color=S.GREY, linestyle=(0, (3, 2)), linewidth=0.9)
        ax.xaxis.set_major_formatter(_number_formatter(lang))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5 if width == "full" else 4))
        ax.set_xlabel(L.text("fte_freed_axis", lang))
        ax.set_xlim(left=min(0.0, float(stats[[f"{c}_lo" for c in cols]].min().min())))
        groups = [
            g
            for g in ("baseline", "lever", "theme", "all", "other")
            if any(L.scenario_group(str(x)) == g for x in stats["label"])
        ]
        handles = [
            Line2D([], [], marker="o", markerfacecolor="none", color="#333333", linestyle="none"),
            Line2D([], [], marker="D", color="#333333", linestyle="none"),
            Line2D([], [], color=S.GREY, linestyle=(0, (3, 2))),
        ]
        names = ["2030", "2035", L.text("target_10k", lang)]
        for g in groups:
            handles.append(Patch(facecolor=S.GROUP_COLOURS[g], edgecolor="none"))
            names.append(L.text(f"group_{g}", lang))
        _legend_below(body, handles, names, width, ncols=4 if width == "full" else 2)
        return _finish(fig, results, lang, width, extra=L.text("interval", lang))


# -- innovation funnel ------------------------------------------------------------------------------


def innovation_funnel(results_dir: PathLike, lang: str = "en", width: str = "full") -> Figure:
    """The innovation pipeline: cumulative pilots, evaluations, procurements, adoptions, scaled
    solutions and abandonments over time, and the totals by the last year as a funnel.

    From a run directory, or from an experiment directory (``all_recommendations`` over time if present,
    else the reference scenario; totals for the status quo and all recommendations where present).
    """
    name = "innovation_funnel"
    results = _open(results_dir, ("run", "experiment"), name, lang, width)
    stages = list(FUNNEL_STAGES)
    if results.kind == "run":
        frame = results.table(
            "timeseries.parquet", ["year", "month", "sector", *stages], None, name
        )
        frame = frame[frame["sector"] == "all"].copy()
        frame["t"] = _decimal_year(frame)
        frame["label"] = results.name
        frame["replication"] = 0
        over_time = results.name
        compare = [results.name]
    else:
        found = results.design_labels()
        ref = results.reference_label()
        over_time = "all_recommendations" if "all_recommendations" in found else ref
        compare = list(dict.fromkeys([ref, over_time]))
        frame = _experiment_series(results, name, stages, compare)
    frame = _cumulate(frame, stages, ["label", "replication"])
    stats = _band_stats(frame, ["label", "t"], stages)
    band = results.kind != "run"
    last_t = float(stats["t"].max())
    with S.house_style(width):
        fig, body = S.new_figure(width, 8.0 if width == "full" else 13.5)
        if width == "full":
            ax_t, ax_f = body.subplots(1, 2, width_ratios=[1.25, 1])
        else:
            ax_t, ax_f = body.subplots(2, 1)
        s = stats[stats["label"] == over_time].sort_values("t")
        colours = dict(zip(stages, S.CYCLE, strict=False))
        for stage in stages:
            _plot_series(
                ax_t, s["t"].to_numpy(), s, stage, colours[stage], L.counter(stage, lang), band
            )
        ax_t.set_title(
            f"{L.text('panel_over_time', lang)}: {L.scenario(over_time, lang)}", loc="left"
        )
        _year_axis(ax_t, max(FIRST_YEAR, float(s["t"].min())), min(LAST_YEAR + 1, last_t))
        _fte_axis(ax_t, lang, L.text("cumulative_count", lang))
        top = float(np.nanmax(s[[f"{st}_hi" for st in stages] if band else stages].to_numpy()))
        # headroom for the legend in the upper left (lines rise to the right)
        ax_t.set_ylim(0, max(top, 1.0) * (1.08 if width == "full" else 1.6))

        end = stats[np.isclose(stats["t"], last_t)]
        ypos = np.arange(len(stages))[::-1]
        height = 0.8 / len(compare)
        hatches = [None, "////", "xx"]
        bar_max = 0.0
        for j, label in enumerate(compare):
            row = end[end["label"] == label]
            if row.empty:
                continue
            row = row.iloc[0]
            vals = np.array([row[st] for st in stages], dtype=float)
            off = (j - (len(compare) - 1) / 2) * height
            bar_kw = {
                "color": [colours[st] for st in stages],
                "height": height * 0.92,
                "edgecolor": "white",
                "linewidth": 0.4,
            }
            if len(compare) > 1 and j > 0:
                bar_kw.update(
                    color="white",
                    edgecolor=[colours[st] for st in stages],
                    linewidth=0.9,
                    hatch=hatches[j % 3],
                )
            ax_f.barh(ypos - off, vals, **bar_kw)
            if band:
                lo = np.array([row[f"{st}_lo"] for st in stages])
                hi = np.array([row[f"{st}_hi"] for st in stages])
                ax_f.errorbar(
                    vals,
                    ypos - off,
                    xerr=[vals - lo, hi - vals],
                    fmt="none",
                    ecolor="#333333",
                    elinewidth=0.7,
                )
            else:
                hi = vals
            for yv, end_x, v in zip(ypos - off, np.maximum(hi, vals), vals, strict=True):
                ax_f.annotate(
                    L.format_number(v, lang),
                    (end_x, yv),
                    xytext=(2.5, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize="x-small",
                    color="#333333",
                )
            bar_max = max(bar_max, float(np.nanmax(np.maximum(hi, vals))))
        ax_f.set_xlim(0, bar_max * 1.16 if bar_max > 0 else 1.0)
        ax_f.set_yticks(ypos, [L.counter(st, lang) for st in stages])
        ax_f.tick_params(axis="y", length=0)
        ax_f.grid(axis="y", visible=False)
        ax_f.grid(axis="x", visible=True)
        ax_f.xaxis.set_major_formatter(_number_formatter(lang))
        ax_f.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax_f.set_xlabel(L.text("count", lang))
        ax_t.legend(loc="upper left")
        ax_f.set_title(L.text("count_by", lang, year=int(last_t)), loc="left")
        if len(compare) > 1:
            handles = [
                Patch(facecolor=S.GREY, edgecolor="white"),
                Patch(facecolor="white", edgecolor=S.GREY, hatch="////"),
            ]
            names = [
                f"{L.text('count_by', lang, year=int(last_t))}: {L.scenario(x, lang)}"
                for x in compare
            ]
            _legend_below(body, handles, names, width)
        if band:
            extra = L.text("interval", lang)
        else:
            extra = f"{L.text('seed_word', lang)} {results.manifest.get('seed', '?')}"
        return _finish(fig, results, lang, width, scenario=L.scenario(over_time, lang), extra=extra)


# -- adoption curves --------------------------------------------------------------------------------


def adoption_curves(results_dir: PathLike, lang: str = "en", width: str = "full") -> Figure:
    """Spread of solutions across organisations (S-curves): share of the target organisations using
    each solution, by calendar year and aligned at first adoption, coloured by solution type.

    Needs a run directory (``adoption.parquet``); experiment directories keep no adoption curves.
    Solutions adopted by at least two organisations are drawn, at most the 20 that spread furthest.
    """
    name = "adoption_curves"
    results = open_results(results_dir)
    L.check_lang(lang)
    S.check_width(width)
    if results.kind != "run":
        raise ResultsError(
            f"figure '{name}' needs a run directory (adoption.parquet, one row per month and solution); "
            f"{results.path} is {_article(results.kind)} {results.kind} directory, which keeps no adoption curves. Make a run "
            f"directory with `opisim run SCENARIO.toml --out DIR` and plot that"
        )
    cols = ["date", "solution_id", "archetype", "adopters", "n_target_orgs"]
    frame = results.table("adoption.parquet", cols, None, name)
    frame = frame[(frame["n_target_orgs"] > 0)].copy()
    first = frame[frame["adopters"] > 0].groupby("solution_id")["date"].min()
    frame = frame[frame["date"] >= frame["solution_id"].map(first)]  # from first adoption on
    frame["share"] = 100 * frame["adopters"] / frame["n_target_orgs"]
    frame["t"] = _decimal_year(frame)
    peak = frame.groupby("solution_id")["adopters"].max()
    spread = frame.groupby("solution_id")["share"].max()
    eligible = spread[peak[spread.index] >= 2].sort_values(ascending=False)
    total = int(len(eligible))
    chosen = list(eligible.index[:MAX_ADOPTION_CURVES])
    frame = frame[frame["solution_id"].isin(chosen)].sort_values(["solution_id", "t"])
    archetypes = sorted(frame["archetype"].astype(str).unique(), key=lambda a: L.archetype(a, lang))
    palette = [c for c in S.CYCLE if c != S.OKABE_ITO["yellow"]]
    dashes = ["-", (0, (4, 1.5)), (0, (1, 1.2))]
    colours = {a: palette[i % len(palette)] for i, a in enumerate(archetypes)}
    styles = {a: dashes[(i // len(palette)) % len(dashes)] for i, a in enumerate(archetypes)}
    with S.house_style(width):
        fig, body = S.new_figure(width, 8.0 if width == "full" else 14.0)
        ax_d, ax_a = body.subplots(1, 2, sharey=True) if width == "full" else body.subplots(2, 1)
        for _sid, g in frame.groupby("solution_id", sort=False):
            kind = str(g["archetype"].iloc[0])
            t = g["t"].to_numpy()
            y = g["share"].to_numpy()
            kw = {
                "color": colours[kind],
                "linestyle": styles[kind],
                "linewidth": 0.9,
                "alpha": 0.85,
                "drawstyle": "steps-post",
            }
            ax_d.plot(t, y, **kw)
            ax_a.plot(t - t[0], y, **kw)
        if frame.empty:
            for ax in (ax_d, ax_a):
                ax.text(0.5, 0.5, L.text("no_data", lang), transform=ax.transAxes, ha="center")
        ax_d.set_title(L.text("by_date", lang), loc="left")
        ax_a.set_title(L.text("aligned", lang), loc="left")
        if not frame.empty:
            _year_axis(
                ax_d,
                min(FIRST_YEAR, float(frame["t"].min()) // 1),
                min(LAST_YEAR + 1, float(frame["t"].max())),
            )
            ax_a.set_xlim(
                0,
                max(
                    1.0,
                    float((frame["t"] - frame.groupby("solution_id")["t"].transform("min")).max()),
                ),
            )
        ax_a.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax_a.set_xlabel(L.text("years_since_first", lang))
        ax_d.set_xlabel(L.text("calendar_year", lang))
        for ax in (ax_d, ax_a):
            top = float(frame["share"].max()) if not frame.empty else 100.0
            ax.set_ylim(0, min(100.0, np.ceil(top * 1.12 / 10) * 10) * 1.02)
            ax.yaxis.set_major_formatter(_percent_formatter(lang))
        ax_d.set_ylabel(L.text("share_target_orgs", lang))
        if width == "single":
            ax_a.set_ylabel(L.text("share_target_orgs", lang))
        handles = [Line2D([], [], color=colours[a], linestyle=styles[a]) for a in archetypes]
        names = [L.archetype(a, lang) for a in archetypes]
        if handles:
            _legend_below(
                body, handles, names, width, ncols=min(len(handles), 5 if width == "full" else 2)
            )
        extra = L.text("shown_of", lang, shown=len(chosen), total=total)
        extra += f" · {L.text('seed_word', lang)} {results.manifest.get('seed', '?')}"
        return _finish(
            fig, results, lang, width, scenario=L.scenario(results.name, lang), extra=extra
        )


# -- sensitivity: Sobol and Morris ------------------------------------------------------------------


def _indices(
    results: Results, method: str, figure: str, outcome: str | None, needed: list[str]
) -> tuple[pd.DataFrame, str]:
    frame = results.table("indices.parquet", None, None, figure)
    for col in ("method", "outcome", "factor", *needed):
        if col not in frame:
            raise ResultsError(
                f"figure '{figure}' needs column {col!r} in {results.path / 'indices.parquet'}"
            )
    frame = frame[frame["method"].astype(str).str.lower() == method]
    if frame.empty:
        raise ResultsError(
            f"figure '{figure}' needs {method} indices, but {results.path / 'indices.parquet'} has none "
            f"(it was made by a different method); run a {method} analysis with `opisim sensitivity`"
        )
    outcomes = list(dict.fromkeys(frame["outcome"].astype(str)))
    if outcome is None:
        outcome = next((o for o in _OUTCOME_PREFERENCE if o in outcomes), outcomes[0])
    if outcome not in outcomes:
        raise ResultsError(
            f"figure '{figure}': no {method} indices for outcome {outcome!r}; "
            f"available: {', '.join(outcomes)}"
        )
    frame = frame[frame["outcome"].astype(str) == outcome].copy()
    if "kind" not in frame:
        frame["kind"] = [_kind_of(str(f)) for f in frame["factor"]]
    frame["kind"] = frame["kind"].fillna("other").astype(str)
    frame = frame[frame["kind"] != "pair"]  # second-order rows (S2) are not drawn
    if "factor2" in frame:
        frame = frame[frame["factor2"].isna() | (frame["factor2"].astype(str) == "")]
    frame["kind"] = [k if k in _KIND_STYLE else "other" for k in frame["kind"]]
    return frame.reset_index(drop=True), outcome


def _kind_of(factor: str) -> str:
    from sim.levers import LEVERS, UNCERTAINTIES

    section, _, rest = factor.partition(".")
    key = rest or section
    if section == "levers" or key in LEVERS:
        return "lever"
    if section == "uncertainties" or key in UNCERTAINTIES:
        return "uncertainty"
    return "other"


_KIND_STYLE = {
    "lever": (S.LEVER_COLOUR, "o", None),
    "uncertainty": (S.UNCERTAINTY_COLOUR, "^", "////"),
    "seed": (S.OTHER_COLOUR, "s", "...."),
    "other": (S.OKABE_ITO["purple"], "D", "xxx"),
}
_KINDS = ("lever", "uncertainty", "seed", "other")


def _kind_name(kind: str, lang: str) -> str:
    return L.text(kind if kind in ("lever", "uncertainty", "seed") else "other_factor", lang)


def _sensitivity_extra(results: Results, method: str, lang: str) -> str:
    analysis = results.json("analysis.json")
    n = results.manifest.get("n_points")
    parts = [f"{method}"]
    if n:
        parts.append(f"{n} {L.text('points', lang)}")
    randomness = analysis.get("randomness")
    if isinstance(randomness, str) and randomness:
        parts.append(L.randomness(randomness, lang))
    return ", ".join(parts)


def sobol_indices(
    results_dir: PathLike, lang: str = "en", width: str = "full", outcome: str | None = None
) -> Figure:
    """Sobol first-order (S1) and total (ST) indices with their confidence intervals, ranked by ST.

    Reads a sensitivity directory's indices.parquet (method ``sobol``); levers and uncertainties are told
    apart by colour, hatching and marker. ``outcome`` defaults to FTE freed in 2035 when present.
    """
    name = "sobol_indices"
    results = _open(results_dir, ("sensitivity",), name, lang, width)
    frame, outcome = _indices(results, "sobol", name, outcome, ["S1", "ST"])
    for c in ("S1_conf", "ST_conf"):
        if c not in frame:
            frame[c] = np.nan
    frame = frame.sort_values("ST", ascending=True, ignore_index=True)
    n = len(frame)
    height = 3.4 + 0.45 * n if width == "full" else 3.8 + 0.48 * n
    with S.house_style(width):
        fig, body = S.new_figure(width, height)
        ax = body.subplots()
        y = np.arange(n)
        for i, row in frame.iterrows():
            colour, marker, hatch = _KIND_STYLE.get(row["kind"], _KIND_STYLE["other"])
            ax.barh(
                y[i],
                row["ST"],
                height=0.72,
                color=colour if hatch is None else "white",
                edgecolor=colour,
                hatch=hatch,
                linewidth=0.8,
                alpha=0.9,
            )
            if np.isfinite(row["ST_conf"]):
                ax.errorbar(
                    row["ST"],
                    y[i] + 0.2,
                    xerr=row["ST_conf"],
                    fmt="none",
                    ecolor="#555555",
                    elinewidth=0.6,
                    capsize=1.5,
                    capthick=0.6,
                )
            ax.errorbar(
                row["S1"],
                y[i] - 0.16,
                xerr=row["S1_conf"] if np.isfinite(row["S1_conf"]) else None,
                fmt=marker,
                color="black",
                markerfacecolor="white",
                markersize=3.4,
                elinewidth=0.7,
                markeredgewidth=0.8,
            )
        ax.set_yticks(y, [L.factor(str(f), lang) for f in frame["factor"]])
        ax.tick_params(axis="y", length=0)
        ax.set_ylim(-0.7, n - 0.3)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.axvline(0, color="#333333", linewidth=0.6)
        ax.set_xlabel(
            L.text("sobol_axis", lang).replace(" (", "\n(")
            if width == "single"
            else L.text("sobol_axis", lang)
        )
        ax.set_title(L.outcome(outcome, lang), loc="left")
        kinds = [k for k in _KINDS if (frame["kind"] == k).any()]
        handles, names = [], []
        for k in kinds:
            colour, marker, hatch = _KIND_STYLE[k]
            handles.append(
                Patch(facecolor=colour if hatch is None else "white", edgecolor=colour, hatch=hatch)
            )
            names.append(f"ST, {_kind_name(k, lang).lower()}")
        for k in kinds:
            colour, marker, _hatch = _KIND_STYLE[k]
            handles.append(
                Line2D(
                    [], [], marker=marker, color="black", markerfacecolor="white", linestyle="none"
                )
            )
            names.append(f"S1, {_kind_name(k, lang).lower()}")
        _legend_below(
            body, handles, names, width, ncols=len(kinds) if width == "single" else 2 * len(kinds)
        )
        return _finish(fig, results, lang, width, extra=_sensitivity_extra(results, "Sobol", lang))


def morris_plane(
    results_dir: PathLike, lang: str = "en", width: str = "full", outcome: str | None = None
) -> Figure:
    """The Morris μ*-σ plane: mean absolute elementary effect against its spread, per factor.

    Reads a sensitivity directory's indices.parquet (method ``morris``). Levers are blue circles,
    uncertainties orange triangles; horizontal bars are the μ* confidence intervals; dotted rays mark
    σ/μ* = 0.1, 0.5 and 1 (near-linear, monotonic, non-linear or interacting). The most influential
    factors are named.
    """
    name = "morris_plane"
    results = _open(results_dir, ("sensitivity",), name, lang, width)
    frame, outcome = _indices(results, "morris", name, outcome, ["mu_star", "sigma"])
    if "mu_star_conf" not in frame:
        frame["mu_star_conf"] = np.nan
    frame = frame.sort_values("mu_star", ascending=False, ignore_index=True)
    with S.house_style(width):
        fig, body = S.new_figure(width, 10.0 if width == "full" else 9.5)
        ax = body.subplots()
        x_max = float(np.nanmax(frame["mu_star"] + frame["mu_star_conf"].fillna(0))) * 1.05 or 1.0
        y_max = float(np.nanmax(frame["sigma"])) * 1.08 or 1.0
        for ratio in (0.1, 0.5, 1.0):
            xs = np.array([0, x_max])
            ax.plot(
                xs, ratio * xs, color=S.LIGHT_GREY, linewidth=0.8, linestyle=(0, (2, 2)), zorder=1
            )
            # label the ray where it leaves the axes (outside the frame, clear of the points)
            exits_top = ratio * x_max > y_max
            xe = y_max / ratio if exits_top else x_max
            ax.annotate(
                L.text("sigma_ratio", lang, r=ratio),
                (xe, ratio * xe),
                xytext=(0, 2) if exits_top else (2, 0),
                textcoords="offset points",
                fontsize="x-small",
                color="#777777",
                ha="center" if exits_top else "left",
                va="bottom" if exits_top else "center",
                annotation_clip=False,
            )
        for k in _KINDS[::-1]:
            sub = frame[frame["kind"] == k]
            if sub.empty:
                continue
            colour, marker, _h = _KIND_STYLE[k]
            ax.errorbar(
                sub["mu_star"],
                sub["sigma"],
                xerr=sub["mu_star_conf"].fillna(0),
                fmt=marker,
                color=colour,
                markersize=4.2,
                elinewidth=0.6,
                alpha=0.95,
                markeredgecolor="white",
                markeredgewidth=0.4,
                zorder=3,
                label=_kind_name(k, lang),
            )
        ax.set_xlim(0, x_max)
        ax.set_ylim(0, y_max)
        ax.grid(axis="x", visible=True)
        ax.xaxis.set_major_formatter(_number_formatter(lang))
        ax.yaxis.set_major_formatter(_number_formatter(lang))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        unit = L.outcome_unit(outcome, lang)
        ax.set_xlabel(L.text("mu_star", lang) + (f", {unit}" if unit else ""))
        ax.set_ylabel(L.text("sigma", lang) + (f", {unit}" if unit else ""))
        ax.set_title(L.outcome(outcome, lang), loc="left")
        n_label = 8 if width == "full" else 6
        _label_points(body, ax, frame.head(n_label), lang)
        kinds = [k for k in _KINDS if (frame["kind"] == k).any()]
        handles = [
            Line2D([], [], marker=_KIND_STYLE[k][1], color=_KIND_STYLE[k][0], linestyle="none")
            for k in kinds
        ]
        _legend_below(body, handles, [_kind_name(k, lang) for k in kinds], width, ncols=len(kinds))
        return _finish(fig, results, lang, width, extra=_sensitivity_extra(results, "Morris", lang))


def _label_points(fig: FigureBase, ax: Axes, rows: pd.DataFrame, lang: str) -> None:
    """Name points with labels pushed apart vertically so that they do not overlap."""
    if rows.empty:
        return
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    px = (rows["mu_star"].to_numpy() - x0) / (x1 - x0)
    py = (rows["sigma"].to_numpy() - y0) / (y1 - y0)
    root = ax.get_figure(root=True)
    root.draw_without_rendering()  # settle the layout to know the axes' height
    ax_height_in = ax.get_position().height * root.get_figheight()
    font_pt = float(ax.xaxis.label.get_fontsize()) * 0.85
    step = 1.35 * font_pt / 72 / max(ax_height_in, 0.5)
    order = np.argsort(py)
    ty = py + 0.6 * step  # start just above the point, clear of its error bar
    for _ in range(50):  # relax: push apart, then pull back inside the axes
        moved = False
        for a, b in zip(order[:-1], order[1:], strict=True):
            if ty[b] - ty[a] < step:
                shift = (step - (ty[b] - ty[a])) / 2
                ty[a] -= shift
                ty[b] += shift
                moved = True
        ty = np.clip(ty, 0.03, 0.97)
        order = np.argsort(ty)
        if not moved:
            break
    ax_width_in = ax.get_position().width * root.get_figwidth()
    for i, (_, row) in enumerate(rows.iterrows()):
        name = L.factor(str(row["factor"]), lang)
        text_w = len(name) * 0.58 * font_pt / 72 / max(ax_width_in, 0.5)  # axes fraction, roughly
        left = px[i] + 0.04 + text_w > 0.99 and px[i] - 0.04 - text_w >= 0.0
        tx = px[i] - 0.04 if left else min(px[i] + 0.04, max(0.01, 0.99 - text_w))
        ax.annotate(
            name,
            (px[i], py[i]),
            xycoords="axes fraction",
            xytext=(tx, ty[i]),
            textcoords="axes fraction",
            ha="right" if left else "left",
            va="center",
            fontsize=font_pt,
            color="#222222",
            arrowprops={
                "arrowstyle": "-",
                "color": "#999999",
                "linewidth": 0.5,
                "shrinkA": 0,
                "shrinkB": 2.5,
            },
        )


# -- start-ups --------------------------------------------------------------------------------------


def startups(results_dir: PathLike, lang: str = "en", width: str = "full") -> Figure:
    """Start-up survival and growth: start-ups alive, founded, failed and scaled up over time, status
    quo (``baseline``) vs ``all_recommendations``; median and 5-95% band over replications.

    Reads an experiment directory with timeseries that has both scenarios.
    """
    name = "startups"
    results = _open(results_dir, ("experiment",), name, lang, width)
    wanted = ["baseline", "all_recommendations"]
    found = results.design_labels()
    missing = [w for w in wanted if w not in found]
    if missing:
        raise ResultsError(
            f"figure '{name}' compares scenarios 'baseline' and 'all_recommendations', but {results.path} "
            f"lacks {', '.join(repr(m) for m in missing)} (it has: {', '.join(found[:12])}"
            f"{', ...' if len(found) > 12 else ''}); run experiments/compare_recommendations.toml"
        )
    series = list(STARTUP_SERIES)
    frame = _experiment_series(results, name, series, wanted)
    frame = _cumulate(frame, series, ["label", "replication"])
    stats = _band_stats(frame, ["label", "t"], series)
    with S.house_style(width):
        fig, body = S.new_figure(width, 10.5 if width == "full" else 12.5)
        axes = body.subplots(2, 2, sharex=True).ravel()
        for ax, col in zip(axes, series, strict=True):
            for i, label in enumerate(wanted):
                s = stats[stats["label"] == label].sort_values("t")
                _plot_series(
                    ax,
                    s["t"].to_numpy(),
                    s,
                    col,
                    _scenario_colour(label, i),
                    L.scenario(label, lang),
                    True,
                )
            cum = col in FLOW_COUNTERS
            title = L.counter(col, lang)
            if cum:
                title += " (kumuleret)" if lang == "da" else " (cumulative)"
            ax.set_title(title, loc="left")
            _year_axis(
                ax,
                max(FIRST_YEAR, float(stats["t"].min())),
                min(LAST_YEAR + 1, float(stats["t"].max())),
                5 if width == "full" else 10,
            )
            _fte_axis(ax, lang)
            ax.set_ylim(bottom=0)
        for ax in axes[::2]:
            ax.set_ylabel(L.text("start_ups", lang))
        handles = [Line2D([], [], color=_scenario_colour(w, i)) for i, w in enumerate(wanted)]
        handles.append(_band_handle(S.GREY))
        _legend_below(
            body,
            handles,
            [L.scenario(w, lang) for w in wanted] + [L.text("band", lang)],
            width,
            ncols=3,
        )
        return _finish(fig, results, lang, width)


def calibration_targets(results_dir: PathLike, lang: str = "en", width: str = "full") -> Figure:
    """Calibration targets against the calibrated model's predictive band (sim.plotting.calibration)."""
    from sim.plotting.calibration import targets_figure

    return targets_figure(results_dir, lang, width)


def posterior_intervals(results_dir: PathLike, lang: str = "en", width: str = "full") -> Figure:
    """Posterior 5-95% intervals of the calibrated coefficients in their prior ranges."""
    from sim.plotting.calibration import intervals_figure

    return intervals_figure(results_dir, lang, width)


# -- registry ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureDef:
    """A figure: its function, the kinds of results it reads and its caption in both languages."""

    function: Callable[..., Figure]
    kinds: tuple[str, ...]
    caption_en: str
    caption_da: str

    def caption(self, lang: str) -> str:
        """The caption in ``lang``."""
        return self.caption_en if L.check_lang(lang) == "en" else self.caption_da


FIGURES: dict[str, FigureDef] = {
    "demographic_pressure": FigureDef(
        demographic_pressure,
        ("run", "experiment"),
        "The double demographic pressure: demand for staff (FTE) against the staff supply, by sector, "
        "2025-2045 (annual means). The shaded area is the shortage: demand minus (supply + net FTE freed "
        "by innovation).",
        "Det dobbelte demografiske pres: efterspørgsel efter personale (årsværk) over for udbuddet af "
        "personale, opdelt på sektorer, 2025-2045 (årsgennemsnit). Det skraverede område er manglen: "
        "efterspørgsel minus "
        "(udbud + frigjorte årsværk, netto).",
    ),
    "fte_freed": FigureDef(
        fte_freed,
        ("experiment",),
        "FTE freed by labour-saving innovation (net of the hours innovation itself costs) per scenario: "
        "median over replications with the 5-95% band, and the target of 10,000 FTE by 2030.",
        "Frigjorte årsværk fra arbejdskraftbesparende innovation (netto for de timer, innovationen selv "
        "koster) pr. scenarie: median over replikationerne med 5-95 %-bånd og målet om 10.000 årsværk i "
        "2030.",
    ),
    "scenario_comparison": FigureDef(
        scenario_comparison,
        ("experiment",),
        "Net FTE freed in 2030 (circles) and 2035 (diamonds) per scenario: each lever alone, the theme "
        "bundles and all recommendations; median and 5-95% interval over replications, sorted by 2035.",
        "Frigjorte årsværk (netto) i 2030 (cirkler) og 2035 (ruder) pr. scenarie: hvert virkemiddel alene, "
        "temapakkerne og alle anbefalinger; median og 5-95 %-interval over replikationerne, sorteret "
        "efter 2035.",
    ),
    "innovation_funnel": FigureDef(
        innovation_funnel,
        ("run", "experiment"),
        "The innovation funnel: cumulative pilots started, evaluations, procurements, adoptions, scaled "
        "solutions and abandonments over time, and the totals by the final year.",
        "Innovationstragten: kumuleret antal påbegyndte pilotprojekter, evalueringer, indkøb, "
        "ibrugtagninger, opskalerede løsninger og opgivne forløb over tid samt totalerne i det sidste år.",
    ),
    "adoption_curves": FigureDef(
        adoption_curves,
        ("run",),
        "Spread of solutions across organisations (S-curves): share of the target organisations using "
        "each solution, by calendar year and from its first adoption, coloured by solution type.",
        "Udbredelse af løsninger på tværs af organisationer (S-kurver): andel af målgruppens "
        "organisationer, der bruger hver løsning, efter kalenderår og fra første ibrugtagning, farvet "
        "efter løsningstype.",
    ),
    "sobol_indices": FigureDef(
        sobol_indices,
        ("sensitivity",),
        "Sobol indices: the share of the outcome's variance due to each lever or uncertainty alone (S1, "
        "markers) and including its interactions (ST, bars), with confidence intervals, ranked by ST.",
        "Sobol-indeks: den andel af udfaldets varians, der skyldes hvert virkemiddel eller hver "
        "usikkerhed alene (S1, markører) og inklusive samspil (ST, søjler), med konfidensintervaller, "
        "rangordnet efter ST.",
    ),
    "morris_plane": FigureDef(
        morris_plane,
        ("sensitivity",),
        "Morris screening: mean absolute elementary effect μ* (influence) against its spread σ "
        "(non-linearity and interactions) for each lever and uncertainty.",
        "Morris-screening: gennemsnitlig absolut elementareffekt μ* (indflydelse) over for dens spredning "
        "σ (ikke-linearitet og samspil) for hvert virkemiddel og hver usikkerhed.",
    ),
    "startups": FigureDef(
        startups,
        ("experiment",),
        "Start-up survival and growth under the status quo and with all recommendations: start-ups alive, "
        "founded, failed and scaled up; median and 5-95% band over replications.",
        "Startups' overlevelse og vækst under status quo og med alle anbefalinger: aktive, stiftede, "
        "lukkede og opskalerede startups; median og 5-95 %-bånd over replikationerne.",
    ),
    "calibration_targets": FigureDef(
        calibration_targets,
        ("calibration",),
        "Calibration targets against the calibrated model: for each historical target the model's "
        "posterior predictive 5-95% band (bar) and median (dot), as the distance from the observed value "
        "in units of the target's sd (grey: within 1 sd); held-out targets were not fitted. Observed and "
        "modelled values are written on the right.",
        "Kalibreringsmål over for den kalibrerede model: for hvert historisk mål modellens posterior "
        "prædiktive 5-95 %-bånd (bjælke) og median (prik) som afstanden fra den observerede værdi i "
        "enheder af målets sd (gråt: inden for 1 sd); mål, der er holdt ude, er ikke fittet. Observerede "
        "og modellerede værdier står til højre.",
    ),
    "posterior_intervals": FigureDef(
        posterior_intervals,
        ("calibration",),
        "Calibrated coefficients: the posterior 5-95% interval (bar) and median (circle) of each "
        "coefficient inside its prior range (grey); the values are written on the right.",
        "Kalibrerede koefficienter: posteriorens 5-95 %-interval (bjælke) og median (cirkel) for hver "
        "koefficient inden for dens prior-interval (gråt); værdierne står til højre.",
    ),
}


def figures_for(kind: str) -> list[str]:
    """Names of the figures that read results of ``kind``, in report order."""
    return [name for name, d in FIGURES.items() if kind in d.kinds]


def make_figure(name: str, results_dir: PathLike, lang: str = "en", width: str = "full") -> Figure:
    """Build the figure ``name`` from a results directory.

    Raises:
        ResultsError: unknown figure name, wrong kind of directory or missing data.
    """
    if name not in FIGURES:
        raise ResultsError(
            f"unknown figure {name!r}; allowed: {', '.join(FIGURES)}{did_you_mean(name, FIGURES)}"
        )
    return FIGURES[name].function(results_dir, lang=lang, width=width)
