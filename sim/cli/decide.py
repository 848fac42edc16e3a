"""The ``opisim recommend`` and ``opisim goal`` commands: the decision answers on the command line.

``opisim recommend FILE`` runs a recommend experiment (design kind ``recommend``) through the experiment
layer and prints which recommendations free the most labour; ``opisim goal FILE`` runs goal seeking
(design kind ``goal``) and prints the cheapest portfolios that reach the target. Both take the options
of the other experiment-running commands (``--out``, ``--workers``, ``--dask``, ``--resume``,
``--overwrite``, ``--no-progress``, ``--structural``); ``recommend --analyse-only`` recomputes the
recommendation tables from stored runs. ``opisim results DIR`` prints either answer again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli.common import add_file_command, sigterm_as_interrupt
from sim.errors import OpisimInputError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``recommend`` and ``goal`` commands."""
    rec = add_file_command(
        subparsers,
        "recommend",
        summary="which recommendations free the most labour: paired effects over seeds and futures",
        description="Run a recommend experiment (status quo, each lever alone, all recommendations, all "
        "but each lever, theme bundles and pairs, in sampled futures under common random numbers) and "
        "print the direction-aware ranking, the themes, the interactions and the scenario-discovery "
        "boxes. Tables (CSV and Parquet) go to the results directory; `opisim plot DIR --figure "
        "recommendation_forest` draws the forest plot.",
        file_help="experiment TOML file, e.g. experiments/recommend.toml",
        func=recommend_command,
        draws_per="future",
    )
    rec.add_argument(
        "--analyse-only", action="store_true", help="run nothing: analyse the stored runs again"
    )

    goal = add_file_command(
        subparsers,
        "goal",
        summary="goal seeking: the cheapest portfolios that reach an FTE target with a given "
        "probability",
        description="Search lever values (and start years, where scenarios take lever schedules) for "
        "the Pareto front of public cost, FTE freed and the probability of reaching the target "
        "(pymoo NSGA-II, common random numbers), validate the answer on fresh futures and describe the "
        "futures in which it misses (PRIM). Each generation is an experiment in the results directory, "
        "so --resume continues an interrupted search and reaches the same answer. Progress: one line "
        "per generation (--progress adds each generation's progress bar, --no-progress shows nothing).",
        file_help="goal-seeking TOML file, e.g. experiments/goal_10k.toml",
        func=goal_command,
        draws_per="future",
    )
    goal.add_argument(
        "--progress", action="store_true", help="progress bars of each generation's runs"
    )


def _out_dir(args: argparse.Namespace, name: str) -> Path:
    if args.resume and args.overwrite:
        raise OpisimInputError("--resume and --overwrite: allowed: one of them, not both")
    return Path(args.out) if args.out else Path("results") / name


def recommend_command(args: argparse.Namespace) -> int:
    """Run (unless --analyse-only) and analyse a recommend experiment; print the answer."""
    from sim.analysis.recommend import analyse, recommend_text, run_recommend
    from sim.experiments import load_experiment

    spec = load_experiment(args.file)
    out_dir = _out_dir(args, spec.name)
    with sigterm_as_interrupt():
        if args.analyse_only:
            analyse(out_dir)
        else:
            run_recommend(
                spec,
                out=out_dir,
                workers=args.workers,
                dask=args.dask,
                resume=args.resume,
                overwrite=args.overwrite,
                progress=False if args.no_progress else None,
                structural=args.structural,
            )
    print(recommend_text(out_dir))
    print(f"results in {out_dir}", file=sys.stderr)
    return 0


def goal_command(args: argparse.Namespace) -> int:
    """Run goal seeking and print the answer."""
    from sim.analysis.goal import goal_text, run_goal
    from sim.experiments import load_experiment

    if args.progress and args.no_progress:
        raise OpisimInputError("--progress and --no-progress: allowed: one of them, not both")
    spec = load_experiment(args.file)
    out_dir = _out_dir(args, spec.name)
    with sigterm_as_interrupt():
        run_goal(
            spec,
            out=out_dir,
            workers=args.workers,
            dask=args.dask,
            resume=args.resume,
            overwrite=args.overwrite,
            progress=None if args.progress else False,
            log=(lambda line: None) if args.no_progress else None,
            structural=args.structural,
        )
    print(goal_text(out_dir))
    print(f"results in {out_dir}", file=sys.stderr)
    return 0
