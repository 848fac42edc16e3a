"""The ``opisim`` command line.

Each subcommand lives with the layer it drives: a module listed in ``COMMAND_MODULES`` exposes
``register(subparsers)``, which adds its subcommand(s) and sets ``func`` on the parser. Input errors
(:class:`sim.errors.OpisimInputError`) become one clear line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from sim.errors import OpisimInputError

COMMAND_MODULES = (
    "sim.commands",  # run, levers, calibration
    "sim.experiments.cli",  # experiment, results
    "sim.analysis.cli",  # sensitivity
    "sim.analysis.decide_cli",  # recommend, goal
    "sim.plotting.cli",  # plot, report
    "sim.app_cli",  # explore
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="opisim",
        description="Agent-based simulation of the Danish health workforce and labour-saving innovation (OPI).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``opisim`` script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except OpisimInputError as exc:
        print(f"opisim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "opisim: interrupted; finished runs are kept (use --resume to continue)",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
