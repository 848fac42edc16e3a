"""The ``opisim sensitivity`` subcommand: run an OFAT/Morris/Sobol experiment, then analyse it."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tomllib
from pathlib import Path
from types import FrameType
from typing import Any

from sim.errors import ExperimentError
from sim.experiments.cli import add_run_options, add_structural_option

SENSITIVITY_KINDS = ("ofat", "morris", "sobol")


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{value} is not in 0 .. 2**63-1")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sensitivity`` subcommand."""
    sub = subparsers.add_parser(
        "sensitivity",
        help="run a sensitivity experiment (ofat, morris, sobol) and rank the levers",
        description="Run an experiment file whose design kind is ofat, morris or sobol through the "
        "experiment layer (same executors, storage and --resume), then analyse it with SALib: "
        "indices.parquet/.csv, ranking.parquet/.csv, convergence.parquet/.csv and analysis.json in "
        "the results directory. `opisim results DIR` prints the ranking again.",
    )
    sub.add_argument("file", help="experiment TOML file, e.g. experiments/morris_levers.toml")
    add_run_options(sub)
    add_structural_option(sub)
    sub.add_argument(
        "--analyse-only",
        action="store_true",
        help="run nothing: analyse the finished results directory again",
    )
    sub.add_argument(
        "--outcome",
        action="append",
        dest="outcomes",
        help="outcome to analyse (repeatable; default: [analysis] outcomes of the file)",
    )
    sub.add_argument(
        "--robustness-seed",
        type=_seed,
        metavar="SEED",
        help="also run the experiment with this master seed (into <out>_seed<SEED>) and report the "
        "Spearman correlation of the ranking metric and whether the top-3 levers agree",
    )
    sub.add_argument("--no-progress", action="store_true", help="no progress bar or progress lines")
    sub.set_defaults(func=sensitivity_command)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def with_master_seed(spec: Any, seed: int) -> Any:
    """The same experiment with another master seed (and name ``<name>_seed<seed>``)."""
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


def sensitivity_command(args: argparse.Namespace) -> int:
    """Run (unless --analyse-only) and analyse a sensitivity experiment; print the ranking."""
    from sim.analysis.report import print_ranking
    from sim.analysis.sensitivity import analyse, compare_rankings
    from sim.experiments import load_experiment

    spec = load_experiment(args.file)
    out_dir = Path(args.out) if args.out else Path("results") / spec.name
    progress = False if args.no_progress else None
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)

    def run_or_analyse(experiment, directory: Path) -> None:
        if args.analyse_only:
            analyse(directory, outcomes=args.outcomes)
        else:
            run_sensitivity(
                experiment,
                out=directory,
                workers=args.workers,
                dask=args.dask,
                resume=args.resume,
                overwrite=args.overwrite,
                progress=progress,
                outcomes=args.outcomes,
                structural=args.structural,
            )

    try:
        run_or_analyse(spec, out_dir)
        print_ranking(out_dir)
        if args.robustness_seed is not None:
            other = with_master_seed(spec, args.robustness_seed)
            other_dir = out_dir.parent / f"{out_dir.name}_seed{args.robustness_seed}"
            run_or_analyse(other, other_dir)
            robust = compare_rankings(out_dir, other_dir)
            (out_dir / "robustness.json").write_text(
                json.dumps(robust, indent=2) + "\n", encoding="utf-8"
            )
            print(
                f"\nRobustness (master seed {spec.master_seed} vs {args.robustness_seed}, "
                f"{robust['metric']} of {robust['outcome']}): Spearman {robust['spearman']:.3f}; top 3 "
                f"{robust['top_a']} vs {robust['top_b']}: "
                f"{'same' if robust['same_top'] else 'DIFFERENT'}"
            )
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(f"results in {out_dir}", file=sys.stderr)
    return 0
