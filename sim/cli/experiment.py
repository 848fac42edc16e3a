"""The ``opisim experiment`` and ``opisim results`` commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.cli.common import (
    add_run_options,
    add_structural_option,
    positive_int,
    sigterm_as_interrupt,
)
from sim.errors import OpisimInputError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``experiment`` and ``results`` commands."""
    exp = subparsers.add_parser(
        "experiment",
        help="run an experiment file (scenario list, grid or sample) into results/<name>/",
        description="Run an experiment file. Results go to results/<name>/ (manifest.json, "
        "design.parquet, runs.parquet, timeseries.parquet). Results are identical whatever the "
        "executor or the number of workers.",
    )
    exp.add_argument("file", help="experiment TOML file, e.g. experiments/smoke.toml")
    add_run_options(exp, workers_help="; with --dask local, the LocalCluster's workers (default 2)")
    add_structural_option(exp)
    exp.add_argument(
        "--dry-run", action="store_true", help="validate and show the design; run nothing"
    )
    exp.add_argument(
        "--chunk-runs",
        type=positive_int,
        default=50,
        help="write finished runs to disk every N runs (default 50; also every 15 s)",
    )
    exp.set_defaults(func=experiment_command)

    res = subparsers.add_parser(
        "results",
        help="print the comparison table of a results directory",
        description="Per scenario: mean and 5-95% band of each headline outcome over replications, "
        "and the difference to the reference scenario (the first), paired by seed. For a sensitivity "
        "experiment: the ranking of levers.",
    )
    res.add_argument("dir", help="results directory, e.g. results/compare_recommendations")
    res.add_argument("--outcome", action="append", help="outcome to show (repeatable)")
    res.add_argument("--csv", help="also write the table as CSV to this path")
    res.set_defaults(func=results_command)


def experiment_command(args: argparse.Namespace) -> int:
    """Run (or dry-run) an experiment; exit 1 if any run failed."""
    from sim.experiments import plan_experiment, run_experiment

    if args.resume and args.overwrite:
        raise OpisimInputError("--resume and --overwrite: allowed: one of them, not both")
    if args.dry_run:
        plan = plan_experiment(args.file, structural=args.structural)
        spec = plan.spec
        print(
            f"{spec.origin}: {spec.name}: design {spec.design_kind!r} with {len(plan.design)} points x "
            f"{spec.replications} replications = {len(plan.tasks)} runs of model {spec.model!r}"
        )
        print(plan.design.to_string(index=False, max_rows=40))
        return 0
    with sigterm_as_interrupt():
        runs = run_experiment(
            args.file,
            out=args.out,
            workers=args.workers,
            dask=args.dask,
            resume=args.resume,
            overwrite=args.overwrite,
            progress=False if args.no_progress else None,
            chunk_runs=args.chunk_runs,
            structural=args.structural,
        )
    failed = int((runs["status"] != "ok").sum())
    where = runs.attrs.get("out_dir", args.out or "results/")
    if failed:
        first = runs.loc[runs["status"] != "ok", ["run_id", "error"]].iloc[0]
        print(
            f"opisim: {failed} of {len(runs)} runs failed (first: {first['run_id']}: {first['error']}); "
            f"the others are stored in {where}; rerun with --resume to retry the failed runs",
            file=sys.stderr,
        )
        return 1
    print(f"{len(runs)} runs done; results in {where}", file=sys.stderr)
    return 0


def results_command(args: argparse.Namespace) -> int:
    """Print the comparison table (or the sensitivity ranking) of a results directory."""
    manifest_path = Path(args.dir) / "manifest.json"
    if manifest_path.is_file():
        kind = json.loads(manifest_path.read_text(encoding="utf-8")).get("kind")
        if kind == "sensitivity":
            from sim.analysis import print_ranking

            print_ranking(args.dir)
            return 0
    from sim.experiments import comparison_table, format_comparison

    table = comparison_table(args.dir, outcomes=args.outcome)
    print(format_comparison(table))
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 0
