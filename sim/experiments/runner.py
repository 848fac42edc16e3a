"""``run_experiment``: from an experiment file to a results directory, with provenance and resume.

The steps: validate the file and build the design (:func:`plan_experiment`), derive every run's seed,
skip runs already stored (``resume``), run the rest on an executor while chunks are written as runs
finish, then assemble ``runs.parquet`` (and ``timeseries.parquet``) and write ``manifest.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ExperimentError
from sim.experiments.designs import build_design, factor_columns
from sim.experiments.executors import RunContext, Task, make_executor, pack_context
from sim.experiments.models import get_model
from sim.experiments.seeds import describe_scheme, run_seed, seed_scheme
from sim.experiments.spec import ExperimentSpec, load_base, load_experiment, spec_from_dict
from sim.experiments.storage import (
    ChunkStore,
    atomic_write_json,
    atomic_write_parquet,
    prepare_out_dir,
)
from sim.experiments.structural import Structural, assign, resolve
from sim.provenance import git_state, versions


@dataclass
class Plan:
    """A validated experiment ready to run: spec, base scenario, design and one task per run."""

    spec: ExperimentSpec
    base: Any
    design: pd.DataFrame
    factors: list[str]
    scheme: str
    tasks: list[Task]
    identity: str
    scenario_hashes: dict[str, str]
    structural: Structural
    draws: dict[str, int]


def _python_value(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _as_spec(experiment: str | Path | ExperimentSpec | dict[str, Any]) -> ExperimentSpec:
    if isinstance(experiment, ExperimentSpec):
        return experiment
    if isinstance(experiment, dict):
        return spec_from_dict(experiment, origin="<experiment dict>", base_dir=Path.cwd())
    return load_experiment(experiment)


def _explicit_keys(scenario: Any) -> set[str]:
    """The calibration keys a scenario sets itself (they are not drawn from the posterior)."""
    return {f"calibration.{key}" for key in scenario.calibration} if scenario is not None else set()


def plan_experiment(
    experiment: str | Path | ExperimentSpec | dict[str, Any],
    structural: str | None = None,
    posterior: str | Path | None = None,
) -> Plan:
    """Validate an experiment and list its runs, without running anything.

    Args:
        experiment: an experiment file, spec or dict.
        structural: ``auto``, ``posterior`` or ``none``; overrides the file's ``structural``.
        posterior: a posterior file other than the shipped ``sim/data/posterior.parquet``.

    Raises:
        ExperimentError: any problem with the file, its scenarios or its design.
    """
    spec = _as_spec(experiment)
    if structural is not None:  # the setting in force, for the manifest and for designs that use it
        spec = replace(spec, structural=structural)
    base = load_base(spec)
    design = build_design(spec, base)
    factors = factor_columns(design)
    scheme = seed_scheme(design, spec.design_kind)
    adapter = get_model(spec.model)
    scenario_hashes: dict[str, str] = {}
    tasks: list[Task] = []
    fixed: dict[int, set[str]] = {}
    seed_keys: dict[int, int] = {}
    base_explicit = _explicit_keys(base)
    for row in design.to_dict("records"):
        point = int(row["point"])
        params = {key: _python_value(row[key]) for key in factors}
        fixed[point] = set(params) | set(spec.overrides) | base_explicit
        if "scenario" in params and adapter.uses_scenario:
            from sim.scenario import load_scenario

            path = spec.resolve(str(params["scenario"]))
            params["scenario"] = str(path)
            params.update(spec.overrides)
            scenario = load_scenario(path)
            fixed[point] |= _explicit_keys(scenario)
            if row["scenario"] not in scenario_hashes:
                scenario_hashes[row["scenario"]] = scenario.content_hash()
        seed_key = int(row["seed_key"]) if "seed_key" in row else None
        if seed_key is not None:
            seed_keys[point] = seed_key
        for rep in range(spec.replications):
            seed = run_seed(spec.master_seed, scheme, point, rep, seed_key)
            tasks.append(
                Task(f"p{point:05d}r{rep:03d}", point, rep, seed, str(row["label"]), params)
            )
    resolved = resolve(spec.structural, adapter.uses_scenario, spec.origin, posterior)
    tasks, draws = assign(tasks, resolved, spec.master_seed, scheme, seed_keys, fixed)
    identity_data = {
        "structural": {k: v for k, v in resolved.describe().items() if k != "asked"},
        "model": spec.model,
        "replications": spec.replications,
        "master_seed": spec.master_seed,
        "outputs": list(spec.outputs),
        "overrides": spec.overrides,
        "base": base.content_hash() if base is not None else None,
        "scenarios": scenario_hashes,
        "scheme": scheme,
        "design": json.loads(design.to_json(orient="records", double_precision=15)),
    }
    identity = hashlib.sha256(json.dumps(identity_data, sort_keys=True).encode()).hexdigest()
    return Plan(
        spec, base, design, factors, scheme, tasks, identity, scenario_hashes, resolved, draws
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _manifest(
    plan: Plan, out_dir: Path, kind: str, started: str, extra: dict[str, Any]
) -> dict[str, Any]:
    spec = plan.spec
    experiment_file = spec.origin if Path(spec.origin).is_file() else None
    rerun = (
        f"opisim experiment {experiment_file} --out {out_dir}"
        if experiment_file
        else "sim.run_experiment(<the experiment dict in 'experiment'>)"
    )
    manifest = {
        "kind": kind,
        "name": spec.name,
        "description": spec.description,
        "experiment_file": experiment_file,
        "experiment_toml": spec.text,
        "experiment_sha256": spec.sha256,
        "experiment": spec.to_dict(),
        "identity": plan.identity,
        "base_scenario": plan.base.to_dict() if plan.base is not None else None,
        "base_scenario_sha256": plan.base.content_hash() if plan.base is not None else None,
        "scenario_sha256": plan.scenario_hashes,
        "design_kind": spec.design_kind,
        "n_points": len(plan.design),
        "factors": plan.factors,
        "replications": spec.replications,
        "master_seed": spec.master_seed,
        "seed_scheme": plan.scheme,
        "seeds": describe_scheme(plan.scheme),
        "structural": plan.structural.describe(),
        "staff_scale": spec.staff_scale,
        "model": spec.model,
        "outputs": list(spec.outputs),
        "versions": versions(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "git": git_state(),
        "started": started,
        "finished": None,
        "status": "running",
        "runs": {"total": len(plan.tasks), "ok": 0, "failed": 0},
        "rerun": rerun,
        "note": "Results do not depend on executor or worker count; run_time_s is the only column "
        "that differs between reruns.",
    }
    manifest.update(extra)
    return manifest


class Progress:
    """Runs done, rate and ETA: a tqdm bar on a terminal, plain log lines otherwise."""

    def __init__(
        self, total: int, already: int, enabled: bool | None, log: Callable[[str], None]
    ) -> None:
        self.total = total
        self.done = already
        self.todo = total - already
        self.failed = 0
        self.log = log
        self.start = time.monotonic()
        self.last_log = self.start
        self.count = 0
        interactive = sys.stderr.isatty() if enabled is None else enabled
        self.bar = None
        self.quiet = enabled is False
        if interactive and enabled is not False:
            from tqdm import tqdm

            try:
                width = os.get_terminal_size(sys.stderr.fileno()).columns
            except (OSError, ValueError):
                width = 0
            self.bar = tqdm(
                total=total,
                initial=already,
                unit="run",
                file=sys.stderr,
                dynamic_ncols=width >= 40,
                ncols=None if width >= 40 else 100,
                nrows=None if width >= 40 else 24,  # a terminal of unknown size would hide the bar
            )

    def update(self, outcome: dict[str, Any]) -> None:
        """Count one finished run."""
        self.done += 1
        self.count += 1
        if outcome["status"] != "ok":
            self.failed += 1
        if self.bar is not None:
            self.bar.update(1)
            if self.failed:
                self.bar.set_postfix(failed=self.failed)
            return
        if self.quiet:
            return
        now = time.monotonic()
        step = max(1, self.todo // 10)
        if now - self.last_log >= 30 or self.count % step == 0 or self.count == self.todo:
            self.last_log = now
            rate = self.count / max(now - self.start, 1e-9)
            eta = (self.todo - self.count) / rate if rate > 0 else float("nan")
            self.log(
                f"{self.done}/{self.total} runs ({100 * self.done / self.total:.0f}%), "
                f"{rate:.2f} runs/s, ETA {eta:.0f} s, {self.failed} failed"
            )

    def close(self) -> None:
        """Close the bar."""
        if self.bar is not None:
            self.bar.close()


def _stderr_log(line: str) -> None:
    print(f"[opisim] {line}", file=sys.stderr, flush=True)


def run_experiment(
    experiment: str | Path | ExperimentSpec | dict[str, Any],
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    dask: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool | None = None,
    chunk_runs: int = 50,
    chunk_seconds: float = 15.0,
    max_runs_per_worker: int = 200,
    kind: str = "experiment",
    manifest_extra: dict[str, Any] | None = None,
    log: Callable[[str], None] | None = None,
    structural: str | None = None,
    posterior: str | Path | None = None,
) -> pd.DataFrame:
    """Run an experiment and return its runs table (the content of ``runs.parquet``).

    Args:
        experiment: path of an experiment TOML file, a validated spec, or the parsed file as a dict.
        out: results directory; default ``results/<name>/`` under the current directory.
        workers: local worker processes (default: all cores; 1 runs in this process). With
            ``dask="local"``, the number of LocalCluster workers (default 2).
        dask: a Dask scheduler address, or ``"local"`` for a new LocalCluster on 127.0.0.1.
        resume: keep finished runs found in ``out`` and run only the others (and failed ones again).
        overwrite: delete earlier results in ``out`` first.
        progress: True for a progress bar, False for silence, None: a bar on a terminal, else log lines.
        chunk_runs, chunk_seconds: flush finished runs to a chunk file this often.
        max_runs_per_worker: replace a local worker process after this many runs (0: never), so
            memory a model does not return cannot pile up.
        kind: manifest kind ("experiment"; the sensitivity layer writes "sensitivity").
        manifest_extra: more manifest entries (e.g. the analysis settings).
        log: receives progress and storage messages (default: stderr).
        structural: ``auto``, ``posterior`` or ``none``: whether runs draw the calibrated
            coefficients from the posterior (overrides the file's ``structural``; see
            :mod:`sim.experiments.structural`).
        posterior: a posterior file instead of the shipped ``sim/data/posterior.parquet``.

    Returns:
        One row per run, sorted by point and replication; ``status`` says "ok" or "failed".

    Raises:
        ExperimentError: invalid experiment, or ``out`` holds other results.
    """
    log = log or _stderr_log
    plan = plan_experiment(experiment, structural=structural, posterior=posterior)
    spec = plan.spec
    out_dir = Path(out) if out is not None else Path("results") / spec.name
    manifest_path = out_dir / "manifest.json"
    started = _now()
    if resume and manifest_path.exists():
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            old = {}
        if old.get("identity") and old["identity"] != plan.identity:
            raise ExperimentError(
                f"{out_dir}: holds results of a different experiment (its file, scenarios or design "
                f"changed); allowed: --out DIR for a new directory, or --overwrite"
            )
        started = old.get("started", started)
    prepare_out_dir(out_dir, resume=resume, overwrite=overwrite)
    store = ChunkStore(out_dir, plan.identity, spec.keep_timeseries, chunk_runs, chunk_seconds, log)
    done = store.finished_runs()
    ok_ids = set(done.loc[done["status"] == "ok", "run_id"]) if len(done) else set()
    todo = [task for task in plan.tasks if task.run_id not in ok_ids]
    manifest = _manifest(plan, out_dir, kind, started, manifest_extra or {})
    atomic_write_json(manifest_path, manifest)
    atomic_write_parquet(out_dir / "design.parquet", plan.design)
    if ok_ids:
        log(f"resuming: {len(ok_ids)} of {len(plan.tasks)} runs already done")
    context = RunContext(
        adapter=get_model(spec.model),
        base=plan.base.to_dict() if plan.base is not None else None,
        base_source=str(spec.base_scenario),
        keep_timeseries=spec.keep_timeseries,
    )
    blob = pack_context(context)
    bar = Progress(len(plan.tasks), len(plan.tasks) - len(todo), progress, log)
    executor = make_executor(workers, dask, max_runs_per_worker) if todo else None
    if executor is not None and bar.bar is None and not bar.quiet:
        log(f"{spec.name}: {len(todo)} runs on {executor.description}")
    try:
        if executor is not None:
            for outcome in executor.run(todo, blob):
                store.add(outcome)
                bar.update(outcome)
    finally:
        bar.close()
        store.flush()
        if executor is not None:
            executor.close()
    runs = store.assemble(
        plan.design, plan.factors, {"posterior_draw": plan.draws} if plan.draws else None
    )
    n_ok = int((runs["status"] == "ok").sum())
    n_failed = len(plan.tasks) - n_ok
    manifest.update(
        finished=_now(),
        status="complete" if n_failed == 0 else "complete_with_failures",
        runs={"total": len(plan.tasks), "ok": n_ok, "failed": n_failed},
        rejected_chunks=store.rejected,
    )
    atomic_write_json(manifest_path, manifest)
    runs.attrs["out_dir"] = str(out_dir)
    return runs
