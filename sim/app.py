"""The interactive explorer: a Mesa SolaraViz page over :class:`sim.HealthSystemModel`.

Run it with ``opisim explore`` (or ``solara run sim/app.py``). The sidebar holds Mesa's step / play / reset
controls, the scenario picker, the seed, the staff scale and one slider per lever (unit, status-quo and
recommended values in the label). Moving a control changes the *next* model: press RESET to rebuild the
model with the new settings, then STEP or play. The main area shows, month by month: demand, supply and
FTE freed; the shortage as a share of demand; the innovation funnel; adoption of the leading solutions;
this month's headline numbers and the settings in force.

Charts are matplotlib figures in the house style (``sim.plotting.style``), drawn in national units.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.errors import ScenarioError
from sim.levers import LEVERS, Lever
from sim.model.model import HealthSystemModel
from sim.outputs import TARGET_FTE
from sim.plotting import labels, style
from sim.scenario import MIN_STAFF_SCALE

DEFAULT_STAFF_SCALE = 0.02  # agents per person: a month takes milliseconds, outputs stay national
STAFF_SCALE_RANGE = (MIN_STAFF_SCALE, 0.25, 0.005)  # min, max, step of the staff-scale slider
SEED_RANGE = (1, 100)
SCENARIO_DIR_ENV = "OPISIM_SCENARIO_DIR"
DEFAULT_SCENARIO_NAME = "baseline"
_NICE_STEPS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
_FIG_SIZE_IN = (5.6, 3.5)
_SCREEN_FONT_PT = 9.0


# --------------------------------------------------------------------------------------------------
# scenarios and controls (plain data, testable without a browser)


def scenario_dir() -> Path:
    """The folder of shipped scenarios: ``$OPISIM_SCENARIO_DIR``, else the repository's ``scenarios/``."""
    env = os.environ.get(SCENARIO_DIR_ENV)
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[1] / "scenarios"
    return repo if repo.is_dir() else Path.cwd() / "scenarios"


def scenario_files() -> dict[str, Path]:
    """Scenario name (file stem) -> path for every ``*.toml`` in :func:`scenario_dir`, baseline first."""
    files = sorted(scenario_dir().glob("*.toml"))
    names = {path.stem: path for path in files}
    ordered = dict(
        sorted(names.items(), key=lambda item: (item[0] != DEFAULT_SCENARIO_NAME, item[0]))
    )
    return ordered


def slider_step(lever: Lever) -> float:
    """A round slider step that gives about 50 positions and hits the status-quo and recommended values."""
    if lever.integer:
        return 1
    span = lever.high - lever.low
    for step in reversed(_NICE_STEPS):
        if step <= span / 50 and all(
            _on_grid(value, lever.low, step) for value in (lever.status_quo, lever.recommended)
        ):
            return step
    return _NICE_STEPS[0]


def _on_grid(value: float, origin: float, step: float) -> bool:
    k = (value - origin) / step
    return math.isclose(k, round(k), abs_tol=1e-9)


def _fmt(value: float) -> str:
    """A lever value without trailing zeros (0.10 -> 0.1, 20.0 -> 20)."""
    return f"{value:.6g}"


def lever_label(name: str) -> str:
    """Slider label: title, unit, status-quo and recommended values, e.g.

    ``Risk budget (% of operating budget) — SQ 0.1, rec. 0.5``.
    """
    lever = LEVERS[name]
    return (
        f"{labels.lever(name, 'en')} ({lever.unit}) — SQ {_fmt(lever.status_quo)}, "
        f"rec. {_fmt(lever.recommended)}"
    )


