"""The house style of every opisim figure: sizes, fonts, the colour-blind-safe palette, the source line.

Figures are made at their final print size (8.5 cm single column or 17 cm full width), so that 7-8 pt
text stays 7-8 pt on the page: never scale a saved figure. Colours are the Okabe-Ito palette (safe for
the common colour-vision deficiencies); uncertainty bands are the line's colour at low opacity. Every
figure carries a source line: model version, scenario and replications.

Saving: PNG at 300 dpi; SVG with text as paths and PDF with TrueType (type 42) fonts, so both are vector
files with the fonts embedded and look the same on any machine.
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure, SubFigure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from sim.errors import ResultsError

CM = 1 / 2.54  # inches per cm
DPI = 300
WIDTHS_CM = {"single": 8.5, "full": 17.0}
HEIGHTS_CM = {"single": 6.5, "full": 8.5}
FORMATS = ("png", "svg", "pdf")

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
GREY = "#7F7F7F"
LIGHT_GREY = "#D9D9D9"
# Order for categorical series (yellow last: weak contrast on white).
CYCLE = [
    OKABE_ITO[k]
    for k in ("blue", "vermillion", "green", "orange", "purple", "sky_blue", "black", "yellow")
]
BAND_ALPHA = 0.18

# Fixed meanings used across figures.
DEMAND_COLOUR = OKABE_ITO["vermillion"]
SUPPLY_COLOUR = OKABE_ITO["blue"]
CAPACITY_COLOUR = OKABE_ITO["green"]
GAP_COLOUR = OKABE_ITO["vermillion"]
LEVER_COLOUR = OKABE_ITO["blue"]
UNCERTAINTY_COLOUR = OKABE_ITO["orange"]
OTHER_COLOUR = GREY
GROUP_COLOURS = {
    "baseline": OKABE_ITO["black"],
    "lever": OKABE_ITO["blue"],
    "theme": OKABE_ITO["green"],
    "all": OKABE_ITO["vermillion"],
    "other": OKABE_ITO["purple"],
}
SCENARIO_COLOURS = {
    "baseline": OKABE_ITO["black"],
    "all_recommendations": OKABE_ITO["vermillion"],
    "theme_core_task": OKABE_ITO["green"],
    "theme_citizens": OKABE_ITO["sky_blue"],
    "theme_industry": OKABE_ITO["orange"],
}

_FONT_PT = {"single": 7.0, "full": 8.0}
_SOURCE_PT = {"single": 5.5, "full": 6.5}


def check_width(width: str) -> str:
    """Return ``width`` if it is ``single`` or ``full``.

    Raises:
        ResultsError: for any other value.
    """
    if width not in WIDTHS_CM:
        raise ResultsError(f"unknown figure width {width!r}; allowed: {', '.join(WIDTHS_CM)}")
    return width


def rc_params(width: str) -> dict[str, object]:
    """The matplotlib rcParams of the house style at one width."""
    size = _FONT_PT[check_width(width)]
    return {
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans"],
        "font.size": size,
        "axes.titlesize": size + 0.5,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": size,
        "xtick.labelsize": size - 0.5,
        "ytick.labelsize": size - 0.5,
        "legend.fontsize": size - 0.5,
        "legend.title_fontsize": size - 0.5,
        "legend.frameon": False,
        "legend.handlelength": 1.6,
        "legend.columnspacing": 1.2,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.linewidth": 0.6,
        "axes.edgecolor": "#333333",
        "axes.labelcolor": "#222222",
        "axes.prop_cycle": mpl.cycler(color=CYCLE),
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": "#E5E5E5",
        "grid.linewidth": 0.5,
        "axes.axisbelow": True,
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "xtick.major.size": 2.5,
        "ytick.major.size": 2.5,
        "xtick.color": "#333333",
        "ytick.color": "#333333",
        "lines.linewidth": 1.3,
        "lines.markersize": 4.0,
        "errorbar.capsize": 0.0,
        "figure.dpi": 100,
        "savefig.dpi": DPI,
        "svg.fonttype": "path",
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "axes.formatter.use_mathtext": False,
        "axes.unicode_minus": True,
    }


@contextlib.contextmanager
def house_style(width: str) -> Iterator[None]:
    """Context in which figures are built and saved in the house style."""
    with mpl.rc_context(rc_params(width)):
        yield


@dataclass(frozen=True)
class SourceInfo:
    """What the source line says: model version, experiment and/or scenario, and replications."""

    version: str
    scenario: str | None
    replications: int | None = None
    extra: str = ""
    experiment: str | None = None

    def line(self, lang: str) -> str:
        """The source line in ``lang``."""
        from sim.plotting import labels

        parts = [f"{labels.text('source', lang)}: opisim {self.version}"]
        if self.experiment:
            parts.append(f"{labels.text('experiment', lang).lower()}: {self.experiment}")
        if self.scenario:
            parts.append(f"{labels.text('scenario', lang).lower()}: {self.scenario}")
        if self.replications is not None:
            word = "replication" if self.replications == 1 else "replications"
            parts.append(f"{self.replications} {labels.text(word, lang)}")
        if self.extra:
            parts.append(self.extra)
        return " · ".join(parts)


def new_figure(width: str, height_cm: float | None = None) -> tuple[Figure, SubFigure]:
    """An empty figure at print size, and the body to draw into (call inside :func:`house_style`).

    The figure holds two subfigures: the body (axes, legends; constrained layout) and a thin strip at
    the bottom for the source line (see :func:`add_source`), so legends never cover the source line.
    """
    check_width(width)
    height = HEIGHTS_CM[width] if height_cm is None else height_cm
    fig = Figure(figsize=(WIDTHS_CM[width] * CM, height * CM), dpi=100)
    fig.set_layout_engine(ConstrainedLayoutEngine(h_pad=2 / 72, w_pad=3 / 72, hspace=0, wspace=0))
    strip_in = _SOURCE_PT[width] * 1.8 / 72
    body_in = height * CM - strip_in
    body, _strip = fig.subfigures(2, 1, height_ratios=[body_in, strip_in], hspace=0)
    return fig, body


def add_source(fig: Figure, info: SourceInfo, lang: str, width: str) -> None:
    """Write the source line into the bottom strip of a figure made by :func:`new_figure`.

    A line too long for the width is wrapped; the figure then grows by the extra lines, so the body
    keeps its size and nothing is clipped.
    """
    size = _SOURCE_PT[check_width(width)]
    fig_w_pt = fig.get_figwidth() * 72
    max_chars = max(20, int(0.96 * fig_w_pt / (0.56 * size)))
    lines = textwrap.wrap(info.line(lang), max_chars, break_on_hyphens=False)
    if not fig.subfigs:
        fig.text(
            0.01, 0.005, "\n".join(lines), fontsize=size, color="#555555", ha="left", va="bottom"
        )
        return
    strip = fig.subfigs[-1]
    if len(lines) > 1:
        line_in = size * 1.25 / 72
        extra_in = (len(lines) - 1) * line_in
        w_in, h_in = fig.get_size_inches()
        gs = strip._subplotspec.get_gridspec()  # no public getter on SubFigure
        body_in, strip_in = gs.get_height_ratios()
        gs.set_height_ratios([body_in, strip_in + extra_in])
        fig.set_size_inches(w_in, h_in + extra_in)
    strip.text(
        0.01,
        0.5,
        "\n".join(lines),
        fontsize=size,
        color="#555555",
        ha="left",
        va="center",
        linespacing=1.25,
    )


def save_figure(fig: Figure, path: Path, fmt: str, width: str) -> Path:
    """Save ``fig`` as PNG (300 dpi), SVG or PDF (vector, fonts embedded) and return the path."""
    if fmt not in FORMATS:
        raise ResultsError(f"unknown figure format {fmt!r}; allowed: {', '.join(FORMATS)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata: dict[str, object] = {
        "png": {"Software": "opisim"},
        "svg": {"Date": None},
        "pdf": {"CreationDate": None},
    }[fmt]
    with house_style(width):
        fig.savefig(path, format=fmt, dpi=DPI, metadata=metadata)
    return path
