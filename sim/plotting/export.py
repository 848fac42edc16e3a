"""Draw figures from a results directory and save them as files (``opisim plot``)."""

from __future__ import annotations

from pathlib import Path

from sim.errors import ResultsError, did_you_mean
from sim.plotting.figures import FIGURES, figures_for, make_figure
from sim.plotting.loaders import open_results
from sim.plotting.style import FORMATS, save_figure

DEFAULT_FORMATS = ("png",)


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
    formats: list[str] | tuple[str, ...] = DEFAULT_FORMATS,
    lang: str = "en",
    width: str = "full",
    out_dir: str | Path | None = None,
) -> tuple[list[Path], list[str]]:
    """Draw figures from a results directory and save them; return (paths written, skipped notes).

    Files are named ``<out_dir>/<name>_<width>_<lang>.<format>`` (``out_dir`` defaults to
    ``<results_dir>/figures``). With ``names`` every named figure must succeed (a wrong kind or missing
    data raises); without, every figure for the directory's kind is tried and those lacking data are
    skipped with the reason.

    Raises:
        ResultsError: unknown figure, language, width or format; a named figure that cannot be drawn.
    """
    results = open_results(results_dir)
    if names:
        unknown = [n for n in names if n not in FIGURES]
        if unknown:
            raise ResultsError(
                f"unknown figure(s) {', '.join(unknown)}; allowed: {', '.join(FIGURES)}"
                f"{did_you_mean(unknown[0], FIGURES)}"
            )
    target = Path(out_dir) if out_dir is not None else results.path / "figures"
    written: list[Path] = []
    skipped: list[str] = []
    for name in names or figures_for(results.kind):
        try:
            fig = make_figure(name, results, lang=lang, width=width)
        except ResultsError as exc:
            if names:
                raise
            skipped.append(f"{name}: {exc}")
            continue
        for fmt in formats:
            written.append(save_figure(fig, target / f"{name}_{width}_{lang}.{fmt}", fmt, width))
    return written, skipped
