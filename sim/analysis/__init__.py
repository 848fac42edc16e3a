"""Sensitivity analysis on SALib, on top of the experiment layer: designs, test functions, analysis.

Public API: :func:`run_sensitivity` runs a sensitivity experiment file and analyses it; the others take
a finished results directory, so an analysis can be redone without rerunning the model:
:func:`analyse`, :func:`convergence`, :func:`compare_rankings`, :func:`print_ranking`. The design
kinds ``ofat``, ``morris`` and ``sobol`` and the test-function models register themselves with the
experiment layer when it looks for plug-ins.
"""

from __future__ import annotations

from sim.analysis.report import print_ranking, ranking_text
from sim.analysis.runner import SENSITIVITY_KINDS, run_sensitivity, with_master_seed
from sim.analysis.sensitivity import (
    SensitivityResult,
    analyse,
    analyse_frames,
    compare_rankings,
    convergence,
)

__all__ = [
    "SENSITIVITY_KINDS",
    "SensitivityResult",
    "analyse",
    "analyse_frames",
    "compare_rankings",
    "convergence",
    "print_ranking",
    "ranking_text",
    "run_sensitivity",
    "with_master_seed",
]