def model_params() -> dict[str, Any]:
    """SolaraViz ``model_params``: scenario, seed, staff scale, the lever switch and one slider per lever.

    Each key is a keyword argument of :class:`ExplorerModel`.
    """
    names = list(scenario_files()) or [DEFAULT_SCENARIO_NAME]
    default = DEFAULT_SCENARIO_NAME if DEFAULT_SCENARIO_NAME in names else names[0]
    lo, hi, step = STAFF_SCALE_RANGE
    params: dict[str, Any] = {
        "scenario_name": {"type": "Select", "value": default, "values": names, "label": "Scenario"},
        "seed": {
            "type": "SliderInt",
            "value": 1,
            "min": SEED_RANGE[0],
            "max": SEED_RANGE[1],
            "step": 1,
            "label": "Seed",
        },
        "staff_scale": {
            "type": "SliderFloat",
            "value": DEFAULT_STAFF_SCALE,
            "min": lo,
            "max": hi,
            "step": step,
            "label": "Staff scale (agents per person; outputs stay national)",
        },
        "levers_from_scenario": {
            "type": "Checkbox",
            "value": False,
            "label": "Take levers from the scenario file (ignore the sliders below)",
        },
    }
    for name, lever in LEVERS.items():
        params[name] = {
            "type": "SliderInt" if lever.integer else "SliderFloat",
            "value": int(lever.status_quo) if lever.integer else float(lever.status_quo),
            "min": int(lever.low) if lever.integer else float(lever.low),
            "max": int(lever.high) if lever.integer else float(lever.high),
            "step": slider_step(lever),
            "label": lever_label(name),
        }
    return params


# --------------------------------------------------------------------------------------------------
# the model as the explorer builds it


class ExplorerModel(HealthSystemModel):
    """:class:`HealthSystemModel` built from the explorer's controls.

    Args:
        scenario_name: a scenario file stem in :func:`scenario_dir` (e.g. ``baseline``).
        seed: run seed.
        staff_scale: agents per person (outputs are national either way).
        levers_from_scenario: if true, the lever values come from the scenario file and ``kwargs``
            are ignored; if false, every lever given in ``kwargs`` overrides the scenario.
        **kwargs: lever name -> value (``None`` keeps the scenario's value). Named ``kwargs`` because
            Mesa's SolaraViz parameter check accepts only a catch-all of that name.

    Attributes:
        scenario_name, levers_from_scenario: the explorer settings this model was built with.
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO_NAME,
        seed: int = 1,
        staff_scale: float = DEFAULT_STAFF_SCALE,
        levers_from_scenario: bool = False,
        **kwargs: Any,
    ) -> None:
        files = scenario_files()
        if scenario_name not in files:
            raise ScenarioError(
                f"unknown scenario {scenario_name!r} in {scenario_dir()}; "
                f"available: {', '.join(files) or 'none'}"
            )
        levers = {} if levers_from_scenario else kwargs
        super().__init__(
            scenario=None,
            seed=int(seed),
            scenario_path=str(files[scenario_name]),
            staff_scale=float(staff_scale),
            **levers,
        )
        self.scenario_name = scenario_name
        self.levers_from_scenario = bool(levers_from_scenario)


# --------------------------------------------------------------------------------------------------
# data views used by the components


def history(model: HealthSystemModel) -> pd.DataFrame:
    """The datacollector's model series with a ``date`` column (one row per simulated month)."""
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    df["date"] = pd.to_datetime(np.asarray(model.dates[: len(df)]).astype("datetime64[ns]"))
    return df


@dataclass(frozen=True)
class FunnelStage:
    """One stage of the innovation funnel chart."""

    column: str
    label: str
    cumulative: bool  # True for a monthly flow shown as its running total


FUNNEL: tuple[FunnelStage, ...] = (
    FunnelStage("startups_alive", "Start-ups alive", False),
    FunnelStage("pilots_active", "Pilots active", False),
    FunnelStage("adoptions", "Adoptions (cumulative)", True),
    FunnelStage("solutions_in_use", "Solutions in use", False),
    FunnelStage("solutions_scaled", "Solutions scaled", False),
)


def funnel_series(df: pd.DataFrame) -> dict[str, pd.Series]:
    """Funnel label -> series over time, for the stages the model reports."""
    out: dict[str, pd.Series] = {}
    for stage in FUNNEL:
        if stage.column in df:
            values = df[stage.column].astype(float)
            out[stage.label] = values.cumsum() if stage.cumulative else values
    return out


