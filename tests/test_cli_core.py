"""CLI tests that run the real ``opisim`` commands of the core: run, levers, calibration, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

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
    assert res.returncode == 0 and "FACTS s4" in res.stdout and "assumption" in res.stdout


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
