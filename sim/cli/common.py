"""Options and helpers that several ``opisim`` commands share (argument types, run options, SIGTERM)."""

from __future__ import annotations

import argparse
import contextlib
import signal
from collections.abc import Iterator
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
    --overwrite, --no-progress (used by ``experiment`` and ``sensitivity``)."""
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


def add_structural_option(parser: argparse.ArgumentParser) -> None:
    """``--structural auto|posterior|none`` (``experiment`` and ``sensitivity``)."""
    parser.add_argument(
        "--structural",
        choices=("auto", "posterior", "none"),
        help="draw the calibrated coefficients from sim/data/posterior.parquet per replication "
        "('posterior'), keep the point values ('none'), or use the posterior if it is shipped "
        "('auto'); default: the file's experiment.structural (auto)",
    )


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
