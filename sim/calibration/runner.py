"""``run_calibration``: from a calibration file to a results directory, with provenance and resume.

The steps: validate the file (:mod:`sim.calibration.spec`), set up pyabc's ABC-SMC with the
deterministic batch sampler (:mod:`sim.calibration.smc`) on an executor of the experiment layer, run
the generations (or continue them: ``resume``), run the posterior predictive check, and write
``results/<name>/``:

* ``manifest.json``: the file, versions, git commit, seeds, generations, the command that reruns it;
* ``abc.db``: pyabc's database (every generation; ``pyabc.History`` reads it);
* ``populations.parquet``: every generation's accepted particles (parameters, weight, distance);
* ``posterior.parquet``: the last generation, the calibrated distribution;
* ``posterior_intervals.csv``: for each coefficient its prior and the weighted 5%, 50%, 95% quantiles;
* ``predictive.parquet``: the posterior predictive runs (draws of the posterior, fresh seeds);
* ``targets_vs_model.csv``: each target (fitted and held out) against the predictive band;
* ``runs.parquet`` and ``runs/``: every model run with its seed, parameters and statistics.

With ``ship`` the posterior is also copied to ``sim/data/posterior.parquet``, where experiments and the
sensitivity analysis take it as the default distribution of structural uncertainty.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import platform
import shutil
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.calibration.spec import CalibrationSpec, load_base, load_calibration, spec_from_dict
from sim.errors import CalibrationError
from sim.experiments.executors import RunContext, Task, make_executor, pack_context
from sim.experiments.models import get_model
from sim.experiments.seeds import derive_seed
from sim.experiments.storage import atomic_write_bytes, atomic_write_json, atomic_write_parquet
from sim.provenance import git_state, versions

# settings that only say when to stop or how much to check afterwards: changing them keeps a results
# directory resumable (e.g. more generations continue a finished calibration)
_STOPPING = (
    "generations",
    "minimum_epsilon",
    "min_acceptance_rate",
    "max_total_runs",
    "predictive_draws",
    "predictive_replications",
    "description",
)
RESULT_FILES = (
    "manifest.json",
    "abc.db",
    "populations.parquet",
    "posterior.parquet",
    "posterior_intervals.csv",
    "predictive.parquet",
    "targets_vs_model.csv",
    "runs.parquet",
)


class CalibrationRunError(RuntimeError):
    """A model run failed during a calibration (finished runs are kept for ``--resume``)."""


@dataclass
class CalibrationResult:
    """What :func:`run_calibration` returns (everything is also in ``out_dir``)."""

    out_dir: Path
    posterior: pd.DataFrame
    intervals: pd.DataFrame
    targets_vs_model: pd.DataFrame
    manifest: dict[str, Any]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _stderr_log(line: str) -> None:
    print(f"[opisim] {line}", file=sys.stderr, flush=True)


def identity(spec: CalibrationSpec, base: Any) -> str:
    """Hash of everything that determines the calibration's draws and runs (not its stopping rules)."""
    data = spec.to_dict()
    data["settings"] = {k: v for k, v in data["settings"].items() if k not in _STOPPING}
    data["base"] = base.content_hash() if base is not None else None
    data.pop("name", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------
# the store of evaluated runs


def _run_key(phase: str, generation: int, candidate: int, replication: int) -> tuple:
    return (phase, int(generation), int(candidate), int(replication))


class RunStore:
    """Every evaluated run, written as ``runs/runs-<seq>.parquet`` after each batch (atomically).

    On resume the stored runs are read back, so the runs of an interrupted generation are not computed
    again (a stored run is used only if its parameters and seed are those asked for).
    """

    def __init__(self, out_dir: Path, identity: str, keys: list[str]) -> None:
        self.dir = out_dir / "runs"
        self.identity = identity
        self.keys = keys
        self.cache: dict[tuple, dict[str, Any]] = {}
        self._seq = 0

    def load(self) -> int:
        """Read stored runs into the cache; returns how many."""
        if not self.dir.is_dir():
            return 0
        for path in sorted(self.dir.glob("runs-*.parquet")):
            try:
                table = pq.read_table(path)
            except (OSError, pa.ArrowException):
                continue  # a partial write cannot happen (atomic rename); skip anything unreadable
            meta = table.schema.metadata or {}
            self._seq = max(self._seq, int(path.stem.split("-")[1]) + 1)
            if meta.get(b"opisim.identity", b"").decode() != self.identity:
                continue
            for row in table.to_pandas().to_dict("records"):
                key = _run_key(
                    row["phase"], row["generation"], row["candidate"], row["replication"]
                )
                self.cache[key] = row
        return len(self.cache)

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Store finished runs (one file per call)."""
        if not rows:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        frame = pd.DataFrame(rows)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({b"opisim.identity": self.identity.encode()})
        buf = io.BytesIO()
        pq.write_table(table, buf)
        atomic_write_bytes(self.dir / f"runs-{self._seq:06d}.parquet", buf.getvalue())
        self._seq += 1
        for row in rows:
            key = _run_key(row["phase"], row["generation"], row["candidate"], row["replication"])
            self.cache[key] = row

    def frame(self) -> pd.DataFrame:
        """All stored runs, ordered by phase, generation, candidate and replication."""
        if not self.cache:
            return pd.DataFrame()
        frame = pd.DataFrame(list(self.cache.values()))
        return frame.sort_values(
            ["phase", "generation", "candidate", "replication"], kind="stable"
        ).reset_index(drop=True)


class Evaluator:
    """Runs candidates' replications on an executor and returns their statistics.

    Args:
        spec: the calibration.
        executor: an executor of the experiment layer.
        context_blob: the packed :class:`RunContext` (adapter and base scenario).
        store: where runs are kept.
        log: progress lines.
    """

    def __init__(
        self,
        spec: CalibrationSpec,
        executor: Any,
        context_blob: bytes,
        store: RunStore,
        log: Callable[[str], None],
    ) -> None:
        self.spec = spec
        self.executor = executor
        self.blob = context_blob
        self.store = store
        self.log = log
        self.names = [t.name for t in spec.targets]
        self.runs_computed = 0
        self.runs_reused = 0
        self.run_seconds = 0.0

    def run(
        self,
        phase: str,
        generation: int,
        proposals: dict[int, dict[str, float]],
        replications: int,
        seed_of: Callable[[int, int], int],
    ) -> dict[int, dict[str, np.ndarray]]:
        """Statistics (arrays over replications) of each candidate, computing only what is not stored."""
        rows: dict[tuple[int, int], dict[str, Any]] = {}
        tasks = []
        for cand, params in proposals.items():
            for rep in range(replications):
                seed = seed_of(cand, rep)
                row = self.store.cache.get(_run_key(phase, generation, cand, rep))
                if (
                    row is not None
                    and int(row["seed"]) == seed
                    and all(row.get(f"p:{k}") == v for k, v in params.items())
                ):
                    rows[(cand, rep)] = row
                    self.runs_reused += 1
                    continue
                run_id = f"{phase[0]}{generation + 1:03d}c{cand:06d}r{rep:03d}"
                tasks.append(Task(run_id, cand, rep, seed, f"{phase} {generation}", dict(params)))
        new_rows = []
        if tasks:
            for outcome in self.executor.run(tasks, self.blob):
                if outcome["status"] != "ok":
                    self.store.write(new_rows)
                    raise CalibrationRunError(
                        f"run {outcome['run_id']} ({phase}, generation {generation}, candidate "
                        f"{outcome['point']}, seed {outcome['seed']}) failed: {outcome['error']}"
                    )
                summary = outcome["summary"]
                missing = [name for name in self.names if name not in summary]
                if missing:
                    raise CalibrationError(
                        f"{self.spec.origin}: model {self.spec.model!r} returns no statistic "
                        f"{missing[0]!r} (a target); allowed target names: "
                        f"{', '.join(sorted(summary)) or '(none)'}"
                    )
                cand, rep = int(outcome["point"]), int(outcome["replication"])
                row = {
                    "phase": phase,
                    "generation": int(generation),
                    "candidate": cand,
                    "replication": rep,
                    "seed": int(outcome["seed"]),
                    **{f"p:{k}": float(v) for k, v in proposals[cand].items()},
                    **{f"s:{n}": float(summary[n]) for n in self.names},
                    "run_time_s": float(outcome["run_time_s"]),
                }
                new_rows.append(row)
                rows[(cand, rep)] = row
                self.run_seconds += row["run_time_s"]
            self.runs_computed += len(tasks)
            new_rows.sort(key=lambda r: (r["candidate"], r["replication"]))
            self.store.write(new_rows)
        return {
            cand: {
                name: np.array([rows[(cand, r)][f"s:{name}"] for r in range(replications)])
                for name in self.names
            }
            for cand in proposals
        }


# ---------------------------------------------------------------------------------------------------
# tables


def weighted_quantiles(
    values: np.ndarray, weights: np.ndarray, alphas: tuple[float, ...]
) -> list[float]:
    """Weighted quantiles (pyabc's rule: midpoints of the cumulative weights, interpolated)."""
    from pyabc.weighted_statistics import weighted_quantile

    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    weights = weights / weights.sum()
    return [float(weighted_quantile(values, weights, alpha=a)) for a in alphas]


def population_frame(history: Any, t: int, keys: list[str], names: list[str]) -> pd.DataFrame:
    """One generation's accepted particles: parameters, normalised weight, distance, mean statistics."""
    population = history.get_population(t=t)
    rows = []
    for i, particle in enumerate(population.particles):
        row: dict[str, Any] = {"generation": int(t), "particle": i}
        row.update({key: float(particle.parameter[key]) for key in keys})
        row["weight"] = float(particle.weight)
        row["distance"] = float(particle.distance)
        for name in names:
            row[f"stat:{name}"] = float(np.mean(np.asarray(particle.sum_stat[name], dtype=float)))
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["weight"] = frame["weight"] / frame["weight"].sum()
    return frame


def intervals_table(spec: CalibrationSpec, posterior: pd.DataFrame) -> pd.DataFrame:
    """Each coefficient's prior and its posterior 5%, 50%, 95% quantiles and mean."""
    rows = []
    w = posterior["weight"].to_numpy()
    for prior in spec.priors:
        values = posterior[prior.key].to_numpy()
        p05, p50, p95 = weighted_quantiles(values, w, (0.05, 0.5, 0.95))
        rows.append(
            {
                "parameter": prior.key,
                "prior": prior.describe(),
                "prior_low": prior.low,
                "prior_high": prior.high,
                "p05": p05,
                "p50": p50,
                "p95": p95,
                "mean": float(np.average(values, weights=w)),
                "width_share": (p95 - p05) / (prior.high - prior.low),
            }
        )
    return pd.DataFrame(rows)


def targets_table(spec: CalibrationSpec, predictive: pd.DataFrame) -> pd.DataFrame:
    """Each target against the posterior predictive band (5%, 50%, 95% of the predictive runs)."""
    rows = []
    for target in spec.targets:
        values = (
            predictive[f"s:{target.name}"].to_numpy(dtype=float)
            if len(predictive)
            else np.array([])
        )
        values = values[np.isfinite(values)]
        if len(values):
            p05, p50, p95 = (float(v) for v in np.quantile(values, (0.05, 0.5, 0.95)))
            mean = float(values.mean())
        else:
            p05 = p50 = p95 = mean = math.nan
        low, high = target.band
        rows.append(
            {
                "target": target.name,
                "fitted": target.fitted,
                "role": target.role,
                "observed": target.observed,
                "low": low,
                "high": high,
                "scale": target.scale,
                "scale_kind": target.scale_kind,
                "source": target.source,
                "model_mean": mean,
                "model_p05": p05,
                "model_p50": p50,
                "model_p95": p95,
                # the band meets the target's values (the observed value, or its interval)
                "covered": bool(p05 <= high and p95 >= low) if len(values) else False,
                "z": (mean - min(max(mean, low), high)) / target.scale if len(values) else math.nan,
                "runs": int(len(values)),
                "description": target.description,
            }
        )
    return pd.DataFrame(rows)


def resample_indices(weights: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` indices drawn with replacement in proportion to ``weights`` (prefix-stable in ``n``)."""
    from sim.calibration.posterior import weighted_indices

    return weighted_indices(weights, n, seed)


# ---------------------------------------------------------------------------------------------------
# the run


def _as_spec(calibration: str | Path | CalibrationSpec | dict[str, Any]) -> CalibrationSpec:
    if isinstance(calibration, CalibrationSpec):
        return calibration
    if isinstance(calibration, dict):
        return spec_from_dict(calibration, origin="<calibration dict>", base_dir=Path.cwd())
    return load_calibration(calibration)


def _prepare(out_dir: Path, resume: bool, overwrite: bool) -> None:
    has = (out_dir / "manifest.json").exists() or (out_dir / "abc.db").exists()
    if has and overwrite:
        for name in RESULT_FILES:
            (out_dir / name).unlink(missing_ok=True)
        shutil.rmtree(out_dir / "runs", ignore_errors=True)
    elif has and not resume:
        raise CalibrationError(
            f"{out_dir}: already holds calibration results; allowed: --resume to continue them, "
            f"--overwrite to start again, or --out DIR for another directory"
        )
    out_dir.mkdir(parents=True, exist_ok=True)


def _batch_size_rule(population_size: int, workers: int) -> Callable[[int, float | None], int]:
    def rule(needed: int, rate: float | None) -> int:
        size = needed if rate is None else math.ceil(needed / max(rate, 0.01) * 1.15)
        size = max(size, 2 * workers)
        return int(min(size, max(population_size, 256)))

    return rule


def run_calibration(
    calibration: str | Path | CalibrationSpec | dict[str, Any],
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    dask: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    ship: bool | str | Path = False,
    log: Callable[[str], None] | None = None,
    command: str | None = None,
) -> CalibrationResult:
    """Run (or continue) a calibration and write its results directory.

    Args:
        calibration: a calibration TOML file, a validated spec, or the parsed file as a dict.
        out: results directory (default ``results/<name>/``).
        workers: local worker processes (default: all cores; 1 runs in this process).
        dask: a Dask scheduler address, or ``"local"`` for a LocalCluster on 127.0.0.1.
        resume: continue from the last completed generation in ``out`` (stored runs are reused).
        overwrite: delete earlier results in ``out`` first.
        ship: also copy the posterior to ``sim/data/posterior.parquet`` (or to the path given).
        log: receives progress lines (default: stderr).
        command: the command line to record as the rerun command.

    Returns:
        The posterior, its intervals, the targets table and the manifest.

    Raises:
        CalibrationError: invalid file, or ``out`` holds other results.
        CalibrationRunError: a model run failed (finished runs are kept; fix and ``resume``).
    """
    import pyabc

    from sim.calibration import smc

    log = log or _stderr_log
    spec = _as_spec(calibration)
    base = load_base(spec)
    ident = identity(spec, base)
    out_dir = Path(out) if out is not None else Path("results") / spec.name
    manifest_path = out_dir / "manifest.json"
    started = _now()
    if resume and manifest_path.exists():
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            old = {}
        if old.get("identity") and old["identity"] != ident:
            raise CalibrationError(
                f"{out_dir}: holds results of a different calibration (its priors, targets, model, "
                f"seed or scenario changed); allowed: --out DIR for a new directory, or --overwrite"
            )
        started = old.get("started", started)
    _prepare(out_dir, resume, overwrite)
    settings = spec.settings
    keys = spec.parameter_names
    names = [t.name for t in spec.targets]
    fitted = spec.fitted
    experiment_file = spec.origin if Path(spec.origin).is_file() else None
    rerun = command or (
        f"opisim calibrate {experiment_file} --out {out_dir}"
        if experiment_file
        else "sim.calibration.run_calibration(<the calibration dict in 'calibration'>)"
    )
    manifest: dict[str, Any] = {
        "kind": "calibration",
        "name": spec.name,
        "description": settings.description,
        "calibration_file": experiment_file,
        "calibration_toml": spec.text,
        "calibration_sha256": spec.sha256,
        "calibration": spec.to_dict(),
        "identity": ident,
        "base_scenario": base.to_dict() if base is not None else None,
        "base_scenario_sha256": base.content_hash() if base is not None else None,
        "model": spec.model,
        "master_seed": settings.master_seed,
        "seeds": {
            "proposal": "numpy global generator seeded from SeedSequence([master_seed, 1, t + 1, "
            "candidate]) before candidate's proposal (collect and replay)",
            "run": "SeedSequence([master_seed, 2, t + 1, candidate, replication])",
            "predictive_draws": "weighted resampling from SeedSequence([master_seed, 3])",
            "predictive_runs": "SeedSequence([master_seed, 4, draw, replication])",
        },
        "versions": {**versions(), "pyabc": pyabc.__version__},
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "git": git_state(),
        "started": started,
        "finished": None,
        "status": "running",
        "rerun": rerun,
        "note": "Same master seed, same result: independent of executor, worker count and batch size; "
        "--resume continues from the last completed generation and ends where an uninterrupted run ends.",
    }
    atomic_write_json(manifest_path, manifest)

    adapter = get_model(spec.model)
    context = RunContext(
        adapter=adapter,
        base=base.to_dict() if base is not None else None,
        base_source=str(spec.base_scenario),
        keep_timeseries=False,
    )
    blob = pack_context(context)
    store = RunStore(out_dir, ident, keys)
    stored = store.load() if resume else 0
    if stored:
        log(f"resuming: {stored} stored runs found")
    executor = make_executor(workers, dask, keep_workers=True)
    n_workers = getattr(executor, "workers", 2 if dask else 1)
    evaluator = Evaluator(spec, executor, blob, store, log)
    master = settings.master_seed
    reps = settings.replications

    def evaluate(
        t: int, proposals: dict[int, dict[str, float]]
    ) -> dict[int, dict[str, np.ndarray]]:
        return evaluator.run(
            "abc", t, proposals, reps, lambda c, r: derive_seed(master, smc.STREAM_RUN, t + 1, c, r)
        )

    clock = {"last": time.monotonic()}

    def on_batch(info: dict[str, Any]) -> None:
        now = time.monotonic()
        done = info["accepted"] >= info["needed"]
        if done or now - clock["last"] >= 30:
            clock["last"] = now
            log(
                f"generation {info['generation']}: {info['accepted']}/{info['needed']} accepted of "
                f"{info['candidates']} candidates; {evaluator.runs_computed} runs computed"
                + (f", {evaluator.runs_reused} reused" if evaluator.runs_reused else "")
            )

    model = smc.make_model_class()(keys)
    bands = np.array([t.band for t in fitted]).reshape(len(fitted), 2)
    scale = np.array([t.scale for t in fitted])
    distance = smc.make_distance(
        [t.name for t in fitted], bands[:, 0], scale, settings.randomness, high=bands[:, 1]
    )
    eps = smc.make_epsilon(settings.epsilon, settings.quantile)
    sampler = smc.make_sampler(
        evaluate, master, model, _batch_size_rule(settings.population_size, n_workers), on_batch
    )
    db_path = (out_dir / "abc.db").resolve()
    db_url = f"sqlite:///{db_path}"
    wall = time.monotonic()
    try:
        with smc.numpy_global_state(), smc.quiet_pyabc(), warnings.catch_warnings():
            # pyabc compares the first threshold (inf) with the next: inf - inf, harmless
            warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
            abc = pyabc.ABCSMC(
                model,
                smc.make_prior(spec.priors),
                distance,
                population_size=settings.population_size,
                sampler=sampler,
                eps=eps,
            )
            x_0 = {t.name: t.observed for t in spec.targets}
            history = abc.load(db_url, 1) if resume and db_path.exists() else abc.new(db_url, x_0)
            done = history.max_t + 1
            remaining = spec.generations - done
            if remaining > 0:
                log(
                    f"{spec.name}: generations {done}..{spec.generations - 1} of {spec.model!r}, "
                    f"population {settings.population_size}, {reps} replication(s) per particle, "
                    f"on {executor.description}"
                )
                max_total = settings.max_total_runs // reps if settings.max_total_runs else np.inf
                history = abc.run(
                    minimum_epsilon=settings.minimum_epsilon,
                    max_nr_populations=remaining,
                    min_acceptance_rate=settings.min_acceptance_rate,
                    max_total_nr_simulations=max_total,
                )
            if history.max_t < 0:
                raise CalibrationError(
                    f"{spec.origin}: no generation was completed (min_acceptance_rate or "
                    f"max_total_runs stopped generation 0); allowed: lower min_acceptance_rate"
                )
            t_last = int(history.max_t)
            populations = pd.concat(
                [population_frame(history, t, keys, names) for t in range(t_last + 1)],
                ignore_index=True,
            )
            generations = history.get_all_populations()
            generations = generations[generations["t"] >= 0]
        posterior = populations[populations["generation"] == t_last].reset_index(drop=True)
        # posterior predictive check: draws of the posterior with fresh seeds
        draws = resample_indices(
            posterior["weight"].to_numpy(),
            settings.predictive_draws,
            derive_seed(master, smc.STREAM_RESAMPLE),
        )
        predictive_rows: list[dict[str, Any]] = []
        if len(draws):
            proposals = {
                d: {k: float(posterior.at[int(i), k]) for k in keys} for d, i in enumerate(draws)
            }
            log(
                f"posterior predictive check: {len(draws)} draws x {settings.predictive_replications} run(s)"
            )
            evaluator.run(
                "predictive",
                0,
                proposals,
                settings.predictive_replications,
                lambda d, r: derive_seed(master, smc.STREAM_PREDICTIVE, d, r),
            )
            for d, i in enumerate(draws):
                for r in range(settings.predictive_replications):
                    row = dict(store.cache[_run_key("predictive", 0, d, r)])
                    predictive_rows.append({"draw": d, "particle": int(i), **row})
    finally:
        executor.close()
    predictive = pd.DataFrame(predictive_rows)
    if len(predictive):
        predictive = predictive.drop(columns=["phase", "generation", "candidate"])
    intervals = intervals_table(spec, posterior)
    targets = targets_table(spec, predictive)
    atomic_write_parquet(out_dir / "populations.parquet", populations)
    atomic_write_parquet(out_dir / "posterior.parquet", _posterior_file(posterior, spec, manifest))
    atomic_write_parquet(out_dir / "predictive.parquet", predictive)
    runs = counted_runs(store.frame(), generations)
    atomic_write_parquet(out_dir / "runs.parquet", runs)
    intervals.to_csv(out_dir / "posterior_intervals.csv", index=False)
    targets.to_csv(out_dir / "targets_vs_model.csv", index=False)
    gen_rows = [
        {
            "t": int(row["t"]),
            "epsilon": float(row["epsilon"]),
            "candidates": int(row["samples"]),
            "accepted": int(row["particles"]),
            "acceptance_rate": float(row["particles"]) / float(row["samples"]),
        }
        for row in generations.to_dict("records")
    ]
    stopped = len(gen_rows) < spec.generations
    manifest.update(
        finished=_now(),
        status="complete" if not stopped else "stopped_early",
        generations=gen_rows,
        generations_completed=len(gen_rows),
        runs={
            "abc": int((runs["phase"] == "abc").sum()) if len(runs) else 0,
            "predictive": int((runs["phase"] == "predictive").sum()) if len(runs) else 0,
            "computed_this_session": evaluator.runs_computed,
            "reused_from_store": evaluator.runs_reused,
            "model_seconds_this_session": round(evaluator.run_seconds, 3),
        },
        wall_time_s_this_session=round(time.monotonic() - wall, 3),
        executor=executor.description,
        targets_covered=int(targets["covered"].sum()),
        targets_total=len(targets),
    )
    if ship:
        target = None if ship is True else Path(ship)
        from sim.calibration.posterior import ship_posterior

        shipped = ship_posterior(out_dir / "posterior.parquet", target)
        manifest["shipped_to"] = str(shipped)
        log(f"posterior shipped to {shipped}")
    atomic_write_json(manifest_path, manifest)
    if stopped:
        log(
            f"stopped after {len(gen_rows)} of {spec.generations} generations (minimum_epsilon, "
            f"min_acceptance_rate or max_total_runs)"
        )
    return CalibrationResult(out_dir, posterior, intervals, targets, manifest)


def counted_runs(runs: pd.DataFrame, generations: pd.DataFrame) -> pd.DataFrame:
    """The runs that are part of the result: each completed generation's candidates up to its last
    counted one, and the predictive runs (a batch's runs past the generation's end are dropped, so the
    table does not depend on batch sizes or workers)."""
    if not len(runs):
        return runs
    counted = {
        int(t): int(n) for t, n in zip(generations["t"], generations["samples"], strict=True)
    }
    limit = runs["generation"].map(counted)
    keep = (runs["phase"] == "predictive") | (
        (runs["phase"] == "abc") & limit.notna() & (runs["candidate"] < limit.fillna(0))
    )
    return runs[keep].reset_index(drop=True)


def _posterior_file(posterior: pd.DataFrame, spec: CalibrationSpec, manifest: dict) -> pa.Table:
    """The posterior table with its provenance in the Parquet metadata."""
    keys = spec.parameter_names
    frame = posterior[["generation", "particle", "weight", "distance", *keys]]
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = {
        "opisim.kind": "posterior",
        "opisim.calibration": spec.name,
        "opisim.model": spec.model,
        "opisim.calibration_sha256": spec.sha256,
        "opisim.identity": manifest["identity"],
        "opisim.git_commit": str(manifest["git"].get("commit")),
        "opisim.parameters": json.dumps(keys),
        "opisim.priors": json.dumps({p.key: p.to_dict() for p in spec.priors}),
    }
    return table.replace_schema_metadata(
        {**(table.schema.metadata or {}), **{k.encode(): v.encode() for k, v in meta.items()}}
    )
