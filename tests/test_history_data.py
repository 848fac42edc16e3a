"""The sourced data for the adoption layer is complete and coherent: the 2025 starting state
(sim/data/adoption_2025.toml) and the historical calibration targets (sim/data/history_targets.toml)."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

DATA = resources.files("sim.data")
STATUSES = {"sourced", "extrapolated", "assumption"}
CITES = re.compile(r"SOURCES [A-Z]{1,2}-\d{2}")


def _load(name: str) -> dict:
    return tomllib.loads(DATA.joinpath(name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def adoption() -> dict:
    return _load("adoption_2025.toml")


@pytest.fixture(scope="module")
def archetypes() -> list[str]:
    return [k for k, v in _load("solutions.toml").items() if "sector" in v]


def test_every_archetype_has_a_2025_state_and_nothing_else_is_unlabelled(adoption, archetypes):
    assert set(archetypes) <= set(adoption)
    extra = set(adoption) - set(archetypes)
    assert extra == {"technology_potential"}


def test_2025_states_are_valid_beta_and_cited(adoption, archetypes):
    for name in archetypes:
        row = adoption[name]
        share, (low, high) = row["share_of_orgs"], row["share_of_orgs_range"]
        assert 0 <= low <= share <= high <= 1, name
        m, sd = row["coverage"], row["coverage_sd"]
        assert 0 < m < 1 and 0 < sd**2 < m * (1 - m), f"{name}: no beta with mean {m}, sd {sd}"
        assert 1990 <= row["first_use_year"] <= 2025, name
        assert row["status"] in STATUSES, name
        if row["status"] == "assumption":
            assert row["source"].startswith("assumption"), name
        else:
            assert CITES.search(row["source"]), name
        for point in row.get("history", []):
            assert point["year"] <= 2025 and point["definition"] and CITES.search(point["source"])
            assert ("share_of_orgs" in point) != ("measured" in point), point
            value = point.get("share_of_orgs", point.get("measured"))
            assert 0 <= value <= 1, point


def test_technology_potential_is_an_ordered_range_and_matches_its_arithmetic(adoption):
    pot = adoption["technology_potential"]
    assert 0 < pot["low"] < pot["central"] < pot["high"] < 0.2
    calibration = _load("calibration.toml")
    stock, fte = calibration["stock"], calibration["fte_fraction"]
    hospital = sum(e["value"] for k, e in stock.items() if k.startswith("hospital_"))
    municipal = sum(
        e["value"] * fte[k.removeprefix("municipal_").removesuffix("_headcount")]["value"]
        for k, e in stock.items()
        if k.startswith("municipal_")
    )
    assert pot["modelled_fte"] == pytest.approx(hospital + municipal, abs=1)
    public = 415_512 + 116_200  # SOURCES W-26 + W-01
    assert pot["low"] == pytest.approx(10_000 / public, abs=1e-4)
    assert pot["central"] == pytest.approx(10_000 / 320_000, abs=1e-4)
    assert pot["high"] == pytest.approx(30_000 / public, abs=1e-4)


ROLES = {"fit", "holdout", "check", "input"}
REQUIRED = {
    "value",
    "unit",
    "date",
    "definition",
    "uncertainty",
    "grade",
    "source",
    "role",
    "constrains",
}


@pytest.fixture(scope="module")
def targets() -> dict:
    return _load("history_targets.toml")


def test_every_target_is_complete(targets):
    for name, t in targets.items():
        assert set(t) >= REQUIRED, f"{name}: missing {REQUIRED - set(t)}"
        assert ("sd" in t) != ("interval" in t), f"{name}: give sd or interval"
        assert t["role"] in ROLES, name
        assert t["grade"] in {"A", "B", "C", "L"}, name
        assert CITES.search(t["source"]), name
        assert 2009 <= t["date"] <= 2036, name
        if "interval" in t:
            low, high = t["interval"]
            assert low <= t["value"] <= high, name
        else:
            assert t["sd"] >= 0 and (t["sd"] > 0 or t["role"] in {"input", "check"}), name
        if "date_interval" in t:
            low, high = t["date_interval"]
            assert low <= t["date"] <= high, name


def test_counts_of_municipalities_match_their_shares(targets):
    checked = 0
    for name, t in targets.items():
        m = re.search(r"\((\d+) of 98", t["definition"])
        if m and "share of the 98 municipalities" in t["unit"]:
            assert t["value"] == pytest.approx(int(m.group(1)) / 98, abs=0.002), name
            checked += 1
    assert checked >= 2


def test_a_holdout_is_named_and_not_fitted(targets):
    holdouts = [n for n, t in targets.items() if t["role"] == "holdout"]
    fitted = [n for n, t in targets.items() if t["role"] == "fit"]
    assert holdouts and fitted
    assert not {n.split("_")[0] for n in holdouts} & {n.split("_")[0] for n in fitted}
