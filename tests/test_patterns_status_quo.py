"""Patterns the status quo must show (issue 2, MODEL.md s1 and s6), checked on the national world.

Tolerances: SOSU (assistant + helper) gap in December 2035 within 10,000-30,000 FTE (published projections
~15,000 to 23,800, SOURCES G-06, G-08); nurses roughly balanced in 2030 (gap within -8,000 to +10,000;
SOURCES G-03, G-10); 2025
job-leaving within 2 percentage points of 13.3% (hospital nurses) and 2.5 points of 19.5% (municipal SOSU
staff) (SOURCES W-30, W-31). Runs at staff_scale 0.1, two seeds.
"""

from __future__ import annotations

import pytest

import sim


@pytest.fixture(scope="module")
def status_quo_runs(baseline):
    sc = baseline.with_overrides({"world.staff_scale": 0.1, "innovation.enabled": False})
    return [sim.run(sc, seed=s) for s in (1, 2)]


def test_national_gap_grows(status_quo_runs):
    for r in status_quo_runs:
        ts = r.timeseries
        gap = ts[(ts.sector == "all") & (ts.date.dt.month == 12)].set_index("year")["gap_fte"]
        assert gap[2025] < gap[2035] < gap[2045]


def test_sosu_gap_2035_in_published_range(status_quo_runs):
    for r in status_quo_runs:
        assert 10_000 <= r.summary["sosu_gap_fte_2035"] <= 30_000


def test_nurses_roughly_balanced_2030(status_quo_runs):
    for r in status_quo_runs:
        assert -8_000 <= r.summary["nurse_gap_fte_2030"] <= 10_000


def test_job_leaving_calibration_2025(status_quo_runs):
    for r in status_quo_runs:
        bp = r.by_profession
        y = bp[bp.year == 2025]

        def rate(sector, professions, y=y):
            rows = y[(y.sector == sector) & y.profession.isin(professions)]
            head = rows.groupby("date")["staff_headcount"].sum().mean()
            return (rows["exits"].sum() + rows["moves"].sum()) / head

        assert rate("hospital", ["nurse"]) == pytest.approx(0.133, abs=0.02)
        assert rate("municipal", ["sosu_assistant", "sosu_helper"]) == pytest.approx(
            0.195, abs=0.025
        )


def test_vicious_circle_strain_raises_attrition(baseline):
    """More strain -> more quits: a higher strain elasticity loses more staff and widens the gap."""
    sc = baseline.with_overrides(
        {"world.staff_scale": 0.05, "innovation.enabled": False, "time.end_year": 2035}
    )
    low = sim.run(sc.with_overrides({"uncertainties.attrition_sensitivity": 0.5}), seed=1).summary
    high = sim.run(sc.with_overrides({"uncertainties.attrition_sensitivity": 2.0}), seed=1).summary
    assert high["staff_lost_attrition"] > low["staff_lost_attrition"]
    assert high["gap_fte_2035"] > low["gap_fte_2035"]
