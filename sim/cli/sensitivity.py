"""The ``opisim sensitivity`` command: run an OFAT/Morris/Sobol experiment, then analyse it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.cli.common import add_run_options, add_structural_option, sigterm_as_interrupt


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{value} is not in 0 .. 2**63-1")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sensitivity`` command."""
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
    sub.set_defaults(func=sensitivity_command)


def sensitivity_command(args: argparse.Namespace) -> int:
    """Run (unless --analyse-only) and analyse a sensitivity experiment; print the ranking."""
    from sim.analysis import (
        analyse,
        compare_rankings,
        print_ranking,
        run_sensitivity,
        with_master_seed,
    )
    from sim.experiments import load_experiment

    spec = load_experiment(args.file)
    out_dir = Path(args.out) if args.out else Path("results") / spec.name
    progress = False if args.no_progress else None

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

    with sigterm_as_interrupt():
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
    print(f"results in {out_dir}", file=sys.stderr)
    return 0
