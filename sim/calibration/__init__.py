"""Calibration of the model's coefficients to Danish history with ABC-SMC (pyabc), made reproducible.

Use :func:`run_calibration` (also ``opisim calibrate FILE``) to run a calibration file into
``results/<name>/``, and :func:`draw_structural` to draw coefficients from the shipped posterior
(``sim/data/posterior.parquet``), the default structural uncertainty of experiments. See
``docs/CALIBRATION.md``.

Names are imported on first use, so importing the package does not import pyabc.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CalibrationSpec": "sim.calibration.spec",
    "load_calibration": "sim.calibration.spec",
    "run_calibration": "sim.calibration.runner",
    "CalibrationResult": "sim.calibration.runner",
    "draw_structural": "sim.calibration.posterior",
    "load_posterior": "sim.calibration.posterior",
    "posterior_available": "sim.calibration.posterior",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim.calibration' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
