"""Run a sensitivity experiment (OFAT, Morris or Sobol) through the experiment layer, then analyse it."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from sim.errors import ExperimentError

SENSITIVITY_KINDS = ("ofat", "morris", "sobol")


def with_master_seed(spec: Any, seed: int) -> Any:
    """The same experiment with another master seed (and the name ``<name>_seed<seed>``).

    Args:
        spec: a validated :class:`~sim.experiments.spec.ExperimentSpec`.
        seed: the new master seed.

    Returns:
        A new validated spec.
    """
    from sim.experiments.spec import spec_from_dict

    data = (
        tomllib.loads(spec.text)
        if not spec.text.lstrip().startswith("{")
        else json.loads(spec.text)
    )
    data["experiment"]["master_seed"] = int(seed)
    data["experiment"]["name"] = f"{spec.name}_seed{seed}"
    return spec_from_dict(
        data, origin=f"{spec.origin} (master_seed = {seed})", base_dir=spec.base_dir
    )


def run_sensitivity(
    experiment: str | Path | Any,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    dask: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool | None = None,
    outcomes: list[str] | None = None,
    log: Any = None,
    structural: str | None = None,
) -> tuple[Path, Any]:
    """Run a sensitivity experiment through the experiment layer and analyse it.

    Args:
        experiment: experiment file path or validated spec (design kind ofat, morris or sobol).
        out: results directory (default ``results/<name>/``).
        workers, dask, resume, overwrite, progress: as for :func:`sim.experiments.run_experiment`.
        outcomes: outcomes to analyse (default: the file's ``[analysis] outcomes``).
        log: receives the experiment layer's progress lines (default: stderr).
        structural: ``auto``, ``posterior`` or ``none``, overriding the file's ``structural``.

    Returns:
        The results directory and the :class:`~sim.analysis.sensitivity.SensitivityResult`.

    Raises:
        ExperimentError: not a sensitivity design, invalid file, or failed runs.
    """
    from sim.analysis.designs import plan_from_spec
    from sim.analysis.sensitivity import analyse
    from sim.experiments import load_experiment, run_experiment
    from sim.experiments.spec import ExperimentSpec

    spec = experiment if isinstance(experiment, ExperimentSpec) else load_experiment(experiment)
    if spec.design_kind not in SENSITIVITY_KINDS:
        raise ExperimentError(
            f"{spec.origin}: key 'design.kind' = {spec.design_kind!r} is not a sensitivity design; "
            f"allowed: {', '.join(SENSITIVITY_KINDS)} (use `opisim experiment` for other designs)"
        )
    plan = plan_from_spec(spec)
    out_dir = Path(out) if out is not None else Path("results") / spec.name
    runs = run_experiment(
        spec,
        out=out_dir,
        workers=workers,
        dask=dask,
        resume=resume,
        overwrite=overwrite,
        progress=progress,
        kind="sensitivity",
        log=log,
        structural=structural,
        manifest_extra={
            "analysis": {"method": plan.method, "randomness": plan.options.randomness},
        },
    )
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        first = failed.iloc[0]
        raise ExperimentError(
            f"{out_dir}: {len(failed)} of {len(runs)} runs failed (first: {first['run_id']}: "
            f"{str(first['error'])[:200]}); no indices from a partial sample: fix the cause and rerun "
            f"with --resume"
        )
    return out_dir, analyse(out_dir, outcomes=outcomes)
