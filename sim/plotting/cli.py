"""The ``opisim plot`` and ``opisim report`` subcommands (registered by ``sim.cli``).

``opisim plot RESULTS_DIR [--figure NAME ...] [--format png,svg,pdf] [--lang en|da] [--width single|full]``
writes ``RESULTS_DIR/figures/<name>_<width>_<lang>.<format>``; without ``--figure`` it draws every figure
that applies to the kind of results and says which it skipped and why. ``opisim report RESULTS_DIR
[--lang en|da]`` writes ``RESULTS_DIR/report/report_<lang>.html`` and ``.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.errors import ResultsError
from sim.plotting.figures import FIGURES, figures_for, make_figure
from sim.plotting.labels import LANGS
from sim.plotting.loaders import open_results
from sim.plotting.style import FORMATS, WIDTHS_CM, save_figure


def parse_formats(text: str) -> list[str]:
    """Split ``png,svg,pdf`` into formats, checking each.

    Raises:
        ResultsError: an unknown or empty format.
    """
    formats = [f.strip().lower().lstrip(".") for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ResultsError(
            f"--format {text!r}: unknown format(s) {', '.join(bad) or '(none)'}; allowed: "
            f"{', '.join(FORMATS)}, comma-separated"
        )
    return list(dict.fromkeys(formats))


def plot_figures(
    results_dir: str | Path,
    names: list[str] | None = None,
    formats: list[str] | tuple[str, ...] = ("png",),
    lang: str = "en",
    width: str = "full",
    out_dir: str | Path | None = None,
    scenarios: list[str] | None = None,
) -> tuple[list[Path], list[str]]:
    """Draw figures from a results directory and save them; return (paths written, skipped notes).

    With ``names`` every named figure must succeed (a wrong kind or missing data raises); without,
    every figure for the directory's kind is tried and those lacking data are skipped with the reason.
    ``scenarios`` names the design points the scenario figures draw (any scenario of the experiment).

    Raises:
        ResultsError: unknown figure, language, width or format; a named figure that cannot be drawn.
    """
    results = open_results(results_dir)
    if names:
        unknown = [n for n in names if n not in FIGURES]
        if unknown:
            raise ResultsError(
                f"unknown figure(s) {', '.join(unknown)}; allowed: {', '.join(FIGURES)}"
            )
    target = Path(out_dir) if out_dir is not None else results.path / "figures"
    written: list[Path] = []
    skipped: list[str] = []
    for name in names or figures_for(results.kind, results):
        try:
            fig = make_figure(name, results, lang=lang, width=width, scenarios=scenarios)
        except ResultsError as exc:
            if names:
                raise
            skipped.append(f"{name}: {exc}")
            continue
        for fmt in formats:
            written.append(save_figure(fig, target / f"{name}_{width}_{lang}.{fmt}", fmt, width))
    return written, skipped


def _plot(args: argparse.Namespace) -> int:
    written, skipped = plot_figures(
        args.results_dir,
        args.figure,
        parse_formats(args.format),
        args.lang,
        args.width,
        scenarios=args.scenario,
    )
    for path in written:
        print(path)
    for note in skipped:
        print(f"skipped {note}", file=sys.stderr)
    if not written:
        raise ResultsError(
            f"no figure could be drawn from {args.results_dir}: " + "; ".join(skipped)
        )
    return 0


def _report(args: argparse.Namespace) -> int:
    from sim.plotting.report import build_report

    html_path, md_path = build_report(args.results_dir, args.lang, also=args.also or ())
    print(html_path)
    print(md_path)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``plot`` and ``report`` subcommands."""
    plot = subparsers.add_parser(
        "plot",
        help="draw figures from a results directory (run, experiment or sensitivity)",
        description="Draw report figures from a results directory into RESULTS_DIR/figures/. "
        "Reads results only; never runs the model. Figures: " + ", ".join(FIGURES) + ".",
    )
    plot.add_argument("results_dir", metavar="RESULTS_DIR")
    plot.add_argument(
        "--figure",
        metavar="NAME",
        nargs="+",
        action="extend",
        help="figure(s) to draw (default: all that apply to the directory's kind)",
    )
    plot.add_argument(
        "--format",
        default="png",
        help="comma-separated formats: png (300 dpi), svg, pdf (vector, fonts embedded); default png",
    )
    plot.add_argument("--lang", choices=LANGS, default="en", help="label language (default en)")
    plot.add_argument(
        "--width",
        choices=tuple(WIDTHS_CM),
        default="full",
        help="single column (8.5 cm) or full width (17 cm); default full",
    )
    plot.add_argument(
        "--scenario",
        metavar="NAME",
        action="append",
        help="a design point (scenario) to draw in fte_freed, innovation_funnel and startups "
        "(repeatable; default: the status quo and all recommendations)",
    )
    plot.set_defaults(func=_plot)

    report = subparsers.add_parser(
        "report",
        help="write a self-contained HTML and a Markdown report of a results directory",
        description="Write RESULTS_DIR/report/report_<lang>.html (figures embedded, no network needed) "
        "and report_<lang>.md with its figures beside it.",
    )
    report.add_argument("results_dir", metavar="RESULTS_DIR")
    report.add_argument("--lang", choices=LANGS, default="en", help="language (default en)")
    report.add_argument(
        "--with",
        dest="also",
        metavar="DIR",
        action="append",
        help="another results directory (a recommend experiment or goal seeking) whose answer joins "
        "the section 'Which recommendations free the most labour' (repeatable)",
    )
    report.set_defaults(func=_report)
