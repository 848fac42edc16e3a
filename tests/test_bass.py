"""Validation against Bass diffusion (VALIDATION.md s1): the spread mechanism with every friction off.

Mechanism level (``pipeline.draw_takeups``, the compiled function ``spread_step`` draws take-ups with): N = 10,000 adopters, monthly hazard rule, 50 seeds: mean curve
within 0.015 of the ODE, every run within 0.06, crossing of F(t*) = 0.4605 in [6.10, 6.40] years, least-squares
refit within 10% (p) and 5% (q); with yearly steps the same comparison detects the lag (gap > 0.05), which
shows the test has power. Model level: the full model in frictionless mode with 2,000 organisations.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import least_squares

import sim
from sim.model.innovation.pipeline import draw_takeups

P, Q = 0.03, 0.38


def bass_closed_form(t: np.ndarray, p: float = P, q: float = Q) -> np.ndarray:
    e = np.exp(-(p + q) * t)
    return (1 - e) / (1 + (q / p) * e)


def simulate(n: int, years: float, dt: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """N organisations, Bass hazard rule: each non-adopter adopts with probability 1 - exp(-(p + q A/N) dt)
    per step, drawn by the model's own ``draw_takeups``."""
    rng = np.random.default_rng(seed)
    adopted = 0
    hits = np.empty(n, np.int64)
    steps = int(round(years / dt))
    share = np.zeros(steps)
    for k in range(steps):
        prob = 1.0 - np.exp(-(P + Q * adopted / n) * dt)
        adopted += draw_takeups(prob, n - adopted, rng, hits)
        share[k] = adopted / n
    return np.arange(1, steps + 1) * dt, share


def test_closed_form_matches_reference_table():
    t = np.array([1, 5, 10, 20])
    assert bass_closed_form(t) == pytest.approx([0.0358, 0.3312, 0.8128, 0.9963], abs=1e-4)
    assert bass_closed_form(np.array([1, 5, 10, 20]), 0.01, 0.5) == pytest.approx(
        [0.0129, 0.1880, 0.7617, 0.9981], abs=1e-4
    )


@pytest.mark.slow
def test_monthly_agent_rule_reproduces_bass():
    runs = [simulate(10_000, 20, 1 / 12, seed) for seed in range(50)]
    t = runs[0][0]
    curves = np.array([r[1] for r in runs])
    ode = bass_closed_form(t)
    assert np.abs(curves.mean(axis=0) - ode).max() < 0.015
    assert np.abs(curves - ode).max() < 0.06
    crossing = np.array([t[np.argmax(c >= 0.4605)] for c in curves])
    assert 6.10 <= crossing.mean() <= 6.40
    fit = least_squares(
        lambda x: bass_closed_form(t, *x) - curves.mean(axis=0),
        x0=[0.02, 0.3],
        bounds=([1e-4, 1e-3], [1, 5]),
    )
    p_hat, q_hat = fit.x
    assert p_hat == pytest.approx(P, rel=0.10)
    assert q_hat == pytest.approx(Q, rel=0.05)


def test_yearly_steps_show_the_lag_so_the_test_has_power():
    runs = [simulate(10_000, 20, 1.0, seed) for seed in range(20)]
    t = runs[0][0]
    mean = np.mean([r[1] for r in runs], axis=0)
    assert np.abs(mean - bass_closed_form(t)).max() > 0.05


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sim.errors.OpisimWarning")  # staff do not matter here
def test_full_model_frictionless_follows_bass(root):
    sc = sim.load_scenario(root / "tests" / "data" / "small.toml").with_overrides(
        {
            "world.n_municipalities": 2000,
            "world.n_hospitals": 2,
            "world.staff_scale": 0.002,
            "time.end_year": 2044,
            "innovation.frictionless": True,
            "innovation.bass_p": P,
            "innovation.bass_q": Q,
        }
    )
    curves = []
    for seed in range(8):
        r = sim.run(sc, seed=seed)
        ad = r.adoption
        n_target = ad["n_target_orgs"].iloc[0]
        curves.append(ad.sort_values("date")["adopters"].to_numpy() / n_target)
    t = np.arange(1, len(curves[0]) + 1) / 12
    mean = np.mean(curves, axis=0)
    assert np.abs(mean - bass_closed_form(t)).max() < 0.03
    assert r.summary["adoptions_cum"] == pytest.approx(curves[-1][-1] * n_target)
