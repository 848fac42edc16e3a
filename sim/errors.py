"""Input errors that the CLI turns into one clear message and a non-zero exit (no traceback), the
warning for results to read with care, and the "did you mean ...?" hint for misspelt names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any


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


class OpisimWarning(UserWarning):
    """Valid input whose results need care (e.g. a staff scale below the documented minimum); the CLI
    prints it as one line, ``opisim: warning: ...``."""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the valid name closest to a misspelt one, or ``""`` if none is
    close (difflib's similarity ratio of at least 0.6)."""
    options = [str(c) for c in choices]
    if str(name) in options:
        return ""
    close = difflib.get_close_matches(str(name), options, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def first_problem(errors: list[dict[str, Any]]) -> tuple[dict[str, Any], tuple[str, ...], str, str]:
    """The problem to report of a pydantic ``ValidationError.errors()`` list (an unknown key first:
    typos explain the rest), its location, its dotted key and the note on how many others there are."""
    ordered = sorted(errors, key=lambda e: e["type"] != "extra_forbidden")
    err = ordered[0]
    loc = tuple(str(part) for part in err["loc"])
    more = f" (and {len(ordered) - 1} more problem(s))" if len(ordered) > 1 else ""
    return err, loc, ".".join(loc) if loc else "(top level)", more
