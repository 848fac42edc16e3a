"""Options and helpers that several ``opisim`` commands share (argument types, run options, file
commands, SIGTERM)."""

from __future__ import annotations

import argparse
import contextlib
import signal
from collections.abc import Callable, Iterator
from types import FrameType


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not >= 1")
    return value


def add_run_options(parser: argparse.ArgumentParser, workers_help: str = "") -> None:
    """The options every command that runs an experiment shares: --out, --workers, --dask, --resume,
    --overwrite, --no-progress (used by ``experiment``, ``sensitivity``, ``recommend`` and ``goal``)."""
    parser.add_argument("--out", help="results directory (default: results/<name>/)")
    parser.add_argument(
        "--workers",
        type=positive_int,
        help="local worker processes (default: all cores; 1 runs in this process)" + workers_help,
    )
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on the Dask scheduler at ADDRESS (e.g. tcp://10.0.0.5:8786), or 'local' for a "
        "LocalCluster on this machine",
    )
    parser.add_argument(
        "--resume", action="store_true", help="keep finished runs in the results directory"
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="delete earlier results in the directory"
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress bar or progress lines"
    )


def add_structural_option(parser: argparse.ArgumentParser, draws_per: str = "replication") -> None:
    """``--structural auto|posterior|none`` (``experiment``, ``sensitivity``, ``recommend``, ``goal``);
    ``draws_per`` says what takes one posterior draw (a replication; a future in the decision
    designs)."""
    parser.add_argument(
        "--structural",
        choices=("auto", "posterior", "none"),
        help=f"draw the calibrated coefficients from sim/data/posterior.parquet per {draws_per} "
        "('posterior'), keep the point values ('none'), or use the posterior if it is shipped "
        "('auto'); default: the file's experiment.structural (auto)",
    )


def add_file_command(
    subparsers: argparse._SubParsersAction,
    name: str,
    *,
    summary: str,
    description: str,
    file_help: str,
    func: Callable[[argparse.Namespace], int],
    structural: bool = True,
    draws_per: str = "replication",
    workers_help: str = "",
) -> argparse.ArgumentParser:
    """Add ``opisim NAME FILE``, a command that runs a file through the experiment layer: the ``file``
    argument, the run options (:func:`add_run_options`) and, with ``structural``, ``--structural``
    (:func:`add_structural_option` with ``draws_per``).

    Returns:
        The command's parser, for its own options.
    """
    parser = subparsers.add_parser(name, help=summary, description=description)
    parser.add_argument("file", help=file_help)
    add_run_options(parser, workers_help=workers_help)
    if structural:
        add_structural_option(parser, draws_per)
    parser.set_defaults(func=func)
    return parser


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises KeyboardInterrupt, so a killed experiment stores its finished
    runs and exits like Ctrl-C (see :func:`sim.cli.main`)."""
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
