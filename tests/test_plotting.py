"""Tests of sim.plotting: every figure in every format, language and width, the report, the CLI.

The results directories are written by the fixture builders in tests/fixtures/results_dirs.py, which
follow the contracts of docs/ARCHITECTURE.md; nothing here runs the model.
"""

from __future__ import annotations

import base64
import html.parser
import importlib.util
import struct
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from sim.cli import main
from sim.errors import ResultsError
from sim.levers import LEVERS, UNCERTAINTIES
from sim.plotting import labels as L
from sim.plotting.figures import FIGURES, figures_for, make_figure
from sim.plotting.loaders import open_results
from sim.plotting.report import build_report
from sim.plotting.style import DPI, WIDTHS_CM, save_figure


def _load_fixtures():
    path = Path(__file__).parent / "fixtures" / "results_dirs.py"
    spec = importlib.util.spec_from_file_location("opisim_test_results_dirs", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fx = _load_fixtures()
KINDS = ("run", "experiment", "sensitivity", "calibration")
PAIRS = [(name, kind) for name, d in FIGURES.items() for kind in d.kinds]


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("results")
    return {
        "run": fx.write_run_dir(root / "run"),
        "experiment": fx.write_experiment_dir(root / "experiment", replications=3),
        "sensitivity": fx.write_sensitivity_dir(root / "sensitivity"),
        "calibration": fx.write_calibration_dir(root / "calibration"),
    }


def _png_width(path: Path) -> int:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", data[16:20])[0]


def _expected_px(width: str) -> int:
    return round(WIDTHS_CM[width] / 2.54 * DPI)


# -- figures --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "da"])
@pytest.mark.parametrize(("name", "kind"), PAIRS)
def test_figure_renders_in_every_format_without_warnings(dirs, tmp_path, name, kind, lang):
    for width in ("full", "single") if lang == "en" else ("full",):
        formats = ("png", "svg", "pdf") if width == "full" else ("png",)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig = make_figure(name, dirs[kind], lang=lang, width=width)
            paths = [
                save_figure(fig, tmp_path / f"{name}_{width}.{fmt}", fmt, width) for fmt in formats
            ]
        for path in paths:
            assert path.stat().st_size > 5_000, path
        png = paths[0]
        expected = _expected_px(width)
        assert abs(_png_width(png) - expected) / expected < 0.03
        with Image.open(png) as img:
            dpi = img.info.get("dpi", (0, 0))
            assert abs(dpi[0] - DPI) < 1
            assert img.size[1] > 0.3 * img.size[0]  # not squashed
        if width == "full":
            svg = paths[1].read_text(encoding="utf-8")
            assert "<text" not in svg  # text drawn as paths: no font needed to view it
            assert "<path" in svg
            pdf = paths[2].read_bytes()
            assert pdf.startswith(b"%PDF")
            assert b"/FontFile2" in pdf  # TrueType fonts embedded
            assert b"/Subtype /Image" not in pdf  # vector, no embedded bitmap


@pytest.mark.parametrize(
    ("name", "kind"), [(n, k) for n, d in FIGURES.items() for k in KINDS if k not in d.kinds]
)
def test_figure_rejects_wrong_kind_with_a_clear_message(dirs, name, kind):
    with pytest.raises(ResultsError) as err:
        make_figure(name, dirs[kind])
    msg = str(err.value)
    assert name in msg
    assert kind in msg
    assert "directory" in msg
    assert "\n" not in msg


def test_adoption_curves_on_experiment_says_it_needs_a_run(dirs):
    with pytest.raises(ResultsError, match="needs a run directory"):
        make_figure("adoption_curves", dirs["experiment"])


def test_missing_timeseries_is_a_clear_error(tmp_path):
    exp = fx.write_experiment_dir(
        tmp_path / "exp",
        scenarios=("baseline", "all_recommendations"),
        replications=2,
        timeseries=False,
    )
    for name in ("fte_freed", "startups", "innovation_funnel", "demographic_pressure"):
        with pytest.raises(ResultsError, match="timeseries.parquet"):
            make_figure(name, exp)
    make_figure("scenario_comparison", exp)  # runs.parquet alone is enough


def test_startups_needs_both_scenarios(tmp_path):
    exp = fx.write_experiment_dir(
        tmp_path / "exp", scenarios=("baseline", "lever_risk_budget"), replications=2
    )
    with pytest.raises(ResultsError, match="all_recommendations"):
        make_figure("startups", exp)


def test_sobol_figure_needs_sobol_indices(tmp_path):
    sens = fx.write_sensitivity_dir(tmp_path / "sens", methods=("morris",))
    make_figure("morris_plane", sens)
    with pytest.raises(ResultsError, match="sobol indices"):
        make_figure("sobol_indices", sens)


def test_scenario_comparison_refuses_a_sampled_design(tmp_path):
    labels = tuple(f"p{i:03d}" for i in range(41))
    exp = fx.write_experiment_dir(
        tmp_path / "lhs", scenarios=labels, replications=1, timeseries=False
    )
    with pytest.raises(ResultsError, match="41 design points"):
        make_figure("scenario_comparison", exp)


def test_not_a_results_directory(tmp_path):
    with pytest.raises(ResultsError, match="no manifest.json"):
        open_results(tmp_path)
    with pytest.raises(ResultsError, match="does not exist"):
        open_results(tmp_path / "nope")
    (tmp_path / "manifest.json").write_text('{"kind": "banana"}')
    with pytest.raises(ResultsError, match="kind"):
        open_results(tmp_path)


def test_unknown_figure_language_and_width(dirs):
    with pytest.raises(ResultsError, match="unknown figure"):
        make_figure("pie_chart", dirs["run"])
    with pytest.raises(ResultsError, match="language"):
        make_figure("demographic_pressure", dirs["run"], lang="sv")
    with pytest.raises(ResultsError, match="width"):
        make_figure("demographic_pressure", dirs["run"], width="a4")


def test_scenario_comparison_draws_the_medians_of_the_runs(dirs):
    fig = make_figure("scenario_comparison", dirs["experiment"])
    ax = fig.subfigs[0].axes[0]
    drawn = sorted(
        float(line.get_xdata()[0]) for line in ax.get_lines() if line.get_marker() == "D"
    )
    runs = pd.read_parquet(dirs["experiment"] / "runs.parquet")
    expected = sorted(runs.groupby("label")["fte_freed_2035"].median())
    np.testing.assert_allclose(drawn, expected)
    labels_drawn = [t.get_text() for t in ax.get_yticklabels()]
    assert labels_drawn[-1] == "All recommendations"  # largest on top
    assert "Risk budget" in labels_drawn


def test_fte_freed_draws_median_over_replications(dirs):
    fig = make_figure("fte_freed", dirs["experiment"])
    ax = fig.subfigs[0].axes[0]
    ts = pd.read_parquet(dirs["experiment"] / "timeseries.parquet")
    ts = ts[(ts["sector"] == "all") & (ts["label"] == "baseline")]
    median = ts.groupby("date")["fte_freed"].median().to_numpy()
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_allclose(lines["Status quo"].get_ydata(), median)


def test_plotting_never_runs_the_model(dirs, monkeypatch):
    import sim

    run_module = importlib.import_module("sim.simulation")

    def refuse(*args, **kwargs):
        raise AssertionError("plotting ran the model")

    monkeypatch.setattr(run_module, "run", refuse)
    monkeypatch.setattr(sim, "run", refuse)
    for name, kind in PAIRS:
        make_figure(name, dirs[kind])


def test_figures_for_each_kind():
    assert set(figures_for("run")) == {
        "demographic_pressure",
        "innovation_funnel",
        "adoption_curves",
    }
    assert set(figures_for("sensitivity")) == {"sobol_indices", "morris_plane"}
    assert "startups" in figures_for("experiment")


# -- labels ---------------------------------------------------------------------------------------


def test_every_lever_and_uncertainty_has_a_title_in_both_languages():
    for row in [*LEVERS.values(), *UNCERTAINTIES.values()]:
        assert row.title_en and row.title_da and row.title_en != row.name, row.name
    assert len({row.title_en for row in LEVERS.values()}) == len(LEVERS)
    assert len({row.title_da for row in LEVERS.values()}) == len(LEVERS)
    for name, row in LEVERS.items():
        assert L.scenario(f"lever_{name}", "en") == row.title_en
        assert L.factor(f"levers.{name}", "da") == row.title_da
    for name, row in UNCERTAINTIES.items():
        assert L.factor(f"uncertainties.{name}", "en") == row.title_en


def test_danish_terms_and_numbers():
    assert L.text("fte", "da") == "årsværk"
    assert L.sector("hospital", "da") == "Sygehuse"
    assert L.sector("municipal", "da") == "Kommuner"
    assert L.text("demand", "da") == "Efterspørgsel"
    assert L.text("fte_freed", "da") == "Frigjorte årsværk (netto)"
    assert L.text("gap", "da") == "Mangel"
    assert L.format_number(12345.6, "da", 1) == "12.345,6"
    assert L.format_number(12345.6, "en", 1) == "12,345.6"
    assert L.format_number(-5, "en") == "−5"


# -- report ---------------------------------------------------------------------------------------


class _Checker(html.parser.HTMLParser):
    VOID = {"meta", "img", "br", "hr", "link", "input", "source", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.images: list[str] = []
        self.refs: list[str] = []
        self.errors: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        for key in ("href", "src"):
            if key in attrs and tag != "img":
                self.refs.append(attrs[key])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()


@pytest.mark.parametrize(
    ("kind", "lang"), [("run", "en"), ("experiment", "da"), ("sensitivity", "en")]
)
def test_report_is_self_contained_valid_html(dirs, kind, lang):
    html_path, md_path = build_report(dirs[kind], lang)
    text = html_path.read_text(encoding="utf-8")
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert not checker.errors, checker.errors
    assert not checker.stack, checker.stack
    assert {"html", "head", "body", "table", "figure"} <= checker.tags
    assert text.startswith("<!DOCTYPE html>")
    assert len(checker.images) == len(figures_for(kind))
    for src in checker.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:4] == b"\x89PNG"
    assert checker.refs == []
    assert "http://" not in text and "https://" not in text
    assert "opisim" in text and "<pre><code>" in text  # reproduction command
    md = md_path.read_text(encoding="utf-8")
    for line in md.splitlines():
        if line.startswith("!["):
            target = line[line.index("](") + 2 : -1]
            assert (md_path.parent / target).is_file()
    if kind == "experiment":
        assert "Alle anbefalinger" in text and "årsværk" in text


def test_report_lists_figures_it_could_not_draw(tmp_path):
    exp = fx.write_experiment_dir(
        tmp_path / "exp",
        scenarios=("baseline", "lever_risk_budget"),
        replications=2,
        timeseries=False,
    )
    html_path, _ = build_report(exp, "en")
    text = html_path.read_text(encoding="utf-8")
    assert "Figures not drawn" in text and "timeseries.parquet" in text
    assert text.count("<img ") == 1  # scenario comparison only


# -- CLI ------------------------------------------------------------------------------------------


def test_cli_plot_writes_requested_figures(dirs, capsys):
    code = main(
        [
            "plot",
            str(dirs["experiment"]),
            "--figure",
            "scenario_comparison",
            "fte_freed",
            "--format",
            "png,pdf",
            "--lang",
            "da",
            "--width",
            "single",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out.split()
    assert len(out) == 4
    figdir = dirs["experiment"] / "figures"
    assert (figdir / "scenario_comparison_single_da.pdf").is_file()
    assert abs(_png_width(figdir / "fte_freed_single_da.png") - _expected_px("single")) <= 30


def test_cli_plot_all_for_kind_and_errors(dirs, capsys):
    assert main(["plot", str(dirs["sensitivity"])]) == 0
    assert len(capsys.readouterr().out.split()) == 2
    assert main(["plot", str(dirs["run"]), "--figure", "fte_freed"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("opisim: error:") and "experiment directory" in err and "\n" not in err
    assert main(["plot", str(dirs["run"]), "--format", "gif"]) == 2
    assert "allowed: png, svg, pdf" in capsys.readouterr().err


def test_cli_report(dirs, capsys):
    assert main(["report", str(dirs["run"]), "--lang", "da"]) == 0
    out = capsys.readouterr().out.split()
    assert out[0].endswith("report_da.html") and Path(out[0]).is_file()
    assert out[1].endswith("report_da.md") and Path(out[1]).is_file()


def test_fixture_indices_follow_the_analysis_contract():
    from sim.analysis.sensitivity import INDEX_COLUMNS

    assert tuple(fx.INDEX_COLUMNS) == tuple(INDEX_COLUMNS)
