"""The levers as the seed describes them (issue 15): schedules, mechanism strengths as data, where each lever
is read, and the policy rules' sections."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.errors import ScenarioError
from sim.scenario import RULE_SECTIONS, calibration_defaults

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "sim" / "model"


def _small(baseline, **overrides):
    return baseline.with_overrides({"world.staff_scale": 0.02, "time.end_year": 2031, **overrides})


def test_a_lever_scheduled_from_2029_is_the_status_quo_before_2029(baseline):
    """Common random numbers: before its start a scheduled lever changes nothing, month by month."""
    schedule = {"value": 0.8, "start_year": 2029, "ramp_years": 2}
    sq = sim.run(_small(baseline), seed=4)
    later = sim.run(_small(baseline, **{"levers.risk_budget": schedule}), seed=4)
    before = sq.timeseries["year"] < 2029
    numeric = sq.timeseries.select_dtypes("number").columns
    a = sq.timeseries.loc[before, numeric].to_numpy()
    b = later.timeseries.loc[before, numeric].to_numpy()
    np.testing.assert_array_equal(a, b)
    after = ~before
    assert not np.array_equal(
        sq.timeseries.loc[after, numeric], later.timeseries.loc[after, numeric]
    )


def test_a_schedule_ramps_linearly_from_the_status_quo(baseline):
    sc = baseline.with_overrides(
        {"levers.risk_budget": {"value": 0.5, "start_year": 2027, "ramp_years": 2}}
    )
    dates = np.arange(np.datetime64("2025-01", "M"), np.datetime64("2031-01", "M"))
    path = sc.lever_paths(dates)["risk_budget"]
    sq = sim.LEVERS["risk_budget"].status_quo
    year = dates.astype("datetime64[Y]").astype(int) + 1970
    assert (path[year < 2027] == sq).all()
    assert path[dates == np.datetime64("2028-01", "M")][0] == pytest.approx((sq + 0.5) / 2)
    assert path[year >= 2029] == pytest.approx(0.5)
    assert sc.levers.risk_budget == 0.5  # the headline value


def test_every_lever_has_mechanism_strengths_as_data():
    coefficients = [k for k in calibration_defaults() if k.startswith("lever_effects.")]
    for name in sim.LEVERS:
        own = [k for k in coefficients if k.split(".", 1)[1].startswith(f"{name}_")]
        assert own, f"lever {name} has no lever_effects.{name}_* coefficient"
    for key in coefficients:
        entry = calibration_defaults()[key]
        assert entry.get("unit") and entry.get("source"), key
        assert "min" in entry and "max" in entry, key


def test_every_coefficient_is_overridable_from_a_scenario_file(tmp_path):
    """Each [lever_effects] key can be set in a scenario's own [lever_effects] section (and each rule in
    its section); the scenario then carries the value."""
    lines = ['[meta]\nname = "overrides"\n\n[lever_effects]']
    expected = {}
    for key, entry in calibration_defaults().items():
        section, name = key.split(".", 1)
        if section != "lever_effects":
            continue
        value = (entry["min"] + entry.get("max", entry["min"] + 1)) / 2
        if value == entry["value"]:
            value = entry["min"]
        lines.append(f"{name} = {value!r}")
        expected[key] = float(value)
    path = tmp_path / "overrides.toml"
    path.write_text("\n".join(lines) + "\n")
    sc = sim.load_scenario(path)
    for key, value in expected.items():
        assert sc.param_number(key) == pytest.approx(value), key


def test_opisim_calibration_lists_every_coefficient_with_unit_range_and_source():
    out = subprocess.run(
        [sys.executable, "-m", "sim.cli", "calibration"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    for key in calibration_defaults():
        if key.startswith(("lever_effects.", "procurement.", "incentives.", "risk_budget.")):
            assert key in out.stdout, key


def test_a_bad_rule_names_the_file_the_key_and_what_is_allowed(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[meta]\nname = "bad"\n\n[risk_budget]\npooling = "county"\n')
    with pytest.raises(ScenarioError) as err:
        sim.load_scenario(path)
    message = str(err.value)
    assert "bad.toml" in message and "risk_budget.pooling" in message and "'region'" in message


def test_rule_sections_change_the_run(baseline):
    """A procurement route, an incentive share and the risk budget's carry-over, set in their own
    sections, each change the run."""
    sq = sim.run(_small(baseline), seed=5).summary
    for key, value in (
        ("procurement.framework_scope", "national"),
        ("incentives.realised_share", 0.9),
        ("risk_budget.carry_over_share", 0.0),
    ):
        changed = sim.run(_small(baseline, **{key: value}), seed=5).summary
        assert any(changed[k] != sq[k] for k in sq if np.isfinite(sq[k])), key


def test_each_rule_section_is_documented():
    doc = (ROOT / "docs" / "levers.md").read_text(encoding="utf-8")
    for key in calibration_defaults():
        section = key.split(".", 1)[0]
        if section in RULE_SECTIONS:
            assert f"`{key.split('.', 1)[1]}`" in doc, key


def _lever_reads() -> dict[str, set[str]]:
    """lever -> the functions of sim/model that read it (``par.<lever>``, ``types.<lever>`` for the
    levers programmes scope, or ``.lever("<lever>")``), qualified like the rows' ``mechanisms``."""
    reads: dict[str, set[str]] = {name: set() for name in sim.LEVERS}
    for path in MODEL.rglob("*.py"):
        if (
            path.name == "structs.py"
        ):  # generated constructors: fields named like the levers they hold
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if module.endswith("__init__"):
            module = module.rsplit(".", 1)[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            scopes = []
            if isinstance(node, ast.ClassDef):
                scopes = [
                    (f"{node.name}.{f.name}", f)
                    for f in node.body
                    if isinstance(f, ast.FunctionDef)
                ]
            elif isinstance(node, ast.FunctionDef) and node.col_offset == 0:
                scopes = [(node.name, node)]
            for name, func in scopes:
                for sub in ast.walk(func):
                    lever = None
                    if isinstance(sub, ast.Attribute) and sub.attr in sim.LEVERS:
                        lever = sub.attr
                    elif (
                        isinstance(sub, ast.Call)
                        and isinstance(sub.func, ast.Attribute)
                        and sub.func.attr == "lever"
                        and sub.args
                        and isinstance(sub.args[0], ast.Constant)
                    ):
                        lever = sub.args[0].value
                    if lever in reads:
                        reads[lever].add(f"{module}.{name}")
    return reads


def test_declared_mechanisms_match_where_each_lever_is_read():
    reads = _lever_reads()
    for name, lever in sim.LEVERS.items():
        assert set(lever.mechanisms) == reads[name], (name, sorted(reads[name]))


@pytest.mark.parametrize("name", list(sim.LEVERS))
def test_analysed_ranges_lie_inside_the_allowed_and_around_the_policy_values(name):
    lever = sim.LEVERS[name]
    assert lever.low <= lever.analysis_low < lever.analysis_high <= lever.high
    assert lever.analysis_low <= min(lever.status_quo, lever.recommended)
    assert lever.analysis_high >= max(lever.status_quo, lever.recommended)
    if lever.low == 0 and lever.analysis_low == 0 and name != "incentive_structures":
        pytest.fail(f"{name}: the default screening starts where the mechanism switches off")