HEADLINE_ROWS: tuple[tuple[str, str, Callable[[float], str]], ...] = (
    ("demand_fte", "Demand (FTE)", lambda v: f"{v:,.0f}"),
    ("supply_fte", "Supply (FTE)", lambda v: f"{v:,.0f}"),
    ("fte_freed", "FTE freed (net)", lambda v: f"{v:,.0f}"),
    ("gap_fte", "Shortage (FTE)", lambda v: f"{v:,.0f}"),
    ("gap_share", "Shortage (% of demand)", lambda v: f"{100 * v:.1f} %"),
    ("strain", "Strain (demand / capacity)", lambda v: f"{v:.3f}"),
    ("staff_headcount", "Staff (persons)", lambda v: f"{v:,.0f}"),
    ("attrition_rate", "Attrition (% per year)", lambda v: f"{100 * v:.1f} %"),
    ("pilots_active", "Pilots active", lambda v: f"{v:,.0f}"),
    ("solutions_in_use", "Solutions in use", lambda v: f"{v:,.0f}"),
    ("solutions_scaled", "Solutions scaled", lambda v: f"{v:,.0f}"),
    ("startups_alive", "Start-ups alive", lambda v: f"{v:,.0f}"),
)


def headline_table(model: HealthSystemModel) -> list[tuple[str, str]]:
    """(label, formatted value) rows of the current month's headline numbers; empty before step 1."""
    if model.steps == 0:
        return []
    numbers = model.current_headline()
    rows = [("Month", str(numbers.get("date", "")))]
    for key, label, fmt in HEADLINE_ROWS:
        value = numbers.get(key)
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            rows.append((label, fmt(float(value))))
    return rows


def settings_table(model: HealthSystemModel) -> list[tuple[str, str]]:
    """(setting, value) rows of what the current model was built with: scenario, seed, scale, levers."""
    scenario = model.scenario
    name = getattr(model, "scenario_name", scenario.name)
    source = "scenario file" if getattr(model, "levers_from_scenario", False) else "sliders"
    rows = [
        (
            "Scenario",
            f"{name} ({scenario.world.kind} world, {scenario.time.start_year}–"
            f"{scenario.time.end_year})",
        ),
        ("Seed", str(model.seed)),
        (
            "Staff scale",
            f"{scenario.world.staff_scale:g} (1 agent ≈ {1 / scenario.world.staff_scale:,.0f} "
            "persons)",
        ),
        ("Levers from", source),
    ]
    for lever_name, lever in LEVERS.items():
        value = float(getattr(scenario.levers, lever_name))
        if math.isclose(value, lever.status_quo):
            mark = "SQ"
        elif math.isclose(value, lever.recommended):
            mark = "rec."
        else:
            mark = ""
        rows.append((labels.lever(lever_name, "en"), f"{_fmt(value)} {mark}".strip()))
    return rows


def html_table(rows: list[tuple[str, str]], header: tuple[str, str], css_class: str) -> str:
    """A compact two-column HTML table (labels left, values right), text escaped."""
    head = f"<tr><th>{escape(header[0])}</th><th>{escape(header[1])}</th></tr>"
    body = "".join(f"<tr><td>{escape(a)}</td><td>{escape(b)}</td></tr>" for a, b in rows)
    return f'<table class="opisim-table {css_class}"><thead>{head}</thead><tbody>{body}</tbody></table>'


# --------------------------------------------------------------------------------------------------
# figures (house style at screen size)


def _screen_rc() -> dict[str, object]:
    rc = style.rc_params("full")
    size = _SCREEN_FONT_PT
    rc.update(
        {
            "font.size": size,
            "axes.titlesize": size + 1,
            "axes.labelsize": size,
            "xtick.labelsize": size - 1,
            "ytick.labelsize": size - 1,
            "legend.fontsize": size - 1,
            "lines.linewidth": 1.8,
        }
    )
    return rc


