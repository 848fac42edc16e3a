"""Scenario files: loading, validation errors (file, key, what is allowed) and overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.levers import THEMES
from sim.scenario import parse_override

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    """scripts/make_lever_scenarios.py as a module."""
    import importlib.util

    path = ROOT / "scripts" / "make_lever_scenarios.py"
    spec = importlib.util.spec_from_file_location("make_lever_scenarios", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


def test_baseline_loads_with_status_quo_levers(baseline):
    assert baseline.name == "baseline"
    for name, lever in sim.LEVERS.items():
        assert getattr(baseline.levers, name) == lever.status_quo


def test_every_shipped_scenario_validates(root):
    files = sorted((root / "scenarios").glob("*.toml"))
    assert len(files) == 1 + len(sim.LEVERS) + len(THEMES) + 1
    names = {sim.load_scenario(f).name for f in files}
    assert {
        "baseline",
        "all_recommendations",
        "theme_core_task",
        "theme_citizens",
        "theme_industry",
    } <= names
    assert {f"lever_{n}" for n in sim.LEVERS} <= names


def test_lever_scenarios_move_exactly_one_lever(root):
    for name, _lever in sim.LEVERS.items():
        sc = sim.load_scenario(root / "scenarios" / f"lever_{name}.toml")
        for other, row in sim.LEVERS.items():
            expected = row.recommended if other == name else row.status_quo
            assert getattr(sc.levers, other) == pytest.approx(expected), (name, other)


def test_lever_and_theme_scenarios_are_what_the_generator_writes(root):
    """A lever added, removed or changed in sim/levers.py without rerunning
    scripts/make_lever_scenarios.py fails here."""
    generator = _generator()
    for path, text in generator.scenario_files().items():
        assert (root / path).is_file(), (
            f"{path} missing: run python scripts/make_lever_scenarios.py"
        )
        assert (root / path).read_text(encoding="utf-8") == text, (
            f"{path} differs from sim/levers.py: run python scripts/make_lever_scenarios.py"
        )
    assert generator.stale_files(root) == []
    compare = (root / generator.COMPARE_FILE).read_text(encoding="utf-8")
    assert generator.compare_experiment(compare) == compare


def test_theme_scenarios_hold_exactly_their_themes_levers(root):
    for theme in THEMES:
        sc = sim.load_scenario(root / "scenarios" / f"theme_{theme}.toml")
        for name, row in sim.LEVERS.items():
            expected = row.recommended if row.theme == theme else row.status_quo
            assert getattr(sc.levers, name) == pytest.approx(expected), (theme, name)


def test_unknown_key_names_file_key_and_allowed(tmp_path):
    path = write(tmp_path, "[levers]\nproactive_scoutin = 0.1\n")
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(path)
    msg = str(err.value)
    assert str(path) in msg and "levers.proactive_scoutin" in msg and "proactive_scouting" in msg


def test_unknown_section(tmp_path):
    with pytest.raises(sim.ScenarioError, match="allowed sections"):
        sim.load_scenario(write(tmp_path, "[lever]\nrisk_budget = 0.1\n"))


def test_wrong_type(tmp_path):
    with pytest.raises(sim.ScenarioError, match=r"world\.staff_scale"):
        sim.load_scenario(write(tmp_path, '[world]\nstaff_scale = "big"\n'))


def test_out_of_range_names_the_range(tmp_path):
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(write(tmp_path, "[levers]\nrisk_budget = 7\n"))
    assert "levers.risk_budget" in str(err.value) and "0 to 1" in str(err.value)


def test_end_before_start(tmp_path):
    with pytest.raises(sim.ScenarioError, match="end_year"):
        sim.load_scenario(write(tmp_path, "[time]\nstart_year = 2030\nend_year = 2026\n"))


def test_missing_file(tmp_path):
    with pytest.raises(sim.ScenarioError, match="not found"):
        sim.load_scenario(tmp_path / "nope.toml")


def test_bad_toml(tmp_path):
    with pytest.raises(sim.ScenarioError, match="not valid TOML"):
        sim.load_scenario(write(tmp_path, "[levers\n"))


def test_with_overrides_returns_new_validated_scenario(baseline):
    changed = baseline.with_overrides({"levers.risk_budget": 0.5, "world.staff_scale": 0.1})
    assert changed.levers.risk_budget == 0.5 and changed.world.staff_scale == 0.1
    assert baseline.levers.risk_budget == sim.LEVERS["risk_budget"].status_quo
    with pytest.raises(sim.ScenarioError, match="levers.nonsense"):
        baseline.with_overrides({"levers.nonsense": 1})
    with pytest.raises(sim.ScenarioError, match="allowed"):
        baseline.with_overrides({"uncertainties.effect_size": 9.0})


def test_calibration_overrides(baseline):
    sc = baseline.with_overrides({"calibration.flows.strain_elasticity": 2.0})
    assert sc.param("flows.strain_elasticity") == 2.0
    assert baseline.param("flows.strain_elasticity") != 2.0
    with pytest.raises(sim.ScenarioError, match="unknown key 'calibration.flows.nope'"):
        baseline.with_overrides({"calibration.flows.nope": 1.0})
    with pytest.raises(sim.ScenarioError, match="out of range"):
        baseline.with_overrides({"calibration.fte_fraction.nurse": 3.0})


def test_every_calibration_number_has_a_source():
    from sim.scenario import calibration_defaults

    for key, entry in calibration_defaults().items():
        assert entry.get("source"), key
        assert entry.get("unit"), key


def test_parse_override_types():
    assert parse_override("levers.risk_budget=0.5") == ("levers.risk_budget", 0.5)
    assert parse_override("innovation.enabled=false") == ("innovation.enabled", False)
    assert parse_override("world.kind=synthetic") == ("world.kind", "synthetic")
    with pytest.raises(sim.ScenarioError):
        parse_override("levers.risk_budget")


def test_content_hash_is_stable_and_sensitive(baseline):
    assert baseline.content_hash() == sim.load_scenario(baseline.source).content_hash()
    assert (
        baseline.content_hash()
        != baseline.with_overrides({"levers.risk_budget": 0.3}).content_hash()
    )
