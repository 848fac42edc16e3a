"""The ``opisim`` command line: the parser and the entry point; each command lives in its own module.

Commands (one module each, listed in :data:`COMMAND_MODULES`):

- :mod:`sim.cli.run`: ``run``, ``levers``, ``calibration``
- :mod:`sim.cli.experiment`: ``experiment``, ``results``
- :mod:`sim.cli.sensitivity`: ``sensitivity``
- :mod:`sim.cli.calibrate`: ``calibrate``
- :mod:`sim.cli.plot`: ``plot``, ``report``
- :mod:`sim.cli.explore`: ``explore``

Adding a command:

1. Write ``sim/cli/<name>.py`` with a module docstring and a function ``register(subparsers)`` that adds
   its subcommand(s) with ``subparsers.add_parser(...)`` and sets ``func`` (``parser.set_defaults(func=
   ...)``) to a function ``(args: argparse.Namespace) -> int`` returning the exit code.
2. Import it below and add it to :data:`COMMAND_MODULES` (one line; the order is the order of ``opisim
   --help``).

Keep the command thin: the work it does belongs to a library function of its own package (``sim``,
``sim.experiments``, ``sim.analysis``, ``sim.plotting``, ...), exported there so that scripts can call it
too. Keep ``opisim --help``, ``opisim levers`` and friends fast: a command module imports only light
modules at the top and imports the heavy ones (the model, pandas, matplotlib, SALib) inside its command
function. Bad input raises :class:`sim.errors.OpisimInputError` (or a subclass) with one line naming the
file, the key and what is allowed; :func:`main` prints it on stderr and exits with code 2, never a
traceback. ``sim.cli.common`` holds the options and helpers several commands share.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from sim.cli import calibrate, experiment, explore, plot, run, sensitivity
from sim.errors import OpisimInputError, OpisimWarning

COMMAND_MODULES = (
    run,  # run, levers, calibration
    experiment,  # experiment, results
    sensitivity,  # sensitivity
    calibrate,  # calibrate
    plot,  # plot, report
    explore,  # explore
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command of :data:`COMMAND_MODULES`."""
    parser = argparse.ArgumentParser(
        prog="opisim",
        description="Agent-based simulation of the Danish health workforce and labour-saving innovation (OPI).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def _one_line_warnings(fallback):
    """A ``warnings.showwarning`` that prints our own warnings as one line (``opisim: warning:
    ...``) and passes the others to ``fallback``."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if issubclass(category, OpisimWarning):
            print(f"opisim: warning: {message}", file=sys.stderr, flush=True)
        else:
            fallback(message, category, filename, lineno, file, line)

    return show


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``opisim`` script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warnings(warnings.showwarning)
            return int(args.func(args) or 0)
    except OpisimInputError as exc:
        print(f"opisim: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (e.g. `opisim levers | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(
            "opisim: interrupted; finished runs are kept (use --resume to continue)",
            file=sys.stderr,
        )
        return 130
