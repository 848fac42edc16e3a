"""Shared fixtures: paths and small scenarios that keep the suite fast."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def small_scenario() -> sim.Scenario:
    """2 regions, 3 hospitals, 6 municipalities, staff_scale 0.02, 2025-2030."""
    return sim.load_scenario(DATA / "small.toml")


@pytest.fixture(scope="session")
def baseline() -> sim.Scenario:
    return sim.load_scenario(ROOT / "scenarios" / "baseline.toml")


@pytest.fixture(scope="session", autouse=True)
def compiled_innovation_steps() -> None:
    """Compile the innovation layer's numba steps once, before any test (the first compile on a fresh
    clone takes about 20 s and is cached on disk), so the tests that start other processes (the CLI, the
    explorer's server, experiment workers) load them from the cache instead of compiling under a deadline.
    The run reaches January 2026, so the steps that run each January are compiled too."""
    sim.run(sim.load_scenario(DATA / "small.toml").with_overrides({"time.end_year": 2026}), seed=1)