def _new_figure(
    nrows: int = 1, height_ratios: list[float] | None = None
) -> tuple[Figure, list[Any]]:
    import matplotlib as mpl

    with mpl.rc_context(_screen_rc()):
        fig = Figure(figsize=_FIG_SIZE_IN, dpi=100, layout="constrained")
        axes = fig.subplots(
            nrows,
            1,
            sharex=True,
            squeeze=False,
            gridspec_kw={"height_ratios": height_ratios} if height_ratios else None,
        )
    return fig, [ax for row in axes for ax in row]


def time_window(model: HealthSystemModel) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The x range of the time charts: the start to at least five years on, growing with the run."""
    start = pd.Timestamp(str(model.dates[0]))
    horizon = pd.Timestamp(str(model.dates[-1])) + pd.DateOffset(months=1)
    done = pd.Timestamp(str(model.dates[min(model.steps, len(model.dates) - 1)]))
    end = max(start + pd.DateOffset(years=5), done + pd.DateOffset(years=1))
    return start, min(end, horizon)


def _time_axis(ax: Any, model: HealthSystemModel) -> None:
    ax.set_xlim(*time_window(model))


def _waiting(ax: Any, text: str = "Press STEP or ▶ to simulate") -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color=style.GREY)


def _thousands(ax: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v / 1000:,.0f}k" if v else "0"))


def workforce_figure(model: HealthSystemModel) -> Figure:
    """Demand, supply and supply + freed (top); FTE freed against the 10,000 target (bottom)."""
    import matplotlib as mpl

    df = history(model)
    fig, (top, bottom) = _new_figure(2, [2.2, 1.0])
    with mpl.rc_context(_screen_rc()):
        top.set_title("Workforce: demand, supply and FTE freed (national FTE)")
        if len(df):
            top.plot(df["date"], df["demand_fte"], color=style.DEMAND_COLOUR, label="Demand")
            top.plot(df["date"], df["supply_fte"], color=style.SUPPLY_COLOUR, label="Supply")
            if (df["fte_freed"] != 0).any():
                top.plot(
                    df["date"],
                    df["supply_fte"] + df["fte_freed"],
                    color=style.CAPACITY_COLOUR,
                    linestyle="--",
                    label="Supply + freed",
                )
            top.fill_between(
                df["date"],
                df["supply_fte"] + df["fte_freed"],
                df["demand_fte"],
                where=df["demand_fte"] > df["supply_fte"] + df["fte_freed"],
                color=style.GAP_COLOUR,
                alpha=style.BAND_ALPHA,
                linewidth=0,
            )
            top.legend(loc="upper left", ncols=3)
            bottom.plot(df["date"], df["fte_freed"], color=style.CAPACITY_COLOUR)
        else:
            _waiting(top)
        bottom.axhline(TARGET_FTE, color=style.GREY, linestyle=":", linewidth=1.0)
        bottom.text(
            0.01,
            TARGET_FTE,
            "10k target",
            transform=bottom.get_yaxis_transform(),
            va="bottom",
            ha="left",
            color=style.GREY,
            fontsize=_SCREEN_FONT_PT - 1,
        )
        bottom.axhline(0, color="#333333", linewidth=0.6)
        bottom.set_ylabel("FTE freed (net)")
        low = min(0.0, float(df["fte_freed"].min()) * 1.2) if len(df) else 0.0
        high = max(TARGET_FTE * 1.15, float(df["fte_freed"].max()) * 1.1 if len(df) else 0.0)
        bottom.set_ylim(low, high)
        _thousands(top)
        _thousands(bottom)
        _time_axis(bottom, model)
    return fig


def gap_figure(model: HealthSystemModel) -> Figure:
    """Shortage as a share of demand, with this month's value and FTE written on the chart."""
    import matplotlib as mpl

    df = history(model)
    fig, (ax,) = _new_figure()
    with mpl.rc_context(_screen_rc()):
        ax.set_title("Shortage: unmet demand (% of demand)")
        if len(df):
            share = 100 * df["gap_share"]
            ax.plot(df["date"], share, color=style.GAP_COLOUR)
            ax.fill_between(
                df["date"], share, 0, color=style.GAP_COLOUR, alpha=style.BAND_ALPHA, linewidth=0
            )
            last = df.iloc[-1]
            ax.annotate(
                f"{100 * last['gap_share']:.1f} %  ({last['gap_fte']:,.0f} FTE)",
                (last["date"], 100 * last["gap_share"]),
                xytext=(4, 6),
                textcoords="offset points",
                color=style.GAP_COLOUR,
                fontsize=_SCREEN_FONT_PT,
            )
            ax.set_ylim(min(0.0, float(share.min()) * 1.1), max(5.0, float(share.max()) * 1.25))
        else:
            _waiting(ax)
            ax.set_ylim(0, 5)
        ax.axhline(0, color="#333333", linewidth=0.6)
        ax.set_ylabel("% of demand")
        _time_axis(ax, model)
    return fig


