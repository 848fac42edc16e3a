"""The ``opisim plot`` and ``opisim report`` commands.

``opisim plot RESULTS_DIR [--figure NAME ...] [--format png,svg,pdf] [--lang en|da] [--width single|full]``
writes ``RESULTS_DIR/figures/<name>_<width>_<lang>.<format>``; without ``--figure`` it draws every figure
that applies to the kind of results and says which it skipped and why. ``opisim plot --list`` lists the
figures. ``opisim report RESULTS_DIR [--lang en|da]`` writes ``RESULTS_DIR/report/report_<lang>.html``
and ``.md``.
"""

from __future__ import annotations

import argparse
import sys

from sim.errors import ResultsError
from sim.plotting.labels import LANGS


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``plot`` and ``report`` commands."""
    plot = subparsers.add_parser(
        "plot",
        help="draw figures from a results directory (run, experiment or sensitivity)",
        description="Draw report figures from a results directory into RESULTS_DIR/figures/"
        "<name>_<width>_<lang>.<format>. Reads results only; never runs the model. "
        "`opisim plot --list` lists the figures.",
    )
    plot.add_argument("results_dir", metavar="RESULTS_DIR", nargs="?")
    plot.add_argument(
        "--figure",
        metavar="NAME",
        nargs="+",
        action="extend",
        help="figure(s) to draw (default: all that apply to the directory's kind)",
    )
    plot.add_argument("--list", action="store_true", help="list the figures and what they read")
    plot.add_argument(
        "--format",
        default="png",
        help="comma-separated formats: png (300 dpi), svg, pdf (vector, fonts embedded); default png",
    )
    plot.add_argument("--lang", choices=LANGS, default="en", help="label language (default en)")
    plot.add_argument(
        "--width",
        metavar="{single,full}",
        default="full",
        help="single column (8.5 cm) or full width (17 cm); default full",
    )
    plot.set_defaults(func=plot_command)

    report = subparsers.add_parser(
        "report",
        help="write a self-contained HTML and a Markdown report of a results directory",
        description="Write RESULTS_DIR/report/report_<lang>.html (figures embedded, no network needed) "
        "and report_<lang>.md with its figures beside it.",
    )
    report.add_argument("results_dir", metavar="RESULTS_DIR")
    report.add_argument("--lang", choices=LANGS, default="en", help="language (default en)")
    report.set_defaults(func=report_command)


def plot_command(args: argparse.Namespace) -> int:
    """Draw and save the figures; list them with ``--list``."""
    from sim.plotting import FIGURES, parse_formats, plot_figures
    from sim.plotting.style import check_width

    if args.list:
        for name, figure in FIGURES.items():
            print(f"{name:<24} ({', '.join(figure.kinds)})")
        return 0
    if args.results_dir is None:
        raise ResultsError("opisim plot: RESULTS_DIR is missing; allowed: a results directory")
    formats = parse_formats(args.format)
    check_width(args.width)
    written, skipped = plot_figures(args.results_dir, args.figure, formats, args.lang, args.width)
    for path in written:
        print(path)
    for note in skipped:
        print(f"skipped {note}", file=sys.stderr)
    if not written:
        raise ResultsError(
            f"no figure could be drawn from {args.results_dir}: " + "; ".join(skipped)
        )
    return 0


def report_command(args: argparse.Namespace) -> int:
    """Write the HTML and Markdown report."""
    from sim.plotting import build_report

    html_path, md_path = build_report(args.results_dir, args.lang)
    print(html_path)
    print(md_path)
    return 0
