"""Calibration of the model's coefficients to Danish history with ABC-SMC (pyabc), made reproducible.

Use :func:`run_calibration` (also ``opisim calibrate FILE``) to run a calibration file into
``results/<name>/``, and :func:`draw_structural` to draw coefficients from the shipped posterior
(``sim/data/posterior.parquet``), the default structural uncertainty of experiments. See
``docs/CALIBRATION.md``.

Names are imported on first use, so importing the package does not import pyabc.
"""

from __future__ import annotations

from sim.lazy import lazy_exports

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


__getattr__ = lazy_exports(__name__, _EXPORTS)
