"""Figures and tables of a calibration results directory (``opisim calibrate``), in English and Danish.

* :func:`targets_figure`: each target, fitted or held out, against the calibrated model's posterior
  predictive band, on one axis in units of the target's sd (so shares and DKK sit side by side), with
  the observed and modelled values written beside each row;
* :func:`intervals_figure`: each coefficient's posterior 5-95% interval and median inside its prior range;
* :func:`targets_table` and :func:`intervals_table`: the same numbers as report tables.

Everything is read from ``targets_vs_model.csv`` and ``posterior_intervals.csv``; nothing reruns the model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.errors import ResultsError
from sim.plotting import labels as L
from sim.plotting import style as S
from sim.plotting.loaders import Results, open_results

_WORDS = {
    "observed": ("observed ± 1 sd, or its interval", "observeret ± 1 sd, eller dets interval"),
    "band": ("calibrated model, 5-95%", "kalibreret model, 5-95 %"),
    "median": ("model median", "modellens median"),
    "held_out": ("held out (not fitted)", "holdt ude (ikke fittet)"),
    "check_band": ("check (not fitted)", "kontrol (ikke fittet)"),
    "check": ("check", "kontrol"),
    "z_axis": ("model - observed, in sds of the target", "model - observeret, i målets sd"),
    "prior": ("prior range", "prior-interval"),
    "posterior": ("posterior 5-95%", "posterior 5-95 %"),
    "position": ("position in the prior range", "placering i prior-intervallet"),
    "target": ("Target", "Mål"),
    "role": ("Role", "Rolle"),
    "fitted": ("fitted", "fittet"),
    "held": ("held out", "holdt ude"),
    "obs": ("Observed", "Observeret"),
    "model": ("Model median (5-95%)", "Modellens median (5-95 %)"),
    "covered": ("Inside band", "Inden for båndet"),
    "source": ("Source", "Kilde"),
    "coefficient": ("Coefficient", "Koefficient"),
    "prior_col": ("Prior", "Prior"),
    "yes": ("yes", "ja"),
    "no": ("no", "nej"),
}


def word(key: str, lang: str) -> str:
    """A word of the calibration figures in ``lang``."""
    return _WORDS[key][0 if L.check_lang(lang) == "en" else 1]


def _open(results_dir: str | Path | Results, figure: str, lang: str, width: str) -> Results:
    L.check_lang(lang)
    S.check_width(width)
    results = open_results(results_dir)
    if results.kind != "calibration":
        raise ResultsError(
            f"figure '{figure}' needs a calibration directory, but {results.path} is a "
            f"{results.kind} directory; make one with `opisim calibrate CALIBRATION.toml`"
        )
    return results


def _csv(results: Results, name: str, figure: str) -> pd.DataFrame:
    path = results.path / name
    if not path.is_file():
        raise ResultsError(
            f"figure '{figure}' needs {name} in {results.path}, which has none; the calibration did "
            f"not finish (rerun it with `opisim calibrate FILE --resume`)"
        )
    return pd.read_csv(path)


def _label_right(ax, y: float, text: str) -> None:
    """``text`` just right of the axes, at data height ``y`` (the numbers beside each row)."""
    ax.annotate(
        text,
        (1.0, y),
        xycoords=("axes fraction", "data"),
        xytext=(4, 0),
        textcoords="offset points",
        va="center",
        fontsize="small",
        color="#333333",
        annotation_clip=False,
    )


def _number(value: float, lang: str) -> str:
    """A value with a sensible number of decimals (shares, DKK, rates alike)."""
    if not np.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    size = abs(value)
    decimals = (
        0 if size >= 100 else 1 if size >= 10 else 2 if size >= 1 else 3 if size >= 0.01 else 4
    )
    return L.format_number(value, lang, decimals)


def _label(name: str) -> str:
    return name.replace("calibration.", "").replace("_", " ")


def _roles(table: pd.DataFrame) -> list[str]:
    """Each target's role: ``fitted``, ``held_out`` or ``check`` (older tables: from ``fitted``)."""
    if "role" in table:
        return [str(r) for r in table["role"]]
    return ["fitted" if bool(f) else "held_out" for f in table["fitted"]]