def funnel_figure(model: HealthSystemModel) -> Figure:
    """Innovation funnel over time: start-ups alive (top); pilots, adoptions and solutions (bottom)."""
    import matplotlib as mpl

    df = history(model)
    fig, (top, bottom) = _new_figure(2, [1.0, 1.6])
    with mpl.rc_context(_screen_rc()):
        top.set_title("Innovation funnel (counts)")
        series = funnel_series(df) if len(df) else {}
        if getattr(model, "innovation", None) is None:
            _waiting(bottom, "Innovation layer switched off in this scenario")
        elif not series:
            _waiting(bottom)
        else:
            colours = iter(style.CYCLE)
            for label, values in series.items():
                ax = top if label == FUNNEL[0].label else bottom
                ax.plot(
                    df["date"],
                    values,
                    color=next(colours),
                    label=f"{label}: {values.iloc[-1]:,.0f}",
                )
            for ax in (top, bottom):
                lines = ax.get_lines()
                if lines:
                    ax.legend(loc="upper left", ncols=2)
                    peak = max(float(np.max(line.get_ydata())) for line in lines)
                    ax.set_ylim(0, max(1.0, peak * (1.45 if ax is top else 1.35)))
        top.set_ylabel("companies")
        bottom.set_ylabel("count")
        _time_axis(bottom, model)
    return fig


def short_label(text: str, width: int = 34) -> str:
    """``text`` without parentheses, cut to ``width`` characters with an ellipsis, keeping a trailing ``#id``."""
    text = re.sub(r"\s*\([^)]*\)", "", text).strip()
    if len(text) <= width:
        return text
    head, sep, tag = text.rpartition(" #")
    if sep and tag.isdigit():
        keep = width - len(tag) - 3
        return f"{head[:keep].rstrip()}… #{tag}"
    return text[: width - 1].rstrip() + "…"


def adoption_figure(model: HealthSystemModel, n: int = 8) -> Figure:
    """Adopting organisations of the most adopted solutions this month (horizontal bars)."""
    import matplotlib as mpl

    leading = model.leading_adoption(n) if model.steps else {}
    n_orgs = int(getattr(getattr(model, "world", None), "n", 0) or 0)
    fig, (ax,) = _new_figure()
    with mpl.rc_context(_screen_rc()):
        ax.set_title("Most adopted solutions")
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        if not leading:
            text = (
                "Innovation layer switched off in this scenario"
                if getattr(model, "innovation", None) is None
                else "No solution adopted yet"
            )
            _waiting(ax, text if model.steps else "Press STEP or ▶ to simulate")
            ax.set_yticks([])
        else:
            from matplotlib.ticker import MaxNLocator

            names = list(leading)
            values = [leading[k] for k in names]
            slots = range(n - 1, n - 1 - len(names), -1)  # top-down, fixed slot height
            ax.barh(list(slots), values, color=style.LEVER_COLOUR, height=0.6)
            ax.set_yticks(list(slots), [short_label(k) for k in names])
            ax.set_ylim(-0.5, n - 0.5)
            for y, value in zip(slots, values, strict=True):
                ax.text(value, y, f" {value:,.0f}", va="center", fontsize=_SCREEN_FONT_PT - 1)
            ax.set_xlim(0, max(values) * 1.2 if max(values) > 0 else 1)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel(
                "organisations using the solution" + (f" (of {n_orgs})" if n_orgs else "")
            )
    return fig


