"""One simulation run: ``sim.run(scenario, seed)`` -> :class:`RunResult`, and writing its outputs."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import outputs
from sim.model.accounting import PROFESSION_COLUMNS, SECTOR_COLUMNS, SECTOR_ROWS
from sim.model.demography import PROFESSIONS
from sim.model.model import HealthSystemModel
from sim.outputs import SUMMARY_YEARS, TARGET_FTE, TARGET_YEAR
from sim.provenance import provenance
from sim.scenario import Scenario


@dataclass
class RunResult:
    """The outputs of one run (national units).

    Attributes:
        scenario: the scenario that was run.
        seed: the run seed.
        timeseries: one row per month and sector ("hospital", "municipal", "all").
        by_profession: one row per month, sector and profession.
        adoption: one row per month and adopted solution (organisations using it).
        summary: scalar outcomes (see docs/ARCHITECTURE.md, contract 1).
        coverage: one row per month and solution type that has been in use: the share of the national
            addressable hours of the type in its sector that solutions cover, and where the type came from
            (the 2025 catalogue or development).
        run_time_s: wall-clock seconds of the simulation.
    """

    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame
    by_profession: pd.DataFrame
    adoption: pd.DataFrame
    summary: dict[str, float]
    coverage: pd.DataFrame = field(default_factory=lambda: _NO_COVERAGE.copy())
    run_time_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def write(self, out_dir: str | Path, command: str | None = None) -> Path:
        """Write ``timeseries.parquet``, ``by_profession.parquet``, ``adoption.parquet``, ``summary.json``
        and ``manifest.json`` into ``out_dir`` (created if needed)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.timeseries.to_parquet(out / "timeseries.parquet", index=False)
        self.by_profession.to_parquet(out / "by_profession.parquet", index=False)
        self.adoption.to_parquet(out / "adoption.parquet", index=False)
        self.coverage.to_parquet(out / "coverage.parquet", index=False)
        (out / "summary.json").write_text(json.dumps(_jsonable(self.summary), indent=2))
        manifest = {
            "kind": "run",
            "name": self.scenario.name,
            "scenario_file": self.scenario.source,
            "scenario": self.scenario.to_dict(),
            "scenario_sha256": self.scenario.content_hash(),
            "seed": self.seed,
            "run_time_s": round(self.run_time_s, 3),
            "rerun": command or f"opisim run {self.scenario.source} --seed {self.seed} --out {out}",
            **provenance(),
        }
        (out / "manifest.json").write_text(json.dumps(_jsonable(manifest), indent=2))
        return out


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        return None if math.isnan(float(obj)) else float(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def simulate(model: HealthSystemModel) -> HealthSystemModel:
    """Step a model to the end of its horizon."""
    while model.running:
        model.step()
    return model


def run(scenario: Scenario, seed: int = 1) -> RunResult:
    """Run one scenario with one seed to the end of its horizon.

    The same scenario and seed give identical output on any machine and in any order.
    """
    start = time.perf_counter()
    model = simulate(HealthSystemModel(scenario=scenario, seed=seed, collect=False))
    elapsed = time.perf_counter() - start
    result = result_from_model(model, elapsed)
    release_model(model)
    return result


def release_model(model: HealthSystemModel) -> None:
    """Let a finished model be garbage-collected.

    Mesa 3.3 counts agent ids in a class-level dict keyed by model (``mesa.Agent._ids``), which keeps every
    model ever built alive (about 3 MB per national run at staff_scale 0.1). Drop this model's entry.
    """
    import mesa

    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


def result_from_model(model: HealthSystemModel, run_time_s: float = 0.0) -> RunResult:
    """Build the RunResult tables from a finished (or partly run) model."""
    n = model.month_index
    rec = model.recorder
    dates = pd.to_datetime(model.dates[:n].astype("datetime64[D]"))
    years = model.dates[:n].astype("datetime64[Y]").astype(int) + 1970
    months = model.dates[:n].astype(int) % 12 + 1
    n_rows = len(SECTOR_ROWS)
    ts = _frame(
        {
            "date": np.repeat(dates.values, n_rows),
            "year": np.repeat(years, n_rows),
            "month": np.repeat(months, n_rows),
            "sector": np.tile(np.array(SECTOR_ROWS, dtype=object), n),
        },
        rec.sector[:n].reshape(n * n_rows, -1),
        SECTOR_COLUMNS,
    )
    n_prof = len(PROFESSIONS)
    bp = _frame(
        {
            "date": np.repeat(dates.values, n_rows * n_prof),
            "year": np.repeat(years, n_rows * n_prof),
            "sector": np.tile(np.repeat(np.array(SECTOR_ROWS, dtype=object), n_prof), n),
            "profession": np.tile(np.array(PROFESSIONS, dtype=object), n * n_rows),
        },
        rec.profession[:n].reshape(n * n_rows * n_prof, -1),
        PROFESSION_COLUMNS,
    )
    if model.innovation is not None:
        adoption = model.innovation.adoption_table(dates)
        coverage = model.innovation.coverage_table(dates)
    else:
        adoption, coverage = _NO_ADOPTION.copy(), _NO_COVERAGE.copy()
    summary = summarise(ts, model)
    return RunResult(
        model.scenario, model.seed, ts, bp, adoption, summary, coverage, run_time_s=run_time_s
    )


def _frame(
    keys: dict[str, np.ndarray], values: np.ndarray, columns: tuple[str, ...]
) -> pd.DataFrame:
    """A table of key columns followed by the columns of ``values`` [rows, columns], built at once."""
    return pd.DataFrame({**keys, **{name: values[:, i] for i, name in enumerate(columns)}})


# the coverage table of a run without innovation (copied for each run)
_NO_COVERAGE = pd.DataFrame(
    {
        "date": pd.Series(dtype="datetime64[ns]"),
        "archetype": pd.Series(dtype=object),
        "sector": pd.Series(dtype=object),
        "origin": pd.Series(dtype=object),
        "coverage": pd.Series(dtype=float),
    }
)
# the adoption table of a run without innovation (copied for each run)
_NO_ADOPTION = pd.DataFrame(
    {
        "date": pd.Series(dtype="datetime64[ns]"),
        "solution_id": pd.Series(dtype=int),
        "archetype": pd.Series(dtype=object),
        "adopters": pd.Series(dtype=int),
        "n_target_orgs": pd.Series(dtype=int),
    }
)


def summarise(ts: pd.DataFrame, model: HealthSystemModel) -> dict[str, float]:
    """Scalar outcomes of a run, one for each of :func:`sim.outputs.summary_keys`.

    The keys a series gives (``<name>_<year>``, ``<name>_cum``, ``<name>_final``) follow from its row
    in :mod:`sim.outputs`; the summary-only outcomes are computed here and by the innovation layer.
    Year values are December of that year (or the last simulated month of it); NaN where undefined.

    Raises:
        RuntimeError: a computed outcome has no row in :mod:`sim.outputs`.
    """
    n = model.month_index
    national = model.recorder.sector[:n, SECTOR_ROWS.index("all"), :]
    col = {name: national[:, i] for i, name in enumerate(SECTOR_COLUMNS)}
    years = model.dates[:n].astype("datetime64[Y]").astype(int) + 1970
    last_month = {
        int(y): int(np.flatnonzero(years == y)[-1]) for y in SUMMARY_YEARS if (years == y).any()
    }
    nan = float("nan")
    out: dict[str, float] = {}
    for row in outputs.OUTPUTS.values():
        if row.name not in col:
            continue
        series = col[row.name]
        if "years" in row.summary:
            for year in SUMMARY_YEARS:
                t = last_month.get(year)
                out[f"{row.name}_{year}"] = float(series[t]) if t is not None else nan
        if "cum" in row.summary:
            out[f"{row.name}_cum"] = float(series.sum())
        if "final" in row.summary:
            out[f"{row.name}_final"] = float(series[-1]) if n else nan
    # SOSU (assistant + helper) and nurse gaps, all sectors, for the pattern checks
    prof = model.recorder.profession
    gap = PROFESSION_COLUMNS.index("gap_fte")
    sosu = [PROFESSIONS.index("sosu_assistant"), PROFESSIONS.index("sosu_helper")]
    everywhere, nurse = SECTOR_ROWS.index("all"), PROFESSIONS.index("nurse")
    for year in SUMMARY_YEARS:
        t = last_month.get(year)
        out[f"sosu_gap_fte_{year}"] = (
            float(prof[t, everywhere, sosu, gap].sum()) if t is not None else nan
        )
        out[f"nurse_gap_fte_{year}"] = (
            float(prof[t, everywhere, nurse, gap]) if t is not None else nan
        )
    out["staff_lost_attrition"] = float(col["quits"].sum())
    out["startups_scaled_cum"] = float(col["startups_scaled"][-1]) if n else nan
    freed_fte_years = float(np.clip(col["fte_freed"], 0, None).sum() / 12.0)
    out["fte_years_freed_cum"] = freed_fte_years
    out["public_cost_per_fte_freed_dkk"] = (
        out["public_cost_dkk_cum"] / freed_fte_years if freed_fte_years > 1.0 else nan
    )
    reached_idx = np.flatnonzero(col["fte_freed"] >= TARGET_FTE)
    first_year = int(years[reached_idx[0]]) if len(reached_idx) else None
    out["target_10k_reached"] = float(first_year is not None and first_year <= TARGET_YEAR)
    out["target_10k_year"] = float(first_year) if first_year is not None else nan
    if model.innovation is not None:
        out.update(model.innovation.summary())
    keys = outputs.summary_keys()
    unknown = sorted(set(out) - set(keys))
    if unknown:
        raise RuntimeError(
            f"summary outcomes without a row in sim/outputs.py: {', '.join(unknown)}"
        )
    return {key: out.get(key, nan) for key in keys}