def _bands(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each target's band in units of its scale around the observed value: ±1 for an sd or tolerance,
    its interval for an interval target."""
    lo, hi = np.full(len(table), -1.0), np.full(len(table), 1.0)
    if "scale_kind" in table and "low" in table:
        interval = (table["scale_kind"] == "interval").to_numpy()
        lo[interval] = ((table["low"] - table["observed"]) / table["scale"]).to_numpy()[interval]
        hi[interval] = ((table["high"] - table["observed"]) / table["scale"]).to_numpy()[interval]
    return lo, hi


def targets_figure(
    results_dir: str | Path | Results, lang: str = "en", width: str = "full"
) -> Figure:
    """Each target against the calibrated model's predictive band (see the module docstring)."""
    name = "calibration_targets"
    results = _open(results_dir, name, lang, width)
    table = _csv(results, "targets_vs_model.csv", name)
    n = len(table)
    colours = {
        "fitted": S.OKABE_ITO["blue"],
        "held_out": S.OKABE_ITO["vermillion"],
        "check": S.OKABE_ITO["orange"],
    }
    roles = _roles(table)
    band_lo, band_hi = _bands(table)
    with S.house_style(width):
        fig, body = S.new_figure(width, max(6.0, 2.2 + 0.75 * n))
        ax = body.subplots()
        y = np.arange(n)[::-1]
        for yi, row, role, b_lo, b_hi in zip(
            y, table.itertuples(), roles, band_lo, band_hi, strict=True
        ):
            colour = colours[role]
            ax.fill_between(
                [b_lo, b_hi], yi - 0.4, yi + 0.4, color=S.LIGHT_GREY, alpha=0.8, lw=0, zorder=0
            )
            lo = (row.model_p05 - row.observed) / row.scale
            hi = (row.model_p95 - row.observed) / row.scale
            med = (row.model_p50 - row.observed) / row.scale
            ax.plot([lo, hi], [yi, yi], color=colour, lw=5, alpha=0.35, solid_capstyle="butt")
            ax.plot([med], [yi], "o", color=colour, ms=4)
            text = (
                f"{_number(row.observed, lang)} | {_number(row.model_p50, lang)} "
                f"({_number(row.model_p05, lang)}–{_number(row.model_p95, lang)})"
            )
            _label_right(ax, yi, text)
        ax.axvline(0, color=S.OKABE_ITO["black"], lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels([_label(t) for t in table["target"]])
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        span = np.nanmax(
            np.abs(
                np.r_[
                    (table["model_p05"] - table["observed"]) / table["scale"],
                    (table["model_p95"] - table["observed"]) / table["scale"],
                    band_lo,
                    band_hi,
                    2.0,
                ]
            )
        )
        ax.set_xlim(-1.1 * span, 1.1 * span)
        ax.set_xlabel(word("z_axis", lang))
        ax.set_title(
            "observed | model (5–95%)" if lang == "en" else "observeret | model (5–95 %)",
            loc="right",
            fontsize="small",
            fontweight="normal",
        )
        shown = [r for r in ("fitted", "held_out", "check") if r in roles]
        handles = [Patch(color=S.LIGHT_GREY)]
        handles += [Line2D([], [], color=colours[r], lw=5, alpha=0.35) for r in shown]
        handles += [Line2D([], [], color=S.GREY, marker="o", lw=0)]
        names = {"fitted": "band", "held_out": "held_out", "check": "check_band"}
        labels = [word("observed", lang)] + [word(names[r], lang) for r in shown]
        labels += [word("median", lang)]
        body.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 3))
        extra = f"{int(table['covered'].sum())}/{n} " + ("inside" if lang == "en" else "inden for")
        S.add_source(fig, results.source(None, extra), lang, width)
        return fig


