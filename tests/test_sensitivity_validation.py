"""Validation of the sensitivity pipeline against known answers (VALIDATION.md sections 2-4).

Every test goes through the full pipeline: an experiment file, the experiment layer (designs, seeds,
executor, chunked storage, runs.parquet) and the analysis of the results directory; none calls SALib
directly. Models are the analytic test functions of ``sim.analysis.testfunctions``.

Tolerances: Ishigami at N = 1024 within 0.05 (SALib's worst error over 20 seeds is 0.024); Sobol G at
N = 4096 within 0.01 for S1; the stochastic toy model within 0.05 of the table of VALIDATION.md s4 and
its sums within 0.08 (the bootstrap half-widths there are 0.02-0.06).
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import run_sensitivity
from sim.analysis.sensitivity import analyse
from sim.analysis.testfunctions import (
    SOBOL_G8_A,
    SOBOL_G_A,
    ishigami_indices,
    sobol_g_indices,
)

REPO = Path(__file__).resolve().parents[1]
PI = math.pi


def write_file(folder: Path, name: str, body: str) -> Path:
    """Write an experiment file into ``folder``."""
    path = folder / f"{name}.toml"
    path.write_text(textwrap.dedent(body))
    return path


def run(path: Path, out: Path, workers: int = 1):
    """Run and analyse an experiment file in process; return the analysis result."""
    _, result = run_sensitivity(
        path, out=out, workers=workers, progress=False, log=lambda line: None
    )
    return result


def by_factor(result, column: str, outcome: str = "y") -> pd.Series:
    """One index column of the first-order rows, indexed by factor."""
    rows = result.indices[
        (result.indices["outcome"] == outcome) & (result.indices["kind"] != "pair")
    ]
    return rows.set_index("factor")[column]


def test_ishigami_sobol_n1024_matches_analytical(tmp_path: Path) -> None:
    result = run(REPO / "experiments" / "check_ishigami.toml", tmp_path / "out")
    truth = ishigami_indices()
    for column in ("S1", "ST"):
        got = by_factor(result, column)[["x1", "x2", "x3"]].to_numpy()
        assert np.abs(got - np.array(truth[column])).max() < 0.05, (column, got)
    pairs = result.indices[result.indices["kind"] == "pair"].set_index(["factor", "factor2"])["S2"]
    assert abs(pairs[("x1", "x3")] - truth["ST"][2]) < 0.1
    assert abs(pairs[("x1", "x2")]) < 0.1 and abs(pairs[("x2", "x3")]) < 0.1
    assert (result.indices["randomness"] == "replicate_mean").all()
    assert (tmp_path / "out" / "indices.csv").is_file() and (
        tmp_path / "out" / "analysis.json"
    ).is_file()


@pytest.mark.slow
def test_sobol_g_n4096_first_order_within_001_and_ranking(tmp_path: Path) -> None:
    factors = "\n".join(f"x{i} = [0.0, 1.0]" for i in range(1, 7))
    path = write_file(
        tmp_path,
        "g",
        f"""
        [experiment]
        name = "sobol_g"
        model = "sobol_g"
        master_seed = 7
        [design]
        kind = "sobol"
        n = 4096
        [design.factors]
        {factors}
        [analysis]
        randomness = "replicate_mean"
        """,
    )
    result = run(path, tmp_path / "out")
    truth = sobol_g_indices(SOBOL_G_A)
    names = [f"x{i}" for i in range(1, 7)]
    s1 = by_factor(result, "S1")[names].to_numpy()
    st = by_factor(result, "ST")[names].to_numpy()
    assert np.abs(s1 - np.array(truth["S1"])).max() < 0.01, s1
    assert list(np.argsort(-st)) == list(np.argsort(-np.array(truth["ST"])))
    assert list(np.argsort(-s1)[:4]) == list(np.argsort(-np.array(truth["S1"]))[:4])


def _ishigami_morris(tmp_path: Path, order: tuple[str, ...] = ("x1", "x2", "x3")) -> Path:
    factors = "\n".join(f"{x} = [{-PI!r}, {PI!r}]" for x in order)
    return write_file(
        tmp_path,
        "morris_ishigami",
        f"""
        [experiment]
        name = "morris_ishigami"
        model = "ishigami"
        master_seed = 3
        [design]
        kind = "morris"
        trajectories = 20
        levels = 4
        [design.factors]
        {factors}
        [analysis]
        randomness = "replicate_mean"
        """,
    )


def test_morris_ishigami_mu_star_x2_is_7875(tmp_path: Path) -> None:
    result = run(_ishigami_morris(tmp_path), tmp_path / "out")
    mu_star = by_factor(result, "mu_star")
    assert mu_star["x2"] == pytest.approx(7.875, abs=1e-9)
    assert abs(by_factor(result, "mu")["x2"]) <= 7.875 + 1e-9  # signed effects are +-7.875
    assert result.indices["S1"].isna().all()  # Morris fills mu*, not Sobol columns


def test_morris_sobol_g8_order(tmp_path: Path) -> None:
    factors = "\n".join(f"x{i} = [0.0, 1.0]" for i in range(1, 9))
    path = write_file(
        tmp_path,
        "g8",
        f"""
        [experiment]
        name = "g8"
        model = "sobol_g8"
        master_seed = 11
        [design]
        kind = "morris"
        trajectories = 10
        [design.factors]
        {factors}
        [analysis]
        randomness = "replicate_mean"
        """,
    )
    mu = by_factor(run(path, tmp_path / "out"), "mu_star")
    assert mu["x1"] > mu["x2"] > mu["x3"] > mu["x4"]
    # VALIDATION.md s3 says "below a tenth"; analytically each ratio is about 0.1 x 1.04 and SALib 1.6
    # alone gives 0.09-0.17 for the largest of the four over 20 sample seeds, so the bound here is 0.2.
    assert max(mu[f"x{i}"] for i in range(5, 9)) < 0.2 * mu["x4"]
    assert len(SOBOL_G8_A) == 8


@pytest.mark.parametrize("kind", ["sobol", "morris"])
def test_constant_model_gives_all_zero_indices(tmp_path: Path, kind: str) -> None:
    size = "n = 64" if kind == "sobol" else "trajectories = 6"
    path = write_file(
        tmp_path,
        "constant",
        f"""
        [experiment]
        name = "constant"
        model = "constant"
        master_seed = 1
        [design]
        kind = "{kind}"
        {size}
        [design.factors]
        a = [0.0, 1.0]
        b = [-2.0, 5.0]
        [analysis]
        outcomes = ["y"]
        """,
    )
    result = run(path, tmp_path / "out")
    cols = (
        ["S1", "S1_conf", "ST", "ST_conf"]
        if kind == "sobol"
        else ["mu", "mu_star", "mu_star_conf", "sigma"]
    )
    values = result.indices[cols].to_numpy()
    assert values.shape[0] == 3  # a, b and the seed factor (default randomness)
    assert (values == 0.0).all()
    assert any("constant" in w for w in result.warnings)


def test_permuting_factor_order_permutes_indices(tmp_path: Path) -> None:
    """Listing the factors in another order must move each index with its factor (no column mix-up)."""
    a_table = dict(zip([f"x{i}" for i in range(1, 7)], SOBOL_G_A, strict=True))
    truth = dict(zip(a_table, sobol_g_indices(SOBOL_G_A)["ST"], strict=True))
    results = {}
    for tag, order in (
        ("fwd", ["x1", "x2", "x3", "x4", "x5", "x6"]),
        ("perm", ["x4", "x6", "x1", "x3", "x2", "x5"]),
    ):
        factors = "\n".join(f"{x} = [0.0, 1.0]" for x in order)
        folder = tmp_path / tag
        folder.mkdir()
        path = write_file(
            folder,
            "g",
            f"""
            [experiment]
            name = "g_{tag}"
            model = "sobol_g"
            master_seed = 5
            [design]
            kind = "sobol"
            n = 1024
            [design.factors]
            {factors}
            [analysis]
            randomness = "replicate_mean"
            """,
        )
        res = run(path, folder / "out")
        assert list(res.indices["factor"]) == order
        results[tag] = by_factor(res, "ST")
    for name, st in truth.items():
        assert results["perm"][name] == pytest.approx(st, abs=0.03)
        assert results["perm"][name] == pytest.approx(results["fwd"][name], abs=0.03)


def _toy(tmp_path: Path, name: str, randomness: str, n: int, replications: int) -> Path:
    return write_file(
        tmp_path,
        name,
        f"""
        [experiment]
        name = "{name}"
        model = "stochastic_toy"
        replications = {replications}
        master_seed = 2024
        [design]
        kind = "sobol"
        n = {n}
        [design.factors]
        x1 = [0.0, 1.0]
        x2 = [0.0, 1.0]
        [analysis]
        randomness = "{randomness}"
        """,
    )


@pytest.mark.slow
def test_stochastic_toy_seed_as_factor(tmp_path: Path) -> None:
    """VALIDATION.md s4, seed as an extra factor held fixed within each Saltelli pair:
    S1 = ST = 1/3 for x1, x2 and the seed (sums 1)."""
    result = run(_toy(tmp_path, "toy_seed", "seed_factor", 4096, 1), tmp_path / "out")
    s1, st = by_factor(result, "S1"), by_factor(result, "ST")
    assert list(s1.index) == ["x1", "x2", "seed"]
    for name in ("x1", "x2", "seed"):
        assert s1[name] == pytest.approx(1 / 3, abs=0.05)
        assert st[name] == pytest.approx(1 / 3, abs=0.05)
    assert s1.sum() == pytest.approx(1.0, abs=0.08) and st.sum() == pytest.approx(1.0, abs=0.08)
    assert result.info["randomness"] == "seed_factor"
    assert result.info["noise"]["y"]["value"] == pytest.approx(1 / 3, abs=0.05)


@pytest.mark.slow
def test_stochastic_toy_replicate_mean(tmp_path: Path) -> None:
    """VALIDATION.md s4, mean of R = 10 runs per point: S1 = 0.476, ST = 0.524 (ST absorbs noise/R)."""
    result = run(_toy(tmp_path, "toy_mean", "replicate_mean", 1024, 10), tmp_path / "out")
    s1, st = by_factor(result, "S1"), by_factor(result, "ST")
    var = 1 / 6 + 1 / 120
    for name in ("x1", "x2"):
        assert s1[name] == pytest.approx((1 / 12) / var, abs=0.05)
        assert st[name] == pytest.approx((1 / 12 + 1 / 120) / var, abs=0.05)
    assert s1.sum() == pytest.approx(2 * (1 / 12) / var, abs=0.08)
    assert st.sum() == pytest.approx(2 * (1 / 12 + 1 / 120) / var, abs=0.08)
    noise = result.info["noise"]["y"]["value"]
    assert noise == pytest.approx((1 / 120) / var, abs=0.01)


@pytest.mark.slow
def test_stochastic_toy_fresh_seed_inflates_total_indices(tmp_path: Path) -> None:
    """One run per point with a fresh seed (replicate_mean, R = 1): ST = 2/3 each, twice the truth."""
    result = run(_toy(tmp_path, "toy_fresh", "replicate_mean", 4096, 1), tmp_path / "out")
    s1, st = by_factor(result, "S1"), by_factor(result, "ST")
    for name in ("x1", "x2"):
        assert s1[name] == pytest.approx(1 / 3, abs=0.05)
        assert st[name] == pytest.approx(2 / 3, abs=0.05)


def test_reanalysis_reads_only_the_results_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run(_ishigami_morris(tmp_path), out)
    (out / "indices.parquet").unlink()
    again = analyse(out)
    pd.testing.assert_frame_equal(first.indices, again.indices)
    assert (out / "indices.parquet").is_file()
