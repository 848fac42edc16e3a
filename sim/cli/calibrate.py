"""The ``opisim calibrate`` command: run a calibration file, print the posterior and the targets."""

from __future__ import annotations

import argparse
import shlex
import sys

from sim.cli.common import add_file_command, sigterm_as_interrupt


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``calibrate`` command."""
    sub = add_file_command(
        subparsers,
        "calibrate",
        summary="calibrate coefficients to history with ABC-SMC (pyabc) into results/<name>/",
        description="Run a calibration file (docs/CALIBRATION.md): ABC-SMC over the [priors] against "
        "the [targets], through the experiment layer's executors. Results go to results/<name>/ "
        "(manifest.json, abc.db, posterior.parquet, posterior_intervals.csv, targets_vs_model.csv, "
        "predictive.parquet, runs.parquet). Same master seed, same result, whatever the executor or "
        "the number of workers.",
        file_help="calibration TOML file, e.g. experiments/calibrate_history.toml",
        func=calibrate_command,
        structural=False,
    )
    sub.add_argument(
        "--ship",
        action="store_true",
        help="also copy the posterior to sim/data/posterior.parquet (the default structural "
        "uncertainty of experiments)",
    )
    sub.add_argument(
        "--dry-run", action="store_true", help="validate the file and show priors and targets"
    )


def calibrate_command(args: argparse.Namespace) -> int:
    """Run (or dry-run) a calibration; exit 1 if a model run failed."""
    import pandas as pd

    from sim.calibration.spec import load_calibration
    from sim.errors import CalibrationError

    if args.resume and args.overwrite:
        raise CalibrationError("--resume and --overwrite: allowed: one of them, not both")
    spec = load_calibration(args.file)
    if args.dry_run:
        s = spec.settings
        print(
            f"{spec.origin}: {spec.name}: model {spec.model!r}, {spec.generations} generation(s) of "
            f"{s.population_size} particles, {s.replications} replication(s) each ({s.randomness}), "
            f"master seed {s.master_seed}"
        )
        print("priors:")
        for prior in spec.priors:
            print(f"  {prior.key}: {prior.describe()}")
        print("targets:")
        for t in spec.targets:
            scale = (
                f"interval {t.band[0]:g}-{t.band[1]:g}"
                if t.interval
                else f"{t.scale_kind} {t.scale:g}"
            )
            role = t.role.replace("_", " ")
            print(f"  {t.name} = {t.observed:g} ({scale}; {role}; {t.source})")
        return 0
    from sim.calibration.runner import CalibrationRunError, run_calibration

    command = "opisim calibrate " + " ".join(
        shlex.quote(a)
        for a in [args.file]
        + (["--out", args.out] if args.out else [])
        + (["--ship"] if args.ship else [])
    )
    try:
        with sigterm_as_interrupt():
            result = run_calibration(
                spec,
                out=args.out,
                workers=args.workers,
                dask=args.dask,
                resume=args.resume,
                overwrite=args.overwrite,
                ship=args.ship,
                log=(lambda line: None) if getattr(args, "no_progress", False) else None,
                command=command,
            )
    except CalibrationRunError as exc:
        print(
            f"opisim: {exc}; finished runs are kept; fix the model and rerun with --resume",
            file=sys.stderr,
        )
        return 1
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        cols = ["parameter", "prior", "p05", "p50", "p95"]
        print("Posterior intervals (5%, 50%, 95%):")
        print(result.intervals[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        print("\nTargets against the posterior predictive band (5-95%):")
        cols = ["target", "role", "observed", "model_p05", "model_p50", "model_p95", "covered"]
        print(
            result.targets_vs_model[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}")
        )
    status = result.manifest["status"]
    print(f"\n{status}; results in {result.out_dir}", file=sys.stderr)
    return 0