# --------------------------------------------------------------------------------------------------
# Solara components (one card each; SolaraViz lays them out on a grid)


def _chart(key: str, make: Callable[[HealthSystemModel], Figure], model: HealthSystemModel):
    """A card holding one figure; ``key`` names its CSS class (``opisim-<key>``) for tests."""
    update_counter.get()  # redraw after every step
    fig = make(model)
    with solara.Card(classes=["opisim-chart", f"opisim-{key}"], margin=0, elevation=1) as card:
        solara.FigureMatplotlib(fig, format="png")  # constrained layout: no "tight" pass
    return card


# Page CSS: long slider labels (unit, status quo, recommendation) go above the slider instead of
# squeezing it; compact tables.
PAGE_CSS = """
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-input__slot > .v-label {
    flex: 0 0 100%; max-width: 100%; white-space: normal; margin: 8px 0 6px 0;
    font-size: 13px; line-height: 1.25;
}
.v-input__slider .v-input__slot > .v-slider { flex: 1 1 100%; }
.opisim-table { border-collapse: collapse; font-size: 13px; width: 100%; }
.opisim-table th { text-align: left; border-bottom: 1px solid #999; padding: 2px 8px; }
.opisim-table td { padding: 1px 8px; border-bottom: 1px solid #eee; }
.opisim-table td:last-child, .opisim-table th:last-child { text-align: right; white-space: nowrap; }
.opisim-note { font-size: 13px; margin-bottom: 6px; }
"""


@solara.component
def WorkforceChart(model: HealthSystemModel):
    """Demand vs supply vs freed FTE over time."""
    return _chart("workforce", workforce_figure, model)


@solara.component
def GapChart(model: HealthSystemModel):
    """The shortage as a share of demand."""
    return _chart("gap", gap_figure, model)


@solara.component
def FunnelChart(model: HealthSystemModel):
    """The innovation funnel counts."""
    return _chart("funnel", funnel_figure, model)


@solara.component
def AdoptionChart(model: HealthSystemModel):
    """Adoption of the leading solutions."""
    return _chart("adoption", adoption_figure, model)


@solara.component
def HeadlineTable(model: HealthSystemModel):
    """This month's headline numbers."""
    update_counter.get()
    rows = headline_table(model)
    with solara.Card("This month", classes=["opisim-headline"], margin=0, elevation=1) as card:
        if rows:
            solara.HTML(
                unsafe_innerHTML=html_table(
                    rows, ("Headline (national units)", "Value"), "opisim-headline-table"
                )
            )
        else:
            solara.Text("No month simulated yet: press STEP or ▶ in the sidebar.")
    return card


@solara.component
def SettingsTable(model: HealthSystemModel):
    """The settings the current model was built with (they change only at RESET)."""
    update_counter.get()
    with solara.Card(
        "Settings in force", classes=["opisim-settings"], margin=0, elevation=1
    ) as card:
        solara.Style(PAGE_CSS)
        solara.HTML(
            unsafe_innerHTML=(
                "<p class='opisim-note'>Controls in the sidebar apply to the <b>next</b> model: move them, "
                "then press <b>RESET</b>. SQ = status quo, rec. = the council's recommendation.</p>"
            )
        )
        solara.HTML(
            unsafe_innerHTML=html_table(
                settings_table(model), ("Setting", "Value"), "opisim-settings-table"
            )
        )
    return card


COMPONENTS = [
    (WorkforceChart, 0),
    (GapChart, 0),
    (FunnelChart, 0),
    (AdoptionChart, 0),
    (HeadlineTable, 0),
    (SettingsTable, 0),
]


def _initial_model() -> ExplorerModel:
    defaults = {
        k: v["value"] if isinstance(v, dict) and "type" in v else v
        for k, v in model_params().items()
    }
    return ExplorerModel(**defaults)


page = SolaraViz(
    _initial_model(),
    components=COMPONENTS,
    model_params=model_params(),
    name="opisim explorer: Danish health workforce and labour-saving innovation (OPI)",
    play_interval=150,
)
