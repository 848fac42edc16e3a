"""Input errors that the CLI turns into one clear message and a non-zero exit (no traceback)."""

from __future__ import annotations


class OpisimInputError(Exception):
    """Bad user input: a file, a key or a value. The message names all three and what is allowed."""


class ScenarioError(OpisimInputError):
    """A scenario file or override is invalid (unknown key, wrong type, out-of-range value, missing file)."""


class ExperimentError(OpisimInputError):
    """An experiment file is invalid, or an experiment cannot proceed as asked."""


class ResultsError(OpisimInputError):
    """A results directory is missing, of the wrong kind, or incomplete for what was asked."""


class CalibrationError(OpisimInputError):
    """A calibration file is invalid (unknown key, prior outside the allowed range, missing target),
    or a calibration cannot proceed as asked."""
