"""Figures and reports from results directories (runs, experiments, sensitivity analyses).

Plotting reads results only, never runs the model. :func:`make_figure` returns one matplotlib Figure;
:func:`plot_figures` draws and saves the figures of a results directory (``opisim plot``);
:func:`build_report` writes its HTML and Markdown report (``opisim report``).

Names are imported on first use, so that importing a light submodule (``sim.plotting.labels``) does not
load matplotlib.
"""

from __future__ import annotations

from sim.lazy import lazy_exports

_EXPORTS = {
    "FIGURES": "sim.plotting.figures",
    "figures_for": "sim.plotting.figures",
    "make_figure": "sim.plotting.figures",
    "Results": "sim.plotting.loaders",
    "open_results": "sim.plotting.loaders",
    "plot_figures": "sim.plotting.export",
    "parse_formats": "sim.plotting.export",
    "build_report": "sim.plotting.report",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_exports(__name__, _EXPORTS)