def intervals_figure(
    results_dir: str | Path | Results, lang: str = "en", width: str = "full"
) -> Figure:
    """Each coefficient's posterior 5-95% interval and median inside its prior range."""
    name = "posterior_intervals"
    results = _open(results_dir, name, lang, width)
    table = _csv(results, "posterior_intervals.csv", name)
    n = len(table)
    colour = S.OKABE_ITO["blue"]
    with S.house_style(width):
        fig, body = S.new_figure(width, max(5.5, 2.0 + 0.7 * n))
        ax = body.subplots()
        y = np.arange(n)[::-1]
        for yi, row in zip(y, table.itertuples(), strict=True):
            log = str(row.prior).startswith("loguniform")

            def unit(v: float, row=row, log=log) -> float:
                """Position in the prior range (on a log scale for a loguniform prior)."""
                if log:
                    return float(np.log(v / row.prior_low) / np.log(row.prior_high / row.prior_low))
                return (v - row.prior_low) / (row.prior_high - row.prior_low)

            ax.plot([0, 1], [yi, yi], color=S.LIGHT_GREY, lw=7, solid_capstyle="butt")
            ax.plot(
                [unit(row.p05), unit(row.p95)], [yi, yi], color=colour, lw=7, solid_capstyle="butt"
            )
            ax.plot([unit(row.p50)], [yi], "o", color="white", ms=3.5, mec=colour, mew=1.0)
            text = (
                f"{_number(row.p50, lang)} ({_number(row.p05, lang)}–{_number(row.p95, lang)}); "
                f"prior {_number(row.prior_low, lang)}–{_number(row.prior_high, lang)}"
            )
            _label_right(ax, yi, text)
        ax.set_yticks(y)
        ax.set_yticklabels(
            [
                _label(p) + (" (log)" if str(prior).startswith("loguniform") else "")
                for p, prior in zip(table["parameter"], table["prior"], strict=True)
            ]
        )
        ax.set_xlim(-0.02, 1.02)
        ax.set_xticks([0, 0.5, 1])
        ax.set_xticklabels(["low", "", "high"] if lang == "en" else ["lav", "", "høj"])
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(word("position", lang))
        handles = [
            Line2D([], [], color=S.LIGHT_GREY, lw=7),
            Line2D([], [], color=colour, lw=7),
            Line2D([], [], color=colour, marker="o", mfc="white", lw=0),
        ]
        labels = [word("prior", lang), word("posterior", lang), "median"]
        body.legend(handles, labels, loc="outside lower center", ncols=3)
        S.add_source(fig, results.source(None), lang, width)
        return fig


def targets_table(results: Results, lang: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows: target, role, observed, model median (5-95%), inside the band, source."""
    table = pd.read_csv(results.path / "targets_vs_model.csv")
    header = [word(k, lang) for k in ("target", "role", "obs", "model", "covered", "source")]
    roles = _roles(table)
    role_word = {"fitted": "fitted", "held_out": "held", "check": "check"}
    rows = [
        [
            str(r.target),
            word(role_word[role], lang),
            _number(r.observed, lang),
            f"{_number(r.model_p50, lang)} ({_number(r.model_p05, lang)}–{_number(r.model_p95, lang)})",
            word("yes" if bool(r.covered) else "no", lang),
            str(r.source),
        ]
        for r, role in zip(table.itertuples(), roles, strict=True)
    ]
    return header, rows


def intervals_table(results: Results, lang: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows: coefficient, prior, posterior 5%, 50%, 95%."""
    table = pd.read_csv(results.path / "posterior_intervals.csv")
    header = [word("coefficient", lang), word("prior_col", lang), "5%", "50%", "95%"]
    rows = [
        [
            str(r.parameter),
            str(r.prior),
            _number(r.p05, lang),
            _number(r.p50, lang),
            _number(r.p95, lang),
        ]
        for r in table.itertuples()
    ]
    return header, rows
