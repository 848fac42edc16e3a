"""Figures and reports from results directories (runs, experiments, sensitivity analyses).

Plotting reads results only, never runs the model. ``make_figure(name, results_dir, lang, width)``
returns a matplotlib Figure; ``opisim plot`` and ``opisim report`` (``sim.plotting.cli``) save them.
"""

from sim.plotting.figures import FIGURES, figures_for, make_figure
from sim.plotting.loaders import Results, open_results

__all__ = ["FIGURES", "Results", "figures_for", "make_figure", "open_results"]
