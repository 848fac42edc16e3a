"""The ``opisim experiment`` and ``opisim results`` subcommands."""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
from pathlib import Path
from types import FrameType

from sim.errors import OpisimInputError, ResultsError


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not >= 1")
    return value


def add_run_options(parser: argparse.ArgumentParser, workers_help: str = "") -> None:
    """The options every command that runs an experiment shares: --out, --workers, --dask, --resume,
    --overwrite (used by ``experiment`` and ``sensitivity``)."""
    parser.add_argument("--out", help="results directory (default: results/<name>/)")
    parser.add_argument(
        "--workers",
        type=_positive_int,
        help="local worker processes (default: all cores; 1 runs in this process)" + workers_help,
    )
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on the Dask scheduler at ADDRESS (e.g. tcp://10.0.0.5:8786), or 'local' for a "
        "LocalCluster on this machine",
    )
    parser.add_argument(
        "--resume", action="store_true", help="keep finished runs in the results directory"
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="delete earlier results in the directory"
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``experiment`` and ``results`` subcommands."""
    exp = subparsers.add_parser(
        "experiment",
        help="run an experiment file (scenario list, grid or sample) into results/<name>/",
        description="Run an experiment file. Results go to results/<name>/ (manifest.json, "
        "design.parquet, runs.parquet, timeseries.parquet). Results are identical whatever the "
        "executor or the number of workers.",
    )
    exp.add_argument("file", help="experiment TOML file, e.g. experiments/smoke.toml")
    add_run_options(exp, workers_help="; with --dask local, the LocalCluster's workers (default 2)")
    exp.add_argument(
        "--dry-run", action="store_true", help="validate and show the design; run nothing"
    )
    exp.add_argument(
        "--chunk-runs",
        type=_positive_int,
        default=50,
        help="write finished runs to disk every N runs (default 50; also every 15 s)",
    )
    exp.add_argument("--no-progress", action="store_true", help="no progress bar or progress lines")
    exp.set_defaults(func=experiment_command)

    res = subparsers.add_parser(
        "results",
        help="print the comparison table of a results directory",
        description="Per scenario: mean and 5-95%% band of each headline outcome over replications, "
        "and the difference to the reference scenario (the first), paired by seed. For a sensitivity "
        "experiment: the influence ranking of levers; for a recommend experiment or goal seeking: the "
        "decision answer.",
    )
    res.add_argument("dir", help="results directory, e.g. results/compare_recommendations")
    res.add_argument("--outcome", action="append", help="outcome to show (repeatable)")
    res.add_argument("--csv", help="also write the table as CSV to this path")
    res.set_defaults(func=results_command)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def experiment_command(args: argparse.Namespace) -> int:
    """Run (or dry-run) an experiment; exit 1 if any run failed."""
    from sim.experiments.runner import plan_experiment, run_experiment

    if args.resume and args.overwrite:
        raise OpisimInputError("--resume and --overwrite: allowed: one of them, not both")
    if args.dry_run:
        plan = plan_experiment(args.file)
        spec = plan.spec
        print(
            f"{spec.origin}: {spec.name}: design {spec.design_kind!r} with {len(plan.design)} points x "
            f"{spec.replications} replications = {len(plan.tasks)} runs of model {spec.model!r}"
        )
        with_pd = plan.design.to_string(index=False, max_rows=40)
        print(with_pd)
        return 0
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        runs = run_experiment(
            args.file,
            out=args.out,
            workers=args.workers,
            dask=args.dask,
            resume=args.resume,
            overwrite=args.overwrite,
            progress=False if args.no_progress else None,
            chunk_runs=args.chunk_runs,
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
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
    from sim.experiments.compare import comparison_table, format_comparison

    path = Path(args.dir)
    manifest_path = path / "manifest.json"
    if manifest_path.is_file():
        kind = json.loads(manifest_path.read_text(encoding="utf-8")).get("kind")
        if kind == "sensitivity":
            try:
                report = importlib.import_module("sim.analysis.report")
            except ModuleNotFoundError as exc:
                raise ResultsError(
                    f"{path}: a sensitivity experiment, but the analysis layer (sim.analysis) is not "
                    f"installed"
                ) from exc
            report.print_ranking(path)
            return 0
        if kind == "goal":
            from sim.analysis.goal import goal_text

            print(goal_text(path))
            return 0
        design_kind = json.loads(manifest_path.read_text(encoding="utf-8")).get("design_kind")
        if design_kind == "recommend":
            from sim.analysis.recommend import recommend_text

            print(recommend_text(path))
            return 0
    table = comparison_table(path, outcomes=args.outcome)
    print(format_comparison(table))
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 0
