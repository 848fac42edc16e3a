"""CLI tests that run the real ``opisim`` commands of the core: run, levers, calibration, bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sim

ROOT = Path(__file__).resolve().parents[1]


def opisim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_run_writes_outputs_and_prints_summary(tmp_path):
    out = tmp_path / "run"
    res = opisim(
        "run",
        "tests/data/small.toml",
        "--seed",
        "4",
        "--out",
        str(out),
        "--set",
        "levers.risk_budget=0.5",
    )
    assert res.returncode == 0, res.stderr
    assert "gap FTE" in res.stdout and "10,000 FTE freed" in res.stdout
    for name in (
        "timeseries.parquet",
        "by_profession.parquet",
        "adoption.parquet",
        "summary.json",
        "manifest.json",
    ):
        assert (out / name).stat().st_size > 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "run" and manifest["seed"] == 4
    assert manifest["scenario"]["levers"]["risk_budget"] == 0.5
    assert {"numpy", "mesa", "pandas"} <= set(manifest["versions"])
    assert "commit" in manifest["git"] and "--set levers.risk_budget=0.5" in manifest["rerun"]
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert set(ts["sector"]) == {"hospital", "municipal", "all"}


def test_rerun_from_manifest_is_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert opisim("run", "tests/data/small.toml", "--seed", "9", "--out", str(a)).returncode == 0
    assert opisim("run", "tests/data/small.toml", "--seed", "9", "--out", str(b)).returncode == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(a / "timeseries.parquet"), pd.read_parquet(b / "timeseries.parquet")
    )


def test_levers_table_lists_every_lever_and_uncertainty():
    res = opisim("levers")
    assert res.returncode == 0
    import sim

    for name in list(sim.LEVERS) + list(sim.UNCERTAINTIES):
        assert name in res.stdout
    csv = opisim("levers", "--format", "csv")
    assert len(csv.stdout.strip().splitlines()) == 1 + len(sim.LEVERS)


def test_calibration_lists_sources():
    res = opisim("calibration")
    assert res.returncode == 0 and "assumption" in res.stdout
    assert re.search(r"SOURCES\s+W-\d\d", res.stdout)


def _assert_clean_error(res: subprocess.CompletedProcess, *needles: str) -> None:
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    lines = [line for line in res.stderr.strip().splitlines() if line]
    assert len(lines) == 1, res.stderr
    for needle in needles:
        assert needle in res.stderr


def test_bad_scenario_key_is_one_clear_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[levers]\nrisk_budgett = 0.3\n")
    _assert_clean_error(opisim("run", str(bad)), str(bad), "levers.risk_budgett", "risk_budget")


def test_out_of_range_override_is_one_clear_line():
    _assert_clean_error(
        opisim("run", "tests/data/small.toml", "--set", "world.staff_scale=3"),
        "world.staff_scale",
        "<= 1",
    )


def test_missing_scenario_file():
    _assert_clean_error(
        opisim("run", "scenarios/does_not_exist.toml"), "does_not_exist.toml", "not found"
    )


def test_installed_console_script_exists():
    import shutil

    assert shutil.which("opisim"), "pip install -e . should install the opisim command"


def test_building_the_parser_imports_no_heavy_library():
    """`opisim --help`, `levers` and `calibration` start fast: no command module imports the model,
    pandas, matplotlib or SALib when it registers its commands."""
    code = (
        "import sys, sim.cli; sim.cli.build_parser(); "
        "print(sorted(m for m in ('pandas', 'numpy', 'matplotlib', 'mesa', 'numba', 'SALib', "
        "'scipy') if m in sys.modules))"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_every_command_module_registers_its_commands():
    import argparse

    import sim.cli

    names: list[str] = []
    for module in sim.cli.COMMAND_MODULES:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers(dest="command")
        module.register(sub)
        assert sub.choices, module.__name__
        for name, command in sub.choices.items():
            assert callable(command.get_default("func")), f"{module.__name__}: {name}"
        names += sub.choices
    assert len(names) == len(set(names))
    assert set(names) >= {"run", "levers", "calibration", "experiment", "results", "sensitivity"}
    assert set(names) >= {"plot", "report", "explore"}


def test_plot_list_names_every_figure():
    from sim.plotting import FIGURES

    res = opisim("plot", "--list")
    assert res.returncode == 0, res.stderr
    assert [line.split()[0] for line in res.stdout.splitlines()] == list(FIGURES)


def test_a_cold_numba_cache_gets_a_notice_first_and_a_warm_one_none(tmp_path):
    """The first run compiles the innovation layer (30-60 s): a one-line notice on stderr comes first.
    The cold run is stopped as soon as the notice appears (the compilation itself is not awaited)."""
    from sim.model.compile_notice import NOTICE

    args = [sys.executable, "-m", "sim.cli", "run", "tests/data/small.toml", "--out"]
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "empty_cache")}
    cold = subprocess.Popen(
        [*args, str(tmp_path / "cold")], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        first_line = cold.stderr.readline().rstrip("\n")
    finally:
        cold.kill()
        cold.wait(timeout=60)
        cold.stderr.close()
    assert first_line == NOTICE
    warm = opisim(
        "run", "tests/data/small.toml", "--set", "time.end_year=2025", "--out", str(tmp_path)
    )
    assert warm.returncode == 0, warm.stderr
    assert NOTICE not in warm.stderr


# -- bad input: one clear line, exit 2, no traceback -------------------------------------------------


def test_scenario_in_a_legacy_windows_encoding(tmp_path):
    legacy = tmp_path / "ærø.toml"
    legacy.write_bytes('# Sygeplejersker på Ærø og i Århus\n[meta]\nname = "ø"\n'.encode("cp1252"))
    _assert_clean_error(opisim("run", str(legacy)), str(legacy), "not UTF-8", "Windows-1252")


def test_scenario_that_is_not_text(tmp_path):
    binary = tmp_path / "figure.toml"
    binary.write_bytes((ROOT / "docs" / "explorer.png").read_bytes()[:2000])
    _assert_clean_error(opisim("run", str(binary)), str(binary), "not a text file")


def test_boolean_for_a_lever_is_refused():
    _assert_clean_error(
        opisim("run", "tests/data/small.toml", "--set", "levers.risk_budget=true"),
        "levers.risk_budget",
        "True",
        "allowed: a number from 0 to 1",
    )


def test_integer_lever_asks_for_a_whole_number():
    _assert_clean_error(
        opisim("run", "tests/data/small.toml", "--set", "levers.strategic_partnership_cap=2.5"),
        "levers.strategic_partnership_cap",
        "a whole number from",
    )


def test_empty_scenario_file_is_refused_with_what_it_must_hold(tmp_path):
    empty = tmp_path / "empty.toml"
    empty.write_text("# nothing yet\n")
    _assert_clean_error(opisim("run", str(empty)), str(empty), "empty", "[meta] name")


def test_staff_scale_below_the_minimum_warns_in_one_line(tmp_path):
    from sim.scenario import MIN_STAFF_SCALE

    res = opisim(
        "run",
        "tests/data/small.toml",
        "--set",
        "world.staff_scale=0.001",
        "--set",
        "time.end_year=2025",
        "--out",
        str(tmp_path / "run"),
    )
    assert res.returncode == 0, res.stderr
    warnings = [line for line in res.stderr.splitlines() if line.startswith("opisim: warning:")]
    assert len(warnings) == 1 and f"below {MIN_STAFF_SCALE:g}" in warnings[0]
    assert "Traceback" not in res.stderr and "warnings.warn" not in res.stderr


def test_results_of_a_single_run_folder(tmp_path):
    out = tmp_path / "run"
    assert opisim("run", "tests/data/small.toml", "--set", "time.end_year=2025", "--out", str(out))
    res = opisim("results", str(out))
    _assert_clean_error(res, str(out), "a single run", "summary.json")
    assert "None" not in res.stderr


def test_a_scenario_given_to_experiment_and_an_experiment_given_to_run():
    _assert_clean_error(
        opisim("experiment", "scenarios/baseline.toml"),
        "scenarios/baseline.toml",
        "this is a scenario file",
        "opisim run scenarios/baseline.toml",
    )
    _assert_clean_error(
        opisim("run", "experiments/smoke.toml"),
        "experiments/smoke.toml",
        "this is an experiment file",
        "opisim experiment experiments/smoke.toml",
    )


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (("--set", "lever.risk_budget=0.5"), "did you mean 'levers'?"),
        (("--set", "world.staff_scal=0.5"), "did you mean 'staff_scale'?"),
        (("--set", "levers.risk_budgt=0.5"), "did you mean 'risk_budget'?"),
        (("--set", "uncertainties.demografy=1.1"), "did you mean 'demography'?"),
        (
            ("--set", "calibration.flows.quit_rate_nurse_hospitl=0.1"),
            "did you mean 'flows.quit_rate_nurse_hospital'?",
        ),
    ],
)
def test_scenario_typos_get_the_nearest_valid_name(args, suggestion):
    _assert_clean_error(opisim("run", "tests/data/small.toml", *args), suggestion)


def test_experiment_and_figure_typos_get_the_nearest_valid_name(tmp_path):
    bad = tmp_path / "exp.toml"
    bad.write_text('[experiment]\nname = "x"\nmaster_sed = 1\n[design]\nkind = "scenarios"\n')
    _assert_clean_error(opisim("experiment", str(bad)), "did you mean 'master_seed'?")
    bad.write_text(
        f'[experiment]\nname = "x"\nmaster_seed = 1\nbase_scenario = "{ROOT}/tests/data/small.toml"\n'
        '[design]\nkind = "scenaros"\n'
    )
    _assert_clean_error(opisim("experiment", str(bad), "--dry-run"), "did you mean 'scenarios'?")
    out = tmp_path / "run"
    opisim("run", "tests/data/small.toml", "--set", "time.end_year=2025", "--out", str(out))
    _assert_clean_error(
        opisim("plot", str(out), "--figure", "fte_fred"), "did you mean 'fte_freed'?"
    )


def test_a_run_with_set_is_named_after_its_changes(tmp_path):
    from datetime import datetime

    from sim.cli.run import run_dir_name

    when = datetime(2026, 11, 28, 9, 30, 0)
    assert run_dir_name("baseline", [], 1, when) == "baseline-seed1-20261128-093000"
    assert (
        run_dir_name("baseline", ["levers.risk_budget=0.5", "world.staff_scale = 0.1"], 2, when)
        == "baseline+risk_budget=0.5+staff_scale=0.1-seed2-20261128-093000"
    )
    assert run_dir_name("b", ['meta.name="a/b c"'], 1, when).startswith("b+name=_a_b_c_-seed1")
    long = run_dir_name("b", [f"calibration.x.k{i}=0.{i}" for i in range(40)], 1, when)
    assert len(long) < 130
    res = opisim(
        "run",
        str(ROOT / "tests" / "data" / "small.toml"),
        "--set",
        "levers.risk_budget=0.5",
        "--set",
        "time.end_year=2025",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    (folder,) = (tmp_path / "results" / "runs").iterdir()
    assert folder.name.startswith("small+risk_budget=0.5+end_year=2025-seed1-")


def test_levers_and_calibration_fit_in_100_columns_with_words_and_sources():
    from sim.scenario import calibration_defaults

    levers, calibration = opisim("levers"), opisim("calibration")
    for res in (levers, calibration):
        assert res.returncode == 0, res.stderr
        too_wide = [line for line in res.stdout.splitlines() if len(line) > 100]
        assert not too_wide, too_wide[:3]
    for lever in sim.LEVERS.values():
        block = levers.stdout.split(f"\n{lever.name}: ", 1)[1].split("\n\n", 1)[0]
        assert lever.title_en in block
        assert all(name in block for name in lever.mechanisms)
        assert "does " in block and "source " in block
        assert " ".join(lever.description.split()[:4]) in " ".join(block.split())
    for row in sim.UNCERTAINTIES.values():
        assert f"\n{row.name}: {row.title_en}" in levers.stdout
    text = " ".join(calibration.stdout.split())
    for key, entry in calibration_defaults().items():
        assert f"{key.partition('.')[2]} = " in text
        assert " ".join(f"source: {entry['source']}".split()) in text, key
    assert opisim("levers", "--format", "markdown").stdout.count("\n") == len(sim.LEVERS) + 2


def test_no_command_help_shows_a_doubled_percent_sign():
    import argparse

    import sim.cli

    parser = sim.cli.build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        assert "%%" not in command.format_help(), name
